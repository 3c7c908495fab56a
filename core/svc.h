/*
 * svc.h - calls to the three services (login, Microsoft Graph, the Teams
 * admin API) with the module's connection options.
 *
 * This is the layer modules and the graph/teamsadmin units call. Beneath it,
 * http.h moves bytes (libcurl, retries, TLS) and auth.h obtains tokens. A call
 * names a service and a path relative to that service's base URL, or an
 * absolute URL (a nextLink or Location) which must then be under that
 * service's base URL: a bearer token is only ever sent to the configured
 * scheme and host of the service it was issued for.
 *
 * Connection options (ARGS_CONN below) are shared by every module so that
 * module_defaults for the action group reach all of them.
 *
 * Pacing: every request to Graph or the Teams admin API takes a token from
 * the bucket (pace.h) of its service, shared by the whole module run:
 * graph_requests_per_second for Graph, teams_requests_per_second for the
 * Teams admin API and, in a bucket of its own, for Graph's /admin/teams paths
 * (Microsoft throttles both at the Teams rows of its published limits,
 * docs/design/pacing.md). Sign-in requests are not paced.
 *
 * Retries: 429 and 503 always (they mean "not processed"); 500, 502, 504 and
 * dropped connections only for idempotent requests (GET, PUT, DELETE, and
 * requests flagged SVC_IDEMPOTENT). Retry-After (seconds or HTTP date) is
 * honoured up to retry_max_wait, else exponential backoff with full jitter,
 * until the request's retry budget (retry_timeout seconds from its first
 * attempt) or the task's (task_timeout seconds from the start of the module
 * run) is spent; max_retries is a ceiling on the count. A 401 triggers a
 * token refresh (the cached token is replaced) and one resend; a request
 * about to leave with a token another request has since renewed takes the
 * new one first.
 * A create that failed ambiguously (dropped connection, timeout) is never
 * repeated by this layer: svc_call() returns CORE_EHTTP with resp->ambiguous
 * set. Callers read the object back before deciding anything, usually
 * through svc_create_reconciled() below, which also treats 500/502/504
 * answers to a create as "may have happened".
 */
#ifndef DIALTONE_SVC_H
#define DIALTONE_SVC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "args.h"
#include "buf.h"
#include "core.h"

enum svc_id { SVC_LOGIN = 0, SVC_GRAPH, SVC_TEAMS, SVC_COUNT };

/* Name used in messages: "login", "graph", "teams". */
const char *svc_name(enum svc_id s);

/*
 * The connection options every module accepts, in this order. Modules write
 * { ARGS_CONN, <own options>, ARG_END }.
 */
#define ARGS_CONN \
	{ "tenant_id", ARG_STR, .fallback_env = "AZURE_TENANT_ID", ARG_NAME(ARG_LEN_NAME) }, \
	{ "client_id", ARG_STR, .fallback_env = "AZURE_CLIENT_ID", ARG_NAME(ARG_LEN_NAME) }, \
	{ "client_secret", ARG_STR, .fallback_env = "AZURE_CLIENT_SECRET", .no_log = true, .max_len = ARG_LEN_SECRET }, \
	{ "certificate_path", ARG_PATH, .fallback_env = "AZURE_CLIENT_CERTIFICATE_PATH", ARG_LINE(ARG_LEN_PATH) }, \
	{ "certificate_password", ARG_STR, .fallback_env = "AZURE_CLIENT_CERTIFICATE_PASSWORD", .no_log = true, .max_len = ARG_LEN_SECRET }, \
	{ "assertion_algorithm", ARG_STR, .def = "\"PS256\"", .choices = "PS256|RS256" }, \
	{ "cloud", ARG_STR, .def = "\"public\"", .choices = "public|usgov|dod|china" }, \
	{ "login_endpoint", ARG_STR, .fallback_env = "DIALTONE_LOGIN_ENDPOINT", ARG_LINE(ARG_LEN_URL) }, \
	{ "graph_endpoint", ARG_STR, .fallback_env = "DIALTONE_GRAPH_ENDPOINT", ARG_LINE(ARG_LEN_URL) }, \
	{ "teams_endpoint", ARG_STR, .fallback_env = "DIALTONE_TEAMS_ENDPOINT", ARG_LINE(ARG_LEN_URL) }, \
	{ "validate_certs", ARG_BOOL, .def = "true" }, \
	{ "ca_path", ARG_PATH, .fallback_env = "DIALTONE_CA_PATH", ARG_LINE(ARG_LEN_PATH) }, \
	{ "timeout", ARG_INT, .def = "30" }, \
	{ "max_retries", ARG_INT, .def = "50" }, \
	{ "retry_max_wait", ARG_INT, .def = "60" }, \
	{ "retry_timeout", ARG_INT, .def = "300" }, \
	{ "task_timeout", ARG_INT, .def = "3600" }, \
	{ "graph_requests_per_second", ARG_INT, .def = "350" }, \
	{ "teams_requests_per_second", ARG_INT, .def = "30" }, \
	{ "max_concurrency", ARG_INT, .def = "8" }, \
	{ "token_cache", ARG_PATH, .fallback_env = "DIALTONE_TOKEN_CACHE", ARG_LINE(ARG_LEN_PATH) }

/*
 * Rules among the connection options. Modules with no rules of their own use
 * svc_conn_rules; the others start their lists with these two macros.
 */
