/*
 * teams_resource_account - a Teams resource account (the account a Shared
 * Calling policy's number and auto attendant hang on): created through the
 * Teams admin API, given a usage location and its licences through Graph,
 * waited for until the Teams side finds it, and deleted as an Entra user
 * after its number and licences are released.
 *
 * The account is read from both sides: Graph (tenant_user_get: id, UPN,
 * usage location, licences) and Teams (ta_resource_account_get: display
 * name, application id, number). A UPN that names a user is refused.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "cj.h"
#include "graph.h"
#include "http.h"
#include "module.h"
#include "numbers.h"
#include "perm.h"
#include "policies.h"
#include "reconcile.h"
#include "svc.h"
#include "policyassign.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "upn", ARG_STR, .required = true, ARG_NAME(ARG_LEN_UPN) },
	{ "display_name", ARG_STR, ARG_LINE(ARG_LEN_DISPLAY_NAME) },
	{ "type", ARG_STR, .def = "\"auto_attendant\"", .choices = "auto_attendant|call_queue" },
	{ "usage_location", ARG_STR, ARG_NAME(8) },
	{ "licenses", ARG_LIST, .elements = ARG_STR,
	  .def = "[\"" TENANT_SKU_RESOURCE_ACCOUNT "\"]", ARG_NAME(ARG_LEN_NAME) },
	{ "purge_licenses", ARG_BOOL, .def = "false" },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "force", ARG_BOOL, .def = "false" },
	{ "wait", ARG_BOOL, .def = "true" },
	{ "wait_timeout", ARG_INT, .def = "300" },
	{ "voice_routing_policy", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "snapshot", ARG_PATH },
	ARG_END
};

/* Fields of the returned account that never take part in a comparison. */
static const char *const ignored[] = { "objectId", "phoneNumber", NULL };
static const char *const casefolded[] = { "userPrincipalName", "applicationId",
	"voiceRoutingPolicy", NULL };
static const char *const license_field[] = { "licenses", NULL };

/* Everything one run knows; released by req_release(). */
struct req {
	const char *upn;
	const char *display_name;
	const char *app_id;
	char usage_location[3];    /* "" when not set */
	bool purge;
	bool force;
	bool wait;
	int wait_timeout;
	const char *vrp;           /* voice_routing_policy: a name, "" for none, NULL to leave */
	cJSON *teams_user;         /* Teams view of the account (its direct grants), or NULL */
	cJSON *user;               /* Graph user, or NULL when there is none */
	cJSON *ra;                 /* Teams application instance, or NULL */
	enum tenant_account kind;
	cJSON *skus;
	cJSON *want_ids;           /* skuIds asked for, no duplicates */
	cJSON *want_names;         /* their part numbers, same order */
	cJSON *add_ids;            /* skuIds to assign */
	cJSON *remove_ids;         /* skuIds to remove (purge_licenses) */
};

static void
req_release(void *req)
{
	struct req *r = req;

	cJSON_Delete(r->teams_user);
	cJSON_Delete(r->user);
	cJSON_Delete(r->ra);
	cJSON_Delete(r->skus);
	cJSON_Delete(r->want_ids);
	cJSON_Delete(r->want_names);
	cJSON_Delete(r->add_ids);
	cJSON_Delete(r->remove_ids);
}

