/*
 * routes.c - the table of every request (see routes.h). docs/wire.md is
 * printed from this table by scripts/wire_doc.py: keep one field per line.
 */
#include "routes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "graph.h"

static const struct route routes[RT_COUNT] = {
	[RT_NCS_LOCATIONS] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/locations",
		.body = "",
		.answer = "a bare array of locations: id, civicAddressId, location, isDefault, elin and the address fields",
		.grade = "CAP",
		.source = "CIPP-API (Get-CsOnlineLisLocation through the admin API)",
		.probe = true,
	},
	[RT_NCS_ADDRESS_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/civicAddresses",
		.body = "NewCivicAddress: companyName, companyId, houseNumber, streetName, cityOrTown, cityOrTownAlias, stateOrProvince, postalOrZipCode, country, latitude, longitude, elin, description... (no countyOrDistrict)",
		.answer = "the new address: id",
		.grade = "INF",
		.source = "body keys GEN (New-CsOnlineLisCivicAddressModern model); the path is inferred",
	},
	[RT_NCS_ADDRESS_UPDATE] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/civicAddresses",
		.body = "SetCivicAddress: id plus the changed fields (cityAlias, companyTaxId for the alias and company id)",
		.answer = "nothing",
		.grade = "INF",
		.source = "GEN: Set-CsOnlineLisCivicAddressModern has no path parameter, id in the body; the verb is inferred",
	},
	[RT_NCS_ADDRESS_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/civicAddresses/{id}",
		.body = "",
		.answer = "nothing",
		.grade = "INF",
		.source = "GEN: Remove-CsOnlineLisCivicAddress has the id as a path parameter; the path is inferred",
	},
	[RT_NCS_LOCATION_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/locations",
		.body = "NewLocation: civicAddressId, additionalInfo (the place name, sent as location too), elin",
		.answer = "nothing",
		.grade = "INF",
		.source = "GEN: NewLocation has AdditionalInfo and no Location; the path is inferred",
	},
	[RT_NCS_LOCATION_UPDATE] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/locations",
		.body = "SetLocation: id, additionalInfo (and location), elin",
		.answer = "nothing",
		.grade = "INF",
		.source = "GEN: Set-CsOnlineLisLocationModern has no path parameter, id in the body; the verb is inferred",
	},
	[RT_NCS_LOCATION_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Skype.Ncs/locations/{id}",
		.body = "",
		.answer = "nothing",
		.grade = "INF",
		.source = "GEN: Remove-CsOnlineLisLocation has the id as a path parameter; the path is inferred",
	},
	[RT_POLICY_LIST] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]",
		.body = "",
		.answer = "a bare array of instances (Identity \"Global\" or \"Tag:name\" and the type's properties)",
		.grade = "DIS",
		.source = "MicrosoftTeams 6.4.0/7.8.0 PolicyRp GetAsync; CAP go-teams",
		.probe = true,
	},
	[RT_POLICY_GET] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]/configuration/[tag]{name}",
		.body = "",
		.answer = "one instance; 404 when missing",
		.grade = "DIS",
		.source = "MicrosoftTeams PolicyRp GetAsync (identity as typed; Tag:name here)",
		.probe = true,
	},
	[RT_POLICY_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]",
		.body = "PascalCase properties with Identity (bare name)",
		.answer = "the instance",
		.grade = "DIS",
		.source = "MicrosoftTeams PolicyRp CreateAsync; CAP go-teams for the ConfigAPI types",
	},
	[RT_POLICY_PUT] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]/configuration/[tag]{name}",
		.body = "the changed PascalCase properties, no Identity (OnlineVoiceRoutingPolicy, TeamsEmergencyCallRoutingPolicy, OnlinePstnUsages)",
		.answer = "nothing",
		.grade = "CAP",
		.source = "CIPP-API, go-teams (Set-CsConfiguration)",
	},
	[RT_POLICY_PATCH] = {
		.method = "PATCH",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]/configuration/[tag]{name}",
		.body = "Identity plus the changed PascalCase properties (TeamsSharedCallingRoutingPolicy)",
		.answer = "nothing",
		.grade = "DIS",
		.source = "MicrosoftTeams PolicyRp SetAsync",
	},
	[RT_POLICY_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/configurations/[type]/configuration/[tag]{name}",
		.body = "",
		.answer = "nothing",
		.grade = "DIS",
		.source = "MicrosoftTeams PolicyRp RemoveAsync",
	},
	[RT_GRANT_USER] = {
		.method = "PATCH",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/users/{id}/policies/[type]",
		.body = "{\"policyName\": name or null, \"additionalParameters\": null}",
		.answer = "nothing (a warning header at most)",
		.grade = "DIS",
		.source = "MicrosoftTeams PolicyRp GrantToUserAsync, SingleGrantPayload; CAP go-teams",
	},
	[RT_GROUP_GRANTS] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/groupPolicyAssignments?policyType=[type]",
		.body = "",
		.answer = "a bare array: groupId, policyType, policyName, priority",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 GroupGetPolicyAssignment2, GroupAssignment",
		.probe = true,
	},
	[RT_GROUP_GRANT_CREATE] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/groupPolicyAssignments/{group}/policyTypes/[type]",
		.body = "{\"policyName\", \"priority\"}",
		.answer = "nothing",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 GroupNewPolicyAssignment, GroupAssignPayload",
	},
	[RT_GROUP_GRANT_CHANGE] = {
		.method = "PATCH",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/groupPolicyAssignments/{group}/policyTypes/[type]",
		.body = "{\"policyName\", \"priority\"}",
		.answer = "nothing",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 GroupSetPolicyAssignment",
	},
	[RT_GROUP_GRANT_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Skype.Policy/groupPolicyAssignments/{group}/policyTypes/[type]",
		.body = "",
		.answer = "nothing",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 GroupRemovePolicyAssignment",
	},
	[RT_ENTERPRISE_VOICE] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity={id}&enterpriseVoiceEnabled=[bool]",
		.body = "none; True or False in the query",
		.answer = "nothing",
		.grade = "INF",
		.source = "query GEN (Set-CsPhoneNumberAssignment 7.7.0, every parameter Query); path and verb inferred",
	},
	[RT_RA_LIST] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.PlatformService/v2/ApplicationInstances?pageSize=100[more]",
		.body = "",
		.answer = "{applicationInstances: [...], skipToken}",
		.grade = "CAP",
		.source = "CIPP-API (resource account cache and standards)",
		.probe = true,
	},
	[RT_RA_GET] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity={identity}",
		.body = "",
		.answer = "an application instance, or a list of one; 404 when missing",
		.grade = "CAP",
		.source = "go-teams catalog (captured)",
	},
	[RT_RA_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Teams.PlatformService/v2/ApplicationInstances",
		.body = "ApplicationInstanceCreateRequest: userPrincipalName, displayName, applicationId",
		.answer = "the new instance",
		.grade = "INF",
		.source = "body GEN (7.7.0 exports); path and verb inferred",
	},
	[RT_AA_LIST] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/auto-attendants?first=[first]&skip=[skip]",
		.body = "",
		.answer = "{autoAttendants: [...]}, each possibly in an autoAttendant envelope",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.8.0 Get-CsAutoAttendant synopsis and query parameters",
		.probe = true,
	},
	[RT_AA_GET] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/auto-attendants/{id}",
		.body = "",
		.answer = "{autoAttendant: {...}, diagnostic} (a bare object is accepted too)",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.7.0/7.8.0 wrappers read .AutoAttendant",
	},
	[RT_AA_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/auto-attendants",
		.body = "ICreateAutoAttendantRequest: name, languageId, voiceId, timeZoneId, defaultCallFlow, callFlows, callHandlingAssociations, operator, directoryLookupScope (groupDialScope), no schedules",
		.answer = "{autoAttendant: {id, ...}}",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.8.0 New-CsAutoAttendant",
	},
	[RT_AA_UPDATE] = {
		.method = "PUT",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/auto-attendants/{id}",
		.body = "the whole attendant, schedules included (weeklyRecurrentSchedule.isComplemented)",
		.answer = "{autoAttendant: {...}}",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.8.0 Set-CsAutoAttendant",
	},
	[RT_AA_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/auto-attendants/{id}",
		.body = "",
		.answer = "nothing",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.8.0 Remove-CsAutoAttendant",
	},
	[RT_ASSOC_CREATE] = {
		.method = "POST",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/applicationinstanceassociations",
		.body = "{configurationId, configurationType, endpointsId: [...], callPriority}",
		.answer = "nothing",
		.grade = "GEN",
		.source = "MicrosoftTeams 7.8.0 New-CsOnlineApplicationInstanceAssociation",
	},
	[RT_ASSOC_GET] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/applicationinstanceassociations/{id}",
		.body = "",
		.answer = "{id, configurationType, configurationId, callPriority}; 404 when none",
		.grade = "CAP",
		.source = "go-teams (decompiled module)",
	},
	[RT_ASSOC_DELETE] = {
		.method = "DELETE",
		.svc = SVC_TEAMS,
		.path = "/Teams.VoiceApps/applicationinstanceassociations/{id}",
		.body = "",
		.answer = "nothing",
		.grade = "CAP",
		.source = "go-teams (decompiled module)",
	},
	[RT_TEAMS_USER_GET] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.User/users/{id}",
		.body = "",
		.answer = "a user: objectId, accountType, enterpriseVoiceEnabled, lineUri, effectivePolicyAssignments",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 UsersGetUser; 7.7.0 Get-CsUser (identity in the path)",
	},
	[RT_TEAMS_USERS] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Teams.User/users?pageSize=100[more]",
		.body = "none; psfilter=AccountType -eq 'X' and skiptoken in [more]",
		.answer = "{users: [...], @nextLink}",
		.grade = "DIS",
		.source = "MicrosoftTeams 2.3.1 UsersSearchUsers, UserApiSearchResults; 7.8.0 Get-CsOnlineUser -AccountType",
		.probe = true,
	},
	[RT_USER_POLICIES] = {
		.method = "GET",
		.svc = SVC_TEAMS,
		.path = "/Skype.User/users/{id}/policies?policyType={type}",
		.body = "",
		.answer = "the policy assignments as written (direct and group), whether in effect yet or not",
		.grade = "INF",
		.source = "what Get-CsUserPolicyAssignment shows; the request is not captured",
	},
	[RT_G_ORGANIZATION] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/organization?$select=id,displayName,verifiedDomains",
		.body = "",
		.answer = "{value: [organization]}",
		.grade = "DOC",
		.source = "Graph v1.0 organization: list",
		.probe = true,
	},
	[RT_G_SKUS] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/subscribedSkus",
		.body = "",
		.answer = "{value: [subscribedSku]}",
		.grade = "DOC",
		.source = "Graph v1.0 subscribedSku: list",
		.probe = true,
	},
	[RT_G_USER_GET] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users/{id}?$select=id,userPrincipalName,displayName,usageLocation,assignedLicenses,accountEnabled",
		.body = "",
		.answer = "a user; 404 when missing",
		.grade = "DOC",
		.source = "Graph v1.0 user: get",
	},
	[RT_G_USER_PATCH] = {
		.method = "PATCH",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users/{id}",
		.body = "user properties (usageLocation, displayName)",
		.answer = "nothing",
		.grade = "DOC",
		.source = "Graph v1.0 user: update",
	},
	[RT_G_USER_DELETE] = {
		.method = "DELETE",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users/{id}",
		.body = "",
		.answer = "nothing",
		.grade = "DOC",
		.source = "Graph v1.0 user: delete",
	},
	[RT_G_ASSIGN_LICENSE] = {
		.method = "POST",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users/{id}/assignLicense",
		.body = "{addLicenses: [{skuId, disabledPlans}], removeLicenses: [skuId]}",
		.answer = "the user",
		.grade = "DOC",
		.source = "Graph v1.0 user: assignLicense",
	},
	[RT_G_USERS_FILTER] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users?$filter={filter}&$count=true&$top=999&$select=id,userPrincipalName,displayName,assignedLicenses",
		.body = "none; ConsistencyLevel: eventual",
		.answer = "{value: [...], @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 user: list (advanced query)",
	},
	[RT_G_USERS_LIST] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users?$select=[select]&$top=999",
		.body = "",
		.answer = "{value: [...], @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 user: list",
		.probe = true,
	},
	[RT_G_USERS_COUNTED] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/users?$select=[select]&$count=true&$top=999",
		.body = "none; ConsistencyLevel: eventual",
		.answer = "{value: [...], @odata.count, @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 user: list ($count, advanced query)",
	},
	[RT_G_GROUP_GET] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/groups/{id}?$select=id,displayName",
		.body = "",
		.answer = "a group; 404 when missing",
		.grade = "DOC",
		.source = "Graph v1.0 group: get",
	},
	[RT_G_GROUP_MEMBERS] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/groups/{id}/members?$select=id,userPrincipalName&$top=999",
		.body = "",
		.answer = "{value: [...], @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 group: list members",
	},
	[RT_G_BATCH] = {
		.method = "POST",
		.svc = SVC_GRAPH,
		.path = "/v1.0/$batch",
		.body = "{requests: [{id, method, url}]} (20 at most)",
		.answer = "{responses: [{id, status, body}]}",
		.grade = "DOC",
		.source = "Graph JSON batching",
	},
	[RT_GB_USER] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/users/{id}?$select=[select]",
		.body = "(inside $batch)",
		.answer = "a user; 404 when missing",
		.grade = "DOC",
		.source = "Graph v1.0 user: get",
	},
	[RT_GB_USER_CONFIG] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/admin/teams/userConfigurations/{id}",
		.body = "(inside $batch)",
		.answer = "a teamsUserConfiguration; 404 when missing",
		.grade = "DOC",
		.source = "Graph v1.0 teamsUserConfiguration: get",
	},
	[RT_G_USER_CONFIGS] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/userConfigurations?$top=999",
		.body = "",
		.answer = "{value: [teamsUserConfiguration], @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 teamsAdministration: list userConfigurations",
		.probe = true,
	},
	[RT_G_USER_CONFIG] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/userConfigurations/{id}",
		.body = "",
		.answer = "a teamsUserConfiguration: isEnterpriseVoiceEnabled, effectivePolicyAssignments, telephoneNumbers",
		.grade = "DOC",
		.source = "Graph v1.0 teamsUserConfiguration: get",
	},
	[RT_G_NUMBERS] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments[query]",
		.body = "none; $filter, $top and $skip in [query]",
		.answer = "{value: [numberAssignment]}",
		.grade = "DOC",
		.source = "Graph v1.0 telephoneNumberManagementRoot: list numberAssignments",
		.probe = true,
	},
	[RT_G_NUMBER_ACTION] = {
		.method = "POST",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/[action]",
		.body = "assignNumber, unassignNumber or updateNumber parameters",
		.answer = "202 and an operation Location (updateNumber: 200)",
		.grade = "DOC",
		.source = "Graph v1.0 numberAssignment: assignNumber, unassignNumber, updateNumber",
	},
	[RT_G_NUMBER_OPERATION] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "[location]",
		.body = "",
		.answer = "the operation, top level or under value: status, numbers[].statusDetail",
		.grade = "DOC",
		.source = "Graph v1.0 telephoneNumberLongRunningOperation: get (the example wraps it in value)",
	},
	[RT_G_POLICY_ID] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/policy/getPolicyId(type='[type]',name='{name}')",
		.body = "",
		.answer = "{value: [{name, policyId}]}",
		.grade = "DOC",
		.source = "Graph v1.0 teamsPolicyAssignment: getPolicyId",
	},
	[RT_G_POLICY_ASSIGN] = {
		.method = "POST",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/policy/userAssignments/assign",
		.body = "{value: [{@odata.type, userId, policyType, policyId}]}",
		.answer = "204",
		.grade = "DOC",
		.source = "Graph v1.0 teamsPolicyUserAssignment: assign",
	},
	[RT_G_POLICY_UNASSIGN] = {
		.method = "POST",
		.svc = SVC_GRAPH,
		.path = "/v1.0/admin/teams/policy/userAssignments/unassign",
		.body = "{value: [{@odata.type, userId, policyType}]}",
		.answer = "204",
		.grade = "DOC",
		.source = "Graph v1.0 teamsPolicyUserAssignment: unassign",
	},
	[RT_G_CALL_RECORDS] = {
		.method = "GET",
		.svc = SVC_GRAPH,
		.path = "/v1.0/communications/callRecords/[function](fromDateTime=[from],toDateTime=[to])",
		.body = "",
		.answer = "{value: [pstnCallLogRow or directRoutingLogRow], @odata.nextLink}",
		.grade = "DOC",
		.source = "Graph v1.0 callRecords: getPstnCalls, getDirectRoutingCalls",
	},
};

