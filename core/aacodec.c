/*
 * aacodec.c - the auto attendant codec (aacodec.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "aacodec.h"
#include "args.h"
#include "buf.h"
#include "cj.h"
#include "core.h"
#include "text.h"

/* Days as the options name them; the schedule's keys are "<day>Hours". */
static const char *const days[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* ---- what people type ---- */

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

bool
aacodec_parse_time(char out[9], const char *s, int *secs)
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

bool
aacodec_parse_datetime(char out[20], const char *s)
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

static const char *const tones[] = {
	"Tone0", "Tone1", "Tone2", "Tone3", "Tone4",
	"Tone5", "Tone6", "Tone7", "Tone8", "Tone9",
};

const char *
aacodec_dtmf_of(const char *key)
{
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

/* The menu key of a dtmfResponse, or NULL when it is not a phone key. */
static const char *
key_of(const char *dtmf)
{
	static const char *const keys[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

	if (!dtmf)
		return NULL;
	if (strncasecmp(dtmf, "Tone", 4) == 0 && dtmf[4] >= '0' && dtmf[4] <= '9' && !dtmf[5])
		return keys[dtmf[4] - '0'];
	if (text_same(dtmf, "ToneStar"))
		return "*";
	if (text_same(dtmf, "TonePound"))
		return "#";
	return NULL;
}

bool
aacodec_is_language(const char *s)
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
 * "HH:MM:SS" as "HH:MM" (or as it is with seconds); false when not a time.
 * The inverse of aacodec_parse_time() on what it writes.
 */
static bool
short_time(char out[9], const char *s)
{
	int i;

	if (!s || strlen(s) != 8 || s[2] != ':' || s[5] != ':')
		return false;
	for (i = 0; i < 8; i++)
		if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
			return false;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23)
		return false;
	snprintf(out, 9, "%.*s", strcmp(s + 5, ":00") == 0 ? 5 : 8, s);
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS" as "YYYY-MM-DD", "YYYY-MM-DDTHH:MM" or as it is. */
static bool
short_datetime(char out[20], const char *s)
{
	char t[9];

	if (!s || strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    !short_time(t, s + 11))
		return false;
	if (strcmp(s + 10, "T00:00:00") == 0)
		snprintf(out, 20, "%.10s", s);
	else
		snprintf(out, 20, "%.10sT%s", s, t);
	return true;
}

/*
 * An id for a call flow or schedule the module adds: a GUID derived from
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

/* The id of have, or for a new object (have NULL) the one derive_id() gives it. */
static void
id_of(char out[37], const cJSON *have, const char *aa_name, const char *what,
    const char *item)
{
	if (have)
		snprintf(out, 37, "%s", cj_str(have, "id"));
	else
		derive_id(out, aa_name, what, item);
}

/* ---- encode ---- */

static void overlay_into(cJSON *dst, const cJSON *patch);

cJSON *
aacodec_overlay(const cJSON *base, const cJSON *patch)
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

/* The defaults of a new auto attendant (the admin center's). */
#define DEFAULT_LANGUAGE "en-US"
#define DEFAULT_VOICE "Female"
#define DEFAULT_TIME_ZONE "UTC"

cJSON *
aacodec_new(const char *name)
{
	cJSON *aa = cj_object(), *flow = cj_object(), *menu = cj_object();
	char id[37];

	derive_id(id, name, "default call flow", NULL);
	cj_set_str(aa, "name", name);
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

/* One encode: its inputs and what it found out on the way. */
struct enc {
	struct core_ctx *ctx;
	const char *name;
	const cJSON *opts;
	const cJSON *have;
	const cJSON *resolved;
	char *operator_where;      /* first place that transfers to the operator, or NULL */
};

/* The object id resolved for what the options name, or an error. */
static int
resolved_id(const char **id, struct enc *e, const char *ident, const char *where)
{
	*id = cj_str(cJSON_GetObjectItem(e->resolved, ident ? ident : ""), "id");
	if (!*id)
		return core_error(e->ctx, CORE_EARGS, "%s: '%s' was not resolved to an "
		    "object id", where, ident ? ident : "");
	return CORE_OK;
}

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
	first = aacodec_overlay(h, cJSON_GetArrayItem(want, 0));
	cJSON_ReplaceItemInArray(want, 0, first);
	return want;
}

/*
 * One menu option: what pressing dtmf (or "Automatic") does.
 * @param[out] out  {"action", "dtmfResponse"[, "callTarget"]}
 */
static int
menu_option(cJSON **out, struct enc *e, const char *action, const char *target,
    const char *dtmf, const char *where)
{
	const char *type = NULL, *id = NULL;
	cJSON *o, *t;
	int rc;

	*out = NULL;
	if (strcmp(action, "user") == 0)
		type = "User";
	else if (strcmp(action, "resource_account") == 0)
		type = "ApplicationEndpoint";
	else if (strcmp(action, "voicemail") == 0)
		type = "SharedVoicemail";
	else if (strcmp(action, "operator") == 0 && !e->operator_where)
		e->operator_where = xstrdup(where);
	if (type) {
		rc = resolved_id(&id, e, target, where);
		if (rc)
			return rc;
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
want_menu(cJSON **out, struct enc *e, const cJSON *have_options)
{
	cJSON *opts = cj_array(), *o = NULL;
	const cJSON *m;
	const char *dtmf;
	char *where;
	int rc = CORE_OK;

	*out = NULL;
	cJSON_ArrayForEach(m, arg_get(e->opts, "menu")) {
		dtmf = aacodec_dtmf_of(cj_str(m, "key"));
		where = xasprintf("menu key '%s'", cj_str(m, "key"));
		rc = menu_option(&o, e, cj_str(m, "action"), cj_str(m, "target"), dtmf, where);
		free(where);
		if (rc) {
			cJSON_Delete(opts);
			return rc;
		}
		cJSON_AddItemToArray(opts,
		    aacodec_overlay(cj_find(have_options, "dtmfResponse", dtmf), o));
		cJSON_Delete(o);
	}
	*out = opts;
	return CORE_OK;
}

/* directorySearchMethod for dial_by_name/dial_by_extension, or NULL to leave it. */
static const char *
search_method(const struct enc *e, const cJSON *have_menu)
{
	const cJSON *byname = arg_get(e->opts, "dial_by_name");
	const cJSON *byext = arg_get(e->opts, "dial_by_extension");
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

/* The defaultCallFlow part of the options, or NULL when they name none of it. */
static int
want_default_flow(cJSON **out, struct enc *e)
{
	const cJSON *have_flow = cJSON_GetObjectItem(e->have, "defaultCallFlow");
	const cJSON *have_menu = cJSON_GetObjectItem(have_flow, "menu");
	const char *greeting = arg_str(e->opts, "greeting");
	const char *prompt = arg_str(e->opts, "menu_prompt");
	const char *method = search_method(e, have_menu);
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
	if (arg_isset(e->opts, "menu")) {
		rc = want_menu(&opts, e, cJSON_GetObjectItem(have_menu, "menuOptions"));
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
automatic_flow(cJSON **out, struct enc *e, const cJSON *have_flow, const char *id,
    const char *name, const cJSON *spec, const char *where)
{
	const char *greeting = cj_str(spec, "greeting");
	const char *action = cj_str(spec, "action");
	const cJSON *have_menu = cJSON_GetObjectItem(have_flow, "menu");
	cJSON *base, *mine, *menu, *opts, *o = NULL;
	int rc;

	*out = NULL;
	/* No action: a new call flow hangs up, an existing one keeps what it does. */
	if (action || !have_flow) {
		rc = menu_option(&o, e, action ? action : "disconnect", cj_str(spec, "target"),
		    "Automatic", where);
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
		cJSON_AddItemToArray(opts, aacodec_overlay(cJSON_GetArrayItem(
		    cJSON_GetObjectItem(have_menu, "menuOptions"), 0), o));
		menu = cj_object();
		cj_set(menu, "menuOptions", opts);
		cj_set(mine, "menu", menu);
	}
	*out = aacodec_overlay(have_flow ? have_flow : base, mine);
	cJSON_Delete(mine);
	cJSON_Delete(base);
	cJSON_Delete(o);
	return CORE_OK;
}

/* aacodec_overlay() of mine (consumed) over have. */
static cJSON *
laid_over(const cJSON *have, cJSON *mine)
{
	cJSON *out = aacodec_overlay(have, mine);

	cJSON_Delete(mine);
	return out;
}

/* A schedule {id, name, type, <key>: body} (body consumed) laid over have. */
static cJSON *
schedule_over(const cJSON *have, const char *id, const char *name, const char *type,
    const char *key, cJSON *body)
{
	cJSON *mine = cj_object();

	cj_set_str(mine, "id", id);
	cj_set_str(mine, "name", name);
	cj_set_str(mine, "type", type);
	cj_set(mine, key, body);
	return laid_over(have, mine);
}

static cJSON *
weekly_schedule(const cJSON *have_sched, const char *id, const cJSON *hours)
{
	cJSON *weekly = cj_object(), *day, *range;
	const cJSON *h, *x;
	char start[9], end[9], key[20];
	int secs, i, pos;

	for (i = 0; i < 7; i++) {
		day = cj_array();
		cJSON_ArrayForEach(h, hours) {
			if (!cj_has_str(cJSON_GetObjectItem(h, "days"), days[i]))
				continue;
			aacodec_parse_time(start, cj_str(h, "start"), &secs);
			aacodec_parse_time(end, cj_str(h, "end"), &secs);
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
		snprintf(key, sizeof(key), "%sHours", days[i]);
		cj_set(weekly, key, day);
	}
	cj_set(weekly, "isComplemented", cJSON_CreateTrue());
	return schedule_over(have_sched, id, "After hours", "WeeklyRecurrence",
	    "weeklyRecurrentSchedule", weekly);
}

static cJSON *
fixed_schedule(const cJSON *have_sched, const char *id, const cJSON *holiday)
{
	cJSON *fixed = cj_object(), *ranges = cj_array(), *range = cj_object();
	char start[20], end[20];

	aacodec_parse_datetime(start, cj_str(holiday, "start"));
	aacodec_parse_datetime(end, cj_str(holiday, "end"));
	cj_set_str(range, "start", start);
	cj_set_str(range, "end", end);
	cJSON_AddItemToArray(ranges, range);
	cj_set(fixed, "dateTimeRanges", ranges);
	return schedule_over(have_sched, id, cj_str(holiday, "name"), "Fixed", "fixedSchedule",
	    fixed);
}

static cJSON *
association(const cJSON *have_assoc, const char *type, const char *sched_id,
    const char *flow_id)
{
	cJSON *mine = cj_object();

	cj_set_str(mine, "type", type);
	cj_set_str(mine, "scheduleId", sched_id);
	cj_set_str(mine, "callFlowId", flow_id);
	cj_set(mine, "enabled", cJSON_CreateTrue());
	return laid_over(have_assoc, mine);
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
	return text_same(cj_str(assoc, "type"), type);
}

/* Whether the options say the auto attendant is open around the clock. */
static bool
always_open(const cJSON *opts)
{
	const cJSON *hours = arg_get(opts, "business_hours");

	return cJSON_IsArray(hours) && cJSON_GetArraySize(hours) == 0;
}

/* The after-hours association in h (or NULL) and the call flow and schedule it names. */
static const cJSON *
after_hours_in(const struct handling *h, const cJSON **flow, const cJSON **sched)
{
	const cJSON *a;

	*flow = NULL;
	*sched = NULL;
	cJSON_ArrayForEach(a, h->assocs)
		if (is_type(a, "AfterHours")) {
			*flow = cj_find(h->flows, "id", cj_str(a, "callFlowId"));
			*sched = cj_find(h->schedules, "id", cj_str(a, "scheduleId"));
			return a;
		}
	return NULL;
}

/*
 * business_hours without an after-hours call flow to go with them, or
 * after_hours without business hours, neither given nor already there.
 */
static int
after_hours_refused(struct core_ctx *ctx, const char *name, const cJSON *opts,
    const cJSON *have_flow, const cJSON *have_sched)
{
	if (!cJSON_IsObject(arg_get(opts, "after_hours")) && !have_flow)
		return core_error(ctx, CORE_EREFUSED, "business_hours needs after_hours: "
		    "auto attendant '%s' has no after-hours call flow yet; say what callers "
		    "hear outside business hours with after_hours", name);
	if (!cJSON_IsArray(arg_get(opts, "business_hours")) && !have_sched)
		return core_error(ctx, CORE_EREFUSED, "after_hours needs business_hours: "
		    "auto attendant '%s' has no business hours yet; give them with "
		    "business_hours", name);
	return CORE_OK;
}

/* The after-hours part: business_hours and after_hours. */
static int
want_after_hours(struct handling *h, struct enc *e)
{
	const cJSON *hours = arg_get(e->opts, "business_hours");
	const cJSON *spec = arg_get(e->opts, "after_hours");
	const cJSON *have_assoc, *have_flow, *have_sched;
	char sid[37], fid[37];
	cJSON *flow = NULL, *sched;
	int rc;

	have_assoc = after_hours_in(h, &have_flow, &have_sched);
	if (always_open(e->opts)) {
		/* Open around the clock: no after-hours call flow. */
		if (have_assoc)
			handling_drop(h, have_assoc);
		return CORE_OK;
	}
	rc = after_hours_refused(e->ctx, e->name, e->opts, have_flow, have_sched);
	if (rc)
		return rc;
	id_of(fid, have_flow, e->name, "after hours call flow", NULL);
	id_of(sid, have_sched, e->name, "after hours schedule", NULL);
	if (cJSON_IsObject(spec)) {
		rc = automatic_flow(&flow, e, have_flow, fid, "After hours call flow", spec,
		    "after_hours");
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
		if (is_type(a, "Holiday") && text_same(cj_str(s, "name"), name))
			return a;
	}
	return NULL;
}

/* The holidays part: the options' holidays, and no others. */
static int
want_holidays(struct handling *h, struct enc *e)
{
	const cJSON *hols = arg_get(e->opts, "holidays"), *hol, *have_assoc, *x;
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
		id_of(sid, have_sched, e->name, "holiday schedule", name);
		id_of(fid, have_flow, e->name, "holiday call flow", name);
		where = xasprintf("holiday '%s'", name);
		rc = automatic_flow(&flow, e, have_flow, fid, name, hol, where);
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

/* An array of have's key, copied, or a new empty one. */
static cJSON *
have_list(const cJSON *have, const char *key)
{
	const cJSON *x = cJSON_GetObjectItem(have, key);

	return cJSON_IsArray(x) ? cj_dup(x) : cj_array();
}

/* The call handling lists of have, copied. */
static void
handling_init(struct handling *h, const cJSON *have)
{
	h->flows = have_list(have, "callFlows");
	h->schedules = have_list(have, "schedules");
	h->assocs = have_list(have, "callHandlingAssociations");
}

static void
handling_release(struct handling *h)
{
	cJSON_Delete(h->flows);
	cJSON_Delete(h->schedules);
	cJSON_Delete(h->assocs);
}

/* Whether the options name business hours or the after-hours call flow. */
static bool
names_after_hours(const cJSON *opts)
{
	return arg_isset(opts, "business_hours") || arg_isset(opts, "after_hours");
}

int
aacodec_check(struct core_ctx *ctx, const char *name, const cJSON *opts, const cJSON *have)
{
	struct handling h;
	const cJSON *flow, *sched;
	int rc;

	if (!names_after_hours(opts) || always_open(opts))
		return CORE_OK;
	handling_init(&h, have);
	after_hours_in(&h, &flow, &sched);
	rc = after_hours_refused(ctx, name, opts, flow, sched);
	handling_release(&h);
	return rc;
}

/* callFlows, schedules and callHandlingAssociations, when the options name them. */
static int
want_handling(cJSON *want, struct enc *e)
{
	bool after = names_after_hours(e->opts);
	bool holidays = arg_isset(e->opts, "holidays");
	struct handling h;
	int rc = CORE_OK;

	if (!after && !holidays)
		return CORE_OK;
	handling_init(&h, e->have);
	if (after)
		rc = want_after_hours(&h, e);
	if (!rc && holidays)
		rc = want_holidays(&h, e);
	if (rc) {
		handling_release(&h);
		return rc;
	}
	cj_set(want, "callFlows", h.flows);
	cj_set(want, "schedules", h.schedules);
	cj_set(want, "callHandlingAssociations", prioritised(h.assocs));
	return CORE_OK;
}

/* The operator: a user or a resource account, as resolved. */
static int
want_operator(cJSON *want, struct enc *e)
{
	const char *op = arg_str(e->opts, "operator"), *id;
	const cJSON *acct;
	cJSON *o;
	int rc;

	if (!op)
		return CORE_OK;
	rc = resolved_id(&id, e, op, "operator");
	if (rc)
		return rc;
	acct = cJSON_GetObjectItem(e->resolved, op);
	o = cj_object();
	cj_set_str(o, "id", id);
	cj_set_str(o, "type", text_same(cj_str(acct, "kind"), "user") ? "User" :
	    "ApplicationEndpoint");
	cj_set(want, "operator", aacodec_overlay(cJSON_GetObjectItem(e->have, "operator"), o));
	cJSON_Delete(o);
	return CORE_OK;
}

static int
want_scope(cJSON *want, struct enc *e)
{
	const cJSON *groups = arg_get(e->opts, "dial_scope_groups"), *g;
	cJSON *scope, *incl, *gs, *ids;
	const char *id;
	int rc;

	if (!cJSON_IsArray(groups))
		return CORE_OK;
	ids = cj_array();
	cJSON_ArrayForEach(g, groups) {
		rc = resolved_id(&id, e, g->valuestring, "dial_scope_groups");
		if (rc) {
			cJSON_Delete(ids);
			return rc;
		}
		if (!cj_has_str(ids, id))
			cj_push_str(ids, id);
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

static int
encode(cJSON *w, struct enc *e)
{
	static const struct { const char *opt, *field; } plain[] = {
		{ "language", "languageId" },
		{ "time_zone", "timeZoneId" },
	};
	const char *voice = arg_str(e->opts, "voice");
	const cJSON *have_op;
	cJSON *flow = NULL;
	size_t i;
	int rc;

	cj_set_str(w, "name", e->have ? cj_str(e->have, "name") : e->name);
	for (i = 0; i < ARRAY_SIZE(plain); i++)
		if (arg_str(e->opts, plain[i].opt))
			cj_set_str(w, plain[i].field, arg_str(e->opts, plain[i].opt));
	if (voice)
		cj_set_str(w, "voiceId", strcmp(voice, "male") == 0 ? "Male" : "Female");
	if (arg_isset(e->opts, "voice_inputs"))
		cj_set(w, "voiceResponseEnabled",
		    cJSON_CreateBool(arg_bool(e->opts, "voice_inputs")));
	rc = want_default_flow(&flow, e);
	if (rc)
		return rc;
	if (flow)
		cj_set(w, "defaultCallFlow", flow);
	rc = want_operator(w, e);
	if (rc)
		return rc;
	rc = want_scope(w, e);
	if (rc)
		return rc;
	rc = want_handling(w, e);
	if (rc)
		return rc;
	have_op = cJSON_GetObjectItem(e->have, "operator");
	if (e->operator_where && !cJSON_IsObject(cJSON_GetObjectItem(w, "operator")) &&
	    !(cJSON_IsObject(have_op) && cj_str(have_op, "id")))
		return core_error(e->ctx, CORE_EREFUSED, "%s transfers to the operator, but "
		    "auto attendant '%s' has none; set operator", e->operator_where, e->name);
	return CORE_OK;
}

int
aacodec_encode(cJSON **want, struct core_ctx *ctx, const char *name, const cJSON *opts,
    const cJSON *have, const cJSON *resolved)
{
	struct enc e = { ctx, name, opts, have, resolved, NULL };
	cJSON *w = cj_object();
	int rc;

	*want = NULL;
	rc = encode(w, &e);
	free(e.operator_where);
	if (rc) {
		cJSON_Delete(w);
		return rc;
	}
	*want = w;
	return CORE_OK;
}

/* ---- decode ---- */

/* One decode: how to name ids, and where to say what is left out. */
struct dec {
	aacodec_name_fn name_of;
	const void *arg;
	cJSON *skipped;
};

static void
skip(const struct dec *d, const char *what)
{
	cj_push_str(d->skipped, what);
}

static const char *
name_of(const struct dec *d, const char *id)
{
	const char *n = d->name_of ? d->name_of(d->arg, id) : NULL;

	return n ? n : id;
}

/*
 * The text of a list of prompts that is one text-to-speech prompt.
 * @return 1 with *text set, 0 when the list is empty, -1 when it is anything else
 */
static int
single_tts(const cJSON *prompts, const char **text)
{
	const cJSON *p = cJSON_GetArrayItem(prompts, 0);

	*text = NULL;
	if (!prompts || cJSON_GetArraySize(prompts) == 0)
		return 0;
	if (cJSON_GetArraySize(prompts) != 1 || !text_same(cj_str(p, "activeType"), "TextToSpeech") ||
	    !cj_str(p, "textToSpeechPrompt") || !*cj_str(p, "textToSpeechPrompt"))
		return -1;
	*text = cj_str(p, "textToSpeechPrompt");
	return 1;
}

/* action (and target) of one menu option; false when it cannot be expressed. */
static bool
action_of(cJSON *out, const struct dec *d, const cJSON *opt)
{
	const char *action = cj_str(opt, "action");
	const cJSON *target = cJSON_GetObjectItem(opt, "callTarget");
	const char *type = cj_str(target, "type"), *id = cj_str(target, "id");

	if (text_same(action, "TransferCallToOperator")) {
		cj_set_str(out, "action", "operator");
	} else if (text_same(action, "DisconnectCall")) {
		cj_set_str(out, "action", "disconnect");
	} else if (text_same(action, "TransferCallToTarget") && id && text_same(type, "User")) {
		cj_set_str(out, "action", "user");
		cj_set_str(out, "target", name_of(d, id));
	} else if (text_same(action, "TransferCallToTarget") && id && text_same(type, "ApplicationEndpoint")) {
		cj_set_str(out, "action", "resource_account");
		cj_set_str(out, "target", name_of(d, id));
	} else if (text_same(action, "TransferCallToTarget") && id && text_same(type, "SharedVoicemail")) {
		cj_set_str(out, "action", "voicemail");
		cj_set_str(out, "target", id);
	} else {
		return false;
	}
	return true;
}

static cJSON *
menu_of(const struct dec *d, const cJSON *options)
{
	cJSON *menu = cj_array(), *m;
	const cJSON *o;
	const char *key;

	cJSON_ArrayForEach(o, options) {
		m = cj_object();
		key = key_of(cj_str(o, "dtmfResponse"));
		if (key)
			cj_set_str(m, "key", key);
		if (!key || !action_of(m, d, o)) {
			cJSON_Delete(m);
			cJSON_Delete(menu);
			skip(d, "the menu");
			return NULL;
		}
		cJSON_AddItemToArray(menu, m);
	}
	return menu;
}

static cJSON *
business_hours_of(const struct dec *d, const cJSON *sched)
{
	const cJSON *weekly = cJSON_GetObjectItem(sched, "weeklyRecurrentSchedule"), *r;
	cJSON *hours = cj_array(), *h, *e;
	char key[20], start[9], end[9];
	bool ok = cJSON_IsObject(weekly);
	int i;

	for (i = 0; ok && i < 7; i++) {
		snprintf(key, sizeof(key), "%sHours", days[i]);
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(weekly, key)) {
			if (!short_time(start, cj_str(r, "start")) ||
			    !short_time(end, cj_str(r, "end"))) {
				ok = false;
				break;
			}
			e = NULL;
			cJSON_ArrayForEach(h, hours)
				if (strcmp(cj_str(h, "start"), start) == 0 &&
				    strcmp(cj_str(h, "end"), end) == 0)
					e = h;
			if (!e) {
				e = cj_object();
				cj_set(e, "days", cj_array());
				cj_set_str(e, "start", start);
				cj_set_str(e, "end", end);
				cJSON_AddItemToArray(hours, e);
			}
			cj_push_str(cJSON_GetObjectItem(e, "days"), days[i]);
		}
	}
	if (ok)
		return hours;
	cJSON_Delete(hours);
	skip(d, "the business hours");
	return NULL;
}

/* greeting and action of a call flow that plays a greeting and does one thing. */
static bool
flow_of(cJSON *out, const struct dec *d, const cJSON *flow)
{
	const cJSON *opts = cJSON_GetObjectItem(cJSON_GetObjectItem(flow, "menu"), "menuOptions");
	const char *text;
	int n = single_tts(cJSON_GetObjectItem(flow, "greetings"), &text);

	if (n < 0 || cJSON_GetArraySize(opts) != 1)
		return false;
	if (n > 0)
		cj_set_str(out, "greeting", text);
	return action_of(out, d, cJSON_GetArrayItem(opts, 0));
}

static double
priority(const cJSON *assoc)
{
	const cJSON *p = cJSON_GetObjectItem(assoc, "priority");

	return cJSON_IsNumber(p) ? p->valuedouble : 1e9;
}

/* business_hours, after_hours and holidays, from the call handling associations. */
static void
handling_of(cJSON *opts, const struct dec *d, const cJSON *aa)
{
	const cJSON *assocs = cJSON_GetObjectItem(aa, "callHandlingAssociations");
	const cJSON *flows = cJSON_GetObjectItem(aa, "callFlows");
	const cJSON *scheds = cJSON_GetObjectItem(aa, "schedules");
	const cJSON *x, *s, *f, *ranges, *after = NULL;
	const cJSON **hol;
	cJSON *holidays, *h, *hours, *ah;
	char start[20], end[20];
	size_t nhol = 0, i, j;

	hol = xcalloc((size_t)cJSON_GetArraySize(assocs) + 1, sizeof(*hol));
	cJSON_ArrayForEach(x, assocs) {
		if (is_type(x, "AfterHours"))
			after = x;
		else if (is_type(x, "Holiday"))
			hol[nhol++] = x;
	}
	if (after) {
		s = cj_find(scheds, "id", cj_str(after, "scheduleId"));
		f = cj_find(flows, "id", cj_str(after, "callFlowId"));
		if (!s)
			skip(d, "the business hours (their schedule is missing)");
		hours = s ? business_hours_of(d, s) : NULL;
		ah = cj_object();
		if (hours && f && flow_of(ah, d, f)) {
			cj_set(opts, "business_hours", hours);
			cj_set(opts, "after_hours", ah);
		} else {
			if (hours)
				skip(d, "the after-hours call flow");
			cJSON_Delete(hours);
			cJSON_Delete(ah);
		}
	}
	/* In the order of their priority, which the module gives them again. */
	for (i = 1; i < nhol; i++)
		for (j = i; j > 0 && priority(hol[j - 1]) > priority(hol[j]); j--) {
			x = hol[j];
			hol[j] = hol[j - 1];
			hol[j - 1] = x;
		}
	holidays = nhol ? cj_array() : NULL;
	for (i = 0; i < nhol; i++) {
		s = cj_find(scheds, "id", cj_str(hol[i], "scheduleId"));
		f = cj_find(flows, "id", cj_str(hol[i], "callFlowId"));
		ranges = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "fixedSchedule"),
		    "dateTimeRanges");
		h = cj_object();
		if (!s || !f || !cj_str(s, "name") || cJSON_GetArraySize(ranges) != 1 ||
		    !short_datetime(start, cj_str(cJSON_GetArrayItem(ranges, 0), "start")) ||
		    !short_datetime(end, cj_str(cJSON_GetArrayItem(ranges, 0), "end"))) {
			cJSON_Delete(h);
			cJSON_Delete(holidays);
			holidays = NULL;
			skip(d, "the holidays");
			break;
		}
		cj_set_str(h, "name", cj_str(s, "name"));
		cj_set_str(h, "start", start);
		cj_set_str(h, "end", end);
		cJSON_AddItemToArray(holidays, h);
		if (!flow_of(h, d, f)) {
			cJSON_Delete(holidays);
			holidays = NULL;
			skip(d, "the holidays");
			break;
		}
	}
	if (holidays)
		cj_set(opts, "holidays", holidays);
	free(hol);
}

cJSON *
aacodec_decode(const cJSON *aa, aacodec_name_fn name_fn, const void *arg, cJSON *skipped)
{
	const struct dec dd = { name_fn, arg, skipped }, *d = &dd;
	const cJSON *flow = cJSON_GetObjectItem(aa, "defaultCallFlow");
	const cJSON *menu = cJSON_GetObjectItem(flow, "menu");
	const cJSON *incl = cJSON_GetObjectItem(cJSON_GetObjectItem(aa, "directoryLookupScope"),
	    "inclusionScope");
	const cJSON *vr = cJSON_GetObjectItem(aa, "voiceResponseEnabled"), *ops, *groups;
	const char *method = cj_str(menu, "directorySearchMethod"), *text, *voice, *op;
	cJSON *opts = cj_object(), *m;
	int n;

	cj_set_str(opts, "name", cj_str(aa, "name"));
	if (cj_str(aa, "languageId"))
		cj_set_str(opts, "language", cj_str(aa, "languageId"));
	voice = cj_str(aa, "voiceId");
	if (text_same(voice, "Female") || text_same(voice, "Male"))
		cj_set_str(opts, "voice", text_same(voice, "Male") ? "male" : "female");
	if (cj_str(aa, "timeZoneId"))
		cj_set_str(opts, "time_zone", cj_str(aa, "timeZoneId"));
	if (cJSON_IsBool(vr))
		cj_set(opts, "voice_inputs", cJSON_CreateBool(cJSON_IsTrue(vr)));
	n = single_tts(cJSON_GetObjectItem(flow, "greetings"), &text);
	if (n > 0)
		cj_set_str(opts, "greeting", text);
	else if (n < 0)
		skip(d, "the greeting (not one text-to-speech prompt)");
	if (text_same(method, "ByName") || text_same(method, "ByExtension") || text_same(method, "None")) {
		cj_set(opts, "dial_by_name", cJSON_CreateBool(text_same(method, "ByName")));
		cj_set(opts, "dial_by_extension", cJSON_CreateBool(text_same(method, "ByExtension")));
	}
	groups = cJSON_GetObjectItem(cJSON_GetObjectItem(incl, "groupDialScope"), "groupIds");
	if (text_same(cj_str(incl, "type"), "Customized") && cJSON_IsArray(groups)) {
		cj_set(opts, "dial_scope_groups", cj_dup(groups));
	} else if (text_same(cj_str(incl, "type"), "Customized")) {
		skip(d, "the dial scope (customized, without a group list)");
	} else if (text_same(cj_str(incl, "type"), "Default")) {
		cj_set(opts, "dial_scope_groups", cj_array());
	}
	n = single_tts(cJSON_GetObjectItem(menu, "prompts"), &text);
	if (n > 0)
		cj_set_str(opts, "menu_prompt", text);
	else if (n < 0)
		skip(d, "the menu prompt (not one text-to-speech prompt)");
	ops = cJSON_GetObjectItem(menu, "menuOptions");
	if (cJSON_GetArraySize(ops) > 0 && (m = menu_of(d, ops)))
		cj_set(opts, "menu", m);
	op = cj_str(cJSON_GetObjectItem(aa, "operator"), "id");
	if (op && *op)
		cj_set_str(opts, "operator", name_of(d, op));
	handling_of(opts, d, aa);
	return opts;
}
