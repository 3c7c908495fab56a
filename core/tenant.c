/*
 * tenant.c - shared typed reads of the tenant (see tenant.h).
 */
#include "tenant.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cj.h"
#include "e164.h"
#include "graph.h"
#include "http.h"
#include "routes.h"
#include "snapshot.h"
#include "svc.h"
#include "teamsadmin.h"

int
tenant_organization(cJSON **out, struct core_ctx *ctx)
{
	cJSON *list = NULL;
	char *path;
	bool snap;
	int rc;

	*out = NULL;
	rc = snapshot_copy(out, &snap, ctx, SNAP_ORGANIZATION);
	if (rc || snap)
		return rc;
	path = route_path(RT_G_ORGANIZATION);
	rc = graph_list(&list, ctx, path, NULL);
	free(path);
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
	char *path;
	bool snap;
	int rc = snapshot_copy(out, &snap, ctx, SNAP_SKUS);

	if (rc || snap)
		return rc;
	path = route_path(RT_G_SKUS);
	rc = graph_list(&skus, ctx, path, NULL);
	free(path);
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
	char *path, *enc = NULL, *q;
	bool snap = false;
	int rc = filter ? CORE_OK : snapshot_copy(out, &snap, ctx, SNAP_NUMBERS);

	if (rc || snap)
		return rc;
	if (filter) {
		enc = graph_escape(filter);
		q = xasprintf("?$filter=%s", enc);
		path = route_path(RT_G_NUMBERS, q);
		free(q);
	} else {
		path = route_path(RT_G_NUMBERS, "");
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

/*
 * GET of one Graph object at path: a new object; CORE_ENOTFOUND (no message)
 * when none. A check run's snapshot answers first when kind (may be NULL)
 * holds key; a key it lacks asks the service.
 */
static int
get_object(cJSON **out, struct core_ctx *ctx, const char *kind, const char *key,
    const char *path)
{
	struct svc_resp resp;
	bool snap = false;
	int rc;

	*out = NULL;
	if (kind) {
		rc = snapshot_lookup(out, &snap, ctx, kind, key);
		if (rc || snap)
			return rc;
	}
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	svc_resp_release(&resp);
	return rc;
}

int
tenant_user_get(cJSON **out, struct core_ctx *ctx, const char *id_or_upn)
{
	char *path = route_path(RT_G_USER_GET, id_or_upn);
	/* The snapshot holds some accounts, by UPN and id. */
	int rc = get_object(out, ctx, SNAP_ACCOUNTS, id_or_upn, path);

	free(path);
	return rc;
}

int
tenant_users_batch(struct core_ctx *ctx, const char *const *refs, size_t n,
    const char *select, void (*fn)(void *arg, size_t i, cJSON *user), void *arg)
{
	struct graph_batch_item *items = xcalloc(n ? n : 1, sizeof(*items));
	char **urls = xcalloc(n ? n : 1, sizeof(*urls));
	size_t i;
	int rc = CORE_OK;

	for (i = 0; i < n; i++) {
		urls[i] = route_path(RT_GB_USER, refs[i], select);
		items[i].method = route_get(RT_GB_USER)->method;
		items[i].url = urls[i];
	}
	rc = n ? graph_batch(ctx, items, n) : CORE_OK;
	for (i = 0; !rc && i < n; i++) {
		char *text;

		if (items[i].status == 404 ||
		    (items[i].status == 200 && cJSON_IsObject(items[i].response)))
			continue;
		text = graph_error_text(ctx, items[i].status, items[i].response);
		rc = core_error(ctx, CORE_ESERVICE, "graph: GET /v1.0/users/%s: %s", refs[i], text);
		free(text);
	}
	for (i = 0; !rc && i < n; i++) {
		fn(arg, i, items[i].status == 200 ? items[i].response : NULL);
		if (items[i].status == 200)
			items[i].response = NULL;
	}
	graph_batch_release(items, n);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(items);
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
	char *path = route_path(RT_G_USER_PATCH, user_id);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "usageLocation", cc);
	/* Setting a value again is harmless. */
	rc = graph_write(ctx, "PATCH", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_user_set_display_name(struct core_ctx *ctx, const char *user_id,
    const char *name)
{
	char *path = route_path(RT_G_USER_PATCH, user_id);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "displayName", name);
	rc = graph_write(ctx, route_get(RT_G_USER_PATCH)->method, path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_assign_licenses(struct core_ctx *ctx, const char *user_id,
    const cJSON *add_sku_ids, const cJSON *remove_sku_ids)
{
	char *path = route_path(RT_G_ASSIGN_LICENSE, user_id);
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
	return rc;
}

int
tenant_user_delete(struct core_ctx *ctx, const char *user_id)
{
	char *path = route_path(RT_G_USER_DELETE, user_id);
	int rc = graph_write(ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

int
tenant_number_get(cJSON **out, struct core_ctx *ctx, const char *number)
{
	char *lit, *q, *path;
	cJSON *list = NULL;
	bool snap;
	int rc;

	*out = NULL;
	rc = snapshot_find(out, &snap, ctx, SNAP_NUMBERS, "telephoneNumber", NULL, number);
	if (rc || snap)
		return rc;
	lit = graph_literal(number);
	q = xasprintf("?$filter=telephoneNumber%%20eq%%20%s", lit);
	path = route_path(RT_G_NUMBERS, q);
	rc = graph_list_skip(&list, ctx, path, TENANT_NUMBERS_PAGE);
	free(path);
	free(q);
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


/* Failure texts that mean "not yet": replication or licence propagation. */
static bool
transient_assign_failure(const char *msg)
{
	/*
	 * "The user '{id}' is not found" only: N2's "Telephone Number '{n}' is
	 * not found from tenant" is permanent and must not be retried.
	 */
	return msg && ((strstr(msg, "The user '") && strstr(msg, "' is not found")) ||
	    strstr(msg, "User does not exist") ||
	    strstr(msg, "lacks appropriate licenses") ||
	    strstr(msg, "Service is unavailable") || strstr(msg, "Unknown Error"));
}

bool
tenant_not_yet_provisioned(const char *text)
{
	return text && ((strstr(text, "The user '") && strstr(text, "' is not found")) ||
	    strstr(text, "User does not exist") ||
	    strstr(text, "not provisioned successfully"));
}

int
tenant_resend_not_provisioned(struct core_ctx *ctx, const struct svc_req *reqs,
    struct svc_resp *resps, int *rcs, size_t n)
{
	struct svc_req *again = xcalloc(n ? n : 1, sizeof(*again));
	struct svc_resp *ar = xcalloc(n ? n : 1, sizeof(*ar));
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	int *arcs = xcalloc(n ? n : 1, sizeof(*arcs));
	long delay = 2000, waited = 0;
	size_t i, k;
	int rc = CORE_OK;

	while (rc == CORE_OK) {
		for (i = 0, k = 0; i < n; i++)
			if (rcs[i] == CORE_ESERVICE && resps[i].raw.data &&
			    tenant_not_yet_provisioned(resps[i].raw.data)) {
				idx[k] = i;
				again[k++] = reqs[i];
			}
		if (k == 0 || waited + delay > TENANT_PROVISION_WAIT_S * 1000L)
			break;
		http_wait_ms(delay);
		waited += delay;
		delay = delay * 2 > 15000 ? 15000 : delay * 2;
		core_error_clear(ctx);
		rc = svc_call_many(ar, arcs, ctx, again, k);
		for (i = 0; i < k; i++) {
			svc_resp_release(&resps[idx[i]]);
			resps[idx[i]] = ar[i];
			rcs[idx[i]] = arcs[i];
		}
	}
	free(again);
	free(ar);
	free(idx);
	free(arcs);
	return rc;
}

int
tenant_write_many(struct svc_resp *resps, int *rcs, struct core_ctx *ctx,
    const struct svc_req *reqs, size_t n)
{
	int rc = svc_call_many(resps, rcs, ctx, reqs, n);

	return rc ? rc : tenant_resend_not_provisioned(ctx, reqs, resps, rcs, n);
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
	char *path = route_path(RT_G_NUMBER_ACTION, action);
	int rc;

	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, route_get(RT_G_NUMBER_ACTION)->method, path, body,
	    NULL, 0);
	/* No answer, or a server error: it may have been done. */
	*ambiguous = rc != CORE_OK && svc_last_unsure(ctx);
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

/*
 * A number operation got no clear answer (the connection dropped, or a
 * server error) and the read that should tell whether it happened failed
 * too (rc): say what is known.
 */
static int
ambiguous_unknown(struct core_ctx *ctx, int rc, const char *doing, const char *number)
{
	char *why = rc == CORE_ENOTFOUND || !ctx->msg ? xstrdup("the number was not "
	    "found on the read just after") : xasprintf("the read just after failed: %s",
	    ctx->msg);

	rc = core_error_replace(ctx, CORE_EHTTP, "%s number '%s' got no clear answer (no "
	    "answer, or a server error) and %s, so whether it was done is unknown; run the task "
	    "again: it reads the number first and finishes or skips the operation",
	    doing, number, why);
	free(why);
	return rc;
}

int
tenant_number_assign(struct core_ctx *ctx, const struct tenant_assign *a)
{
	cJSON *b = cJSON_CreateObject(), *num = NULL;
	time_t deadline = time(NULL) + a->wait_timeout;
	long delay = 2000;
	bool ambiguous = false;
	int rc, resends = 0;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", a->number);
	cJSON_AddStringToObject(b, "assignmentTargetId", a->target_id);
	cJSON_AddStringToObject(b, "numberType", a->number_type);
	cJSON_AddStringToObject(b, "assignmentCategory", a->category ? a->category : "primary");
	if (a->location_id)
		cJSON_AddStringToObject(b, "locationId", a->location_id);
	for (;;) {
		/* Each attempt waits only for what is left of wait_timeout. */
		rc = number_op(ctx, "assignNumber", b,
		    deadline > time(NULL) ? (int)(deadline - time(NULL)) : 1, &ambiguous);
		if (rc == CORE_OK)
			break;
		if (ambiguous) {
			/* Did it happen? Read before deciding anything. */
			core_error_clear(ctx);
			rc = tenant_number_get(&num, ctx, a->number);
			if (rc) {
				rc = ambiguous_unknown(ctx, rc, "assigning", a->number);
				break;
			}
			if (number_held_by(num, a->target_id))
				break;
			/* It did not happen: the number can be held once, send it again. */
			if (++resends > 2 || time(NULL) >= deadline) {
				rc = core_error(ctx, CORE_EHTTP, "assigning '%s' got no "
				    "answer %d times and the number is not assigned",
				    a->number, resends);
				break;
			}
			cJSON_Delete(num);
			num = NULL;
			ambiguous = false;
			continue;
		}
		if (rc != CORE_ESERVICE || !transient_assign_failure(ctx->msg) ||
		    time(NULL) + http_scaled_ms(delay) / 1000 > deadline)
			break;
		/* Not visible or not licensed yet: the operation did nothing. */
		core_error_clear(ctx);
		http_wait_ms(delay);
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
	int rc, tries;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", number);
	cJSON_AddStringToObject(b, "numberType", number_type);
	for (tries = 1; ; tries++) {
		rc = number_op(ctx, "unassignNumber", b, wait_timeout, &ambiguous);
		if (!rc || !ambiguous)
			break;
		/* No answer or a server error: did it happen? */
		core_error_clear(ctx);
		cJSON_Delete(num);
		num = NULL;
		rc = tenant_number_get(&num, ctx, number);
		if (rc) {
			rc = ambiguous_unknown(ctx, rc, "releasing", number);
			break;
		}
		st = cJSON_GetObjectItem(num, "assignmentStatus");
		if (cJSON_IsString(st) && strcmp(st->valuestring, "unassigned") == 0)
			break;
		if (tries >= SVC_CREATE_TRIES) {
			rc = core_error(ctx, CORE_EHTTP, "releasing '%s' failed %d times "
			    "without an answer and the number is still assigned", number, tries);
			break;
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
	char *path = route_path(RT_G_NUMBER_ACTION, "updateNumber");
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "telephoneNumber", number);
	cJSON_AddStringToObject(b, "locationId", location_id ? location_id : "");
	/* Setting a location again is harmless. */
	rc = graph_write(ctx, route_get(RT_G_NUMBER_ACTION)->method, path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_user_configurations(cJSON **out, struct core_ctx *ctx)
{
	char *path = route_path(RT_G_USER_CONFIGS);
	int rc = graph_list(out, ctx, path, NULL);

	free(path);
	return rc;
}

int
tenant_user_configuration(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_G_USER_CONFIG, id);
	int rc = get_object(out, ctx, NULL, NULL, path);

	free(path);
	return rc;
}

/* Deletes every member of obj whose name is not in keep (NULL-terminated). */
static void
keep_only(cJSON *obj, const char *const *keep)
{
	cJSON *x = obj ? obj->child : NULL, *next;
	size_t k;

	for (; x; x = next) {
		next = x->next;
		for (k = 0; keep[k]; k++)
			if (x->string && strcasecmp(x->string, keep[k]) == 0)
				break;
		if (!keep[k])
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, x));
	}
}

/* Deletes obj's member key when it is null. */
static void
drop_null(cJSON *obj, const char *key)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (x && cJSON_IsNull(x))
		cJSON_Delete(cJSON_DetachItemViaPointer(obj, x));
}

void
tenant_config_trim(cJSON *config, const char *const *types)
{
	static const char *const top[] = { "id", "userPrincipalName", "isEnterpriseVoiceEnabled",
		"telephoneNumbers", "effectivePolicyAssignments", NULL };
	static const char *const entry[] = { "policyType", "policyAssignment", NULL };
	static const char *const assignment[] = { "displayName", "assignmentType", "groupId", NULL };
	cJSON *e, *next, *list, *pa;
	const cJSON *t, *name, *kind;
	size_t k;

	if (!cJSON_IsObject(config))
		return;
	keep_only(config, top);
	list = cJSON_GetObjectItemCaseSensitive(config, "effectivePolicyAssignments");
	for (e = cJSON_IsArray(list) ? list->child : NULL; e; e = next) {
		next = e->next;
		t = cJSON_GetObjectItemCaseSensitive(e, "policyType");
		for (k = 0; types[k]; k++)
			if (cJSON_IsString(t) && strcasecmp(t->valuestring, types[k]) == 0)
				break;
		if (!types[k]) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
			continue;
		}
		keep_only(e, entry);
		pa = cJSON_GetObjectItemCaseSensitive(e, "policyAssignment");
		keep_only(pa, assignment);
		drop_null(pa, "groupId");
		/* Global, not assigned: the same as no entry (tenant_effective_policy()). */
		name = cJSON_GetObjectItemCaseSensitive(pa, "displayName");
		kind = cJSON_GetObjectItemCaseSensitive(pa, "assignmentType");
		if ((!kind || cJSON_IsNull(kind)) && (!cJSON_IsString(name) ||
		    !*name->valuestring || strcasecmp(name->valuestring, "Global") == 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
	}
	list = cJSON_GetObjectItemCaseSensitive(config, "telephoneNumbers");
	if (cJSON_IsArray(list) && !list->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(config, list));
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

const char *
tenant_effective(const cJSON *view, const char *type, const char **kind)
{
	const cJSON *e;

	*kind = NULL;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(view, "effectivePolicyAssignments")) {
		if (!cj_str(e, "policyType") || strcasecmp(cj_str(e, "policyType"), type) != 0)
			continue;
		*kind = cj_str(cJSON_GetObjectItem(e, "policyAssignment"), "assignmentType");
		break;
	}
	return ta_policy_name(tenant_effective_policy(view, type));
}

cJSON *
tenant_personal_numbers(const cJSON *config)
{
	cJSON *out = cj_array();
	const cJSON *t;
	const char *n;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(config, "telephoneNumbers")) {
		n = cJSON_IsString(t) ? t->valuestring : cj_str(t, "telephoneNumber");
		if (n && *n && !e164_has_ext(n))
			cj_push_str(out, n);
	}
	return out;
}

int
tenant_direct_policy(char **name, struct core_ctx *ctx, const char *object_id,
    const char *type)
{
	struct svc_resp resp;
	char *path = route_path(RT_USER_POLICIES, object_id, type);
	const cJSON *e, *list;
	const char *kind, *pname, *ptype;
	int rc;

	*name = NULL;
	rc = svc_call(&resp, ctx, SVC_TEAMS, route_get(RT_USER_POLICIES)->method, path, NULL,
	    NULL, SVC_ALLOW_404);
	free(path);
	if (rc)
		goto out;
	list = cJSON_IsArray(resp.json) ? resp.json : cJSON_GetObjectItem(resp.json, "value");
	cJSON_ArrayForEach(e, list) {
		ptype = cJSON_GetStringValue(cJSON_GetObjectItem(e, "policyType"));
		kind = cJSON_GetStringValue(cJSON_GetObjectItem(e, "assignmentType"));
		pname = cJSON_GetStringValue(cJSON_GetObjectItem(e, "policyName"));
		if (ptype && strcasecmp(ptype, type) == 0 && kind &&
		    strcasecmp(kind, "direct") == 0 && pname && *pname) {
			*name = xstrdup(pname);
			break;
		}
	}
out:
	svc_resp_release(&resp);
	return rc;
}

/* ---- licences and accounts (teams_resource_account, teams_phone_number) ---- */

#include "policyassign.h"
#include "reconcile.h"
#include "result.h"

bool
tenant_user_has_plan(const cJSON *user, const cJSON *skus, const char *plan_id)
{
	const cJSON *l, *id, *sku, *p, *pid;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id) || !(sku = tenant_sku_find(skus, id->valuestring)))
			continue;
		if (cj_has_str(cJSON_GetObjectItem(l, "disabledPlans"), plan_id))
			continue;
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(sku, "servicePlans")) {
			pid = cJSON_GetObjectItem(p, "servicePlanId");
			if (cJSON_IsString(pid) && strcasecmp(pid->valuestring, plan_id) == 0)
				return true;
		}
	}
	return false;
}

bool
tenant_user_has_calling_plan(const cJSON *user, const cJSON *skus)
{
	const cJSON *l, *id, *sku, *part;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id) || strcasecmp(id->valuestring, TENANT_SKU_COMM_CREDITS) == 0)
			continue;
		sku = tenant_sku_find(skus, id->valuestring);
		part = cJSON_GetObjectItem(sku, "skuPartNumber");
		if (cJSON_IsString(part) && strncasecmp(part->valuestring, "MCOPSTN", 7) == 0 &&
		    strcasecmp(part->valuestring, "MCOPSTNC") != 0)
			return true;
	}
	return false;
}

