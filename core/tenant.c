/*
 * tenant.c - shared typed reads of the tenant (see tenant.h).
 */
#include "tenant.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "graph.h"
#include "svc.h"

int
tenant_organization(cJSON **out, struct core_ctx *ctx)
{
	cJSON *list = NULL;
	int rc;

	*out = NULL;
	rc = graph_list(&list, ctx,
	    "/v1.0/organization?$select=id,displayName,verifiedDomains", NULL);
	if (rc)
		return rc;
	if (cJSON_GetArraySize(list) < 1) {
		cJSON_Delete(list);
		return core_error(ctx, CORE_ESERVICE,
		    "GET /v1.0/organization: graph returned no organization");
	}
	*out = cJSON_DetachItemFromArray(list, 0);
	cJSON_Delete(list);
	return CORE_OK;
}

bool
tenant_domain_verified(const cJSON *org, const char *upn)
{
	const char *at = upn ? strrchr(upn, '@') : NULL;
	const cJSON *d, *name;

	if (!at || !at[1])
		return false;
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(org, "verifiedDomains")) {
		name = cJSON_GetObjectItem(d, "name");
		if (cJSON_IsString(name) && strcasecmp(name->valuestring, at + 1) == 0)
			return true;
	}
	return false;
}

int
tenant_skus(cJSON **out, struct core_ctx *ctx)
{
	cJSON *skus = NULL, *s;
	int rc;

	rc = graph_list(&skus, ctx, "/v1.0/subscribedSkus", NULL);
	if (rc)
		return rc;
	cJSON_ArrayForEach(s, skus) {
		const cJSON *pre = cJSON_GetObjectItem(s, "prepaidUnits");
		const cJSON *enabled = cJSON_GetObjectItem(pre, "enabled");
		const cJSON *consumed = cJSON_GetObjectItem(s, "consumedUnits");
		double e = cJSON_IsNumber(enabled) ? enabled->valuedouble : 0;
		double c = cJSON_IsNumber(consumed) ? consumed->valuedouble : 0;

		cJSON_DeleteItemFromObjectCaseSensitive(s, "freeUnits");
		cJSON_AddNumberToObject(s, "freeUnits", e > c ? e - c : 0);
	}
	*out = skus;
	return CORE_OK;
}

int
tenant_numbers(cJSON **out, struct core_ctx *ctx, const char *filter)
{
	char *path, *enc = NULL;
	int rc;

	if (filter) {
		enc = graph_escape(filter);
		path = xasprintf("/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$filter=%s", enc);
	} else {
		path = xstrdup("/v1.0/admin/teams/telephoneNumberManagement/numberAssignments");
	}
	rc = graph_list_skip(out, ctx, path, TENANT_NUMBERS_PAGE);
	free(path);
	free(enc);
	return rc;
}

static void
count(cJSON *table, const char *key, bool assigned)
{
	cJSON *row = cJSON_GetObjectItemCaseSensitive(table, key);
	cJSON *n;

	if (!row) {
		row = cJSON_AddObjectToObject(table, key);
		cJSON_AddNumberToObject(row, "total", 0);
		cJSON_AddNumberToObject(row, "assigned", 0);
		cJSON_AddNumberToObject(row, "unassigned", 0);
	}
	n = cJSON_GetObjectItemCaseSensitive(row, "total");
	cJSON_SetNumberValue(n, n->valuedouble + 1);
	n = cJSON_GetObjectItemCaseSensitive(row, assigned ? "assigned" : "unassigned");
	cJSON_SetNumberValue(n, n->valuedouble + 1);
}

cJSON *
tenant_numbers_summary(const cJSON *numbers)
{
	cJSON *sum = cJSON_CreateObject(), *by_type, *by_country;
	const cJSON *n, *t, *c, *st;
	bool assigned;

	if (!sum)
		BUG("out of memory");
	cJSON_AddNumberToObject(sum, "total", cJSON_GetArraySize(numbers));
	by_type = cJSON_AddObjectToObject(sum, "by_type");
	by_country = cJSON_AddObjectToObject(sum, "by_country");
	cJSON_ArrayForEach(n, numbers) {
		t = cJSON_GetObjectItem(n, "numberType");
		c = cJSON_GetObjectItem(n, "isoCountryCode");
		st = cJSON_GetObjectItem(n, "assignmentStatus");
		assigned = cJSON_IsString(st) && strcmp(st->valuestring, "unassigned") != 0;
		count(by_type, cJSON_IsString(t) ? t->valuestring : "unknown", assigned);
		count(by_country, cJSON_IsString(c) && *c->valuestring ? c->valuestring : "unknown",
		    assigned);
	}
	return sum;
}

int
tenant_user_get(cJSON **out, struct core_ctx *ctx, const char *id_or_upn)
{
	struct svc_resp resp;
	char *enc = graph_escape(id_or_upn);
	char *path = xasprintf("/v1.0/users/%s?$select=id,userPrincipalName,displayName,"
	    "usageLocation,assignedLicenses,accountEnabled", enc);
	int rc;

	*out = NULL;
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	svc_resp_release(&resp);
	free(path);
	free(enc);
	return rc;
}

