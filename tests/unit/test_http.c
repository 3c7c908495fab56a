/*
 * test_http.c - the transport: retry policy (pure functions, tables),
 * Retry-After, backoff jitter, URL policy, and the retry loop against a
 * scripted loopback server (oversized bodies, dropped connections, gzip).
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "testutil.h"
#include "http.h"
#include "miniserver.h"

TestSuite(http, .timeout = 60);

/* ---- retry decisions ---- */

Test(http, retries_each_status_by_idempotency_as_the_policy_says)
{
	static const struct {
		long status;
		bool idempotent;
		enum http_action want;
	} cases[] = {
		{ 200, true, HTTP_DONE },
		{ 201, false, HTTP_DONE },
		{ 204, false, HTTP_DONE },
		{ 400, true, HTTP_DONE },
		{ 401, true, HTTP_REAUTH },
		{ 401, false, HTTP_REAUTH },
		{ 403, true, HTTP_DONE },
		{ 404, true, HTTP_DONE },
		{ 409, false, HTTP_DONE },
		{ 429, true, HTTP_RETRY },
		{ 429, false, HTTP_RETRY },
		{ 503, true, HTTP_RETRY },
		{ 503, false, HTTP_RETRY },
		{ 500, true, HTTP_RETRY },
		{ 500, false, HTTP_DONE },
		{ 502, true, HTTP_RETRY },
		{ 502, false, HTTP_DONE },
		{ 504, true, HTTP_RETRY },
		{ 504, false, HTTP_DONE },
		{ 501, true, HTTP_DONE },
	};
	struct http_policy p = { 5, 60000 };
	struct http_rng rng;
	long delay;
	size_t i;

	http_rng_seed(&rng, 1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		enum http_action got = http_decide(&delay, &p, &rng, HTTP_T_ANSWER,
		    cases[i].status, cases[i].idempotent, 0, -1);

		cr_expect_eq(got, cases[i].want, "status %ld idempotent %d: got %d, want %d",
		    cases[i].status, cases[i].idempotent, got, cases[i].want);
	}
}

Test(http, retries_a_lost_answer_only_when_the_request_is_idempotent)
{
	static const struct {
		enum http_transport t;
		bool idempotent;
		enum http_action want;
	} cases[] = {
		{ HTTP_T_NOANSWER, true, HTTP_RETRY },
		{ HTTP_T_NOANSWER, false, HTTP_AMBIGUOUS },
		{ HTTP_T_UNSENT, true, HTTP_RETRY },
		{ HTTP_T_UNSENT, false, HTTP_RETRY },
		{ HTTP_T_FATAL, true, HTTP_FAILED },
		{ HTTP_T_FATAL, false, HTTP_FAILED },
	};
	struct http_policy p = { 5, 60000 };
	struct http_rng rng;
	long delay;
	size_t i;

	http_rng_seed(&rng, 2);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		enum http_action got = http_decide(&delay, &p, &rng, cases[i].t, 0,
		    cases[i].idempotent, 0, 2000);

		cr_expect_eq(got, cases[i].want, "transport %d idempotent %d: got %d",
		    cases[i].t, cases[i].idempotent, got);
		if (got == HTTP_RETRY)
			cr_expect_leq(delay, HTTP_BACKOFF_BASE_MS,
			    "a lost answer backs off; no Retry-After applies");
	}
}

