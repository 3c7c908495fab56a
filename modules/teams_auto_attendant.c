/*
 * teams_auto_attendant - the auto attendant that answers a Shared Calling
 * number (seed article step 5) and routes callers to people by name, by
 * extension or by menu key; its business hours, after-hours call flow and
 * holidays; its operator; and the resource accounts it answers for.
 *
 * The auto attendant is found by name, which must be unique. An update is a
 * read-modify-write of the whole object: the task's options are mapped to
 * the service's shape (docs/design/services.md#auto-attendants), compared with reconcile_plan(), and the
 * object read back is sent again with them laid over it, so that everything
 * the task does not name survives. Items of lists the module manages (menu
 * keys, the after-hours and holiday call flows, schedules and call handling
 * associations) are laid over the item they replace, so that fields the
 * service adds to them survive as well. Ids of new call flows and schedules
 * are derived from the auto attendant's name, so check mode predicts them.
 *
 * Resource accounts are linked through the association routes (5b), not
 * through the object: one association per resource account, which answers
 * for one auto attendant or call queue only (N9).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "cj.h"
#include "module.h"
#include "reconcile.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

#define ACTIONS "user|resource_account|operator|voicemail|disconnect"
#define DAYS "monday|tuesday|wednesday|thursday|friday|saturday|sunday"

static const struct arg_spec menu_options[] = {
	{ "key", ARG_STR, .required = true, ARG_NAME(16) },
	{ "action", ARG_STR, .required = true, .choices = ACTIONS },
	{ "target", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

static const struct arg_spec flow_options[] = {
	{ "greeting", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "action", ARG_STR, .choices = ACTIONS },
	{ "target", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

static const struct arg_spec hours_options[] = {
	{ "days", ARG_LIST, .required = true, .elements = ARG_STR, .choices = DAYS },
	{ "start", ARG_STR, .required = true, ARG_NAME(32) },
	{ "end", ARG_STR, .required = true, ARG_NAME(32) },
	ARG_END
};

static const struct arg_spec holiday_options[] = {
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "start", ARG_STR, .required = true, ARG_NAME(32) },
	{ "end", ARG_STR, .required = true, ARG_NAME(32) },
	{ "greeting", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "action", ARG_STR, .choices = ACTIONS },
	{ "target", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "language", ARG_STR, ARG_NAME(35) },
	{ "voice", ARG_STR, .choices = "female|male" },
	{ "time_zone", ARG_STR, ARG_LINE(64) },
	{ "voice_inputs", ARG_BOOL },
	{ "greeting", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "dial_by_name", ARG_BOOL },
	{ "dial_by_extension", ARG_BOOL },
	{ "dial_scope_groups", ARG_LIST, .elements = ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "menu", ARG_LIST, .elements = ARG_DICT, .options = menu_options },
	{ "menu_prompt", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "operator", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "business_hours", ARG_LIST, .elements = ARG_DICT, .options = hours_options },
	{ "after_hours", ARG_DICT, .options = flow_options },
	{ "holidays", ARG_LIST, .elements = ARG_DICT, .options = holiday_options },
	{ "resource_accounts", ARG_LIST, .elements = ARG_STR, ARG_NAME(ARG_LEN_UPN) },
	{ "call_priority", ARG_INT, ARG_RANGE(1, 5) },
	{ "purge_resource_accounts", ARG_BOOL, .def = "true" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

/* Defaults of a new auto attendant (the admin center's). */
#define DEFAULT_LANGUAGE "en-US"
#define DEFAULT_VOICE "Female"
#define DEFAULT_TIME_ZONE "UTC"
#define DEFAULT_PRIORITY 3

