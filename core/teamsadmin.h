/*
 * teamsadmin.h - every path and body shape of the Teams admin API (the
 * "teams" service). The service is undocumented and changes without notice;
 * this file and teamsadmin.c are the only places that know its routes, so
 * following the service means editing them alone. docs/design/services.md#teams-admin and docs/design/conventions.md list
 * the choices made here.
 *
 * Conventions:
 *   - keys are read case-insensitively (cJSON_GetObjectItem);
 *   - single reads may come back as a one-element array, which is unwrapped;
 *   - list reads may come back bare or wrapped ("value" or a named list);
 *   - a missing object is CORE_ENOTFOUND without a message;
 *   - writes return CORE_OK for any 2xx; the body, when there is one, is
 *     handed to the caller through *out (which may be NULL to ignore it).
 *   - object ids and names go into paths percent-encoded.
 * Every "out" result belongs to the caller (cJSON_Delete()).
 */
#ifndef DIALTONE_TEAMSADMIN_H
#define DIALTONE_TEAMSADMIN_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/* Policy types used by the collection (Skype.Policy configurations). */
#define TA_SHARED_CALLING "TeamsSharedCallingRoutingPolicy"
#define TA_VOICE_ROUTING "OnlineVoiceRoutingPolicy"
#define TA_EMERGENCY_ROUTING "TeamsEmergencyCallRoutingPolicy"
#define TA_PSTN_USAGES "OnlinePstnUsages"

/* Resource account application ids (docs/design/services.md#resource-accounts). */
#define TA_APP_AUTO_ATTENDANT "ce933385-9390-45d1-9512-c8d228074e07"
#define TA_APP_CALL_QUEUE "11cd3e2e-fccb-42ad-ad00-878b93575e07"

/* ---- emergency addresses and locations: /Skype.Ncs ---- */

/*
 * Every emergency location of the tenant (GET /Skype.Ncs/locations): one
 * entry per location, the civic address fields repeated on each.
 */
int ta_locations(cJSON **out, struct core_ctx *ctx);

/*
 * Groups ta_locations() output into civic addresses:
 * [{"civicAddressId", "defaultLocationId", address fields..., "locations":
 * [{"id", "location", "isDefault", "elin"}]}], sorted by description.
 */
cJSON *ta_group_addresses(const cJSON *locations);

/*
 * POST /Skype.Ncs/civicAddresses; body holds the NewCivicAddress fields
 * (countyOrDistrict, a location field, is left out).
 */
int ta_address_create(cJSON **out, struct core_ctx *ctx, const cJSON *body);
/*
 * PUT /Skype.Ncs/civicAddresses with the id in the body; body uses the read
 * names (cityOrTownAlias, companyId), sent as SetCivicAddress names them
 * (cityAlias, companyTaxId).
 */
int ta_address_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body);
/* DELETE /Skype.Ncs/civicAddresses/{id} */
int ta_address_delete(struct core_ctx *ctx, const char *id);
/* POST /Skype.Ncs/locations {"civicAddressId","additionalInfo","location","elin"} */
int ta_location_create(cJSON **out, struct core_ctx *ctx, const char *civic_id,
    const char *location, const char *elin);
/* PUT /Skype.Ncs/locations with the id in the body; "location" is sent as additionalInfo too. */
int ta_location_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body);
/* DELETE /Skype.Ncs/locations/{id} */
int ta_location_delete(struct core_ctx *ctx, const char *id);

/* ---- policies: /Skype.Policy/configurations ---- */

/* Every instance of a policy type, Global included. */
int ta_policies(cJSON **out, struct core_ctx *ctx, const char *type);
/*
 * One instance by name ("Seattle", "Tag:Seattle" or "Global").
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when it does not exist
 */
int ta_policy_get(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name);
/* Creates an instance: POST with "Identity": name and the fields of body. */
int ta_policy_create(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *body);
/*
 * Updates an instance with the changed fields only (merge): PATCH with
 * Identity for TeamsSharedCallingRoutingPolicy, PUT without it otherwise.
 */
int ta_policy_update(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *changes);
/* Deletes an instance. */
int ta_policy_delete(struct core_ctx *ctx, const char *type, const char *name);
/* The bare name of an Identity: "Tag:Seattle" -> "Seattle"; "Global" stays. */
const char *ta_policy_name(const char *identity);
/* The instance of a policy list whose Identity is name, bare or tagged, any case; NULL if none. */
const cJSON *ta_policy_find(const cJSON *list, const char *name);

/* ---- grants ---- */

/*
 * Grants to a group with a rank (1 is the highest): PUT when the group has
 * no grant of the type yet, PATCH to change one (exists).
 */
int ta_grant_group(struct core_ctx *ctx, const char *group_id, const char *type,
    const char *name, int rank, bool exists);
/* Removes a group grant. */
int ta_ungrant_group(struct core_ctx *ctx, const char *group_id, const char *type);
/*
 * Every group grant of a type: [{"GroupId","PolicyType","PolicyName","Rank"}]
 * (the service's groupId, policyType, policyName and priority).
 */
int ta_group_grants(cJSON **out, struct core_ctx *ctx, const char *type);

