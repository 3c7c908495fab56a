/*
 * teams_phone_number - who holds a telephone number, and its emergency
 * location: assigns a number to a user or a resource account (Graph
 * assignNumber, waiting for its operation), moves it only when told to,
 * updates only the location when only the location differs, and releases
 * it (unassignNumber).
 *
 * Every rule the number service enforces (docs/design/rules.md#num-1 to #num-4, #num-9, #num-10,
 * #sc-15) is checked before the first write, from reads: the number's
 * inventory record, the target's licences, its kind and its other numbers.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "module.h"
#include "numbers.h"
#include "perm.h"
#include "policies.h"
#include "reconcile.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

static const struct arg_spec location_opts[] = {
	{ "description", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "company_name", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "house_number", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "street_name", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "city", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "state_or_province", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "postal_code", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "country", ARG_STR, ARG_NAME(64) },
	{ "location", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

/* emergency_location option -> field of a /Skype.Ncs/locations row. */
static const struct {
	const char *option;
	const char *field;
} location_fields[] = {
	{ "description", "description" },
	{ "company_name", "companyName" },
	{ "house_number", "houseNumber" },
	{ "street_name", "streetName" },
	{ "city", "cityOrTown" },
	{ "state_or_province", "stateOrProvince" },
	{ "postal_code", "postalOrZipCode" },
	{ "country", "country" },
	{ "location", "location" },
};

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "number", ARG_STR, .required = true, ARG_NAME(64) },
	{ "number_type", ARG_STR, .choices = "direct_routing|calling_plan|operator_connect" },
	{ "assigned_to", ARG_STR, ARG_NAME(ARG_LEN_UPN) },
	{ "assignment_category", ARG_STR, .choices = "primary|private|alternate" },
	{ "location_id", ARG_STR, ARG_NAME(64) },
	{ "emergency_location", ARG_DICT, .options = location_opts },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "reassign", ARG_BOOL, .def = "false" },
	{ "wait_timeout", ARG_INT, .def = "300" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

static const char *const exclusive[] = {
	ARGS_CONN_EXCLUSIVE,
	"location_id|emergency_location",
	NULL
};

static const struct arg_required_by required_by[] = {
	ARGS_CONN_REQUIRED_BY,
	{ NULL, NULL }
};

static const struct arg_required_if required_if[] = {
	{ "state", "\"present\"", "assigned_to", false },
	{ NULL, NULL, NULL, false }
};

static const struct arg_rules rules = {
	.mutually_exclusive = exclusive,
	.required_if = required_if,
	.required_by = required_by,
};

/* The fields of a numberAssignment this module plans on. */
static const char *const planned_fields[] = {
	"telephoneNumber", "numberType", "assignmentTargetId", "assignmentCategory",
	"locationId", NULL
};
static const char *const casefolded[] = { "assignmentTargetId", "locationId", NULL };

struct req {
	char number[E164_MAX];
	const char *type;          /* service numberType, or NULL when unknown */
	const char *category;      /* or NULL */
	const char *assigned_to;   /* or NULL */
	bool present;
	bool reassign;
	int wait_timeout;
	cJSON *num;                /* numberAssignment, or NULL when not in the tenant */
	cJSON *target;             /* Graph user of assigned_to, or NULL */
	cJSON *teams;              /* its application instance or userConfiguration */
	enum tenant_account kind;
	cJSON *skus;
	char *location_id;         /* wanted location, or NULL */
	const cJSON *params;       /* the module's options, borrowed */
};

static void
req_release(void *req)
{
	struct req *r = req;

	cJSON_Delete(r->num);
	cJSON_Delete(r->target);
	cJSON_Delete(r->teams);
	cJSON_Delete(r->skus);
	free(r->location_id);
}

/* The module's choice for a service numberType, for messages. */
static const char *
type_choice(const char *t)
{
	if (!t)
		return "unknown";
	return tenant_number_choice(t) ? tenant_number_choice(t) : t;
}

/* The word the number service uses in N3 ("CallingPlan"). */
static const char *
type_word(const char *t)
{
	if (t && strcmp(t, "callingPlan") == 0)
		return "CallingPlan";
	if (t && strcmp(t, "operatorConnect") == 0)
		return "OperatorConnect";
	return "DirectRouting";
}

static char *
trimmed(const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xasprintf("%.*s", (int)n, s);
}

static int
validate(void *req, struct core_ctx *ctx, const cJSON *params)
{
	struct req *r = req;
	const char *in = arg_str(params, "number");
	const char *choice = arg_str(params, "number_type");
	const cJSON *el = arg_get(params, "emergency_location");
	enum e164_err e;
	long long t;
	size_t i;
	bool any = false;

	e = e164_normalise(r->number, sizeof(r->number), in);
	if (e != E164_OK)
		return core_error(ctx, CORE_EARGS, "number '%s' %s; give an E.164 number "
		    "such as +14255550100 (tel: and ;ext= for Direct Routing are accepted)%s",
		    in, e164_strerror(e), e == E164_ENOPLUS && *in &&
		    strspn(in, "0123456789") == strlen(in) ? ", and quote it in YAML: "
		    "unquoted, +14255550100 is read as an integer" : "");
	r->type = tenant_number_type(choice);
	if (e164_has_ext(r->number)) {
		if (r->type && strcmp(r->type, "directRouting") != 0)
			return core_error(ctx, CORE_EARGS, "number '%s' has an extension, "
			    "which only Direct Routing numbers may carry; remove ';ext=' or "
			    "use number_type: direct_routing", r->number);
		r->type = "directRouting";
	}
	r->category = arg_str(params, "assignment_category");
	r->assigned_to = arg_str(params, "assigned_to");
	if (r->assigned_to && !*r->assigned_to)
		return core_error(ctx, CORE_EARGS, "assigned_to must not be empty");
	r->params = params;
	r->present = strcmp(arg_str(params, "state"), "present") == 0;
	r->reassign = arg_bool(params, "reassign");
	t = arg_int(params, "wait_timeout");
	if (t < 1 || t > 86400)
		return core_error(ctx, CORE_EARGS, "wait_timeout must be from 1 to 86400 "
		    "seconds, got %lld", t);
	r->wait_timeout = (int)t;
	if (arg_str(params, "location_id") && !*arg_str(params, "location_id"))
		return core_error(ctx, CORE_EARGS, "location_id must not be empty");
	if (cJSON_IsObject(el)) {
		for (i = 0; i < ARRAY_SIZE(location_fields); i++)
			if (cJSON_IsString(cJSON_GetObjectItem(el, location_fields[i].option)))
				any = true;
		if (!any)
			return core_error(ctx, CORE_EARGS, "emergency_location needs at least "
			    "one of: description, company_name, house_number, street_name, "
			    "city, state_or_province, postal_code, country, location");
	}
	return CORE_OK;
}

/* "'Contoso HQ' default (id)", one location row for messages. */
static int
describe_location(struct buf *b, const cJSON *loc)
{
	const char *place = cj_str(loc, "location");

	return buf_addf(b, "'%s' %s%s%s (%s, %s %s %s, %s, %s %s, %s; id %s)",
	    cj_str(loc, "description") ? cj_str(loc, "description") : "",
	    place && *place ? "location '" : "default location",
	    place && *place ? place : "", place && *place ? "'" : "",
	    cj_str(loc, "companyName") ? cj_str(loc, "companyName") : "",
	    cj_str(loc, "houseNumber") ? cj_str(loc, "houseNumber") : "",
	    cj_str(loc, "streetName") ? cj_str(loc, "streetName") : "",
	    cj_str(loc, "streetSuffix") ? cj_str(loc, "streetSuffix") : "",
	    cj_str(loc, "cityOrTown") ? cj_str(loc, "cityOrTown") : "",
	    cj_str(loc, "stateOrProvince") ? cj_str(loc, "stateOrProvince") : "",
	    cj_str(loc, "postalOrZipCode") ? cj_str(loc, "postalOrZipCode") : "",
	    cj_str(loc, "country") ? cj_str(loc, "country") : "",
	    cj_str(loc, "id") ? cj_str(loc, "id") : "");
}

static char *
describe_locations(const cJSON *locs)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *l;
	bool first = true;

	if (buf_adds(&b, ""))
		BUG("out of memory");
	cJSON_ArrayForEach(l, locs) {
		if ((!first && buf_adds(&b, "; ")) || describe_location(&b, l))
			BUG("out of memory");
		first = false;
	}
	if (first && buf_adds(&b, "none"))
		BUG("out of memory");
	return buf_detach(&b, NULL);
}