Test(http, classifies_libcurl_errors_by_whether_the_request_left)
{
	static const struct {
		CURLcode code;
		bool sent;
		enum http_transport want;
	} cases[] = {
		{ CURLE_OK, true, HTTP_T_ANSWER },
		{ CURLE_COULDNT_CONNECT, false, HTTP_T_UNSENT },
		{ CURLE_OPERATION_TIMEDOUT, false, HTTP_T_UNSENT },
		{ CURLE_OPERATION_TIMEDOUT, true, HTTP_T_NOANSWER },
		{ CURLE_RECV_ERROR, true, HTTP_T_NOANSWER },
		{ CURLE_RECV_ERROR, false, HTTP_T_UNSENT },
		{ CURLE_SEND_ERROR, true, HTTP_T_NOANSWER },
		{ CURLE_GOT_NOTHING, true, HTTP_T_NOANSWER },
		{ CURLE_PARTIAL_FILE, true, HTTP_T_NOANSWER },
		{ CURLE_HTTP2_STREAM, true, HTTP_T_NOANSWER },
		{ CURLE_PEER_FAILED_VERIFICATION, false, HTTP_T_FATAL },
		{ CURLE_SSL_CONNECT_ERROR, false, HTTP_T_FATAL },
		{ CURLE_COULDNT_RESOLVE_HOST, false, HTTP_T_FATAL },
		{ CURLE_WRITE_ERROR, true, HTTP_T_FATAL },
		{ CURLE_URL_MALFORMAT, false, HTTP_T_FATAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cr_expect_eq(http_transport_class(cases[i].code, cases[i].sent),
		    cases[i].want, "%s (sent %d)", curl_easy_strerror(cases[i].code),
		    cases[i].sent);
}

Test(http, gives_up_once_max_retries_are_spent)
{
	struct http_policy p = { 3, 60000 };
	struct http_rng rng;
	long delay;
	int r;

	http_rng_seed(&rng, 3);
	for (r = 0; r < 3; r++)
		cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, true, r, -1),
		    HTTP_RETRY, "retry %d of 3", r);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, true, 3, -1),
	    HTTP_GIVE_UP);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_NOANSWER, 0, true, 3, -1),
	    HTTP_GIVE_UP);
	p.max_retries = 0;
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, false, 0, 1000),
	    HTTP_GIVE_UP, "max_retries 0 means one attempt");
}

Test(http, honours_retry_after_up_to_the_cap_and_refuses_a_longer_wait)
{
	struct http_policy p = { 5, 60000 };
	struct http_rng rng;
	long delay;

	http_rng_seed(&rng, 4);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, true, 0, 2000),
	    HTTP_RETRY);
	cr_expect_eq(delay, 2000);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, false, 1, 60000),
	    HTTP_RETRY, "exactly the cap is accepted");
	cr_expect_eq(delay, 60000);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, true, 0, 120000),
	    HTTP_TOO_LONG);
	cr_expect_eq(delay, 120000, "the asked wait is reported");
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, true, 0, 0),
	    HTTP_RETRY);
	cr_expect_eq(delay, 0);
}

Test(http, gives_up_when_the_retry_time_is_spent)
{
	struct http_rng rng;
	struct http_policy p = { 100, 60000, 5000 };
	long delay;

	http_rng_seed(&rng, 3);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, true, 0, 4000),
	    HTTP_RETRY);
	cr_expect_eq(delay, 4000);
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 429, true, 0, 6000),
	    HTTP_GIVE_UP, "a Retry-After past the budget ends the retries");
	p.left_ms = -1;
	cr_expect_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, true, 0, -1),
	    HTTP_GIVE_UP, "spent");
	p.left_ms = 10;
	cr_assert_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, true, 8, -1),
	    HTTP_RETRY);
	cr_expect_leq(delay, 10, "backoff clamped to the time left");
}

Test(http, clamps_backoff_to_retry_max_wait)
{
	struct http_policy p = { 20, 1000 };
	struct http_rng rng;
	long delay;
	int i;

	http_rng_seed(&rng, 5);
	for (i = 0; i < 200; i++) {
		cr_assert_eq(http_decide(&delay, &p, &rng, HTTP_T_ANSWER, 503, true, 10, -1),
		    HTTP_RETRY);
		cr_assert_leq(delay, 1000);
	}
}

/* ---- Retry-After ---- */

