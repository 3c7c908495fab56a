/*
 * graph.c - Graph paging, $batch and long-running operations (see graph.h).
 */
#include "graph.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "http.h"
#include "result.h"
#include "routes.h"
#include "svc.h"
#include "svc_internal.h"

/* Upper bound on pages, so that a service that loops its nextLink ends. */
#define GRAPH_MAX_PAGES 100000

/* Strings seen (object ids, page links), open addressing. */
struct strset {
	char **slots;
	size_t cap;    /* a power of two */
	size_t used;
};

static size_t
str_hash(const char *s)
{
	size_t h = (size_t)1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* Adds s; false when it was there already. */
static bool
strset_add(struct strset *set, const char *s)
{
	char **old = set->slots;
	size_t oldcap = set->cap, i, j;

	if ((set->used + 1) * 10 > set->cap * 7) {
		set->cap = oldcap ? oldcap * 2 : 256;
		set->slots = xcalloc(set->cap, sizeof(*set->slots));
		for (j = 0; j < oldcap; j++) {
			if (!old[j])
				continue;
			for (i = str_hash(old[j]) & (set->cap - 1); set->slots[i];
			    i = (i + 1) & (set->cap - 1))
				;
			set->slots[i] = old[j];
		}
		free(old);
	}
	for (i = str_hash(s) & (set->cap - 1); set->slots[i]; i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slots[i], s) == 0)
			return false;
	set->slots[i] = xstrdup(s);
	set->used++;
	return true;
}

static void
strset_release(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/*
 * Appends the page's objects to all; an object whose "id" an earlier one
 * (of this page or an earlier page) had is dropped and counted in *repeats.
 * *added counts what the page held, repeats included.
 */
static int
append_values(cJSON *all, const cJSON *page, struct core_ctx *ctx, const char *path,
    struct strset *ids, unsigned long *repeats, int *added)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(page, "value");
	const cJSON *id;
	cJSON *item;

	*added = 0;
	if (!cJSON_IsArray(value)) {
		/* The doc examples wrap one object as "value": {...}; accept it. */
		if (cJSON_IsObject(value)) {
			item = cJSON_Duplicate(value, 1);
			if (!item || !cJSON_AddItemToArray(all, item))
				BUG("out of memory");
			*added = 1;
			return CORE_OK;
		}
		return core_error(ctx, CORE_ESERVICE,
		    "GET %s: graph answered without a \"value\" list", path);
	}
	cJSON_ArrayForEach(item, value) {
		cJSON *d;

		(*added)++;
		id = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (cJSON_IsString(id) && !strset_add(ids, id->valuestring)) {
			(*repeats)++;
			continue;
		}
		d = cJSON_Duplicate(item, 1);
		if (!d || !cJSON_AddItemToArray(all, d))
			BUG("out of memory");
	}
	return CORE_OK;
}

static void
warn_repeats(struct core_ctx *ctx, const char *path, unsigned long repeats)
{
	if (repeats)
		core_warn(ctx, "graph: GET %s repeated %lu object%s (same id); each was "
		    "kept once", path, repeats, repeats == 1 ? "" : "s");
}

int
graph_list_each(struct core_ctx *ctx, const char *path, const char *const *headers,
    graph_page_fn fn, void *arg)
{
	struct svc_resp resp;
	struct strset links = { NULL, 0, 0 };
	char *next = NULL;
	cJSON *value, *one;
	const cJSON *link;
	int rc = CORE_OK, pages;

	svc_resp_init(&resp);
	for (pages = 0; pages < GRAPH_MAX_PAGES; pages++) {
		svc_resp_release(&resp);
		svc_resp_init(&resp);
		rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", next ? next : path, NULL,
		    headers, 0);
		if (rc)
			goto out;
		value = cJSON_GetObjectItemCaseSensitive(resp.json, "value");
		if (cJSON_IsObject(value)) {
			/* The doc examples wrap one object as "value": {...}; accept it. */
			one = cJSON_DetachItemViaPointer(resp.json, value);
			value = cJSON_CreateArray();
			if (!value || !cJSON_AddItemToArray(value, one) ||
			    !cJSON_AddItemToObject(resp.json, "value", value))
				BUG("out of memory");
		}
		if (!cJSON_IsArray(value)) {
			rc = core_error(ctx, CORE_ESERVICE,
			    "GET %s: graph answered without a \"value\" list", path);
			goto out;
		}
		rc = fn(value, resp.json, arg);
		if (rc == GRAPH_LIST_STOP) {
			rc = CORE_OK;
			free(next);
			next = NULL;
			goto out;
		}
		if (rc)
			goto out;
		link = cJSON_GetObjectItemCaseSensitive(resp.json, "@odata.nextLink");
		free(next);
		next = NULL;
		if (!cJSON_IsString(link) || !*link->valuestring)
			break;
		/* A link followed before would page forever. */
		if (!strset_add(&links, link->valuestring)) {
			rc = core_error(ctx, CORE_ESERVICE, "GET %s: graph's next page link "
			    "after page %d points back to a page already read", path,
			    pages + 1);
			goto out;
		}
		next = xstrdup(link->valuestring);
		svc_resp_release(&resp);
		svc_resp_init(&resp);
#ifdef __GLIBC__
		/* The page is freed: give its pages back rather than let them
		 * fragment between the items the callback kept. */
		malloc_trim(0);
#endif
	}
	if (next)
		rc = core_error(ctx, CORE_ESERVICE,
		    "GET %s: graph kept returning pages after %d", path, GRAPH_MAX_PAGES);
