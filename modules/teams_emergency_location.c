/*
 * teams_emergency_location - an emergency (civic) address and the named
 * locations under it, as the Location Information Service keeps them.
 *
 * The seed article's step 4: a Shared Calling policy needs an emergency
 * location on the resource account's number, and this module makes the
 * address and location that number then points at.
 *
 * The address is found by its description, or by its address fields when
 * no description is given. Reads derive addresses from GET
 * /Skype.Ncs/locations (docs/design/services.md#lis, docs/design/conventions.md#civic-address-read). Two service rules are
 * checked before any write: a validated address cannot be updated (N13,
 * "Unable to update a validated Civic Address"), and an address or location
 * that numbers use cannot be deleted (N14). Creating an address needs
 * latitude and longitude except in AU and JP (New-CsOnlineLisCivicAddress).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cj.h"
#include "module.h"
#include "numbers.h"
#include "reconcile.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"

static const struct arg_spec location_args[] = {
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "elin", ARG_STR, ARG_NAME(64) },
	ARG_END
};

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "description", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "company_name", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "company_id", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "house_number", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "house_number_suffix", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "pre_directional", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "street_name", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "street_suffix", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "post_directional", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "city", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "city_alias", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "state_or_province", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "county_or_district", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "postal_code", ARG_STR, ARG_LINE(ARG_LEN_ADDRESS) },
	{ "country", ARG_STR, ARG_NAME(64) },
	{ "latitude", ARG_STR, ARG_NAME(32) },
	{ "longitude", ARG_STR, ARG_NAME(32) },
	{ "elin", ARG_STR, ARG_NAME(64) },
	{ "locations", ARG_LIST, .elements = ARG_DICT, .options = location_args },
	{ "purge_locations", ARG_BOOL, .def = "false" },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

static const char *const exclusive[] = { ARGS_CONN_EXCLUSIVE, NULL };
static const char *const together[] = { "latitude|longitude", NULL };
static const struct arg_required_by required_by[] = {
	ARGS_CONN_REQUIRED_BY,
	{ NULL }
};
static const struct arg_rules rules = {
	.mutually_exclusive = exclusive,
	.required_together = together,
	.required_by = required_by,
};

/* Module option -> the service's field; match: used to find an address without a description. */
static const struct {
	const char *opt;
	const char *field;
	bool match;
} fields[] = {
	{ "description", "description", false },
	{ "company_name", "companyName", false },
	{ "company_id", "companyId", false },
	{ "house_number", "houseNumber", true },
	{ "house_number_suffix", "houseNumberSuffix", true },
	{ "pre_directional", "preDirectional", true },
	{ "street_name", "streetName", true },
	{ "street_suffix", "streetSuffix", true },
	{ "post_directional", "postDirectional", true },
	{ "city", "cityOrTown", true },
	{ "city_alias", "cityOrTownAlias", false },
	{ "state_or_province", "stateOrProvince", true },
	{ "county_or_district", "countyOrDistrict", false },
	{ "postal_code", "postalOrZipCode", true },
	{ "country", "country", true },
	{ "latitude", "latitude", false },
	{ "longitude", "longitude", false },
	{ "elin", "elin", false },
};

static const char *const ignore_fields[] = {
	"civicAddressId", "defaultLocationId", "validationStatus", "locations", "id",
	"tenantId", "partnerId", "confidence", NULL
};
/* Addresses are found case-insensitively, so case alone is no change. */
static const char *const casefold_fields[] = {
	"description", "houseNumber", "houseNumberSuffix", "preDirectional", "streetName",
	"streetSuffix", "postDirectional", "cityOrTown", "stateOrProvince",
	"postalOrZipCode", "country", NULL
};
static const struct reconcile_opts opts = {
	.ignore = ignore_fields,
	.casefold = casefold_fields,
};

/* At most this many numbers are named in a message. */
#define NAMED_NUMBERS 5

/* What the task asks for, validated. */
struct want {
	cJSON *addr;          /* service fields of the options that are set */
	const cJSON *locs;    /* the locations option (borrowed), or NULL */
	char *label;          /* the address as messages name it */
	bool purge;
};

static void
want_release(struct want *w)
{
	cJSON_Delete(w->addr);
	free(w->label);
}

static bool
blank(const char *s)
{
	return !s || strspn(s, " \t") == strlen(s);
}