/* Checks the options before any network call. */
static int
validate(void *req, struct core_ctx *ctx, const cJSON *params)
{
	struct req *r = req;
	const char *ul = arg_str(params, "usage_location");
	const cJSON *l;
	long long t;

	r->upn = arg_str(params, "upn");
	if (!text_is_guid(r->upn) && !text_is_upn(r->upn))
		return core_error(ctx, CORE_EARGS, "upn '%s' is not a user principal name; "
		    "give name@domain, e.g. mainline@contoso.com, or an object id", r->upn);
	r->display_name = arg_str(params, "display_name");
	if (r->display_name && !*r->display_name)
		return core_error(ctx, CORE_EARGS, "display_name must not be empty");
	r->app_id = strcmp(arg_str(params, "type"), "call_queue") == 0 ?
	    TA_APP_CALL_QUEUE : TA_APP_AUTO_ATTENDANT;
	r->usage_location[0] = '\0';
	if (ul) {
		if (strlen(ul) != 2 || !isalpha((unsigned char)ul[0]) ||
		    !isalpha((unsigned char)ul[1]))
			return core_error(ctx, CORE_EARGS, "usage_location '%s' is not a "
			    "two-letter ISO 3166-1 country code such as US or GB", ul);
		r->usage_location[0] = (char)toupper((unsigned char)ul[0]);
		r->usage_location[1] = (char)toupper((unsigned char)ul[1]);
		r->usage_location[2] = '\0';
	}
	cJSON_ArrayForEach(l, arg_get(params, "licenses"))
		if (!cJSON_IsString(l) || !*l->valuestring)
			return core_error(ctx, CORE_EARGS, "licenses must not hold an "
			    "empty name; give SKU part numbers such as %s, or skuIds",
			    TENANT_SKU_RESOURCE_ACCOUNT);
	r->purge = arg_bool(params, "purge_licenses");
	r->force = arg_bool(params, "force");
	r->wait = arg_bool(params, "wait");
	t = arg_int(params, "wait_timeout");
	if (t < 1 || t > 86400)
		return core_error(ctx, CORE_EARGS, "wait_timeout must be from 1 to 86400 "
		    "seconds, got %lld", t);
	r->wait_timeout = (int)t;
	r->vrp = arg_str(params, "voice_routing_policy");
	if (r->vrp && strncasecmp(r->vrp, "Tag:", 4) == 0)
		r->vrp += 4;
	if (r->vrp && strcasecmp(r->vrp, "Global") == 0)
		r->vrp = "";
	return CORE_OK;
}

/*
 * Polls the Teams side until it finds the account or wait_timeout passes:
 * a new resource account is "not found" there for a while (docs/design/rules.md#ec-1).
 */
static int
wait_for_teams(cJSON **ra, struct core_ctx *ctx, const char *id, const char *upn,
    int timeout_s)
{
	time_t deadline = time(NULL) + timeout_s;
	long delay = 1000;
	int rc;

	for (;;) {
		rc = ta_resource_account_get(ra, ctx, id);
		if (rc != CORE_ENOTFOUND)
			return rc;
		if (time(NULL) >= deadline)
			return core_error(ctx, CORE_ETIMEOUT, "the Teams admin service still "
			    "does not find resource account '%s' after %ds (\"The user '%s' "
			    "is not found\" while it replicates); run the task again later "
			    "or raise wait_timeout", upn, timeout_s, id);
		http_wait_ms(delay);
		delay = delay * 2 > 10000 ? 10000 : delay * 2;
	}
}

/* Graph may lag the Teams create by a moment: wait for the new user. */
static int
wait_for_graph(cJSON **user, struct core_ctx *ctx, const char *upn, int timeout_s)
{
	time_t deadline = time(NULL) + (timeout_s > 30 ? timeout_s : 30);
	long delay = 1000;
	int rc;

	for (;;) {
		rc = tenant_user_get(user, ctx, upn);
		if (rc != CORE_ENOTFOUND)
			return rc;
		if (time(NULL) >= deadline)
			return core_error(ctx, CORE_ETIMEOUT, "resource account '%s' was "
			    "created but Graph does not find it; run the task again later",
			    upn);
		http_wait_ms(delay);
		delay = delay * 2 > 10000 ? 10000 : delay * 2;
	}
}

/*
 * The voice routing policy granted directly to the account, from its Teams
 * view: a name, or NULL when it has none (the Global one applies).
 */
static const char *
direct_voice_routing(const cJSON *teams_user)
{
	const char *kind, *name = tenant_effective(teams_user, TA_VOICE_ROUTING, &kind);

	return kind && strcasecmp(kind, "direct") == 0 ? name : NULL;
}

