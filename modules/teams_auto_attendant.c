/*
 * teams_auto_attendant - the auto attendant that answers a Shared Calling
 * number (seed article step 5) and routes callers to people by name, by
 * extension or by menu key; its business hours, after-hours call flow and
 * holidays; its operator; and the resource accounts it answers for.
 *
 * The auto attendant is found by name, which must be unique. An update is a
 * read-modify-write of the whole object: the accounts and groups the task
 * names are resolved here, the task's options are mapped to the service's
 * shape by core/aacodec.c (docs/design/services.md#auto-attendants) and
 * compared with reconcile_plan(), and the
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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aacodec.h"
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

/* The call priority of a new link (the admin center's). */
#define DEFAULT_PRIORITY 3

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
	cJSON *ra_ids;       /* object ids of resource_accounts, in order, once each */
	cJSON *assoc;        /* associations read, keyed by resource account id */
};

static void
req_release(void *req)
{
	struct req *r = req;

	cJSON_Delete(r->all);
	cJSON_Delete(r->accounts);
	cJSON_Delete(r->want);
	cJSON_Delete(r->ra_ids);
	cJSON_Delete(r->assoc);
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
		if (!aacodec_parse_time(t, cj_str(a, "start"), &as))
			return core_error(ctx, CORE_EARGS, "business_hours: start '%s' is not a "
			    "time; give HH:MM such as 09:00", cj_str(a, "start"));
		if (!aacodec_parse_time(t, cj_str(a, "end"), &ae))
			return core_error(ctx, CORE_EARGS, "business_hours: end '%s' is not a "
			    "time; give HH:MM such as 17:00", cj_str(a, "end"));
		if (ae <= as)
			return core_error(ctx, CORE_EARGS, "business_hours: end '%s' is not "
			    "after start '%s'", cj_str(a, "end"), cj_str(a, "start"));
	}
	/* Ranges of one day must not overlap. */
	cJSON_ArrayForEach(a, hours) {
		aacodec_parse_time(t, cj_str(a, "start"), &as);
		aacodec_parse_time(t, cj_str(a, "end"), &ae);
		for (b = a->next; b; b = b->next) {
			aacodec_parse_time(t, cj_str(b, "start"), &bs);
			aacodec_parse_time(t, cj_str(b, "end"), &be);
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
		if (!aacodec_parse_datetime(start, cj_str(h, "start")))
			return core_error(ctx, CORE_EARGS, "holiday '%s': start '%s' is not a "
			    "date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM", name, cj_str(h, "start"));
		if (!aacodec_parse_datetime(end, cj_str(h, "end")))
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
		if (!aacodec_dtmf_of(key))
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
validate(void *req, struct core_ctx *ctx, const cJSON *params)
{
	struct req *r = req;
	const cJSON *x, *ah = arg_get(params, "after_hours");
	const char *s;
	long long prio;
	int rc;

	r->params = params;
	r->name = arg_str(params, "name");
	r->purge = arg_bool(params, "purge_resource_accounts");
	if (!*r->name)
		return core_error(ctx, CORE_EARGS, "name must not be empty");
	s = arg_str(params, "language");
	if (s && !aacodec_is_language(s))
		return core_error(ctx, CORE_EARGS, "language '%s' is not a language tag; give "
		    "one such as en-US or fr-FR", s);
	s = arg_str(params, "time_zone");
	if (s && !*s)
		return core_error(ctx, CORE_EARGS, "time_zone must not be empty; give a "
		    "Windows time zone id such as UTC or Pacific Standard Time");
	if (arg_bool(params, "dial_by_name") &&
	    arg_bool(params, "dial_by_extension"))
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
	prio = arg_int_or(params, "call_priority", DEFAULT_PRIORITY);
	if (prio < 1 || prio > 5)
		return core_error(ctx, CORE_EARGS, "call_priority must be from 1 to 5, got %lld",
		    prio);
	return CORE_OK;
}

/* ---- reading ---- */

/* Finds the auto attendant named r->name; two of that name are refused. */
static int
find_aa(void *req, struct core_ctx *ctx)
{
	struct req *r = req;
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

/* Resolves the target of an action: a user, a resource account or a group. */
static int
resolve_target(struct req *r, struct core_ctx *ctx, const char *action,
    const char *target, const char *where)
{
	const cJSON *acct;
	const char *gid;

	if (!action)
		return CORE_OK;
	if (strcmp(action, "user") == 0)
		return resolve_account(&acct, r, ctx, target, where, WANT_USER,
		    "use action resource_account to transfer to it");
	if (strcmp(action, "resource_account") == 0)
		return resolve_account(&acct, r, ctx, target, where, WANT_RESOURCE,
		    "use action user to transfer to it");
	if (strcmp(action, "voicemail") == 0)
		return resolve_group(&gid, r, ctx, target, where);
	return CORE_OK;
}

/* The targets of a list of menu keys or holidays, each named "<what> '<item[key]>'". */
static int
resolve_targets(struct req *r, struct core_ctx *ctx, const cJSON *items, const char *key,
    const char *what)
{
	const cJSON *x;
	char *where;
	int rc;

	cJSON_ArrayForEach(x, items) {
		where = xasprintf("%s '%s'", what, cj_str(x, key));
		rc = resolve_target(r, ctx, cj_str(x, "action"), cj_str(x, "target"), where);
		free(where);
		if (rc)
			return rc;
	}
	return CORE_OK;
}

/*
 * Resolves every account and group the task names, in the order the object
 * names them (menu, operator, dial scope, after hours, holidays), refusing
 * unknown ones and ones of the wrong kind; r->accounts holds them after.
 * Business hours and an after-hours call flow that cannot go together are
 * refused before their targets are looked up.
 */
static int
resolve_task(struct req *r, struct core_ctx *ctx)
{
	const cJSON *x, *hours = arg_get(r->params, "business_hours");
	const cJSON *ah = arg_get(r->params, "after_hours");
	const char *op = arg_str(r->params, "operator"), *gid;
	const cJSON *acct;
	int rc;

	rc = resolve_targets(r, ctx, arg_get(r->params, "menu"), "key", "menu key");
	if (rc)
		return rc;
	if (op) {
		rc = resolve_account(&acct, r, ctx, op, "operator", WANT_ANY, NULL);
		if (rc)
			return rc;
	}
	cJSON_ArrayForEach(x, arg_get(r->params, "dial_scope_groups")) {
		rc = resolve_group(&gid, r, ctx, x->valuestring, "dial_scope_groups");
		if (rc)
			return rc;
	}
	rc = aacodec_check(ctx, r->name, r->params, r->have);
	if (rc)
		return rc;
	if (cJSON_IsObject(ah) && !(cJSON_IsArray(hours) && !cJSON_GetArraySize(hours))) {
		rc = resolve_target(r, ctx, cj_str(ah, "action"), cj_str(ah, "target"),
		    "after_hours");
		if (rc)
			return rc;
	}
	return resolve_targets(r, ctx, arg_get(r->params, "holidays"), "name", "holiday");
}

/*
 * The task as the object it asks for (only what it names), applicationInstances
 * excepted; refusals for unknown accounts and groups happen here.
 */
static int
build_want(struct req *r, struct core_ctx *ctx)
{
	int rc = resolve_task(r, ctx);

	if (rc)
		return rc;
	if (!r->accounts)
		r->accounts = cj_object();
	return aacodec_encode(&r->want, ctx, r->name, r->params, r->have, r->accounts);
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
		/* callPriority matters only to a task that sets call_priority. */
		rc = ta_association_get(&a, ctx, x->valuestring,
		    arg_isset(r->params, "call_priority"));
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

	l->priority = (int)arg_int_or(r->params, "call_priority", DEFAULT_PRIORITY);
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

/* The object to send: the current one (or a new one) with the task laid over it. */
static cJSON *
aa_body(const struct req *r)
{
	cJSON *base = r->have ? cj_dup(r->have) : aacodec_new(r->name), *body;
	cJSON *w = cj_dup(r->want);

	cJSON_DeleteItemFromObject(w, "applicationInstances");
	body = aacodec_overlay(base, w);
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
		rc = ta_association_get(&a, ctx, li->ids[i], true);
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
		rc = ta_association_get(&a, ctx, x->valuestring, true);
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
run_present(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
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
run_absent(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
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

const struct module MODULE = {
	.name = "teams_auto_attendant",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.reads_snapshot = true,
	.req_size = sizeof(struct req),
	.validate = validate,
	.read = find_aa,
	.present = run_present,
	.absent = run_absent,
	.release = req_release,
};
