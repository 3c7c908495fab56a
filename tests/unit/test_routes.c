/*
 * test_routes.c - the route table: paths built from templates, every route
 * complete, and the message for an unverified route.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "routes.h"

Test(routes, every_route_is_complete)
{
	static const char *const grades[] = { "DOC", "DIS", "GEN", "CAP", "INF" };

	for (int id = 0; id < RT_COUNT; id++) {
		const struct route *r = route_get((enum route_id)id);
		bool graded = false;

		cr_assert(r->method && r->path && r->body && r->answer && r->source, "route %d", id);
		for (size_t g = 0; g < sizeof(grades) / sizeof(grades[0]); g++)
			graded |= strcmp(r->grade, grades[g]) == 0;
		cr_expect(graded, "route %d has grade '%s'", id, r->grade);
		cr_expect(*r->source, "route %d names no evidence", id);
		/* A probe route is a read. */
		cr_expect(!r->probe || strcmp(r->method, "GET") == 0, "route %d", id);
	}
}

Test(routes, placeholders_are_filled_in_order)
{
	char *p = route_path(RT_GRANT_USER, "a b/c", "OnlineVoiceRoutingPolicy");

	cr_expect_str_eq(p, "/Skype.Policy/users/a%20b%2Fc/policies/OnlineVoiceRoutingPolicy");
	free(p);
	p = route_path(RT_TEAMS_USERS, "&psfilter=x");
	cr_expect_str_eq(p, "/Teams.User/users?pageSize=100&psfilter=x");
	free(p);
	p = route_path(RT_G_POLICY_ID, "TeamsMeetingPolicy", "All On");
	cr_expect_str_eq(p, "/v1.0/admin/teams/policy/getPolicyId(type='TeamsMeetingPolicy',name='All%20On')");
	free(p);
	p = route_path(RT_NCS_LOCATIONS);
	cr_expect_str_eq(p, "/Skype.Ncs/locations");
	free(p);
}

Test(routes, only_inferred_routes_answer_404_or_405_as_unverified)
{
	char *m = route_unverified(RT_ENTERPRISE_VOICE, "/Skype.TelephoneNumberMgmt/cmdlet/assignments?x",
	    404, "teams: 404 NotFound");

	cr_assert_not_null(m);
	cr_expect_str_eq(m, "this request's route is not verified against Microsoft yet: PUT "
	    "/Skype.TelephoneNumberMgmt/cmdlet/assignments?x; see docs/wire.md to capture it "
	    "(the service answered: teams: 404 NotFound)");
	free(m);
	m = route_unverified(RT_NCS_ADDRESS_UPDATE, "/Skype.Ncs/civicAddresses", 405, NULL);
	cr_assert_not_null(m);
	cr_expect_str_eq(m, "this request's route is not verified against Microsoft yet: PUT "
	    "/Skype.Ncs/civicAddresses; see docs/wire.md to capture it");
	free(m);
	cr_expect_null(route_unverified(RT_ENTERPRISE_VOICE, "/x", 400, NULL));
	cr_expect_null(route_unverified(RT_POLICY_GET, "/x", 404, NULL));
	cr_expect_null(route_unverified(RT_G_POLICY_ASSIGN, "/x", 405, NULL));
}