cJSON *
tenant_user_sku_names(const cJSON *user, const cJSON *skus)
{
	cJSON *names = cJSON_CreateArray();
	const cJSON *l, *id, *part;

	if (!names)
		BUG("out of memory");
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id))
			continue;
		part = cJSON_GetObjectItem(tenant_sku_find(skus, id->valuestring), "skuPartNumber");
		cJSON_AddItemToArray(names, cJSON_CreateString(cJSON_IsString(part) ?
		    part->valuestring : id->valuestring));
	}
	return names;
}

int
tenant_account_kind(enum tenant_account *kind, cJSON **teams,
    struct core_ctx *ctx, const cJSON *user)
{
	const cJSON *id = cJSON_GetObjectItem(user, "id");
	const cJSON *type;
	int rc;

	*teams = NULL;
	if (!cJSON_IsString(id))
		return core_error(ctx, CORE_ESERVICE, "graph returned a user without an id");
	rc = ta_resource_account_get(teams, ctx, id->valuestring);
	if (rc == CORE_OK) {
		*kind = TENANT_ACCOUNT_RESOURCE;
		return CORE_OK;
	}
	if (rc != CORE_ENOTFOUND)
		return rc;
	rc = tenant_user_configuration(teams, ctx, id->valuestring);
	if (rc == CORE_OK) {
		type = cJSON_GetObjectItem(*teams, "accountType");
		if (cJSON_IsString(type) && strcasecmp(type->valuestring, "resourceAccount") == 0) {
			cJSON_Delete(*teams);
			*teams = NULL;
			*kind = TENANT_ACCOUNT_REPLICATING;
		} else {
			*kind = TENANT_ACCOUNT_USER;
		}
		return CORE_OK;
	}
	if (rc != CORE_ENOTFOUND)
		return rc;
	/* Resource accounts are created disabled; users sign in. */
	*kind = cJSON_IsFalse(cJSON_GetObjectItem(user, "accountEnabled")) ?
	    TENANT_ACCOUNT_REPLICATING : TENANT_ACCOUNT_USER;
	return CORE_OK;
}

