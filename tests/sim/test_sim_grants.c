/*
 * test_sim_grants.c - direct grants to many users (policyassign.h) against
 * the tenant simulator: Graph assign calls of batch_size users, and the
 * fallback to one Teams admin request per user when Graph refuses a call,
 * a policy type, or the app's permission.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cj.h"
#include "core.h"
#include "policyassign.h"
#include "sim.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "testutil.h"

#define NUSERS 12

struct run {
	struct sim sim;
	struct core_ctx ctx;
	cJSON *params;
	cJSON *configs;
	struct pa_item items[NUSERS];
	size_t n;
};

static void
run_start(struct run *r)
{
	cJSON *body;
	const cJSON *c;
	long st;

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0.01", 1);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(sim_start(&r->sim, NULL, NULL), 0, "the simulator did not start");
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->params = sim_params(&r->sim, true);
	r->ctx.params = r->params;
	body = cJSON_Parse("{\"OnlinePstnUsages\": []}");
	cr_assert_eq(ta_policy_create(NULL, &r->ctx, TA_VOICE_ROUTING, "P1", body), CORE_OK,
	    "%s", r->ctx.msg ? r->ctx.msg : "");
	cJSON_Delete(body);
	/* Users Teams sees: those with a voice configuration. */
	cr_assert_eq(tenant_user_configurations(&r->configs, &r->ctx), CORE_OK);
	cJSON_ArrayForEach(c, r->configs) {
		if (r->n == NUSERS)
			break;
		r->items[r->n].user_id = cJSON_GetStringValue(cJSON_GetObjectItem(c, "id"));
		r->items[r->n].type = TA_VOICE_ROUTING;
		r->items[r->n++].name = "P1";
	}
	cr_assert_geq(r->n, 6, "the default tenant has too few Teams users");
	st = sim_control(NULL, &r->sim, "DELETE", "/_sim/requests", NULL);
	cr_assert(st == 200 || st == 204, "clearing the request log: %ld", st);
}

static void
run_stop(struct run *r)
{
	pa_items_release(r->items, r->n);
	cJSON_Delete(r->configs);
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
	sim_stop(&r->sim);
}

static void
expect_all_ok(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		cr_expect_eq(r->items[i].rc, CORE_OK, "item %zu: %s", i,
		    r->items[i].error ? r->items[i].error : "");
}

static int
count(struct run *r, const char *svc, const char *method, const char *prefix)
{
	cJSON *log = sim_requests(&r->sim);
	int n = sim_count(log, svc, method, prefix, -1);

	cJSON_Delete(log);
	return n;
}

Test(grants, graph_assign_calls_carry_batch_size_users)
{
	struct run r;

	run_start(&r);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 5), CORE_OK);
	expect_all_ok(&r);
	cr_expect_eq(count(&r, "graph", "GET", "/graph/v1.0/admin/teams/policy/getPolicyId"), 1);
	cr_expect_eq(count(&r, "graph", "POST", "/graph/v1.0/admin/teams/policy/userAssignments/assign"),
	    (int)(r.n + 4) / 5);
	cr_expect_eq(count(&r, "teams", NULL, "/teams/Skype.Policy/users/"), 0);
	cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 0);
	/* Removal: unassign calls, no policy id needed. */
	for (size_t i = 0; i < r.n; i++)
		r.items[i].name = "";
	pa_items_release(r.items, r.n);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 5), CORE_OK);
	expect_all_ok(&r);
	cr_expect_eq(count(&r, "graph", "POST", "/graph/v1.0/admin/teams/policy/userAssignments/unassign"),
	    (int)(r.n + 4) / 5);
	run_stop(&r);
}

Test(grants, a_refused_call_goes_user_by_user_and_says_so_once)
{
	struct run r;

	run_start(&r);
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/settings", "{\"policy_assign_max\": 3}"), 200);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 5), CORE_OK);
	expect_all_ok(&r);
	/* Calls of 5 are refused (more than 3): their users go one by one; a last call of 2 passes. */
	cr_expect_eq(count(&r, "teams", "PATCH", "/teams/Skype.Policy/users/"),
	    (int)(5 * (r.n / 5) + (r.n % 5 > 3 ? r.n % 5 : 0)));
	cr_assert_eq(cJSON_GetArraySize(r.ctx.warnings), 1);
	cr_expect(strstr(cJSON_GetArrayItem(r.ctx.warnings, 0)->valuestring,
	    "graph refused a policy assignment call"), "%s",
	    cJSON_GetArrayItem(r.ctx.warnings, 0)->valuestring);
	run_stop(&r);
}