out:
	free(next);
	svc_resp_release(&resp);
	strset_release(&links);
	return rc;
}

/* graph_list()'s page callback: keeps each object once, by its "id". */
struct collected {
	cJSON *all;
	struct strset ids;
	unsigned long repeats;
};

static int
collect_page(cJSON *items, const cJSON *page, void *arg)
{
	struct collected *c = arg;
	const cJSON *id;
	cJSON *item, *after;

	(void)page;
	for (item = items->child; item; item = after) {
		after = item->next;
		id = cJSON_GetObjectItemCaseSensitive(item, "id");
		if (cJSON_IsString(id) && !strset_add(&c->ids, id->valuestring)) {
			c->repeats++;
			continue;
		}
		if (!cJSON_AddItemToArray(c->all, cJSON_DetachItemViaPointer(items, item)))
			BUG("out of memory");
	}
	return CORE_OK;
}

int
graph_list(cJSON **out, struct core_ctx *ctx, const char *path,
    const char *const *headers)
{
	struct collected c = { cJSON_CreateArray(), { NULL, 0, 0 }, 0 };
	int rc;

	if (!c.all)
		BUG("out of memory");
	*out = NULL;
	rc = graph_list_each(ctx, path, headers, collect_page, &c);
	strset_release(&c.ids);
	if (rc) {
		cJSON_Delete(c.all);
		return rc;
	}
	warn_repeats(ctx, path, c.repeats);
	*out = c.all;
	return CORE_OK;
}

int
graph_list_skip(cJSON **out, struct core_ctx *ctx, const char *path, int top)
{
	struct svc_resp resp;
	struct strset ids = { NULL, 0, 0 };
	cJSON *all = cJSON_CreateArray();
	char *url = NULL;
	unsigned long repeats = 0, before_repeats;
	int rc = CORE_OK, skip = 0, added, pages;
	char sep = strchr(path, '?') ? '&' : '?';

	if (!all)
		BUG("out of memory");
	if (top <= 0)
		BUG("graph_list_skip with top %d", top);
	*out = NULL;
	svc_resp_init(&resp);
	for (pages = 0;; pages++) {
		if (pages >= GRAPH_MAX_PAGES) {
			rc = core_error(ctx, CORE_ESERVICE, "GET %s: graph kept returning "
			    "pages after %d", path, GRAPH_MAX_PAGES);
			goto out;
		}
		free(url);
		url = xasprintf("%s%c$top=%d&$skip=%d", path, sep, top, skip);
		svc_resp_release(&resp);
		svc_resp_init(&resp);
		rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", url, NULL, NULL, 0);
		if (rc)
			goto out;
		before_repeats = repeats;
		rc = append_values(all, resp.json, ctx, path, &ids, &repeats, &added);
		if (rc)
			goto out;
		if (added < top)
			break;
		/* A full page of nothing new: the service ignores $skip. */
		if (repeats - before_repeats == (unsigned long)added) {
			rc = core_error(ctx, CORE_ESERVICE, "GET %s: graph answered $skip=%d "
			    "with the objects of an earlier page", path, skip);
			goto out;
		}
		skip += top;
	}
out:
	free(url);
	svc_resp_release(&resp);
	strset_release(&ids);
	if (rc) {
		cJSON_Delete(all);
		return rc;
	}
	warn_repeats(ctx, path, repeats);
	*out = all;
	return CORE_OK;
}

