/*
 * teams_voice_routing_policy - an online voice routing policy
 * (OnlineVoiceRoutingPolicy): its ordered PSTN usages and its description.
 *
 * Microsoft (Learn, shared-calling-setup; docs/design/rules.md#sc-9, #sc-11): a Direct
 * Routing resource account needs a voice routing policy WITH PSTN usages;
 * Shared Calling users need one with NONE when the Global policy has
 * usages. The seed article's step 9 says the opposite for users; the
 * collection follows Microsoft.
 *
 * The usages live in the tenant's Global OnlinePstnUsages instance; a
 * usage the policy names must exist there, or is added when create_usages
 * is true. state: absent refuses while the policy is granted, unless force
 * removes the grants first.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cj.h"
#include "module.h"
#include "modutil.h"
#include "reconcile.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "description", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "pstn_usages", ARG_LIST, .elements = ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "create_usages", ARG_BOOL, .def = "false" },
	{ "force", ARG_BOOL, .def = "false" },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

static const char *const ignore_fields[] = { "RouteType", "Key", NULL };
static const char *const casefold_fields[] = { "Identity", NULL };
static const struct reconcile_opts opts = {
	.ignore = ignore_fields,
	.casefold = casefold_fields,
};

/* Each usage once, none empty. */
static int
check_usages(struct core_ctx *ctx, const cJSON *usages)
{
	const cJSON *u, *v;

	cJSON_ArrayForEach(u, usages) {
		if (!cJSON_IsString(u) || strspn(u->valuestring, " \t") == strlen(u->valuestring))
			return core_error(ctx, CORE_EARGS,
			    "pstn_usages has an empty usage; give usage names such as National");
		for (v = usages->child; v != u; v = v->next)
			if (strcmp(v->valuestring, u->valuestring) == 0)
				return core_error(ctx, CORE_EARGS,
				    "pstn_usages lists '%s' twice; a usage appears once in a policy",
				    u->valuestring);
	}
	return CORE_OK;
}

static const struct modutil_usage_policy kind = {
	.type = TA_VOICE_ROUTING,
	.what = "voice routing policy",
	.example = "SC-DirectRouting",
	.global_option = "pstn_usages",
	.opts = &opts,
};

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	const cJSON *usages = arg_get(params, "pstn_usages");
	cJSON *fields = cj_object();
	int rc;

	rc = svc_open(ctx);
	if (!rc)
		rc = check_usages(ctx, usages);
	if (!rc && cJSON_IsArray(usages))
		cj_set(fields, "OnlinePstnUsages", cJSON_Duplicate(usages, 1));
	if (!rc)
		rc = modutil_usage_policy_run(ctx, params, res, &kind, fields, usages);
	cJSON_Delete(fields);
	return rc;
}

const struct module MODULE = {
	.name = "teams_voice_routing_policy",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.reads_snapshot = true,
	.run = run,
};
