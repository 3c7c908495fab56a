/*
 * svc_internal.h - what the core shares about a connection but modules do
 * not use. Private to core/ (and to the tests of svc.c).
 *
 * struct conn is built by svc_open() from ctx->params and owned by ctx. Its
 * base URLs never end in '/'; the credentials live in conn->auth (which
 * wipes them when freed), never here.
 */
#ifndef DIALTONE_SVC_INTERNAL_H
#define DIALTONE_SVC_INTERNAL_H

#include <stdbool.h>

#include "auth.h"
#include "core.h"
#include "http.h"
#include "svc.h"

/* Longest path shown in a message with its query string. */
#define SVC_PATH_SHOWN_MAX 100
/* Longest service text (raw, not JSON) kept in a message. */
#define SVC_RAW_TEXT_MAX 300
/* Longest service message (from JSON) kept in a message. */
#define SVC_JSON_TEXT_MAX 500

/* The Teams admin application id sent on /Skype.TelephoneNumberMgmt/ paths. */
#define SVC_TNM_APPLICATION_ID "045268c0-445e-4ac1-9157-d58f67b167d9"
/* The hint added to a 401/403 from the Teams admin API. */
#define SVC_TEAMS_ROLE_HINT "the app's service principal needs the Teams " \
	"Administrator directory role"

/* The rate-limit buckets of a connection. */
enum svc_pace { SVC_PACE_GRAPH = 0, SVC_PACE_GRAPH_TEAMS, SVC_PACE_TEAMS, SVC_PACE_COUNT };

struct conn {
	char *base[SVC_COUNT];     /* login, graph, teams base URLs */
	char *graph_scope;         /* "{graph host}/.default" */
	char *cloud;
	int max_concurrency;  /* checked: 1..64 */
	int max_retries;      /* the retry options, checked, for $batch retries */
	long max_wait_ms;
	long retry_timeout_ms;
	struct http *http;
	struct auth *auth;
	struct http_many_stats many;  /* of the last svc_call_many() */
	struct pace pace[SVC_PACE_COUNT];  /* shared by every request of the run */
	bool last_unsure;    /* the last failed svc_call() was an unsure write */
	long last_status;    /* status of the last svc_call() (0: no answer) */
};

/* Frees a connection made by svc_open(); conn_free(NULL) does nothing. */
void conn_free(struct conn *c);

/*
 * The Graph scope for a Graph base URL: "https://{host}/.default" when host
 * is one of the clouds' Graph hosts, else AUTH_GRAPH_SCOPE_DEFAULT (a
 * simulator or proxy still receives tokens for Microsoft Graph). The caller
 * frees the result.
 */
char *svc_graph_scope(const char *graph_base);

/*
 * The URL to send path to, and the path as messages show it.
 * A relative path is appended to the service base; an absolute URL is kept
 * as given when its scheme, host and port are the base's and its path lies
 * under the base's path, and refused otherwise (the token is not sent).
 * @param[out] url    the caller frees it
 * @param[out] shown  "/v1.0/users?$top=5" relative to the base, without the
 *                    query string when longer than SVC_PATH_SHOWN_MAX; the
 *                    caller frees it
 * @return CORE_OK, or CORE_EREFUSED with the message set
 */
int svc_build_url(char **url, char **shown, struct core_ctx *ctx,
    const struct conn *c, enum svc_id s, const char *path);

/*
 * The message for a failed answer: "graph: GET /v1.0/users: 404 Code: text",
 * decoded from the body (graph: {"error":{"code","message"}}; teams: that,
 * then top-level Message/message, then the raw text trimmed to
 * SVC_RAW_TEXT_MAX), with " (after N attempts)" when a retryable status
 * (429, 500, 502, 503, 504) was still the answer after retries,
 * and the Teams role hint on a teams 401/403. Scrubbed of every secret of
 * ctx. The caller frees the result.
 */
char *svc_error_message(const struct core_ctx *ctx, enum svc_id s,
    const char *method, const char *shown, long status, const char *body,
    int attempts);

#endif