char *
graph_error_text(struct core_ctx *ctx, long status, const cJSON *body)
{
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");
	char *text, *clean;

	if (cJSON_IsString(code) && cJSON_IsString(msg))
		text = xasprintf("%ld %s: %s", status, code->valuestring, msg->valuestring);
	else if (cJSON_IsString(msg))
		text = xasprintf("%ld: %s", status, msg->valuestring);
	else if (cJSON_IsString(code))
		text = xasprintf("%ld %s", status, code->valuestring);
	else
		text = xasprintf("status %ld", status);
	clean = result_scrub_str(ctx, text);
	free(text);
	return clean;
}

/* Retry-After of an inner response, in milliseconds; -1 when absent. */
static long
inner_retry_after_ms(const cJSON *resp)
{
	const cJSON *headers = cJSON_GetObjectItemCaseSensitive(resp, "headers");
	const cJSON *ra = cJSON_GetObjectItem(headers, "Retry-After");
	char *end;
	long s;

	if (cJSON_IsNumber(ra))
		return (long)(ra->valuedouble * 1000);
	if (!cJSON_IsString(ra))
		return -1;
	errno = 0;
	s = strtol(ra->valuestring, &end, 10);
	if (errno || end == ra->valuestring || *end || s < 0)
		return -1;
	return s * 1000;
}

static cJSON *
batch_body(struct graph_batch_item *items, const size_t *idx, size_t n)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *reqs = cJSON_AddArrayToObject(doc, "requests");
	size_t i;

	if (!doc || !reqs)
		BUG("out of memory");
	for (i = 0; i < n; i++) {
		struct graph_batch_item *it = &items[idx[i]];
		cJSON *r = cJSON_CreateObject();
		char id[24];

		if (!r)
			BUG("out of memory");
		snprintf(id, sizeof(id), "%zu", idx[i]);
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddStringToObject(r, "method", it->method);
		cJSON_AddStringToObject(r, "url", it->url);
		if (it->body) {
			cJSON *h = cJSON_AddObjectToObject(r, "headers");

			cJSON_AddStringToObject(h, "Content-Type", "application/json");
			cJSON_AddItemToObject(r, "body", cJSON_Duplicate(it->body, 1));
		}
		cJSON_AddItemToArray(reqs, r);
	}
	return doc;
}

/* Whether any of the items is counted at the Teams rate (/admin/teams paths). */
static bool
batch_teams_rate(struct graph_batch_item *items, const size_t *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strncmp(items[idx[i]].url, "/admin/teams", 12) == 0)
			return true;
	return false;
}

/*
 * Whether an inner answer is worth sending again: throttled or unavailable
 * (429, 503: not processed), or another server error for a read, which is
 * safe to repeat. Never answered (0) counts too.
 */
static bool
inner_retryable(const struct graph_batch_item *it)
{
	return it->status == 0 || http_status_retryable(it->status,
	    strcmp(it->method, "GET") == 0);
}

/* Tells the pacing of the inner request's bucket that it was throttled. */
static void
inner_throttled(struct core_ctx *ctx, const struct graph_batch_item *it, long ms)
{
	struct conn *c = ctx->conn;

	if (!c)
		return;
	if (ms > c->max_wait_ms)
		ms = c->max_wait_ms;
	pace_throttled(strncmp(it->url, "/admin/teams", 12) == 0 ?
	    &c->pace[SVC_PACE_GRAPH_TEAMS] : &c->pace[SVC_PACE_GRAPH],
	    http_mono_ms(), ms >= 0 ? http_scaled_ms(ms) : -1);
}

static bool
batch_all_reads(struct graph_batch_item *items, const size_t *idx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(items[idx[i]].method, "GET") != 0)
			return false;
	return true;
}

/*
 * Stores the inner responses of one answered batch in their items. Returns
 * the longest Retry-After among throttled items (ms), or -1 when none.
 */
static int
batch_collect(struct core_ctx *ctx, struct graph_batch_item *items, size_t n,
    const cJSON *answer, long *retry_ms)
{
	const cJSON *responses = cJSON_GetObjectItemCaseSensitive(answer, "responses");
	const cJSON *r;

	*retry_ms = -1;
	if (!cJSON_IsArray(responses))
		return core_error(ctx, CORE_ESERVICE,
		    "POST /v1.0/$batch: graph answered without a \"responses\" list");
	cJSON_ArrayForEach(r, responses) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status");
		char *end;
		unsigned long k;

		if (!cJSON_IsString(id) || !cJSON_IsNumber(status))
			continue;
		k = strtoul(id->valuestring, &end, 10);
		if (*end || k >= n)
			continue;
		items[k].status = (long)status->valuedouble;
		cJSON_Delete(items[k].response);
		items[k].response = NULL;
		if (items[k].status == 429 || items[k].status == 503) {
			long ms = inner_retry_after_ms(r);

			inner_throttled(ctx, &items[k], ms);
			if (ms > *retry_ms)
				*retry_ms = ms;
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(r, "body"))
			items[k].response = cJSON_Duplicate(
			    cJSON_GetObjectItemCaseSensitive(r, "body"), 1);
	}
	return CORE_OK;
}

