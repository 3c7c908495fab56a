/*
 * http.h - moving bytes: libcurl handles, TLS, timeouts, size-capped bodies
 * and the retry policy. Knows nothing of tokens or JSON; svc.h sits above.
 *
 * One struct http per process (it lives in ctx->conn). It keeps one easy
 * handle for sequential requests and a pool of easy handles for
 * http_send_many(), all sharing one connection cache, DNS cache and TLS
 * session cache, so a connection to a host is opened once and reused
 * (keep-alive; HTTP/2 where the server offers it over TLS). Bodies are
 * decoded from gzip by libcurl.
 *
 * TLS is always verified unless validate_certs is false (a module warning
 * says so). ca_path names a PEM file or a directory of CA certificates used
 * instead of the system store. Plain http:// is refused except to loopback
 * addresses (127.0.0.0/8, ::1, localhost): see http_url_check().
 *
 * A non-idempotent request always gets a new connection (CURLOPT_FRESH_CONNECT):
 * on a reused connection that closes without answering, libcurl would send
 * it again by itself, and a create must never be repeated behind our back.
 *
 * Nothing here writes to stdout or stderr: libcurl is quiet (no VERBOSE,
 * an error buffer, NOSIGNAL), and every failure becomes one message recorded
 * with core_error().
 *
 * Retry policy (http_decide(), pure and unit-tested):
 *   - 429 and 503 are retried for every request (they mean "not processed");
 *   - 500, 502, 504 and requests that were sent but got no complete answer
 *     (dropped connection, receive error, timeout) are retried only when the
 *     request is idempotent; a non-idempotent request with no answer is
 *     "ambiguous": it may have been processed, so it is never repeated;
 *   - a request that never left (connection refused, connect timeout) is
 *     always retried;
 *   - 401 asks the caller's reauth hook for a new token, then resends (the
 *     resend does not count as a retry); once per run of 401 answers, so a
 *     token revoked again later in a long retry series is renewed again;
 *   - the wait is Retry-After (delta-seconds or HTTP-date) when present, and
 *     fails the request when above max_wait; otherwise exponential backoff
 *     with full jitter: uniform in [0, min(30 s, 500 ms * 2^retry)];
 *   - retries stop when the request's retry budget (retry_timeout_ms, from
 *     its first attempt) or the task's (task_timeout_ms, from http_new())
 *     is spent, or after max_retries retries, whichever comes first: the
 *     budget is time, the count is only a ceiling.
 *
 * Pacing: a request with a struct pace (pace.h) waits for a token of it
 * before each attempt; 429/503 answers slow and pause that bucket, other
 * answers let it speed up again. Concurrency stays a ceiling on top.
 *
 * Test hook: the environment variable DIALTONE_TEST_BACKOFF_SCALE (a
 * non-negative decimal, e.g. "0.01") multiplies every real wait (backoff and
 * Retry-After alike) so tests of the retry loop run quickly. It changes how
 * long the process sleeps, never a decision: the retry_max_wait comparison
 * uses the unscaled value. It is read once, only by http.c. Never set it in
 * production.
 */
#ifndef DIALTONE_HTTP_H
#define DIALTONE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "buf.h"
#include "core.h"
#include "pace.h"

/* Backoff constants (full jitter). */
#define HTTP_BACKOFF_BASE_MS 500L
#define HTTP_BACKOFF_CAP_MS 30000L
/* Cap on the response header block of one response. */
#define HTTP_HEADERS_MAX ((size_t)256 * 1024)

struct http;

struct http_opts {
	long timeout_s;          /* total time of one attempt; > 0 */
	long connect_timeout_s;  /* 0: min(timeout_s, 10) */
	bool validate_certs;
	const char *ca_path;     /* PEM file or directory; NULL: system store */
	int max_retries;         /* retries after the first attempt; >= 0 */
	long max_wait_ms;        /* longest Retry-After accepted */
	long retry_timeout_ms;   /* retry budget of one request; 0: none */
	long task_timeout_ms;    /* no retry after this long since http_new(); 0: none */
	size_t max_body;         /* 0: BUF_DEFAULT_MAX */
};

