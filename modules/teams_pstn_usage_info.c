/*
 * teams_pstn_usage_info - who should share a number, and what it saves: the
 * seed article's audit of external call patterns and its cost comparison.
 *
 * Reads the PSTN call records of a window of whole weeks (getPstnCalls for
 * Calling Plan and Operator Connect calls, getDirectRoutingCalls for Direct
 * Routing calls; docs/design/services.md#call-records) in slices of at most 90 days, every page
 * followed, several slices at once; and, in bulk, every user holding Teams
 * Phone, so that users with no call at all count too. Per user it counts
 * outbound, inbound and emergency calls, minutes and charges, and sorts the
 * users into three classes:
 *   - candidate: fewer outbound external calls a week than threshold;
 *   - personal:  threshold or more (they keep a personal number);
 *   - no_calls:  no call in the window (Teams Phone users without records).
 * Then it prices two models with the prices given: personal numbers for
 * everyone, and the hybrid the audit proposes (personal numbers for those
 * who need them, Shared Calling for the others, pay-as-you-go minutes for
 * the shared numbers' outbound calls), and the saving.
 *
 * Read-only; runs normally in check mode. A read that fails fails the
 * module: a partial audit is never returned.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "callrecords.h"
#include "cj.h"
#include "module.h"
#include "numbers.h"
#include "svc.h"
#include "tenant.h"

static const struct arg_spec price_args[] = {
	{ "teams_phone", ARG_FLOAT, .def = "10.0" },
	{ "calling_plan", ARG_FLOAT, .def = "12.0" },
	{ "resource_account", ARG_FLOAT, .def = "0.0" },
	{ "payg_per_minute", ARG_FLOAT, .def = "0.02" },
	ARG_END
};

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "weeks", ARG_INT, .def = "4" },
	{ "end", ARG_STR, ARG_LINE(64) },
	{ "threshold", ARG_FLOAT, .def = "5.0" },
	{ "sources", ARG_LIST, .elements = ARG_STR, .def = "[\"pstn\", \"direct_routing\"]",
	  .choices = "pstn|direct_routing" },
	{ "licensed_users", ARG_BOOL, .def = "true" },
	{ "personal_numbers", ARG_BOOL, .def = "true" },
	{ "slice_days", ARG_INT, .def = "7" },
	{ "prices", ARG_DICT, .def = "{}", .options = price_args },
	{ "currency", ARG_STR, .def = "\"USD\"", ARG_NAME(16) },
	{ "resource_accounts", ARG_INT, .def = "1" },
	ARG_END
};

#define WEEKS_MAX 52
#define DAY_S 86400L
#define WEEK_S (7 * DAY_S)
/* An average month: 365.25 days / 12, in weeks. */
#define WEEKS_PER_MONTH (365.25 / 12.0 / 7.0)
/* Users named in one warning before "and N more". */
#define NAMES_SHOWN 5

enum user_class { CLASS_CANDIDATE = 0, CLASS_PERSONAL, CLASS_NO_CALLS };

static const char *const class_names[] = { "candidate", "personal", "no_calls" };

/* Buckets of outbound calls per week: [lower, next lower); the last is open. */
static const struct {
	const char *label;
	double lower;
} buckets[] = {
	{ "0-1", 0 }, { "1-2", 1 }, { "2-3", 2 }, { "3-4", 3 }, { "4-5", 4 },
	{ "5-10", 5 }, { "10-15", 10 }, { "15-25", 15 }, { "25+", 25 },
};

struct user {
	char *id;              /* object id, or NULL when only the UPN is known */
	char *upn;
	char *name;
	char *number;          /* personal number held now, or NULL */
	char *currency;        /* of the charges, or NULL */
	bool teams_phone;
	bool source[TENANT_CALLS_SOURCES];
	long out, in, emergency, unsuccessful;
	double out_s, in_s;    /* seconds connected */
	double charge;
	bool has_charge;
	enum user_class cls;
	double out_week, in_week;
};

/* Open addressing over user indexes (+1; 0 is empty), keyed case-insensitively. */
struct index {
	size_t *slots;
	size_t cap;            /* a power of two */
	size_t used;
};

