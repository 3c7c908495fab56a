/*
 * probe.c - the read-only tenant probe (see probe.h).
 */
#include "probe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "cj.h"
#include "graph.h"
#include "perm.h"
#include "routes.h"
#include "svc.h"
#include "svc_internal.h"

/* Directory roles that open the Teams admin service. */
static const char *const admin_roles[] = {
	"69091246-20e8-4a56-aa4d-066075b2a7a8",    /* Teams Administrator */
	"62e90394-69f5-4237-9190-012177145e10",    /* Global Administrator */
};

/*
 * The Graph application permissions each module needs: every group is one
 * need, met by any of its "|"-separated permissions. "?" marks a need the
 * module can do without (it falls back and says so).
 */
static const struct {
	const char *module;
	const char *needs[5];
} needs[] = {
	{ "teams_tenant_info", { "Organization.Read.All|Organization.ReadWrite.All|Directory.Read.All",
	    "TeamsTelephoneNumber.Read.All|TeamsTelephoneNumber.ReadWrite.All" } },
	{ "teams_phone_number", { "TeamsTelephoneNumber.ReadWrite.All",
	    "User.Read.All|User.ReadWrite.All|Directory.Read.All" } },
	{ "teams_resource_account", { "User.ReadWrite.All|Directory.ReadWrite.All",
	    "LicenseAssignment.ReadWrite.All|User.ReadWrite.All|Directory.ReadWrite.All",
	    "Organization.Read.All|Organization.ReadWrite.All|Directory.Read.All" } },
	{ "teams_user_voice", { "User.Read.All|User.ReadWrite.All|Directory.Read.All",
	    "TeamsUserConfiguration.Read.All",
	    "?TeamsPolicyUserAssign.ReadWrite.All",
	    "GroupMember.Read.All|Group.Read.All|Group.ReadWrite.All|Directory.Read.All" } },
	{ "teams_shared_calling_info", { "User.Read.All|User.ReadWrite.All|Directory.Read.All",
	    "TeamsUserConfiguration.Read.All",
	    "TeamsTelephoneNumber.Read.All|TeamsTelephoneNumber.ReadWrite.All" } },
	{ "teams_pstn_usage_info", { "CallRecords.Read.All|CallRecord-PstnCalls.Read.All" } },
};

/*
 * What one read route is sent with and what its answer must look like:
 * list_key NULL for a bare array, "" for a single object, else the key of
 * the array in an object; keys: what the client reads from each item (or
 * from the object), comma-separated.
 */
static const struct {
	enum route_id id;
	const char *args[3];
	const char *list_key;
	const char *keys;
} probes[] = {
	{ RT_NCS_LOCATIONS, { NULL }, NULL, "id,civicAddressId,location,isDefault" },
	{ RT_POLICY_LIST, { "TeamsSharedCallingRoutingPolicy" }, NULL, "Identity" },
	{ RT_POLICY_GET, { "OnlinePstnUsages", "", "Global" }, "", "Identity,Usage" },
	{ RT_GROUP_GRANTS, { "TeamsSharedCallingRoutingPolicy" }, NULL, "groupId,policyName,priority" },
	{ RT_RA_LIST, { "" }, "applicationInstances", "objectId,userPrincipalName,applicationId" },
	{ RT_AA_LIST, { "100", "0" }, "autoAttendants", "id,name" },
	{ RT_TEAMS_USERS, { "&psfilter=AccountType%20-eq%20%27ResourceAccount%27" }, "users",
	    "objectId,accountType" },
	{ RT_G_ORGANIZATION, { NULL }, "value", "id,verifiedDomains" },
	{ RT_G_SKUS, { NULL }, "value", "skuId,skuPartNumber,prepaidUnits,consumedUnits" },
	{ RT_G_USERS_LIST, { "id,userPrincipalName,assignedLicenses" }, "value", "id,userPrincipalName" },
	{ RT_G_USER_CONFIGS, { NULL }, "value", "id,isEnterpriseVoiceEnabled,effectivePolicyAssignments" },
	{ RT_G_NUMBERS, { "?$top=100" }, "value", "telephoneNumber,numberType,assignmentStatus" },
};