int
tenant_shared_calling_policies_of(cJSON **out, struct core_ctx *ctx,
    const char *object_id)
{
	cJSON *policies = NULL, *names;
	const cJSON *p, *ra, *ident;
	int rc;

	*out = NULL;
	rc = ta_policies(&policies, ctx, TA_SHARED_CALLING);
	if (rc)
		return rc;
	names = cJSON_CreateArray();
	if (!names)
		BUG("out of memory");
	cJSON_ArrayForEach(p, policies) {
		ra = cJSON_GetObjectItem(p, "ResourceAccount");
		ident = cJSON_GetObjectItem(p, "Identity");
		if (cJSON_IsString(ra) && cJSON_IsString(ident) &&
		    strcasecmp(ra->valuestring, object_id) == 0)
			cJSON_AddItemToArray(names,
			    cJSON_CreateString(ta_policy_name(ident->valuestring)));
	}
	cJSON_Delete(policies);
	*out = names;
	return CORE_OK;
}

int
tenant_numbers_of(cJSON **out, struct core_ctx *ctx, const char *object_id)
{
	char *filter, *quoted;
	struct buf b = BUF_INIT((size_t)-1);
	const cJSON *all, *n;
	const char *s;
	int rc = snapshot_get(&all, ctx, SNAP_NUMBERS);

	if (rc)
		return rc;
	if (all) {
		*out = cj_array();
		cJSON_ArrayForEach(n, all)
			if (cj_str(n, "assignmentTargetId") &&
			    strcasecmp(cj_str(n, "assignmentTargetId"), object_id) == 0)
				cj_push(*out, cj_dup(n));
		return CORE_OK;
	}
	/* An OData literal: quotes doubled (tenant_numbers() encodes the rest). */
	for (s = object_id; *s; s++)
		if (buf_add(&b, s, 1) || (*s == '\'' && buf_add(&b, s, 1)))
			BUG("out of memory");
	quoted = buf_detach(&b, NULL);
	filter = xasprintf("assignmentTargetId eq '%s'", quoted);
	rc = tenant_numbers(out, ctx, filter);
	free(filter);
	free(quoted);
	return rc;
}