static const char *const day_names[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* Arrays compared as sets; ids compared case-insensitively. */
static const char *const unordered_purge[] = {
	"menuOptions", "callFlows", "schedules", "callHandlingAssociations", "groupIds",
	"applicationInstances", NULL
};
static const char *const unordered_keep[] = {
	"menuOptions", "callFlows", "schedules", "callHandlingAssociations", "groupIds",
	NULL
};
static const char *const additive_keep[] = { "applicationInstances", NULL };
static const char *const casefolded[] = {
	"id", "scheduleId", "callFlowId", "groupIds", "applicationInstances", NULL
};

/* Everything one run knows; released by req_release(). */
struct req {
	const cJSON *params;
	const char *name;
	bool purge;
	cJSON *all;          /* every auto attendant */
	const cJSON *have;   /* the one named, in all; NULL when there is none */
	const char *have_id;
	cJSON *accounts;     /* resolved accounts and groups, keyed by what the task wrote */
	cJSON *want;         /* the task in the service's shape, applicationInstances included */
	char *operator_where;      /* first place that transfers to the operator, or NULL */
	cJSON *ra_ids;       /* object ids of resource_accounts, in order, once each */
	cJSON *assoc;        /* associations read, keyed by resource account id */
};

static void
req_release(struct req *r)
{
	cJSON_Delete(r->all);
	cJSON_Delete(r->accounts);
	cJSON_Delete(r->want);
	cJSON_Delete(r->ra_ids);
	cJSON_Delete(r->assoc);
	free(r->operator_where);
}

/* ---- small JSON helpers ---- */

static void overlay_into(cJSON *dst, const cJSON *patch);

/*
 * A copy of base (NULL: {}) with patch laid over it: objects merge key by
 * key (keys found case-insensitively, base's spelling kept); anything else
 * in patch (arrays, scalars, null) replaces what base has.
 */
static cJSON *
overlay(const cJSON *base, const cJSON *patch)
{
	cJSON *out = base ? cj_dup(base) : cj_object();

	overlay_into(out, patch);
	return out;
}

static void
overlay_into(cJSON *dst, const cJSON *patch)
{
	const cJSON *p;
	cJSON *d;

	cJSON_ArrayForEach(p, patch) {
		d = cJSON_GetObjectItem(dst, p->string);
		if (cJSON_IsObject(d) && cJSON_IsObject(p))
			overlay_into(d, p);
		else
			cj_set(dst, p->string, cj_dup(p));
	}
}

/* ---- parsing what people type ---- */

/* Reads exactly n digits at s into *v. */
static bool
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/*
 * A time of day, "9:00", "09:00" or "09:00:00", as seconds after midnight.
 * @return the length read, or 0 when s does not start with a time
 */
static size_t
read_time(const char *s, int *secs)
{
	int h, m, sec = 0;
	size_t n = isdigit((unsigned char)s[0]) && s[1] == ':' ? 1 : 2;

	if (!digits(s, (int)n, &h) || s[n] != ':' || !digits(s + n + 1, 2, &m))
		return 0;
	n += 3;
	if (s[n] == ':') {
		if (!digits(s + n + 1, 2, &sec))
			return 0;
		n += 3;
	}
	if (h > 23 || m > 59 || sec > 59)
		return 0;
	*secs = h * 3600 + m * 60 + sec;
	return n;
}

/* A whole string holding one time of day, written "HH:MM:SS" to out. */
static bool
parse_time(char out[9], const char *s, int *secs)
{
	size_t n = read_time(s, secs);

	if (!n || s[n])
		return false;
	snprintf(out, 9, "%02u:%02u:%02u", (unsigned)*secs / 3600 % 24,
	    (unsigned)*secs / 60 % 60, (unsigned)*secs % 60);
	return true;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * A date, optionally with a time ("2025-12-25", "2025-12-25T08:00",
 * "2025-12-25 08:00:00"), written "YYYY-MM-DDTHH:MM:SS" to out.
 */
static bool
parse_datetime(char out[20], const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, secs = 0;
	size_t n;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return false;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return false;
	if (s[10]) {
		if (s[10] != 'T' && s[10] != ' ')
			return false;
		n = read_time(s + 11, &secs);
		if (!n || s[11 + n])
			return false;
	}
	snprintf(out, 20, "%04u-%02u-%02uT%02u:%02u:%02u", (unsigned)y % 10000,
	    (unsigned)mo % 100, (unsigned)d % 100, (unsigned)secs / 3600 % 24,
	    (unsigned)secs / 60 % 60, (unsigned)secs % 60);
	return true;
}

/* The dtmfResponse of a menu key, or NULL when key is not a phone key. */
static const char *
dtmf_of(const char *key)
{
	static const char *const tones[] = {
		"Tone0", "Tone1", "Tone2", "Tone3", "Tone4",
		"Tone5", "Tone6", "Tone7", "Tone8", "Tone9",
	};

	if (!key[0] || key[1])
		return NULL;
	if (isdigit((unsigned char)key[0]))
		return tones[key[0] - '0'];
	if (key[0] == '*')
		return "ToneStar";
	if (key[0] == '#')
		return "TonePound";
	return NULL;
}

/* "a-b" language tags: en-US, fr-CA, zh-CN. */
static bool
looks_like_language(const char *s)
{
	size_t i = 0, part = 0, parts = 0;

	for (;; i++) {
		if (isalnum((unsigned char)s[i]) && (parts > 0 || isalpha((unsigned char)s[i]))) {
			part++;
			continue;
		}
		if ((s[i] != '-' && s[i]) || part < 2 || part > 8 || (parts == 0 && part > 3))
			return false;
		parts++;
		part = 0;
		if (!s[i])
			break;
	}
	return parts >= 2;
}

/*
 * An id for a call flow or schedule this module adds: a GUID derived from
 * the auto attendant's name and what the object is for, so that check mode
 * and the real run name it alike and a second run finds the same.
 */
static void
derive_id(char out[37], const char *aa_name, const char *what, const char *item)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	char *text;
	size_t len, i, o = 0;

	if (buf_addf(&b, "dialtone.teams_phone\n%s\n%s\n%s", aa_name, what, item ? item : ""))
		BUG("out of memory");
	text = buf_detach(&b, &len);
	for (i = 0; i < len; i++)
		text[i] = (char)tolower((unsigned char)text[i]);
	if (EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 16)
		BUG("SHA-256 failed");
	free(text);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);   /* RFC 9562 version 8 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", md[i]);
		o += 2;
	}
	out[o] = '\0';
}

/* ---- validation before any request ---- */

static int
check_flow_target(struct core_ctx *ctx, const char *where, const char *action,
    const char *target)
{
	bool needs;

	if (!action) {
		if (target)
			return core_error(ctx, CORE_EARGS, "%s: target needs an action", where);
		return CORE_OK;
	}
	needs = strcmp(action, "user") == 0 || strcmp(action, "resource_account") == 0 ||
	    strcmp(action, "voicemail") == 0;
	if (needs && (!target || !*target))
		return core_error(ctx, CORE_EARGS, "%s: action %s needs a target (%s)", where,
		    action, strcmp(action, "voicemail") == 0 ?
		    "the object id of the Microsoft 365 group whose voicemail takes the call" :
		    "a UPN or object id");
	if (!needs && target)
		return core_error(ctx, CORE_EARGS, "%s: action %s takes no target", where,
		    action);
	if (strcmp(action, "voicemail") == 0 && !text_is_guid(target))
		return core_error(ctx, CORE_EARGS, "%s: voicemail target '%s' is not a group "
		    "object id; give the id of a Microsoft 365 group", where, target);
	return CORE_OK;
}

static int
validate_hours(struct core_ctx *ctx, const cJSON *hours)
{
	const cJSON *a, *b, *d;
	char t[9];
	int as, ae, bs, be;

	cJSON_ArrayForEach(a, hours) {
		if (cJSON_GetArraySize(cJSON_GetObjectItem(a, "days")) == 0)
			return core_error(ctx, CORE_EARGS, "business_hours: days must name at "
			    "least one day");
		if (!parse_time(t, cj_str(a, "start"), &as))
			return core_error(ctx, CORE_EARGS, "business_hours: start '%s' is not a "
			    "time; give HH:MM such as 09:00", cj_str(a, "start"));
		if (!parse_time(t, cj_str(a, "end"), &ae))
			return core_error(ctx, CORE_EARGS, "business_hours: end '%s' is not a "
			    "time; give HH:MM such as 17:00", cj_str(a, "end"));
		if (ae <= as)
			return core_error(ctx, CORE_EARGS, "business_hours: end '%s' is not "
			    "after start '%s'", cj_str(a, "end"), cj_str(a, "start"));
	}
	/* Ranges of one day must not overlap. */
	cJSON_ArrayForEach(a, hours) {
		parse_time(t, cj_str(a, "start"), &as);
		parse_time(t, cj_str(a, "end"), &ae);
		for (b = a->next; b; b = b->next) {
			parse_time(t, cj_str(b, "start"), &bs);
			parse_time(t, cj_str(b, "end"), &be);
			if (as >= be || bs >= ae)
				continue;
			cJSON_ArrayForEach(d, cJSON_GetObjectItem(a, "days"))
				if (cj_has_str(cJSON_GetObjectItem(b, "days"), d->valuestring))
					return core_error(ctx, CORE_EARGS, "business_hours: "
					    "%s-%s and %s-%s overlap on %s", cj_str(a, "start"),
					    cj_str(a, "end"), cj_str(b, "start"), cj_str(b, "end"),
					    d->valuestring);
		}
	}
	return CORE_OK;
}

static int
validate_holidays(struct core_ctx *ctx, const cJSON *holidays)
{
	const cJSON *h, *o;
	char start[20], end[20], *where;
	const char *name;
	int rc;

	cJSON_ArrayForEach(h, holidays) {
		name = cj_str(h, "name");
		if (!*name)
			return core_error(ctx, CORE_EARGS, "holidays: name must not be empty");
		for (o = h->next; o; o = o->next)
			if (strcasecmp(cj_str(o, "name"), name) == 0)
				return core_error(ctx, CORE_EARGS, "holidays: '%s' is given twice; "
				    "give each holiday once, with all its dates", name);
		if (!parse_datetime(start, cj_str(h, "start")))
			return core_error(ctx, CORE_EARGS, "holiday '%s': start '%s' is not a "
			    "date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM", name, cj_str(h, "start"));
		if (!parse_datetime(end, cj_str(h, "end")))
			return core_error(ctx, CORE_EARGS, "holiday '%s': end '%s' is not a "
			    "date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM", name, cj_str(h, "end"));
		if (strcmp(end, start) <= 0)
			return core_error(ctx, CORE_EARGS, "holiday '%s': end '%s' is not after "
			    "start '%s'; the end is exclusive: a one-day holiday on 2025-12-25 "
			    "ends 2025-12-26", name, cj_str(h, "end"), cj_str(h, "start"));
		where = xasprintf("holiday '%s'", name);
		rc = check_flow_target(ctx, where, cj_str(h, "action"), cj_str(h, "target"));
		free(where);
		if (rc)
			return rc;
	}
	return CORE_OK;
}

static int
validate_menu(struct core_ctx *ctx, const cJSON *menu)
{
	const cJSON *m, *o;
	const char *key;
	char *where;
	int rc;

	cJSON_ArrayForEach(m, menu) {
		key = cj_str(m, "key");
		if (!dtmf_of(key))
			return core_error(ctx, CORE_EARGS, "menu key '%s' is not a phone key; "
			    "use 0-9, * or #", key);
		for (o = m->next; o; o = o->next)
			if (strcmp(cj_str(o, "key"), key) == 0)
				return core_error(ctx, CORE_EARGS, "menu key '%s' is given twice; "
				    "each key has one action", key);
		where = xasprintf("menu key '%s'", key);
		rc = check_flow_target(ctx, where, cj_str(m, "action"), cj_str(m, "target"));
		free(where);
		if (rc)
			return rc;
	}
	return CORE_OK;
}

static int
validate(struct req *r, struct core_ctx *ctx, const cJSON *params)
{
	const cJSON *x, *ah = arg_get(params, "after_hours");
	const char *s;
	long long prio;
	int rc;

	r->params = params;
	r->name = arg_str(params, "name");
	r->purge = arg_bool(params, "purge_resource_accounts", true);
	if (!*r->name)
		return core_error(ctx, CORE_EARGS, "name must not be empty");
	s = arg_str(params, "language");
	if (s && !looks_like_language(s))
		return core_error(ctx, CORE_EARGS, "language '%s' is not a language tag; give "
		    "one such as en-US or fr-FR", s);
	s = arg_str(params, "time_zone");
	if (s && !*s)
		return core_error(ctx, CORE_EARGS, "time_zone must not be empty; give a "
		    "Windows time zone id such as UTC or Pacific Standard Time");
	if (arg_bool(params, "dial_by_name", false) &&
	    arg_bool(params, "dial_by_extension", false))
		return core_error(ctx, CORE_EARGS, "dial_by_name and dial_by_extension cannot "
		    "both be true: an auto attendant has one directory search method; "
		    "choose one");
	cJSON_ArrayForEach(x, arg_get(params, "dial_scope_groups"))
		if (!text_is_guid(x->valuestring))
			return core_error(ctx, CORE_EARGS, "dial_scope_groups: '%s' is not a "
			    "group object id; give the ids of the groups whose members callers "
			    "may reach", x->valuestring);
	s = arg_str(params, "operator");
	if (s && !*s)
		return core_error(ctx, CORE_EARGS, "operator must not be empty; give a UPN "
		    "or object id");
	rc = validate_menu(ctx, arg_get(params, "menu"));
	if (rc)
		return rc;
	rc = validate_hours(ctx, arg_get(params, "business_hours"));
	if (rc)
		return rc;
	if (cJSON_IsObject(ah)) {
		if (cJSON_IsArray(arg_get(params, "business_hours")) &&
		    cJSON_GetArraySize(arg_get(params, "business_hours")) == 0)
			return core_error(ctx, CORE_EARGS, "after_hours cannot be set when "
			    "business_hours is [] (open around the clock)");
		rc = check_flow_target(ctx, "after_hours", cj_str(ah, "action"),
		    cj_str(ah, "target"));
		if (rc)
			return rc;
	}
	rc = validate_holidays(ctx, arg_get(params, "holidays"));
	if (rc)
		return rc;
	cJSON_ArrayForEach(x, arg_get(params, "resource_accounts"))
		if (!*x->valuestring)
			return core_error(ctx, CORE_EARGS, "resource_accounts must not hold an "
			    "empty name; give UPNs or object ids");
	prio = arg_int(params, "call_priority", DEFAULT_PRIORITY);
	if (prio < 1 || prio > 5)
		return core_error(ctx, CORE_EARGS, "call_priority must be from 1 to 5, got %lld",
		    prio);
	return CORE_OK;
}

/* ---- reading ---- */

/* Finds the auto attendant named r->name; two of that name are refused. */
static int
find_aa(struct req *r, struct core_ctx *ctx)
{
	cJSON *ids = NULL;
	const cJSON *a;
	char *list;
	int rc;

	r->have = NULL;
	r->have_id = NULL;
	cJSON_Delete(r->all);
	rc = ta_auto_attendants(&r->all, ctx);
	if (rc)
		return rc;
	ids = cj_array();
	cJSON_ArrayForEach(a, r->all) {
		if (!cj_str(a, "name") || strcasecmp(cj_str(a, "name"), r->name) != 0)
			continue;
		if (!r->have)
			r->have = a;
		cJSON_AddItemToArray(ids, cJSON_CreateString(cj_str(a, "id") ? cj_str(a, "id") : "?"));
	}
	if (cJSON_GetArraySize(ids) > 1) {
		list = cj_join(ids, NULL, ", ", true);
		rc = core_error(ctx, CORE_EREFUSED, "auto attendant name '%s' is not unique: "
		    "auto attendants %s all have it; rename or delete all but one in the "
		    "Teams admin center, then run again", r->name, list);
		free(list);
		r->have = NULL;
	}
	cJSON_Delete(ids);
	if (r->have)
		r->have_id = cj_str(r->have, "id");
	if (r->have && !r->have_id)
		return core_error(ctx, CORE_ESERVICE, "teams returned auto attendant '%s' "
		    "without an id", r->name);
	return rc;
}

enum want_kind { WANT_USER, WANT_RESOURCE, WANT_ANY };

/*
 * Resolves an account the task names (UPN or object id) to its object id,
 * refusing unknown ones and ones of the wrong kind.
 * @param[out] entry  {"id", "kind": "user"|"resource", "applicationId"},
 *                    borrowed from r->accounts
 * @param fix  what to do when the kind is wrong (NULL for WANT_ANY)
 */
static int
resolve_account(const cJSON **entry, struct req *r, struct core_ctx *ctx,
    const char *ident, const char *where, enum want_kind want, const char *fix)
{
	cJSON *user = NULL, *teams = NULL, *e;
	enum tenant_account kind;
	const char *kind_s;
	int rc;

	*entry = NULL;
	if (!r->accounts)
		r->accounts = cj_object();
	e = cJSON_GetObjectItem(r->accounts, ident);
	if (!e || !cJSON_IsString(cJSON_GetObjectItem(e, "kind"))) {
		rc = tenant_user_get(&user, ctx, ident);
		if (rc == CORE_ENOTFOUND)
			return core_error(ctx, CORE_EREFUSED, "%s: no account '%s' in the "
			    "tenant; check the UPN or give an object id", where, ident);
		if (rc)
			return rc;
		rc = tenant_account_kind(&kind, &teams, ctx, user);
		if (rc)
			goto out;
		if (kind == TENANT_ACCOUNT_REPLICATING) {
			rc = core_error(ctx, CORE_EREFUSED, "%s: resource account '%s' is not "
			    "visible to Teams yet (a new one replicates for minutes, up to 24 "
			    "hours); run the task again later", where, ident);
			goto out;
		}
		e = cj_object();
		cj_set_str(e, "id", cj_str(user, "id"));
		cj_set_str(e, "kind", kind == TENANT_ACCOUNT_USER ? "user" : "resource");
		if (kind == TENANT_ACCOUNT_RESOURCE && cj_str(teams, "applicationId"))
			cj_set_str(e, "applicationId", cj_str(teams, "applicationId"));
		cj_set(r->accounts, ident, e);
	}
	kind_s = cj_str(e, "kind");
	if (want == WANT_USER && strcmp(kind_s, "user") != 0) {
		rc = core_error(ctx, CORE_EREFUSED, "%s: '%s' is a resource account, not a "
		    "user; %s", where, ident, fix);
		goto out;
	}
	if (want == WANT_RESOURCE && strcmp(kind_s, "resource") != 0) {
		rc = core_error(ctx, CORE_EREFUSED, "%s: '%s' is a user, not a resource "
		    "account; %s", where, ident, fix);
		goto out;
	}
	*entry = e;
	rc = CORE_OK;
out:
	cJSON_Delete(teams);
	cJSON_Delete(user);
	return rc;
}

/* Resolves a group id; an unknown one is refused. */
static int
resolve_group(const char **id, struct req *r, struct core_ctx *ctx, const char *gid,
    const char *where)
{
	cJSON *group = NULL, *e;
	int rc;

	*id = NULL;
	if (!r->accounts)
		r->accounts = cj_object();
	e = cJSON_GetObjectItem(r->accounts, gid);
	if (!e) {
		rc = tenant_group_get(&group, ctx, gid);
		if (rc == CORE_ENOTFOUND)
			return core_error(ctx, CORE_EREFUSED, "%s: no group '%s' in the tenant; "
			    "give the object id of an existing group", where, gid);
		if (rc)
			return rc;
		e = cj_object();
		cj_set_str(e, "id", cj_str(group, "id") ? cj_str(group, "id") : gid);
		cj_set(r->accounts, gid, e);
		cJSON_Delete(group);
	}
	*id = cj_str(e, "id");
	return CORE_OK;
}

/* ---- the task in the service's shape ---- */

static cJSON *
tts_prompts(const char *text)
{
	cJSON *arr = cj_array(), *p;

	if (text && *text) {
		p = cj_object();
		cj_set_str(p, "activeType", "TextToSpeech");
		cj_set_str(p, "textToSpeechPrompt", text);
		cJSON_AddItemToArray(arr, p);
	}
	return arr;
}

/*
 * Prompts laid over the ones the service has, so that fields it adds to a
 * prompt survive: the first wanted prompt over the first current one.
 */
static cJSON *
prompts_over(const cJSON *have_prompts, const char *text)
{
	cJSON *want = tts_prompts(text), *first;
	const cJSON *h = cJSON_GetArrayItem(have_prompts, 0);

	if (!h || !cJSON_GetArraySize(want))
		return want;
	first = overlay(h, cJSON_GetArrayItem(want, 0));
	cJSON_ReplaceItemInArray(want, 0, first);
	return want;
}

/*
 * One menu option: what pressing dtmf (or "Automatic") does.
 * @param[out] out  {"action", "dtmfResponse"[, "callTarget"]}
 */
static int
menu_option(cJSON **out, struct req *r, struct core_ctx *ctx, const char *action,
    const char *target, const char *dtmf, const char *where)
{
	const cJSON *acct;
	const char *gid, *type = NULL, *id = NULL;
	cJSON *o, *t;
	int rc;

	*out = NULL;
	if (strcmp(action, "user") == 0) {
		rc = resolve_account(&acct, r, ctx, target, where, WANT_USER,
		    "use action resource_account to transfer to it");
		if (rc)
			return rc;
		type = "User";
		id = cj_str(acct, "id");
	} else if (strcmp(action, "resource_account") == 0) {
		rc = resolve_account(&acct, r, ctx, target, where, WANT_RESOURCE,
		    "use action user to transfer to it");
		if (rc)
			return rc;
		type = "ApplicationEndpoint";
		id = cj_str(acct, "id");
	} else if (strcmp(action, "voicemail") == 0) {
		rc = resolve_group(&gid, r, ctx, target, where);
		if (rc)
			return rc;
		type = "SharedVoicemail";
		id = gid;
	} else if (strcmp(action, "operator") == 0 && !r->operator_where) {
		r->operator_where = xstrdup(where);
	}
	o = cj_object();
	cj_set_str(o, "action", type ? "TransferCallToTarget" :
	    strcmp(action, "operator") == 0 ? "TransferCallToOperator" : "DisconnectCall");
	cj_set_str(o, "dtmfResponse", dtmf);
	if (type) {
		t = cj_object();
		cj_set_str(t, "id", id);
		cj_set_str(t, "type", type);
		cj_set(o, "callTarget", t);
	}
	*out = o;
	return CORE_OK;
}

/* menuOptions of the default call flow, each over the current one of its key. */
static int
want_menu(cJSON **out, struct req *r, struct core_ctx *ctx, const cJSON *have_options)
{
	cJSON *opts = cj_array(), *o = NULL;
	const cJSON *m;
	const char *dtmf;
	char *where;
	int rc = CORE_OK;

	*out = NULL;
	cJSON_ArrayForEach(m, arg_get(r->params, "menu")) {
		dtmf = dtmf_of(cj_str(m, "key"));
		where = xasprintf("menu key '%s'", cj_str(m, "key"));
		rc = menu_option(&o, r, ctx, cj_str(m, "action"), cj_str(m, "target"), dtmf,
		    where);
		free(where);
		if (rc) {
			cJSON_Delete(opts);
			return rc;
		}
		cJSON_AddItemToArray(opts, overlay(cj_find(have_options, "dtmfResponse", dtmf), o));
		cJSON_Delete(o);
	}
	*out = opts;
	return CORE_OK;
}

/* directorySearchMethod for dial_by_name/dial_by_extension, or NULL to leave it. */
static const char *
search_method(const struct req *r, const cJSON *have_menu)
{
	const cJSON *byname = arg_get(r->params, "dial_by_name");
	const cJSON *byext = arg_get(r->params, "dial_by_extension");
	const char *cur = cj_str(have_menu, "directorySearchMethod");

	if (cJSON_IsTrue(byext))
		return "ByExtension";
	if (cJSON_IsTrue(byname))
		return "ByName";
	if (cJSON_IsFalse(byname) && cJSON_IsFalse(byext))
		return "None";
	if (cJSON_IsFalse(byname) && cur && strcasecmp(cur, "ByName") == 0)
		return "None";
	if (cJSON_IsFalse(byext) && cur && strcasecmp(cur, "ByExtension") == 0)
		return "None";
	return NULL;
}

/* The defaultCallFlow part of the task, or NULL when it names none of it. */
static int
want_default_flow(cJSON **out, struct req *r, struct core_ctx *ctx)
{
	const cJSON *have_flow = cJSON_GetObjectItem(r->have, "defaultCallFlow");
	const cJSON *have_menu = cJSON_GetObjectItem(have_flow, "menu");
	const char *greeting = arg_str(r->params, "greeting");
	const char *prompt = arg_str(r->params, "menu_prompt");
	const char *method = search_method(r, have_menu);
	cJSON *flow = cj_object(), *menu = cj_object(), *opts = NULL;
	int rc;

	*out = NULL;
	if (greeting)
		cj_set(flow, "greetings", prompts_over(cJSON_GetObjectItem(have_flow, "greetings"),
		    greeting));
	if (prompt)
		cj_set(menu, "prompts", prompts_over(cJSON_GetObjectItem(have_menu, "prompts"),
		    prompt));
	if (method) {
		cj_set_str(menu, "directorySearchMethod", method);
		cj_set(menu, "dialByNameEnabled", cJSON_CreateBool(strcmp(method, "ByName") == 0));
	}
	if (arg_isset(r->params, "menu")) {
		rc = want_menu(&opts, r, ctx, cJSON_GetObjectItem(have_menu, "menuOptions"));
		if (rc) {
			cJSON_Delete(menu);
			cJSON_Delete(flow);
			return rc;
		}
		cj_set(menu, "menuOptions", opts);
	}
	if (cJSON_GetArraySize(menu))
		cj_set(flow, "menu", menu);
	else
		cJSON_Delete(menu);
	if (!cJSON_GetArraySize(flow)) {
		cJSON_Delete(flow);
		return CORE_OK;
	}
	*out = flow;
	return CORE_OK;
}

/*
 * A call flow that plays a greeting and then does one thing: the shape of
 * the after-hours and holiday call flows (a menu with one "Automatic"
 * option), laid over the current flow of that id when there is one.
 * greeting NULL leaves the current greeting.
 */
static int
automatic_flow(cJSON **out, struct req *r, struct core_ctx *ctx, const cJSON *have_flow,
    const char *id, const char *name, const cJSON *spec, const char *where)
{
	const char *greeting = cj_str(spec, "greeting");
	const char *action = cj_str(spec, "action");
	const cJSON *have_menu = cJSON_GetObjectItem(have_flow, "menu");
	cJSON *base, *mine, *menu, *opts, *o = NULL;
	int rc;

	*out = NULL;
	/* No action: a new call flow hangs up, an existing one keeps what it does. */
	if (action || !have_flow) {
		rc = menu_option(&o, r, ctx, action ? action : "disconnect",
		    cj_str(spec, "target"), "Automatic", where);
		if (rc)
			return rc;
	}
	base = cj_object();
	cj_set_str(base, "id", id);
	cj_set_str(base, "name", name);
	cj_set(base, "greetings", cj_array());
	menu = cj_object();
	cj_set_str(menu, "name", name);
	cj_set(menu, "prompts", cj_array());
	cj_set(menu, "dialByNameEnabled", cJSON_CreateFalse());
	cj_set_str(menu, "directorySearchMethod", "None");
	cj_set(base, "menu", menu);
	mine = cj_object();
	cj_set_str(mine, "id", id);
	if (greeting)
		cj_set(mine, "greetings", prompts_over(cJSON_GetObjectItem(have_flow, "greetings"),
		    greeting));
	if (o) {
		opts = cj_array();
		cJSON_AddItemToArray(opts, overlay(cJSON_GetArrayItem(
		    cJSON_GetObjectItem(have_menu, "menuOptions"), 0), o));
		menu = cj_object();
		cj_set(menu, "menuOptions", opts);
		cj_set(mine, "menu", menu);
	}
	*out = overlay(have_flow ? have_flow : base, mine);
	cJSON_Delete(mine);
	cJSON_Delete(base);
	cJSON_Delete(o);
	return CORE_OK;
}

static cJSON *
weekly_schedule(const cJSON *have_sched, const char *id, const cJSON *hours)
{
	static const char *const keys[] = {
		"mondayHours", "tuesdayHours", "wednesdayHours", "thursdayHours",
		"fridayHours", "saturdayHours", "sundayHours",
	};
	cJSON *mine = cj_object(), *weekly = cj_object(), *day, *range, *out;
	const cJSON *h, *x;
	char start[9], end[9];
	int secs, i, pos;

	for (i = 0; i < 7; i++) {
		day = cj_array();
		cJSON_ArrayForEach(h, hours) {
			if (!cj_has_str(cJSON_GetObjectItem(h, "days"), day_names[i]))
				continue;
			parse_time(start, cj_str(h, "start"), &secs);
			parse_time(end, cj_str(h, "end"), &secs);
			range = cj_object();
			cj_set_str(range, "start", start);
			cj_set_str(range, "end", end);
			/* Sorted by start ("HH:MM:SS" sorts as text). */
			pos = 0;
			for (x = day->child; x && strcmp(cj_str(x, "start"), start) < 0; x = x->next)
				pos++;
			if (x)
				cJSON_InsertItemInArray(day, pos, range);
			else
				cJSON_AddItemToArray(day, range);
		}
		cj_set(weekly, keys[i], day);
	}
	cj_set(weekly, "isComplemented", cJSON_CreateTrue());
	cj_set_str(mine, "id", id);
	cj_set_str(mine, "name", "After hours");
	cj_set_str(mine, "type", "WeeklyRecurrence");
	cj_set(mine, "weeklyRecurrentSchedule", weekly);
	out = overlay(have_sched, mine);
	cJSON_Delete(mine);
	return out;
}

static cJSON *
fixed_schedule(const cJSON *have_sched, const char *id, const cJSON *holiday)
{
	cJSON *mine = cj_object(), *fixed = cj_object(), *ranges = cj_array();
	cJSON *range = cj_object(), *out;
	char start[20], end[20];

	parse_datetime(start, cj_str(holiday, "start"));
	parse_datetime(end, cj_str(holiday, "end"));
	cj_set_str(range, "start", start);
	cj_set_str(range, "end", end);
	cJSON_AddItemToArray(ranges, range);
	cj_set(fixed, "dateTimeRanges", ranges);
	cj_set_str(mine, "id", id);
	cj_set_str(mine, "name", cj_str(holiday, "name"));
	cj_set_str(mine, "type", "Fixed");
	cj_set(mine, "fixedSchedule", fixed);
	out = overlay(have_sched, mine);
	cJSON_Delete(mine);
	return out;
}

static cJSON *
association(const cJSON *have_assoc, const char *type, const char *sched_id,
    const char *flow_id)
{
	cJSON *mine = cj_object(), *out;

	cj_set_str(mine, "type", type);
	cj_set_str(mine, "scheduleId", sched_id);
	cj_set_str(mine, "callFlowId", flow_id);
	cj_set(mine, "enabled", cJSON_CreateTrue());
	out = overlay(have_assoc, mine);
	cJSON_Delete(mine);
	return out;
}

/* Working lists of the call handling parts of the object. */
struct handling {
	cJSON *flows;
	cJSON *schedules;
	cJSON *assocs;
};

/* Removes from h the association assoc and the schedule and call flow it names. */
static void
handling_drop(struct handling *h, const cJSON *assoc)
{
	const char *sid = cj_str(assoc, "scheduleId"), *fid = cj_str(assoc, "callFlowId");
	const cJSON *x;

	x = cj_find(h->schedules, "id", sid);
	if (x)
		cJSON_Delete(cJSON_DetachItemViaPointer(h->schedules, (cJSON *)x));
	x = cj_find(h->flows, "id", fid);
	if (x)
		cJSON_Delete(cJSON_DetachItemViaPointer(h->flows, (cJSON *)x));
	cJSON_Delete(cJSON_DetachItemViaPointer(h->assocs, (cJSON *)assoc));
}

/* Puts item (consumed) in place of old (in arr), or at the end when old is NULL. */
static void
replace_or_add(cJSON *arr, const cJSON *old, cJSON *item)
{
	if (old)
		cJSON_ReplaceItemViaPointer(arr, (cJSON *)old, item);
	else
		cJSON_AddItemToArray(arr, item);
}

/*
 * Sets a call flow, its schedule and their association (all consumed):
 * in place of old_assoc and what it names, so that the lists keep their
 * order, or at the ends of the lists when old_assoc is NULL.
 */
static void
handling_set(struct handling *h, const cJSON *old_assoc, cJSON *flow, cJSON *sched,
    cJSON *assoc)
{
	replace_or_add(h->flows, old_assoc ?
	    cj_find(h->flows, "id", cj_str(old_assoc, "callFlowId")) : NULL, flow);
	replace_or_add(h->schedules, old_assoc ?
	    cj_find(h->schedules, "id", cj_str(old_assoc, "scheduleId")) : NULL, sched);
	replace_or_add(h->assocs, old_assoc, assoc);
}

static bool
is_type(const cJSON *assoc, const char *type)
{
	const char *t = cj_str(assoc, "type");

	return t && strcasecmp(t, type) == 0;
}

/* The after-hours part: business_hours and after_hours. */
static int
want_after_hours(struct handling *h, struct req *r, struct core_ctx *ctx)
{
	const cJSON *hours = arg_get(r->params, "business_hours");
	const cJSON *spec = arg_get(r->params, "after_hours");
	const cJSON *have_assoc = NULL, *a, *have_flow = NULL, *have_sched = NULL;
	char sid[37], fid[37];
	cJSON *flow = NULL, *sched;
	int rc;

	cJSON_ArrayForEach(a, h->assocs)
		if (is_type(a, "AfterHours")) {
			have_assoc = a;
			break;
		}
	if (have_assoc) {
		have_flow = cj_find(h->flows, "id", cj_str(have_assoc, "callFlowId"));
		have_sched = cj_find(h->schedules, "id", cj_str(have_assoc, "scheduleId"));
	}
	if (cJSON_IsArray(hours) && cJSON_GetArraySize(hours) == 0) {
		/* Open around the clock: no after-hours call flow. */
		if (have_assoc)
			handling_drop(h, have_assoc);
		return CORE_OK;
	}
	if (!cJSON_IsObject(spec) && !have_flow)
		return core_error(ctx, CORE_EREFUSED, "business_hours needs after_hours: "
		    "auto attendant '%s' has no after-hours call flow yet; say what callers "
		    "hear outside business hours with after_hours", r->name);
	if (!cJSON_IsArray(hours) && !have_sched)
		return core_error(ctx, CORE_EREFUSED, "after_hours needs business_hours: "
		    "auto attendant '%s' has no business hours yet; give them with "
		    "business_hours", r->name);
	if (have_flow)
		snprintf(fid, sizeof(fid), "%s", cj_str(have_flow, "id"));
	else
		derive_id(fid, r->name, "after hours call flow", NULL);
	if (have_sched)
		snprintf(sid, sizeof(sid), "%s", cj_str(have_sched, "id"));
	else
		derive_id(sid, r->name, "after hours schedule", NULL);
	if (cJSON_IsObject(spec)) {
		rc = automatic_flow(&flow, r, ctx, have_flow, fid, "After hours call flow",
		    spec, "after_hours");
		if (rc)
			return rc;
	} else {
		flow = cj_dup(have_flow);
	}
	sched = cJSON_IsArray(hours) ? weekly_schedule(have_sched, sid, hours) : cj_dup(have_sched);
	handling_set(h, have_assoc, flow, sched,
	    association(have_assoc, "AfterHours", sid, fid));
	return CORE_OK;
}

/* The Holiday association in h whose schedule is named name, or NULL. */
static const cJSON *
holiday_of(const struct handling *h, const char *name)
{
	const cJSON *a, *s;

	cJSON_ArrayForEach(a, h->assocs) {
		s = cj_find(h->schedules, "id", cj_str(a, "scheduleId"));
		if (is_type(a, "Holiday") && cj_str(s, "name") &&
		    strcasecmp(cj_str(s, "name"), name) == 0)
			return a;
	}
	return NULL;
}

/* The holidays part: the task's holidays, and no others. */
static int
want_holidays(struct handling *h, struct req *r, struct core_ctx *ctx)
{
	const cJSON *hols = arg_get(r->params, "holidays"), *hol, *have_assoc, *x;
	const cJSON *have_sched, *have_flow;
	cJSON *a, *next, *flow = NULL;
	char sid[37], fid[37], *where;
	const char *name;
	bool wanted;
	int rc;

	for (a = h->assocs->child; a; a = next) {
		next = a->next;
		if (!is_type(a, "Holiday"))
			continue;
		wanted = false;
		cJSON_ArrayForEach(x, hols)
			wanted = wanted || holiday_of(h, cj_str(x, "name")) == a;
		if (!wanted)
			handling_drop(h, a);
	}
	cJSON_ArrayForEach(hol, hols) {
		name = cj_str(hol, "name");
		have_assoc = holiday_of(h, name);
		have_sched = have_assoc ? cj_find(h->schedules, "id",
		    cj_str(have_assoc, "scheduleId")) : NULL;
		have_flow = have_assoc ? cj_find(h->flows, "id",
		    cj_str(have_assoc, "callFlowId")) : NULL;
		if (have_sched)
			snprintf(sid, sizeof(sid), "%s", cj_str(have_sched, "id"));
		else
			derive_id(sid, r->name, "holiday schedule", name);
		if (have_flow)
			snprintf(fid, sizeof(fid), "%s", cj_str(have_flow, "id"));
		else
			derive_id(fid, r->name, "holiday call flow", name);
		where = xasprintf("holiday '%s'", name);
		rc = automatic_flow(&flow, r, ctx, have_flow, fid, name, hol, where);
		free(where);
		if (rc)
			return rc;
		handling_set(h, have_assoc, flow, fixed_schedule(have_sched, sid, hol),
		    association(have_assoc, "Holiday", sid, fid));
	}
	return CORE_OK;
}

/* Holidays take precedence over after hours: priorities 1..n in that order. */
static cJSON *
prioritised(cJSON *assocs)
{
	static const char *const order[] = { "Holiday", "AfterHours", NULL };
	cJSON *out = cj_array(), *x, *next;
	size_t i;
	int prio = 1;

	for (i = 0; i <= 2; i++)
		for (x = assocs->child; x; x = next) {
			next = x->next;
			if (order[i] && !is_type(x, order[i]))
				continue;
			cJSON_DetachItemViaPointer(assocs, x);
			cj_set(x, "priority", cJSON_CreateNumber(prio++));
			cJSON_AddItemToArray(out, x);
		}
	cJSON_Delete(assocs);
	return out;
}

/* callFlows, schedules and callHandlingAssociations, when the task names them. */
static int
want_handling(cJSON *want, struct req *r, struct core_ctx *ctx)
{
	bool after = arg_isset(r->params, "business_hours") || arg_isset(r->params, "after_hours");
	bool holidays = arg_isset(r->params, "holidays");
	struct handling h;
	const cJSON *have_assocs;
	int rc = CORE_OK;

	if (!after && !holidays)
		return CORE_OK;
	have_assocs = cJSON_GetObjectItem(r->have, "callHandlingAssociations");
	h.flows = cJSON_IsArray(cJSON_GetObjectItem(r->have, "callFlows")) ?
	    cj_dup(cJSON_GetObjectItem(r->have, "callFlows")) : cj_array();
	h.schedules = cJSON_IsArray(cJSON_GetObjectItem(r->have, "schedules")) ?
	    cj_dup(cJSON_GetObjectItem(r->have, "schedules")) : cj_array();
	h.assocs = cJSON_IsArray(have_assocs) ? cj_dup(have_assocs) : cj_array();
	if (after)
		rc = want_after_hours(&h, r, ctx);
	if (!rc && holidays)
		rc = want_holidays(&h, r, ctx);
	if (rc) {
		cJSON_Delete(h.flows);
		cJSON_Delete(h.schedules);
		cJSON_Delete(h.assocs);
		return rc;
	}
	cj_set(want, "callFlows", h.flows);
	cj_set(want, "schedules", h.schedules);
	cj_set(want, "callHandlingAssociations", prioritised(h.assocs));
	return CORE_OK;
}

/* The operator: a user or a resource account, found out from the account. */
static int
want_operator(cJSON *want, struct req *r, struct core_ctx *ctx)
{
	const char *op = arg_str(r->params, "operator");
	const cJSON *acct;
	cJSON *o;
	int rc;

	if (!op)
		return CORE_OK;
	rc = resolve_account(&acct, r, ctx, op, "operator", WANT_ANY, NULL);
	if (rc)
		return rc;
	o = cj_object();
	cj_set_str(o, "id", cj_str(acct, "id"));
	cj_set_str(o, "type", strcmp(cj_str(acct, "kind"), "user") == 0 ? "User" :
	    "ApplicationEndpoint");
	cj_set(want, "operator", overlay(cJSON_GetObjectItem(r->have, "operator"), o));
	cJSON_Delete(o);
	return CORE_OK;
}

static int
want_scope(cJSON *want, struct req *r, struct core_ctx *ctx)
{
	const cJSON *groups = arg_get(r->params, "dial_scope_groups"), *g;
	cJSON *scope, *incl, *gs, *ids;
	const char *id;
	int rc;

	if (!cJSON_IsArray(groups))
		return CORE_OK;
	ids = cj_array();
	cJSON_ArrayForEach(g, groups) {
		rc = resolve_group(&id, r, ctx, g->valuestring, "dial_scope_groups");
		if (rc) {
			cJSON_Delete(ids);
			return rc;
		}
		if (!cj_has_str(ids, id))
			cJSON_AddItemToArray(ids, cJSON_CreateString(id));
	}
	incl = cj_object();
	if (cJSON_GetArraySize(ids)) {
		cj_set_str(incl, "type", "Customized");
		gs = cj_object();
		cj_set(gs, "groupIds", ids);
		cj_set(incl, "groupDialScope", gs);
	} else {
		/* Everyone in the tenant; the group list goes. */
		cj_set_str(incl, "type", "Default");
		cj_set(incl, "groupDialScope", cJSON_CreateNull());
		cJSON_Delete(ids);
	}
	scope = cj_object();
	cj_set(scope, "inclusionScope", incl);
	cj_set(want, "directoryLookupScope", scope);
	return CORE_OK;
}

/*
 * The task as the object it asks for (only what it names), applicationInstances
 * excepted; refusals for unknown accounts and groups happen here.
 */
static int
build_want(struct req *r, struct core_ctx *ctx)
{
	static const struct { const char *opt, *field; } plain[] = {
		{ "language", "languageId" },
		{ "time_zone", "timeZoneId" },
	};
	const char *voice = arg_str(r->params, "voice");
	const cJSON *have_op;
	cJSON *w = cj_object(), *flow = NULL;
	size_t i;
	int rc;

	r->want = w;
	cj_set_str(w, "name", r->have ? cj_str(r->have, "name") : r->name);
	for (i = 0; i < ARRAY_SIZE(plain); i++)
		if (arg_str(r->params, plain[i].opt))
			cj_set_str(w, plain[i].field, arg_str(r->params, plain[i].opt));
	if (voice)
		cj_set_str(w, "voiceId", strcmp(voice, "male") == 0 ? "Male" : "Female");
	if (arg_isset(r->params, "voice_inputs"))
		cj_set(w, "voiceResponseEnabled",
		    cJSON_CreateBool(arg_bool(r->params, "voice_inputs", false)));
	rc = want_default_flow(&flow, r, ctx);
	if (rc)
		return rc;
	if (flow)
		cj_set(w, "defaultCallFlow", flow);
	rc = want_operator(w, r, ctx);
	if (rc)
		return rc;
	rc = want_scope(w, r, ctx);
	if (rc)
		return rc;
	rc = want_handling(w, r, ctx);
	if (rc)
		return rc;
	have_op = cJSON_GetObjectItem(r->have, "operator");
	if (r->operator_where && !cJSON_IsObject(cJSON_GetObjectItem(w, "operator")) &&
	    !(cJSON_IsObject(have_op) && cj_str(have_op, "id")))
		return core_error(ctx, CORE_EREFUSED, "%s transfers to the operator, but "
		    "auto attendant '%s' has none; set operator", r->operator_where, r->name);
	return CORE_OK;
}

/* ---- resource accounts ---- */

static const char *
aa_name_of(const struct req *r, const char *id)
{
	const cJSON *a = cj_find(r->all, "id", id);

	return a && cj_str(a, "name") ? cj_str(a, "name") : "?";
}

/*
 * Resolves resource_accounts (refusing users, call queue accounts and ones
 * another voice application answers for, N9), reads the associations of
 * every account involved, and adds applicationInstances to the want.
 */
static int
plan_resource_accounts(struct req *r, struct core_ctx *ctx)
{
	const cJSON *list = arg_get(r->params, "resource_accounts");
	const cJSON *have_apps = cJSON_GetObjectItem(r->have, "applicationInstances");
	const cJSON *x, *acct, *cur;
	cJSON *ids, *a = NULL;
	const char *id, *app, *cid, *ctype;
	int rc;

	r->ra_ids = cj_array();
	r->assoc = cj_object();
	cJSON_ArrayForEach(x, list) {
		rc = resolve_account(&acct, r, ctx, x->valuestring, "resource_accounts",
		    WANT_RESOURCE, "list only resource accounts of type auto_attendant");
		if (rc)
			return rc;
		id = cj_str(acct, "id");
		app = cj_str(acct, "applicationId");
		if (app && strcasecmp(app, TA_APP_AUTO_ATTENDANT) != 0)
			return core_error(ctx, CORE_EREFUSED, "resource_accounts: '%s' is a "
			    "resource account for a call queue (application id %s); an auto "
			    "attendant answers only for ones of type auto_attendant (application "
			    "id %s): use another, or change its type with "
			    "dialtone.teams_phone.teams_resource_account", x->valuestring, app,
			    TA_APP_AUTO_ATTENDANT);
		if (!cj_has_str(r->ra_ids, id))
			cJSON_AddItemToArray(r->ra_ids, cJSON_CreateString(id));
	}
	/* Associations of every account named or linked now. */
	ids = cj_dup(r->ra_ids);
	cJSON_ArrayForEach(x, have_apps)
		if (cJSON_IsString(x) && !cj_has_str(ids, x->valuestring))
			cJSON_AddItemToArray(ids, cJSON_CreateString(x->valuestring));
	cJSON_ArrayForEach(x, ids) {
		rc = ta_association_get(&a, ctx, x->valuestring);
		if (rc == CORE_ENOTFOUND)
			continue;
		if (rc) {
			cJSON_Delete(ids);
			return rc;
		}
		cj_set(r->assoc, x->valuestring, a);
	}
	cJSON_Delete(ids);
	cJSON_ArrayForEach(x, list) {
		acct = cJSON_GetObjectItem(r->accounts, x->valuestring);
		cur = cJSON_GetObjectItem(r->assoc, cj_str(acct, "id"));
		cid = cj_str(cur, "configurationId");
		if (!cid || (r->have_id && strcasecmp(cid, r->have_id) == 0))
			continue;
		ctype = cj_str(cur, "configurationType");
		if (ctype && strcasecmp(ctype, "CallQueue") == 0)
			return core_error(ctx, CORE_EREFUSED, "resource_accounts: '%s' already "
			    "answers for call queue '%s'; a resource account serves one auto "
			    "attendant or call queue: remove it there first", x->valuestring, cid);
		return core_error(ctx, CORE_EREFUSED, "resource_accounts: '%s' already answers "
		    "for auto attendant '%s' ('%s'); a resource account serves one auto "
		    "attendant or call queue: remove it there first", x->valuestring,
		    aa_name_of(r, cid), cid);
	}
	if (cJSON_IsArray(list))
		cj_set(r->want, "applicationInstances", cj_dup(r->ra_ids));
	return CORE_OK;
}

/* callPriority of an association, 0 when unknown. */
static int
priority_of(const cJSON *assoc)
{
	const cJSON *p = cJSON_GetObjectItem(assoc, "callPriority");

	return cJSON_IsNumber(p) ? p->valueint : 0;
}

/* What to link, unlink and link again with another priority. */
struct links {
	cJSON *final;     /* ids the auto attendant answers for afterwards */
	cJSON *add;
	cJSON *remove;
	cJSON *reprioritise;
	int priority;     /* for add and reprioritise */
};

static void
links_release(struct links *l)
{
	cJSON_Delete(l->final);
	cJSON_Delete(l->add);
	cJSON_Delete(l->remove);
	cJSON_Delete(l->reprioritise);
}

static void
plan_links(struct links *l, const struct req *r, const struct plan *p)
{
	const cJSON *have_apps = cJSON_GetObjectItem(r->have, "applicationInstances");
	const cJSON *after = cJSON_GetObjectItem(p->after, "applicationInstances");
	const cJSON *x;
	bool set = arg_isset(r->params, "call_priority");

	l->priority = (int)arg_int(r->params, "call_priority", DEFAULT_PRIORITY);
	l->final = cJSON_IsArray(after) ? cj_dup(after) : cj_array();
	l->add = cj_array();
	l->remove = cj_array();
	l->reprioritise = cj_array();
	cJSON_ArrayForEach(x, l->final)
		if (!cj_has_str(have_apps, x->valuestring))
			cJSON_AddItemToArray(l->add, cJSON_CreateString(x->valuestring));
		else if (set && cj_has_str(r->ra_ids, x->valuestring) &&
		    priority_of(cJSON_GetObjectItem(r->assoc, x->valuestring)) != l->priority)
			cJSON_AddItemToArray(l->reprioritise, cJSON_CreateString(x->valuestring));
	cJSON_ArrayForEach(x, have_apps)
		if (cJSON_IsString(x) && !cj_has_str(l->final, x->valuestring))
			cJSON_AddItemToArray(l->remove, cJSON_CreateString(x->valuestring));
}

static bool
links_changed(const struct links *l)
{
	return cJSON_GetArraySize(l->add) || cJSON_GetArraySize(l->remove) ||
	    cJSON_GetArraySize(l->reprioritise);
}

/* The associations of the final list: as read, or as they will be. */
static cJSON *
links_view(const struct links *l, const struct req *r, const char *aa_id)
{
	cJSON *out = cj_array(), *a;
	const cJSON *x, *cur;

	cJSON_ArrayForEach(x, l->final) {
		cur = cJSON_GetObjectItem(r->assoc, x->valuestring);
		if (cur && !cj_has_str(l->add, x->valuestring)) {
			a = cj_dup(cur);
			if (cj_has_str(l->reprioritise, x->valuestring))
				cj_set(a, "callPriority", cJSON_CreateNumber(l->priority));
		} else {
			a = cj_object();
			cj_set_str(a, "id", x->valuestring);
			cj_set_str(a, "configurationType", "AutoAttendant");
			cj_set(a, "configurationId", aa_id ? cJSON_CreateString(aa_id) :
			    cJSON_CreateNull());
			cj_set(a, "callPriority", cJSON_CreateNumber(l->priority));
		}
		cJSON_AddItemToArray(out, a);
	}
	return out;
}

/* {"<id>": callPriority} of an associations list, for the diff. */
static cJSON *
links_diff_side(const cJSON *assocs)
{
	cJSON *out = cj_object();
	const cJSON *a;

	cJSON_ArrayForEach(a, assocs)
		if (cj_str(a, "id"))
			cj_set(out, cj_str(a, "id"), cJSON_CreateNumber(priority_of(a)));
	return out;
}

/* ---- writing ---- */

/* A new auto attendant's object before the task is laid over it. */
static cJSON *
new_aa(const struct req *r)
{
	cJSON *aa = cj_object(), *flow = cj_object(), *menu = cj_object();
	char id[37];

	derive_id(id, r->name, "default call flow", NULL);
	cj_set_str(aa, "name", r->name);
	cj_set_str(aa, "languageId", DEFAULT_LANGUAGE);
	cj_set_str(aa, "voiceId", DEFAULT_VOICE);
	cj_set_str(aa, "timeZoneId", DEFAULT_TIME_ZONE);
	cj_set(aa, "voiceResponseEnabled", cJSON_CreateFalse());
	cj_set_str(flow, "id", id);
	cj_set_str(flow, "name", "Default call flow");
	cj_set(flow, "greetings", cj_array());
	cj_set_str(menu, "name", "Default menu");
	cj_set(menu, "prompts", cj_array());
	cj_set(menu, "menuOptions", cj_array());
	cj_set(menu, "dialByNameEnabled", cJSON_CreateFalse());
	cj_set_str(menu, "directorySearchMethod", "None");
	cj_set(flow, "menu", menu);
	cj_set(aa, "defaultCallFlow", flow);
	cj_set(aa, "callFlows", cj_array());
	cj_set(aa, "schedules", cj_array());
	cj_set(aa, "callHandlingAssociations", cj_array());
	return aa;
}

/* The object to send: the current one (or a new one) with the task laid over it. */
static cJSON *
aa_body(const struct req *r)
{
	cJSON *base = r->have ? cj_dup(r->have) : new_aa(r), *body;
	cJSON *w = cj_dup(r->want);

	cJSON_DeleteItemFromObject(w, "applicationInstances");
	body = overlay(base, w);
	cJSON_Delete(w);
	cJSON_Delete(base);
	if (!r->have)
		cJSON_DeleteItemFromObject(body, "applicationInstances");
	return body;
}

/* An auto attendant without its server-managed ids, for the diff. */
static cJSON *
diff_view(const cJSON *aa)
{
	cJSON *v = aa ? cj_dup(aa) : cj_object();

	cJSON_DeleteItemFromObject(v, "id");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(v, "defaultCallFlow"), "id");
	return v;
}