/* The claims of the token of one service (signs in when needed). */
static int
claims_of(cJSON **out, struct core_ctx *ctx, enum svc_id s)
{
	const char *token = NULL;
	int rc;

	*out = NULL;
	if (!ctx->conn && (rc = svc_open(ctx)) != CORE_OK)
		return rc;
	rc = auth_token(&token, NULL, ctx->conn->auth, ctx,
	    s == SVC_TEAMS ? AUTH_TEAMS_SCOPE : ctx->conn->graph_scope,
	    svc_name(s), false);
	if (rc)
		return rc;
	*out = perm_jwt_payload(token);
	return CORE_OK;
}

static cJSON *
permissions(const cJSON *graph, const cJSON *teams)
{
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(graph, "roles");
	const cJSON *wids = cJSON_GetObjectItemCaseSensitive(teams, "wids");
	cJSON *out = cJSON_CreateObject(), *mods, *m, *missing, *optional;
	size_t i, k, a;
	bool admin = false;

	if (!out)
		BUG("out of memory");
	cJSON_AddItemToObject(out, "graph_roles", cJSON_IsArray(roles) ?
	    cJSON_Duplicate(roles, 1) : cJSON_CreateArray());
	for (a = 0; a < ARRAY_SIZE(admin_roles); a++)
		admin |= cj_has_str(wids, admin_roles[a]);
	if (cJSON_IsArray(wids))
		cJSON_AddBoolToObject(out, "teams_administrator", admin);
	else
		cJSON_AddNullToObject(out, "teams_administrator");   /* the token lists no roles */
	mods = cJSON_AddArrayToObject(out, "modules");
	for (i = 0; i < ARRAY_SIZE(needs); i++) {
		m = cJSON_CreateObject();
		if (!m)
			BUG("out of memory");
		cJSON_AddStringToObject(m, "module", needs[i].module);
		missing = cJSON_AddArrayToObject(m, "missing");
		optional = cJSON_AddArrayToObject(m, "missing_optional");
		for (k = 0; k < ARRAY_SIZE(needs[i].needs) && needs[i].needs[k]; k++) {
			const char *want = needs[i].needs[k];
			bool opt = *want == '?', met = false;
			char *alts = xstrdup(opt ? want + 1 : want), *save = alts, *one;

			for (one = alts; one && !met; ) {
				char *bar = strchr(one, '|');

				if (bar)
					*bar = '\0';
				met = cj_has_str(roles, one);
				one = bar ? bar + 1 : NULL;
			}
			free(save);
			if (!met)
				cJSON_AddItemToArray(opt ? optional : missing,
				    cJSON_CreateString(opt ? want + 1 : want));
		}
		cJSON_AddBoolToObject(m, "ok", cJSON_GetArraySize(missing) == 0);
		cJSON_AddItemToArray(mods, m);
	}
	return out;
}

/* The keys of keys (comma-separated) that obj lacks, as a new text, or NULL. */
static char *
missing_keys(const cJSON *obj, const char *keys)
{
	char *list = xstrdup(keys), *k, *next, *out = NULL, *t;

	for (k = list; k; k = next) {
		next = strchr(k, ',');
		if (next)
			*next++ = '\0';
		if (cJSON_GetObjectItemCaseSensitive(obj, k))
			continue;
		t = out ? xasprintf("%s, '%s'", out, k) : xasprintf("'%s'", k);
		free(out);
		out = t;
	}
	free(list);
	return out;
}

static char *
keys_of(const cJSON *obj)
{
	const cJSON *c;
	char *out = xstrdup(""), *t;

	cJSON_ArrayForEach(c, obj) {
		t = xasprintf("%s%s'%s'", out, *out ? ", " : "", c->string ? c->string : "?");
		free(out);
		out = t;
	}
	return out;
}