/* ---- policy holders (teams_voice_routing_policy, teams_emergency_call_routing_policy) ---- */

/* The policyAssignment of type in a user's effectivePolicyAssignments, or NULL. */
static const cJSON *
policy_assignment_of(const cJSON *config, const char *type)
{
	const cJSON *e, *t;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(config, "effectivePolicyAssignments")) {
		t = cJSON_GetObjectItem(e, "policyType");
		if (cJSON_IsString(t) && strcasecmp(t->valuestring, type) == 0)
			return cJSON_GetObjectItem(e, "policyAssignment");
	}
	return NULL;
}

static bool
holder_listed(const cJSON *users, const char *id)
{
	const cJSON *u, *uid;

	cJSON_ArrayForEach(u, users) {
		uid = cJSON_GetObjectItem(u, "id");
		if (cJSON_IsString(uid) && strcasecmp(uid->valuestring, id) == 0)
			return true;
	}
	return false;
}

/* Adds config (a userConfiguration or a Teams user view) when it holds name. */
static void
holder_add(cJSON *users, const cJSON *config, const char *type, const char *name)
{
	const cJSON *pa = policy_assignment_of(config, type);
	const cJSON *dn = cJSON_GetObjectItem(pa, "displayName");
	const cJSON *kind = cJSON_GetObjectItem(pa, "assignmentType");
	const cJSON *id = cJSON_GetObjectItem(config, "id");
	const cJSON *upn = cJSON_GetObjectItem(config, "userPrincipalName");
	cJSON *h;

	if (!cJSON_IsString(id))
		id = cJSON_GetObjectItem(config, "objectId");
	if (!cJSON_IsString(dn) || !cJSON_IsString(id) ||
	    strcasecmp(ta_policy_name(dn->valuestring), name) != 0 ||
	    holder_listed(users, id->valuestring))
		return;
	h = cJSON_CreateObject();
	if (!h)
		BUG("out of memory");
	cJSON_AddStringToObject(h, "id", id->valuestring);
	cJSON_AddStringToObject(h, "userPrincipalName",
	    cJSON_IsString(upn) ? upn->valuestring : id->valuestring);
	cJSON_AddStringToObject(h, "assignmentType", cJSON_IsString(kind) &&
	    strcasecmp(kind->valuestring, "group") == 0 ? "group" : "direct");
	cJSON_AddItemToArray(users, h);
}

