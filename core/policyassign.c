/*
 * policyassign.c - direct policy grants to many users at once (see
 * policyassign.h).
 */
#include "policyassign.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "graph.h"
#include "routes.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"

#define PA_ODATA_TYPE "#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment"

/* What became of one type's items on the Graph route. */
enum pa_state { PA_PENDING = 0, PA_DONE, PA_FALLBACK };

struct pa_run {
	struct core_ctx *ctx;
	struct pa_item *items;
	size_t n;
	enum pa_state *state;
	bool graph_off;        /* no Graph route for any type (cloud, 403) */
	bool warned_chunk;     /* a refused call was reported */
};

static bool
is_removal(const char *name)
{
	return !name || !*name || strcasecmp(ta_policy_name(name), "Global") == 0;
}

static void
fail_item(struct pa_item *it, char *why)
{
	it->rc = CORE_ESERVICE;
	free(it->error);
	it->error = why;
}

/* The Graph route is only in the global cloud (Microsoft Graph docs, "national cloud deployments"). */
static bool
cloud_has_graph_route(const struct core_ctx *ctx)
{
	const char *c = arg_str(ctx->params, "cloud");

	return c && strcmp(c, "public") == 0;
}

/* How getPolicyId answered. */
enum pa_lookup { PA_ID, PA_REFUSED, PA_FORBIDDEN };

/*
 * The Graph policy id of type/name into *id (PA_ID); PA_REFUSED (with *why)
 * when Graph refuses the type or the name, PA_FORBIDDEN when the app lacks
 * the permission.
 * @return CORE_OK, or the error of the read (ctx->msg set)
 */
static int
policy_id(char **id, enum pa_lookup *how, struct core_ctx *ctx, const char *type,
    const char *name, char **why)
{
	struct svc_resp resp;
	const cJSON *v, *pid;
	const char *bare = ta_policy_name(name), *p;
	char *quoted = xcalloc(strlen(bare) * 2 + 1, 1), *q = quoted, *path;
	int rc;

	*id = NULL;
	*why = NULL;
	*how = PA_ID;
	/* An OData string literal doubles its single quotes. */
	for (p = bare; *p; p++) {
		if (*p == '\'')
			*q++ = '\'';
		*q++ = *p;
	}
	path = route_path(RT_G_POLICY_ID, type, quoted);
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		v = cJSON_GetObjectItemCaseSensitive(resp.json, "value");
		pid = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(v, 0), "policyId");
		if (cJSON_IsString(pid) && *pid->valuestring) {
			*id = xstrdup(pid->valuestring);
		} else {
			*why = xasprintf("GET %s: graph gave no policyId", path);
			*how = PA_REFUSED;
		}
	} else if (rc == CORE_ENOTFOUND || resp.status == 400) {
		*why = xasprintf("graph does not know policy '%s' of type '%s' (%ld)",
		    bare, type, resp.status ? resp.status : 404L);
		core_error_clear(ctx);
		*how = PA_REFUSED;
		rc = CORE_OK;
	} else if (resp.status == 403 || resp.status == 401) {
		core_error_clear(ctx);
		*how = PA_FORBIDDEN;
		rc = CORE_OK;
	}
	svc_resp_release(&resp);
	free(path);
	free(quoted);
	return rc;
}

/* Graph assignment calls built, sent and answered at a time. */
#define PA_WINDOW 64

/* One Graph call: the users of items idx[0..k) of one type, one action. */
struct pa_chunk {
	size_t *idx;
	size_t k;
	cJSON *body;
};

static cJSON *
chunk_body(const struct pa_run *r, const size_t *idx, size_t k, char **const ids)
{
	cJSON *body = cJSON_CreateObject(), *arr, *e;
	size_t j;

	if (!body)
		BUG("out of memory");
	arr = cJSON_AddArrayToObject(body, "value");
	for (j = 0; j < k; j++) {
		const struct pa_item *it = &r->items[idx[j]];

		e = cJSON_CreateObject();
		if (!e || !arr)
			BUG("out of memory");
		cJSON_AddStringToObject(e, "@odata.type", PA_ODATA_TYPE);
		cJSON_AddStringToObject(e, "userId", it->user_id);
		cJSON_AddStringToObject(e, "policyType", it->type);
		if (ids)
			cJSON_AddStringToObject(e, "policyId", ids[idx[j]]);
		cJSON_AddItemToArray(arr, e);
	}
	return body;
}

