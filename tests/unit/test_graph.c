/*
 * test_graph.c - the pure helpers of graph, tenant and teamsadmin: quoting,
 * grouping, summaries and effective policies.
 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "graph.h"
#include "numbers.h"
#include "policies.h"
#include "teamsadmin.h"
#include "tenant.h"

static cJSON *
J(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON parses: %s", text);
	return j;
}

Test(graph, escapes_everything_but_unreserved_characters)
{
	char *s = graph_escape("ana@contoso.com/x y+1~_-.");

	cr_expect_str_eq(s, "ana%40contoso.com%2Fx%20y%2B1~_-.");
	free(s);
}

Test(graph, quotes_odata_literals_and_doubles_single_quotes)
{
	char *s = graph_literal("O'Brien+1");

	cr_expect_str_eq(s, "%27O%27%27Brien%2B1%27");
	free(s);
}

Test(teamsadmin, strips_the_tag_prefix_from_policy_identities)
{
	cr_expect_str_eq(ta_policy_name("Tag:Seattle"), "Seattle");
	cr_expect_str_eq(ta_policy_name("tag:Seattle"), "Seattle");
	cr_expect_str_eq(ta_policy_name("Global"), "Global");
	cr_expect_str_eq(ta_policy_name("Seattle"), "Seattle");
}

Test(teamsadmin, finds_a_policy_by_bare_or_tagged_name_in_any_case)
{
	cJSON *list = J("[{\"Identity\":\"Global\"},{\"Identity\":\"Tag:Seattle\"},{\"Description\":\"x\"}]");

	cr_expect_eq(ta_policy_find(list, "seattle"), cJSON_GetArrayItem(list, 1));
	cr_expect_eq(ta_policy_find(list, "Tag:SEATTLE"), cJSON_GetArrayItem(list, 1));
	cr_expect_eq(ta_policy_find(list, "Global"), cJSON_GetArrayItem(list, 0));
	cr_expect_null(ta_policy_find(list, "Redmond"));
	cr_expect_null(ta_policy_find(list, NULL));
	cr_expect_null(ta_policy_find(NULL, "Seattle"));
	cJSON_Delete(list);
}

Test(teamsadmin, groups_locations_into_civic_addresses_with_their_default_location)
{
	cJSON *locs = J("["
	    "{\"id\":\"L2\",\"civicAddressId\":\"A1\",\"description\":\"Seattle\",\"location\":\"Floor 3\",\"isDefault\":false,\"country\":\"US\",\"elin\":\"FLOOR3\"},"
	    "{\"id\":\"L1\",\"civicAddressId\":\"A1\",\"description\":\"Seattle\",\"location\":\"\",\"isDefault\":true,\"country\":\"US\"},"
	    "{\"id\":\"L9\",\"civicAddressId\":\"A0\",\"description\":\"Austin\",\"location\":\"\",\"isDefault\":true,\"country\":\"US\"}]");
	cJSON *addrs = ta_group_addresses(locs);
	const cJSON *first, *second;

	cr_assert_eq(cJSON_GetArraySize(addrs), 2);
	first = cJSON_GetArrayItem(addrs, 0);
	second = cJSON_GetArrayItem(addrs, 1);
	cr_expect_str_eq(cJSON_GetObjectItem(first, "description")->valuestring, "Austin",
	    "sorted by description");
	cr_expect_str_eq(cJSON_GetObjectItem(second, "defaultLocationId")->valuestring, "L1");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(second, "locations")), 2);
	cr_expect_str_eq(cJSON_GetObjectItem(second, "country")->valuestring, "US");
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(second, "elin")),
	    "address fields come from the default location's row, not a named location's");
	cJSON_Delete(addrs);
	cJSON_Delete(locs);
}

Test(tenant, counts_numbers_by_type_and_country)
{
	cJSON *nums = J("["
	    "{\"numberType\":\"callingPlan\",\"isoCountryCode\":\"US\",\"assignmentStatus\":\"userAssigned\"},"
	    "{\"numberType\":\"callingPlan\",\"isoCountryCode\":\"US\",\"assignmentStatus\":\"unassigned\"},"
	    "{\"numberType\":\"directRouting\",\"isoCountryCode\":null,\"assignmentStatus\":\"unassigned\"}]");
	cJSON *sum = tenant_numbers_summary(nums);
	cJSON *want = J("{\"total\":3,"
	    "\"by_type\":{\"callingPlan\":{\"total\":2,\"assigned\":1,\"unassigned\":1},"
	    "\"directRouting\":{\"total\":1,\"assigned\":0,\"unassigned\":1}},"
	    "\"by_country\":{\"US\":{\"total\":2,\"assigned\":1,\"unassigned\":1},"
	    "\"unknown\":{\"total\":1,\"assigned\":0,\"unassigned\":1}}}");

	cr_expect(cJSON_Compare(sum, want, 1));
	cJSON_Delete(sum);
	cJSON_Delete(want);
	cJSON_Delete(nums);
}

Test(tenant, finds_skus_by_part_number_or_id)
{
	cJSON *skus = J("[{\"skuId\":\"440eaaa8-b3e0-484b-a8be-62870b9ba70a\",\"skuPartNumber\":\"PHONESYSTEM_VIRTUALUSER\"}]");

	cr_expect_not_null(tenant_sku_find(skus, "phonesystem_virtualuser"));
	cr_expect_not_null(tenant_sku_find(skus, "440EAAA8-B3E0-484B-A8BE-62870B9BA70A"));
	cr_expect_null(tenant_sku_find(skus, "MCOEV"));
	cJSON_Delete(skus);
}

Test(tenant, reads_the_effective_policy_or_global)
{
	cJSON *cfg = J("{\"effectivePolicyAssignments\":[{\"policyType\":\"TeamsSharedCallingRoutingPolicy\","
	    "\"policyAssignment\":{\"displayName\":\"Seattle\",\"assignmentType\":\"direct\"}}]}");

	cr_expect_str_eq(tenant_effective_policy(cfg, "teamssharedcallingroutingpolicy"), "Seattle");
	cr_expect_str_eq(tenant_effective_policy(cfg, "OnlineVoiceRoutingPolicy"), "Global");
	cJSON_Delete(cfg);
}

Test(tenant, reads_the_effective_policy_with_how_it_applies)
{
	cJSON *cfg = J("{\"effectivePolicyAssignments\":["
	    "{\"policyType\":\"TeamsSharedCallingRoutingPolicy\",\"policyAssignment\":"
	    "{\"displayName\":\"Tag:Seattle\",\"assignmentType\":\"direct\"}},"
	    "{\"policyType\":\"OnlineVoiceRoutingPolicy\",\"policyAssignment\":"
	    "{\"displayName\":\"DR\",\"assignmentType\":\"group\"}},"
	    "{\"policyType\":\"TeamsEmergencyCallRoutingPolicy\",\"policyAssignment\":"
	    "{\"displayName\":\"\"}}]}");
	const char *kind = "unset";

	cr_expect_str_eq(tenant_effective(cfg, "teamssharedcallingroutingpolicy", &kind), "Seattle");
	cr_expect_str_eq(kind, "direct");
	cr_expect_str_eq(tenant_effective(cfg, "OnlineVoiceRoutingPolicy", &kind), "DR");
	cr_expect_str_eq(kind, "group");
	/* Listed without a name or a kind: Global, kind unknown. */
	cr_expect_str_eq(tenant_effective(cfg, "TeamsEmergencyCallRoutingPolicy", &kind), "Global");
	cr_expect_null(kind);
	kind = "unset";
	cr_expect_str_eq(tenant_effective(cfg, "TeamsVoicemailPolicy", &kind), "Global");
	cr_expect_null(kind);
	cJSON_Delete(cfg);
}

