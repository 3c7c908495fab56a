/*
 * test_sim_retry.c - the retry loop and the concurrent path against the
 * tenant simulator: throttling and 5xx faults, token revocation, dropped
 * connections (read retried, create never repeated), Retry-After above the
 * cap, and svc_call_many() windows.
 *
 * Every test starts its own simulator (sim.h). Waits are scaled down with
 * DIALTONE_TEST_BACKOFF_SCALE except where a test measures them.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cj.h"
#include "core.h"
#include "testutil.h"
#include "sim.h"
#include "svc.h"
#include "svc_internal.h"

struct run {
	struct sim sim;
	struct core_ctx ctx;
	cJSON *params;
};

static void
run_start(struct run *r, const char *scale, int max_retries, int max_concurrency)
{
	static const char *const args[] = { "--seed", "7", NULL };

	setenv("DIALTONE_TEST_BACKOFF_SCALE", scale, 1);
	cr_assert_eq(sim_start(&r->sim, args, NULL), 0, "the simulator did not start");
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->params = sim_params(&r->sim, true);
	cj_set(r->params, "max_retries", cJSON_CreateNumber(max_retries));
	cj_set(r->params, "max_concurrency", cJSON_CreateNumber(max_concurrency));
	r->ctx.params = r->params;
}

static void
run_stop(struct run *r)
{
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
	sim_stop(&r->sim);
}

static void
fault(struct run *r, const char *json)
{
	cr_assert_eq(sim_control(NULL, &r->sim, "POST", "/_sim/faults", json), 200,
	    "fault rejected: %s", json);
}

/* Reads every user by following nextLink; the ids go into ids. */
static int
read_users(struct run *r, cJSON *ids, int *pages)
{
	struct svc_resp resp;
	char *next = strdup("/v1.0/users?$top=2");
	const cJSON *u, *link;
	int rc = CORE_OK;

	*pages = 0;
	while (next) {
		rc = svc_call(&resp, &r->ctx, SVC_GRAPH, "GET", next, NULL, NULL, 0);
		free(next);
		next = NULL;
		if (rc) {
			svc_resp_release(&resp);
			break;
		}
		(*pages)++;
		cJSON_ArrayForEach(u, cJSON_GetObjectItem(resp.json, "value"))
			cJSON_AddItemToArray(ids, cJSON_CreateString(
			    cJSON_GetStringValue(cJSON_GetObjectItem(u, "id"))));
		link = cJSON_GetObjectItemCaseSensitive(resp.json, "@odata.nextLink");
		if (cJSON_IsString(link))
			next = strdup(link->valuestring);
		svc_resp_release(&resp);
	}
	return rc;
}

TestSuite(sim_retry, .timeout = 120);

Test(sim_retry, a_paged_read_converges_through_30_percent_503_and_429)
{
	struct run r;
	cJSON *clean = cJSON_CreateArray(), *faulty = cJSON_CreateArray(), *log;
	int pages_clean, pages_faulty, throttled;

	run_start(&r, "0.01", 10, 8);
	cr_assert_eq(read_users(&r, clean, &pages_clean), CORE_OK, "%s", r.ctx.msg);
	cr_assert_gt(pages_clean, 5, "enough pages to meet faults");
	cr_assert_eq(sim_control(NULL, &r.sim, "DELETE", "/_sim/requests", NULL), 204);
	fault(&r, "[{\"match\":\"GET /graph/v1.0/users\",\"probability\":0.15,"
	    "\"status\":503,\"retry_after\":\"1\"},"
	    "{\"match\":\"GET /graph/v1.0/users\",\"probability\":0.15,"
	    "\"status\":429,\"retry_after\":\"1\"}]");

	cr_assert_eq(read_users(&r, faulty, &pages_faulty), CORE_OK, "%s", r.ctx.msg);
	cr_expect_eq(pages_faulty, pages_clean);
	cr_expect(cJSON_Compare(clean, faulty, true), "the same users, in the same order");

	log = sim_requests(&r.sim);
	throttled = sim_count(log, "graph", "GET", "/graph/v1.0/users", 503) +
	    sim_count(log, "graph", "GET", "/graph/v1.0/users", 429);
	cr_expect_gt(throttled, 0, "faults were met");
	cr_expect_eq(sim_count(log, "graph", "GET", "/graph/v1.0/users", 200), pages_clean);
	cr_expect_eq(svc_request_count(&r.ctx), 1 + (unsigned long)pages_clean * 2 +
	    (unsigned long)throttled, "one sign-in, two clean reads, one retry per fault");
	cJSON_Delete(log);
	cJSON_Delete(clean);
	cJSON_Delete(faulty);
	run_stop(&r);
}