Test(http, parses_retry_after_as_seconds_or_an_http_date)
{
	/* 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example). */
	static const time_t now = 784111777;
	static const struct {
		const char *in;
		long want;
	} cases[] = {
		{ "0", 0 },
		{ "1", 1000 },
		{ "120", 120000 },
		{ " 7 ", 7000 },
		{ "Sun, 06 Nov 1994 08:50:07 GMT", 30000 },     /* IMF-fixdate */
		{ "Sunday, 06-Nov-94 08:51:37 GMT", 120000 },   /* RFC 850 */
		{ "Sun Nov  6 08:49:47 1994", 10000 },          /* asctime */
		{ "Sun, 06 Nov 1994 08:49:37 GMT", 0 },         /* now */
		{ "Sat, 05 Nov 1994 08:49:37 GMT", 0 },         /* past */
		{ "99999999999999999999", LONG_MAX },          /* absurd: far above any cap */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cr_expect_eq(http_retry_after_ms(cases[i].in, now), cases[i].want,
		    "'%s': got %ld, want %ld", cases[i].in,
		    http_retry_after_ms(cases[i].in, now), cases[i].want);
}

Test(http, rejects_a_retry_after_that_is_neither_form)
{
	static const char *const bad[] = {
		"", "   ", "soon", "1.5", "-1", "12abc", "0x10", "+5", "Someday",
	};
	size_t i;

	cr_expect_eq(http_retry_after_ms(NULL, 0), -1);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_expect_eq(http_retry_after_ms(bad[i], 784111777), -1, "'%s'", bad[i]);
}

/* ---- backoff ---- */

Test(http, backoff_draws_stay_within_full_jitter_bounds)
{
	struct http_rng rng;
	long d, lo, hi, limit;
	double sum;
	int r, i;
	const int draws = 4000;

	http_rng_seed(&rng, 42);
	for (r = 0; r < 10; r++) {
		limit = HTTP_BACKOFF_BASE_MS << r;
		if (limit > HTTP_BACKOFF_CAP_MS)
			limit = HTTP_BACKOFF_CAP_MS;
		lo = LONG_MAX;
		hi = -1;
		sum = 0;
		for (i = 0; i < draws; i++) {
			d = http_backoff_ms(&rng, r);
			cr_assert(d >= 0 && d <= limit, "retry %d: %ld outside [0, %ld]", r, d, limit);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
			sum += (double)d;
		}
		/* Uniform: it reaches both ends and centres on limit / 2. */
		cr_expect_leq(lo, limit / 20, "retry %d: smallest %ld", r, lo);
		cr_expect_geq(hi, limit - limit / 20, "retry %d: largest %ld", r, hi);
		cr_expect(sum / draws > limit * 0.45 && sum / draws < limit * 0.55,
		    "retry %d: mean %.0f for limit %ld", r, sum / draws, limit);
	}
}

Test(http, backoff_is_reproducible_from_a_seed)
{
	struct http_rng a, b;
	int i;

	http_rng_seed(&a, 7);
	http_rng_seed(&b, 7);
	for (i = 0; i < 100; i++)
		cr_assert_eq(http_backoff_ms(&a, i % 8), http_backoff_ms(&b, i % 8));
}

/* ---- URL policy ---- */

Test(http, knows_which_hosts_are_loopback)
{
	static const struct {
		const char *url;
		bool want;
	} cases[] = {
		{ "http://127.0.0.1:8080/graph", true },
		{ "http://127.0.0.2/", true },
		{ "http://127.255.255.254", true },
		{ "http://[::1]:5000/x", true },
		{ "http://[::ffff:127.0.0.1]/", true },
		{ "http://localhost:1/", true },
		{ "http://LOCALHOST/", true },
		{ "https://localhost/", true },
		{ "http://128.0.0.1/", false },
		{ "http://10.0.0.1/", false },
		{ "http://[::2]/", false },
		{ "http://127.0.0.1.nip.io/", false },
		{ "http://localhost.example.com/", false },
		{ "http://example.com/", false },
		{ "http://user@example.com/", false },
		{ "not a url", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cr_expect_eq(http_url_is_loopback(cases[i].url), cases[i].want, "%s",
		    cases[i].url);
}

Test(http, accepts_https_anywhere_and_http_only_to_loopback)
{
	static const struct {
		const char *url;
		int want;
	} cases[] = {
		{ "https://graph.microsoft.com", CORE_OK },
		{ "https://example.com/graph", CORE_OK },
		{ "http://127.0.0.1:4000/graph", CORE_OK },
		{ "http://127.0.0.2:4000", CORE_OK },
		{ "http://[::1]:4000/teams", CORE_OK },
		{ "http://localhost:4000/login", CORE_OK },
		{ "http://example.com", CORE_EARGS },
		{ "http://10.1.2.3/graph", CORE_EARGS },
		{ "ftp://127.0.0.1/", CORE_EARGS },
		{ "graph.microsoft.com", CORE_EARGS },
		{ "", CORE_EARGS },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct core_ctx ctx;

		core_ctx_init(&ctx, "test");
		cr_expect_eq(http_url_check(&ctx, cases[i].url, "graph_endpoint"),
		    cases[i].want, "%s: %s", cases[i].url, ctx.msg ? ctx.msg : "ok");
		core_ctx_release(&ctx);
	}
}

Test(http, names_the_option_when_refusing_plain_http)
{
	struct core_ctx ctx;

	core_ctx_init(&ctx, "test");
	cr_assert_eq(http_url_check(&ctx, "http://example.com", "graph_endpoint"),
	    CORE_EARGS);
	cr_expect(strstr(MSG(ctx), "graph_endpoint 'http://example.com'") != NULL, "%s", ctx.msg);
	cr_expect(strstr(MSG(ctx), "loopback") != NULL, "%s", ctx.msg);
	cr_expect(strstr(MSG(ctx), "use https") != NULL, "%s", ctx.msg);
	core_ctx_release(&ctx);
}

/* ---- the retry loop on the wire ---- */

struct wire {
	struct core_ctx ctx;
	struct miniserver srv;
	struct http *h;
	struct http_resp resp;
	struct http_req req;
	char url[128];
};

static void
wire_start(struct wire *w, const struct mini_reply *script, size_t n,
    const struct http_opts *o)
{
	/* Read once per process by http.c: no real sleeping in these tests. */
	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0", 1);
	core_ctx_init(&w->ctx, "test");
	cr_assert_eq(mini_start(&w->srv, script, n), 0, "miniserver did not start");
	w->h = http_new(&w->ctx, o);
	http_resp_init(&w->resp, w->h);
	snprintf(w->url, sizeof(w->url), "%s/v1.0/users", w->srv.url);
	memset(&w->req, 0, sizeof(w->req));
	w->req.method = "GET";
	w->req.url = w->url;
	w->req.service = "graph";
	w->req.label = "GET /v1.0/users";
	w->req.idempotent = true;
}

static void
wire_stop(struct wire *w)
{
	http_resp_release(&w->resp);
	http_free(w->h);
	mini_stop(&w->srv);
	core_ctx_release(&w->ctx);
}

static const struct http_opts wire_opts = {
	.timeout_s = 5, .validate_certs = true, .max_retries = 3, .max_wait_ms = 60000,
};

#define OK_JSON "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
	"Content-Length: 11\r\n\r\n{\"ok\":true}"
#define UNAVAILABLE "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n" \
	"Content-Length: 0\r\n\r\n"

Test(http, retries_a_503_and_returns_the_answer_that_follows)
{
	static const struct mini_reply script[] = {
		{ UNAVAILABLE, 0, MINI_KEEP },
		{ UNAVAILABLE, 0, MINI_KEEP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK, "%s", w.ctx.msg);
	cr_expect_eq(w.resp.status, 200);
	cr_expect_eq(w.resp.attempts, 3);
	cr_expect_str_eq(w.resp.body.data, "{\"ok\":true}");
	cr_expect_eq(w.srv.shared->connections, 1, "one kept-alive connection");
	cr_expect_eq(http_connect_count(w.h), 1);
	cr_expect_eq(http_request_count(w.h), 3);
	wire_stop(&w);
}

Test(http, returns_the_last_status_after_max_retries)
{
	static const struct mini_reply script[] = { { UNAVAILABLE, 0, MINI_KEEP } };
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 503);
	cr_expect_eq(w.resp.attempts, 4, "1 attempt + max_retries 3");
	cr_expect_eq(w.srv.shared->requests, 4);
	wire_stop(&w);
}

Test(http, fails_when_retry_after_is_above_retry_max_wait)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n"
		  "Content-Length: 0\r\n\r\n", 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_EHTTP);
	cr_expect_str_eq(w.ctx.msg, "graph: 'GET /v1.0/users' asked for a 120s wait, "
	    "above retry_max_wait (60s)");
	cr_expect_eq(w.resp.status, 429);
	cr_expect_eq(w.resp.retry_after_ms, 120000);
	cr_expect_eq(w.srv.shared->requests, 1);
	wire_stop(&w);
}

Test(http, refuses_a_body_above_the_limit_naming_url_and_limit)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
		  "0123456789012345678901234567890123456789012345678901234567890123",
		  0, MINI_KEEP },
	};
	struct http_opts o = wire_opts;
	struct wire w;
	char want[256];

	o.max_body = 32;
	wire_start(&w, script, ARRAY_SIZE(script), &o);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_EHTTP);
	snprintf(want, sizeof(want), "graph: GET /v1.0/users: the response from "
	    "'%s' is larger than the 32-byte limit", w.url);
	cr_expect_str_eq(w.ctx.msg, want);
	cr_expect_eq(w.srv.shared->requests, 1, "a too-large body is not retried");
	wire_stop(&w);
}