int
graph_batch(struct core_ctx *ctx, struct graph_batch_item *items, size_t n)
{
	size_t *todo = NULL, ntodo, i, b, nbatches;
	struct svc_req *reqs = NULL;
	struct svc_resp *resps = NULL;
	cJSON **bodies = NULL;
	int *rcs = NULL, rc = CORE_OK, round;
	long wait_ms, ms = -1, waited_ms = 0;
	long last_status = 0;

	for (i = 0; i < n; i++) {
		items[i].status = 0;
		items[i].response = NULL;
	}
	todo = xcalloc(n ? n : 1, sizeof(*todo));
	for (ntodo = 0; ntodo < n; ntodo++)
		todo[ntodo] = ntodo;
	for (round = 0; ntodo > 0; round++) {
		nbatches = (ntodo + GRAPH_BATCH_MAX - 1) / GRAPH_BATCH_MAX;
		reqs = xcalloc(nbatches, sizeof(*reqs));
		resps = xcalloc(nbatches, sizeof(*resps));
		bodies = xcalloc(nbatches, sizeof(*bodies));
		rcs = xcalloc(nbatches, sizeof(*rcs));
		for (b = 0; b < nbatches; b++) {
			size_t first = b * GRAPH_BATCH_MAX;
			size_t cnt = ntodo - first < GRAPH_BATCH_MAX ? ntodo - first : GRAPH_BATCH_MAX;

			bodies[b] = batch_body(items, todo + first, cnt);
			reqs[b].svc = SVC_GRAPH;
			reqs[b].method = "POST";
			reqs[b].path = route_get(RT_G_BATCH)->path;
			reqs[b].body = bodies[b];
			reqs[b].flags = batch_all_reads(items, todo + first, cnt) ? SVC_IDEMPOTENT : 0;
			if (batch_teams_rate(items, todo + first, cnt))
				reqs[b].flags |= SVC_TEAMS_RATE;
			reqs[b].pace_cost = (int)cnt;
			svc_resp_init(&resps[b]);
		}
		rc = svc_call_many(resps, rcs, ctx, reqs, nbatches);
		wait_ms = -1;
		for (b = 0; !rc && b < nbatches; b++) {
			rc = rcs[b];
			if (!rc)
				rc = batch_collect(ctx, items, n, resps[b].json, &ms);
			if (!rc && ms > wait_ms)
				wait_ms = ms;
		}
		for (b = 0; b < nbatches; b++) {
			svc_resp_release(&resps[b]);
			cJSON_Delete(bodies[b]);
		}
		free(reqs);
		free(resps);
		free(bodies);
		free(rcs);
		reqs = NULL;
		resps = NULL;
		bodies = NULL;
		rcs = NULL;
		if (rc)
			goto out;
		/*
		 * What is left: items throttled inside the batch, reads that met
		 * a server error, items never answered. Writes that met a server
		 * error keep it: the caller reads back before deciding.
		 */
		for (i = 0, ntodo = 0; i < n; i++) {
			if (!inner_retryable(&items[i]))
				continue;
			todo[ntodo++] = i;
			last_status = items[i].status;
		}
		if (ntodo == 0)
			break;
		if (wait_ms < 0)
			wait_ms = 1000L << (round < 5 ? round : 5);
		/* svc_call_many() answered: the connection is open, its limits checked. */
		if (round >= ctx->conn->max_retries || (ctx->conn->retry_timeout_ms > 0 &&
		    waited_ms + wait_ms > ctx->conn->retry_timeout_ms)) {
			/* The answers stay in the items: the caller reports them. */
			if (last_status >= 500 && last_status != 503)
				break;
			rc = core_error(ctx, CORE_EHTTP,
			    "POST /v1.0/$batch: %zu requests still throttled after %d "
			    "retries", ntodo, round);
			goto out;
		}
		if (wait_ms > ctx->conn->max_wait_ms) {
			rc = core_error(ctx, CORE_EHTTP,
			    "POST /v1.0/$batch asked for a %lds wait, above retry_max_wait (%lds)",
			    wait_ms / 1000, ctx->conn->max_wait_ms / 1000);
			goto out;
		}
		http_wait_ms(wait_ms);
		waited_ms += wait_ms;
	}
out:
	free(todo);
	return rc;
}