/* True when every emergency_location field given matches the row. */
static bool
location_matches(const cJSON *el, const cJSON *loc)
{
	const cJSON *want;
	const char *have;
	char *w, *h;
	bool ok;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(location_fields); i++) {
		want = cJSON_GetObjectItem(el, location_fields[i].option);
		if (!cJSON_IsString(want))
			continue;
		have = cj_str(loc, location_fields[i].field);
		w = trimmed(want->valuestring);
		h = trimmed(have ? have : "");
		ok = strcasecmp(w, h) == 0;
		free(w);
		free(h);
		if (!ok)
			return false;
	}
	/* No named location asked for: the address's default location. */
	if (!cJSON_IsString(cJSON_GetObjectItem(el, "location")) &&
	    !cJSON_IsTrue(cJSON_GetObjectItem(loc, "isDefault")))
		return false;
	return true;
}

/* location_id or emergency_location -> r->location_id (checked to exist). */
static int
resolve_location(struct req *r, struct core_ctx *ctx, const cJSON *params)
{
	const char *id = arg_str(params, "location_id");
	const cJSON *el = arg_get(params, "emergency_location");
	cJSON *locs = NULL, *hits = NULL;
	const cJSON *l;
	char *list = NULL;
	int rc;

	if (!id && !cJSON_IsObject(el))
		return CORE_OK;
	rc = ta_locations(&locs, ctx);
	if (rc)
		return rc;
	hits = cJSON_CreateArray();
	if (!hits)
		BUG("out of memory");
	cJSON_ArrayForEach(l, locs) {
		if (id ? (cj_str(l, "id") && strcasecmp(cj_str(l, "id"), id) == 0) :
		    location_matches(el, l))
			cJSON_AddItemToArray(hits, cJSON_Duplicate(l, 1));
	}
	if (cJSON_GetArraySize(hits) == 1) {
		r->location_id = xstrdup(cj_str(cJSON_GetArrayItem(hits, 0), "id"));
		goto out;
	}
	if (cJSON_GetArraySize(hits) == 0) {
		list = describe_locations(locs);
		rc = id ? core_error(ctx, CORE_EARGS, "location_id '%s' is not an "
		    "emergency location of the tenant; its locations are: %s", id, list) :
		    core_error(ctx, CORE_EARGS, "emergency_location matches no emergency "
		    "location of the tenant; its locations are: %s", list);
		goto out;
	}
	list = describe_locations(hits);
	rc = core_error(ctx, CORE_EARGS, "emergency_location matches %d emergency "
	    "locations: %s; add fields to tell them apart, or give location_id",
	    cJSON_GetArraySize(hits), list);
out:
	free(list);
	cJSON_Delete(hits);
	cJSON_Delete(locs);
	return rc;
}