/* Whether an auto attendant body has schedules (sent after the create). */
static bool
has_schedules(const cJSON *body)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(body, "schedules")) > 0;
}

struct aa_intent {
	struct req *r;
	const cJSON *body;
	char *id;          /* of the answer or the lookup; owned */
};

static int
aa_create_once(struct core_ctx *ctx, void *arg)
{
	struct aa_intent *a = arg;
	cJSON *made = NULL, *first;
	bool ambiguous = false;
	int rc;

	/*
	 * A new attendant carries no schedules (ICreateAutoAttendantRequest has
	 * none, docs/wire.md): it is created without them, nor the call handling
	 * that points at them, and they follow in a full-object update.
	 */
	first = cj_dup(a->body);
	cJSON_DeleteItemFromObject(first, "schedules");
	if (has_schedules(a->body))
		cj_set(first, "callHandlingAssociations", cj_array());
	rc = ta_auto_attendant_create(&made, &ambiguous, ctx, first);
	cJSON_Delete(first);
	if (!rc && cj_str(made, "id"))
		a->id = xstrdup(cj_str(made, "id"));
	cJSON_Delete(made);
	return rc;
}

/* By the name the create used. */
static int
aa_lookup(struct core_ctx *ctx, void *arg)
{
	struct aa_intent *a = arg;
	int rc = find_aa(a->r, ctx);

	if (rc)
		return rc;
	if (!a->r->have)
		return CORE_ENOTFOUND;
	free(a->id);
	a->id = xstrdup(a->r->have_id);
	return CORE_OK;
}