/* A decimal number in [-limit, limit]; the option name goes in the message. */
static int
check_degrees(struct core_ctx *ctx, const char *opt, const char *v, double limit,
    const char *example)
{
	char *end;
	double d;

	if (!v)
		return CORE_OK;
	errno = 0;
	d = strtod(v, &end);
	if (blank(v) || *end || errno || !isfinite(d))
		return core_error(ctx, CORE_EARGS,
		    "%s '%s' is not a number; give decimal degrees such as %s", opt, v, example);
	if (d < -limit || d > limit)
		return core_error(ctx, CORE_EARGS,
		    "%s '%s' is not between -%g and %g; give decimal degrees such as %s",
		    opt, v, limit, limit, example);
	return CORE_OK;
}

/* The address as messages name it: its description, else its fields. */
static char *
make_label(const cJSON *addr)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const char *v;
	size_t i;

	v = cj_str(addr, "description");
	if (v && *v)
		return xstrdup(v);
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!fields[i].match)
			continue;
		v = cj_str(addr, fields[i].field);
		if (v && *v && buf_addf(&b, "%s%s", b.len ? " " : "", v))
			BUG("out of memory");
	}
	return buf_detach(&b, NULL);
}

static int
validate(struct want *w, struct core_ctx *ctx, const cJSON *params)
{
	const cJSON *l, *m;
	const char *v, *name;
	char cc[3];
	bool keyed = false;
	size_t i;
	int rc, n = 0, k;

	memset(w, 0, sizeof(*w));
	w->addr = cJSON_CreateObject();
	if (!w->addr)
		BUG("out of memory");
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		v = arg_str(params, fields[i].opt);
		if (!v)
			continue;
		if (strcmp(fields[i].opt, "county_or_district") == 0) {
			/* Neither NewCivicAddress nor SetCivicAddress has a county. */
			core_warn(ctx, "county_or_district '%s' is ignored: Microsoft's civic "
			    "address requests carry no county (it belongs to a location)", v);
			continue;
		}
		if (strcmp(fields[i].opt, "country") == 0) {
			if (!tenant_country_code(cc, v))
				return core_error(ctx, CORE_EARGS,
				    "country '%s' is not an ISO 3166-1 alpha-2 country code; give two "
				    "letters such as US, GB or AU", v);
			v = cc;
		}
		if ((fields[i].match || strcmp(fields[i].opt, "description") == 0) && !blank(v))
			keyed = true;
		cJSON_AddStringToObject(w->addr, fields[i].field, v);
	}
	if (!keyed)
		return core_error(ctx, CORE_EARGS,
		    "no description and no address fields; give description, or the address "
		    "(house_number, street_name, city, postal_code, country) to find the "
		    "emergency address by");
	rc = check_degrees(ctx, "latitude", arg_str(params, "latitude"), 90, "47.64");
	if (rc)
		return rc;
	rc = check_degrees(ctx, "longitude", arg_str(params, "longitude"), 180, "-122.13");
	if (rc)
		return rc;
	w->locs = arg_get(params, "locations");
	if (cJSON_IsNull(w->locs))
		w->locs = NULL;
	cJSON_ArrayForEach(l, w->locs) {
		name = arg_str(l, "name");
		if (blank(name))
			return core_error(ctx, CORE_EARGS,
			    "locations[%d].name is empty; the default location has no name, so "
			    "give each named location one, such as Floor 3", n);
		k = 0;
		cJSON_ArrayForEach(m, w->locs) {
			if (m == l)
				break;
			if (strcasecmp(arg_str(m, "name"), name) == 0)
				return core_error(ctx, CORE_EARGS,
				    "locations[%d] repeats name '%s' of locations[%d]; give each "
				    "location once", n, name, k);
			k++;
		}
		n++;
	}
	w->purge = arg_bool(params, "purge_locations");
	w->label = make_label(w->addr);
	return CORE_OK;
}

/* ---- finding the address ---- */

static bool
matches(const cJSON *addr, const cJSON *want)
{
	const char *d = cj_str(want, "description"), *a, *h;
	size_t i;

	if (d)
		return strcasecmp(d, cj_str(addr, "description") ? cj_str(addr, "description") : "") == 0;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (!fields[i].match)
			continue;
		a = cj_str(want, fields[i].field);
		if (!a)
			continue;
		h = cj_str(addr, fields[i].field);
		if (strcasecmp(a, h ? h : "") != 0)
			return false;
	}
	return true;
}

/*
 * The one address of addresses that want names (by description, else by
 * its address fields), or NULL; more than one is a refusal.
 */