extern const struct arg_rules svc_conn_rules;
#define ARGS_CONN_EXCLUSIVE "client_secret|certificate_path"
#define ARGS_CONN_REQUIRED_BY { "certificate_password", "certificate_path" }

/* Request flags. */
enum {
	SVC_IDEMPOTENT = 1 << 0,  /* a POST that may be repeated (reads, $batch of GETs) */
	SVC_ALLOW_404 = 1 << 1,   /* 404 returns CORE_ENOTFOUND without a message */
	SVC_RAW = 1 << 2,         /* do not parse the response body as JSON */
	SVC_NO_RETRY = 1 << 3,    /* one attempt only (used by tests and polling) */
	SVC_TEAMS_RATE = 1 << 4,  /* a Graph request counted at the Teams rate
	                             (a $batch of /admin/teams paths requests) */
};

struct svc_resp {
	long status;       /* HTTP status of the last attempt; 0 when none arrived */
	cJSON *json;       /* parsed body or NULL (empty body, SVC_RAW); owned */
	struct buf raw;    /* body bytes as received (decoded from gzip) */
	char *location;    /* Location header or NULL; owned */
	char *warning;     /* X-Ms-ConfigApi-PowerShell-WarningMessage or NULL; owned */
	long retry_after_ms;  /* from the last response, -1 when absent */
	int attempts;      /* how many requests were sent */
	bool ambiguous;    /* the request may have been processed (no answer) */
};

void svc_resp_init(struct svc_resp *r);
void svc_resp_release(struct svc_resp *r);

/*
 * Checks the connection options in ctx->params (credentials present, one
 * credential kind, URLs allowed: https, or http only to loopback) and sets
 * up ctx->conn. No network traffic. Called once by main() before run() for
 * modules that talk to the services; svc_call() calls it when needed.
 * @return CORE_OK or CORE_EARGS with a message naming the option
 */
int svc_open(struct core_ctx *ctx);

/*
 * One request. path is relative to the service base ("/v1.0/users?$top=999")
 * or absolute under it. body (may be NULL) is sent as JSON. extra_headers is
 * a NULL-terminated list of "Name: value" strings (may be NULL).
 * @param[out] resp  filled on every return; release with svc_resp_release()
 * @return CORE_OK for a 2xx; CORE_ENOTFOUND for a 404 with SVC_ALLOW_404;
 *         otherwise an error with the message "METHOD /path: STATUS code: text"
 *         naming the service, decoded from the service's error body and scrubbed
 */
int svc_call(struct svc_resp *resp, struct core_ctx *ctx, enum svc_id s,
    const char *method, const char *path, const cJSON *body,
    const char *const *extra_headers, unsigned flags);

/* One request of a svc_call_many() set. */
struct svc_req {
	enum svc_id svc;
	const char *method;
	const char *path;
	const cJSON *body;
	const char *const *extra_headers;
	unsigned flags;
	int pace_cost;   /* requests the service counts (a $batch: its inner ones); 0: 1 */
};

/*
 * Sends n requests with up to max_concurrency in flight (libcurl multi),
 * each with the retry rules above; the concurrency is halved as soon as the
 * service throttles (429/503) and grows back by one per success.
 * resps[i] answers reqs[i]. rcs[i] is what svc_call() would have returned.
 * @return CORE_OK when every request was sent and answered (whatever its
 *         status: look at rcs), or the first transport/auth error
 */
int svc_call_many(struct svc_resp *resps, int *rcs, struct core_ctx *ctx,
    const struct svc_req *reqs, size_t n);

/*
 * Whether the last failed svc_call() was a write that may have taken effect:
 * it was sent and got no complete answer (resp->ambiguous: dropped
 * connection, timeout) or a 500, 502 or 504 answer. Such a create is read
 * back before anything else: svc_create_reconciled().
 */
bool svc_last_unsure(const struct core_ctx *ctx);

/* Most creates sent for one intent by svc_create_reconciled(). */
#define SVC_CREATE_TRIES 3

/*
 * One create, reconciled. create(ctx, arg) sends it; when it fails in a way
 * that may have taken effect (svc_last_unsure()), lookup(ctx, arg) reads the
 * object back by the name or key the create used: CORE_OK when it exists
 * (the create counts as done: continue with it), CORE_ENOTFOUND when it
 * does not (the create is sent again), another error to stop. A later create
 * refused as a conflict (409, or 400 "already exists": the earlier one did
 * take effect after all) is looked up once more. Never more than
 * SVC_CREATE_TRIES creates, and never a second one while the first may
 * still land unseen, except through the service's own uniqueness check.
 * @return CORE_OK, or the error of the last create or lookup (message set)
 */
int svc_create_reconciled(struct core_ctx *ctx,
    int (*create)(struct core_ctx *ctx, void *arg),
    int (*lookup)(struct core_ctx *ctx, void *arg), void *arg);

/* Requests sent by this process so far (for request-count reports). */
unsigned long svc_request_count(const struct core_ctx *ctx);

/*
 * The max_concurrency option as svc_open() checked it (1..64): what a caller
 * passes on to code that opens several requests at once. The one place the
 * option is read and checked; call it after svc_open().
 */
int svc_max_concurrency(const struct core_ctx *ctx);

#endif
