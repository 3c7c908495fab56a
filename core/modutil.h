/*
 * modutil.h - the parts of run() that several modules share: the run of a
 * module that manages one policy instance naming PSTN usages.
 *
 * Layer 5 (docs/design/layers.md): it reads the modules' options (args) and
 * calls the shared operations (tenant) below it.
 */
#ifndef DIALTONE_MODUTIL_H
#define DIALTONE_MODUTIL_H

#include <cjson/cJSON.h>

#include "core.h"
#include "result.h"

struct reconcile_opts;

/*
 * A policy type whose instances name PSTN usages (OnlineVoiceRoutingPolicy,
 * TeamsEmergencyCallRoutingPolicy), as its module manages it. Static data
 * of the module; nothing in it is owned.
 */
struct modutil_usage_policy {
	const char *type;                  /* TA_VOICE_ROUTING, TA_EMERGENCY_ROUTING */
	const char *what;                  /* the type in messages: "voice routing policy" */
	const char *example;               /* a name to suggest when the name is blank */
	const char *global_option;         /* the option that changes Global instead */
	const struct reconcile_opts *opts; /* how want and have compare */
	/* NULL, or have in the form the module's fields take (a new object; NULL for NULL). */
	cJSON *(*normalise)(const cJSON *have);
};

/*
 * The run() of such a module after its own option checks, with the
 * options every such module has: name (with or without "Tag:"; refused
 * when blank), description, state, force and create_usages. state: absent
 * refuses Global, then removes the instance (tenant_policy_absent());
 * state: present reconciles Identity, Description and the type's own
 * fields (an object whose members are copied into the wanted instance)
 * with the instance read (tenant_policy_present()); usages are the PSTN
 * usages those fields name. A failed read is an error, never "absent".
 * fields and usages are borrowed. Returns CORE_OK or the recorded error.
 */
int modutil_usage_policy_run(struct core_ctx *ctx, const cJSON *params, struct result *res,
    const struct modutil_usage_policy *kind, const cJSON *fields, const cJSON *usages);

#endif