/* ---- enterprise voice without a number ---- */


/* ---- resource accounts: /Teams.PlatformService/v2 ---- */

/* Every licensed resource account (pageSize=100, skipToken paging). */
int ta_resource_accounts(cJSON **out, struct core_ctx *ctx);
/*
 * One resource account by UPN or object id (Legacy read; returns accounts
 * whether licensed or not).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when the service has none
 */
int ta_resource_account_get(cJSON **out, struct core_ctx *ctx, const char *identity);
/*
 * Creates a resource account. Never repeated after an ambiguous failure:
 * on CORE_EHTTP with *ambiguous set the caller must look it up first.
 */
int ta_resource_account_create(cJSON **out, bool *ambiguous, struct core_ctx *ctx,
    const char *upn, const char *display_name, const char *application_id);
/*
 * There is no update: Set-CsOnlineApplicationInstance is not supported with
 * application authentication (Learn, "Application-based authentication in
 * Teams PowerShell module"), and every sign-in of the collection is app-only.
 * A display name changes through Graph (tenant_user_set_display_name()).
 */

/* ---- auto attendants: /Teams.VoiceApps ---- */

/* Every auto attendant (full objects, out of their envelopes). */
int ta_auto_attendants(cJSON **out, struct core_ctx *ctx);
/* One auto attendant; CORE_ENOTFOUND (no message) when missing. */
int ta_auto_attendant_get(cJSON **out, struct core_ctx *ctx, const char *id);
/* Creates; never repeated after an ambiguous failure (see above). */
int ta_auto_attendant_create(cJSON **out, bool *ambiguous, struct core_ctx *ctx,
    const cJSON *body);
/* Full-object PUT (read, modify, write). */
int ta_auto_attendant_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body);
int ta_auto_attendant_delete(struct core_ctx *ctx, const char *id);
/*
 * Links resource accounts (object ids) to an auto attendant.
 * priority is 1..5 (3 when 0 is given).
 */
int ta_associate(struct core_ctx *ctx, const char *aa_id,
    const char *const *endpoint_ids, size_t n, int priority);
/*
 * The association of one resource account; CORE_ENOTFOUND when none.
 * Without priority, a check run's snapshot answers for an account one of its
 * auto attendants lists (applicationInstances), without callPriority, which
 * only the association itself holds; an account none lists (it may answer
 * for a call queue) and any read with priority ask the service.
 */
int ta_association_get(cJSON **out, struct core_ctx *ctx, const char *endpoint_id,
    bool priority);
int ta_disassociate(struct core_ctx *ctx, const char *endpoint_id);

/* ---- users, Teams view (fallback reader) ---- */

/* GET /Teams.User/users/{objectId}; CORE_ENOTFOUND when missing. */
int ta_user_get(cJSON **out, struct core_ctx *ctx, const char *object_id);

/* ---- PSTN usages: the Global OnlinePstnUsages instance ---- */

/*
 * The tenant's PSTN usages: the "Usage" array of the Global
 * OnlinePstnUsages instance (GET .../OnlinePstnUsages/configuration/Global).
 * @param[out] out  a new array of strings (empty when the instance has none)
 */
int ta_pstn_usages(cJSON **out, struct core_ctx *ctx);
/*
 * Replaces the tenant's PSTN usages with usages (PUT of the Global instance
 * with {"Usage": usages}). The service refuses to drop a usage that a
 * policy still uses; callers add by sending the current list plus theirs.
 */
int ta_pstn_usages_set(struct core_ctx *ctx, const cJSON *usages);
/*
 * The strings of wanted that are not in have, once each, in wanted's order;
 * compared exactly, as the service does. The caller owns the new array.
 */
cJSON *ta_pstn_usages_missing(const cJSON *have, const cJSON *wanted);

/* ---- prepared writes, for many at once (teams_user_voice) ---- */

struct svc_req;

/*
 * Fill *req with a grant of policy name of type to a user or resource
 * account by object id (name "" removes the direct grant, sent as policyName
 * null), or with a user's enterprise voice switch, for svc_call_many() or
 * tenant_write_many(): these routes are only sent that way. The path and
 * body they put in req are allocated: free them with ta_req_release(),
 * which leaves req zeroed.
 */
void ta_grant_user_req(struct svc_req *req, const char *object_id,
    const char *type, const char *name);
/* PUT /Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=&enterpriseVoiceEnabled=True|False */
void ta_enterprise_voice_req(struct svc_req *req, const char *object_id, bool on);
void ta_req_release(struct svc_req *req);

/* ---- users, Teams view, in bulk (teams_shared_calling_info) ---- */

/*
 * Every user of the Teams view (GET /Teams.User/users, pageSize=100,
 * "@nextLink" paging, a skipToken as fallback), optionally only those of
 * one account type ("ResourceAccount": resource accounts, which
 * userConfigurations leaves out, with their effectivePolicyAssignments),
 * sent as psfilter=AccountType -eq '<type>'.
 * @param[out] out  a new array of user objects
 */
int ta_users(cJSON **out, struct core_ctx *ctx, const char *account_type);

#endif
