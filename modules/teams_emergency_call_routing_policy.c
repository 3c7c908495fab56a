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
#include "modutil.h"
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
	{ "snapshot", ARG_PATH },
	ARG_END
};

static const char *const ignore_fields[] = { "Key", NULL };
static const char *const casefold_fields[] = { "Identity", NULL };
static const struct reconcile_opts opts = {
	.ignore = ignore_fields,
	.casefold = casefold_fields,
};

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

/* The policy's own fields the options set. */
static cJSON *
fields_of(const cJSON *params)
{
	cJSON *fields = cj_object();
	const cJSON *numbers = arg_get(params, "emergency_numbers");

	if (arg_isset(params, "enhanced_emergency_services"))
		cJSON_AddBoolToObject(fields, "AllowEnhancedEmergencyServices",
		    arg_bool(params, "enhanced_emergency_services"));
	if (cJSON_IsArray(numbers))
		cJSON_AddItemToObject(fields, "EmergencyNumbers", wire_numbers(numbers));
	return fields;
}

static const struct modutil_usage_policy kind = {
	.type = TA_EMERGENCY_ROUTING,
	.what = "emergency call routing policy",
	.example = "SC-Emergency",
	.global_option = "emergency_numbers",
	.opts = &opts,
	.normalise = normalised,
};

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	cJSON *fields = NULL, *usages = NULL;
	int rc;

	rc = svc_open(ctx);
	if (!rc)
		rc = check_numbers(ctx, arg_get(params, "emergency_numbers"));
	if (rc)
		return rc;
	fields = fields_of(params);
	usages = numbers_usages(arg_get(params, "emergency_numbers"));
	rc = modutil_usage_policy_run(ctx, params, res, &kind, fields, usages);
	cJSON_Delete(usages);
	cJSON_Delete(fields);
	return rc;
}

const struct module MODULE = {
	.name = "teams_emergency_call_routing_policy",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.reads_snapshot = true,
	.run = run,
};