/* The account as the module returns it, under the services' field names. */
static cJSON *
account_view(const cJSON *user, const cJSON *ra, const cJSON *skus,
    const cJSON *teams_user)
{
	cJSON *v = cJSON_CreateObject();
	const char *name = ra ? cj_str(ra, "displayName") : NULL;
	const char *app = ra ? cj_str(ra, "applicationId") : NULL;
	const char *ul = cj_str(user, "usageLocation");
	const char *phone = ra ? cj_str(ra, "phoneNumber") : NULL;

	if (!v)
		BUG("out of memory");
	if (!name)
		name = cj_str(user, "displayName");
	if (phone && strncasecmp(phone, "tel:", 4) == 0)
		phone = phone + 4;
	cJSON_AddItemToObject(v, "objectId", cj_str(user, "id") ?
	    cJSON_CreateString(cj_str(user, "id")) : cJSON_CreateNull());
	cJSON_AddItemToObject(v, "userPrincipalName", cj_str(user, "userPrincipalName") ?
	    cJSON_CreateString(cj_str(user, "userPrincipalName")) : cJSON_CreateNull());
	cJSON_AddItemToObject(v, "displayName", name ? cJSON_CreateString(name) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(v, "applicationId", app ? cJSON_CreateString(app) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(v, "usageLocation", ul && *ul ? cJSON_CreateString(ul) :
	    cJSON_CreateNull());
	cJSON_AddItemToObject(v, "licenses", tenant_user_sku_names(user, skus));
	cJSON_AddItemToObject(v, "phoneNumber", phone && *phone ?
	    cJSON_CreateString(phone) : cJSON_CreateNull());
	if (teams_user) {
		const char *vrp = direct_voice_routing(teams_user);

		/* No direct grant reads as "Global", the policy that then applies. */
		cJSON_AddStringToObject(v, "voiceRoutingPolicy", vrp ? vrp : "Global");
	}
	return v;
}

/*
 * Reads the account's direct grants when voice_routing_policy takes part
 * and Teams can see the account.
 */
static int
read_voice_routing(struct req *r, struct core_ctx *ctx)
{
	int rc;

	cJSON_Delete(r->teams_user);
	r->teams_user = NULL;
	if (!r->vrp || !r->ra)
		return CORE_OK;
	rc = ta_user_get(&r->teams_user, ctx, cj_str(r->user, "id"));
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_ESERVICE, "the Teams admin service lists "
		    "resource account '%s' but has no user view of it", r->upn);
	return rc;
}

/*
 * The voice routing policy to grant must exist; a Direct Routing account
 * needs one with PSTN usages (Microsoft's Shared Calling setup).
 */
static int
check_voice_routing(struct req *r, struct core_ctx *ctx)
{
	cJSON *pol = NULL;
	const cJSON *usages;
	int rc;

	if (!r->vrp || !*r->vrp)
		return CORE_OK;
	rc = ta_policy_get(&pol, ctx, TA_VOICE_ROUTING, r->vrp);
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_EREFUSED, "voice routing policy '%s' does not "
		    "exist; create it first (dialtone.teams_phone.teams_voice_routing_policy)",
		    r->vrp);
	if (rc)
		return rc;
	usages = cJSON_GetObjectItem(pol, "OnlinePstnUsages");
	if (cJSON_GetArraySize(usages) == 0)
		core_warn(ctx, "voice routing policy '%s' has no PSTN usages: a Direct "
		    "Routing resource account needs one with usages for its Shared Calling "
		    "users to call out", r->vrp);
	cJSON_Delete(pol);
	return CORE_OK;
}

/* Reads the account from both sides. */
static int
read_account(void *req, struct core_ctx *ctx)
{
	struct req *r = req;
	const char *id;
	int rc;

	rc = tenant_user_get(&r->user, ctx, r->upn);
	if (rc == CORE_ENOTFOUND)
		return CORE_OK;
	if (rc)
		return rc;
	rc = tenant_account_kind(&r->kind, &r->ra, ctx, r->user);
	if (rc)
		return rc;
	if (r->kind == TENANT_ACCOUNT_USER)
		return core_error(ctx, CORE_EREFUSED, "'%s' is a user, not a resource "
		    "account; this module only manages resource accounts: choose "
		    "another upn", r->upn);
	if (r->kind != TENANT_ACCOUNT_RESOURCE) {
		cJSON_Delete(r->ra);    /* a userConfiguration, if anything */
		r->ra = NULL;
	}
	if (r->kind == TENANT_ACCOUNT_REPLICATING && r->wait &&
	    strcmp(arg_str(ctx->params, "state"), "present") == 0) {
		id = cj_str(r->user, "id");
		rc = wait_for_teams(&r->ra, ctx, id, r->upn, r->wait_timeout);
		if (rc)
			return rc;
		r->kind = TENANT_ACCOUNT_RESOURCE;
	}
	rc = read_voice_routing(r, ctx);
	if (rc)
		return rc;
	return tenant_skus(&r->skus, ctx);
}