/* The UPN of the account with object id, else the id itself. Caller frees. */
static char *
account_name(struct core_ctx *ctx, const char *id, int *rcp)
{
	cJSON *u = NULL;
	char *name;

	*rcp = tenant_user_get(&u, ctx, id);
	if (*rcp == CORE_ENOTFOUND)
		*rcp = CORE_OK;
	name = xstrdup(cj_str(u, "userPrincipalName") ? cj_str(u, "userPrincipalName") : id);
	cJSON_Delete(u);
	return name;
}

/* The Shared Calling policy a number is an emergency number of, or NULL. */
static const char *
emergency_policy(const cJSON *num)
{
	const char *st = cj_str(num, "assignmentStatus");
	const char *t = cj_str(num, "assignmentTargetId");
	const char *bar;

	if (!t || !*t)
		return NULL;
	if (!(st && strcmp(st, "policyAssigned") == 0) && text_is_guid(t))
		return NULL;
	bar = strchr(t, '|');
	return ta_policy_name(bar ? bar + 1 : t);
}

/* The current holder's object id, or NULL when the number is free. */
static const char *
holder_of(const cJSON *num)
{
	const char *st = cj_str(num, "assignmentStatus");
	const char *t = cj_str(num, "assignmentTargetId");

	if (!t || !*t || (st && strcmp(st, "unassigned") == 0))
		return NULL;
	return t;
}