/*
 * Creates the auto attendant, reconciled (svc_create_reconciled): after a
 * create that got no answer or a server error, or an answer without the
 * object, it is looked up by name. Never two for one intent.
 */
static int
create_aa(char **id, struct req *r, struct core_ctx *ctx, const cJSON *body)
{
	struct aa_intent a = { r, body, NULL };
	int rc;

	*id = NULL;
	rc = svc_create_reconciled(ctx, aa_create_once, aa_lookup, &a);
	if (!rc && !a.id) {
		rc = aa_lookup(ctx, &a);
		if (rc == CORE_ENOTFOUND)
			rc = core_error(ctx, CORE_ESERVICE, "creating auto attendant "
			    "'%s': teams answered without it and it is not found", r->name);
	}
	/* Created (or found after a lost answer) without its schedules: add them. */
	if (!rc && has_schedules(body))
		rc = ta_auto_attendant_update(NULL, ctx, a.id, body);
	if (rc) {
		free(a.id);
		return rc;
	}
	*id = a.id;
	return CORE_OK;
}

struct link_intent {
	const char *aa_id;
	const char **ids;
	size_t n;
	int priority;
};

static int
link_create_once(struct core_ctx *ctx, void *arg)
{
	struct link_intent *li = arg;

	return ta_associate(ctx, li->aa_id, (const char *const *)li->ids, li->n,
	    li->priority);
}