static int
find_address(const cJSON **found, struct core_ctx *ctx, const cJSON *addresses,
    const struct want *w)
{
	struct buf ids = BUF_INIT(SIZE_MAX / 2);
	const cJSON *a;
	char *list;
	int n = 0;

	*found = NULL;
	cJSON_ArrayForEach(a, addresses) {
		if (!matches(a, w->addr))
			continue;
		if (!*found)
			*found = a;
		if (buf_addf(&ids, "%s'%s'", n ? ", " : "", cj_str(a, "civicAddressId")))
			BUG("out of memory");
		n++;
	}
	if (n < 2) {
		buf_release(&ids);
		return CORE_OK;
	}
	*found = NULL;
	list = buf_detach(&ids, NULL);
	if (cj_str(w->addr, "description"))
		core_error(ctx, CORE_EREFUSED,
		    "%d emergency addresses have the description '%s' (%s); give each address "
		    "its own description so that one can be chosen", n, w->label, list);
	else
		core_error(ctx, CORE_EREFUSED,
		    "%d emergency addresses match '%s' (%s); give description to choose one",
		    n, w->label, list);
	free(list);
	return CORE_EREFUSED;
}

/* The tenant's addresses, grouped (ta_group_addresses). */
static int
read_addresses(cJSON **out, struct core_ctx *ctx)
{
	cJSON *locations = NULL;
	int rc;

	*out = NULL;
	rc = ta_locations(&locations, ctx);
	if (rc)
		return rc;
	*out = ta_group_addresses(locations);
	cJSON_Delete(locations);
	return CORE_OK;
}

/* ---- numbers using an address ---- */

/*
 * The numbers whose emergency location is one of loc_ids, or (civic_id not
 * NULL) that sit on the address civic_id. Reads every number assignment.
 */
static int
numbers_using(cJSON **out, struct core_ctx *ctx, const cJSON *loc_ids,
    const char *civic_id)
{
	cJSON *numbers = NULL, *used;
	const cJSON *n;
	const char *cid;
	int rc;

	*out = NULL;
	rc = tenant_numbers(&numbers, ctx, NULL);
	if (rc)
		return rc;
	used = cJSON_CreateArray();
	if (!used)
		BUG("out of memory");
	cJSON_ArrayForEach(n, numbers) {
		cid = cj_str(n, "civicAddressId");
		if (cj_has_str(loc_ids, cj_str(n, "locationId")) ||
		    (civic_id && cid && strcasecmp(cid, civic_id) == 0))
			cJSON_AddItemToArray(used, cJSON_Duplicate(n, 1));
	}
	cJSON_Delete(numbers);
	*out = used;
	return CORE_OK;
}

/*
 * Who holds a number, for a message: "of 'upn'", "of policy 'X'" or ""
 * (unassigned). Reads the user when the target is an object id.
 */
static int
holder_of(char **out, struct core_ctx *ctx, const cJSON *number)
{
	const char *t = cj_str(number, "assignmentTargetId"), *bar, *upn;
	cJSON *user = NULL;
	int rc;

	*out = NULL;
	if (!t || !*t) {
		*out = xstrdup("");
		return CORE_OK;
	}
	bar = strchr(t, '|');
	if (bar) {
		*out = xasprintf(" of policy '%s'", ta_policy_name(bar + 1));
		return CORE_OK;
	}
	rc = tenant_user_get(&user, ctx, t);
	if (rc == CORE_ENOTFOUND) {
		*out = xasprintf(" of '%s'", t);
		return CORE_OK;
	}
	if (rc)
		return rc;
	upn = cj_str(user, "userPrincipalName");
	*out = xasprintf(" of '%s'", upn ? upn : t);
	cJSON_Delete(user);
	return CORE_OK;
}

/* "2 numbers ('+14255550101' of 'adele@contoso.com', '+14255550102')". */
static int
numbers_text(char **out, struct core_ctx *ctx, const cJSON *used)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *n;
	char *who = NULL;
	int total = cJSON_GetArraySize(used), i = 0, rc = CORE_OK;

	*out = NULL;
	if (buf_addf(&b, "%d number%s (", total, total == 1 ? "" : "s"))
		BUG("out of memory");
	cJSON_ArrayForEach(n, used) {
		if (i == NAMED_NUMBERS)
			break;
		rc = holder_of(&who, ctx, n);
		if (rc)
			goto out;
		if (buf_addf(&b, "%s'%s'%s", i ? ", " : "", cj_str(n, "telephoneNumber"), who))
			BUG("out of memory");
		free(who);
		who = NULL;
		i++;
	}
	if (total > i && buf_addf(&b, ", and %d more", total - i))
		BUG("out of memory");
	if (buf_adds(&b, ")"))
		BUG("out of memory");
	*out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	return rc;
}

