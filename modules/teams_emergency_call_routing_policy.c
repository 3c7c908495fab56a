/*
 * teams_emergency_call_routing_policy - a Teams emergency call routing
 * policy (TeamsEmergencyCallRoutingPolicy): its emergency numbers (dial
 * string, dial mask, PSTN usage), enhanced emergency services and
 * description.
 *
 * Every Shared Calling user needs one (docs/design/rules.md#sc-12, Learn
 * shared-calling-setup): with a Calling Plan or Operator Connect resource
 * account its emergency numbers carry no PSTN usage; with a Direct Routing
 * one they must carry one.
 *
 * A PSTN usage an emergency number names must exist in the tenant's Global
 * OnlinePstnUsages instance, or is added when create_usages is true.
 * state: absent refuses while the policy is granted, unless force removes
 * the grants first.
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

static const struct arg_spec number_args[] = {
	{ "dial_string", ARG_STR, .required = true, ARG_NAME(64) },
	{ "dial_mask", ARG_STR, ARG_NAME(64) },
	{ "pstn_usage", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "description", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "emergency_numbers", ARG_LIST, .elements = ARG_DICT, .options = number_args },
	{ "enhanced_emergency_services", ARG_BOOL },
	{ "create_usages", ARG_BOOL, .def = "false" },
	{ "force", ARG_BOOL, .def = "false" },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	ARG_END
};

static const char *const ignore_fields[] = { "Key", NULL };
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
		    "name '%s' is empty; give the policy's name, such as SC-Emergency", name);
	return CORE_OK;
}

/* Digits and the characters a dial string may hold. */
static bool
dial_chars_ok(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!s[i] || !strchr("0123456789*#+", s[i]))
			return false;
	return true;
}

/*
 * Checks each emergency number: a dial string of digits (once in the list),
 * a dial mask of ';'-separated dial strings, a non-blank usage.
 */
static int
check_numbers(struct core_ctx *ctx, const cJSON *numbers)
{
	const cJSON *e, *f;
	const char *ds, *mask, *usage, *p, *semi;
	int i = 0, j;

	cJSON_ArrayForEach(e, numbers) {
		ds = arg_str(e, "dial_string");
		mask = arg_str(e, "dial_mask");
		usage = arg_str(e, "pstn_usage");
		if (!ds || !dial_chars_ok(ds, strlen(ds)))
			return core_error(ctx, CORE_EARGS,
			    "emergency_numbers[%d].dial_string '%s' is not a dial string; give the "
			    "digits dialled (0-9, *, #, +), such as 911", i, ds ? ds : "");
		for (p = mask && *mask ? mask : NULL; p; p = semi ? semi + 1 : NULL) {
			semi = strchr(p, ';');
			if (!dial_chars_ok(p, semi ? (size_t)(semi - p) : strlen(p)))
				return core_error(ctx, CORE_EARGS,
				    "emergency_numbers[%d].dial_mask '%s' is not a list of dial strings; "
				    "give digits separated by ';', such as 9911;112", i, mask);
		}
		if (usage && *usage && strspn(usage, " \t") == strlen(usage))
			return core_error(ctx, CORE_EARGS,
			    "emergency_numbers[%d].pstn_usage is empty; give a usage name such as "
			    "Emergency, or leave it out", i);
		j = 0;
		cJSON_ArrayForEach(f, numbers) {
			if (f == e)
				break;
			if (strcmp(arg_str(f, "dial_string"), ds) == 0)
				return core_error(ctx, CORE_EARGS,
				    "emergency_numbers[%d] repeats dial_string '%s' of "
				    "emergency_numbers[%d]; give each emergency number once", i, ds, j);
			j++;
		}
		i++;
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
		    "the Global emergency call routing policy cannot be removed; set its emergency_numbers instead");
	if (!have) {
		result_put(res, "policy", cJSON_CreateNull());
		return CORE_OK;
	}
	rc = tenant_policy_holders(&holders, ctx, TA_EMERGENCY_ROUTING, bare);
	if (rc)
		goto out;
	who = tenant_policy_holders_text(holders);
	if (who && !force) {
		rc = core_error(ctx, CORE_EREFUSED,
		    "emergency call routing policy '%s' is still granted to %s; remove those grants first, "
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
		rc = tenant_policy_ungrant(ctx, TA_EMERGENCY_ROUTING, holders);
		if (rc)
			goto out;
	}
	rc = ta_policy_delete(ctx, TA_EMERGENCY_ROUTING, bare);
out:
	free(hdr_a);
	free(hdr_b);
	free(who);
	cJSON_Delete(holders);
	return rc;
}

/* One emergency number as the service stores it: all three fields, "" when unset. */
static cJSON *
wire_number(const char *ds, const char *mask, const char *usage)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		BUG("out of memory");
	cJSON_AddStringToObject(o, "EmergencyDialString", ds ? ds : "");
	cJSON_AddStringToObject(o, "EmergencyDialMask", mask ? mask : "");
	cJSON_AddStringToObject(o, "OnlinePSTNUsage", usage ? usage : "");
	return o;
}