Test(http, retries_a_dropped_read_but_never_repeats_a_dropped_create)
{
	static const struct mini_reply script[] = {
		{ "", 0, MINI_DROP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK, "%s", w.ctx.msg);
	cr_expect_eq(w.resp.status, 200);
	cr_expect_eq(w.srv.shared->requests, 2, "the read was sent again");
	wire_stop(&w);

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.method = "POST";
	w.req.label = "POST /v1.0/users";
	w.req.body = "{\"a\":1}";
	w.req.body_len = 7;
	w.req.idempotent = false;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_EHTTP);
	cr_expect(w.resp.ambiguous);
	cr_expect_eq(w.resp.status, 0);
	cr_expect_eq(w.srv.shared->requests, 1, "the create was sent once");
	cr_expect(strstr(MSG(w.ctx), "graph: POST /v1.0/users: no answer") == MSG(w.ctx),
	    "%s", w.ctx.msg);
	cr_expect(strstr(MSG(w.ctx), "may have been processed") != NULL, "%s", w.ctx.msg);
	wire_stop(&w);
}

Test(http, retries_a_429_even_for_a_create)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\n"
		  "Content-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ "HTTP/1.1 201 Created\r\nLocation: /v1.0/users/1\r\n"
		  "Content-Length: 2\r\n\r\n{}", 0, MINI_KEEP },
	};
	struct wire w;
	char *loc;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.method = "POST";
	w.req.body = "{}";
	w.req.body_len = 2;
	w.req.idempotent = false;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK, "%s", w.ctx.msg);
	cr_expect_eq(w.resp.status, 201);
	loc = http_resp_header(&w.resp, "location");
	cr_expect_str_eq(loc, "/v1.0/users/1");
	free(loc);
	cr_expect_eq(w.srv.shared->requests, 2);
	wire_stop(&w);
}

