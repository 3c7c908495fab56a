/*
 * scrules.c - the Shared Calling rules on data already read (see scrules.h).
 */
#include "scrules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

/* North American and UK toll-free prefixes (the service's SC7 rule). */
static const char *const toll_free[] = {
	"+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888", "+44800", "+44808",
	NULL
};

static bool
contains_nocase(const char *s, const char *what)
{
	size_t n = strlen(what);

	for (; *s; s++)
		if (strncasecmp(s, what, n) == 0)
			return true;
	return false;
}

const char *
sc_mistake_title(int mistake)
{
	switch (mistake) {
	case SC_MISTAKE_LOCATION:
		return "no emergency address on the resource account's number";
	case SC_MISTAKE_PERSONAL_NUMBER:
		return "user has both a personal number and the Shared Calling policy";
	case SC_MISTAKE_ROUTING:
		return "voice routing policy (Direct Routing)";
	case SC_MISTAKE_LICENCE:
		return "resource account not licensed";
	case SC_MISTAKE_PAYG:
		return "pay-as-you-go Calling Plan and Communications Credits";
	case SC_MISTAKE_CALLBACK:
		return "emergency callback number mismatch";
	}
	return "";
}

static int
add(cJSON *problems, bool warning, int mistake, const char *kind, const char *subject,
    const char *fmt, va_list ap) PRINTF(6, 0);

static int
add(cJSON *problems, bool warning, int mistake, const char *kind, const char *subject,
    const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT((size_t)1 << 16);
	cJSON *p = cJSON_CreateObject();
	char *msg;

	if (!p || buf_vaddf(&b, fmt, ap) || buf_adds(&b, ""))
		BUG("out of memory");
	msg = buf_detach(&b, NULL);
	if (!cJSON_AddNumberToObject(p, "mistake", mistake) ||
	    !cJSON_AddStringToObject(p, "kind", kind) ||
	    !cJSON_AddStringToObject(p, "subject", subject ? subject : "") ||
	    !cJSON_AddStringToObject(p, "msg", msg) ||
	    (warning && !cJSON_AddTrueToObject(p, "warning")))
		BUG("out of memory");
	free(msg);
	cJSON_AddItemToArray(problems, p);
	return 1;
}

int
sc_problem(cJSON *problems, int mistake, const char *kind, const char *subject,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(problems, false, mistake, kind, subject, fmt, ap);
	va_end(ap);
	return 1;
}

int
sc_warning(cJSON *problems, int mistake, const char *kind, const char *subject,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(problems, true, mistake, kind, subject, fmt, ap);
	va_end(ap);
	return 1;
}

const char *
sc_first_problem(const cJSON *problems)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, problems)
		if (!cJSON_IsTrue(cJSON_GetObjectItem(p, "warning")))
			return cj_str(p, "msg");
	return NULL;
}

/* ---- numbers ---- */

/*
 * Length of the country calling code at the start of digits, from the ITU
 * E.164 zones (codes are prefix-free: 1 and 7, the 2-digit codes listed, the
 * rest 3 digits).
 */
static size_t
calling_code_len(const char *d)
{
	char z = d[0], s = d[1];

	if (!s)
		return 1;
	switch (z) {
	case '1':
	case '7':
		return 1;
	case '2':
		return s == '0' || s == '7' ? 2 : 3;
	case '3':
		return strchr("0123469", s) ? 2 : 3;
	case '4':
		return s == '2' ? 3 : 2;
	case '5':
		return s == '0' || s == '9' ? 3 : 2;
	case '6':
		return s <= '6' ? 2 : 3;
	case '8':
		return strchr("1246", s) ? 2 : 3;
	case '9':
		return strchr("0123458", s) ? 2 : 3;
	}
	return 3;
}

const char *
sc_country_of(char *out, size_t sz, const char *iso, const char *number)
{
	const char *d = number && number[0] == '+' ? number + 1 : "";
	size_t n = calling_code_len(d);

	if (!text_empty(iso)) {
		snprintf(out, sz, "%s", iso);
		return out;
	}
	snprintf(out, sz, "+%.*s", (int)n, d);
	return out;
}

bool
sc_same_country(const char *iso_a, const char *num_a, const char *iso_b, const char *num_b)
{
	char a[8], b[8];

	if (!text_empty(iso_a) && !text_empty(iso_b))
		return strcasecmp(iso_a, iso_b) == 0;
	sc_country_of(a, sizeof(a), NULL, num_a);
	sc_country_of(b, sizeof(b), NULL, num_b);
	return strcmp(a, b) == 0;
}

bool
sc_is_toll_free(const char *number)
{
	const char *const *p;

	for (p = toll_free; number && *p; p++)
		if (strncmp(number, *p, strlen(*p)) == 0)
			return true;
	return false;
}