int
tenant_policy_holders(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name)
{
	cJSON *configs = NULL, *ras = NULL, *view = NULL, *grants = NULL;
	cJSON *res = NULL, *users, *groups, *g2;
	const cJSON *c, *oid, *g, *pn, *gid;
	const char *bare = ta_policy_name(name);
	int rc;

	*out = NULL;
	res = cJSON_CreateObject();
	if (!res)
		BUG("out of memory");
	users = cJSON_AddArrayToObject(res, "users");
	groups = cJSON_AddArrayToObject(res, "groups");
	rc = tenant_user_configurations(&configs, ctx);
	if (rc)
		goto out;
	cJSON_ArrayForEach(c, configs)
		holder_add(users, c, type, bare);
	rc = ta_resource_accounts(&ras, ctx);
	if (rc)
		goto out;
	cJSON_ArrayForEach(c, ras) {
		oid = cJSON_GetObjectItem(c, "objectId");
		if (!cJSON_IsString(oid) || holder_listed(users, oid->valuestring))
			continue;
		rc = ta_user_get(&view, ctx, oid->valuestring);
		if (rc == CORE_ENOTFOUND) {
			rc = CORE_OK;
			continue;
		}
		if (rc)
			goto out;
		holder_add(users, view, type, bare);
		cJSON_Delete(view);
		view = NULL;
	}
	rc = ta_group_grants(&grants, ctx, type);
	if (rc)
		goto out;
	cJSON_ArrayForEach(g, grants) {
		pn = cJSON_GetObjectItem(g, "PolicyName");
		gid = cJSON_GetObjectItem(g, "GroupId");
		if (!cJSON_IsString(pn) || !cJSON_IsString(gid) ||
		    strcasecmp(ta_policy_name(pn->valuestring), bare) != 0)
			continue;
		g2 = cJSON_CreateObject();
		if (!g2)
			BUG("out of memory");
		cJSON_AddStringToObject(g2, "GroupId", gid->valuestring);
		cJSON_AddItemToObject(g2, "Rank", cJSON_IsNumber(cJSON_GetObjectItem(g, "Rank")) ?
		    cJSON_Duplicate(cJSON_GetObjectItem(g, "Rank"), 1) : cJSON_CreateNull());
		cJSON_AddItemToArray(groups, g2);
	}
	*out = res;
	res = NULL;
out:
	cJSON_Delete(res);
	cJSON_Delete(grants);
	cJSON_Delete(view);
	cJSON_Delete(ras);
	cJSON_Delete(configs);
	return rc;
}

#define HOLDERS_NAMED 5

/* Appends "N noun(s) ('a', 'b', and M more)" for the items of list. */
static int
holders_phrase(struct buf *b, const cJSON *list, const char *key, const char *kind,
    const char *noun)
{
	const cJSON *x, *v, *k;
	int n = 0, named = 0, total = 0;

	cJSON_ArrayForEach(x, list) {
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (!kind || (cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0))
			total++;
	}
	if (!total)
		return 0;
	if (buf_addf(b, "%d %s%s (", total, noun, total == 1 ? "" : "s"))
		return -1;
	cJSON_ArrayForEach(x, list) {
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (kind && !(cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0))
			continue;
		n++;
		if (named == HOLDERS_NAMED)
			continue;
		v = cJSON_GetObjectItem(x, key);
		if (buf_addf(b, "%s'%s'", named ? ", " : "",
		    cJSON_IsString(v) ? v->valuestring : "?"))
			return -1;
		named++;
	}
	if (n > named && buf_addf(b, ", and %d more", n - named))
		return -1;
	return buf_adds(b, ")");
}

char *
tenant_policy_holders_text(const cJSON *holders)
{
	struct buf users = BUF_INIT((size_t)1 << 20), groups = BUF_INIT((size_t)1 << 20);
	char *u, *g, *text;

	if (holders_phrase(&users, cJSON_GetObjectItem(holders, "users"),
	    "userPrincipalName", "direct", "account") ||
	    holders_phrase(&groups, cJSON_GetObjectItem(holders, "groups"),
	    "GroupId", NULL, "group"))
		BUG("out of memory");
	u = buf_detach(&users, NULL);
	g = buf_detach(&groups, NULL);
	if (!*u && !*g)
		text = NULL;
	else if (*u && *g)
		text = xasprintf("%s and %s", u, g);
	else
		text = xstrdup(*u ? u : g);
	free(u);
	free(g);
	return text;
}