/* "ok" or "differs", with the reason in *detail. */
static const char *
check_shape(char **detail, const cJSON *j, const char *list_key, const char *keys)
{
	const cJSON *list = j, *first;
	char *miss, *have;

	*detail = NULL;
	if (list_key && !*list_key) {
		if (!cJSON_IsObject(j)) {
			*detail = xstrdup("expected an object");
			return "differs";
		}
		miss = missing_keys(j, keys);
		if (miss) {
			*detail = xasprintf("key %s missing", miss);
			free(miss);
			return "differs";
		}
		return "ok";
	}
	if (list_key) {
		list = cJSON_GetObjectItemCaseSensitive(j, list_key);
		if (!cJSON_IsArray(list)) {
			have = cJSON_IsObject(j) ? keys_of(j) : xstrdup("");
			*detail = cJSON_IsObject(j) ?
			    xasprintf("key '%s' missing (the answer has %s)", list_key, have) :
			    xasprintf("expected an object with the list '%s'", list_key);
			free(have);
			return "differs";
		}
	} else if (!cJSON_IsArray(j)) {
		have = cJSON_IsObject(j) ? keys_of(j) : xstrdup("");
		*detail = cJSON_IsObject(j) ?
		    xasprintf("expected a list; unexpected object with %s", have) :
		    xstrdup("expected a list");
		free(have);
		return "differs";
	}
	first = cJSON_GetArrayItem(list, 0);
	if (!first) {
		*detail = xstrdup("empty list: item keys not checked");
		return "ok";
	}
	/* Auto attendants may come in an envelope, which the client opens. */
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(first, "autoAttendant")))
		first = cJSON_GetObjectItemCaseSensitive(first, "autoAttendant");
	miss = missing_keys(first, keys);
	if (miss) {
		have = keys_of(first);
		*detail = xasprintf("key %s missing in the first item (it has %s)", miss, have);
		free(have);
		free(miss);
		return "differs";
	}
	return "ok";
}

static void
count(cJSON *summary, const char *result)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(summary, result);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(summary, result, 1);
}

static void
probe_route(cJSON *routes, cJSON *summary, struct core_ctx *ctx, size_t i)
{
	const struct route *r = route_get(probes[i].id);
	struct svc_resp resp;
	const char *result;
	char *path, *detail = NULL, *label;
	cJSON *row;
	int rc;

	if (strcmp(r->method, "GET") != 0 || !r->probe)
		BUG("probe of route %d, which is not a read", (int)probes[i].id);
	path = route_path(probes[i].id, probes[i].args[0], probes[i].args[1], probes[i].args[2]);
	label = xasprintf("%s %s", r->method, path);
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, r->svc, r->method, path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		result = check_shape(&detail, resp.json, probes[i].list_key, probes[i].keys);
	} else if (rc == CORE_ENOTFOUND) {
		result = "not found";
	} else if (resp.status == 401 || resp.status == 403) {
		result = "forbidden";
		detail = ctx->msg ? xstrdup(ctx->msg) : NULL;
	} else {
		result = "error";
		detail = ctx->msg ? xstrdup(ctx->msg) : xstrdup("no answer");
	}
	core_error_clear(ctx);
	row = cJSON_CreateObject();
	if (!row)
		BUG("out of memory");
	cJSON_AddStringToObject(row, "route", label);
	cJSON_AddStringToObject(row, "result", result);
	cJSON_AddNumberToObject(row, "status", (double)resp.status);
	cJSON_AddStringToObject(row, "grade", r->grade);
	if (detail)
		cJSON_AddStringToObject(row, "detail", detail);
	else
		cJSON_AddNullToObject(row, "detail");
	cJSON_AddItemToArray(routes, row);
	count(summary, result);
	svc_resp_release(&resp);
	free(detail);
	free(label);
	free(path);
}

int
probe_api(cJSON **out, struct core_ctx *ctx)
{
	cJSON *graph = NULL, *teams = NULL, *report, *routes, *summary;
	size_t i;
	int rc;

	*out = NULL;
	rc = claims_of(&graph, ctx, SVC_GRAPH);
	if (!rc)
		rc = claims_of(&teams, ctx, SVC_TEAMS);
	if (rc) {
		cJSON_Delete(graph);
		return rc;
	}
	report = cJSON_CreateObject();
	if (!report)
		BUG("out of memory");
	cJSON_AddItemToObject(report, "permissions", permissions(graph, teams));
	routes = cJSON_AddArrayToObject(report, "routes");
	summary = cJSON_AddObjectToObject(report, "summary");
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		probe_route(routes, summary, ctx, i);
	cJSON_Delete(graph);
	cJSON_Delete(teams);
	*out = report;
	return CORE_OK;
}