/* Found when every account of the intent answers for the auto attendant. */
static int
link_lookup(struct core_ctx *ctx, void *arg)
{
	struct link_intent *li = arg;
	cJSON *a = NULL;
	const char *cid;
	size_t i;
	int rc = CORE_OK;

	for (i = 0; !rc && i < li->n; i++) {
		rc = ta_association_get(&a, ctx, li->ids[i]);
		cid = rc ? NULL : cj_str(a, "configurationId");
		if (!rc && (!cid || strcasecmp(cid, li->aa_id) != 0))
			rc = CORE_ENOTFOUND;
		cJSON_Delete(a);
		a = NULL;
	}
	return rc;
}

/* Links accounts, reconciled (svc_create_reconciled): read back after an unsure answer. */
static int
link_accounts(struct core_ctx *ctx, const char *aa_id, const char **ids, size_t n,
    int priority)
{
	struct link_intent li = { aa_id, ids, n, priority };

	return svc_create_reconciled(ctx, link_create_once, link_lookup, &li);
}

static int
write_links(struct core_ctx *ctx, const struct links *l, const char *aa_id)
{
	const char **ids = NULL;
	const cJSON *x;
	size_t n = 0;
	int rc = CORE_OK;

	cJSON_ArrayForEach(x, l->remove) {
		rc = ta_disassociate(ctx, x->valuestring);
		if (rc)
			return rc;
	}
	/* There is no update: a new priority is an unlink and a link. */
	cJSON_ArrayForEach(x, l->reprioritise) {
		rc = ta_disassociate(ctx, x->valuestring);
		if (rc)
			return rc;
		rc = link_accounts(ctx, aa_id, (const char **)&x->valuestring, 1,
		    l->priority);
		if (rc)
			return rc;
	}
	if (!cJSON_GetArraySize(l->add))
		return CORE_OK;
	ids = xcalloc((size_t)cJSON_GetArraySize(l->add), sizeof(*ids));
	cJSON_ArrayForEach(x, l->add)
		ids[n++] = x->valuestring;
	rc = link_accounts(ctx, aa_id, ids, n, l->priority);
	free(ids);
	return rc;
}