Test(http, does_not_retry_a_500_for_a_create)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.method = "POST";
	w.req.idempotent = false;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 500);
	cr_expect_eq(w.srv.shared->requests, 1);
	wire_stop(&w);
}

static int reauth_calls;

static int
count_reauth(struct http_req *req, void *userp)
{
	(void)req;
	(void)userp;
	reauth_calls++;
	return CORE_OK;
}

Test(http, asks_for_a_new_token_once_on_401)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.reauth = count_reauth;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 401, "a second 401 is the answer");
	cr_expect_eq(reauth_calls, 1);
	cr_expect_eq(w.srv.shared->requests, 2);
	wire_stop(&w);
}

Test(http, names_an_absurd_retry_after_without_overflowing)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 99999999999999999999\r\n"
		  "Content-Length: 0\r\n\r\n", 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_EHTTP);
	cr_expect(strstr(w.ctx.msg, "above retry_max_wait (60s)") != NULL, "%s", w.ctx.msg);
	cr_expect_eq(w.srv.shared->requests, 1);
	wire_stop(&w);
}

Test(http, renews_the_token_again_after_a_later_401)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ UNAVAILABLE, 0, MINI_KEEP },
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.reauth = count_reauth;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 200);
	cr_expect_eq(reauth_calls, 2, "a token revoked twice is renewed twice");
	cr_expect_eq(w.srv.shared->requests, 4);
	wire_stop(&w);
}

