/*
 * test_sim_users.c - users read by reference through Graph $batch
 * (tenant_users_batch()) against the tenant simulator: every answer handed
 * over in order, a missing user as NULL, any other failure named.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cj.h"
#include "core.h"
#include "sim.h"
#include "tenant.h"
#include "testutil.h"

struct seen {
	cJSON *users;   /* what fn was given, in order; null for none */
	size_t calls;
};

static void
take(void *arg, size_t i, cJSON *user)
{
	struct seen *s = arg;

	cr_assert_eq(i, s->calls, "fn called out of order");
	s->calls++;
	cJSON_AddItemToArray(s->users, user ? user : cJSON_CreateNull());
}

struct run {
	struct sim sim;
	struct core_ctx ctx;
	cJSON *params;
};

static void
run_start(struct run *r)
{
	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0.01", 1);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(sim_start(&r->sim, NULL, NULL), 0, "the simulator did not start");
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->params = sim_params(&r->sim, true);
	r->ctx.params = r->params;
}

static void
run_stop(struct run *r)
{
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
	sim_stop(&r->sim);
}

Test(users_batch, hands_over_each_user_in_order_and_null_for_none)
{
	const char *refs[] = { "diego@contoso.com", "nobody@contoso.com", "grady@contoso.com" };
	struct seen s = { cj_array(), 0 };
	struct run r;

	run_start(&r);
	cr_assert_eq(tenant_users_batch(&r.ctx, refs, 3, "id,userPrincipalName", take, &s),
	    CORE_OK, "%s", r.ctx.msg ? r.ctx.msg : "");
	cr_assert_eq(s.calls, 3);
	cr_expect_str_eq(cj_str(cJSON_GetArrayItem(s.users, 0), "userPrincipalName"),
	    "diego@contoso.com");
	cr_expect(cJSON_IsNull(cJSON_GetArrayItem(s.users, 1)));
	cr_expect_str_eq(cj_str(cJSON_GetArrayItem(s.users, 2), "userPrincipalName"),
	    "grady@contoso.com");
	cJSON_Delete(s.users);
	run_stop(&r);
}

Test(users_batch, a_failed_read_is_an_error_naming_the_user_and_hands_over_nothing)
{
	const char *refs[] = { "diego@contoso.com", "grady@contoso.com" };
	struct seen s = { cj_array(), 0 };
	struct run r;

	run_start(&r);
	/* Every try of grady's read fails (the retries give up). */
	cr_assert_eq(sim_control(NULL, &r.sim, "POST", "/_sim/faults",
	    "{\"match\": \"GET /graph/v1.0/users/grady@contoso.com\", \"status\": 400}"), 200);
	cr_assert_eq(tenant_users_batch(&r.ctx, refs, 2, "id", take, &s), CORE_ESERVICE);
	cr_assert_not_null(r.ctx.msg);
	cr_expect(strstr(r.ctx.msg, "GET /v1.0/users/grady@contoso.com") != NULL, "%s", r.ctx.msg);
	cr_expect_eq(s.calls, 0);
	cJSON_Delete(s.users);
	run_stop(&r);
}