/* Marks the items of chunk k by its answer (resp, rc); a 401/403 sets *forbidden. */
static void
chunk_outcome(struct pa_run *r, const struct pa_chunk *k, const struct svc_resp *resp,
    int rc, bool *forbidden)
{
	struct core_ctx *ctx = r->ctx;
	long st = resp->status;
	size_t j;

	if (rc == CORE_OK) {
		for (j = 0; j < k->k; j++) {
			r->state[k->idx[j]] = PA_DONE;
			r->items[k->idx[j]].rc = CORE_OK;
		}
		return;
	}
	if (st == 401 || st == 403) {
		*forbidden = true;
	} else if (st == 400 || st == 404 || st == 405) {
		if (!r->warned_chunk) {
			char *t = graph_error_text(ctx, st, resp->json);

			core_warn(ctx, "graph refused a policy assignment call (%s); its "
			    "users were granted one at a time through the Teams admin route", t);
			free(t);
			r->warned_chunk = true;
		}
	} else {
		char *t = st ? graph_error_text(ctx, st, resp->json) : xstrdup("no answer");

		for (j = 0; j < k->k; j++) {
			r->state[k->idx[j]] = PA_DONE;
			fail_item(&r->items[k->idx[j]], xstrdup(t));
		}
		free(t);
		return;
	}
	for (j = 0; j < k->k; j++)
		r->state[k->idx[j]] = PA_FALLBACK;
}

/*
 * The Graph route for the items of one type: policy ids, then the calls.
 * Items it cannot send are marked PA_FALLBACK.
 */
static int
graph_type(struct pa_run *r, const char *type, int batch)
{
	struct core_ctx *ctx = r->ctx;
	char **ids = xcalloc(r->n, sizeof(*ids)), *why = NULL;
	size_t *mine = xcalloc(r->n, sizeof(*mine)), nm = 0, i, j, c, nch = 0, w0, nw = 0;
	struct pa_chunk *ch = NULL;
	struct svc_req *reqs = NULL;
	struct svc_resp *resps = NULL;
	int *rcs = NULL, rc = CORE_OK;
	enum pa_lookup how;
	bool refused = false, forbidden = false;
	int pass;

	for (i = 0; i < r->n; i++)
		if (r->state[i] == PA_PENDING && strcmp(r->items[i].type, type) == 0)
			mine[nm++] = i;
	/* Policy ids, one read per distinct name. */
	for (j = 0; j < nm && !refused && !forbidden; j++) {
		const struct pa_item *it = &r->items[mine[j]];

		if (is_removal(it->name))
			continue;
		for (i = 0; i < j; i++)
			if (!is_removal(r->items[mine[i]].name) &&
			    strcasecmp(ta_policy_name(r->items[mine[i]].name),
			    ta_policy_name(it->name)) == 0)
				break;
		if (i < j) {
			ids[mine[j]] = xstrdup(ids[mine[i]]);
			continue;
		}
		free(why);
		rc = policy_id(&ids[mine[j]], &how, ctx, type, it->name, &why);
		if (rc)
			goto out;
		refused = how == PA_REFUSED;
		forbidden = how == PA_FORBIDDEN;
	}
	if (forbidden) {
		r->graph_off = true;
		core_warn(ctx, "policy grants go one user at a time through the Teams admin "
		    "route: the app lacks the Graph permission TeamsPolicyUserAssign.ReadWrite.All");
	} else if (refused) {
		core_warn(ctx, "%s grants go one user at a time through the Teams admin route: %s",
		    type, why);
	}
	if (forbidden || refused) {
		for (j = 0; j < nm; j++)
			r->state[mine[j]] = PA_FALLBACK;
		goto out;
	}
	/* Assignments then removals, batch users per call. */
	/* At most ceil(a/batch) + ceil(r/batch) chunks, plus the one being filled. */
	ch = xcalloc(nm / (size_t)batch + 3, sizeof(*ch));
	for (pass = 0; pass < 2; pass++) {
		for (j = 0; j < nm; j++) {
			if (is_removal(r->items[mine[j]].name) != (pass == 1))
				continue;
			if (!ch[nch].idx)
				ch[nch].idx = xcalloc((size_t)batch, sizeof(size_t));
			ch[nch].idx[ch[nch].k++] = mine[j];
			if (ch[nch].k == (size_t)batch)
				nch++;
		}
		if (ch[nch].k)
			nch++;
	}
	reqs = xcalloc(PA_WINDOW, sizeof(*reqs));
	resps = xcalloc(PA_WINDOW, sizeof(*resps));
	rcs = xcalloc(PA_WINDOW, sizeof(*rcs));
	/* PA_WINDOW calls at a time: bodies and answers are not all held at once. */
	for (w0 = 0; w0 < nch; w0 += nw) {
		nw = nch - w0 < PA_WINDOW ? nch - w0 : PA_WINDOW;
		for (c = 0; c < nw; c++) {
			struct pa_chunk *k = &ch[w0 + c];
			bool rm = is_removal(r->items[k->idx[0]].name);

			k->body = chunk_body(r, k->idx, k->k, rm ? NULL : ids);
			reqs[c].svc = SVC_GRAPH;
			reqs[c].method = "POST";
			reqs[c].path = route_get(rm ? RT_G_POLICY_UNASSIGN : RT_G_POLICY_ASSIGN)->path;
			reqs[c].body = k->body;
			/* An assignment sets a value: repeating it is harmless. */
			reqs[c].flags = SVC_IDEMPOTENT;
		}
		rc = tenant_write_many(resps, rcs, ctx, reqs, nw);
		if (rc)
			goto out;
		for (c = 0; c < nw; c++) {
			chunk_outcome(r, &ch[w0 + c], &resps[c], rcs[c], &forbidden);
			svc_resp_release(&resps[c]);
			cJSON_Delete(ch[w0 + c].body);
			ch[w0 + c].body = NULL;
		}
	}
	if (forbidden) {
		r->graph_off = true;
		core_warn(ctx, "policy grants go one user at a time through the Teams admin "
		    "route: graph refused the assignment (the app needs "
		    "TeamsPolicyUserAssign.ReadWrite.All)");
	}
	core_error_clear(ctx);
out:
	for (c = 0; resps && c < nw; c++)
		svc_resp_release(&resps[c]);
	for (c = 0; c < nch; c++) {
		free(ch[c].idx);
		cJSON_Delete(ch[c].body);
	}
	for (i = 0; i < r->n; i++)
		free(ids[i]);
	free(ids);
	free(mine);
	free(ch);
	free(reqs);
	free(resps);
	free(rcs);
	free(why);
	return rc;
}