/* The ids of the call records seen, as "source:id" (open addressing). */
struct idset {
	char **slots;
	size_t cap;            /* a power of two */
	size_t used;
};

struct audit {
	struct core_ctx *ctx;
	struct user *users;
	size_t n, cap;
	struct index by_id, by_upn;
	struct idset seen;
	unsigned long rows, outbound, inbound, emergency, bot, unsuccessful;
	unsigned long unattributed, other, repeated;
	bool mixed_currency;
};

/* ---- small helpers ---- */

/* Sets key of o to the number v. */
static void
put_number(cJSON *o, const char *key, double v)
{
	cj_set(o, key, cJSON_CreateNumber(v));
}

static double
round2(double v)
{
	return round(v * 100.0) / 100.0;
}

/*
 * o[key] when it is a non-empty string, else NULL. Unlike cj_str(), the key
 * is matched exactly and an empty string counts as missing.
 */
static const char *
str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* ---- the user index ---- */

static void idset_release(struct idset *set);

static uint64_t
hash_nocase(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

static const char *
index_key(const struct audit *a, const struct index *ix, size_t user)
{
	return ix == &a->by_id ? a->users[user].id : a->users[user].upn;
}

static size_t
index_find(const struct audit *a, const struct index *ix, const char *key)
{
	size_t i, slot;

	if (!ix->cap)
		return 0;
	for (i = (size_t)hash_nocase(key) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
		slot = ix->slots[i];
		if (slot == 0)
			return 0;
		if (strcasecmp(index_key(a, ix, slot - 1), key) == 0)
			return slot;
	}
}

static void
index_put(struct audit *a, struct index *ix, size_t user)
{
	size_t *old = ix->slots, oldcap = ix->cap, i, j;

	if ((ix->used + 1) * 10 > ix->cap * 7) {
		ix->cap = oldcap ? oldcap * 2 : 1024;
		ix->slots = xcalloc(ix->cap, sizeof(*ix->slots));
		for (j = 0; j < oldcap; j++) {
			if (!old[j])
				continue;
			for (i = (size_t)hash_nocase(index_key(a, ix, old[j] - 1)) & (ix->cap - 1);
			    ix->slots[i]; i = (i + 1) & (ix->cap - 1))
				;
			ix->slots[i] = old[j];
		}
		free(old);
	}
	for (i = (size_t)hash_nocase(index_key(a, ix, user)) & (ix->cap - 1); ix->slots[i];
	    i = (i + 1) & (ix->cap - 1))
		;
	ix->slots[i] = user + 1;
	ix->used++;
}

static struct user *
user_add(struct audit *a, const char *id, const char *upn, const char *name)
{
	struct user *u;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->users = xrealloc(a->users, a->cap * sizeof(*a->users));
	}
	u = &a->users[a->n];
	memset(u, 0, sizeof(*u));
	u->id = dup_or_null(id);
	u->upn = dup_or_null(upn);
	u->name = dup_or_null(name);
	a->n++;
	if (u->id)
		index_put(a, &a->by_id, a->n - 1);
	if (u->upn)
		index_put(a, &a->by_upn, a->n - 1);
	return u;
}

/*
 * The user a record or a licence names, by object id first, then by UPN;
 * added when new. NULL when it names neither.
 */
static struct user *
user_get(struct audit *a, const char *id, const char *upn, const char *name)
{
	size_t slot = 0;
	struct user *u;

	if (id)
		slot = index_find(a, &a->by_id, id);
	if (!slot && upn)
		slot = index_find(a, &a->by_upn, upn);
	if (!slot)
		return id || upn ? user_add(a, id, upn, name) : NULL;
	u = &a->users[slot - 1];
	if (!u->id && id) {
		u->id = xstrdup(id);
		index_put(a, &a->by_id, slot - 1);
	}
	if (!u->upn && upn) {
		u->upn = xstrdup(upn);
		index_put(a, &a->by_upn, slot - 1);
	}
	if (!u->name && name)
		u->name = xstrdup(name);
	return u;
}