int
tenant_policy_ungrant(struct core_ctx *ctx, const char *type,
    const cJSON *holders)
{
	const cJSON *users = cJSON_GetObjectItem(holders, "users"), *x, *id, *k;
	struct pa_item *items = xcalloc((size_t)cJSON_GetArraySize(users) + 1, sizeof(*items));
	size_t n = 0, i;
	int rc;

	/* The direct grants go together (policyassign.h), then the group grants. */
	cJSON_ArrayForEach(x, users) {
		id = cJSON_GetObjectItem(x, "id");
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (!cJSON_IsString(id) || !cJSON_IsString(k) ||
		    strcmp(k->valuestring, "direct") != 0)
			continue;
		items[n].user_id = id->valuestring;
		items[n++].type = type;
	}
	rc = pa_apply(ctx, items, n, PA_BATCH_DEFAULT);
	for (i = 0; !rc && i < n; i++)
		if (items[i].rc != CORE_OK)
			rc = core_error(ctx, items[i].rc, "removing the %s grant of '%s': %s", type,
			    items[i].user_id, items[i].error ? items[i].error : "failed");
	pa_items_release(items, n);
	free(items);
	if (rc)
		return rc;
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(holders, "groups")) {
		id = cJSON_GetObjectItem(x, "GroupId");
		if (!cJSON_IsString(id))
			continue;
		rc = ta_ungrant_group(ctx, id->valuestring, type);
		if (rc)
			return rc;
	}
	return CORE_OK;
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

int
tenant_policy_present(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *want, const cJSON *have,
    const cJSON *usages, bool create_usages, const struct reconcile_opts *opts)
{
	struct plan plan = { 0 };
	cJSON *usages_have = NULL, *missing = NULL, *merged = NULL, *after = NULL;
	char *list = NULL, *hdr_b = NULL, *hdr_a = NULL;
	const cJSON *m;
	int rc = CORE_OK;

	if (cJSON_GetArraySize(usages) > 0) {
		rc = ta_pstn_usages(&usages_have, ctx);
		if (rc)
			goto out;
		missing = ta_pstn_usages_missing(usages_have, usages);
		if (cJSON_GetArraySize(missing) > 0 && !create_usages) {
			list = cj_join(usages_have, NULL, ", ", false);
			rc = core_error(ctx, CORE_EREFUSED,
			    "PSTN usage '%s' is not found in OnlinePstnUsages; set create_usages: true "
			    "to add it, or use one of the tenant's usages (%s)",
			    cJSON_GetArrayItem(missing, 0)->valuestring, *list ? list : "none");
			goto out;
		}
	}

	reconcile_plan(&plan, want, have, opts);
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
		rc = tenant_policy_create(ctx, type, bare, plan.changes);
	else if (plan.changed)
		rc = ta_policy_update(NULL, ctx, type, bare, plan.changes);
	if (rc)
		goto out;
	rc = ta_policy_get(&after, ctx, type, bare);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE,
		    "%s '%s' is not found right after it was written", what, bare);
	if (rc)
		goto out;
	result_put(res, "policy", after);
	after = NULL;
out:
	free(hdr_a);
	free(hdr_b);
	free(list);
	cJSON_Delete(after);
	cJSON_Delete(merged);
	cJSON_Delete(missing);
	cJSON_Delete(usages_have);
	reconcile_plan_release(&plan);
	return rc;
}

int
tenant_policy_absent(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *have, bool force,
    const struct reconcile_opts *opts)
{
	cJSON *holders = NULL;
	char *who = NULL, *hdr_b = NULL, *hdr_a = NULL;
	int rc;

	if (!have) {
		result_put(res, "policy", cJSON_CreateNull());
		return CORE_OK;
	}
	rc = tenant_policy_holders(&holders, ctx, type, bare);
	if (rc)
		goto out;
	who = tenant_policy_holders_text(holders);
	if (who && !force) {
		rc = core_error(ctx, CORE_EREFUSED,
		    "%s '%s' is still granted to %s; remove those grants first, "
		    "or set force: true to remove them with the policy", what, bare, who);
		goto out;
	}
	res->changed = true;
	hdr_b = xasprintf("policy '%s' (current)", bare);
	hdr_a = xasprintf("policy '%s' (desired)", bare);
	result_add_diff(res, ctx, reconcile_strip(have, opts), NULL, hdr_b, hdr_a);
	result_put(res, "policy", cJSON_CreateNull());
	result_put(res, "removed_grants", who ? cJSON_Duplicate(holders, 1) : cJSON_CreateNull());
	if (ctx->check_mode)
		goto out;
	if (who) {
		rc = tenant_policy_ungrant(ctx, type, holders);
		if (rc)
			goto out;
	}
	rc = ta_policy_delete(ctx, type, bare);
out:
	free(hdr_a);
	free(hdr_b);
	free(who);
	cJSON_Delete(holders);
	return rc;
}

/* ---- groups (teams_user_voice) ---- */

int
tenant_group_members(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path;
	bool snap;
	/* The sites' groups only: another group, or one the read did not find, asks the service. */
	int rc = snapshot_lookup(out, &snap, ctx, SNAP_GROUP_MEMBERS, id);

	if (rc != CORE_ENOTFOUND && (rc || snap))
		return rc;
	path = route_path(RT_G_GROUP_MEMBERS, id);
	rc = graph_list(out, ctx, path, NULL);

	free(path);
	return rc;
}

struct policy_intent {
	const char *type;
	const char *name;
	const cJSON *body;
};

static int
policy_create_once(struct core_ctx *ctx, void *arg)
{
	struct policy_intent *p = arg;

	return ta_policy_create(NULL, ctx, p->type, p->name, p->body);
}

static int
policy_lookup(struct core_ctx *ctx, void *arg)
{
	struct policy_intent *p = arg;
	cJSON *found = NULL;
	int rc = ta_policy_get(&found, ctx, p->type, p->name);

	cJSON_Delete(found);
	return rc;
}

int
tenant_policy_create(struct core_ctx *ctx, const char *type, const char *name,
    const cJSON *body)
{
	struct policy_intent p = { type, name, body };

	return svc_create_reconciled(ctx, policy_create_once, policy_lookup, &p);
}