const cJSON *
tenant_sku_find(const cJSON *skus, const char *name)
{
	const cJSON *s, *part, *id;

	cJSON_ArrayForEach(s, skus) {
		part = cJSON_GetObjectItem(s, "skuPartNumber");
		id = cJSON_GetObjectItem(s, "skuId");
		if ((cJSON_IsString(part) && strcasecmp(part->valuestring, name) == 0) ||
		    (cJSON_IsString(id) && strcasecmp(id->valuestring, name) == 0))
			return s;
	}
	return NULL;
}

cJSON *
tenant_user_sku_ids(const cJSON *user)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *l, *id;

	if (!ids)
		BUG("out of memory");
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (cJSON_IsString(id))
			cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring));
	}
	return ids;
}

static int
graph_write(struct core_ctx *ctx, const char *method, const char *path,
    const cJSON *body, unsigned flags)
{
	struct svc_resp resp;
	int rc;

	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, method, path, body, NULL, flags);
	svc_resp_release(&resp);
	return rc;
}

int
tenant_set_usage_location(struct core_ctx *ctx, const char *user_id,
    const char *cc)
{
	char *enc = graph_escape(user_id);
	char *path = xasprintf("/v1.0/users/%s", enc);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "usageLocation", cc);
	/* Setting a value again is harmless. */
	rc = graph_write(ctx, "PATCH", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

int
tenant_assign_licenses(struct core_ctx *ctx, const char *user_id,
    const cJSON *add_sku_ids, const cJSON *remove_sku_ids)
{
	char *enc = graph_escape(user_id);
	char *path = xasprintf("/v1.0/users/%s/assignLicense", enc);
	cJSON *b = cJSON_CreateObject(), *add, *rem;
	const cJSON *id;
	int rc;

	if (!b)
		BUG("out of memory");
	add = cJSON_AddArrayToObject(b, "addLicenses");
	cJSON_ArrayForEach(id, add_sku_ids) {
		cJSON *l = cJSON_CreateObject();

		cJSON_AddStringToObject(l, "skuId", id->valuestring);
		cJSON_AddArrayToObject(l, "disabledPlans");
		cJSON_AddItemToArray(add, l);
	}
	rem = cJSON_AddArrayToObject(b, "removeLicenses");
	cJSON_ArrayForEach(id, remove_sku_ids)
		cJSON_AddItemToArray(rem, cJSON_CreateString(id->valuestring));
	/* Assigning the same licences twice leaves the same state. */
	rc = graph_write(ctx, "POST", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

int
tenant_user_delete(struct core_ctx *ctx, const char *user_id)
{
	char *enc = graph_escape(user_id);
	char *path = xasprintf("/v1.0/users/%s", enc);
	int rc = graph_write(ctx, "DELETE", path, NULL, 0);

	free(path);
	free(enc);
	return rc;
}

int
tenant_number_get(cJSON **out, struct core_ctx *ctx, const char *number)
{
	char *lit = graph_literal(number);
	char *path = xasprintf("/v1.0/admin/teams/telephoneNumberManagement/numberAssignments"
	    "?$filter=telephoneNumber%%20eq%%20%s", lit);
	cJSON *list = NULL;
	int rc;

	*out = NULL;
	rc = graph_list_skip(&list, ctx, path, TENANT_NUMBERS_PAGE);
	free(path);
	free(lit);
	if (rc)
		return rc;
	if (cJSON_GetArraySize(list) < 1) {
		cJSON_Delete(list);
		return CORE_ENOTFOUND;
	}
	*out = cJSON_DetachItemFromArray(list, 0);
	cJSON_Delete(list);
	return CORE_OK;
}

const char *
tenant_number_type(const char *choice)
{
	if (!choice)
		return NULL;
	if (strcmp(choice, "direct_routing") == 0)
		return "directRouting";
	if (strcmp(choice, "calling_plan") == 0)
		return "callingPlan";
	if (strcmp(choice, "operator_connect") == 0)
		return "operatorConnect";
	return NULL;
}

#define NUMBER_OPS "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/"

/* Failure texts that mean "not yet": replication or licence propagation. */
static bool
transient_assign_failure(const char *msg)
{
	return msg && (strstr(msg, "is not found") || strstr(msg, "User does not exist") ||
	    strstr(msg, "lacks appropriate licenses") ||
	    strstr(msg, "Service is unavailable") || strstr(msg, "Unknown Error"));
}

static bool
number_held_by(const cJSON *num, const char *target_id)
{
	const cJSON *t = cJSON_GetObjectItem(num, "assignmentTargetId");

	return cJSON_IsString(t) && strcasecmp(t->valuestring, target_id) == 0;
}

/*
 * Sends one async number request and waits for its operation. On a dropped
 * request (*ambiguous) nothing is waited for.
 */
static int
number_op(struct core_ctx *ctx, const char *action, const cJSON *body,
    int timeout_s, bool *ambiguous)
{
	struct svc_resp resp;
	cJSON *op = NULL;
	char *path = xasprintf(NUMBER_OPS "%s", action);
	int rc;

	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "POST", path, body, NULL, 0);
	*ambiguous = resp.ambiguous;
	if (rc)
		goto out;
	if (!resp.location) {
		rc = core_error(ctx, CORE_ESERVICE,
		    "POST %s: graph accepted the request but gave no operation Location", path);
		goto out;
	}
	rc = graph_wait_operation(&op, ctx, resp.location, timeout_s);
out:
	cJSON_Delete(op);
	svc_resp_release(&resp);
	free(path);
	return rc;
}

int
tenant_number_assign(struct core_ctx *ctx, const struct tenant_assign *a)
{
	cJSON *b = cJSON_CreateObject(), *num = NULL;
	time_t deadline = time(NULL) + a->wait_timeout;
	long delay = 2000;
	bool ambiguous = false;
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", a->number);
	cJSON_AddStringToObject(b, "assignmentTargetId", a->target_id);
	cJSON_AddStringToObject(b, "numberType", a->number_type);
	cJSON_AddStringToObject(b, "assignmentCategory", a->category ? a->category : "primary");
	if (a->location_id)
		cJSON_AddStringToObject(b, "locationId", a->location_id);
	for (;;) {
		rc = number_op(ctx, "assignNumber", b, a->wait_timeout, &ambiguous);
		if (rc == CORE_OK)
			break;
		if (ambiguous) {
			/* Did it happen? Read before deciding anything. */
			core_error_clear(ctx);
			rc = tenant_number_get(&num, ctx, a->number);
			if (rc == CORE_ENOTFOUND)
				rc = core_error(ctx, CORE_ESERVICE,
				    "number '%s' is not in the tenant", a->number);
			if (rc)
				break;
			if (number_held_by(num, a->target_id))
				break;
			rc = core_error(ctx, CORE_EHTTP,
			    "assigning '%s' got no answer and the number is not assigned; "
			    "run the task again", a->number);
			break;
		}
		if (rc != CORE_ESERVICE || !transient_assign_failure(ctx->msg) ||
		    time(NULL) + delay / 1000 > deadline)
			break;
		/* Not visible or not licensed yet: the operation did nothing. */
		core_error_clear(ctx);
		graph_sleep_ms(delay);
		delay = delay * 2 > 15000 ? 15000 : delay * 2;
	}
	cJSON_Delete(num);
	cJSON_Delete(b);
	return rc;
}

int
tenant_number_unassign(struct core_ctx *ctx, const char *number,
    const char *number_type, int wait_timeout)
{
	cJSON *b = cJSON_CreateObject(), *num = NULL;
	const cJSON *st;
	bool ambiguous = false;
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", number);
	cJSON_AddStringToObject(b, "numberType", number_type);
	rc = number_op(ctx, "unassignNumber", b, wait_timeout, &ambiguous);
	if (rc && ambiguous) {
		core_error_clear(ctx);
		rc = tenant_number_get(&num, ctx, number);
		if (rc == CORE_OK) {
			st = cJSON_GetObjectItem(num, "assignmentStatus");
			if (!cJSON_IsString(st) || strcmp(st->valuestring, "unassigned") != 0)
				rc = core_error(ctx, CORE_EHTTP,
				    "releasing '%s' got no answer and the number is still assigned; "
				    "run the task again", number);
		} else if (rc == CORE_ENOTFOUND) {
			rc = core_error(ctx, CORE_ESERVICE, "number '%s' is not in the tenant",
			    number);
		}
	}
	cJSON_Delete(num);
	cJSON_Delete(b);
	return rc;
}

int
tenant_number_set_location(struct core_ctx *ctx, const char *number,
    const char *location_id)
{
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", number);
	cJSON_AddStringToObject(b, "locationId", location_id ? location_id : "");
	/* Setting a location again is harmless. */
	rc = graph_write(ctx, "POST", NUMBER_OPS "updateNumber", b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	return rc;
}

int
tenant_user_configurations(cJSON **out, struct core_ctx *ctx)
{
	return graph_list(out, ctx, "/v1.0/admin/teams/userConfigurations?$top=999", NULL);
}

int
tenant_user_configuration(cJSON **out, struct core_ctx *ctx, const char *id)
{
	struct svc_resp resp;
	char *enc = graph_escape(id);
	char *path = xasprintf("/v1.0/admin/teams/userConfigurations/%s", enc);
	int rc;

	*out = NULL;
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	svc_resp_release(&resp);
	free(path);
	free(enc);
	return rc;
}

const char *
tenant_effective_policy(const cJSON *config, const char *type)
{
	const cJSON *e, *t, *pa, *name;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(config, "effectivePolicyAssignments")) {
		t = cJSON_GetObjectItem(e, "policyType");
		if (!cJSON_IsString(t) || strcasecmp(t->valuestring, type) != 0)
			continue;
		pa = cJSON_GetObjectItem(e, "policyAssignment");
		name = cJSON_GetObjectItem(pa, "displayName");
		if (cJSON_IsString(name) && *name->valuestring)
			return name->valuestring;
	}
	return "Global";
}
