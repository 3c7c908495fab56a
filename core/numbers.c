/*
 * numbers.c - phone numbers: the inventory, assignments and emergency
 * locations (see numbers.h).
 */
#include "numbers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cj.h"
#include "graph.h"
#include "http.h"
#include "routes.h"
#include "snapshot.h"
#include "svc.h"

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

/* The number types: as the modules' options name them, and on the wire. */
static const struct {
	const char *choice, *wire;
} number_types[] = {
	{ "direct_routing", "directRouting" },
	{ "calling_plan", "callingPlan" },
	{ "operator_connect", "operatorConnect" },
};

const char *
tenant_number_type(const char *choice)
{
	size_t i;

	for (i = 0; choice && i < sizeof(number_types) / sizeof(number_types[0]); i++)
		if (strcasecmp(choice, number_types[i].choice) == 0)
			return number_types[i].wire;
	return NULL;
}

const char *
tenant_number_choice(const char *wire)
{
	size_t i;

	for (i = 0; wire && i < sizeof(number_types) / sizeof(number_types[0]); i++)
		if (strcasecmp(wire, number_types[i].wire) == 0)
			return number_types[i].choice;
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
