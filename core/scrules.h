/*
 * scrules.h - the Shared Calling rules on data already read: what Microsoft's
 * services refuse or what keeps Shared Calling from working (docs/design/rules.md,
 * SC1-SC16) and the seed article's six common mistakes.
 *
 * One implementation for the modules that check one object before writing it
 * (teams_shared_policy, teams_resource_account) and for the rollout preflight
 * (teams_rollout_preflight), which checks a whole plan against one bulk read
 * of the tenant. No function here does I/O.
 *
 * A rule appends what it finds to problems, a JSON array the caller owns, as
 * objects {"mistake": N, "kind": "...", "subject": "...", "msg": "..."}:
 * mistake is the seed article's mistake number (1-6), 0 when the problem is
 * none of them; "warning": true marks what the plan leaves on purpose (it
 * does not stop a rollout). Each rule returns how many it appended.
 *
 * Numbers are numberAssignments objects as Graph returns them
 * (telephoneNumber, numberType, isoCountryCode, capabilities,
 * assignmentTargetId, assignmentStatus, locationId).
 */
#ifndef DIALTONE_SCRULES_H
#define DIALTONE_SCRULES_H

#include <stdbool.h>

#include "core.h"
#include <cjson/cJSON.h>

/* The seed article's mistakes. */
enum sc_mistake {
	SC_MISTAKE_NONE = 0,
	SC_MISTAKE_LOCATION = 1,        /* no emergency address on the shared number */
	SC_MISTAKE_PERSONAL_NUMBER = 2, /* a user with a personal number and the policy */
	SC_MISTAKE_ROUTING = 3,         /* voice routing (Direct Routing) */
	SC_MISTAKE_LICENCE = 4,         /* resource account not licensed */
	SC_MISTAKE_PAYG = 5,            /* pay-as-you-go Calling Plan and credits */
	SC_MISTAKE_CALLBACK = 6,        /* emergency callback number mismatch */
};

/* Short title of a mistake ("" for SC_MISTAKE_NONE). */
const char *sc_mistake_title(int mistake);

/* Appends one problem (msg formatted); returns 1. */
int sc_problem(cJSON *problems, int mistake, const char *kind, const char *subject,
    const char *fmt, ...) PRINTF(5, 6);
/* Appends one warning (a problem with "warning": true); returns 1. */
int sc_warning(cJSON *problems, int mistake, const char *kind, const char *subject,
    const char *fmt, ...) PRINTF(5, 6);

/* The "msg" of the first problem of problems that is no warning, or NULL. */
const char *sc_first_problem(const cJSON *problems);

/* Same country: by ISO code when both have one, else by calling code. */
bool sc_same_country(const char *iso_a, const char *num_a, const char *iso_b,
    const char *num_b);
/* The country of a number: its ISO code, else "+<calling code>"; written into out. */
const char *sc_country_of(char *out, size_t sz, const char *iso, const char *number);
/* North American and UK toll-free numbers. */
bool sc_is_toll_free(const char *number);
/* The assignment of number n (any form) in list, or NULL. */
const cJSON *sc_find_number(const cJSON *list, const char *n);

/*
 * SC2, mistake 1: the resource account's number ra_num (its assignment)
 * has an emergency location.
 */
int sc_rule_number_location(cJSON *problems, const char *ra, const cJSON *ra_num);

/*
 * SC3-SC7, mistake 6: emergency callback number n (E.164) of the policy with
 * identity ("Tag:name") whose resource account number is ra_num; rec is the
 * inventory entry of n, NULL when the tenant has none.
 */
int sc_rule_callback_number(cJSON *problems, const cJSON *ra_num, const char *n,
    const cJSON *rec, const char *identity);

/* SC7: a toll-free Calling Plan service number needs an emergency number. */
int sc_rule_toll_free(cJSON *problems, const char *ra, const cJSON *ra_num,
    int nemergency);

/*
 * N3, SC8, mistakes 4 and 5: the licences parts (SKU part numbers, as
 * planned) of resource account ra for a number of type number_type
 * ("callingPlan", "directRouting", "operatorConnect"); skus is the tenant's
 * subscribedSkus list (service plans tell which SKU carries the Resource
 * Account or Teams Phone plan).
 */
int sc_rule_account_licences(cJSON *problems, const char *ra, const char *number_type,
    const cJSON *parts, const cJSON *skus);
/* SC8 alone (mistake 5), as teams_shared_policy states it. */
int sc_rule_calling_plan_licences(cJSON *problems, const char *ra, const cJSON *parts);

/*
 * SC9, mistake 3 as Microsoft states it: resource account ra with Direct
 * Routing number n needs a voice routing policy (name) with PSTN usages.
 */
int sc_rule_account_routing(cJSON *problems, const char *ra, const char *n,
    const char *vrp, const cJSON *usages);

/*
 * The shared number n, planned for resource account ra (object id ra_id,
 * NULL when the account does not exist yet) with number type want_type:
 * rec is its inventory entry or NULL. Direct Routing numbers need not be
 * listed; others must be, of that type, free or the account's, able to be
 * assigned to a resource account, and (Calling Plan) in the account's usage
 * location.
 */
int sc_rule_shared_number(cJSON *problems, const char *ra, const char *ra_id,
    const char *usage_location, const char *n, const char *want_type, const cJSON *rec);

/*
 * SC10, mistake 2: user (a name) with personal numbers (an array of
 * strings) under personal_number mode ("keep", "remove", "fail").
 */
int sc_rule_personal_number(cJSON *problems, const char *user, const char *policy,
    const cJSON *numbers, const char *mode);

/*
 * SC11: the voice routing policy (name, usages) Shared Calling users get
 * must have no PSTN usages. who names the users.
 */
int sc_rule_user_routing(cJSON *problems, const char *who, const char *policy,
    const char *vrp, const cJSON *usages);

/*
 * The users' emergency call routing policy (name; has_usages when one of its
 * emergency numbers names a PSTN usage): with a Direct Routing resource
 * account it must route over PSTN usages, with Calling Plan or Operator
 * Connect it must not.
 */
int sc_rule_user_emergency_routing(cJSON *problems, const char *who, const char *number_type,
    const char *ecrp, bool has_usages);

/* Whether the SKUs of part numbers parts carry service plan plan_id. */
bool sc_parts_have_plan(const cJSON *parts, const cJSON *skus, const char *plan_id);

#endif
