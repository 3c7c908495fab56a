/*
 * tenant.h - typed reads and writes of the tenant that several modules share:
 * organization, licences, users and groups. Each function names the one
 * endpoint it uses; reads fail rather than return partial data. Numbers
 * are in numbers.h, policies in policies.h, call records in callrecords.h.
 */
#ifndef DIALTONE_TENANT_H
#define DIALTONE_TENANT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

struct svc_req;
struct svc_resp;

/*
 * The organization (GET /v1.0/organization): id, displayName,
 * verifiedDomains. @param[out] out a new object.
 */
int tenant_organization(cJSON **out, struct core_ctx *ctx);

/* True when domain (of a UPN) is one of org's verified domains. */
bool tenant_domain_verified(const cJSON *org, const char *upn);

/*
 * Subscribed SKUs (GET /v1.0/subscribedSkus), each with an added
 * "freeUnits" = prepaidUnits.enabled - consumedUnits.
 * @param[out] out  a new array
 */
int tenant_skus(cJSON **out, struct core_ctx *ctx);

/*
 * A user or resource account by object id or UPN (GET /v1.0/users/{id}
 * with id, userPrincipalName, displayName, usageLocation, assignedLicenses,
 * accountEnabled).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when there is none
 */
int tenant_user_get(cJSON **out, struct core_ctx *ctx, const char *id_or_upn);

/*
 * GET /v1.0/users/{ref}?$select=select for each of the n refs (object ids or
 * UPNs), through $batch. When every read is answered, fn is called once per
 * ref, in order, with the user, which fn takes (NULL when there is no such
 * user: 404).
 * @return CORE_OK, or the first failure other than a 404 (ctx->msg names
 *         the read); fn is not called then
 */
int tenant_users_batch(struct core_ctx *ctx, const char *const *refs, size_t n,
    const char *select, void (*fn)(void *arg, size_t i, cJSON *user), void *arg);

/* The SKU in skus whose skuPartNumber or skuId is name (case-insensitive). */
const cJSON *tenant_sku_find(const cJSON *skus, const char *name);

/* The licences a user holds (its assignedLicenses), as an array of skuIds. */
cJSON *tenant_user_sku_ids(const cJSON *user);

/* PATCH /v1.0/users/{id} {"usageLocation": cc} */
int tenant_set_usage_location(struct core_ctx *ctx, const char *user_id,
    const char *cc);
/* PATCH /v1.0/users/{id} {"displayName": name} (resource accounts: the Teams update is refused app-only) */
int tenant_user_set_display_name(struct core_ctx *ctx, const char *user_id,
    const char *name);

/*
 * POST /v1.0/users/{id}/assignLicense with the skuIds to add (no disabled
 * plans) and to remove. Either list may be NULL (sent as []).
 */
int tenant_assign_licenses(struct core_ctx *ctx, const char *user_id,
    const cJSON *add_sku_ids, const cJSON *remove_sku_ids);

/* DELETE /v1.0/users/{id} (how a resource account is deleted). */
int tenant_user_delete(struct core_ctx *ctx, const char *user_id);

/*
 * Every user's Teams voice state in bulk (GET /v1.0/admin/teams/
 * userConfigurations, 999 per page): id, userPrincipalName, accountType,
 * isEnterpriseVoiceEnabled, telephoneNumbers, effectivePolicyAssignments.
 */
int tenant_user_configurations(cJSON **out, struct core_ctx *ctx);

/* One user's Teams voice state; CORE_ENOTFOUND (no message) when none. */
int tenant_user_configuration(cJSON **out, struct core_ctx *ctx, const char *id);

/*
 * Whether a refused write's text says the user or account is not provisioned
 * in Teams yet (a new account or licence still replicating: "User does not
 * exist", "The user was not provisioned successfully", "The user '{id}' is
 * not found"). Such a write did nothing and is sent again after a wait, for
 * at most TENANT_PROVISION_WAIT_S seconds.
 */
bool tenant_not_yet_provisioned(const char *text);
#define TENANT_PROVISION_WAIT_S 120

/*
 * svc_call_many() for writes to users: the requests refused because the user
 * is not provisioned in Teams yet (tenant_not_yet_provisioned() on the
 * answer's text) did nothing, and are sent again after a doubling wait (2 s
 * to 15 s) for at most TENANT_PROVISION_WAIT_S seconds. resps[i] and rcs[i]
 * hold the last answer to reqs[i]; the caller releases resps as after
 * svc_call_many().
 * @return as svc_call_many()
 */