Test(tenant, effective_policy_of_a_view_without_assignments_is_global)
{
	cJSON *cfg = J("{\"id\":\"u1\"}");
	const char *kind = "unset";

	cr_expect_str_eq(tenant_effective(cfg, "OnlineVoiceRoutingPolicy", &kind), "Global");
	cr_expect_null(kind);
	cr_expect_str_eq(tenant_effective(NULL, "OnlineVoiceRoutingPolicy", &kind), "Global");
	cJSON_Delete(cfg);
}

Test(tenant, personal_numbers_leave_out_extensions_and_blanks)
{
	cJSON *cfg = J("{\"telephoneNumbers\":[\"+14255550100\",{\"telephoneNumber\":\"+14255550101\"},"
	    "{\"telephoneNumber\":\"+14255550102;ext=12\"},\"\",{\"assignmentCategory\":\"primary\"}]}");
	cJSON *nums = tenant_personal_numbers(cfg), *none;

	cr_assert_eq(cJSON_GetArraySize(nums), 2);
	cr_expect_str_eq(cJSON_GetArrayItem(nums, 0)->valuestring, "+14255550100");
	cr_expect_str_eq(cJSON_GetArrayItem(nums, 1)->valuestring, "+14255550101");
	none = tenant_personal_numbers(NULL);
	cr_assert(cJSON_IsArray(none));
	cr_expect_eq(cJSON_GetArraySize(none), 0);
	cJSON_Delete(none);
	cJSON_Delete(nums);
	cJSON_Delete(cfg);
}