static void
audit_release(struct audit *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->users[i].id);
		free(a->users[i].upn);
		free(a->users[i].name);
		free(a->users[i].number);
		free(a->users[i].currency);
	}
	free(a->users);
	free(a->by_id.slots);
	free(a->by_upn.slots);
	idset_release(&a->seen);
}

/* ---- input ---- */

struct window {
	time_t from, to;
	long weeks;
	long slice_s;
	bool sources[TENANT_CALLS_SOURCES];
	double threshold;
};

static int
validate(struct window *w, struct core_ctx *ctx, const cJSON *params)
{
	const cJSON *prices = arg_get(params, "prices"), *s;
	static const char *const price_names[] = {
		"teams_phone", "calling_plan", "resource_account", "payg_per_minute",
	};
	const char *end = arg_str(params, "end"), *cur = arg_str(params, "currency");
	long long weeks = arg_int(params, "weeks"), days = arg_int(params, "slice_days");
	long long ras = arg_int(params, "resource_accounts");
	double t, v;
	size_t i;

	memset(w, 0, sizeof(*w));
	if (weeks < 1 || weeks > WEEKS_MAX)
		return core_error(ctx, CORE_EARGS, "weeks must be between 1 and %d, got %lld",
		    WEEKS_MAX, weeks);
	if (days < 1 || days > TENANT_CALLS_MAX_SPAN / DAY_S)
		return core_error(ctx, CORE_EARGS, "slice_days must be between 1 and %ld (the "
		    "longest span the call record reports accept), got %lld",
		    TENANT_CALLS_MAX_SPAN / DAY_S, days);
	w->threshold = arg_float(params, "threshold");
	if (!(w->threshold > 0) || !isfinite(w->threshold))
		return core_error(ctx, CORE_EARGS, "threshold must be a number of outbound calls "
		    "a week greater than 0, got %g", w->threshold);
	cJSON_ArrayForEach(s, arg_get(params, "sources")) {
		if (!cJSON_IsString(s))
			continue;
		if (strcmp(s->valuestring, "pstn") == 0)
			w->sources[TENANT_CALLS_PSTN] = true;
		else if (strcmp(s->valuestring, "direct_routing") == 0)
			w->sources[TENANT_CALLS_DIRECT_ROUTING] = true;
	}
	if (!w->sources[TENANT_CALLS_PSTN] && !w->sources[TENANT_CALLS_DIRECT_ROUTING])
		return core_error(ctx, CORE_EARGS, "sources must name at least one of: pstn, "
		    "direct_routing");
	for (i = 0; i < ARRAY_SIZE(price_names); i++) {
		v = arg_float(prices, price_names[i]);
		if (v < 0 || !isfinite(v))
			return core_error(ctx, CORE_EARGS, "prices.%s must be a price of 0 or more, "
			    "got %g", price_names[i], v);
	}
	if (!cur || strlen(cur) != 3 || !((cur[0] | 0x20) >= 'a' && (cur[0] | 0x20) <= 'z' &&
	    (cur[1] | 0x20) >= 'a' && (cur[1] | 0x20) <= 'z' &&
	    (cur[2] | 0x20) >= 'a' && (cur[2] | 0x20) <= 'z'))
		return core_error(ctx, CORE_EARGS, "currency '%s' is not an ISO 4217 code; give "
		    "three letters such as USD or EUR", cur ? cur : "");
	if (ras < 0)
		return core_error(ctx, CORE_EARGS, "resource_accounts must be 0 or more, got %lld",
		    ras);
	if (end) {
		if (!tenant_parse_time(&t, end))
			return core_error(ctx, CORE_EARGS, "end '%s' is not a date; give a UTC date "
			    "such as 2025-01-06 or a date-time such as 2025-01-06T00:00:00Z", end);
		w->to = (time_t)ceil(t);
	} else {
		/* Today 00:00 UTC: the last whole day. */
		w->to = time(NULL) / DAY_S * DAY_S;
	}
	w->weeks = (long)weeks;
	w->from = w->to - w->weeks * WEEK_S;
	w->slice_s = (long)days * DAY_S;
	if (w->to > time(NULL))
		core_warn(ctx, "end '%s' is in the future: the window's last days have no call "
		    "records yet, so the weekly figures are low", end ? end : "");
	return CORE_OK;
}