int tenant_write_many(struct svc_resp *resps, int *rcs, struct core_ctx *ctx,
    const struct svc_req *reqs, size_t n);
/*
 * The resend of tenant_write_many() alone, for n requests already sent:
 * resps[i] and rcs[i] hold their answers and are replaced by the last one.
 * @return CORE_OK, or the transport or sign-in error of a resend
 */
int tenant_resend_not_provisioned(struct core_ctx *ctx, const struct svc_req *reqs,
    struct svc_resp *resps, int *rcs, size_t n);

/* Licence ids of docs/design/services.md#licence-ids. */
#define TENANT_SKU_RESOURCE_ACCOUNT "PHONESYSTEM_VIRTUALUSER"
#define TENANT_SKU_TEAMS_PHONE "MCOEV"
#define TENANT_PLAN_TEAMS_PHONE "4828c8ec-dc2e-4779-b502-87ac9ce28ab7"
#define TENANT_PLAN_RESOURCE_ACCOUNT "f47330e9-c134-43b3-9993-e7f004506889"
#define TENANT_SKU_COMM_CREDITS "47794cd0-f0e5-45c5-9033-2eb6b5fc84e0"

/*
 * True when user (from tenant_user_get) holds service plan plan_id, not
 * disabled, through one of its licences; skus is tenant_skus() output.
 * Provisioning state is not looked at: it is the number service's to wait for.
 */
bool tenant_user_has_plan(const cJSON *user, const cJSON *skus, const char *plan_id);

/*
 * True when user holds a Calling Plan licence: a SKU whose part number
 * starts with MCOPSTN, Communications Credits (MCOPSTNC) excepted. This is
 * what the number service asks of a Calling Plan number's holder (N3).
 */
bool tenant_user_has_calling_plan(const cJSON *user, const cJSON *skus);

/*
 * The part numbers of the licences user holds (the skuId when skus does
 * not list it), in assignedLicenses order. The caller owns the array.
 */
cJSON *tenant_user_sku_names(const cJSON *user, const cJSON *skus);

enum tenant_account {
	TENANT_ACCOUNT_USER = 1,       /* a user, not a resource account */
	TENANT_ACCOUNT_RESOURCE,       /* a resource account the Teams admin service finds */
	TENANT_ACCOUNT_REPLICATING,    /* a resource account Teams does not find yet */
};

/*
 * What kind of account user (from tenant_user_get) is, asking the Teams
 * side: the application instance read (1b) finds resource accounts; the
 * user's teamsUserConfiguration (2.2.4) finds users. An account neither
 * finds is a resource account still replicating when it is disabled (as
 * resource accounts are), else a user.
 * @param[out] teams  the application instance (RESOURCE), the
 *                    userConfiguration (USER, when there is one) or NULL;
 *                    the caller owns it
 * @return CORE_OK or a read error
 */
int tenant_account_kind(enum tenant_account *kind, cJSON **teams,
    struct core_ctx *ctx, const cJSON *user);

/*
 * The direct members of a group (GET /v1.0/groups/{id}/members, 999 per
 * page): [{"id", "userPrincipalName", ...}]. Group policy assignment
 * applies to direct members only (docs/design/rules.md#lim-6).
 */
int tenant_group_members(cJSON **out, struct core_ctx *ctx, const char *id);

/*
 * Checks that in is an assigned ISO 3166-1 alpha-2 country code (either
 * case) and writes it upper-cased to out ("us" -> "US").
 * @return true when it is one; out is then set
 */
bool tenant_country_code(char out[3], const char *in);

/*
 * A group by object id (GET /v1.0/groups/{id}?$select=id,displayName;
 * Graph permission GroupMember.Read.All or Group.Read.All).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when there is none
 */
int tenant_group_get(cJSON **out, struct core_ctx *ctx, const char *id);

/*
 * Every user holding Teams Phone, read in bulk: for each subscribed SKU that
 * carries the Teams Phone service plan (MCOEV, TENANT_PLAN_TEAMS_PHONE: the
 * Teams Phone Standard SKU, and suites such as E5), the users filtered on
 * that licence (GET /v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq
 * {id})&$count=true, ConsistencyLevel: eventual, 999 per page), without
 * those whose licence disables the plan. No per-user requests.
 * @param[out] out  a new array of users (id, userPrincipalName, displayName,
 *                  assignedLicenses), each once, sorted by id
 * @param[out] skus the subscribed SKUs read on the way (may be NULL; else
 *                  the caller owns it)
 */
int tenant_teams_phone_users(cJSON **out, cJSON **skus, struct core_ctx *ctx);

#endif