static bool
has_capability(const cJSON *assignment, const char *cap)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(assignment, "capabilities"))
		if (cJSON_IsString(c) && strcasecmp(c->valuestring, cap) == 0)
			return true;
	return false;
}

const cJSON *
sc_find_number(const cJSON *list, const char *n)
{
	const cJSON *a;
	char want[E164_MAX], canon[E164_MAX];

	if (!n || e164_normalise(want, sizeof(want), n) != E164_OK)
		return NULL;
	cJSON_ArrayForEach(a, list) {
		const char *t = cj_str(a, "telephoneNumber");

		if (t && e164_normalise(canon, sizeof(canon), t) == E164_OK &&
		    strcmp(canon, want) == 0)
			return a;
	}
	return NULL;
}

/* ---- the rules ---- */

int
sc_rule_number_location(cJSON *problems, const char *ra, const cJSON *ra_num)
{
	if (!text_empty(cj_str(ra_num, "locationId")))
		return 0;
	return sc_problem(problems, SC_MISTAKE_LOCATION, "number_without_location",
	    cj_str(ra_num, "telephoneNumber"), "the phone number '%s' of resource account "
	    "'%s' has no emergency location; assign an emergency address to that number "
	    "first (dialtone.teams_phone.teams_phone_number), without it the policy cannot "
	    "be saved", cj_str(ra_num, "telephoneNumber"), ra);
}

int
sc_rule_callback_number(cJSON *problems, const cJSON *ra_num, const char *n,
    const cJSON *rec, const char *identity)
{
	const char *ra_type = cj_str(ra_num, "numberType");
	const char *ra_n = cj_str(ra_num, "telephoneNumber");
	const char *ra_iso = cj_str(ra_num, "isoCountryCode");
	const char *type, *iso, *target, *status;
	char c1[8], c2[8];
	char *mine;
	int found = 0;

	if (!ra_type || !ra_n)
		return 0;
	if (!rec && strcmp(ra_type, "directRouting") != 0)
		return sc_problem(problems, SC_MISTAKE_CALLBACK, "callback_not_found", n,
		    "emergency number '%s' is not found in the tenant's number inventory; with "
		    "a %s resource account number, emergency numbers must be %s numbers the "
		    "tenant holds", n, ra_type, ra_type);
	/* A Direct Routing number the inventory does not list yet is one. */
	type = rec ? cj_str(rec, "numberType") : "directRouting";
	iso = rec ? cj_str(rec, "isoCountryCode") : NULL;
	if (!type || strcmp(type, ra_type) != 0 || !sc_same_country(iso, n, ra_iso, ra_n))
		return sc_problem(problems, SC_MISTAKE_CALLBACK, "callback_mismatch", n,
		    "emergency number '%s' must have the same number type and country as the "
		    "resource account number: it is %s in %s, '%s' is %s in %s; choose "
		    "emergency numbers of that type and country", n, type ? type : "unknown",
		    sc_country_of(c1, sizeof(c1), iso, n), ra_n, ra_type,
		    sc_country_of(c2, sizeof(c2), ra_iso, ra_n));
	target = rec ? cj_str(rec, "assignmentTargetId") : NULL;
	status = rec ? cj_str(rec, "assignmentStatus") : NULL;
	if (!text_empty(target) && !(status && strcasecmp(status, "policyAssigned") == 0))
		return sc_problem(problems, SC_MISTAKE_CALLBACK, "callback_assigned", n,
		    "emergency number '%s' is assigned to '%s'; an emergency number must be "
		    "unassigned: release it or choose another", n, target);
	if (!text_empty(target)) {
		/* Target "TeamsSharedCallingRoutingPolicy|Tag:{name}" (docs/design/conventions.md#emergency-number-target). */
		const char *bar = strchr(target, '|');
		const char *owner = ta_policy_name(bar ? bar + 1 : target);

		mine = xasprintf("%s|%s", TA_SHARED_CALLING, identity);
		if (strcasecmp(target, mine) != 0)
			found = sc_problem(problems, SC_MISTAKE_NONE, "callback_in_use", n,
			    "emergency number '%s' is already used by policy '%s'; remove it "
			    "from that policy first or choose another", n, owner);
		free(mine);
		if (found)
			return found;
	}
	if (strcmp(ra_type, "callingPlan") == 0 && !has_capability(rec, "userAssignment"))
		return sc_problem(problems, SC_MISTAKE_CALLBACK, "callback_capability", n,
		    "emergency number '%s' must be a Calling Plan subscriber number (capability "
		    "'userAssignment') because the resource account has a Calling Plan service "
		    "number", n);
	return 0;
}