static int
shared_then_own_reauth(struct http_req *req, void *userp)
{
	(void)userp;
	reauth_calls++;
	/* First a token another request renewed, then one of its own. */
	req->reauth_shared = reauth_calls == 1;
	return CORE_OK;
}

Test(http, asks_again_when_the_token_another_request_renewed_is_refused)
{
	static const struct mini_reply script[] = {
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
		{ "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 0, MINI_KEEP },
	};
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.reauth = shared_then_own_reauth;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 401, "a 401 to its own new token is the answer");
	cr_expect_eq(reauth_calls, 2);
	cr_expect_eq(w.srv.shared->requests, 3);
	wire_stop(&w);
}

#define THROTTLED_1S "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\n" \
	"Content-Length: 0\r\n\r\n"

Test(http, retries_until_the_retry_timeout_is_spent)
{
	static const struct mini_reply script[] = { { THROTTLED_1S, 0, MINI_KEEP } };
	struct http_opts o = wire_opts;
	struct wire w;

	/* 1 s per wait as decided (not as slept): 5 waits fit in 5.5 s, not 6. */
	o.max_retries = 100;
	o.retry_timeout_ms = 5500;
	wire_start(&w, script, ARRAY_SIZE(script), &o);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 429);
	cr_expect_eq(w.resp.attempts, 6);
	cr_expect_eq(w.srv.shared->requests, 6);
	wire_stop(&w);
}

Test(http, rides_out_a_storm_longer_than_the_old_retry_count)
{
	static const struct mini_reply script[] = {
		{ THROTTLED_1S, 0, MINI_KEEP }, { UNAVAILABLE, 0, MINI_KEEP },
		{ THROTTLED_1S, 0, MINI_KEEP }, { UNAVAILABLE, 0, MINI_KEEP },
		{ THROTTLED_1S, 0, MINI_KEEP }, { UNAVAILABLE, 0, MINI_KEEP },
		{ THROTTLED_1S, 0, MINI_KEEP }, { UNAVAILABLE, 0, MINI_KEEP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct http_opts o = wire_opts;
	struct wire w;

	o.max_retries = 50;
	o.retry_timeout_ms = 300000;
	wire_start(&w, script, ARRAY_SIZE(script), &o);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 200);
	cr_expect_eq(w.resp.attempts, 9);
	wire_stop(&w);
}

Test(http, a_429_slows_the_shared_bucket_and_a_success_speeds_it_up)
{
	static const struct mini_reply script[] = {
		{ THROTTLED_1S, 0, MINI_KEEP },
		{ OK_JSON, 0, MINI_KEEP },
	};
	struct pace p;
	struct wire w;

	pace_init(&p, 1000);
	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	w.req.pace = &p;
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK);
	cr_expect_eq(w.resp.status, 200);
	cr_expect_eq(p.taken, 2, "every attempt takes a token");
	cr_expect_eq(p.throttled, 1);
	cr_expect_eq(p.cuts, 1);
	cr_expect_float_eq(p.rate, 1000 * PACE_CUT + 1000 * PACE_GROW, 1e-6);
	wire_stop(&w);
}