/* Resolves the licences asked for; unknown names are an error. */
static int
resolve_licenses(struct req *r, struct core_ctx *ctx)
{
	const cJSON *l, *sku;
	char *known;
	const char *id, *part;

	r->want_ids = cj_array();
	r->want_names = cj_array();
	cJSON_ArrayForEach(l, arg_get(ctx->params, "licenses")) {
		sku = tenant_sku_find(r->skus, l->valuestring);
		if (!sku) {
			known = cj_join(r->skus, "skuPartNumber", ", ", false);
			core_error(ctx, CORE_EARGS, "licence '%s' is not a SKU of the tenant; "
			    "give a part number or skuId of one of: %s", l->valuestring,
			    known);
			free(known);
			return CORE_EARGS;
		}
		id = cj_str(sku, "skuId");
		part = cj_str(sku, "skuPartNumber");
		if (!id || cj_has_str(r->want_ids, id))
			continue;
		cj_push_str(r->want_ids, id);
		cj_push_str(r->want_names, part ? part : id);
	}
	return CORE_OK;
}

/* Licences to add and (with purge_licenses) to remove. */
static void
plan_licenses(struct req *r)
{
	cJSON *have = r->user ? tenant_user_sku_ids(r->user) : cj_array();
	const cJSON *x;

	r->add_ids = cj_array();
	r->remove_ids = cj_array();
	cJSON_ArrayForEach(x, r->want_ids)
		if (!cj_has_str(have, x->valuestring))
			cj_push_str(r->add_ids, x->valuestring);
	if (r->purge)
		cJSON_ArrayForEach(x, have)
			if (!cj_has_str(r->want_ids, x->valuestring))
				cj_push_str(r->remove_ids, x->valuestring);
	cJSON_Delete(have);
}

/* A licence to add needs a free unit (N7): refused before any write. */
static int
check_free_units(struct req *r, struct core_ctx *ctx)
{
	const cJSON *x, *sku, *pre;
	double enabled, consumed;

	cJSON_ArrayForEach(x, r->add_ids) {
		sku = tenant_sku_find(r->skus, x->valuestring);
		if (cJSON_GetObjectItem(sku, "freeUnits")->valuedouble >= 1)
			continue;
		pre = cJSON_GetObjectItem(sku, "prepaidUnits");
		enabled = cJSON_IsNumber(cJSON_GetObjectItem(pre, "enabled")) ?
		    cJSON_GetObjectItem(pre, "enabled")->valuedouble : 0;
		consumed = cJSON_IsNumber(cJSON_GetObjectItem(sku, "consumedUnits")) ?
		    cJSON_GetObjectItem(sku, "consumedUnits")->valuedouble : 0;
		return core_error(ctx, CORE_EREFUSED, "licence '%s' has no free unit "
		    "(%.0f enabled, %.0f assigned) for '%s': free one or add units to "
		    "the subscription, then run again",
		    cj_str(sku, "skuPartNumber") ? cj_str(sku, "skuPartNumber") : x->valuestring,
		    enabled, consumed, r->upn);
	}
	return CORE_OK;
}

/* What the task asks for, under the returned field names. */
static cJSON *
want_view(const struct req *r, bool create)
{
	cJSON *w = cJSON_CreateObject();
	char *local = NULL, *at;

	if (!w)
		BUG("out of memory");
	if (create)
		cJSON_AddStringToObject(w, "userPrincipalName", r->upn);
	/* While Teams cannot be read its side is left alone (wait: false). */
	if (r->display_name && (create || r->ra)) {
		cJSON_AddStringToObject(w, "displayName", r->display_name);
	} else if (create) {
		local = xstrdup(r->upn);
		at = strchr(local, '@');
		if (at)
			*at = '\0';
		cJSON_AddStringToObject(w, "displayName", local);
		free(local);
	}
	if (create || r->ra)
		cJSON_AddStringToObject(w, "applicationId", r->app_id);
	if (r->usage_location[0])
		cJSON_AddStringToObject(w, "usageLocation", r->usage_location);
	cJSON_AddItemToObject(w, "licenses", cJSON_Duplicate(r->want_names, 1));
	/* A grant needs the account visible to Teams: new, or seen now. */
	if (r->vrp && (create || r->ra))
		cJSON_AddStringToObject(w, "voiceRoutingPolicy", *r->vrp ? r->vrp : "Global");
	return w;
}

struct account_intent {
	struct req *r;
	const cJSON *want;
	bool found;        /* the lookup found it: r->user is set */
};