/* ISO 3166-1 alpha-2, the 249 assigned codes, sorted. */
static const char iso_countries[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ "
	"BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR "
	"CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF "
	"PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI "
	"SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR "
	"TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

bool
tenant_country_code(char out[3], const char *in)
{
	char cc[3];
	size_t i;

	if (!in || strlen(in) != 2)
		return false;
	for (i = 0; i < 2; i++) {
		if (!((in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z')))
			return false;
		cc[i] = (char)(in[i] & ~0x20);
	}
	cc[2] = '\0';
	for (i = 0; i + 2 <= sizeof(iso_countries) - 1; i += 3)
		if (iso_countries[i] == cc[0] && iso_countries[i + 1] == cc[1]) {
			memcpy(out, cc, 3);
			return true;
		}
	return false;
}

int
tenant_group_get(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_G_GROUP_GET, id);
	/* The sites' groups, by id. */
	int rc = get_object(out, ctx, SNAP_GROUPS, id, path);

	free(path);
	return rc;
}

/* ---- call records and Teams Phone users (teams_pstn_usage_info) ---- */

/* True when word occurs in s, ignoring ASCII case. */
static bool
contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

enum tenant_call_kind
tenant_call_kind(const char *call_type)
{
	if (!call_type || !*call_type)
		return TENANT_CALL_OTHER;
	if (contains_nocase(call_type, "ucap"))
		return TENANT_CALL_BOT;
	if (contains_nocase(call_type, "emergency"))
		return TENANT_CALL_EMERGENCY;
	if (contains_nocase(call_type, "out"))
		return TENANT_CALL_OUTBOUND;
	if (contains_nocase(call_type, "in"))
		return TENANT_CALL_INBOUND;
	return TENANT_CALL_OTHER;
}

/* Reads exactly n decimal digits at *sp into *v and advances *sp. */
static bool
read_digits(const char **sp, int n, int *v)
{
	const char *s = *sp;
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return true;
}

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
tenant_parse_time(double *out, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	double frac = 0, scale = 0.1;
	struct tm tm;
	time_t t;

	if (!s || !read_digits(&s, 4, &y) || *s++ != '-' || !read_digits(&s, 2, &mo) ||
	    *s++ != '-' || !read_digits(&s, 2, &d))
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
		return false;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!read_digits(&s, 2, &h) || *s++ != ':' || !read_digits(&s, 2, &mi))
			return false;
		if (*s == ':') {
			s++;
			if (!read_digits(&s, 2, &sec))
				return false;
			if (*s == '.') {
				s++;
				if (*s < '0' || *s > '9')
					return false;
				for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
					frac += (*s - '0') * scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (!read_digits(&s, 2, &oh))
			return false;
		if (*s == ':')
			s++;
		if (!read_digits(&s, 2, &om) || oh > 23 || om > 59)
			return false;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*s)
		return false;
	*out = (double)t + frac;
	return true;
}

void
tenant_format_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		BUG("cannot format time %lld", (long long)t);
}

/* One query of tenant_call_records(): a source over [from, to). */
struct call_slice {
	enum tenant_call_source src;
	time_t from, to;
	char *next;        /* the page to read next (the query, then each nextLink); NULL when done */
	unsigned long pages;  /* pages read */
};

static char *
call_slice_path(enum tenant_call_source src, time_t from, time_t to)
{
	char f[32], t[32];

	tenant_format_time(f, sizeof(f), from);
	tenant_format_time(t, sizeof(t), to);
	return route_path(RT_G_CALL_RECORDS,
	    src == TENANT_CALLS_PSTN ? "getPstnCalls" : "getDirectRoutingCalls", f, t);
}

/* Hands the rows of one page to fn; keeps the page's nextLink in sl->next. */
static int
call_slice_page(struct core_ctx *ctx, struct call_slice *sl, const cJSON *page,
    int (*fn)(void *, enum tenant_call_source, const cJSON *), void *arg,
    struct tenant_call_stats *stats)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(page, "value");
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(page, "@odata.nextLink");
	const cJSON *row, *start;
	double t;
	int rc;

	if (!cJSON_IsArray(value))
		return core_error(ctx, CORE_ESERVICE, "GET %s: graph answered without a "
		    "\"value\" list", sl->src == TENANT_CALLS_PSTN ? "getPstnCalls" :
		    "getDirectRoutingCalls");
	cJSON_ArrayForEach(row, value) {
		start = cJSON_GetObjectItemCaseSensitive(row, "startDateTime");
		/* The service's toDateTime may be inclusive: keep the slice's own rows. */
		if (cJSON_IsString(start) && tenant_parse_time(&t, start->valuestring) &&
		    (t < (double)sl->from || t >= (double)sl->to))
			continue;
		if (stats)
			stats->rows[sl->src]++;
		rc = fn(arg, sl->src, row);
		if (rc)
			return rc;
	}
	/* A link to the page just read would page forever. */
	if (cJSON_IsString(link) && sl->next && strcmp(link->valuestring, sl->next) == 0)
		return core_error(ctx, CORE_ESERVICE, "GET %s: graph's next page link "
		    "points back to the page just read", sl->src == TENANT_CALLS_PSTN ?
		    "getPstnCalls" : "getDirectRoutingCalls");
	free(sl->next);
	sl->next = NULL;
	if (cJSON_IsString(link) && *link->valuestring)
		sl->next = xstrdup(link->valuestring);
	if (sl->next && ++sl->pages >= 100000) {
		free(sl->next);
		sl->next = NULL;
		return core_error(ctx, CORE_ESERVICE, "graph kept returning call record pages "
		    "after 100000");
	}
	return CORE_OK;
}

int
tenant_call_records(struct core_ctx *ctx, const bool sources[TENANT_CALLS_SOURCES],
    time_t from, time_t to, long slice_s, int max_concurrency,
    int (*fn)(void *arg, enum tenant_call_source src, const cJSON *row), void *arg,
    struct tenant_call_stats *stats)
{
	struct call_slice *slices = NULL;
	struct svc_req *reqs = NULL;
	struct svc_resp *resps = NULL;
	size_t *which = NULL, nslices = 0, cap = 0, i, n, k, next_open = 0;
	int *rcs = NULL, rc = CORE_OK, src;
	time_t t, e;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (slice_s <= 0 || slice_s > TENANT_CALLS_MAX_SPAN)
		slice_s = TENANT_CALLS_MAX_SPAN;
	for (src = 0; src < TENANT_CALLS_SOURCES; src++) {
		if (!sources[src])
			continue;
		for (t = from; t < to; t = e) {
			e = to - t > slice_s ? t + slice_s : to;
			if (nslices == cap) {
				cap = cap ? cap * 2 : 16;
				slices = xrealloc(slices, cap * sizeof(*slices));
			}
			slices[nslices].src = (enum tenant_call_source)src;
			slices[nslices].from = t;
			slices[nslices].to = e;
			slices[nslices].next = call_slice_path((enum tenant_call_source)src, t, e);
			slices[nslices].pages = 0;
			nslices++;
			if (stats)
				stats->slices[src]++;
		}
	}
	reqs = xcalloc((size_t)max_concurrency, sizeof(*reqs));
	resps = xcalloc((size_t)max_concurrency, sizeof(*resps));
	rcs = xcalloc((size_t)max_concurrency, sizeof(*rcs));
	which = xcalloc((size_t)max_concurrency, sizeof(*which));
	for (;;) {
		/*
		 * The pages to read: the next page of every slice already started
		 * (slices below next_open), then the first page of new slices. At
		 * most max_concurrency slices are ever open at once.
		 */
		n = 0;
		for (i = 0; i < next_open && n < (size_t)max_concurrency; i++)
			if (slices[i].next)
				which[n++] = i;
		while (next_open < nslices && n < (size_t)max_concurrency)
			which[n++] = next_open++;
		if (n == 0)
			break;
		for (k = 0; k < n; k++) {
			memset(&reqs[k], 0, sizeof(reqs[k]));
			reqs[k].svc = SVC_GRAPH;
			reqs[k].method = "GET";
			reqs[k].path = slices[which[k]].next;
			if (stats)
				stats->requests[slices[which[k]].src]++;
		}
		rc = svc_call_many(resps, rcs, ctx, reqs, n);
		for (k = 0; rc == CORE_OK && k < n; k++) {
			rc = rcs[k];
			if (rc == CORE_OK)
				rc = call_slice_page(ctx, &slices[which[k]], resps[k].json, fn, arg,
				    stats);
		}
		for (k = 0; k < n; k++)
			svc_resp_release(&resps[k]);
		if (rc)
			goto out;
	}
out:
	for (i = 0; i < nslices; i++)
		free(slices[i].next);
	free(slices);
	free(reqs);
	free(resps);
	free(rcs);
	free(which);
	return rc;
}

/* qsort comparator: users by id, case-insensitively. */
static int
user_id_cmp(const void *a, const void *b)
{
	const cJSON *ia = cJSON_GetObjectItem(*(const cJSON *const *)a, "id");
	const cJSON *ib = cJSON_GetObjectItem(*(const cJSON *const *)b, "id");

	return strcasecmp(cJSON_IsString(ia) ? ia->valuestring : "",
	    cJSON_IsString(ib) ? ib->valuestring : "");
}

int
tenant_teams_phone_users(cJSON **out, cJSON **skus_out, struct core_ctx *ctx)
{
	static const char *const headers[] = { "ConsistencyLevel: eventual", NULL };
	cJSON *skus = NULL, *all = NULL, *page = NULL, *users = NULL, *u;
	cJSON **v = NULL;
	const cJSON *sku, *p, *pid, *skuid, *id;
	char *filter = NULL, *enc = NULL, *path = NULL;
	const char *last = NULL;
	size_t n = 0, i;
	bool carries;
	int rc;

	*out = NULL;
	if (skus_out)
		*skus_out = NULL;
	rc = tenant_skus(&skus, ctx);
	if (rc)
		return rc;
	all = cJSON_CreateArray();
	if (!all)
		BUG("out of memory");
	cJSON_ArrayForEach(sku, skus) {
		carries = false;
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(sku, "servicePlans")) {
			pid = cJSON_GetObjectItem(p, "servicePlanId");
			if (cJSON_IsString(pid) && strcasecmp(pid->valuestring, TENANT_PLAN_TEAMS_PHONE) == 0)
				carries = true;
		}
		skuid = cJSON_GetObjectItem(sku, "skuId");
		if (!carries || !cJSON_IsString(skuid))
			continue;
		filter = xasprintf("assignedLicenses/any(x:x/skuId eq %s)", skuid->valuestring);
		enc = NULL;
		path = route_path(RT_G_USERS_FILTER, filter);
		rc = graph_list(&page, ctx, path, headers);
		free(filter);
		free(enc);
		free(path);
		filter = enc = path = NULL;
		if (rc)
			goto out;
		while ((u = cJSON_DetachItemFromArray(page, 0)) != NULL) {
			if (tenant_user_has_plan(u, skus, TENANT_PLAN_TEAMS_PHONE))
				cJSON_AddItemToArray(all, u);
			else
				cJSON_Delete(u);
		}
		cJSON_Delete(page);
		page = NULL;
	}
	/* A user with two such licences was listed twice: keep one. */
	n = (size_t)cJSON_GetArraySize(all);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(all, 0);
	xqsort(v, n, sizeof(*v), user_id_cmp);
	users = cJSON_CreateArray();
	if (!users)
		BUG("out of memory");
	for (i = 0; i < n; i++) {
		id = cJSON_GetObjectItem(v[i], "id");
		if (!cJSON_IsString(id) || (last && strcasecmp(last, id->valuestring) == 0)) {
			cJSON_Delete(v[i]);
			continue;
		}
		last = id->valuestring;
		cJSON_AddItemToArray(users, v[i]);
	}
	*out = users;
	users = NULL;
	if (skus_out) {
		*skus_out = skus;
		skus = NULL;
	}
out:
	free(v);
	cJSON_Delete(page);
	cJSON_Delete(all);
	cJSON_Delete(users);
	cJSON_Delete(skus);
	return rc;
}