Test(http, decodes_gzip_and_asks_for_it)
{
	static const char gz[] =
	    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 36\r\n\r\n"
	    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\x48\xcd\xc9\xc9\x57"
	    "\xb2\x52\x4a\xaf\xca\x2c\x50\xaa\x05\x00\xf6\x4f\x05\x6f\x10\x00\x00\x00";
	static const struct mini_reply script[] = { { gz, sizeof(gz) - 1, MINI_KEEP } };
	struct wire w;

	wire_start(&w, script, ARRAY_SIZE(script), &wire_opts);
	cr_assert_eq(http_send(&w.resp, w.h, &w.ctx, &w.req), CORE_OK, "%s", w.ctx.msg);
	cr_expect_str_eq(w.resp.body.data, "{\"hello\":\"gzip\"}");
	cr_expect(strstr(w.srv.shared->last, "Accept-Encoding: ") != NULL &&
	    strstr(w.srv.shared->last, "gzip") != NULL, "%s", w.srv.shared->last);
	wire_stop(&w);
}

Test(http, reports_an_unreachable_service_after_its_retries)
{
	struct core_ctx ctx;
	struct http_opts o = wire_opts;
	struct http_resp resp;
	struct http_req req;
	struct miniserver srv;
	struct http *h;
	static const struct mini_reply script[] = { { OK_JSON, 0, MINI_KEEP } };
	char url[128];

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0", 1);
	/* A port that was just free: start a server, note its port, stop it. */
	cr_assert_eq(mini_start(&srv, script, 1), 0);
	snprintf(url, sizeof(url), "%s/x", srv.url);
	mini_stop(&srv);
	core_ctx_init(&ctx, "test");
	o.max_retries = 2;
	h = http_new(&ctx, &o);
	http_resp_init(&resp, h);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.service = "teams";
	req.label = "POST /x";
	cr_assert_eq(http_send(&resp, h, &ctx, &req), CORE_EHTTP);
	cr_expect_eq(resp.attempts, 3, "an unsent request is safe to repeat");
	cr_expect(!resp.ambiguous);
	cr_expect(strstr(MSG(ctx), "teams: POST /x: could not reach the service after 3 attempts")
	    == ctx.msg, "%s", ctx.msg);
	http_resp_release(&resp);
	http_free(h);
	core_ctx_release(&ctx);
}

Test(http, warns_when_certificates_are_not_verified)
{
	struct core_ctx ctx;
	struct http_opts o = wire_opts;
	struct http *h;

	core_ctx_init(&ctx, "test");
	h = http_new(&ctx, &o);
	cr_expect_eq(cJSON_GetArraySize(ctx.warnings), 0);
	http_free(h);
	o.validate_certs = false;
	h = http_new(&ctx, &o);
	cr_assert_eq(cJSON_GetArraySize(ctx.warnings), 1);
	cr_expect(strstr(cJSON_GetArrayItem(ctx.warnings, 0)->valuestring,
	    "validate_certs is false") != NULL);
	http_free(h);
	core_ctx_release(&ctx);
}

Test(http, finds_response_headers_case_insensitively)
{
	struct http_resp r;
	char *v;

	http_resp_init(&r, NULL);
	cr_assert_eq(buf_adds(&r.headers, "HTTP/1.1 200 OK\r\nretry-after:  5 \r\n"
	    "X-Ms-ConfigApi-PowerShell-WarningMessage: careful\r\nLocation: /a\r\n"
	    "Location: /b\r\n\r\n"), 0);
	v = http_resp_header(&r, "Retry-After");
	cr_expect_str_eq(v, "5");
	free(v);
	v = http_resp_header(&r, "x-ms-configapi-powershell-warningmessage");
	cr_expect_str_eq(v, "careful");
	free(v);
	v = http_resp_header(&r, "Location");
	cr_expect_str_eq(v, "/b", "the last one wins");
	free(v);
	cr_expect_null(http_resp_header(&r, "Retry"));
	http_resp_release(&r);
}