/*
 * Creates the per-process HTTP state. No network traffic. Adds the
 * validate_certs warning to ctx when certificates are not verified.
 * The caller frees the result with http_free(). Aborts on no memory.
 */
struct http *http_new(struct core_ctx *ctx, const struct http_opts *o);
/* Closes every connection and frees h; http_free(NULL) does nothing. */
void http_free(struct http *h);

struct http_req;

/*
 * Called on a 401 when the request has a hook: obtain a new token and
 * replace req->headers (free the old list). Called at most once per request.
 * @return CORE_OK to resend, or an error (message set) to stop
 */
typedef int (*http_reauth_fn)(struct http_req *req, void *userp);

struct http_req {
	const char *method;          /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;             /* absolute; checked by the caller */
	const char *service;         /* "graph", first word of messages; may be NULL */
	const char *label;           /* "GET /v1.0/users", for messages */
	struct curl_slist *headers;  /* owned by the caller; reauth may replace */
	const char *body;            /* NULL: no body */
	size_t body_len;
	bool idempotent;             /* safe to repeat after a lost answer */
	bool no_retry;               /* one attempt only (the 401 resend aside) */
	http_reauth_fn reauth;       /* NULL: a 401 is a final answer */
	void *userp;                 /* passed to reauth */
	http_reauth_fn refresh;      /* NULL, or called before each attempt: may replace
	                                req->headers with a newer token another request
	                                obtained (an error from it is ignored) */
	bool reauth_shared;          /* set by reauth when it took a token another
	                                request had just renewed: a 401 to it may
	                                ask again (that token may be revoked too) */
	struct pace *pace;           /* rate limiter shared with other requests; may be NULL */
	int pace_cost;               /* tokens one attempt takes (a $batch: its requests); 0: 1 */
};

struct http_resp {
	long status;           /* last answer; 0 when no complete answer arrived */
	struct buf body;       /* body of the last answer (decoded) */
	struct buf headers;    /* header block of the last answer */
	long retry_after_ms;   /* Retry-After of the last answer, -1 when absent */
	int attempts;          /* requests sent */
	bool ambiguous;        /* non-idempotent, sent, no answer */
};

/* Sets up r with the body limit of h (or BUF_DEFAULT_MAX when h is NULL). */
void http_resp_init(struct http_resp *r, const struct http *h);
void http_resp_release(struct http_resp *r);

/*
 * Value of the response header name (case-insensitive; the last one wins),
 * trimmed, as a new string the caller frees; NULL when absent.
 */
char *http_resp_header(const struct http_resp *r, const char *name);

/*
 * Sends req, retrying as the policy says.
 * @param[out] resp  filled on every return (init it first)
 * @return CORE_OK when an answer arrived, whatever its status (a status
 *         still failing after the last retry is returned as such: look at
 *         resp->status); CORE_EHTTP with the message set for transport
 *         failures, an ambiguous request (resp->ambiguous), a Retry-After
 *         above max_wait, a body above the limit; the reauth hook's error
 */
int http_send(struct http_resp *resp, struct http *h, struct core_ctx *ctx,
    struct http_req *req);

/* Counters for the statistics of http_send_many(). */
struct http_many_stats {
	int peak_in_flight;   /* most transfers in flight at once */
	int min_window;       /* smallest concurrency window reached */
	int throttled;        /* 429/503 answers seen */
};

/*
 * Sends n requests with at most max_concurrency (1 or more, as svc_open()
 * checked it) in flight (libcurl multi),
 * each with the rules of http_send(). The window starts at max_concurrency,
 * is halved (not below 1) when a 429 or 503 arrives for a request started
 * after the previous cut, and grows back by one per 2xx answer.
 * resps[i] and rcs[i] answer reqs[i] as http_send() would.
 * @param[out] stats  may be NULL
 * @return CORE_OK, or the first error of rcs in time order (its message set)
 */
int http_send_many(struct http_resp *resps, int *rcs, struct http *h,
    struct core_ctx *ctx, struct http_req *reqs, size_t n, int max_concurrency,
    struct http_many_stats *stats);

/* Requests sent by h so far (every attempt counts). */
unsigned long http_request_count(const struct http *h);
/* New connections h opened so far (a reused connection does not count). */
unsigned long http_connect_count(const struct http *h);