Test(sim_retry, revoked_tokens_cost_exactly_one_new_sign_in)
{
	struct run r;
	cJSON *ids = cJSON_CreateArray(), *log;
	struct svc_resp resp;
	int pages;

	run_start(&r, "0.01", 5, 8);
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=1", NULL,
	    NULL, 0), CORE_OK, "%s", r.ctx.msg);
	svc_resp_release(&resp);
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/revoke-tokens", NULL), 200);
	cr_assert_eq(read_users(&r, ids, &pages), CORE_OK, "%s", r.ctx.msg);

	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "login", "POST", NULL, 200), 2,
	    "the first sign-in and one after the revocation");
	cr_expect_eq(sim_count(log, "graph", NULL, NULL, 401), 1, "one request met the 401");
	cr_expect_eq(sim_count(log, "graph", "GET", NULL, 200), 1 + pages);
	cJSON_Delete(log);
	cJSON_Delete(ids);
	run_stop(&r);
}

Test(sim_retry, a_dropped_read_is_sent_again)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	run_start(&r, "0.01", 5, 8);
	fault(&r, "{\"match\":\"GET /graph/v1.0/users\",\"times\":1,\"drop\":\"mid\"}");
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=2", NULL,
	    NULL, 0), CORE_OK, "%s", r.ctx.msg);
	cr_expect_eq(resp.status, 200);
	cr_expect_eq(resp.attempts, 2);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(resp.json, "value")), 2);
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "graph", "GET", "/graph/v1.0/users", -1), 2);
	cJSON_Delete(log);
	svc_resp_release(&resp);
	run_stop(&r);
}

static void
check_create_not_repeated(const char *drop)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log, *body, *users = NULL;
	char path[256], rule[256];
	const char *id;

	run_start(&r, "0.01", 5, 8);
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=1", NULL,
	    NULL, 0), CORE_OK, "%s", r.ctx.msg);
	users = cJSON_DetachItemFromObject(resp.json, "value");
	svc_resp_release(&resp);
	id = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(users, 0), "id"));
	cr_assert_not_null(id);
	snprintf(path, sizeof(path), "/v1.0/users/%s/assignLicense", id);
	snprintf(rule, sizeof(rule), "{\"match\":\"POST /graph/v1.0/users/\",\"times\":1,"
	    "\"drop\":\"%s\"}", drop);
	fault(&r, rule);
	body = cJSON_Parse("{\"addLicenses\":[],\"removeLicenses\":[]}");

	cr_expect_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "POST", path, body, NULL, 0),
	    CORE_EHTTP);
	cr_expect(resp.ambiguous, "the caller learns it may have happened");
	cr_expect_eq(resp.status, 0);
	cr_expect_eq(resp.attempts, 1);
	cr_expect(strstr(MSG(r.ctx), "graph: POST /v1.0/users/") == MSG(r.ctx), "%s", r.ctx.msg);
	cr_expect(strstr(MSG(r.ctx), "it is not repeated") != NULL, "%s", r.ctx.msg);
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "graph", "POST", NULL, -1), 1, "exactly one POST");
	cJSON_Delete(log);
	cJSON_Delete(body);
	cJSON_Delete(users);
	svc_resp_release(&resp);
	run_stop(&r);
}

Test(sim_retry, a_create_dropped_before_processing_is_ambiguous_and_not_repeated)
{
	check_create_not_repeated("before");
}

Test(sim_retry, a_create_dropped_mid_answer_is_ambiguous_and_not_repeated)
{
	check_create_not_repeated("mid");
}

Test(sim_retry, a_wait_above_retry_max_wait_fails_at_once)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	run_start(&r, "0.01", 5, 8);
	fault(&r, "{\"match\":\"GET /graph/v1.0/users\",\"times\":1,\"status\":429,"
	    "\"retry_after\":\"120\"}");
	cr_expect_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_EHTTP);
	cr_expect_str_eq(r.ctx.msg, "graph: 'GET /v1.0/users' asked for a 120s wait, above "
	    "retry_max_wait (60s)");
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "graph", "GET", NULL, -1), 1);
	cJSON_Delete(log);
	svc_resp_release(&resp);
	run_stop(&r);
}