int
sc_rule_toll_free(cJSON *problems, const char *ra, const cJSON *ra_num, int nemergency)
{
	if (!text_same(cj_str(ra_num, "numberType"), "callingPlan") ||
	    !sc_is_toll_free(cj_str(ra_num, "telephoneNumber")) || nemergency > 0)
		return 0;
	return sc_problem(problems, SC_MISTAKE_CALLBACK, "toll_free_without_callback", ra,
	    "resource account '%s' has a toll-free service number; list at least one "
	    "Calling Plan subscriber number in emergency_numbers", ra);
}

static bool
part_in(const cJSON *parts, const char *part)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, parts)
		if (cJSON_IsString(p) && text_same(p->valuestring, part))
			return true;
	return false;
}

bool
sc_parts_have_plan(const cJSON *parts, const cJSON *skus, const char *plan_id)
{
	const cJSON *p, *sku, *sp;

	cJSON_ArrayForEach(p, parts) {
		if (!cJSON_IsString(p) || !(sku = tenant_sku_find(skus, p->valuestring)))
			continue;
		cJSON_ArrayForEach(sp, cJSON_GetObjectItem(sku, "servicePlans"))
			if (text_same(cj_str(sp, "servicePlanId"), plan_id))
				return true;
	}
	return false;
}

int
sc_rule_calling_plan_licences(cJSON *problems, const char *ra, const cJSON *parts)
{
	const cJSON *p;
	bool payg = false, credits = part_in(parts, "MCOPSTNC");
	const char *missing;

	cJSON_ArrayForEach(p, parts)
		if (cJSON_IsString(p) && contains_nocase(p->valuestring, "PAYG"))
			payg = true;
	if (payg && credits)
		return 0;
	missing = !payg && !credits ? "a Pay-As-You-Go Calling Plan licence and a "
	    "Communications Credits licence" : !payg ? "a Pay-As-You-Go Calling Plan "
	    "licence" : "a Communications Credits licence";
	return sc_problem(problems, SC_MISTAKE_PAYG, "calling_plan_licences", ra,
	    "resource account '%s' needs a Pay-As-You-Go Calling Plan and Communications "
	    "Credits because its number is a Calling Plan service number; assign it %s "
	    "(dialtone.teams_phone.teams_resource_account licenses)", ra, missing);
}

int
sc_rule_account_licences(cJSON *problems, const char *ra, const char *number_type,
    const cJSON *parts, const cJSON *skus)
{
	int n = 0;

	if (!part_in(parts, TENANT_SKU_RESOURCE_ACCOUNT) &&
	    !sc_parts_have_plan(parts, skus, TENANT_PLAN_RESOURCE_ACCOUNT) &&
	    !sc_parts_have_plan(parts, skus, TENANT_PLAN_TEAMS_PHONE))
		n += sc_problem(problems, SC_MISTAKE_LICENCE, "resource_account_unlicensed", ra,
		    "resource account '%s' would hold no Teams Phone Resource Account licence, "
		    "so it cannot hold the shared number; add PHONESYSTEM_VIRTUALUSER to "
		    "resource_account.licenses", ra);
	if (text_same(number_type, "callingPlan"))
		n += sc_rule_calling_plan_licences(problems, ra, parts);
	return n;
}

int
sc_rule_account_routing(cJSON *problems, const char *ra, const char *n, const char *vrp,
    const cJSON *usages)
{
	(void)n;
	if (cJSON_GetArraySize(usages) > 0)
		return 0;
	return sc_problem(problems, SC_MISTAKE_ROUTING, "no_voice_routing_policy", ra,
	    "resource account '%s' has a Direct Routing number, but its voice routing "
	    "policy '%s' has no PSTN usages, so Shared Calling users cannot call out; grant "
	    "the resource account an online voice routing policy with PSTN usages (as "
	    "Microsoft's Shared Calling setup says; the users themselves need one without)",
	    ra, vrp ? vrp : "Global");
}

static const char *
type_word(const char *t)
{
	return text_same(t, "callingPlan") ? "Calling Plan" : text_same(t, "directRouting") ?
	    "Direct Routing" : text_same(t, "operatorConnect") ? "Operator Connect" : t;
}