/* ---- planning ---- */

static const cJSON *
find_location(const cJSON *addr, const char *name)
{
	const cJSON *l;
	const char *ln;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(addr, "locations")) {
		ln = cj_str(l, "location");
		if (!cJSON_IsTrue(cJSON_GetObjectItem(l, "isDefault")) && ln &&
		    strcasecmp(ln, name) == 0)
			return l;
	}
	return NULL;
}

static bool
elin_equal(const cJSON *have, const char *want)
{
	const char *h = cJSON_IsString(have) ? have->valuestring : NULL;

	if (!h || !*h)
		return !want || !*want;
	return want && strcmp(h, want) == 0;
}

static cJSON *
str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/*
 * The location operations: [{"op": "create"|"update"|"delete", "id",
 * "location", "elin", "setElin"}] turning have's named locations into the
 * wanted ones (deletes only with purge).
 */
static cJSON *
plan_locations(const struct want *w, const cJSON *have)
{
	cJSON *ops = cJSON_CreateArray(), *op;
	const cJSON *l, *h, *wl;
	const char *name, *elin;
	bool keep;

	if (!ops)
		BUG("out of memory");
	if (!w->locs)
		return ops;
	cJSON_ArrayForEach(l, w->locs) {
		name = arg_str(l, "name");
		elin = arg_str(l, "elin");
		h = have ? find_location(have, name) : NULL;
		if (h && strcmp(cj_str(h, "location"), name) == 0 &&
		    (!arg_isset(l, "elin") || elin_equal(cJSON_GetObjectItem(h, "elin"), elin)))
			continue;
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", h ? "update" : "create");
		cJSON_AddItemToObject(op, "id", h ? cJSON_CreateString(cj_str(h, "id")) :
		    cJSON_CreateNull());
		cJSON_AddStringToObject(op, "location", name);
		if (arg_isset(l, "elin") || !h)
			cJSON_AddItemToObject(op, "elin", str_or_null(elin));
		cJSON_AddItemToArray(ops, op);
	}
	if (!w->purge || !have)
		return ops;
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(have, "locations")) {
		if (cJSON_IsTrue(cJSON_GetObjectItem(h, "isDefault")))
			continue;
		keep = false;
		cJSON_ArrayForEach(wl, w->locs)
			if (strcasecmp(arg_str(wl, "name"), cj_str(h, "location")) == 0)
				keep = true;
		if (keep)
			continue;
		op = cJSON_CreateObject();
		cJSON_AddStringToObject(op, "op", "delete");
		cJSON_AddStringToObject(op, "id", cj_str(h, "id"));
		cJSON_AddStringToObject(op, "location", cj_str(h, "location"));
		cJSON_AddItemToArray(ops, op);
	}
	return ops;
}

static int
by_location(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;

	return strcasecmp(cj_str(a, "location"), cj_str(b, "location"));
}

/*
 * The named locations of an address as the diff shows them:
 * [{location, elin}], sorted by name so that the service's order never
 * shows as a change.
 */
static cJSON *
diff_locations(const cJSON *addr)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	const cJSON *l, **v;
	int n = 0, i;

	if (!arr)
		BUG("out of memory");
	v = xcalloc((size_t)cJSON_GetArraySize(cJSON_GetObjectItem(addr, "locations")) + 1,
	    sizeof(*v));
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(addr, "locations"))
		if (!cJSON_IsTrue(cJSON_GetObjectItem(l, "isDefault")) && cj_str(l, "location"))
			v[n++] = l;
	xqsort(v, (size_t)n, sizeof(*v), by_location);
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		if (!o)
			BUG("out of memory");
		cJSON_AddStringToObject(o, "location", cj_str(v[i], "location"));
		if (cJSON_GetObjectItem(v[i], "elin"))
			cJSON_AddItemToObject(o, "elin",
			    cJSON_Duplicate(cJSON_GetObjectItem(v[i], "elin"), 1));
		else
			cJSON_AddNullToObject(o, "elin");
		cJSON_AddItemToArray(arr, o);
	}
	free(v);
	return arr;
}

/*
 * The address as it will be: have (or a new one from want) with the plan's
 * changes and the location operations applied; ids unknown before a create
 * are null.
 */