/* The Teams admin route: one PATCH per item still to send. */
static int
teams_route(struct pa_run *r)
{
	struct core_ctx *ctx = r->ctx;
	size_t *idx = xcalloc(r->n ? r->n : 1, sizeof(*idx)), m = 0, i;
	struct svc_req *reqs;
	struct svc_resp *resps;
	int *rcs, rc = CORE_OK;

	for (i = 0; i < r->n; i++)
		if (r->state[i] != PA_DONE)
			idx[m++] = i;
	reqs = xcalloc(m ? m : 1, sizeof(*reqs));
	resps = xcalloc(m ? m : 1, sizeof(*resps));
	rcs = xcalloc(m ? m : 1, sizeof(*rcs));
	for (i = 0; i < m; i++) {
		const struct pa_item *it = &r->items[idx[i]];

		ta_grant_user_req(&reqs[i], it->user_id, it->type,
		    is_removal(it->name) ? "" : it->name);
	}
	if (m)
		rc = tenant_write_many(resps, rcs, ctx, reqs, m);
	for (i = 0; !rc && i < m; i++) {
		struct pa_item *it = &r->items[idx[i]];

		r->state[idx[i]] = PA_DONE;
		if (rcs[i] == CORE_OK) {
			it->rc = CORE_OK;
			continue;
		}
		fail_item(it, resps[i].status ? graph_error_text(ctx, resps[i].status,
		    resps[i].json) : xstrdup("no answer"));
	}
	for (i = 0; i < m; i++) {
		svc_resp_release(&resps[i]);
		ta_req_release(&reqs[i]);
	}
	free(reqs);
	free(resps);
	free(rcs);
	free(idx);
	return rc;
}

int
pa_apply(struct core_ctx *ctx, struct pa_item *items, size_t n, int batch_size)
{
	struct pa_run r = { ctx, items, n, NULL, false, false };
	size_t i, j;
	int rc = CORE_OK;

	if (batch_size < 0 || batch_size > PA_BATCH_MAX)
		BUG("pa_apply with batch size %d", batch_size);
	for (i = 0; i < n; i++) {
		items[i].rc = CORE_ESERVICE;
		items[i].error = NULL;
	}
	if (n == 0)
		return CORE_OK;
	r.state = xcalloc(n, sizeof(*r.state));
	if (batch_size == 0) {
		r.graph_off = true;
	} else if (!cloud_has_graph_route(ctx)) {
		r.graph_off = true;
		core_warn(ctx, "policy grants go one user at a time through the Teams admin "
		    "route: Graph's policy assignment API is not available in this cloud");
	}
	/* Graph, type by type, in the order the types first appear. */
	for (i = 0; i < n && !r.graph_off; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(items[j].type, items[i].type) == 0)
				break;
		if (j < i)
			continue;
		rc = graph_type(&r, items[i].type, batch_size);
		if (rc)
			goto out;
	}
	rc = teams_route(&r);
out:
	free(r.state);
	return rc;
}

int
pa_grant_one(struct core_ctx *ctx, const char *user_id, const char *type,
    const char *name)
{
	struct pa_item it = { user_id, type, name, CORE_OK, NULL };
	int rc = pa_apply(ctx, &it, 1, PA_BATCH_DEFAULT);

	if (rc == CORE_OK && it.rc != CORE_OK)
		rc = core_error(ctx, it.rc, "granting %s to '%s': %s", type, user_id,
		    it.error ? it.error : "failed");
	pa_items_release(&it, 1);
	return rc;
}

void
pa_items_release(struct pa_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(items[i].error);
		items[i].error = NULL;
	}
}
