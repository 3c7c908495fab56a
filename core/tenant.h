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

struct svc_req;
struct svc_resp;

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

/*
 * The effective policy of type in a user's Teams view (a userConfiguration
 * or a Teams admin user): its name without "Tag:" ("Global" when none is
 * listed), and in *kind how it applies ("direct", "group", ...; NULL when
 * not listed or not said). Both borrowed from view.
 */
const char *tenant_effective(const cJSON *view, const char *type, const char **kind);

/*
 * A user's personal numbers: every telephone number of a userConfiguration
 * (strings or {"telephoneNumber": ...} objects) but the ";ext=" ones, which
 * Shared Calling users may keep for extension dialling
 * (docs/design/rules.md#sc-10). A new array, which the caller deletes.
 */
cJSON *tenant_personal_numbers(const cJSON *config);

/*
 * Microsoft applies a policy grant after a delay (minutes, at times hours):
 * until then the effective assignment still shows the old one. Checks that
 * depend on a grant this run or a recent one wrote read the assignment as
 * written too: the policy of type granted directly to the user or resource
 * account object_id, from the Teams admin policy assignments
 * (GET /Skype.User/users/{id}/policies?policyType=, what
 * Get-CsUserPolicyAssignment shows), whether or not it is in effect yet.
 * @param[out] name  a new string the caller frees; NULL when none is granted
 *                   directly (the account has the group or Global one)
 * @return CORE_OK, CORE_ENOTFOUND when the account is unknown to Teams, or
 *         an error
 */
int tenant_direct_policy(char **name, struct core_ctx *ctx, const char *object_id,
    const char *type);

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

/* How long Microsoft may take to apply a grant, as messages state it. */
#define TENANT_GRANT_DELAY_TEXT "usually within minutes, at times up to 24 hours"

/*
 * Trims a userConfiguration in place to what the modules compare: id,
 * userPrincipalName, isEnterpriseVoiceEnabled, telephoneNumbers, and the
 * effectivePolicyAssignments of the given policy types (NULL-terminated),
 * each with its policyType and the policyAssignment's displayName,
 * assignmentType and groupId. What reads the same when absent goes: an
 * entry for Global that is not assigned, a null groupId, an empty
 * telephoneNumbers. Keeps many users' configurations small.
 */
void tenant_config_trim(cJSON *config, const char *const *types);

/* ---- licences and accounts (teams_resource_account, teams_phone_number) ---- */

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
 * The names (bare, without "Tag:") of the Shared Calling policies whose
 * ResourceAccount is object_id.
 * @param[out] out  a new array of strings (empty when none)
 */
int tenant_shared_calling_policies_of(cJSON **out, struct core_ctx *ctx,
    const char *object_id);

/*
 * Every number assigned to object_id (numberAssignments filtered on
 * assignmentTargetId). @param[out] out a new array
 */
int tenant_numbers_of(cJSON **out, struct core_ctx *ctx, const char *object_id);

/* ---- policy holders (teams_voice_routing_policy, teams_emergency_call_routing_policy) ---- */

/*
 * Who holds an instance of a policy type, so that a delete never pulls a
 * policy from under its users: every user (userConfigurations, in bulk) and
 * every licensed resource account (ta_resource_accounts, then the Teams view
 * of each, since userConfigurations leaves them out) whose effective policy
 * of type is name, and every group grant of it (ta_group_grants). Grants
 * still propagating (docs/design/rules.md#ec-2) show only once they take effect.
 * @param[out] out  {"users": [{"id", "userPrincipalName", "assignmentType"}],
 *                   "groups": [{"GroupId", "Rank"}]}, assignmentType being
 *                   "direct" or "group"; the caller owns it
 * @return CORE_OK or the first read error
 */
int tenant_policy_holders(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name);

/*
 * The direct holders and group grants of tenant_policy_holders() output as
 * a phrase for a message, at most 5 names of each kind:
 * "2 accounts ('a@contoso.com', 'b@contoso.com') and 1 group ('5e6f...')".
 * NULL when there are none. The caller frees the string.
 */
char *tenant_policy_holders_text(const cJSON *holders);

/*
 * Removes the direct grants (PolicyName "") and group grants listed in
 * holders (tenant_policy_holders() output) of type; the accounts fall back
 * to a group's policy or to Global.
 */
int tenant_policy_ungrant(struct core_ctx *ctx, const char *type,
    const cJSON *holders);

struct reconcile_opts;
struct result;

/*
 * state: present of a policy instance that names PSTN usages
 * (teams_voice_routing_policy, teams_emergency_call_routing_policy): checks
 * that the usages exist in OnlinePstnUsages (refused unless create_usages,
 * which adds the missing ones), reconciles want with have (NULL: absent)
 * under opts, reports the diff, and outside check mode writes the usages
 * and creates or updates the instance, then reads it back. Puts "policy"
 * in res. what names the type in messages ("voice routing policy").
 * Nothing is taken over.
 */