/* ---- repeated records ---- */

/*
 * Adds key to the set; false when it was there already (a record a page, or
 * a later page, repeats: it is counted once).
 */
static bool
idset_add(struct idset *set, const char *key)
{
	char **old = set->slots;
	size_t oldcap = set->cap, i, j;

	if ((set->used + 1) * 10 > set->cap * 7) {
		set->cap = oldcap ? oldcap * 2 : 1024;
		set->slots = xcalloc(set->cap, sizeof(*set->slots));
		for (j = 0; j < oldcap; j++) {
			if (!old[j])
				continue;
			for (i = (size_t)hash_nocase(old[j]) & (set->cap - 1); set->slots[i];
			    i = (i + 1) & (set->cap - 1))
				;
			set->slots[i] = old[j];
		}
		free(old);
	}
	for (i = (size_t)hash_nocase(key) & (set->cap - 1); set->slots[i];
	    i = (i + 1) & (set->cap - 1))
		if (strcasecmp(set->slots[i], key) == 0)
			return false;
	set->slots[i] = xstrdup(key);
	set->used++;
	return true;
}

static void
idset_release(struct idset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* ---- reading ---- */

static int
on_row(void *arg, enum tenant_call_source src, const cJSON *row)
{
	struct audit *a = arg;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(row, "callType");
	const cJSON *dur = cJSON_GetObjectItemCaseSensitive(row, "duration");
	const cJSON *charge = cJSON_GetObjectItemCaseSensitive(row, "charge");
	const cJSON *conn = cJSON_GetObjectItemCaseSensitive(row, "connectionCharge");
	const char *cur = str_of(row, "currency");
	enum tenant_call_kind kind;
	struct user *u;
	double seconds = cJSON_IsNumber(dur) && dur->valuedouble > 0 ? dur->valuedouble : 0;
	const char *id = str_of(row, "id");

	if (id) {
		char *key = xasprintf("%d:%s", (int)src, id);
		bool fresh = idset_add(&a->seen, key);

		free(key);
		if (!fresh) {
			a->repeated++;
			return CORE_OK;
		}
	}
	a->rows++;
	kind = tenant_call_kind(cJSON_IsString(type) ? type->valuestring : NULL);
	if (kind == TENANT_CALL_BOT) {
		a->bot++;
		return CORE_OK;
	}
	if (kind == TENANT_CALL_OTHER) {
		a->other++;
		return CORE_OK;
	}
	u = user_get(a, str_of(row, "userId"), str_of(row, "userPrincipalName"),
	    str_of(row, "userDisplayName"));
	if (!u) {
		a->unattributed++;
		return CORE_OK;
	}
	u->source[src] = true;
	/* A Direct Routing call that never connected is an attempt, not a call. */
	if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(row, "successfulCall"))) {
		u->unsuccessful++;
		a->unsuccessful++;
		return CORE_OK;
	}
	switch (kind) {
	case TENANT_CALL_OUTBOUND:
		u->out++;
		u->out_s += seconds;
		a->outbound++;
		break;
	case TENANT_CALL_INBOUND:
		u->in++;
		u->in_s += seconds;
		a->inbound++;
		break;
	case TENANT_CALL_EMERGENCY:
		u->emergency++;
		a->emergency++;
		break;
	default:
		BUG("call kind %d", (int)kind);
	}
	if (cJSON_IsNumber(charge) || cJSON_IsNumber(conn)) {
		u->charge += (cJSON_IsNumber(charge) ? charge->valuedouble : 0) +
		    (cJSON_IsNumber(conn) ? conn->valuedouble : 0);
		u->has_charge = true;
		if (cur && !u->currency)
			u->currency = xstrdup(cur);
		else if (cur && strcasecmp(cur, u->currency) != 0)
			a->mixed_currency = true;
	}
	return CORE_OK;
}