static int
read_target(struct req *r, struct core_ctx *ctx)
{
	int rc;

	rc = tenant_user_get(&r->target, ctx, r->assigned_to);
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_EARGS, "assigned_to: no user or resource "
		    "account '%s' in the tenant", r->assigned_to);
	if (rc)
		return rc;
	if (!r->present)
		return CORE_OK;
	rc = tenant_account_kind(&r->kind, &r->teams, ctx, r->target);
	if (rc)
		return rc;
	return tenant_skus(&r->skus, ctx);
}

/* Inventory and type rules (N2, N10). Sets r->type. */
static int
check_inventory(struct req *r, struct core_ctx *ctx)
{
	const char *have = cj_str(r->num, "numberType");
	const char *tid = arg_str(ctx->params, "tenant_id");

	if (r->num && have) {
		if (r->type && strcmp(r->type, have) != 0)
			return core_error(ctx, CORE_EREFUSED, "number '%s' is of type %s in "
			    "the tenant, not %s; set number_type: %s", r->number,
			    type_choice(have), type_choice(r->type), type_choice(have));
		r->type = have;
		return CORE_OK;
	}
	if (!r->type)
		return core_error(ctx, CORE_EARGS, "number '%s' is not in the tenant's "
		    "inventory; set number_type: direct_routing to assign it as a Direct "
		    "Routing number (Calling Plan and Operator Connect numbers must be "
		    "acquired first)", r->number);
	if (strcmp(r->type, "directRouting") != 0)
		return core_error(ctx, CORE_EREFUSED, "number '%s' is not in the tenant's "
		    "inventory (Telephone Number '%s' is not found from tenant '%s'): a %s "
		    "number must be acquired in the Teams admin center before it is "
		    "assigned", r->number, r->number, tid ? tid : "", type_choice(r->type));
	return CORE_OK;
}

