/*
 * test_sim_modutil.c - the shared run() of a policy naming PSTN usages
 * (modutil.h) against the tenant simulator: refusals before any request,
 * check mode that writes nothing, create, no change on a second run, and
 * removal.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cj.h"
#include "core.h"
#include "modutil.h"
#include "reconcile.h"
#include "result.h"
#include "sim.h"
#include "svc.h"
#include "teamsadmin.h"
#include "testutil.h"

static const char *const ignore_fields[] = { "RouteType", "Key", NULL };
static const char *const casefold_fields[] = { "Identity", NULL };
static const struct reconcile_opts opts = {
	.ignore = ignore_fields,
	.casefold = casefold_fields,
};
static const struct modutil_usage_policy kind = {
	.type = TA_VOICE_ROUTING,
	.what = "voice routing policy",
	.example = "Test-Routing",
	.global_option = "test_usages",
	.opts = &opts,
};

struct run {
	struct sim sim;
	struct core_ctx ctx;
	struct result res;
	cJSON *params;
	cJSON *fields;
	cJSON *usages;
};

static void
run_start(struct run *r, const char *name, const char *state)
{
	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0.01", 1);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(sim_start(&r->sim, NULL, NULL), 0, "the simulator did not start");
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	result_init(&r->res);
	r->params = sim_params(&r->sim, true);
	r->ctx.params = r->params;
	cj_set_str(r->params, "name", name);
	cj_set_str(r->params, "state", state);
	cj_set_str(r->params, "description", "Direct Routing users");
	cj_set(r->params, "force", cJSON_CreateFalse());
	cj_set(r->params, "create_usages", cJSON_CreateTrue());
	r->usages = cJSON_Parse("[\"SC-Usage\"]");
	r->fields = cj_object();
	cj_set(r->fields, "OnlinePstnUsages", cJSON_Duplicate(r->usages, 1));
	cr_assert_eq(svc_open(&r->ctx), CORE_OK, "%s", r->ctx.msg ? r->ctx.msg : "");
}

static void
run_again(struct run *r, const char *state)
{
	result_release(&r->res);
	result_init(&r->res);
	cj_set_str(r->params, "state", state);
}

static void
run_stop(struct run *r)
{
	cJSON_Delete(r->fields);
	cJSON_Delete(r->usages);
	result_release(&r->res);
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
	sim_stop(&r->sim);
}

static int
go(struct run *r)
{
	return modutil_usage_policy_run(&r->ctx, r->params, &r->res, &kind, r->fields,
	    r->usages);
}

static int
writes(struct run *r)
{
	static const char *const methods[] = { "POST", "PATCH", "PUT", "DELETE", NULL };
	cJSON *log = sim_requests(&r->sim);
	int n = 0;

	/* The services' writes: sign-in (POST to login) is not one. */
	for (size_t i = 0; methods[i]; i++)
		n += sim_count(log, "teams", methods[i], NULL, -1) +
		    sim_count(log, "graph", methods[i], NULL, -1);

	cJSON_Delete(log);
	return n;
}

static int
requests(struct run *r)
{
	cJSON *log = sim_requests(&r->sim);
	int n = cJSON_GetArraySize(log);

	cJSON_Delete(log);
	return n;
}

Test(modutil, refuses_a_blank_name_and_removing_global_before_any_request)
{
	struct run r;

	run_start(&r, "Tag: ", "present");
	cr_expect_eq(go(&r), CORE_EARGS);
	cr_expect(strstr(r.ctx.msg, "such as Test-Routing"), "%s", r.ctx.msg);
	core_ctx_release(&r.ctx);
	core_ctx_init(&r.ctx, "dialtone.teams_phone.test");
	r.ctx.params = r.params;
	cj_set_str(r.params, "name", "global");
	run_again(&r, "absent");
	cr_expect_eq(go(&r), CORE_EREFUSED);
	cr_expect(strstr(r.ctx.msg, "Global voice routing policy cannot be removed; set its "
	    "test_usages instead"), "%s", r.ctx.msg);
	cr_expect_eq(requests(&r), 0);
	run_stop(&r);
}

Test(modutil, creates_then_leaves_then_removes_a_policy)
{
	struct run r;

	run_start(&r, "SC-DR", "present");
	r.ctx.check_mode = true;
	cr_assert_eq(go(&r), CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_expect(r.res.changed);
	cr_expect_eq(writes(&r), 0, "check mode wrote");

	r.ctx.check_mode = false;
	run_again(&r, "present");
	cr_assert_eq(go(&r), CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_expect(r.res.changed);
	cr_expect_gt(writes(&r), 0);

	run_again(&r, "present");
	cr_assert_eq(go(&r), CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_expect(!r.res.changed, "a second run changed the policy");

	run_again(&r, "absent");
	cr_assert_eq(go(&r), CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_expect(r.res.changed);
	run_again(&r, "absent");
	cr_assert_eq(go(&r), CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_expect(!r.res.changed, "removing an absent policy changed something");
	run_stop(&r);
}