Test(grants, a_refused_policy_type_goes_through_the_teams_route)
{
	struct run r;

	run_start(&r);
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/settings",
	    "{\"policy_assign_refused_types\": [\"OnlineVoiceRoutingPolicy\"]}"), 200);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 5), CORE_OK);
	expect_all_ok(&r);
	cr_expect_eq(count(&r, "graph", "POST", "/graph/v1.0/admin/teams/policy/userAssignments/"), 0);
	cr_expect_eq(count(&r, "teams", "PATCH", "/teams/Skype.Policy/users/"), (int)r.n);
	cr_assert_eq(cJSON_GetArraySize(r.ctx.warnings), 1);
	cr_expect(strstr(cJSON_GetArrayItem(r.ctx.warnings, 0)->valuestring,
	    "OnlineVoiceRoutingPolicy grants go one user at a time through the Teams admin route"));
	run_stop(&r);
}

Test(grants, batch_size_zero_keeps_the_teams_route)
{
	struct run r;

	run_start(&r);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 0), CORE_OK);
	expect_all_ok(&r);
	cr_expect_eq(count(&r, "graph", NULL, "/graph/v1.0/admin/teams/policy/"), 0);
	cr_expect_eq(count(&r, "teams", "PATCH", "/teams/Skype.Policy/users/"), (int)r.n);
	cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 0);
	run_stop(&r);
}

/* Licences users 0 and 1 anew: Teams refuses their grants until the licence replicates. */
static void
relicense_two(struct run *r)
{
	cJSON *user = NULL, *sku = cj_array();
	const char *id;
	long st;

	cr_assert_eq(sim_control(NULL, &r->sim, "POST", "/_sim/settings",
	    "{\"replication_delay_s\": 0.5}"), 200);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(tenant_user_get(&user, &r->ctx, r->items[i].user_id), CORE_OK);
		id = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
		    cJSON_GetObjectItem(user, "assignedLicenses"), 0), "skuId"));
		cr_assert(id, "user %zu holds no licence", i);
		cj_push_str(sku, id);
		/* Removed and added in one call: the licence is new again. */
		cr_assert_eq(tenant_assign_licenses(&r->ctx, r->items[i].user_id, sku, sku), CORE_OK,
		    "%s", r->ctx.msg ? r->ctx.msg : "");
		cJSON_DeleteItemFromArray(sku, 0);
		cJSON_Delete(user);
		user = NULL;
	}
	cJSON_Delete(sku);
	st = sim_control(NULL, &r->sim, "DELETE", "/_sim/requests", NULL);
	cr_assert(st == 200 || st == 204, "clearing the request log: %ld", st);
}

Test(grants, a_call_refused_while_a_licence_replicates_is_sent_again)
{
	struct run r;
	int calls;

	run_start(&r);
	relicense_two(&r);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 5), CORE_OK);
	expect_all_ok(&r);
	/* The first call was refused and sent again; none went user by user. */
	calls = count(&r, "graph", "POST", "/graph/v1.0/admin/teams/policy/userAssignments/assign");
	cr_expect_gt(calls, (int)(r.n + 4) / 5);
	cr_expect_eq(count(&r, "teams", NULL, "/teams/Skype.Policy/users/"), 0);
	cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 0);
	run_stop(&r);
}

Test(grants, a_teams_route_grant_refused_while_a_licence_replicates_is_sent_again)
{
	struct run r;

	run_start(&r);
	relicense_two(&r);
	cr_assert_eq(pa_apply(&r.ctx, r.items, r.n, 0), CORE_OK);
	expect_all_ok(&r);
	cr_expect_gt(count(&r, "teams", "PATCH", "/teams/Skype.Policy/users/"), (int)r.n);
	run_stop(&r);
}