static int
read_licensed(struct audit *a, struct core_ctx *ctx)
{
	cJSON *users = NULL;
	const cJSON *u;
	struct user *au;
	int rc;

	rc = tenant_teams_phone_users(&users, NULL, ctx);
	if (rc)
		return rc;
	cJSON_ArrayForEach(u, users) {
		au = user_get(a, str_of(u, "id"), str_of(u, "userPrincipalName"),
		    str_of(u, "displayName"));
		if (au)
			au->teams_phone = true;
	}
	cJSON_Delete(users);
	return CORE_OK;
}

static int
read_numbers(struct audit *a, struct core_ctx *ctx)
{
	cJSON *numbers = NULL;
	const cJSON *n;
	const char *target, *tel;
	size_t slot;
	int rc;

	rc = tenant_numbers(&numbers, ctx, "assignmentStatus eq 'userAssigned'");
	if (rc)
		return rc;
	cJSON_ArrayForEach(n, numbers) {
		target = str_of(n, "assignmentTargetId");
		tel = str_of(n, "telephoneNumber");
		if (!target || !tel || !(slot = index_find(a, &a->by_id, target)))
			continue;
		if (!a->users[slot - 1].number)
			a->users[slot - 1].number = xstrdup(tel);
	}
	cJSON_Delete(numbers);
	return CORE_OK;
}

/* ---- classification and results ---- */

static int
user_cmp(const void *pa, const void *pb)
{
	const struct user *a = pa, *b = pb;
	int c = strcasecmp(a->upn ? a->upn : "", b->upn ? b->upn : "");

	return c ? c : strcasecmp(a->id ? a->id : "", b->id ? b->id : "");
}

static const char *
user_label(const struct user *u)
{
	return u->upn ? u->upn : u->id;
}

static void
classify(struct audit *a, const struct window *w)
{
	struct user *u;
	size_t i;

	for (i = 0; i < a->n; i++) {
		u = &a->users[i];
		u->out_week = (double)u->out / (double)w->weeks;
		u->in_week = (double)u->in / (double)w->weeks;
		if (u->out + u->in + u->emergency == 0)
			u->cls = CLASS_NO_CALLS;
		else if ((double)u->out < w->threshold * (double)w->weeks)
			u->cls = CLASS_CANDIDATE;
		else
			u->cls = CLASS_PERSONAL;
	}
}

static cJSON *
user_json(const struct user *u, bool licensed, bool numbers)
{
	static const char *const source_names[] = { "pstn", "direct_routing" };
	cJSON *o = cj_object(), *src = cj_array();
	int s;

	cj_set_str(o, "id", u->id);
	cj_set_str(o, "userPrincipalName", u->upn);
	cj_set_str(o, "displayName", u->name);
	cj_set_str(o, "class", class_names[u->cls]);
	if (licensed)
		cJSON_AddBoolToObject(o, "teams_phone", u->teams_phone);
	else
		cJSON_AddNullToObject(o, "teams_phone");
	cj_set_str(o, "personal_number", numbers ? u->number : NULL);
	put_number(o, "outbound_calls", (double)u->out);
	put_number(o, "inbound_calls", (double)u->in);
	put_number(o, "emergency_calls", (double)u->emergency);
	put_number(o, "unsuccessful_calls", (double)u->unsuccessful);
	put_number(o, "outbound_per_week", round2(u->out_week));
	put_number(o, "inbound_per_week", round2(u->in_week));
	put_number(o, "outbound_minutes", round2(u->out_s / 60.0));
	put_number(o, "inbound_minutes", round2(u->in_s / 60.0));
	if (u->has_charge)
		put_number(o, "charge", round2(u->charge));
	else
		cJSON_AddNullToObject(o, "charge");
	cj_set_str(o, "currency", u->has_charge ? u->currency : NULL);
	for (s = 0; s < TENANT_CALLS_SOURCES; s++)
		if (u->source[s])
			cJSON_AddItemToArray(src, cJSON_CreateString(source_names[s]));
	cJSON_AddItemToObject(o, "sources", src);
	return o;
}