static int
account_create_once(struct core_ctx *ctx, void *arg)
{
	struct account_intent *a = arg;
	cJSON *made = NULL;
	bool ambiguous = false;
	int rc;

	rc = ta_resource_account_create(&made, &ambiguous, ctx, a->r->upn,
	    cj_str(a->want, "displayName"), a->r->app_id);
	cJSON_Delete(made);
	return rc;
}

/* By the user principal name the create used. */
static int
account_lookup(struct core_ctx *ctx, void *arg)
{
	struct account_intent *a = arg;
	int rc;

	cJSON_Delete(a->r->user);
	a->r->user = NULL;
	rc = tenant_user_get(&a->r->user, ctx, a->r->upn);
	a->found = rc == CORE_OK;
	return rc;
}

/* Creates the account, reconciled: never two accounts for one intent. */
static int
create_account(struct req *r, struct core_ctx *ctx, const cJSON *want)
{
	struct account_intent a = { r, want, false };
	int rc;

	rc = svc_create_reconciled(ctx, account_create_once, account_lookup, &a);
	if (rc || a.found)
		return rc;
	return wait_for_graph(&r->user, ctx, r->upn, r->wait_timeout);
}

static int
apply_present(struct req *r, struct core_ctx *ctx, const struct plan *p)
{
	const cJSON *ch = p->changes;
	const char *id;
	char *what;
	int rc;

	/* Every Graph write below is allowed before the first one is made. */
	what = xasprintf("%s resource account '%s'", p->create ? "creating" : "updating",
	    r->upn);
	rc = CORE_OK;
	if (cJSON_GetObjectItem(ch, "usageLocation"))
		rc = perm_require(ctx, SVC_GRAPH, PERM_USER_WRITE, what);
	if (!rc && (cJSON_GetArraySize(r->add_ids) || cJSON_GetArraySize(r->remove_ids)))
		rc = perm_require(ctx, SVC_GRAPH, PERM_LICENSE_WRITE, what);
	free(what);
	if (rc)
		return rc;
	if (p->create) {
		rc = create_account(r, ctx, p->after);
		if (rc)
			return rc;
	}
	id = cj_str(r->user, "id");
	if (!id)
		return core_error(ctx, CORE_ESERVICE, "graph: resource account '%s' was read "
		    "back without an id (the answer is malformed); run the task again", r->upn);
	if (cJSON_GetObjectItem(ch, "usageLocation")) {
		rc = tenant_set_usage_location(ctx, id, r->usage_location);
		if (rc)
			return rc;
	}
	if (cJSON_GetArraySize(r->add_ids) || cJSON_GetArraySize(r->remove_ids)) {
		rc = tenant_assign_licenses(ctx, id, r->add_ids, r->remove_ids);
		if (rc)
			return rc;
	}
	/* The Teams update is refused app-only (see run_present()): Graph renames. */
	if (!p->create && cJSON_GetObjectItem(ch, "displayName")) {
		rc = tenant_user_set_display_name(ctx, id, cj_str(p->after, "displayName"));
		if (rc)
			return rc;
	}
	if (p->create && r->wait) {
		rc = wait_for_teams(&r->ra, ctx, id, r->upn, r->wait_timeout);
		if (rc)
			return rc;
	}
	if (cJSON_GetObjectItem(ch, "voiceRoutingPolicy") ||
	    (p->create && r->vrp && *r->vrp)) {
		rc = pa_grant_one(ctx, id, TA_VOICE_ROUTING, r->vrp);
		if (rc)
			return rc;
	}
	return CORE_OK;
}

/* Re-reads the account after the writes. */
static int
reread(struct req *r, struct core_ctx *ctx)
{
	cJSON *user = NULL, *ra = NULL;
	int rc;

	rc = tenant_user_get(&user, ctx, cj_str(r->user, "id"));
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE, "resource account '%s' is gone "
		    "right after it was written", r->upn);
	if (rc)
		return rc;
	cJSON_Delete(r->user);
	r->user = user;
	rc = ta_resource_account_get(&ra, ctx, cj_str(user, "id"));
	if (rc == CORE_ENOTFOUND) {
		core_warn(ctx, "the Teams admin service does not find resource account "
		    "'%s' yet; applicationId and phoneNumber are unknown until it does",
		    r->upn);
		rc = CORE_OK;
	}
	if (rc)
		return rc;
	cJSON_Delete(r->ra);
	r->ra = ra;
	rc = read_voice_routing(r, ctx);
	if (rc)
		return rc;
	cJSON_Delete(r->skus);
	r->skus = NULL;
	return tenant_skus(&r->skus, ctx);
}

