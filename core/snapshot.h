/*
 * snapshot.h - the tenant as one read saw it, for the check runs that follow
 * in the same play (docs/design/snapshot.md).
 *
 * teams_rollout_preflight reads the tenant in bulk once and writes what it
 * read to a file (mode 0600, replaced whole): a header line
 *   {"dialtone_snapshot": 1, "tenant": "<tenant id>", "kinds": [names...]}
 * then one line per kind {"kind": "<name>", "data": <what the read returned>},
 * then any other lines (the users, one a line, which teams_user_voice
 * streams itself). Nothing secret is written: reads of the tenant only.
 *
 * A module run in check mode with its snapshot option set reads every kind
 * the file carries from it, through the read functions of teamsadmin.c,
 * tenant.c and numbers.c, instead of asking the service: each of those calls
 * snapshot_get() first. A kind the file carries is complete (what it lacks
 * does not exist); a kind it does not carry is read from the service. A
 * file that cannot be read, is not a snapshot, or was written for another
 * tenant is an error, never "absent". A run that writes never uses it.
 * Kinds are parsed when first asked for, so a run holds only those it reads.
 *
 * Layer: uses core.h and cj.h only; the read functions above call down.
 */
#ifndef DIALTONE_SNAPSHOT_H
#define DIALTONE_SNAPSHOT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/* The kinds (the read function whose output each one holds). */
#define SNAP_SKUS "skus"                       /* tenant_skus() */
#define SNAP_LOCATIONS "locations"             /* ta_locations() */
#define SNAP_NUMBERS "numbers"                 /* tenant_numbers(NULL) */
#define SNAP_AUTO_ATTENDANTS "auto_attendants" /* ta_auto_attendants() */
#define SNAP_ORGANIZATION "organization"       /* tenant_organization() */
#define SNAP_RA_VIEWS "resource_account_views" /* ta_users("ResourceAccount") */
/*
 * Every resource account as ta_resource_account_get() answers it
 * (objectId, userPrincipalName, displayName, applicationId, phoneNumber).
 */
#define SNAP_RESOURCE_ACCOUNTS "resource_accounts"
/*
 * Entra users as tenant_user_get() answers them, keyed by lower-cased UPN
 * and object id (null: no such user). Not every user: a key it lacks is
 * read from the service.
 */
#define SNAP_ACCOUNTS "accounts"
/* The sites' groups as tenant_group_get() answers them, by id (null: none). */
#define SNAP_GROUPS "groups"
/* The direct members of the sites' groups (tenant_group_members()), by group id. */
#define SNAP_GROUP_MEMBERS "group_members"
/* ta_group_grants(type) of a policy type: "group_grants:" followed by the type. */
#define SNAP_GROUP_GRANTS "group_grants:"
/* ta_policies(type) of a policy type: "policies:" followed by the type. */
#define SNAP_POLICIES "policies:"

/*
 * Starts using the snapshot at path for ctx's reads (module.c, for a module
 * in check mode whose snapshot option is set). Nothing is read until the
 * first snapshot_get(). path is copied.
 */
void snapshot_use(struct core_ctx *ctx, const char *path);

/*
 * The data of kind in the run's snapshot.
 * @param[out] out  borrowed (valid until ctx is released); NULL when the
 *                  run has no snapshot or it does not carry kind: read the
 *                  service then
 * @return CORE_OK, or CORE_EARGS (with its message) when the file cannot be
 *         read, is not a snapshot, is for another tenant, or lacks a kind
 *         its header lists
 */
int snapshot_get(const cJSON **out, struct core_ctx *ctx, const char *kind);

/*
 * Shorthands for the read functions. Each sets *carried to whether the
 * run's snapshot carries kind; when it does not, nothing else is set and
 * the caller reads the service.
 * snapshot_copy(): *out is a copy of kind's data.
 * snapshot_find(): *out is a copy of the object of kind's array whose key
 * (or key2, which may be NULL) holds value, compared case-insensitively;
 * CORE_ENOTFOUND (no message) when there is none.
 * Both return CORE_OK or snapshot_get()'s error.
 */
int snapshot_copy(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind);
int snapshot_find(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind,
    const char *key, const char *key2, const char *value);
/*
 * snapshot_lookup(), for the keyed kinds that hold some objects only: *out
 * is a copy of the member key of kind's object (compared case-insensitively)
 * and *carried is set only when the kind holds key; a null member is
 * CORE_ENOTFOUND (no message), a key it lacks is for the service.
 */
int snapshot_lookup(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind,
    const char *key);

/*
 * The kind name of a policy type's instances ("policies:<type>") or group
 * grants ("group_grants:<type>"); the caller frees it.
 */
char *snapshot_policy_kind(const char *type);
char *snapshot_grants_kind(const char *type);

/*
 * Writing one. snapshot_begin() creates path's temporary file (0600) and
 * writes the header and the kinds: kinds is an object, one member per kind
 * (borrowed). snapshot_line() adds one line of text (no newline in it).
 * snapshot_end() with ok puts the file in place of path; without ok, or
 * after any failure, it removes the temporary file. Each function records
 * its failure with core_error() (CORE_EARGS, naming path) and returns it.
 */
struct snapshot_out;

int snapshot_begin(struct snapshot_out **w, struct core_ctx *ctx, const char *path,
    const cJSON *kinds);
int snapshot_line(struct snapshot_out *w, const char *line);
int snapshot_end(struct snapshot_out *w, bool ok);

#endif
