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

#include "module.h"
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

/* The policy name without "Tag:"; "" when it has nothing else. */
static int
check_name(const char **bare, struct core_ctx *ctx, const char *name)
{
	*bare = ta_policy_name(name);
	if (!**bare || strspn(*bare, " \t") == strlen(*bare))
		return core_error(ctx, CORE_EARGS,
		    "name '%s' is empty; give the policy's name, such as SC-DirectRouting", name);
	return CORE_OK;
}

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

static int
absent(struct core_ctx *ctx, const cJSON *params, struct result *res,
    const char *bare, const cJSON *have)
{
	if (strcasecmp(bare, "Global") == 0)
		return core_error(ctx, CORE_EREFUSED,
		    "the Global voice routing policy cannot be removed; set its pstn_usages instead");
	return tenant_policy_absent(ctx, res, TA_VOICE_ROUTING,
	    "voice routing policy", bare, have, arg_bool(params, "force", false), &opts);
}

static int
present(struct core_ctx *ctx, const cJSON *params, struct result *res,
    const char *bare, const cJSON *have)
{
	cJSON *want = NULL;
	const cJSON *usages = arg_get(params, "pstn_usages");
	const char *desc = arg_str(params, "description");
	char *ident = NULL;
	int rc;

	want = cJSON_CreateObject();
	if (!want)
		BUG("out of memory");
	ident = strcasecmp(bare, "Global") == 0 ? xstrdup("Global") : xasprintf("Tag:%s", bare);
	cJSON_AddStringToObject(want, "Identity", ident);
	if (desc)
		cJSON_AddStringToObject(want, "Description", desc);
	if (cJSON_IsArray(usages))
		cJSON_AddItemToObject(want, "OnlinePstnUsages", cJSON_Duplicate(usages, 1));

	rc = tenant_policy_present(ctx, res, TA_VOICE_ROUTING,
	    "voice routing policy", bare, want, have, usages,
	    arg_bool(params, "create_usages", false), &opts);
	free(ident);
	cJSON_Delete(want);
	return rc;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	cJSON *have = NULL;
	const char *bare;
	bool want_absent = strcmp(arg_str(params, "state"), "absent") == 0;
	int rc;

	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = check_name(&bare, ctx, arg_str(params, "name"));
	if (rc)
		return rc;
	rc = check_usages(ctx, arg_get(params, "pstn_usages"));
	if (rc)
		return rc;
	if (want_absent && strcasecmp(bare, "Global") == 0)
		return absent(ctx, params, res, bare, NULL);

	rc = ta_policy_get(&have, ctx, TA_VOICE_ROUTING, bare);
	if (rc == CORE_ENOTFOUND)
		rc = CORE_OK;
	if (rc)
		return rc;
	if (want_absent)
		rc = absent(ctx, params, res, bare, have);
	else
		rc = present(ctx, params, res, bare, have);
	cJSON_Delete(have);
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