int
sc_rule_shared_number(cJSON *problems, const char *ra, const char *ra_id,
    const char *usage_location, const char *n, const char *want_type, const cJSON *rec)
{
	const char *type = cj_str(rec, "numberType"), *target, *iso;

	if (!rec) {
		if (text_same(want_type, "directRouting"))
			return 0;
		return sc_problem(problems, SC_MISTAKE_NONE, "number_not_found", n,
		    "shared number '%s' is not in the tenant's number inventory: a %s number "
		    "must be acquired before it can be assigned to resource account '%s'", n,
		    type_word(want_type), ra);
	}
	if (want_type && type && !text_same(type, want_type))
		return sc_problem(problems, SC_MISTAKE_NONE, "number_type", n,
		    "shared number '%s' is a %s number, not %s; correct number.type", n,
		    type_word(type), type_word(want_type));
	target = cj_str(rec, "assignmentTargetId");
	if (!text_empty(target) && !(ra_id && text_same(target, ra_id)))
		return sc_problem(problems, SC_MISTAKE_NONE, "number_unavailable", n,
		    "shared number '%s' is already assigned to '%s'; release it or choose "
		    "another number for resource account '%s'", n, target, ra);
	if (cJSON_GetArraySize(cJSON_GetObjectItem(rec, "capabilities")) > 0 &&
	    !has_capability(rec, "voiceApplicationAssignment"))
		return sc_problem(problems, SC_MISTAKE_NONE, "number_capability", n,
		    "shared number '%s' cannot be assigned to a resource account (it lacks the "
		    "capability 'voiceApplicationAssignment'); choose a service number", n);
	iso = cj_str(rec, "isoCountryCode");
	if (text_same(type, "callingPlan") && !text_empty(iso) && !text_empty(usage_location) &&
	    !text_same(iso, usage_location))
		return sc_problem(problems, SC_MISTAKE_NONE, "number_country", n,
		    "shared number '%s' is a Calling Plan number in %s but resource account "
		    "'%s' has usage location %s; they must match", n, iso, ra, usage_location);
	return 0;
}

int
sc_rule_personal_number(cJSON *problems, const char *user, const char *policy,
    const cJSON *numbers, const char *mode)
{
	struct buf b = BUF_INIT((size_t)1 << 16);
	const cJSON *x;
	char *list;
	int n = 0;

	if (cJSON_GetArraySize(numbers) < 1 || text_same(mode, "remove"))
		return 0;
	cJSON_ArrayForEach(x, numbers)
		if (cJSON_IsString(x) && buf_addf(&b, "%s'%s'", n++ ? ", " : "", x->valuestring))
			BUG("out of memory");
	if (buf_adds(&b, ""))
		BUG("out of memory");
	list = buf_detach(&b, NULL);
	if (text_same(mode, "fail"))
		sc_problem(problems, SC_MISTAKE_PERSONAL_NUMBER, "personal_number", user,
		    "'%s' would get Shared Calling policy '%s' but holds personal number %s, "
		    "which takes precedence (personal_number: fail); release it "
		    "(personal_number: remove) or take the user out of the site", user, policy,
		    list);
	else
		sc_warning(problems, SC_MISTAKE_PERSONAL_NUMBER, "personal_number", user,
		    "'%s' would get Shared Calling policy '%s' but keeps personal number %s, "
		    "which takes precedence (personal_number: keep): Shared Calling does not "
		    "apply to this user", user, policy, list);
	free(list);
	return 1;
}

int
sc_rule_user_routing(cJSON *problems, const char *who, const char *policy, const char *vrp,
    const cJSON *usages)
{
	if (cJSON_GetArraySize(usages) < 1)
		return 0;
	return sc_problem(problems, SC_MISTAKE_ROUTING, "voice_routing_with_pstn_usages", who,
	    "%s would get Shared Calling policy '%s' with voice routing policy '%s', which "
	    "has PSTN usages: Shared Calling does not apply to them (docs/design/rules.md#sc-11); give "
	    "users.voice_routing_policy a policy without PSTN usages", who, policy,
	    vrp ? vrp : "Global");
}

int
sc_rule_user_emergency_routing(cJSON *problems, const char *who, const char *number_type,
    const char *ecrp, bool has_usages)
{
	if (text_same(number_type, "directRouting") && !has_usages)
		return sc_problem(problems, SC_MISTAKE_NONE, "emergency_routing", who,
		    "%s would have emergency call routing policy '%s', which routes no "
		    "emergency number over a PSTN usage, but the shared number is Direct "
		    "Routing: emergency calls need one with PSTN usages; give "
		    "users.emergency_call_routing_policy such a policy", who,
		    ecrp ? ecrp : "Global");
	if ((text_same(number_type, "callingPlan") || text_same(number_type, "operatorConnect")) &&
	    has_usages)
		return sc_problem(problems, SC_MISTAKE_NONE, "emergency_routing", who,
		    "%s would have emergency call routing policy '%s', which routes emergency "
		    "numbers over PSTN usages, but the shared number is %s: it must have "
		    "none; give users.emergency_call_routing_policy a policy without PSTN "
		    "usages", who, ecrp ? ecrp : "Global", type_word(number_type));
	return 0;
}