const struct route *
route_get(enum route_id id)
{
	if ((int)id < 0 || id >= RT_COUNT || !routes[id].method)
		BUG("route %d is not in the table", (int)id);
	return &routes[id];
}

char *
route_path(enum route_id id, ...)
{
	const char *t = route_get(id)->path, *end, *arg;
	struct buf b = BUF_INIT((size_t)1 << 20);
	char *enc, *out;
	va_list ap;

	va_start(ap, id);
	while (*t) {
		if (*t != '{' && *t != '[') {
			if (buf_add(&b, t, 1))
				BUG("out of memory");
			t++;
			continue;
		}
		end = strchr(t, *t == '{' ? '}' : ']');
		if (!end)
			BUG("route %d: unterminated placeholder in %s", (int)id, route_get(id)->path);
		arg = va_arg(ap, const char *);
		if (!arg)
			BUG("route %d: missing argument for %.*s", (int)id, (int)(end - t + 1), t);
		if (*t == '{') {
			enc = graph_escape(arg);
			if (buf_adds(&b, enc))
				BUG("out of memory");
			free(enc);
		} else if (buf_adds(&b, arg)) {
			BUG("out of memory");
		}
		t = end + 1;
	}
	va_end(ap);
	if (buf_adds(&b, ""))
		BUG("out of memory");
	out = buf_detach(&b, NULL);
	return out;
}

char *
route_unverified(enum route_id id, const char *path, long status,
    const char *service_text)
{
	const struct route *r = route_get(id);

	if (strcmp(r->grade, "INF") != 0 || (status != 404 && status != 405))
		return NULL;
	return xasprintf("this request's route is not verified against Microsoft yet: %s %s; "
	    "see docs/wire.md to capture it%s%s%s", r->method, path,
	    service_text && *service_text ? " (the service answered: " : "",
	    service_text && *service_text ? service_text : "",
	    service_text && *service_text ? ")" : "");
}