static cJSON *
predicted(const cJSON *have, const struct plan *plan, const cJSON *ops)
{
	cJSON *p, *locs, *l, *next;
	const cJSON *c, *op;
	const char *kind, *id;
	size_t i;

	if (have) {
		p = cJSON_Duplicate(have, 1);
	} else {
		p = cJSON_CreateObject();
		cJSON_AddNullToObject(p, "civicAddressId");
		cJSON_AddNullToObject(p, "defaultLocationId");
		for (i = 0; i < ARRAY_SIZE(fields); i++)
			cJSON_AddNullToObject(p, fields[i].field);
		cJSON_AddNullToObject(p, "validationStatus");
		locs = cJSON_AddArrayToObject(p, "locations");
		l = cJSON_CreateObject();
		cJSON_AddNullToObject(l, "id");
		cJSON_AddStringToObject(l, "location", "");
		cJSON_AddTrueToObject(l, "isDefault");
		cJSON_AddNullToObject(l, "elin");
		cJSON_AddItemToArray(locs, l);
	}
	if (!p)
		BUG("out of memory");
	cJSON_ArrayForEach(c, plan->changes) {
		if (cJSON_GetObjectItem(p, c->string))
			cJSON_ReplaceItemInObject(p, c->string, cJSON_Duplicate(c, 1));
		else
			cJSON_AddItemToObject(p, c->string, cJSON_Duplicate(c, 1));
	}
	locs = cJSON_GetObjectItem(p, "locations");
	cJSON_ArrayForEach(op, ops) {
		kind = cj_str(op, "op");
		id = cj_str(op, "id");
		if (strcmp(kind, "create") == 0) {
			l = cJSON_CreateObject();
			cJSON_AddNullToObject(l, "id");
			cJSON_AddStringToObject(l, "location", cj_str(op, "location"));
			cJSON_AddFalseToObject(l, "isDefault");
			cJSON_AddItemToObject(l, "elin",
			    cJSON_Duplicate(cJSON_GetObjectItem(op, "elin"), 1));
			cJSON_AddItemToArray(locs, l);
			continue;
		}
		for (l = locs ? locs->child : NULL; l; l = next) {
			next = l->next;
			if (!cj_str(l, "id") || strcasecmp(cj_str(l, "id"), id) != 0)
				continue;
			if (strcmp(kind, "delete") == 0) {
				cJSON_Delete(cJSON_DetachItemViaPointer(locs, l));
				continue;
			}
			cJSON_ReplaceItemInObject(l, "location",
			    cJSON_CreateString(cj_str(op, "location")));
			if (cJSON_GetObjectItem(op, "elin"))
				cJSON_ReplaceItemInObject(l, "elin",
				    cJSON_Duplicate(cJSON_GetObjectItem(op, "elin"), 1));
		}
	}
	return p;
}

/*
 * want's fields in the form have holds them: a latitude or longitude equal
 * in value keeps have's text ("47.630" is "47.63"); an empty string where
 * have has null is no change.
 */
static cJSON *
normalised_want(const cJSON *want, const cJSON *have)
{
	cJSON *n = cJSON_Duplicate(want, 1), *x, *next;
	const cJSON *h;
	const char *keys[] = { "latitude", "longitude" };
	double a, b;
	char *ea, *eb;
	size_t i;

	if (!n)
		BUG("out of memory");
	if (!have)
		return n;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		x = cJSON_GetObjectItem(n, keys[i]);
		h = cJSON_GetObjectItem(have, keys[i]);
		if (!cJSON_IsString(x) || !cJSON_IsString(h))
			continue;
		a = strtod(x->valuestring, &ea);
		b = strtod(h->valuestring, &eb);
		if (!*ea && !*eb && *h->valuestring && a == b)
			cJSON_SetValuestring(x, h->valuestring);
	}
	for (x = n->child; x; x = next) {
		next = x->next;
		h = cJSON_GetObjectItem(have, x->string);
		if (cJSON_IsString(x) && !*x->valuestring && (!h || cJSON_IsNull(h)))
			cJSON_Delete(cJSON_DetachItemViaPointer(n, x));
	}
	return n;
}

/* Removes the null fields of obj (a new address shows only what it sets). */
static void
drop_nulls(cJSON *obj)
{
	cJSON *x, *next;

	for (x = obj->child; x; x = next) {
		next = x->next;
		if (cJSON_IsNull(x))
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, x));
	}
}

/* The changed field names, for the N13 refusal. */
static char *
changed_fields(const cJSON *changes)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *c;

	cJSON_ArrayForEach(c, changes)
		if (buf_addf(&b, "%s%s", b.len ? ", " : "", c->string))
			BUG("out of memory");
	return buf_detach(&b, NULL);
}

/* ---- writing ---- */