/*
 * URL policy. A URL must be https://, or http:// to a loopback host.
 * http_url_is_loopback() is true for the hosts 127.0.0.0/8, ::1 (also as
 * ::ffff:127.x.y.z) and localhost, whatever the scheme.
 */
bool http_url_is_loopback(const char *url);
/*
 * Checks url for use as the base URL given by option (named in messages).
 * @return CORE_OK, or CORE_EARGS: not a URL, a scheme other than https, or
 *         plain http to a host that is not loopback
 */
int http_url_check(struct core_ctx *ctx, const char *url, const char *option);

/* ---- retry policy: pure functions ---- */

/* What happened to one attempt at transport level. */
enum http_transport {
	HTTP_T_ANSWER = 0,  /* a complete answer arrived: the status decides */
	HTTP_T_UNSENT,      /* failed before the request left: safe to repeat */
	HTTP_T_NOANSWER,    /* sent (maybe partly), no complete answer */
	HTTP_T_FATAL,       /* not worth repeating: TLS, DNS, bad URL, too large */
};

/*
 * Classifies a libcurl result. sent tells whether the connection was up and
 * the request started leaving (CURLINFO_PRETRANSFER_TIME > 0).
 */
enum http_transport http_transport_class(CURLcode code, bool sent);

/* True when an answer with this status is worth repeating. */
bool http_status_retryable(long status, bool idempotent);

enum http_action {
	HTTP_DONE = 0,    /* a final answer: hand it back */
	HTTP_RETRY,       /* wait *delay_ms, then send again */
	HTTP_REAUTH,      /* 401: new token, then send again */
	HTTP_GIVE_UP,     /* worth repeating, but the retry budget is spent */
	HTTP_TOO_LONG,    /* Retry-After (in *delay_ms) is above max_wait */
	HTTP_AMBIGUOUS,   /* non-idempotent, sent, no answer: never repeat */
	HTTP_FAILED,      /* a transport failure not worth repeating */
};

/* A seedable PRNG (splitmix64) for the jitter; tests seed it. */
struct http_rng {
	uint64_t state;
};

void http_rng_seed(struct http_rng *rng, uint64_t seed);
uint64_t http_rng_next(struct http_rng *rng);

struct http_policy {
	int max_retries;
	long max_wait_ms;
	long left_ms;   /* retry time left: 0 no limit, < 0 spent */
};

/*
 * Full-jitter backoff before retry number retry (0 for the first retry):
 * uniform in [0, min(HTTP_BACKOFF_CAP_MS, HTTP_BACKOFF_BASE_MS * 2^retry)].
 */
long http_backoff_ms(struct http_rng *rng, int retry);

/*
 * Parses a Retry-After value: delta-seconds, or an HTTP-date taken relative
 * to now (a date in the past is 0).
 * @return milliseconds, or -1 when value is NULL, empty or not valid
 */
long http_retry_after_ms(const char *value, time_t now);

/*
 * The next step after one attempt.
 * @param[out] delay_ms  the wait for HTTP_RETRY (backoff clamped to
 *                       max_wait and to the time left), the asked wait for
 *                       HTTP_TOO_LONG, else 0. A Retry-After longer than
 *                       the time left gives HTTP_GIVE_UP.
 * @param t              what happened at transport level
 * @param status         the answer's status (only read for HTTP_T_ANSWER)
 * @param retries        retries already made for this request
 * @param retry_after_ms from the answer, -1 when absent
 */
enum http_action http_decide(long *delay_ms, const struct http_policy *p,
    struct http_rng *rng, enum http_transport t, long status, bool idempotent,
    int retries, long retry_after_ms);

/*
 * Waits between polls of something the service does asynchronously
 * (operations, replication, grants): ms milliseconds, times the test scale.
 * Callers that compare a wait with a deadline use http_scaled_ms() for it,
 * so a scaled test run behaves as a real one does, only faster.
 */
void http_wait_ms(long ms);
long http_scaled_ms(long ms);
/* Monotonic clock in milliseconds (the time pace.h works with). */
uint64_t http_mono_ms(void);

#endif
