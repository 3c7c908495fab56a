/*
 * aacodec.h - the auto attendant codec: teams_auto_attendant's options in the
 * Teams admin service's AutoAttendant shape (encode), and an AutoAttendant
 * read back as those options (decode), in one place so that what the module
 * writes and what teams_shared_calling_info exports stay each other's inverse
 * (docs/design/services.md#auto-attendants).
 *
 * Ownership, once for the whole unit: every pointer parameter is borrowed; a
 * function returning cJSON * (or setting a cJSON ** out parameter) hands a
 * new value to the caller, who deletes it.
 *
 * The codec is pure: no function here does I/O. What needs the tenant is
 * done by the caller and passed in: encode takes the accounts and groups the
 * options name already resolved to object ids, decode takes a function that
 * names an object id from data already read.
 *
 * Options are the module's options as args_validate() returns them (JSON
 * null or missing: not set): name, language, voice, time_zone,
 * voice_inputs, greeting, dial_by_name, dial_by_extension,
 * dial_scope_groups, menu [{key, action, target}], menu_prompt, operator,
 * business_hours [{days, start, end}], after_hours {greeting, action,
 * target}, holidays [{name, start, end, greeting, action, target}].
 * Actions: user, resource_account, operator, voicemail, disconnect.
 *
 * Layer 1: it knows the options' shape and uses layer 0 and args
 * (docs/design/layers.md).
 */
#ifndef DIALTONE_AACODEC_H
#define DIALTONE_AACODEC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core.h"

/* ---- what people type ---- */

/*
 * A whole string holding one time of day ("9:00", "09:00", "09:00:00"),
 * written "HH:MM:SS" to out, with *secs the seconds after midnight.
 */
bool aacodec_parse_time(char out[9], const char *s, int *secs);
/*
 * A date, optionally with a time ("2025-12-25", "2025-12-25T08:00",
 * "2025-12-25 08:00:00"), written "YYYY-MM-DDTHH:MM:SS" to out.
 */
bool aacodec_parse_datetime(char out[20], const char *s);
/* The dtmfResponse of a menu key ("0"-"9", "*", "#"), or NULL for any other. */
const char *aacodec_dtmf_of(const char *key);
/* Whether s looks like a language tag: en-US, fr-CA, zh-CN. */
bool aacodec_is_language(const char *s);

/* ---- encode: options -> AutoAttendant ---- */

/*
 * A copy of base (NULL: {}) with patch laid over it: objects merge key by
 * key (keys found case-insensitively, base's spelling kept); anything else
 * in patch (arrays, scalars, null) replaces what base has. This is how the
 * module's read-modify-write keeps what the options do not name.
 */
cJSON *aacodec_overlay(const cJSON *base, const cJSON *patch);

/*
 * A new auto attendant named name with the admin center's defaults (en-US,
 * Female, UTC, no voice inputs, an empty default call flow whose id derives
 * from name), before the options are laid over it.
 */
cJSON *aacodec_new(const char *name);

/*
 * The options as the part of an AutoAttendant they ask for (only what they
 * name; applicationInstances is the caller's), each item laid over the item
 * of have (the object read, NULL for a new one) it replaces, so that fields
 * the service adds to it survive. Ids of new call flows and schedules derive
 * from name, so that a check run and a real run name them alike.
 *
 * @param resolved  what the options name as a target, operator or group,
 *                  keyed by how the options write it: {"id": object id,
 *                  "kind": "user" | "resource"} for accounts, {"id"} for
 *                  groups; the caller resolves and checks kinds first
 * @return CORE_OK, or CORE_EREFUSED for options the object cannot take
 *         together with have (business hours without an after-hours flow,
 *         a transfer to the operator without one), CORE_EARGS for a target
 *         missing from resolved; *want is NULL then
 */
int aacodec_encode(cJSON **want, struct core_ctx *ctx, const char *name,
    const cJSON *opts, const cJSON *have, const cJSON *resolved);

/*
 * The refusals of aacodec_encode() that depend on no account: business hours
 * without an after-hours call flow to go with them (neither given nor in
 * have), or an after-hours call flow without business hours. A caller that
 * resolves the after-hours and holiday targets calls it first, so that
 * options refused for their shape cost no look-up.
 * @return CORE_OK or CORE_EREFUSED
 */
int aacodec_check(struct core_ctx *ctx, const char *name, const cJSON *opts,
    const cJSON *have);

/* ---- decode: AutoAttendant -> options ---- */

/*
 * The name the options give an object id (a UPN, else the id): a look-up in
 * data already read. The string must live as long as the decoded options
 * are built (it is copied).
 */
typedef const char *(*aacodec_name_fn)(const void *arg, const char *id);

/*
 * An AutoAttendant as the options that produce it (resource_accounts and
 * state aside). What the options cannot express is left out, and a short
 * description of it ("the menu", "the holidays", ...) appended to skipped,
 * a JSON array of strings the caller owns.
 */
cJSON *aacodec_decode(const cJSON *aa, aacodec_name_fn name_of, const void *arg,
    cJSON *skipped);

#endif
