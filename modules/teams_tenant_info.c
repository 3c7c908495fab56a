/*
 * teams_tenant_info - what a rollout needs to know about a tenant before it
 * writes anything: identity and verified domains, licence pools with free
 * units, the telephone number inventory by type and country, and the
 * emergency addresses with their locations. Read-only; safe in check mode.
 */
#include <stdbool.h>
#include <string.h>

#include "module.h"
#include "numbers.h"
#include "probe.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "gather", ARG_LIST, .elements = ARG_STR, .def = "[\"all\"]",
	  .choices = "all|tenant|licenses|numbers|locations|api" },
	ARG_END
};

static bool
wants(const cJSON *params, const char *what)
{
	const cJSON *g;

	/* "all" is the tenant's data; the api probe is asked for by name. */
	cJSON_ArrayForEach(g, arg_get(params, "gather"))
		if (cJSON_IsString(g) && ((strcmp(g->valuestring, "all") == 0 &&
		    strcmp(what, "api") != 0) || strcmp(g->valuestring, what) == 0))
			return true;
	return false;
}

static int
gather_tenant(struct core_ctx *ctx, struct result *res)
{
	cJSON *org = NULL, *out;
	int rc;

	rc = tenant_organization(&org, ctx);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	cJSON_AddItemToObject(out, "id", cJSON_Duplicate(cJSON_GetObjectItem(org, "id"), 1));
	cJSON_AddItemToObject(out, "displayName",
	    cJSON_Duplicate(cJSON_GetObjectItem(org, "displayName"), 1));
	cJSON_AddItemToObject(out, "verifiedDomains",
	    cJSON_Duplicate(cJSON_GetObjectItem(org, "verifiedDomains"), 1));
	result_put(res, "tenant", out);
	cJSON_Delete(org);
	return CORE_OK;
}

static int
gather_licenses(struct core_ctx *ctx, struct result *res)
{
	cJSON *skus = NULL;
	int rc;

	rc = tenant_skus(&skus, ctx);
	if (rc)
		return rc;
	result_put(res, "licenses", skus);
	return CORE_OK;
}

static int
gather_numbers(struct core_ctx *ctx, struct result *res)
{
	cJSON *numbers = NULL;
	int rc;

	rc = tenant_numbers(&numbers, ctx, NULL);
	if (rc)
		return rc;
	result_put(res, "numbers", tenant_numbers_summary(numbers));
	cJSON_Delete(numbers);
	return CORE_OK;
}

static int
gather_locations(struct core_ctx *ctx, struct result *res)
{
	cJSON *locations = NULL;
	int rc;

	rc = ta_locations(&locations, ctx);
	if (rc)
		return rc;
	result_put(res, "emergency_addresses", ta_group_addresses(locations));
	cJSON_Delete(locations);
	return CORE_OK;
}

/* The read-only probe of the services against the client (probe.h). */
static int
gather_api(struct core_ctx *ctx, struct result *res)
{
	cJSON *report = NULL;
	int rc = probe_api(&report, ctx);

	if (rc)
		return rc;
	result_put(res, "api", report);
	return CORE_OK;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	static const struct {
		const char *name;
		int (*fn)(struct core_ctx *, struct result *);
	} parts[] = {
		{ "tenant", gather_tenant },
		{ "licenses", gather_licenses },
		{ "numbers", gather_numbers },
		{ "locations", gather_locations },
		{ "api", gather_api },
	};
	size_t i;
	int rc;

	rc = svc_open(ctx);
	if (rc)
		return rc;
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		if (!wants(params, parts[i].name))
			continue;
		rc = parts[i].fn(ctx, res);
		if (rc)
			return rc;
	}
	res->changed = false;
	return CORE_OK;
}

const struct module MODULE = {
	.name = "teams_tenant_info",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.run = run,
};