static int
run_present(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	struct reconcile_opts opts = {
		.ignore = ignored, .casefold = casefolded,
		.unordered = r->purge ? license_field : NULL,
		.additive = r->purge ? NULL : license_field,
	};
	struct plan p = { 0 };
	cJSON *org = NULL, *have = NULL, *want = NULL, *now;
	char *domains;
	const char *ul;
	int rc = CORE_OK;

	if (!r->skus)
		rc = tenant_skus(&r->skus, ctx);
	if (!rc)
		rc = resolve_licenses(r, ctx);
	if (rc)
		goto out;
	if (!r->user) {
		if (text_is_guid(r->upn)) {
			rc = core_error(ctx, CORE_EARGS, "no resource account with object "
			    "id '%s' in the tenant; give a UPN to create one", r->upn);
			goto out;
		}
		rc = tenant_organization(&org, ctx);
		if (rc)
			goto out;
		if (!tenant_domain_verified(org, r->upn)) {
			domains = cj_join(cJSON_GetObjectItem(org, "verifiedDomains"), "name", ", ", false);
			rc = core_error(ctx, CORE_EREFUSED, "the domain of upn '%s' is not a "
			    "verified domain of the tenant; use one of: %s", r->upn, domains);
			free(domains);
			goto out;
		}
	}
	plan_licenses(r);
	ul = r->user ? cj_str(r->user, "usageLocation") : NULL;
	if (!r->usage_location[0] && (!ul || !*ul) &&
	    (!r->user || cJSON_GetArraySize(r->add_ids))) {
		rc = core_error(ctx, CORE_EARGS, "usage_location is required: '%s' has no "
		    "usage location, and licences cannot be assigned without one; set "
		    "usage_location, e.g. US", r->upn);
		goto out;
	}
	rc = check_free_units(r, ctx);
	if (rc)
		goto out;
	if (r->vrp && *r->vrp && !r->user && !r->wait) {
		rc = core_error(ctx, CORE_EARGS, "voice_routing_policy needs the new "
		    "resource account '%s' visible to Teams, which wait: false skips; set "
		    "wait: true, or grant the policy in a later run", r->upn);
		goto out;
	}
	rc = check_voice_routing(r, ctx);
	if (rc)
		goto out;
	if (r->user && !r->ra)
		core_warn(ctx, "the Teams admin service does not find resource account "
		    "'%s' yet (wait: false); display_name and type were not compared",
		    r->upn);
	have = r->user ? account_view(r->user, r->ra, r->skus, r->teams_user) : NULL;
	want = want_view(r, !r->user);
	reconcile_plan(&p, want, have, &opts);
	/*
	 * Set-CsOnlineApplicationInstance is not supported with application
	 * authentication (Learn, "Application-based authentication in Teams
	 * PowerShell module"), and this collection signs in app-only: a type
	 * change is refused before anything is written.
	 */
	if (!p.create && cJSON_GetObjectItem(p.changes, "applicationId")) {
		rc = core_error(ctx, CORE_EREFUSED, "changing the type of resource account "
		    "'%s' (its applicationId, %s to %s) is refused: Microsoft does not support "
		    "Set-CsOnlineApplicationInstance with application authentication, the "
		    "app-only sign-in this collection uses. Change it in the Teams admin "
		    "center, or create a new account of that type; a display_name change "
		    "alone goes through Graph and works", r->upn,
		    cj_str(p.before, "applicationId") ? cj_str(p.before, "applicationId") : "none",
		    cj_str(p.after, "applicationId") ? cj_str(p.after, "applicationId") : "none");
		goto out;
	}
	res->changed = p.changed;
	if (p.changed)
		result_add_diff(res, ctx, cJSON_Duplicate(p.before, 1),
		    cJSON_Duplicate(p.after, 1), "resource_account (current)",
		    "resource_account (desired)");
	if (!p.changed || ctx->check_mode) {
		cJSON *shown = cJSON_Duplicate(p.changed ? p.after : have, 1);
		const cJSON *id = cJSON_GetObjectItem(have, "objectId");

		/* An account that exists keeps its id in a check run's prediction. */
		if (shown && cJSON_IsString(id) && !cJSON_GetObjectItem(shown, "objectId"))
			cJSON_AddStringToObject(shown, "objectId", id->valuestring);
		result_put(res, "resource_account", shown);
		goto out;
	}
	rc = apply_present(r, ctx, &p);
	if (rc)
		goto out;
	rc = reread(r, ctx);
	if (rc)
		goto out;
	now = account_view(r->user, r->ra, r->skus, r->teams_user);
	if (r->vrp && r->ra) {
		/* A grant takes effect asynchronously: report what was granted. */
		cJSON_DeleteItemFromObject(now, "voiceRoutingPolicy");
		cJSON_AddStringToObject(now, "voiceRoutingPolicy", *r->vrp ? r->vrp : "Global");
	}
	result_put(res, "resource_account", now);
out:
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
	cJSON_Delete(org);
	return rc;
}