static cJSON *
distribution_json(const struct audit *a)
{
	cJSON *list = cj_array(), *b;
	size_t i, k;
	long count;
	double hi;

	for (k = 0; k < ARRAY_SIZE(buckets); k++) {
		hi = k + 1 < ARRAY_SIZE(buckets) ? buckets[k + 1].lower : INFINITY;
		count = 0;
		for (i = 0; i < a->n; i++)
			if (a->users[i].out_week >= buckets[k].lower && a->users[i].out_week < hi)
				count++;
		b = cj_object();
		cj_set_str(b, "bucket", buckets[k].label);
		put_number(b, "min", buckets[k].lower);
		if (isfinite(hi))
			put_number(b, "max", hi);
		else
			cJSON_AddNullToObject(b, "max");
		put_number(b, "users", (double)count);
		cJSON_AddItemToArray(list, b);
	}
	return list;
}

/* The ISO 4217 code c (validated), upper-cased. */
static void
put_currency(cJSON *o, const char *c)
{
	char cur[4] = { 0 };
	size_t i;

	for (i = 0; i < 3 && c && c[i]; i++)
		cur[i] = (char)(c[i] & ~0x20);
	cj_set_str(o, "currency", cur);
}

/* "1,500" */
static char *
thousands(long v)
{
	char digits[32], out[48];
	size_t n, i, j = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%ld", v);
	for (i = 0; i < n; i++) {
		if (i > 0 && digits[i - 1] != '-' && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return xstrdup(out);
}

static cJSON *
costs_json(const struct audit *a, const struct window *w, const cJSON *params)
{
	const cJSON *prices = arg_get(params, "prices");
	double tp = arg_float(prices, "teams_phone"), cp = arg_float(prices, "calling_plan");
	double ra = arg_float(prices, "resource_account");
	double payg = arg_float(prices, "payg_per_minute");
	long ras = (long)arg_int(params, "resource_accounts");
	long all = (long)a->n, personal = 0, shared = 0;
	double shared_s = 0, minutes, c_all, c_pers, c_shared, c_ra, c_payg, c_hybrid, saving;
	cJSON *o = cj_object(), *p, *h, *s, *table, *row;
	char *n_all, *n_pers, *n_shared, *text;
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->users[i].cls == CLASS_PERSONAL) {
			personal++;
		} else {
			shared++;
			shared_s += a->users[i].out_s;
		}
	}
	if (shared == 0)
		ras = 0;
	minutes = shared_s / 60.0 / (double)w->weeks * WEEKS_PER_MONTH;
	c_all = (double)all * (tp + cp);
	c_pers = (double)personal * (tp + cp);
	c_shared = (double)shared * tp;
	c_ra = (double)ras * ra;
	c_payg = minutes * payg;
	c_hybrid = c_pers + c_shared + c_ra + c_payg;
	saving = c_all - c_hybrid;

	put_currency(o, arg_str(params, "currency"));
	p = cj_object();
	put_number(p, "teams_phone", tp);
	put_number(p, "calling_plan", cp);
	put_number(p, "resource_account", ra);
	put_number(p, "payg_per_minute", payg);
	cJSON_AddItemToObject(o, "prices", p);
	put_number(o, "weeks_per_month", round(WEEKS_PER_MONTH * 10000.0) / 10000.0);

	p = cj_object();
	put_number(p, "users", (double)all);
	put_number(p, "monthly", round2(c_all));
	cJSON_AddItemToObject(o, "personal_for_all", p);

	h = cj_object();
	put_number(h, "personal_users", (double)personal);
	put_number(h, "shared_users", (double)shared);
	put_number(h, "resource_accounts", (double)ras);
	put_number(h, "payg_minutes", round2(minutes));
	s = cj_object();
	put_number(s, "personal", round2(c_pers));
	put_number(s, "shared", round2(c_shared));
	put_number(s, "resource_accounts", round2(c_ra));
	put_number(s, "payg", round2(c_payg));
	cJSON_AddItemToObject(h, "breakdown", s);
	put_number(h, "monthly", round2(c_hybrid));
	cJSON_AddItemToObject(o, "hybrid", h);

	s = cj_object();
	put_number(s, "monthly", round2(saving));
	put_number(s, "percent", c_all > 0 ? round(saving / c_all * 1000.0) / 10.0 : 0);
	cJSON_AddItemToObject(o, "saving", s);

	/* The seed article's table. */
	n_all = thousands(all);
	n_pers = thousands(personal);
	n_shared = thousands(shared);
	table = cj_array();
	row = cj_object();
	text = xasprintf("Personal numbers for all (%s users)", n_all);
	cj_set_str(row, "model", text);
	free(text);
	put_number(row, "monthly", round2(c_all));
	cJSON_AddItemToArray(table, row);
	row = cj_object();
	text = xasprintf("Hybrid (%s personal + %s Shared Calling + PAYG)", n_pers, n_shared);
	cj_set_str(row, "model", text);
	free(text);
	put_number(row, "monthly", round2(c_hybrid));
	cJSON_AddItemToArray(table, row);
	row = cj_object();
	cj_set_str(row, "model", "Savings");
	put_number(row, "monthly", round2(saving));
	put_number(row, "percent", c_all > 0 ? round(saving / c_all * 1000.0) / 10.0 : 0);
	cJSON_AddItemToArray(table, row);
	cJSON_AddItemToObject(o, "table", table);
	free(n_all);
	free(n_pers);
	free(n_shared);
	return o;
}