Test(sim_retry, gives_up_after_max_retries_with_the_service_message)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	run_start(&r, "0.01", 2, 8);
	fault(&r, "{\"match\":\"GET /graph/v1.0/users\",\"times\":5,\"status\":503,"
	    "\"retry_after\":\"1\"}");
	cr_expect_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect_eq(resp.attempts, 3);
	cr_expect(strstr(MSG(r.ctx), "graph: GET /v1.0/users: 503") == MSG(r.ctx), "%s", r.ctx.msg);
	cr_expect(strstr(MSG(r.ctx), "(after 3 attempts)") != NULL, "%s", r.ctx.msg);
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "graph", "GET", NULL, 503), 3);
	cJSON_Delete(log);
	svc_resp_release(&resp);
	run_stop(&r);
}

Test(sim_retry, honours_retry_after_as_an_http_date_and_backs_off_without_a_valid_one)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;
	const cJSON *e;
	double t503 = 0, t429 = 0, tok = 0;

	/* Real waits: the test measures them. */
	run_start(&r, "1", 5, 8);
	fault(&r, "[{\"match\":\"GET /graph/v1.0/users\",\"times\":1,\"status\":503,"
	    "\"retry_after\":\"date:2\"},{\"match\":\"GET /graph/v1.0/users\",\"times\":1,"
	    "\"status\":429,\"retry_after\":\"soon\"}]");
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=1", NULL,
	    NULL, 0), CORE_OK, "%s", MSG(r.ctx));
	cr_expect_eq(resp.attempts, 3);
	svc_resp_release(&resp);
	log = sim_requests(&r.sim);
	cJSON_ArrayForEach(e, log) {
		double t = cJSON_GetObjectItem(e, "time")->valuedouble;
		long st = (long)cJSON_GetObjectItem(e, "status")->valuedouble;

		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "service")), "graph"))
			continue;
		if (st == 503)
			t503 = t;
		else if (st == 429)
			t429 = t;
		else if (st == 200)
			tok = t;
	}
	/* An HTTP-date 2 s ahead, at one-second resolution: at least 1 s. */
	cr_expect_geq(t429 - t503, 1.0, "waited %.3fs for the date", t429 - t503);
	/*
	 * An invalid Retry-After falls back to the first backoff (at most
	 * 0.5 s); the slack is for a loaded machine.
	 */
	cr_expect_leq(tok - t429, 1.5, "waited %.3fs after 'soon'", tok - t429);
	cJSON_Delete(log);
	run_stop(&r);
}

Test(sim_retry, a_stalled_read_times_out_and_is_sent_again)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	run_start(&r, "0.01", 5, 8);
	cj_set(r.params, "timeout", cJSON_CreateNumber(1));
	fault(&r, "{\"match\":\"GET /graph/v1.0/users\",\"times\":1,\"stall_s\":3}");
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=1", NULL,
	    NULL, 0), CORE_OK, "%s", MSG(r.ctx));
	cr_expect_eq(resp.attempts, 2, "the first attempt ran out of its 1 s");
	svc_resp_release(&resp);
	log = sim_requests(&r.sim);
	cr_expect_geq(sim_count(log, "graph", "GET", NULL, 200), 1);
	cJSON_Delete(log);
	run_stop(&r);
}

/* ---- many at once ---- */

#define NMANY 12

/* The ids of the first n users. */
static cJSON *
first_users(struct run *r, int n)
{
	struct svc_resp resp;
	char path[64];
	cJSON *users;

	snprintf(path, sizeof(path), "/v1.0/users?$top=%d", n);
	cr_assert_eq(svc_call(&resp, &r->ctx, SVC_GRAPH, "GET", path, NULL, NULL, 0),
	    CORE_OK, "%s", r->ctx.msg);
	users = cJSON_DetachItemFromObject(resp.json, "value");
	svc_resp_release(&resp);
	cr_assert_eq(cJSON_GetArraySize(users), n);
	return users;
}

static double
entry_time(const cJSON *e)
{
	return cJSON_GetObjectItem(e, "time")->valuedouble;
}