static const cJSON *
find_by_id(const cJSON *addresses, const char *id)
{
	const cJSON *a;
	const char *aid;

	cJSON_ArrayForEach(a, addresses) {
		aid = cj_str(a, "civicAddressId");
		if (aid && id && strcasecmp(aid, id) == 0)
			return a;
	}
	return NULL;
}

struct address_intent {
	const struct want *w;
	const cJSON *body;
	char *id;          /* of the answer or the lookup; owned */
};

static int
address_create_once(struct core_ctx *ctx, void *arg)
{
	struct address_intent *a = arg;
	cJSON *created = NULL;
	const char *cid;
	int rc;

	rc = ta_address_create(&created, ctx, a->body);
	cid = cj_str(created, "id") ? cj_str(created, "id") : cj_str(created, "civicAddressId");
	if (!rc && cid)
		a->id = xstrdup(cid);
	cJSON_Delete(created);
	return rc;
}

/* By the address fields the create used. */
static int
address_lookup(struct core_ctx *ctx, void *arg)
{
	struct address_intent *a = arg;
	cJSON *addresses = NULL;
	const cJSON *found = NULL;
	int rc;

	rc = read_addresses(&addresses, ctx);
	if (!rc)
		rc = find_address(&found, ctx, addresses, a->w);
	if (!rc && !found)
		rc = CORE_ENOTFOUND;
	if (!rc) {
		free(a->id);
		a->id = xstrdup(cj_str(found, "civicAddressId"));
	}
	cJSON_Delete(addresses);
	return rc;
}

/*
 * Creates the address and returns its id, reconciled (svc_create_reconciled):
 * a create that got no answer or a server error, or an answer without an
 * id, is looked up before anything else. Never two for one intent.
 */
static int
create_address(char **id, struct core_ctx *ctx, const struct want *w,
    const cJSON *body)
{
	struct address_intent a = { w, body, NULL };
	int rc;

	*id = NULL;
	rc = svc_create_reconciled(ctx, address_create_once, address_lookup, &a);
	if (!rc && !a.id) {
		rc = address_lookup(ctx, &a);
		if (rc == CORE_ENOTFOUND)
			rc = core_error(ctx, CORE_ESERVICE,
			    "POST /Skype.Ncs/civicAddresses: teams gave no id and the "
			    "new address '%s' is not found", w->label);
	}
	if (rc) {
		free(a.id);
		return rc;
	}
	*id = a.id;
	return CORE_OK;
}

struct location_intent {
	const char *civic_id;
	const char *name;
	const char *elin;
};

static int
location_create_once(struct core_ctx *ctx, void *arg)
{
	struct location_intent *l = arg;

	return ta_location_create(NULL, ctx, l->civic_id, l->name, l->elin);
}

/* By the address and the name the create used. */
static int
location_lookup(struct core_ctx *ctx, void *arg)
{
	struct location_intent *l = arg;
	cJSON *addresses = NULL;
	int rc;

	rc = read_addresses(&addresses, ctx);
	if (!rc && !find_location(find_by_id(addresses, l->civic_id), l->name))
		rc = CORE_ENOTFOUND;
	cJSON_Delete(addresses);
	return rc;
}

/* Creates a location, reconciled (svc_create_reconciled). */
static int
create_location(struct core_ctx *ctx, const char *civic_id, const cJSON *op)
{
	struct location_intent l = { civic_id, cj_str(op, "location"), cj_str(op, "elin") };

	return svc_create_reconciled(ctx, location_create_once, location_lookup, &l);
}

static int
apply_locations(struct core_ctx *ctx, const char *civic_id, const cJSON *ops)
{
	const cJSON *op, *elin;
	const char *kind;
	cJSON *body;
	int rc = CORE_OK;

	/* Deletes first: a name freed by one may be taken by another. */
	cJSON_ArrayForEach(op, ops) {
		if (strcmp(cj_str(op, "op"), "delete") != 0)
			continue;
		rc = ta_location_delete(ctx, cj_str(op, "id"));
		if (rc)
			return rc;
	}
	cJSON_ArrayForEach(op, ops) {
		kind = cj_str(op, "op");
		if (strcmp(kind, "create") == 0) {
			rc = create_location(ctx, civic_id, op);
		} else if (strcmp(kind, "update") == 0) {
			body = cJSON_CreateObject();
			if (!body)
				BUG("out of memory");
			cJSON_AddStringToObject(body, "location", cj_str(op, "location"));
			elin = cJSON_GetObjectItem(op, "elin");
			if (elin)
				cJSON_AddItemToObject(body, "elin", cJSON_Duplicate(elin, 1));
			rc = ta_location_update(NULL, ctx, cj_str(op, "id"), body);
			cJSON_Delete(body);
		}
		if (rc)
			return rc;
	}
	return CORE_OK;
}