int tenant_policy_present(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *want, const cJSON *have,
    const cJSON *usages, bool create_usages, const struct reconcile_opts *opts);

/*
 * state: absent of such a policy instance (have NULL: already absent):
 * refused while it is granted unless force, which removes the grants
 * first; then deletes it (not in check mode). Puts "policy" and
 * "removed_grants" in res. The caller refuses Global first.
 */
int tenant_policy_absent(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *have, bool force,
    const struct reconcile_opts *opts);

/* ---- groups (teams_user_voice; tenant_group_get is below) ---- */

/*
 * The direct members of a group (GET /v1.0/groups/{id}/members, 999 per
 * page): [{"id", "userPrincipalName", ...}]. Group policy assignment
 * applies to direct members only (docs/design/rules.md#lim-6).
 */
int tenant_group_members(cJSON **out, struct core_ctx *ctx, const char *id);

/*
 * Creates an instance of a policy type (ta_policy_create), reconciled
 * (svc_create_reconciled): after a create that got no answer or a server
 * error, the instance is looked up by name; it counts as done when it
 * exists, and is created again when it does not.
 */
int tenant_policy_create(struct core_ctx *ctx, const char *type, const char *name,
    const cJSON *body);

/*
 * Checks that in is an assigned ISO 3166-1 alpha-2 country code (either
 * case) and writes it upper-cased to out ("us" -> "US").
 * @return true when it is one; out is then set
 */
bool tenant_country_code(char out[3], const char *in);

/* ---- groups (teams_auto_attendant) ---- */

/*
 * A group by object id (GET /v1.0/groups/{id}?$select=id,displayName;
 * Graph permission GroupMember.Read.All or Group.Read.All).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when there is none
 */
int tenant_group_get(cJSON **out, struct core_ctx *ctx, const char *id);

/* ---- call records and Teams Phone users (teams_pstn_usage_info) ---- */

#include <time.h>

/* The longest span getPstnCalls and getDirectRoutingCalls accept (docs/design/rules.md#lim-4). */
#define TENANT_CALLS_MAX_SPAN (90L * 86400)

enum tenant_call_source {
	TENANT_CALLS_PSTN = 0,         /* getPstnCalls: Calling Plan and Operator Connect */
	TENANT_CALLS_DIRECT_ROUTING,   /* getDirectRoutingCalls */
	TENANT_CALLS_SOURCES           /* never use */
};

/* What a callType says about a call (docs/design/services.md#call-types). */
enum tenant_call_kind {
	TENANT_CALL_BOT = 1,       /* "ucap" anywhere: an auto attendant or call queue */
	TENANT_CALL_EMERGENCY,     /* "emergency" */
	TENANT_CALL_OUTBOUND,      /* otherwise "out" */
	TENANT_CALL_INBOUND,       /* otherwise "in" */
	TENANT_CALL_OTHER,         /* none of these words, or no callType */
};

/* Classifies a callType case-insensitively, in the order of the enum. */
enum tenant_call_kind tenant_call_kind(const char *call_type);

/*
 * Parses an ISO 8601 date ("2025-01-06", taken as 00:00 UTC) or date-time
 * ("2025-01-06T08:30:00Z", seconds, fractions and a "+hh:mm"/"-hh:mm"
 * offset optional; no zone means UTC) into seconds since the epoch.
 * @return true when s is one; *out is then set
 */
bool tenant_parse_time(double *out, const char *s);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf, which holds 21 bytes or more. */
void tenant_format_time(char *buf, size_t size, time_t t);

/* What tenant_call_records() sent and read, per source. */
struct tenant_call_stats {
	unsigned long slices[TENANT_CALLS_SOURCES];
	unsigned long requests[TENANT_CALLS_SOURCES];
	unsigned long rows[TENANT_CALLS_SOURCES];
};

/*
 * Reads every call record of the given sources whose start lies in
 * [from, to), and hands each row to fn (borrowed: valid during the call).
 * The window is cut into slices of at most slice_s seconds (never more than
 * TENANT_CALLS_MAX_SPAN); each slice is one query whose pages (1,000 rows)
 * are followed by @odata.nextLink, and up to max_concurrency slices are read
 * at once, so that the memory held is a few pages whatever the tenant's size.
 * max_concurrency is svc_max_concurrency(ctx): checked once, by svc_open().
 * getPstnCalls counts its toDateTime in and getDirectRoutingCalls does not:
 * a row is handed over only by the slice its start falls in, so a call at a
 * slice boundary is counted once.
 * fn returns CORE_OK to go on, or an error (with its message) to stop.
 * stats (may be NULL) is filled in.
 * @return CORE_OK, fn's error, or the first read error (a partial read is
 *         never a result)
 */
int tenant_call_records(struct core_ctx *ctx, const bool sources[TENANT_CALLS_SOURCES],
    time_t from, time_t to, long slice_s, int max_concurrency,
    int (*fn)(void *arg, enum tenant_call_source src, const cJSON *row), void *arg,
    struct tenant_call_stats *stats);

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