Test(sim_retry, many_calls_keep_at_most_max_concurrency_in_flight)
{
	struct run r;
	struct svc_req reqs[NMANY];
	struct svc_resp resps[NMANY];
	int rcs[NMANY], i, most = 0, n;
	char paths[NMANY][96];
	cJSON *users, *log, *gets;
	const cJSON *e, *f;
	struct timespec t0, t1;
	double elapsed;

	run_start(&r, "0.01", 5, 3);
	users = first_users(&r, NMANY);
	cr_assert_eq(sim_control(NULL, &r.sim, "DELETE", "/_sim/requests", NULL), 204);
	fault(&r, "{\"match\":\"GET /graph/v1.0/users/\",\"latency_ms\":300}");
	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < NMANY; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/v1.0/users/%s", cJSON_GetStringValue(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(users, i), "id")));
		reqs[i].svc = SVC_GRAPH;
		reqs[i].method = "GET";
		reqs[i].path = paths[i];
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(svc_call_many(resps, rcs, &r.ctx, reqs, NMANY), CORE_OK, "%s", r.ctx.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (i = 0; i < NMANY; i++) {
		cr_expect_eq(rcs[i], CORE_OK, "request %d", i);
		cr_expect_eq(resps[i].status, 200, "request %d", i);
		cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(resps[i].json, "id")),
		    paths[i] + strlen("/v1.0/users/"), "resps[i] answers reqs[i]");
		svc_resp_release(&resps[i]);
	}
	cr_expect_eq(r.ctx.conn->many.peak_in_flight, 3);
	cr_expect_eq(r.ctx.conn->many.throttled, 0);
	cr_expect_geq(elapsed, 4 * 0.3 - 0.05, "12 requests of 300 ms, 3 at a time: %.2fs", elapsed);

	/* From the simulator's side: each request ends 300 ms after it began. */
	log = sim_requests(&r.sim);
	gets = cJSON_CreateArray();
	cJSON_ArrayForEach(e, log)
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "method")), "GET") == 0)
			cJSON_AddItemReferenceToArray(gets, (cJSON *)e);
	cr_assert_eq(cJSON_GetArraySize(gets), NMANY);
	cJSON_ArrayForEach(e, gets) {
		n = 0;
		cJSON_ArrayForEach(f, gets)
			if (entry_time(f) <= entry_time(e) && entry_time(f) > entry_time(e) - 0.25)
				n++;
		most = n > most ? n : most;
	}
	cr_expect_eq(most, 3, "at most 3 requests overlapped, and 3 did");
	cJSON_Delete(gets);
	cJSON_Delete(log);
	cJSON_Delete(users);
	run_stop(&r);
}

Test(sim_retry, many_calls_halve_the_window_and_wait_on_429)
{
	struct run r;
	struct svc_req reqs[8];
	struct svc_resp resps[8];
	int rcs[8], i, n429 = 0;
	char paths[8][96];
	cJSON *users, *log;
	const cJSON *e, *f;
	double t429[2] = { 0, 0 };
	const char *p429[2] = { NULL, NULL };

	/* Real waits here: the test measures the Retry-After of 1 s. */
	run_start(&r, "1", 5, 4);
	users = first_users(&r, 8);
	cr_assert_eq(sim_control(NULL, &r.sim, "DELETE", "/_sim/requests", NULL), 204);
	fault(&r, "[{\"match\":\"GET /graph/v1.0/users/\",\"times\":2,\"status\":429,"
	    "\"retry_after\":\"1\"},{\"match\":\"GET /graph/v1.0/users/\",\"latency_ms\":100}]");
	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < 8; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/v1.0/users/%s", cJSON_GetStringValue(
		    cJSON_GetObjectItem(cJSON_GetArrayItem(users, i), "id")));
		reqs[i].svc = SVC_GRAPH;
		reqs[i].method = "GET";
		reqs[i].path = paths[i];
	}
	cr_assert_eq(svc_call_many(resps, rcs, &r.ctx, reqs, 8), CORE_OK, "%s", r.ctx.msg);
	for (i = 0; i < 8; i++) {
		cr_expect_eq(rcs[i], CORE_OK);
		cr_expect_eq(resps[i].status, 200);
		svc_resp_release(&resps[i]);
	}
	cr_expect_eq(r.ctx.conn->many.throttled, 2);
	cr_expect_eq(r.ctx.conn->many.min_window, 2, "4 halved once for one burst");
	cr_expect_eq(r.ctx.conn->many.peak_in_flight, 4);

	log = sim_requests(&r.sim);
	cr_expect_eq(cJSON_GetArraySize(log), 10, "8 requests and 2 retries");
	cJSON_ArrayForEach(e, log) {
		if (cJSON_GetObjectItem(e, "status")->valuedouble == 429 && n429 < 2) {
			t429[n429] = entry_time(e);
			p429[n429++] = cJSON_GetStringValue(cJSON_GetObjectItem(e, "path"));
		}
	}
	cr_assert_eq(n429, 2);
	for (i = 0; i < 2; i++) {
		cJSON_ArrayForEach(f, log) {
			if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(f, "path")), p429[i]) ||
			    cJSON_GetObjectItem(f, "status")->valuedouble != 200)
				continue;
			cr_expect_geq(entry_time(f) - t429[i], 1.0,
			    "the retry of %s came %.3fs after its 429", p429[i],
			    entry_time(f) - t429[i]);
		}
	}
	cJSON_Delete(log);
	cJSON_Delete(users);
	run_stop(&r);
}