/* Re-reads the address civic_id into the result. */
static int
put_address(struct core_ctx *ctx, struct result *res, const char *civic_id,
    const char *label)
{
	cJSON *addresses = NULL;
	const cJSON *a;
	int rc;

	rc = read_addresses(&addresses, ctx);
	if (rc)
		return rc;
	a = find_by_id(addresses, civic_id);
	if (!a) {
		cJSON_Delete(addresses);
		return core_error(ctx, CORE_ESERVICE,
		    "emergency address '%s' ('%s') is not found right after it was written",
		    label, civic_id);
	}
	result_put(res, "emergency_address", cJSON_Duplicate(a, 1));
	cJSON_Delete(addresses);
	return CORE_OK;
}

/* ---- the two states ---- */

static void
add_diff(struct result *res, const struct core_ctx *ctx, cJSON *before, cJSON *after,
    const char *label)
{
	char *hb = xasprintf("emergency_address '%s' (current)", label);
	char *ha = xasprintf("emergency_address '%s' (desired)", label);

	result_add_diff(res, ctx, before, after, hb, ha);
	free(hb);
	free(ha);
}

static int
absent(struct core_ctx *ctx, struct result *res, const struct want *w,
    const cJSON *have)
{
	cJSON *loc_ids = NULL, *used = NULL, *before;
	const cJSON *l;
	const char *civic_id;
	char *text = NULL;
	int rc;

	if (!have) {
		result_put(res, "emergency_address", cJSON_CreateNull());
		return CORE_OK;
	}
	civic_id = cj_str(have, "civicAddressId");
	loc_ids = cJSON_CreateArray();
	if (!loc_ids)
		BUG("out of memory");
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(have, "locations"))
		if (cj_str(l, "id"))
			cJSON_AddItemToArray(loc_ids, cJSON_CreateString(cj_str(l, "id")));
	rc = numbers_using(&used, ctx, loc_ids, civic_id);
	if (rc)
		goto out;
	if (cJSON_GetArraySize(used) > 0) {
		rc = numbers_text(&text, ctx, used);
		if (rc)
			goto out;
		rc = core_error(ctx, CORE_EREFUSED,
		    "emergency address '%s' is in use by %s; give those numbers another "
		    "emergency location first", w->label, text);
		goto out;
	}
	res->changed = true;
	before = reconcile_strip(have, &opts);
	cJSON_AddItemToObject(before, "locations", diff_locations(have));
	add_diff(res, ctx, before, NULL, w->label);
	result_put(res, "emergency_address", cJSON_CreateNull());
	if (ctx->check_mode)
		goto out;
	/* Named locations first; the default one goes with the address. */
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(have, "locations")) {
		if (cJSON_IsTrue(cJSON_GetObjectItem(l, "isDefault")))
			continue;
		rc = ta_location_delete(ctx, cj_str(l, "id"));
		if (rc)
			goto out;
	}
	rc = ta_address_delete(ctx, civic_id);
out:
	free(text);
	cJSON_Delete(used);
	cJSON_Delete(loc_ids);
	return rc;
}

/* Refuses deleting (purge_locations) a location that numbers use. */
static int
check_purge(struct core_ctx *ctx, const struct want *w, const cJSON *ops)
{
	cJSON *ids = NULL, *used = NULL, *one;
	const cJSON *op, *n;
	char *text = NULL;
	int rc = CORE_OK;

	ids = cJSON_CreateArray();
	if (!ids)
		BUG("out of memory");
	cJSON_ArrayForEach(op, ops)
		if (strcmp(cj_str(op, "op"), "delete") == 0)
			cJSON_AddItemToArray(ids, cJSON_CreateString(cj_str(op, "id")));
	if (cJSON_GetArraySize(ids) == 0)
		goto out;
	rc = numbers_using(&used, ctx, ids, NULL);
	if (rc || cJSON_GetArraySize(used) == 0)
		goto out;
	/* Name the first location in use and the numbers on it. */
	cJSON_ArrayForEach(op, ops) {
		if (strcmp(cj_str(op, "op"), "delete") != 0)
			continue;
		one = cJSON_CreateArray();
		cJSON_ArrayForEach(n, used)
			if (strcasecmp(cj_str(n, "locationId"), cj_str(op, "id")) == 0)
				cJSON_AddItemToArray(one, cJSON_Duplicate(n, 1));
		if (cJSON_GetArraySize(one) > 0) {
			rc = numbers_text(&text, ctx, one);
			if (!rc)
				rc = core_error(ctx, CORE_EREFUSED,
				    "location '%s' of emergency address '%s' is in use by %s; give "
				    "those numbers another emergency location first, or keep the "
				    "location in locations", cj_str(op, "location"), w->label, text);
			cJSON_Delete(one);
			goto out;
		}
		cJSON_Delete(one);
	}
out:
	free(text);
	cJSON_Delete(used);
	cJSON_Delete(ids);
	return rc;
}