/* Capability (N4), licences (N3, seed article mistake 4), one number (N9). */
static int
check_target(struct req *r, struct core_ctx *ctx)
{
	bool ra = r->kind != TENANT_ACCOUNT_USER;
	const char *cap = ra ? "voiceApplicationAssignment" : "userAssignment";
	const char *id = cj_str(r->target, "id");
	const cJSON *caps = cJSON_GetObjectItem(r->num, "capabilities"), *c, *n;
	bool cp = strcmp(r->type, "callingPlan") == 0;
	bool found = false;
	cJSON *others = NULL;
	char *list;
	int rc;

	if (r->num) {
		cJSON_ArrayForEach(c, caps)
			if (cJSON_IsString(c) && strcmp(c->valuestring, cap) == 0)
				found = true;
		if (!found) {
			list = xstrdup("");
			cJSON_ArrayForEach(c, caps) {
				char *next = xasprintf("%s%s%s", list, *list ? ", " : "",
				    cJSON_IsString(c) ? c->valuestring : "?");

				free(list);
				list = next;
			}
			rc = core_error(ctx, CORE_EREFUSED, "number '%s' cannot be assigned to "
			    "%s '%s': its capabilities are [%s] and a %s needs %s; choose a "
			    "%s number", r->number, ra ? "resource account" : "user",
			    r->assigned_to, list, ra ? "resource account" : "user", cap,
			    ra ? "service (voice application)" : "subscriber (user)");
			free(list);
			return rc;
		}
	}
	if (ra && !tenant_user_has_plan(r->target, r->skus, TENANT_PLAN_RESOURCE_ACCOUNT) &&
	    !tenant_user_has_plan(r->target, r->skus, TENANT_PLAN_TEAMS_PHONE))
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' is not "
		    "licensed to hold a number (User '%s' lacks appropriate licenses to "
		    "assign a '%s' number): assign it the Teams Phone Resource Account "
		    "licence (%s)%s first, e.g. with teams_resource_account", r->assigned_to,
		    id, type_word(r->type), TENANT_SKU_RESOURCE_ACCOUNT,
		    cp ? " and a Calling Plan (e.g. MCOPSTN_PAYG)" : "");
	if (!ra && !tenant_user_has_plan(r->target, r->skus, TENANT_PLAN_TEAMS_PHONE))
		return core_error(ctx, CORE_EREFUSED, "user '%s' has no Teams Phone "
		    "licence (User '%s' lacks appropriate licenses to assign a '%s' "
		    "number): assign it Teams Phone (%s)%s first", r->assigned_to, id,
		    type_word(r->type), TENANT_SKU_TEAMS_PHONE,
		    cp ? " and a Calling Plan" : "");
	if (cp && !tenant_user_has_calling_plan(r->target, r->skus))
		return core_error(ctx, CORE_EREFUSED, "%s '%s' has no Calling Plan licence "
		    "(User '%s' lacks appropriate licenses to assign a 'CallingPlan' "
		    "number): a Calling Plan number needs one; assign a Calling Plan%s "
		    "first", ra ? "resource account" : "user", r->assigned_to, id,
		    ra ? " (e.g. MCOPSTN_PAYG)" : "");
	rc = tenant_numbers_of(&others, ctx, id);
	if (rc)
		return rc;
	cJSON_ArrayForEach(n, others) {
		const char *tn = cj_str(n, "telephoneNumber");

		if (!tn || strcmp(tn, r->number) == 0)
			continue;
		rc = core_error(ctx, CORE_EREFUSED, "%s '%s' already holds number '%s'; "
		    "release it first (state: absent) or assign '%s' to another account",
		    ra ? "resource account" : "user", r->assigned_to, tn, r->number);
		break;
	}
	cJSON_Delete(others);
	return rc;
}

/* The planned fields of a numberAssignment. */
static cJSON *
compact(const cJSON *num)
{
	cJSON *v = cJSON_CreateObject();
	const char *const *f;
	const cJSON *x;

	if (!v)
		BUG("out of memory");
	for (f = planned_fields; *f; f++) {
		x = cJSON_GetObjectItem(num, *f);
		cJSON_AddItemToObject(v, *f, x ? cJSON_Duplicate(x, 1) : cJSON_CreateNull());
	}
	return v;
}

/* A copy of num (or of a new record) with plan changes applied. */
static cJSON *
predicted(const struct req *r, const cJSON *after)
{
	cJSON *p = r->num ? cJSON_Duplicate(r->num, 1) : cJSON_CreateObject();
	const cJSON *x;

	if (!p)
		BUG("out of memory");
	cJSON_ArrayForEach(x, after) {
		cJSON_DeleteItemFromObjectCaseSensitive(p, x->string);
		cJSON_AddItemToObject(p, x->string, cJSON_Duplicate(x, 1));
	}
	x = cJSON_GetObjectItem(after, "assignmentTargetId");
	cJSON_DeleteItemFromObjectCaseSensitive(p, "assignmentStatus");
	cJSON_AddStringToObject(p, "assignmentStatus", !cJSON_IsString(x) ? "unassigned" :
	    r->kind == TENANT_ACCOUNT_USER ? "userAssigned" : "voiceApplicationAssigned");
	return p;
}

static int
reread(struct req *r, struct core_ctx *ctx, struct result *res)
{
	cJSON *num = NULL;
	int rc;

	rc = tenant_number_get(&num, ctx, r->number);
	if (rc == CORE_ENOTFOUND) {
		result_put(res, "number", cJSON_CreateNull());
		return CORE_OK;
	}
	if (rc)
		return rc;
	result_put(res, "number", num);
	return CORE_OK;
}

