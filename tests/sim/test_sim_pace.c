/*
 * test_sim_pace.c - pacing and the retry budget against the tenant
 * simulator throttling at Microsoft's published rates (--throttle: 30
 * requests per second per app and tenant on the Teams admin API). Request
 * counts only: how many requests the simulator answered 429, how many
 * attempts a request made before its budget was spent.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cj.h"
#include "core.h"
#include "testutil.h"
#include "sim.h"
#include "svc.h"

#define NREQ 90
#define POLICIES "/teams/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy"

struct run {
	struct sim sim;
	struct core_ctx ctx;
	cJSON *params;
};

static void
run_start(struct run *r, bool throttle)
{
	static const char *const throttled[] = { "--seed", "7", "--throttle", NULL };
	static const char *const plain[] = { "--seed", "7", NULL };

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0.01", 1);
	cr_assert_eq(sim_start(&r->sim, throttle ? throttled : plain, NULL), 0,
	    "the simulator did not start");
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->params = sim_params(&r->sim, true);
	cj_set(r->params, "max_concurrency", cJSON_CreateNumber(8));
	r->ctx.params = r->params;
}

static void
run_stop(struct run *r)
{
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
	sim_stop(&r->sim);
}

/* NREQ reads of the Teams admin API at once; returns how many failed. */
static int
read_many(struct run *r)
{
	struct svc_req reqs[NREQ];
	struct svc_resp resps[NREQ];
	int rcs[NREQ], i, failed = 0;

	memset(reqs, 0, sizeof(reqs));
	for (i = 0; i < NREQ; i++) {
		reqs[i].svc = SVC_TEAMS;
		reqs[i].method = "GET";
		reqs[i].path = "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy";
	}
	cr_assert_eq(svc_call_many(resps, rcs, &r->ctx, reqs, NREQ), CORE_OK, "%s",
	    r->ctx.msg);
	for (i = 0; i < NREQ; i++) {
		failed += rcs[i] != CORE_OK;
		svc_resp_release(&resps[i]);
	}
	return failed;
}

TestSuite(sim_pace, .timeout = 120);

Test(sim_pace, paced_requests_meet_no_429_at_the_published_rate)
{
	struct run r;
	cJSON *log;

	run_start(&r, true);
	cr_expect_eq(read_many(&r), 0);
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "teams", "GET", POLICIES, 429), 0,
	    "the bucket keeps under the service's");
	cr_expect_eq(sim_count(log, "teams", "GET", POLICIES, 200), NREQ);
	cr_expect_eq(svc_request_count(&r.ctx), 1 + NREQ, "one sign-in, no retry");
	cJSON_Delete(log);
	run_stop(&r);
}

Test(sim_pace, without_pacing_the_same_requests_are_throttled)
{
	struct run r;
	cJSON *log;
	int n429;

	run_start(&r, true);
	cj_set(r.params, "teams_requests_per_second", cJSON_CreateNumber(0));
	/* Scaled-down waits hammer the service: some may even run out of retries. */
	(void)read_many(&r);
	log = sim_requests(&r.sim);
	n429 = sim_count(log, "teams", "GET", POLICIES, 429);
	cr_expect_gt(n429, 0, "a burst of %d requests passes the service's bucket", NREQ);
	cr_expect_eq(svc_request_count(&r.ctx), 1 + (unsigned long)n429 +
	    (unsigned long)sim_count(log, "teams", "GET", POLICIES, 200));
	cJSON_Delete(log);
	run_stop(&r);
}

Test(sim_pace, a_request_retries_until_its_retry_timeout_is_spent)
{
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	run_start(&r, false);
	/* A Retry-After of 2 s: waits of 2, 4, 6 s fit in 7 s, an 8th second does not. */
	cj_set(r.params, "retry_timeout", cJSON_CreateNumber(7));
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/faults",
	    "{\"match\":\"GET " POLICIES "\",\"times\":100,\"status\":503,"
	    "\"retry_after\":\"2\"}"), 200);
	cr_expect_eq(svc_call(&resp, &r.ctx, SVC_TEAMS, "GET",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect_eq(resp.status, 503);
	cr_expect_eq(resp.attempts, 4);
	cr_expect(strstr(r.ctx.msg, "(after 4 attempts)") != NULL, "%s", r.ctx.msg);
	log = sim_requests(&r.sim);
	cr_expect_eq(sim_count(log, "teams", "GET", POLICIES, 503), 4);
	cJSON_Delete(log);
	svc_resp_release(&resp);
	run_stop(&r);
}

Test(sim_pace, a_transient_storm_is_ridden_out)
{
	struct run r;
	struct svc_resp resp;

	run_start(&r, false);
	/* Twelve failures in a row: twice the old retry count. */
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/faults",
	    "[{\"match\":\"GET " POLICIES "\",\"times\":6,\"status\":502},"
	    "{\"match\":\"GET " POLICIES "\",\"times\":6,\"status\":429,\"retry_after\":\"1\"}]"),
	    200);
	cr_expect_eq(svc_call(&resp, &r.ctx, SVC_TEAMS, "GET",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy", NULL, NULL, 0),
	    CORE_OK, "%s", r.ctx.msg);
	cr_expect_eq(resp.attempts, 13);
	svc_resp_release(&resp);
	run_stop(&r);
}
