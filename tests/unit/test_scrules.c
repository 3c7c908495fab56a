/*
 * test_scrules.c - the Shared Calling rules on data already read.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "scrules.h"
#include "tenant.h"

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "bad test JSON: %s", text);
	return j;
}

static int
mistake_of(const cJSON *problems, int i)
{
	return cJSON_GetObjectItem(cJSON_GetArrayItem(problems, i), "mistake")->valueint;
}

static const char *
msg_of(const cJSON *problems, int i)
{
	return cJSON_GetObjectItem(cJSON_GetArrayItem(problems, i), "msg")->valuestring;
}

Test(scrules, number_without_location_is_mistake_1)
{
	cJSON *p = cJSON_CreateArray();
	cJSON *ra = parse("{\"telephoneNumber\":\"+14255550100\",\"numberType\":\"directRouting\"}");
	cJSON *ok = parse("{\"telephoneNumber\":\"+14255550100\",\"locationId\":\"x\"}");

	cr_assert_eq(sc_rule_number_location(p, "sc@contoso.com", ok), 0);
	cr_assert_eq(sc_rule_number_location(p, "sc@contoso.com", ra), 1);
	cr_expect_eq(mistake_of(p, 0), 1);
	cr_expect_str_eq(sc_first_problem(p), "the phone number '+14255550100' of resource "
	    "account 'sc@contoso.com' has no emergency location; assign an emergency address to "
	    "that number first (dialtone.teams_phone.teams_phone_number), without it the policy "
	    "cannot be saved");
	cJSON_Delete(p);
	cJSON_Delete(ra);
	cJSON_Delete(ok);
}

Test(scrules, callback_number_of_another_type_or_country_is_mistake_6)
{
	cJSON *p = cJSON_CreateArray();
	cJSON *ra = parse("{\"telephoneNumber\":\"+12065550100\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\"}");
	cJSON *gb = parse("{\"telephoneNumber\":\"+442079460101\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"GB\",\"capabilities\":[\"userAssignment\"]}");
	cJSON *sub = parse("{\"telephoneNumber\":\"+12065550101\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\",\"capabilities\":[\"userAssignment\"]}");
	cJSON *svc = parse("{\"telephoneNumber\":\"+12065550102\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\",\"capabilities\":[\"voiceApplicationAssignment\"]}");
	cJSON *other = parse("{\"telephoneNumber\":\"+12065550101\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\",\"capabilities\":[\"userAssignment\"],"
	    "\"assignmentStatus\":\"policyAssigned\",\"assignmentTargetId\":"
	    "\"TeamsSharedCallingRoutingPolicy|Tag:Other\"}");

	cr_assert_eq(sc_rule_callback_number(p, ra, "+12065550101", sub, "Tag:Mine"), 0);
	cr_assert_eq(sc_rule_callback_number(p, ra, "+442079460101", gb, "Tag:Mine"), 1);
	cr_expect_eq(mistake_of(p, 0), 6);
	cr_expect(strstr(msg_of(p, 0), "it is callingPlan in GB, '+12065550100' is callingPlan "
	    "in US") != NULL, "%s", msg_of(p, 0));
	cr_assert_eq(sc_rule_callback_number(p, ra, "+12065550109", NULL, "Tag:Mine"), 1);
	cr_expect_eq(mistake_of(p, 1), 6);
	cr_assert_eq(sc_rule_callback_number(p, ra, "+12065550102", svc, "Tag:Mine"), 1);
	cr_expect(strstr(msg_of(p, 2), "subscriber number") != NULL);
	cr_assert_eq(sc_rule_callback_number(p, ra, "+12065550101", other, "Tag:Mine"), 1);
	cr_expect_eq(mistake_of(p, 3), 0);
	cr_expect(strstr(msg_of(p, 3), "already used by policy 'Other'") != NULL);
	cr_assert_eq(sc_rule_callback_number(p, ra, "+12065550101", other, "Tag:Other"), 0);
	cJSON_Delete(p);
	cJSON_Delete(ra);
	cJSON_Delete(gb);
	cJSON_Delete(sub);
	cJSON_Delete(svc);
	cJSON_Delete(other);
}

Test(scrules, direct_routing_callback_numbers_need_not_be_listed)
{
	cJSON *p = cJSON_CreateArray();
	cJSON *ra = parse("{\"telephoneNumber\":\"+14255550100\",\"numberType\":\"directRouting\"}");

	cr_expect_eq(sc_rule_callback_number(p, ra, "+14255550199", NULL, "Tag:X"), 0);
	cr_expect_eq(sc_rule_callback_number(p, ra, "+442071234567", NULL, "Tag:X"), 1);
	cJSON_Delete(p);
	cJSON_Delete(ra);
}

Test(scrules, licences_mistakes_4_and_5)
{
	cJSON *skus = parse("[{\"skuId\":\"440eaaa8-b3e0-484b-a8be-62870b9ba70a\","
	    "\"skuPartNumber\":\"PHONESYSTEM_VIRTUALUSER\",\"servicePlans\":[{\"servicePlanId\":"
	    "\"" TENANT_PLAN_RESOURCE_ACCOUNT "\"}]},"
	    "{\"skuId\":\"e43b5b99-8dfb-405f-9987-dc307f34bcbd\",\"skuPartNumber\":\"MCOEV\","
	    "\"servicePlans\":[{\"servicePlanId\":\"" TENANT_PLAN_TEAMS_PHONE "\"}]}]");
	cJSON *none = parse("[]");
	cJSON *ra = parse("[\"PHONESYSTEM_VIRTUALUSER\"]");
	cJSON *cp = parse("[\"PHONESYSTEM_VIRTUALUSER\",\"MCOPSTN_PAYG_1\",\"MCOPSTNC\"]");
	cJSON *nocredits = parse("[\"PHONESYSTEM_VIRTUALUSER\",\"MCOPSTN_PAYG_1\"]");
	cJSON *phone = parse("[\"MCOEV\"]");
	cJSON *p = cJSON_CreateArray();

	cr_expect_eq(sc_rule_account_licences(p, "a", "operatorConnect", ra, skus), 0);
	cr_expect_eq(sc_rule_account_licences(p, "a", "directRouting", phone, skus), 0);
	cr_expect_eq(sc_rule_account_licences(p, "a", "callingPlan", cp, skus), 0);
	cr_assert_eq(sc_rule_account_licences(p, "a", "directRouting", none, skus), 1);
	cr_expect_eq(mistake_of(p, 0), 4);
	cr_assert_eq(sc_rule_account_licences(p, "a", "callingPlan", nocredits, skus), 1);
	cr_expect_eq(mistake_of(p, 1), 5);
	cr_expect(strstr(msg_of(p, 1), "assign it a Communications Credits licence") != NULL);
	cr_assert_eq(sc_rule_account_licences(p, "a", "callingPlan", none, skus), 2);
	cJSON_Delete(p);
	cJSON_Delete(skus);
	cJSON_Delete(none);
	cJSON_Delete(ra);
	cJSON_Delete(cp);
	cJSON_Delete(nocredits);
	cJSON_Delete(phone);
}

Test(scrules, routing_and_personal_numbers)
{
	cJSON *p = cJSON_CreateArray();
	cJSON *usages = parse("[\"US-DR\"]"), *empty = parse("[]");
	cJSON *nums = parse("[\"+14255560005\"]");

	cr_expect_eq(sc_rule_account_routing(p, "a", "+1", "DR", usages), 0);
	cr_assert_eq(sc_rule_account_routing(p, "a", "+1", "Global", empty), 1);
	cr_expect_eq(mistake_of(p, 0), 3);
	cr_expect_eq(sc_rule_user_routing(p, "u", "SC", "NoPstn", empty), 0);
	cr_expect_eq(sc_rule_user_routing(p, "u", "SC", "DR", usages), 1);
	cr_expect_eq(sc_rule_personal_number(p, "u", "SC", nums, "remove"), 0);
	cr_expect_eq(sc_rule_personal_number(p, "u", "SC", empty, "fail"), 0);
	cr_assert_eq(sc_rule_personal_number(p, "u", "SC", nums, "fail"), 1);
	cr_expect_eq(mistake_of(p, 2), 2);
	cr_assert_eq(sc_rule_personal_number(p, "u", "SC", nums, "keep"), 1);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(p, 3), "warning")));
	cr_expect_eq(sc_rule_user_emergency_routing(p, "u", "directRouting", "E", true), 0);
	cr_expect_eq(sc_rule_user_emergency_routing(p, "u", "directRouting", "Global", false), 1);
	cr_expect_eq(sc_rule_user_emergency_routing(p, "u", "callingPlan", "E", false), 0);
	cr_expect_eq(sc_rule_user_emergency_routing(p, "u", "operatorConnect", "E", true), 1);
	cJSON_Delete(p);
	cJSON_Delete(usages);
	cJSON_Delete(empty);
	cJSON_Delete(nums);
}

Test(scrules, shared_number)
{
	cJSON *p = cJSON_CreateArray();
	cJSON *free_cp = parse("{\"telephoneNumber\":\"+12065550100\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\",\"capabilities\":[\"voiceApplicationAssignment\"]}");
	cJSON *taken = parse("{\"telephoneNumber\":\"+12065550100\",\"numberType\":\"callingPlan\","
	    "\"isoCountryCode\":\"US\",\"assignmentTargetId\":\"someone\"}");

	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, "US", "+12065550100", "callingPlan",
	    free_cp), 0);
	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, NULL, "+14255550100", "directRouting",
	    NULL), 0);
	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, "US", "+12065550100", "operatorConnect",
	    free_cp), 1);
	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, "GB", "+12065550100", "callingPlan",
	    free_cp), 1);
	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, "US", "+12065550100", "callingPlan",
	    taken), 1);
	cr_expect_eq(sc_rule_shared_number(p, "a", "someone", "US", "+12065550100",
	    "callingPlan", taken), 0);
	cr_expect_eq(sc_rule_shared_number(p, "a", NULL, "US", "+13125550199", "operatorConnect",
	    NULL), 1);
	cr_expect_eq(cJSON_GetArraySize(p), 4);
	cJSON_Delete(p);
	cJSON_Delete(free_cp);
	cJSON_Delete(taken);
}

Test(scrules, countries_and_toll_free)
{
	char c[8];

	cr_expect(sc_same_country("US", "+12065550100", "us", "+13125550100"));
	cr_expect(sc_same_country(NULL, "+14255550100", "US", "+12065550100"));
	cr_expect(!sc_same_country(NULL, "+442071234567", NULL, "+14255550100"));
	cr_expect_str_eq(sc_country_of(c, sizeof(c), NULL, "+442071234567"), "+44");
	cr_expect_str_eq(sc_country_of(c, sizeof(c), NULL, "+353123456"), "+353");
	cr_expect(sc_is_toll_free("+18005550100"));
	cr_expect(!sc_is_toll_free("+12065550100"));
	cr_expect_str_eq(sc_mistake_title(0), "");
}
