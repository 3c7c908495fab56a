/*
 * graph.h - Microsoft Graph conventions on top of svc_call(): paging by
 * @odata.nextLink and by $top/$skip, JSON $batch, long-running operations,
 * and OData literal quoting.
 *
 * Every function here fails on the first read error: a list is either
 * complete or an error, never a partial "what we got".
 */
#ifndef DIALTONE_GRAPH_H
#define DIALTONE_GRAPH_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core.h"

/* Graph caps a $batch at 20 requests. */
#define GRAPH_BATCH_MAX 20

/*
 * GETs path and every page its @odata.nextLink names, resending headers
 * (e.g. "ConsistencyLevel: eventual") on each page.
 * @param[out] out  a new array of every item of every page's "value"
 * @return CORE_OK or the first error
 */
int graph_list(cJSON **out, struct core_ctx *ctx, const char *path,
    const char *const *headers);

/* A page callback's answer that ends the listing early, without an error. */
#define GRAPH_LIST_STOP (-1)

/*
 * Called once per page of graph_list_each(), as the page arrives.
 * @param items  the page's "value" array: the callback may detach and keep
 *               items (cJSON_DetachItemViaPointer); the rest is freed with
 *               the page when the callback returns
 * @param page   the whole page (e.g. "@odata.count" on the first one)
 * @return CORE_OK to go on, GRAPH_LIST_STOP to stop without an error, or an
 *         error the callback recorded with core_error()
 */
typedef int (*graph_page_fn)(cJSON *items, const cJSON *page, void *arg);

/*
 * Like graph_list(), but hands each page to fn and frees it before the next
 * one is read, so that memory does not grow with the list.
 * @return CORE_OK (also after GRAPH_LIST_STOP), or the first error
 */
int graph_list_each(struct core_ctx *ctx, const char *path, const char *const *headers,
    graph_page_fn fn, void *arg);

/*
 * Pages with $top/$skip until a page is shorter than top (numberAssignments,
 * which has no nextLink). path may already have a query ("?$filter=...").
 * @param[out] out  a new array of every item
 */
int graph_list_skip(cJSON **out, struct core_ctx *ctx, const char *path, int top);

/* A Graph write whose answer is not needed (svc_call() with flags; body may be NULL). */
int graph_write(struct core_ctx *ctx, const char *method, const char *path,
    const cJSON *body, unsigned flags);

struct graph_batch_item {
	/* in */
	const char *method;      /* "GET", "POST", "PATCH", "DELETE" */
	const char *url;         /* relative to the version: "/users/{id}" */
	const cJSON *body;       /* or NULL */
	/* out */
	long status;             /* inner status; 0 when never answered */
	cJSON *response;         /* inner body or NULL; owned by the item */
};

/*
 * Sends items as $batch requests of up to 20, several batches in flight
 * (max_concurrency), paced as the requests they carry (a batch of
 * /admin/teams paths reads takes that many tokens of the Teams bucket). Inner
 * 429/503 answers, and inner 500/502/504 answers to GETs, are sent again
 * alone, after their Retry-After (else a doubling wait), until the
 * retry_timeout budget or max_retries is spent; an inner 429 also slows the
 * bucket down. Items are never repeated once they got any other answer (a
 * write that met a server error keeps it: the caller reads back).
 * @return CORE_OK when every item has an answer (look at each status), or a
 *         transport/auth error of a whole batch, or CORE_EHTTP when items
 *         are still throttled once the budget is spent
 */
int graph_batch(struct core_ctx *ctx, struct graph_batch_item *items, size_t n);

/* Frees each item's response (not the array). */
void graph_batch_release(struct graph_batch_item *items, size_t n);

/*
 * The error text of an inner batch response or of any Graph error body:
 * "CODE: message" (scrubbed), or "status N" when the body has no error.
 * The caller frees the string.
 */
char *graph_error_text(struct core_ctx *ctx, long status, const cJSON *body);

/*
 * Polls a telephone-number long-running operation (the Location of a 202)
 * until it leaves notStarted/running, or timeout_s passes. Waits 1, 2, 4 ...
 * up to 10 s between reads.
 * @param[out] out  the last operation object read (caller owns), also on
 *                  failure and timeout when one was read
 * @return CORE_OK when "succeeded"; CORE_ESERVICE with the statusDetail when
 *         "failed" or "skipped"; CORE_ETIMEOUT naming the operation id
 */
int graph_wait_operation(cJSON **out, struct core_ctx *ctx, const char *location,
    int timeout_s);

/*
 * Percent-encodes s for a URL path segment or query value (RFC 3986
 * unreserved characters kept). The caller frees the result.
 */
char *graph_escape(const char *s);

/*
 * An OData string literal for $filter: 'value' with quotes doubled, then
 * percent-encoded. The caller frees the result.
 */
char *graph_literal(const char *s);

#endif