/* Re-reads the auto attendant and its associations after the writes. */
static int
reread(cJSON **aa, cJSON **links, struct core_ctx *ctx, const char *id)
{
	const cJSON *x;
	cJSON *a = NULL;
	int rc;

	*links = NULL;
	rc = ta_auto_attendant_get(aa, ctx, id);
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_ESERVICE, "auto attendant '%s' is gone right "
		    "after it was written", id);
	if (rc)
		return rc;
	*links = cj_array();
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(*aa, "applicationInstances")) {
		if (!cJSON_IsString(x))
			continue;
		rc = ta_association_get(&a, ctx, x->valuestring);
		if (rc == CORE_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		cJSON_AddItemToArray(*links, a);
	}
	return CORE_OK;
}

/* Warnings about an auto attendant that cannot do its Shared Calling job. */
static void
warn_useless(struct core_ctx *ctx, const struct req *r, const cJSON *aa,
    const cJSON *links)
{
	const cJSON *menu = cJSON_GetObjectItem(cJSON_GetObjectItem(aa, "defaultCallFlow"),
	    "menu");
	const char *method = cj_str(menu, "directorySearchMethod");

	if ((!method || strcasecmp(method, "None") == 0) &&
	    !cJSON_GetArraySize(cJSON_GetObjectItem(menu, "menuOptions")))
		core_warn(ctx, "auto attendant '%s' routes callers to nobody: set "
		    "dial_by_name or dial_by_extension, or give menu keys", r->name);
	if (!cJSON_GetArraySize(links))
		core_warn(ctx, "auto attendant '%s' answers for no resource account, so no "
		    "number reaches it: link one with resource_accounts", r->name);
}