/* The seed article's mistake 2 and SC16, as warnings. */
static int
warn_shared_calling(struct req *r, struct core_ctx *ctx, const char *holder_id,
    const char *holder_name)
{
	const char *pol;
	cJSON *policies = NULL;
	char *names;
	int rc;

	if (r->kind == TENANT_ACCOUNT_USER && r->teams) {
		pol = tenant_effective_policy(r->teams, TA_SHARED_CALLING);
		if (strcasecmp(pol, "Global") != 0)
			core_warn(ctx, "user '%s' has Shared Calling policy '%s': a personal "
			    "number takes precedence, so the user will call from '%s' and no "
			    "longer through Shared Calling; remove the policy, or do not give "
			    "the user a number", r->assigned_to, pol, r->number);
	}
	if (!holder_id || strcmp(cj_str(r->num, "assignmentStatus") ?
	    cj_str(r->num, "assignmentStatus") : "", "voiceApplicationAssigned") != 0)
		return CORE_OK;
	rc = tenant_shared_calling_policies_of(&policies, ctx, holder_id);
	if (rc)
		return rc;
	if (cJSON_GetArraySize(policies)) {
		names = cj_join(policies, NULL, ", ", true);
		core_warn(ctx, "resource account '%s' is the resource account of Shared "
		    "Calling policies %s: without '%s' their users cannot call out until "
		    "it holds a number again", holder_name, names, r->number);
		free(names);
	}
	cJSON_Delete(policies);
	return CORE_OK;
}

static int
run_absent(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	const char *holder = r->num ? holder_of(r->num) : NULL;
	const char *pol = r->num ? emergency_policy(r->num) : NULL;
	const char *tid = r->target ? cj_str(r->target, "id") : NULL;
	cJSON *after;
	char *name = NULL;
	int rc = CORE_OK;

	res->changed = false;
	if (pol && (!tid || strcasecmp(holder, tid) == 0))
		return core_error(ctx, CORE_EREFUSED, "number '%s' is an emergency number "
		    "of Shared Calling policy '%s' and cannot be released; remove it from "
		    "the policy's emergency numbers first", r->number, pol);
	if (!holder || (tid && strcasecmp(holder, tid) != 0)) {
		result_put(res, "number", r->num ? cJSON_Duplicate(r->num, 1) :
		    cJSON_CreateNull());
		return CORE_OK;
	}
	res->changed = true;
	after = compact(r->num);
	cJSON_ReplaceItemInObject(after, "assignmentTargetId", cJSON_CreateNull());
	cJSON_ReplaceItemInObject(after, "assignmentCategory", cJSON_CreateNull());
	result_add_diff(res, ctx, compact(r->num), cJSON_Duplicate(after, 1),
	    "number (current)", "number (desired)");
	if (ctx->check_mode) {
		result_put(res, "number", predicted(r, after));
		cJSON_Delete(after);
		return CORE_OK;
	}
	cJSON_Delete(after);
	name = xasprintf("releasing number '%s'", r->number);
	rc = perm_require(ctx, SVC_GRAPH, PERM_NUMBER_WRITE, name);
	free(name);
	name = NULL;
	if (rc)
		return rc;
	name = account_name(ctx, holder, &rc);
	if (!rc)
		rc = warn_shared_calling(r, ctx, holder, name);
	if (!rc)
		rc = tenant_number_unassign(ctx, r->number, cj_str(r->num, "numberType"),
		    r->wait_timeout);
	if (!rc)
		rc = reread(r, ctx, res);
	free(name);
	return rc;
}