/* The emergency_numbers option as EmergencyNumbers. */
static cJSON *
wire_numbers(const cJSON *numbers)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *e;

	if (!arr)
		BUG("out of memory");
	cJSON_ArrayForEach(e, numbers)
		cJSON_AddItemToArray(arr, wire_number(arg_str(e, "dial_string"),
		    arg_str(e, "dial_mask"), arg_str(e, "pstn_usage")));
	return arr;
}

/* The PSTN usages the emergency numbers name, in order. */
static cJSON *
numbers_usages(const cJSON *numbers)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *e;
	const char *u;

	if (!arr)
		BUG("out of memory");
	cJSON_ArrayForEach(e, numbers) {
		u = arg_str(e, "pstn_usage");
		if (u && *u)
			cJSON_AddItemToArray(arr, cJSON_CreateString(u));
	}
	return arr;
}

static const char *
str_or_empty(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(obj, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/*
 * have with its EmergencyNumbers in the form wire_number() gives (a field
 * the service leaves out or sends as null compares as ""), or NULL.
 */
static cJSON *
normalised(const cJSON *have)
{
	cJSON *n, *arr;
	const cJSON *e;

	if (!have)
		return NULL;
	n = cJSON_Duplicate(have, 1);
	arr = cJSON_CreateArray();
	if (!n || !arr)
		BUG("out of memory");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(have, "EmergencyNumbers"))
		cJSON_AddItemToArray(arr, wire_number(str_or_empty(e, "EmergencyDialString"),
		    str_or_empty(e, "EmergencyDialMask"), str_or_empty(e, "OnlinePSTNUsage")));
	if (cJSON_GetObjectItem(n, "EmergencyNumbers"))
		cJSON_ReplaceItemInObject(n, "EmergencyNumbers", arr);
	else
		cJSON_AddItemToObject(n, "EmergencyNumbers", arr);
	return n;
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
	const cJSON *numbers = arg_get(params, "emergency_numbers");
	const char *desc = arg_str(params, "description");
	cJSON *usages = NULL, *norm = NULL;
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
	if (arg_isset(params, "enhanced_emergency_services"))
		cJSON_AddBoolToObject(want, "AllowEnhancedEmergencyServices",
		    arg_bool(params, "enhanced_emergency_services", false));
	if (cJSON_IsArray(numbers))
		cJSON_AddItemToObject(want, "EmergencyNumbers", wire_numbers(numbers));
	usages = numbers_usages(numbers);
	norm = normalised(have);
	have = norm;

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
		rc = tenant_policy_create(ctx, TA_EMERGENCY_ROUTING, bare, plan.changes);
	else if (plan.changed)
		rc = ta_policy_update(NULL, ctx, TA_EMERGENCY_ROUTING, bare, plan.changes);
	if (rc)
		goto out;
	rc = ta_policy_get(&after, ctx, TA_EMERGENCY_ROUTING, bare);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE,
		    "emergency call routing policy '%s' is not found right after it was written", bare);
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
	cJSON_Delete(usages);
	cJSON_Delete(norm);
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
	rc = check_numbers(ctx, arg_get(params, "emergency_numbers"));
	if (rc)
		return rc;
	if (want_absent && strcasecmp(bare, "Global") == 0)
		return absent(ctx, params, res, bare, NULL);

	rc = ta_policy_get(&have, ctx, TA_EMERGENCY_ROUTING, bare);
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
	.name = "teams_emergency_call_routing_policy",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.run = run,
};