static int
run_present(struct req *r, struct core_ctx *ctx, struct result *res)
{
	struct reconcile_opts opts = {
		.casefold = casefolded,
		.unordered = r->purge ? unordered_purge : unordered_keep,
		.additive = r->purge ? NULL : additive_keep,
	};
	struct plan p = { 0 };
	struct links l = { 0 };
	cJSON *body = NULL, *after = NULL, *now = NULL, *links_now = NULL, *links_then = NULL;
	const cJSON *c;
	char *new_id = NULL;
	const char *id;
	bool aa_changed = false;
	int rc;

	rc = build_want(r, ctx);
	if (rc)
		goto out;
	rc = plan_resource_accounts(r, ctx);
	if (rc)
		goto out;
	reconcile_plan(&p, r->want, r->have, &opts);
	cJSON_ArrayForEach(c, p.changes)
		if (strcasecmp(c->string, "applicationInstances") != 0)
			aa_changed = true;
	aa_changed = aa_changed || p.create;
	plan_links(&l, r, &p);
	res->changed = aa_changed || links_changed(&l);
	body = aa_body(r);
	after = cj_dup(body);
	cj_set(after, "applicationInstances", cj_dup(l.final));
	links_now = links_view(&l, r, r->have_id);
	if (aa_changed)
		result_add_diff(res, ctx, r->have ? diff_view(r->have) : NULL, diff_view(after),
		    "auto_attendant (current)", "auto_attendant (desired)");
	if (links_changed(&l)) {
		links_then = cj_array();
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(r->have, "applicationInstances"))
			if (cJSON_IsString(c) && cJSON_GetObjectItem(r->assoc, c->valuestring))
				cJSON_AddItemToArray(links_then,
				    cj_dup(cJSON_GetObjectItem(r->assoc, c->valuestring)));
		result_add_diff(res, ctx, links_diff_side(links_then), links_diff_side(links_now),
		    "resource_accounts callPriority (current)",
		    "resource_accounts callPriority (desired)");
	}
	if (!res->changed || ctx->check_mode) {
		warn_useless(ctx, r, after, l.final);
		if (res->changed) {
			result_put(res, "auto_attendant", after);
			after = NULL;
		} else {
			result_put(res, "auto_attendant", cj_dup(r->have));
		}
		result_put(res, "resource_accounts", links_now);
		links_now = NULL;
		goto out;
	}
	id = r->have_id;
	if (!r->have) {
		rc = create_aa(&new_id, r, ctx, body);
		if (rc)
			goto out;
		id = new_id;
	} else if (aa_changed) {
		rc = ta_auto_attendant_update(NULL, ctx, id, body);
		if (rc)
			goto out;
	}
	rc = write_links(ctx, &l, id);
	if (rc)
		goto out;
	cJSON_Delete(links_now);
	links_now = NULL;
	rc = reread(&now, &links_now, ctx, id);
	if (rc)
		goto out;
	warn_useless(ctx, r, now, links_now);
	result_put(res, "auto_attendant", now);
	now = NULL;
	result_put(res, "resource_accounts", links_now);
	links_now = NULL;
