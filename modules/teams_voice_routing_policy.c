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
	cJSON *holders = NULL;
	char *who = NULL, *hdr_b = NULL, *hdr_a = NULL;
	bool force = arg_bool(params, "force", false);
	int rc;

	if (strcasecmp(bare, "Global") == 0)
		return core_error(ctx, CORE_EREFUSED,
		    "the Global voice routing policy cannot be removed; set its pstn_usages instead");
	if (!have) {
		result_put(res, "policy", cJSON_CreateNull());
		return CORE_OK;
	}
	rc = tenant_policy_holders(&holders, ctx, TA_VOICE_ROUTING, bare);
	if (rc)
		goto out;
	who = tenant_policy_holders_text(holders);
	if (who && !force) {
		rc = core_error(ctx, CORE_EREFUSED,
		    "voice routing policy '%s' is still granted to %s; remove those grants first, "
		    "or set force: true to remove them with the policy", bare, who);
		goto out;
	}
	res->changed = true;
	hdr_b = xasprintf("policy '%s' (current)", bare);
	hdr_a = xasprintf("policy '%s' (desired)", bare);
	result_add_diff(res, ctx, reconcile_strip(have, &opts), NULL, hdr_b, hdr_a);
	result_put(res, "policy", cJSON_CreateNull());
	result_put(res, "removed_grants", who ? cJSON_Duplicate(holders, 1) : cJSON_CreateNull());
	if (ctx->check_mode)
		goto out;
	if (who) {
		rc = tenant_policy_ungrant(ctx, TA_VOICE_ROUTING, holders);
		if (rc)
			goto out;
	}
	rc = ta_policy_delete(ctx, TA_VOICE_ROUTING, bare);
out:
	free(hdr_a);
	free(hdr_b);
	free(who);
	cJSON_Delete(holders);
	return rc;
}

/* The policy as the real run would return it: have with the changes, or the new one. */
static cJSON *
predicted(const cJSON *have, const struct plan *plan)
{
	cJSON *p = cJSON_Duplicate(have ? have : plan->after, 1);
	const cJSON *c;

	if (!p)
		BUG("out of memory");
	cJSON_ArrayForEach(c, plan->changes) {
		if (cJSON_GetObjectItem(p, c->string))
			cJSON_ReplaceItemInObject(p, c->string, cJSON_Duplicate(c, 1));
		else
			cJSON_AddItemToObject(p, c->string, cJSON_Duplicate(c, 1));
	}
	return p;
}

static int
present(struct core_ctx *ctx, const cJSON *params, struct result *res,
    const char *bare, const cJSON *have)
{
	struct plan plan = { 0 };
	cJSON *want = NULL, *usages_have = NULL, *missing = NULL, *merged = NULL;
	cJSON *after = NULL;
	const cJSON *usages = arg_get(params, "pstn_usages");
	const char *desc = arg_str(params, "description");
	char *list = NULL, *hdr_b = NULL, *hdr_a = NULL, *ident = NULL;
	const cJSON *m;
	int rc = CORE_OK;

	want = cJSON_CreateObject();
	if (!want)
		BUG("out of memory");
	ident = strcasecmp(bare, "Global") == 0 ? xstrdup("Global") : xasprintf("Tag:%s", bare);
	cJSON_AddStringToObject(want, "Identity", ident);
	if (desc)
		cJSON_AddStringToObject(want, "Description", desc);
	if (cJSON_IsArray(usages))
		cJSON_AddItemToObject(want, "OnlinePstnUsages", cJSON_Duplicate(usages, 1));

	if (cJSON_GetArraySize(usages) > 0) {
		rc = ta_pstn_usages(&usages_have, ctx);
		if (rc)
			goto out;
		missing = ta_pstn_usages_missing(usages_have, usages);
		if (cJSON_GetArraySize(missing) > 0 && !arg_bool(params, "create_usages", false)) {
			list = cj_join(usages_have, NULL, ", ", false);
			rc = core_error(ctx, CORE_EREFUSED,
			    "PSTN usage '%s' is not found in OnlinePstnUsages; set create_usages: true "
			    "to add it, or use one of the tenant's usages (%s)",
			    cJSON_GetArrayItem(missing, 0)->valuestring, *list ? list : "none");
			goto out;
		}
	}

	reconcile_plan(&plan, want, have, &opts);
	if (cJSON_GetArraySize(missing) > 0) {
		merged = cJSON_Duplicate(usages_have, 1);
		cJSON_ArrayForEach(m, missing)
			cJSON_AddItemToArray(merged, cJSON_CreateString(m->valuestring));
		res->changed = true;
	}
	if (plan.changed) {
		res->changed = true;
		hdr_b = xasprintf("policy '%s' (current)", bare);
		hdr_a = xasprintf("policy '%s' (desired)", bare);
		result_add_diff(res, ctx, cJSON_Duplicate(plan.before, 1),
		    cJSON_Duplicate(plan.after, 1), hdr_b, hdr_a);
	}
	if (merged) {
		cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();

		cJSON_AddItemToObject(b, "Usage", cJSON_Duplicate(usages_have, 1));
		cJSON_AddItemToObject(a, "Usage", cJSON_Duplicate(merged, 1));
		result_add_diff(res, ctx, b, a, "OnlinePstnUsages Global (current)",
		    "OnlinePstnUsages Global (desired)");
	}
	if (ctx->check_mode || !res->changed) {
		result_put(res, "policy", predicted(have, &plan));
		goto out;
	}

	if (merged) {
		rc = ta_pstn_usages_set(ctx, merged);
		if (rc)
			goto out;
	}
	if (plan.create)
		rc = tenant_policy_create(ctx, TA_VOICE_ROUTING, bare, plan.changes);
	else if (plan.changed)
		rc = ta_policy_update(NULL, ctx, TA_VOICE_ROUTING, bare, plan.changes);
	if (rc)
		goto out;
	rc = ta_policy_get(&after, ctx, TA_VOICE_ROUTING, bare);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE,
		    "voice routing policy '%s' is not found right after it was written", bare);
	if (rc)
		goto out;
	result_put(res, "policy", after);
	after = NULL;
out:
	free(hdr_a);
	free(hdr_b);
	free(list);
	free(ident);
	cJSON_Delete(after);
	cJSON_Delete(merged);
	cJSON_Delete(missing);
	cJSON_Delete(usages_have);
	cJSON_Delete(want);
	reconcile_plan_release(&plan);
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
	.run = run,
};