Test(tenant, checks_a_upn_domain_against_verified_domains)
{
	cJSON *org = J("{\"verifiedDomains\":[{\"name\":\"contoso.com\"},{\"name\":\"contoso.onmicrosoft.com\"}]}");

	cr_expect(tenant_domain_verified(org, "main@Contoso.com"));
	cr_expect(!tenant_domain_verified(org, "main@fabrikam.com"));
	cr_expect(!tenant_domain_verified(org, "main"));
	cr_expect(!tenant_domain_verified(org, "main@"));
	cJSON_Delete(org);
}

Test(tenant, maps_number_type_choices_to_the_service_names)
{
	cr_expect_str_eq(tenant_number_type("direct_routing"), "directRouting");
	cr_expect_str_eq(tenant_number_type("calling_plan"), "callingPlan");
	cr_expect_str_eq(tenant_number_type("operator_connect"), "operatorConnect");
	cr_expect_null(tenant_number_type("pstn"));
	cr_expect_null(tenant_number_type(NULL));
	cr_expect_str_eq(tenant_number_choice("directRouting"), "direct_routing");
	cr_expect_str_eq(tenant_number_choice("CallingPlan"), "calling_plan");
	cr_expect_str_eq(tenant_number_choice("operatorConnect"), "operator_connect");
	cr_expect_null(tenant_number_choice("unknown"));
	cr_expect_null(tenant_number_choice(NULL));
}

Test(tenant, trims_a_configuration_to_what_the_modules_compare)
{
	static const char *const types[] = { "TeamsSharedCallingRoutingPolicy", NULL };
	cJSON *c = J("{\"id\":\"u1\",\"userPrincipalName\":\"ada@contoso.com\",\"tenantId\":\"t\","
	    "\"featureTypes\":[\"Teams\"],\"isEnterpriseVoiceEnabled\":true,"
	    "\"telephoneNumbers\":[{\"telephoneNumber\":\"+14255550100\"}],"
	    "\"effectivePolicyAssignments\":["
	    "{\"policyType\":\"TeamsMeetingPolicy\",\"policyAssignment\":{\"displayName\":\"M\"}},"
	    "{\"policyType\":\"teamsSharedCallingRoutingPolicy\",\"policyAssignment\":"
	    "{\"displayName\":\"SC-Seattle\",\"assignmentType\":\"direct\",\"policyId\":\"p\","
	    "\"groupId\":null}},"
	    "{\"policyType\":\"TeamsSharedCallingRoutingPolicy\",\"policyAssignment\":"
	    "{\"displayName\":\"Global\",\"assignmentType\":null}}]}");
	const cJSON *e;

	tenant_config_trim(c, types);
	cr_expect_null(cJSON_GetObjectItem(c, "tenantId"));
	cr_expect_null(cJSON_GetObjectItem(c, "featureTypes"));
	cr_expect_str_eq(cJSON_GetObjectItem(c, "userPrincipalName")->valuestring, "ada@contoso.com");
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(c, "isEnterpriseVoiceEnabled")));
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(c, "telephoneNumbers")), 1);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(c, "effectivePolicyAssignments")), 1);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "effectivePolicyAssignments"), 0);
	cr_expect_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "policyAssignment"), "policyId"));
	cr_expect_null(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "policyAssignment"), "groupId"));
	cr_expect_str_eq(tenant_effective_policy(c, "TeamsSharedCallingRoutingPolicy"), "SC-Seattle");
	cJSON_Delete(c);
}