out:
	free(new_id);
	cJSON_Delete(now);
	cJSON_Delete(links_now);
	cJSON_Delete(links_then);
	cJSON_Delete(after);
	cJSON_Delete(body);
	links_release(&l);
	reconcile_plan_release(&p);
	return rc;
}

static int
run_absent(struct req *r, struct core_ctx *ctx, struct result *res)
{
	const cJSON *x;
	int rc;

	res->changed = r->have != NULL;
	result_put(res, "auto_attendant", cJSON_CreateObject());
	result_put(res, "resource_accounts", cJSON_CreateArray());
	if (!r->have)
		return CORE_OK;
	result_add_diff(res, ctx, diff_view(r->have), NULL, "auto_attendant (current)",
	    "auto_attendant (desired)");
	if (ctx->check_mode)
		return CORE_OK;
	/* Unlink first, so that no resource account is left pointing at nothing. */
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(r->have, "applicationInstances")) {
		if (!cJSON_IsString(x))
			continue;
		rc = ta_disassociate(ctx, x->valuestring);
		if (rc)
			return rc;
	}
	return ta_auto_attendant_delete(ctx, r->have_id);
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	struct req r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = validate(&r, ctx, params);
	if (rc)
		goto out;
	rc = find_aa(&r, ctx);
	if (rc)
		goto out;
	if (strcmp(arg_str(params, "state"), "absent") == 0)
		rc = run_absent(&r, ctx, res);
	else
		rc = run_present(&r, ctx, res);
out:
	req_release(&r);
	return rc;
}

const struct module MODULE = {
	.name = "teams_auto_attendant",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.reads_snapshot = true,
	.run = run,
};
