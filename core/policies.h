/*
 * policies.h - the users' voice state and the policy instances: the
 * effective policy of a user, who holds a policy, removing one safely, and
 * the one write path every policy type's module uses.
 */
#ifndef DIALTONE_POLICIES_H
#define DIALTONE_POLICIES_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

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

/*
 * The names (bare, without "Tag:") of the Shared Calling policies whose
 * ResourceAccount is object_id.
 * @param[out] out  a new array of strings (empty when none)
 */
int tenant_shared_calling_policies_of(cJSON **out, struct core_ctx *ctx,
    const char *object_id);

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

/*
 * Creates an instance of a policy type (ta_policy_create), reconciled
 * (svc_create_reconciled): after a create that got no answer or a server
 * error, the instance is looked up by name; it counts as done when it
 * exists, and is created again when it does not.
 */
int tenant_policy_create(struct core_ctx *ctx, const char *type, const char *name,
    const cJSON *body);

#endif