void
graph_batch_release(struct graph_batch_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON_Delete(items[i].response);
		items[i].response = NULL;
	}
}

static const char *
op_status(const cJSON *op)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(op, "status");

	return cJSON_IsString(s) ? s->valuestring : "";
}

/* The first statusDetail of a failed number in the operation, or NULL. */
static const char *
op_detail(const cJSON *op)
{
	const cJSON *numbers = cJSON_GetObjectItemCaseSensitive(op, "numbers");
	const cJSON *n, *d;

	cJSON_ArrayForEach(n, numbers) {
		d = cJSON_GetObjectItemCaseSensitive(n, "statusDetail");
		if (cJSON_IsString(d) && *d->valuestring)
			return d->valuestring;
	}
	return NULL;
}

/*
 * True when a failed read of an operation is worth repeating while time is
 * left: the service was busy or unreachable after the retries of one read.
 */
static bool
poll_can_wait(int rc, long status)
{
	return rc == CORE_EHTTP ||
	    (rc == CORE_ESERVICE && (status == 429 || status >= 500));
}

int
graph_wait_operation(cJSON **out, struct core_ctx *ctx, const char *location,
    int timeout_s)
{
	struct svc_resp resp;
	cJSON *op = NULL;
	time_t deadline = time(NULL) + timeout_s;
	long delay = 1000;
	const char *status, *detail;
	const cJSON *id;
	int rc;

	*out = NULL;
	for (;;) {
		svc_resp_init(&resp);
		rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", location, NULL, NULL, 0);
		if (rc && poll_can_wait(rc, resp.status) &&
		    time(NULL) + http_scaled_ms(delay) / 1000 <= deadline) {
			/* The operation goes on whether or not one read of it failed. */
			svc_resp_release(&resp);
			core_error_clear(ctx);
			http_wait_ms(delay);
			delay = delay * 2 > 10000 ? 10000 : delay * 2;
			continue;
		}
		if (rc) {
			svc_resp_release(&resp);
			goto out;
		}
		cJSON_Delete(op);
		op = resp.json;
		resp.json = NULL;
		svc_resp_release(&resp);
		/*
		 * The documented example wraps the operation in "value"; a bare
		 * operation is read as it is (docs/wire.md).
		 */
		if (!cJSON_GetObjectItemCaseSensitive(op, "status") &&
		    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(op, "value"))) {
			cJSON *inner = cJSON_DetachItemFromObjectCaseSensitive(op, "value");

			cJSON_Delete(op);
			op = inner;
		}
		status = op_status(op);
		if (strcmp(status, "notStarted") != 0 && strcmp(status, "running") != 0)
			break;
		if (time(NULL) + http_scaled_ms(delay) / 1000 > deadline) {
			id = cJSON_GetObjectItemCaseSensitive(op, "id");
			rc = core_error(ctx, CORE_ETIMEOUT,
			    "number operation '%s' still %s after %ds (wait_timeout)",
			    cJSON_IsString(id) ? id->valuestring : location, status,
			    timeout_s);
			goto out;
		}
		http_wait_ms(delay);
		delay = delay * 2 > 10000 ? 10000 : delay * 2;
	}
	if (strcmp(status, "succeeded") != 0) {
		detail = op_detail(op);
		rc = core_error(ctx, CORE_ESERVICE, "number operation %s: %s", status,
		    detail ? detail : "no reason given");
	}
out:
	*out = op;
	return rc;
}

static bool
unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *
graph_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), i, j = 0;
	char *out = xmalloc(n * 3 + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c)) {
			out[j++] = (char)c;
		} else {
			out[j++] = '%';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = '\0';
	return out;
}

char *
graph_literal(const char *s)
{
	struct buf b = BUF_INIT((size_t)-1);
	char *quoted, *escaped;

	if (buf_adds(&b, "'"))
		BUG("out of memory");
	for (; *s; s++)
		if (buf_add(&b, s, 1) || (*s == '\'' && buf_add(&b, s, 1)))
			BUG("out of memory");
	if (buf_adds(&b, "'"))
		BUG("out of memory");
	quoted = buf_detach(&b, NULL);
	escaped = graph_escape(quoted);
	free(quoted);
	return escaped;
}

int
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