static int
present(struct core_ctx *ctx, struct result *res, const struct want *w,
    const cJSON *have)
{
	struct plan plan = { 0 };
	cJSON *want = NULL, *ops = NULL, *before, *after, *diff_after;
	const char *country, *status;
	char *civic_id = NULL, *list = NULL;
	int rc = CORE_OK;

	want = normalised_want(w->addr, have);
	if (!have) {
		if (blank(cj_str(want, "companyName")) || !cj_str(want, "country")) {
			rc = core_error(ctx, CORE_EREFUSED,
			    "emergency address '%s' does not exist, and creating it needs "
			    "company_name and country", w->label);
			goto out;
		}
		country = cj_str(want, "country");
		if ((!cj_str(want, "latitude") || !cj_str(want, "longitude")) &&
		    strcmp(country, "AU") != 0 && strcmp(country, "JP") != 0) {
			rc = core_error(ctx, CORE_EREFUSED,
			    "creating emergency address '%s' in %s needs latitude and longitude "
			    "(required everywhere except AU and JP); give both", w->label, country);
			goto out;
		}
	}
	reconcile_plan(&plan, want, have, &opts);
	status = cj_str(have, "validationStatus");
	if (have && plan.changed && status && strcasecmp(status, "Validated") == 0) {
		list = changed_fields(plan.changes);
		rc = core_error(ctx, CORE_EREFUSED,
		    "Unable to update a validated Civic Address: emergency address '%s' would "
		    "change %s; create a new address (with another description) and move its "
		    "numbers to it instead", w->label, list);
		goto out;
	}
	ops = plan_locations(w, have);
	rc = check_purge(ctx, w, ops);
	if (rc)
		goto out;
	res->changed = plan.changed || cJSON_GetArraySize(ops) > 0;
	after = predicted(have, &plan, ops);
	if (res->changed) {
		before = have ? reconcile_strip(have, &opts) : cJSON_CreateObject();
		if (have)
			cJSON_AddItemToObject(before, "locations", diff_locations(have));
		diff_after = reconcile_strip(after, &opts);
		if (!have)
			drop_nulls(diff_after);
		cJSON_AddItemToObject(diff_after, "locations", diff_locations(after));
		add_diff(res, ctx, before, diff_after, w->label);
	}
	if (ctx->check_mode || !res->changed) {
		result_put(res, "emergency_address", after);
		goto out;
	}
	cJSON_Delete(after);

	if (plan.create) {
		rc = create_address(&civic_id, ctx, w, plan.changes);
	} else {
		civic_id = xstrdup(cj_str(have, "civicAddressId"));
		if (plan.changed)
			rc = ta_address_update(NULL, ctx, civic_id, plan.changes);
	}
	if (rc)
		goto out;
	rc = apply_locations(ctx, civic_id, ops);
	if (rc)
		goto out;
	rc = put_address(ctx, res, civic_id, w->label);
out:
	free(list);
	free(civic_id);
	cJSON_Delete(ops);
	cJSON_Delete(want);
	reconcile_plan_release(&plan);
	return rc;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	struct want w;
	cJSON *addresses = NULL;
	const cJSON *have = NULL;
	int rc;

	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = validate(&w, ctx, params);
	if (rc)
		goto out;
	rc = read_addresses(&addresses, ctx);
	if (rc)
		goto out;
	rc = find_address(&have, ctx, addresses, &w);
	if (rc)
		goto out;
	if (strcmp(arg_str(params, "state"), "absent") == 0)
		rc = absent(ctx, res, &w, have);
	else
		rc = present(ctx, res, &w, have);
out:
	cJSON_Delete(addresses);
	want_release(&w);
	return rc;
}

const struct module MODULE = {
	.name = "teams_emergency_location",
	.args = args,
	.rules = &rules,
	.check_mode = true,
	.reads_snapshot = true,
	.run = run,
};