static int
run_absent(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	struct reconcile_opts strip = { .ignore = ignored };
	cJSON *policies = NULL, *numbers = NULL, *have = NULL, *ids = NULL;
	const cJSON *n;
	const char *id;
	char *names = NULL;
	int rc = CORE_OK;

	res->changed = false;
	if (!r->user) {
		result_put(res, "resource_account", cJSON_CreateObject());
		return CORE_OK;
	}
	id = cj_str(r->user, "id");
	rc = tenant_shared_calling_policies_of(&policies, ctx, id);
	if (rc)
		goto out;
	names = cj_join(policies, NULL, ", ", true);
	if (cJSON_GetArraySize(policies) && !r->force) {
		rc = core_error(ctx, CORE_EREFUSED, "resource account '%s' is the resource "
		    "account of Shared Calling policies %s; point them at another "
		    "resource account or remove them first, or set force: true", r->upn,
		    names);
		goto out;
	}
	rc = tenant_numbers_of(&numbers, ctx, id);
	if (rc)
		goto out;
	have = account_view(r->user, r->ra, r->skus, r->teams_user);
	res->changed = true;
	result_add_diff(res, ctx, reconcile_strip(have, &strip), NULL,
	    "resource_account (current)", "resource_account (desired)");
	result_put(res, "resource_account", cJSON_CreateObject());
	if (ctx->check_mode)
		goto out;
	{
		char *what = xasprintf("removing resource account '%s'", r->upn);
		cJSON *skus = tenant_user_sku_ids(r->user);
		int nskus = cJSON_GetArraySize(skus);

		cJSON_Delete(skus);
		rc = cJSON_GetArraySize(numbers) ? perm_require(ctx, SVC_GRAPH,
		    PERM_NUMBER_WRITE, what) : CORE_OK;
		if (!rc && nskus)
			rc = perm_require(ctx, SVC_GRAPH, PERM_LICENSE_WRITE, what);
		if (!rc)
			rc = perm_require(ctx, SVC_GRAPH, PERM_USER_WRITE, what);
		free(what);
		if (rc) {
			res->changed = false;
			goto out;
		}
	}
	/* Number first, else it can stay pending (Learn, manage resource accounts). */
	cJSON_ArrayForEach(n, numbers) {
		rc = tenant_number_unassign(ctx, cj_str(n, "telephoneNumber"),
		    cj_str(n, "numberType"), r->wait_timeout);
		if (rc)
			goto out;
	}
	ids = tenant_user_sku_ids(r->user);
	if (cJSON_GetArraySize(ids)) {
		rc = tenant_assign_licenses(ctx, id, NULL, ids);
		if (rc)
			goto out;
	}
	rc = tenant_user_delete(ctx, id);
	if (rc == CORE_ENOTFOUND)
		rc = CORE_OK;
	if (rc)
		goto out;
	if (cJSON_GetArraySize(policies))
		core_warn(ctx, "Shared Calling policies %s still name the deleted resource "
		    "account '%s': their users cannot call out until they name another",
		    names, r->upn);
out:
	free(names);
	cJSON_Delete(ids);
	cJSON_Delete(have);
	cJSON_Delete(numbers);
	cJSON_Delete(policies);
	return rc;
}

const struct module MODULE = {
	.name = "teams_resource_account",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.reads_snapshot = true,
	.req_size = sizeof(struct req),
	.validate = validate,
	.read = read_account,
	.present = run_present,
	.absent = run_absent,
	.release = req_release,
};