static int
run_present(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	struct reconcile_opts opts = { .casefold = casefolded };
	struct plan p = { 0 };
	cJSON *want = NULL, *have = NULL;
	const char *holder = r->num ? holder_of(r->num) : NULL;
	const char *pol = r->num ? emergency_policy(r->num) : NULL;
	const char *tid = cj_str(r->target, "id");
	bool mine = holder && strcasecmp(holder, tid) == 0;
	bool assign, release_first;
	char *name = NULL;
	int rc;

	if (pol) {
		rc = core_error(ctx, CORE_EREFUSED, "number '%s' is an emergency number of "
		    "Shared Calling policy '%s' and cannot be assigned (Telephone Number "
		    "'%s' has already been assigned to another user); remove it from the "
		    "policy's emergency numbers first, or choose another number",
		    r->number, pol, r->number);
		goto out;
	}
	rc = check_inventory(r, ctx);
	if (rc)
		goto out;
	have = r->num ? compact(r->num) : NULL;
	want = cJSON_CreateObject();
	if (!want)
		BUG("out of memory");
	cJSON_AddStringToObject(want, "telephoneNumber", r->number);
	cJSON_AddStringToObject(want, "numberType", r->type);
	cJSON_AddStringToObject(want, "assignmentTargetId", tid);
	if (r->category || !mine)
		cJSON_AddStringToObject(want, "assignmentCategory",
		    r->category ? r->category : "primary");
	if (r->location_id)
		cJSON_AddStringToObject(want, "locationId", r->location_id);
	reconcile_plan(&p, want, have, &opts);
	assign = !mine || cJSON_GetObjectItem(p.changes, "assignmentCategory");
	release_first = assign && holder;
	if (holder && !mine && !r->reassign) {
		name = account_name(ctx, holder, &rc);
		if (!rc)
			rc = core_error(ctx, CORE_EREFUSED, "number '%s' is assigned to '%s' "
			    "(Telephone Number '%s' has already been assigned to another "
			    "user); set reassign: true to move it to '%s'", r->number, name,
			    r->number, r->assigned_to);
		goto out;
	}
	if (assign) {
		rc = check_target(r, ctx);
		if (rc)
			goto out;
		if (holder) {
			name = account_name(ctx, holder, &rc);
			if (rc)
				goto out;
		}
		rc = warn_shared_calling(r, ctx, mine ? NULL : holder, name);
		if (rc)
			goto out;
	}
	res->changed = p.changed;
	if (p.changed)
		result_add_diff(res, ctx, cJSON_Duplicate(p.before, 1),
		    cJSON_Duplicate(p.after, 1), "number (current)", "number (desired)");
	if (!p.changed || ctx->check_mode) {
		result_put(res, "number", p.changed ? predicted(r, p.after) :
		    cJSON_Duplicate(r->num, 1));
		goto out;
	}
	name = xasprintf("assigning number '%s'", r->number);
	rc = perm_require(ctx, SVC_GRAPH, PERM_NUMBER_WRITE, name);
	if (rc)
		goto out;
	if (release_first) {
		rc = tenant_number_unassign(ctx, r->number, r->type, r->wait_timeout);
		if (rc)
			goto out;
	}
	if (assign) {
		struct tenant_assign a = {
			.number = r->number,
			.target_id = tid,
			.number_type = r->type,
			.category = r->category,
			.location_id = r->location_id,
			.wait_timeout = r->wait_timeout,
		};

		rc = tenant_number_assign(ctx, &a);
	} else if (cJSON_GetObjectItem(p.changes, "locationId")) {
		/* Only the location differs: no reassignment. */
		rc = tenant_number_set_location(ctx, r->number, r->location_id);
	}
	if (!rc)
		rc = reread(r, ctx, res);
out:
	free(name);
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
	return rc;
}

/* The number, the account it is to be assigned to, the wanted location. */
static int
read_number(void *req, struct core_ctx *ctx)
{
	struct req *r = req;
	int rc;

	rc = tenant_number_get(&r->num, ctx, r->number);
	if (rc && rc != CORE_ENOTFOUND)
		return rc;
	rc = CORE_OK;
	if (r->assigned_to)
		rc = read_target(r, ctx);
	if (!rc && r->present)
		rc = resolve_location(r, ctx, r->params);
	return rc;
}

const struct module MODULE = {
	.name = "teams_phone_number",
	.args = args,
	.rules = &rules,
	.check_mode = true,
	.reads_snapshot = true,
	.req_size = sizeof(struct req),
	.validate = validate,
	.read = read_number,
	.present = run_present,
	.absent = run_absent,
	.release = req_release,
};