/*
 * Warns about the users proposed for Shared Calling (candidates and users
 * without calls) for whom want is true, naming a few of them.
 */
static void
warn_users(struct core_ctx *ctx, const struct audit *a, bool (*want)(const struct user *),
    const char *what, const char *fix)
{
	char *names = xstrdup(""), *t;
	size_t i, n = 0;

	for (i = 0; i < a->n; i++) {
		if (a->users[i].cls == CLASS_PERSONAL || !want(&a->users[i]))
			continue;
		if (n < NAMES_SHOWN) {
			t = xasprintf("%s%s'%s'", names, n ? ", " : "", user_label(&a->users[i]));
			free(names);
			names = t;
		}
		n++;
	}
	if (n > NAMES_SHOWN) {
		t = xasprintf("%s and %zu more", names, n - NAMES_SHOWN);
		free(names);
		names = t;
	}
	if (n)
		core_warn(ctx, "%zu %s proposed for Shared Calling %s %s: %s; %s", n,
		    n == 1 ? "user" : "users", n == 1 ? "holds" : "hold", what, names, fix);
	free(names);
}

static bool
lacks_teams_phone(const struct user *u)
{
	return !u->teams_phone;
}

static bool
holds_number(const struct user *u)
{
	return u->number != NULL;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	struct audit a;
	struct window w;
	struct tenant_call_stats st;
	bool licensed = arg_bool(params, "licensed_users");
	bool numbers = arg_bool(params, "personal_numbers");
	cJSON *users, *lists[3], *o, *src;
	long counts[3] = { 0, 0, 0 }, no_tp = 0, with_number = 0;
	char from[32], to[32];
	size_t i;
	int rc, c;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = validate(&w, ctx, params);
	if (rc)
		return rc;
	if (licensed) {
		rc = read_licensed(&a, ctx);
		if (rc)
			goto out;
	}
	rc = tenant_call_records(ctx, w.sources, w.from, w.to, w.slice_s,
	    svc_max_concurrency(ctx), on_row, &a, &st);
	if (rc)
		goto out;
	if (numbers) {
		rc = read_numbers(&a, ctx);
		if (rc)
			goto out;
	}
	classify(&a, &w);
	xqsort(a.users, a.n, sizeof(*a.users), user_cmp);
	/* The indexes are stale from here on. */

	users = cj_array();
	for (c = 0; c < 3; c++)
		lists[c] = cj_array();
	for (i = 0; i < a.n; i++) {
		cJSON_AddItemToArray(users, user_json(&a.users[i], licensed, numbers));
		cJSON_AddItemToArray(lists[a.users[i].cls],
		    cJSON_CreateString(user_label(&a.users[i])));
		counts[a.users[i].cls]++;
		if (licensed && !a.users[i].teams_phone)
			no_tp++;
		if (a.users[i].cls != CLASS_PERSONAL && a.users[i].number)
			with_number++;
	}

	o = cj_object();
	tenant_format_time(from, sizeof(from), w.from);
	tenant_format_time(to, sizeof(to), w.to);
	cj_set_str(o, "start", from);
	cj_set_str(o, "end", to);
	put_number(o, "weeks", (double)w.weeks);
	src = cj_array();
	if (w.sources[TENANT_CALLS_PSTN])
		cJSON_AddItemToArray(src, cJSON_CreateString("pstn"));
	if (w.sources[TENANT_CALLS_DIRECT_ROUTING])
		cJSON_AddItemToArray(src, cJSON_CreateString("direct_routing"));
	cJSON_AddItemToObject(o, "sources", src);
	result_put(res, "window", o);
	result_put(res, "threshold", cJSON_CreateNumber(w.threshold));
	result_put(res, "users", users);
	result_put(res, "candidates", lists[CLASS_CANDIDATE]);
	result_put(res, "personal", lists[CLASS_PERSONAL]);
	result_put(res, "no_calls", lists[CLASS_NO_CALLS]);

	o = cj_object();
	put_number(o, "users", (double)a.n);
	put_number(o, "candidates", (double)counts[CLASS_CANDIDATE]);
	put_number(o, "personal", (double)counts[CLASS_PERSONAL]);
	put_number(o, "no_calls", (double)counts[CLASS_NO_CALLS]);
	if (licensed)
		put_number(o, "without_teams_phone", (double)no_tp);
	else
		cJSON_AddNullToObject(o, "without_teams_phone");
	if (numbers)
		put_number(o, "shared_with_personal_number", (double)with_number);
	else
		cJSON_AddNullToObject(o, "shared_with_personal_number");
	result_put(res, "counts", o);

	o = cj_object();
	put_number(o, "rows", (double)a.rows);
	put_number(o, "outbound", (double)a.outbound);
	put_number(o, "inbound", (double)a.inbound);
	put_number(o, "emergency", (double)a.emergency);
	put_number(o, "bot", (double)a.bot);
	put_number(o, "unsuccessful", (double)a.unsuccessful);
	put_number(o, "unattributed", (double)a.unattributed);
	put_number(o, "other", (double)a.other);
	put_number(o, "repeated", (double)a.repeated);
	result_put(res, "calls", o);
	if (a.repeated)
		core_warn(ctx, "the call record reports repeated %lu record%s (same id); "
		    "each was counted once", a.repeated, a.repeated == 1 ? "" : "s");

	result_put(res, "distribution", distribution_json(&a));
	result_put(res, "costs", costs_json(&a, &w, params));

	o = cj_object();
	put_number(o, "pstn", (double)st.requests[TENANT_CALLS_PSTN]);
	put_number(o, "direct_routing", (double)st.requests[TENANT_CALLS_DIRECT_ROUTING]);
	put_number(o, "total", (double)svc_request_count(ctx));
	result_put(res, "requests", o);

	if (licensed)
		warn_users(ctx, &a, lacks_teams_phone, "no Teams Phone licence",
		    "Shared Calling users need Teams Phone: assign it before the rollout "
		    "(playbooks/candidates.yml leaves them out of candidates.yml)");
	if (numbers)
		warn_users(ctx, &a, holds_number, "a personal number",
		    "a personal number takes precedence over Shared Calling: remove it "
		    "(teams_user_voice personal_number: remove) for Shared Calling to apply");
	if (a.mixed_currency)
		core_warn(ctx, "the call records of some users are charged in more than one "
		    "currency; their charge adds the amounts as they are");
	res->changed = false;
out:
	audit_release(&a);
	return rc;
}

const struct module MODULE = {
	.name = "teams_pstn_usage_info",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.run = run,
};
