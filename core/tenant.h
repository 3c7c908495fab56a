/*
 * tenant.h - typed reads and writes of the tenant that several modules share:
 * organization, licences, users, numbers. Each function names the one
 * endpoint it uses; reads fail rather than return partial data.
 */
#ifndef DIALTONE_TENANT_H
#define DIALTONE_TENANT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/* numberAssignments pages: the service's maximum $top. */
#define TENANT_NUMBERS_PAGE 1000

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
 * Every number assignment (GET numberAssignments, $top/$skip paging),
 * optionally filtered with an OData $filter expression (not yet encoded).
 * @param[out] out  a new array
 */
int tenant_numbers(cJSON **out, struct core_ctx *ctx, const char *filter);

/*
 * Counts of numbers by numberType and by isoCountryCode, each with total,
 * assigned and unassigned. The caller owns the result.
 */
cJSON *tenant_numbers_summary(const cJSON *numbers);

/*
 * A user or resource account by object id or UPN (GET /v1.0/users/{id}
 * with id, userPrincipalName, displayName, usageLocation, assignedLicenses,
 * accountEnabled).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when there is none
 */
int tenant_user_get(cJSON **out, struct core_ctx *ctx, const char *id_or_upn);

/* The SKU in skus whose skuPartNumber or skuId is name (case-insensitive). */
const cJSON *tenant_sku_find(const cJSON *skus, const char *name);

/* The licences a user holds (its assignedLicenses), as an array of skuIds. */
cJSON *tenant_user_sku_ids(const cJSON *user);

/* PATCH /v1.0/users/{id} {"usageLocation": cc} */
int tenant_set_usage_location(struct core_ctx *ctx, const char *user_id,
    const char *cc);

/*
 * POST /v1.0/users/{id}/assignLicense with the skuIds to add (no disabled
 * plans) and to remove. Either list may be NULL (sent as []).
 */
int tenant_assign_licenses(struct core_ctx *ctx, const char *user_id,
    const cJSON *add_sku_ids, const cJSON *remove_sku_ids);

/* DELETE /v1.0/users/{id} (how a resource account is deleted). */
int tenant_user_delete(struct core_ctx *ctx, const char *user_id);

/*
 * The number assignment of one number (canonical E.164, ";ext=" allowed).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when the tenant has none
 */
int tenant_number_get(cJSON **out, struct core_ctx *ctx, const char *number);

/*
 * The service's numberType for a module's number_type choice:
 * direct_routing -> directRouting, calling_plan -> callingPlan,
 * operator_connect -> operatorConnect. NULL for anything else.
 */
const char *tenant_number_type(const char *choice);

struct tenant_assign {
	const char *number;        /* canonical E.164 */
	const char *target_id;     /* object id of a user or resource account */
	const char *number_type;   /* directRouting, callingPlan, operatorConnect */
	const char *category;      /* primary (default when NULL), private, alternate */
	const char *location_id;   /* or NULL */
	int wait_timeout;          /* seconds for the operation and replication */
};

/*
 * Assigns a number and waits for its operation. While the target is not yet
 * visible to the number service ("The user '{id}' is not found", a new
 * resource account) or its licence has not reached it ("lacks appropriate
 * licenses"), the assignment is tried again until wait_timeout: a failed
 * operation did not take effect, so repeating it is safe. After a dropped
 * request the number is read back before anything is repeated.
 */
int tenant_number_assign(struct core_ctx *ctx, const struct tenant_assign *a);

/* Unassigns a number (POST unassignNumber) and waits for its operation. */
int tenant_number_unassign(struct core_ctx *ctx, const char *number,
    const char *number_type, int wait_timeout);

/*
 * Sets (or with "" clears) the emergency location of a number
 * (POST updateNumber, synchronous).
 */
int tenant_number_set_location(struct core_ctx *ctx, const char *number,
    const char *location_id);

/*
 * Every user's Teams voice state in bulk (GET /v1.0/admin/teams/
 * userConfigurations, 999 per page): id, userPrincipalName, accountType,
 * isEnterpriseVoiceEnabled, telephoneNumbers, effectivePolicyAssignments.
 */
int tenant_user_configurations(cJSON **out, struct core_ctx *ctx);

/* One user's Teams voice state; CORE_ENOTFOUND (no message) when none. */
int tenant_user_configuration(cJSON **out, struct core_ctx *ctx, const char *id);

/*
 * The effective policy name of type in a userConfiguration's
 * effectivePolicyAssignments ("Global" when none is listed); borrowed.
 */
const char *tenant_effective_policy(const cJSON *config, const char *type);

#endif
