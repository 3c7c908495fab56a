/*
 * teams_rollout_preflight - a whole Shared Calling rollout plan (every site
 * of shared_calling_sites and the tenant-wide policies it creates) checked
 * against the tenant before the first write, with the rules the modules
 * apply one object at a time (core/scrules.h). Every problem of every site
 * is listed at once, with the seed article's mistake number when it is one.
 * Read-only; the same in check mode.
 *
 * Reads, once each, whatever the number of sites: the licence inventory,
 * the voice routing, emergency call routing and Shared Calling policies, the
 * emergency addresses, every number assignment, the Teams view of the
 * resource accounts, every user's voice configuration; the resource
 * accounts' Entra side with one $batch (up to 20 a request) and each group's
 * members (one list per group).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "graph.h"
#include "module.h"
#include "numbers.h"
#include "perm.h"
#include "policies.h"
#include "routes.h"
#include "scrules.h"
#include "snapshot.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"
#include "userindex.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "sites", ARG_LIST, .elements = ARG_DICT, .required = true },
	{ "voice_routing_policies", ARG_LIST, .elements = ARG_DICT, .def = "[]" },
	{ "emergency_call_routing_policies", ARG_LIST, .elements = ARG_DICT, .def = "[]" },
	{ "fail_on_problem", ARG_BOOL, .def = "true" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

/* What tenant_user_get() selects, so that the snapshot holds the same. */
#define USER_SELECT "id,userPrincipalName,displayName,usageLocation,assignedLicenses,accountEnabled"

/* Everything read once; released by tenant_release(). */
struct tenant {
	cJSON *skus;
	cJSON *vrps;
	cJSON *ecrps;
	cJSON *ra_views;      /* Teams view of the resource accounts */
	cJSON *numbers;
	cJSON *locations;     /* ta_locations() */
	cJSON *addresses;     /* ta_group_addresses() */
	cJSON *configs;       /* userConfigurations, trimmed (tenant_config_trim()) */
	const cJSON **cfgv;   /* the same, as an array the indexes point into */
	struct uindex *cfg_upn;   /* lower-cased UPN -> position in cfgv */
	struct uindex *cfg_id;    /* lower-cased object id -> position in cfgv */
	cJSON *accounts;      /* Entra users of the sites' resource accounts, by UPN (null: none) */
	cJSON *members;       /* group id -> Entra members */
	cJSON *groups;        /* group id -> the group (null: none) */
};

static void
tenant_release(struct tenant *t)
{
	cJSON_Delete(t->skus);
	cJSON_Delete(t->vrps);
	cJSON_Delete(t->ecrps);
	cJSON_Delete(t->ra_views);
	cJSON_Delete(t->numbers);
	cJSON_Delete(t->locations);
	cJSON_Delete(t->addresses);
	cJSON_Delete(t->configs);
	free(t->cfgv);
	uindex_free(t->cfg_upn);
	uindex_free(t->cfg_id);
	cJSON_Delete(t->accounts);
	cJSON_Delete(t->members);
	cJSON_Delete(t->groups);
}

/* ---- small helpers ---- */

static const cJSON *
planned(const cJSON *list, const char *name)
{
	return cj_find(list, "name", ta_policy_name(name));
}

static const char *
user_name(const cJSON *config)
{
	return cj_str(config, "userPrincipalName") ? cj_str(config, "userPrincipalName") :
	    cj_str(config, "id") ? cj_str(config, "id") : "?";
}

/* ---- reads ---- */

/* One account of read_accounts(): under its UPN, null when there is none. */
static void
batch_account(void *arg, size_t i, cJSON *user)
{
	struct tenant *t = ((void **)arg)[0];
	const cJSON *upns = ((void **)arg)[1];

	cJSON_AddItemToObject(t->accounts, cJSON_GetArrayItem(upns, (int)i)->valuestring,
	    user ? user : cJSON_CreateNull());
}

/* The Entra side of every site's resource account, by UPN, in one $batch. */
static int
read_accounts(struct tenant *t, struct core_ctx *ctx, const cJSON *sites)
{
	cJSON *upns = cj_array();
	const char **refs = NULL;
	void *arg[2] = { t, upns };
	const cJSON *s;
	const char *upn;
	size_t i, n;
	int rc;

	t->accounts = cj_object();
	cJSON_ArrayForEach(s, sites) {
		upn = cj_str(cJSON_GetObjectItem(s, "resource_account"), "upn");
		if (!text_empty(upn) && !cj_has_str(upns, upn))
			cj_push_str(upns, upn);
	}
	n = (size_t)cJSON_GetArraySize(upns);
	refs = xcalloc(n + 1, sizeof(*refs));
	for (i = 0; i < n; i++)
		refs[i] = cJSON_GetArrayItem(upns, (int)i)->valuestring;
	rc = tenant_users_batch(ctx, refs, n, USER_SELECT, batch_account, arg);
	free(refs);
	cJSON_Delete(upns);
	return rc;
}

static const cJSON *
group_of(const cJSON *site)
{
	const cJSON *g = cJSON_GetObjectItem(cJSON_GetObjectItem(site, "users"), "group");

	return cJSON_IsObject(g) && !text_empty(cj_str(g, "id")) ? g : NULL;
}

/* The members of every group the sites grant to; a group that does not exist is null. */
static int
read_groups(struct tenant *t, struct core_ctx *ctx, const cJSON *sites)
{
	const cJSON *s, *g;
	cJSON *members = NULL, *group = NULL;
	const char *id;
	int rc;

	t->members = cJSON_CreateObject();
	t->groups = cJSON_CreateObject();
	if (!t->members || !t->groups)
		BUG("out of memory");
	cJSON_ArrayForEach(s, sites) {
		if (!(g = group_of(s)))
			continue;
		id = cj_str(g, "id");
		if (cJSON_GetObjectItemCaseSensitive(t->members, id))
			continue;
		rc = tenant_group_get(&group, ctx, id);
		cJSON_AddItemToObject(t->groups, id, group ? group : cJSON_CreateNull());
		group = NULL;
		if (rc == CORE_ENOTFOUND) {
			core_error_clear(ctx);
			cJSON_AddItemToObject(t->members, id, cJSON_CreateNull());
			continue;
		}
		if (!rc)
			rc = tenant_group_members(&members, ctx, id);
		if (rc)
			return rc;
		cJSON_AddItemToObject(t->members, id, members);
		members = NULL;
	}
	return CORE_OK;
}

/* The policy types the checks read from a user's configuration. */
static const char *const kept_types[] = {
	TA_SHARED_CALLING, TA_VOICE_ROUTING, TA_EMERGENCY_ROUTING, NULL
};

/* One page of userConfigurations: each trimmed, then kept. */
static int
configs_page(cJSON *items, const cJSON *page, void *arg)
{
	struct tenant *t = arg;
	cJSON *c = items->child, *next;

	(void)page;
	for (; c; c = next) {
		next = c->next;
		tenant_config_trim(c, kept_types);
		cJSON_AddItemToArray(t->configs, cJSON_DetachItemViaPointer(items, c));
	}
	return CORE_OK;
}

/* Every user's voice configuration, page by page, indexed by UPN and id. */
static int
read_configs(struct tenant *t, struct core_ctx *ctx)
{
	const cJSON *c;
	size_t n = 0;
	int rc;

	t->configs = cJSON_CreateArray();
	if (!t->configs)
		BUG("out of memory");
	rc = graph_list_each(ctx, route_get(RT_G_USER_CONFIGS)->path, NULL,
	    configs_page, t);
	if (rc)
		return rc;
	t->cfgv = xcalloc((size_t)cJSON_GetArraySize(t->configs) + 1, sizeof(*t->cfgv));
	t->cfg_upn = uindex_new((size_t)cJSON_GetArraySize(t->configs));
	t->cfg_id = uindex_new((size_t)cJSON_GetArraySize(t->configs));
	cJSON_ArrayForEach(c, t->configs) {
		t->cfgv[n] = c;
		uindex_put(t->cfg_upn, cj_str(c, "userPrincipalName"), n);
		uindex_put(t->cfg_id, cj_str(c, "id"), n);
		n++;
	}
	return CORE_OK;
}

/* The configuration of a user given by UPN or object id, or NULL. */
static const cJSON *
config_of(const struct tenant *t, const char *key, bool by_upn)
{
	size_t i;

	if (by_upn && uindex_get(t->cfg_upn, key, &i))
		return t->cfgv[i];
	if (uindex_get(t->cfg_id, key, &i))
		return t->cfgv[i];
	return NULL;
}

static int
read_tenant(struct tenant *t, struct core_ctx *ctx, const cJSON *sites)
{
	int rc;

	if ((rc = tenant_skus(&t->skus, ctx)) ||
	    (rc = ta_policies(&t->vrps, ctx, TA_VOICE_ROUTING)) ||
	    (rc = ta_policies(&t->ecrps, ctx, TA_EMERGENCY_ROUTING)) ||
	    (rc = ta_users(&t->ra_views, ctx, "ResourceAccount")) ||
	    (rc = tenant_numbers(&t->numbers, ctx, NULL)) ||
	    (rc = ta_locations(&t->locations, ctx)) ||
	    (rc = read_configs(t, ctx)) ||
	    (rc = read_accounts(t, ctx, sites)) ||
	    (rc = read_groups(t, ctx, sites)))
		return rc;
	t->addresses = ta_group_addresses(t->locations);
	return CORE_OK;
}

/* ---- the snapshot for the check runs of the sites ---- */

struct snap {
	const struct tenant *t;
	struct snapshot_out *w;
};

/* One page of the user list: a line per user, with its voice configuration. */
static int
snapshot_page(cJSON *items, const cJSON *page, void *arg)
{
	struct snap *sn = arg;
	const cJSON *u, *cfg;
	size_t i;
	char *line;
	int rc = CORE_OK;

	(void)page;
	cJSON_ArrayForEach(u, items) {
		cJSON *o = cJSON_CreateObject();
		const char *id = cj_str(u, "id");

		if (!o)
			BUG("out of memory");
		cfg = id && uindex_get(sn->t->cfg_id, id, &i) ? sn->t->cfgv[i] : NULL;
		cJSON_AddItemToObject(o, "id", cJSON_CreateString(id ? id : ""));
		if (cj_str(u, "userPrincipalName"))
			cJSON_AddStringToObject(o, "userPrincipalName", cj_str(u, "userPrincipalName"));
		cJSON_AddItemToObject(o, "assignedLicenses",
		    cJSON_Duplicate(cJSON_GetObjectItem(u, "assignedLicenses"), 1));
		cJSON_AddItemToObject(o, "configuration",
		    cfg ? cJSON_Duplicate(cfg, 1) : cJSON_CreateNull());
		line = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!line)
			BUG("out of memory");
		rc = snapshot_line(sn->w, line);
		free(line);
		if (rc)
			break;
	}
	return rc;
}

/*
 * The resource accounts as ta_resource_account_get() answers them, from
 * their Teams view (which lists every resource account, licensed or not).
 */
static cJSON *
resource_accounts(const cJSON *views)
{
	cJSON *out = cj_array(), *o;
	const cJSON *v;

	cJSON_ArrayForEach(v, views) {
		o = cj_object();
		cj_set_str(o, "objectId", cj_str(v, "objectId"));
		cj_set_str(o, "userPrincipalName", cj_str(v, "userPrincipalName"));
		cj_set_str(o, "displayName", cj_str(v, "displayName"));
		cj_set_str(o, "applicationId", cj_str(v, "applicationId"));
		cj_set_str(o, "phoneNumber", cj_str(v, "lineUri"));
		cj_set_str(o, "tenantId", cj_str(v, "tenantId"));
		cj_push(out, o);
	}
	return out;
}

/* The sites' resource accounts' Entra users, by UPN and by id (null: none). */
static cJSON *
accounts(const cJSON *by_upn)
{
	cJSON *out = cj_dup(by_upn);
	const cJSON *u;

	cJSON_ArrayForEach(u, by_upn)
		if (cj_str(u, "id"))
			cj_set(out, cj_str(u, "id"), cj_dup(u));
	return out;
}

/* Puts a policy type's instances under its kind; consumes list. */
static void
put_policies(cJSON *kinds, const char *type, cJSON *list)
{
	char *kind = snapshot_policy_kind(type);

	cj_set(kinds, kind, list);
	free(kind);
}

/* Reads a policy type's group grants under its kind. */
static int
put_grants(cJSON *kinds, struct core_ctx *ctx, const char *type)
{
	char *kind;
	cJSON *grants = NULL;
	int rc = ta_group_grants(&grants, ctx, type);

	if (rc)
		return rc;
	kind = snapshot_grants_kind(type);
	cj_set(kinds, kind, grants);
	free(kind);
	return CORE_OK;
}

/*
 * Writes the tenant as read (snapshot.h): the kinds the sites' modules
 * read, then every user of the tenant (id, UPN, licences) with its voice
 * configuration, one JSON object a line, which teams_user_voice streams.
 * What the checks above did not need is read here: the Shared Calling
 * policies, the PSTN usages, the auto attendants, the organization and,
 * when a site has a group, the group grants.
 */
static int
write_snapshot(const struct tenant *t, struct core_ctx *ctx, const char *path)
{
	struct snap sn = { t, NULL };
	cJSON *kinds = cj_object(), *x = NULL, *pstn = NULL;
	char *list;
	int rc, end;

	if ((rc = ta_policies(&x, ctx, TA_SHARED_CALLING)))
		goto out;
	put_policies(kinds, TA_SHARED_CALLING, x);
	put_policies(kinds, TA_VOICE_ROUTING, cj_dup(t->vrps));
	put_policies(kinds, TA_EMERGENCY_ROUTING, cj_dup(t->ecrps));
	if ((rc = ta_policy_get(&pstn, ctx, TA_PSTN_USAGES, "Global")) == CORE_OK) {
		x = cj_array();
		cj_push(x, pstn);
		put_policies(kinds, TA_PSTN_USAGES, x);
	} else if (rc == CORE_ENOTFOUND) {
		rc = CORE_OK;    /* left out: read where needed, as without a snapshot */
	} else {
		goto out;
	}
	if ((rc = ta_auto_attendants(&x, ctx)))
		goto out;
	cj_set(kinds, SNAP_AUTO_ATTENDANTS, x);
	if ((rc = tenant_organization(&x, ctx)))
		goto out;
	cj_set(kinds, SNAP_ORGANIZATION, x);
	cj_set(kinds, SNAP_SKUS, cj_dup(t->skus));
	cj_set(kinds, SNAP_NUMBERS, cj_dup(t->numbers));
	cj_set(kinds, SNAP_LOCATIONS, cj_dup(t->locations));
	cj_set(kinds, SNAP_RA_VIEWS, cj_dup(t->ra_views));
	cj_set(kinds, SNAP_RESOURCE_ACCOUNTS, resource_accounts(t->ra_views));
	cj_set(kinds, SNAP_ACCOUNTS, accounts(t->accounts));
	if (t->groups && t->groups->child) {
		cj_set(kinds, SNAP_GROUPS, cj_dup(t->groups));
		cj_set(kinds, SNAP_GROUP_MEMBERS, cj_dup(t->members));
		/* The group grants the sites' group checks read. */
		if ((rc = put_grants(kinds, ctx, TA_SHARED_CALLING)) ||
		    (rc = put_grants(kinds, ctx, TA_VOICE_ROUTING)))
			goto out;
	}
	rc = snapshot_begin(&sn.w, ctx, path, kinds);
	cJSON_Delete(kinds);
	kinds = NULL;
	if (!rc) {
		list = route_path(RT_G_USERS_LIST, "id,userPrincipalName,assignedLicenses");
		rc = graph_list_each(ctx, list, NULL, snapshot_page, &sn);
		free(list);
	}
	end = snapshot_end(sn.w, rc == CORE_OK);
	if (!rc)
		rc = end;
out:
	cJSON_Delete(kinds);
	return rc;
}

/* ---- the plan, site by site ---- */

struct check {
	const struct tenant *t;
	const cJSON *vrp_plan;     /* voice_routing_policies */
	const cJSON *ecrp_plan;    /* emergency_call_routing_policies */
	const char *site;
	cJSON *problems;           /* of this site */
	struct uindex *seen;       /* user id -> the site (in seen_site) that lists it */
	const char **seen_site;    /* borrowed site names */
	size_t nseen, seen_cap;
};

/* The PSTN usages of a voice routing policy, planned first; false when unknown. */
static bool
vrp_usages(const struct check *c, const char *name, const cJSON **usages)
{
	const cJSON *p = planned(c->vrp_plan, name);

	*usages = NULL;
	if (p) {
		*usages = cJSON_GetObjectItem(p, "pstn_usages");
		return true;
	}
	p = ta_policy_find(c->t->vrps, text_empty(name) ? "Global" : name);
	if (!p)
		return false;
	*usages = cJSON_GetObjectItem(p, "OnlinePstnUsages");
	return true;
}

/* Whether an emergency call routing policy routes over a PSTN usage; false when unknown. */
static bool
ecrp_usages(const struct check *c, const char *name, bool *has)
{
	const cJSON *p = planned(c->ecrp_plan, name), *e;

	*has = false;
	if (p) {
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "emergency_numbers"))
			if (!text_empty(cj_str(e, "pstn_usage")))
				*has = true;
		return true;
	}
	p = ta_policy_find(c->t->ecrps, text_empty(name) ? "Global" : name);
	if (!p)
		return false;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(p, "EmergencyNumbers"))
		if (!text_empty(cj_str(e, "OnlinePSTNUsage")))
			*has = true;
	return true;
}

/* Mistake 1: the address the shared number gets exists or can be created. */
static void
check_address(struct check *c, const cJSON *site, const cJSON *rec, const char *n)
{
	const cJSON *want = cJSON_GetObjectItem(site, "emergency_address"), *have;
	const char *desc = cj_str(want, "description"), *country, *iso;

	have = cj_find(c->t->addresses, "description", desc);
	if (!have && (text_empty(cj_str(want, "company_name")) || text_empty(cj_str(want, "country")))) {
		sc_problem(c->problems, SC_MISTAKE_LOCATION, "emergency_address_missing",
		    desc ? desc : "", "emergency address '%s' does not exist and the site does "
		    "not give company_name and country to create it: shared number '%s' would "
		    "have no emergency location, and the Shared Calling policy cannot be saved "
		    "without one; give the address's fields or name an existing address",
		    desc ? desc : "", n);
		return;
	}
	country = have ? cj_str(have, "country") : cj_str(want, "country");
	iso = cj_str(rec, "isoCountryCode");
	if (!text_empty(country) && !text_empty(iso) && !text_same(country, iso))
		sc_problem(c->problems, SC_MISTAKE_LOCATION, "emergency_address_country",
		    desc ? desc : "", "emergency address '%s' is in %s but shared number '%s' "
		    "is a %s number: the number's emergency location must be in its own "
		    "country; give the site an address in %s", desc ? desc : "", country, n, iso,
		    iso);
}

/* The tenant-wide policy a site names exists or is planned. */
static void
check_named(struct check *c, const char *what, const char *name, bool known)
{
	if (text_empty(name) || text_same(name, "Global") || known)
		return;
	sc_problem(c->problems, SC_MISTAKE_NONE, "policy_not_found", name,
	    "%s '%s' does not exist and is not in the plan's tenant-wide policies; add it "
	    "there or correct the name", what, name);
}

/* The site's users as Teams configurations: direct members then group members. */
static void
site_users(struct check *c, const cJSON *site, const cJSON **list, size_t *n,
    cJSON *group_members)
{
	const cJSON *users = cJSON_GetObjectItem(site, "users"), *m, *g, *cfg, *gm;
	const char *other;
	size_t k = 0, j;

	cJSON_ArrayForEach(m, cJSON_GetObjectItem(users, "members")) {
		if (!cJSON_IsString(m))
			continue;
		cfg = config_of(c->t, m->valuestring, true);
		if (!cfg) {
			sc_problem(c->problems, SC_MISTAKE_NONE, "user_not_found", m->valuestring,
			    "user '%s' is not a Teams user of the tenant; correct users.members",
			    m->valuestring);
			continue;
		}
		other = uindex_get(c->seen, cj_str(cfg, "id"), &j) ? c->seen_site[j] : NULL;
		if (other && strcmp(other, c->site) != 0) {
			sc_problem(c->problems, SC_MISTAKE_NONE, "user_in_two_sites",
			    user_name(cfg), "'%s' is a member of site '%s' too: a user has one "
			    "Shared Calling policy, and each run would move it back and forth; "
			    "keep the user in one site", user_name(cfg), other);
		} else if (!other && cj_str(cfg, "id")) {
			if (c->nseen == c->seen_cap) {
				c->seen_cap = c->seen_cap ? c->seen_cap * 2 : 64;
				c->seen_site = xrealloc(c->seen_site,
				    c->seen_cap * sizeof(*c->seen_site));
			}
			c->seen_site[c->nseen] = c->site;
			uindex_put(c->seen, cj_str(cfg, "id"), c->nseen++);
		}
		list[k++] = cfg;
	}
	if ((g = group_of(site))) {
		gm = cJSON_GetObjectItemCaseSensitive(c->t->members, cj_str(g, "id"));
		if (cJSON_IsNull(gm))
			sc_problem(c->problems, SC_MISTAKE_NONE, "group_not_found", cj_str(g, "id"),
			    "group '%s' does not exist; give the object id of an Entra group in "
			    "users.group.id", cj_str(g, "id"));
		cJSON_ArrayForEach(m, gm) {
			cfg = config_of(c->t, cj_str(m, "id"), false);
			if (!cfg)
				continue;   /* not a Teams user: the grant does not reach it */
			cj_push_str(group_members, user_name(cfg));
			list[k++] = cfg;
		}
	}
	*n = k;
}

static void
check_users(struct check *c, const cJSON *site, const char *type)
{
	const cJSON *users = cJSON_GetObjectItem(site, "users");
	const cJSON *policy = cJSON_GetObjectItem(site, "policy");
	const char *pname = cj_str(policy, "name"), *mode = cj_str(users, "personal_number");
	const char *vrp = cj_str(users, "voice_routing_policy");
	const char *ecrp = cj_str(users, "emergency_call_routing_policy");
	const cJSON **list, *usages, *gm;
	cJSON *group_members = cJSON_CreateArray(), *nums;
	size_t n = 0, i, cap;
	bool known, has;
	char *who;

	if (!group_members)
		BUG("out of memory");
	cap = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(users, "members")) + 1;
	if (group_of(site)) {
		gm = cJSON_GetObjectItemCaseSensitive(c->t->members, cj_str(group_of(site), "id"));
		cap += (size_t)cJSON_GetArraySize(gm);
	}
	list = xcalloc(cap, sizeof(*list));
	site_users(c, site, list, &n, group_members);
	/* Mistake 2, every member, group members included. */
	for (i = 0; i < n; i++) {
		nums = tenant_personal_numbers(list[i]);
		sc_rule_personal_number(c->problems, user_name(list[i]), pname, nums,
		    mode ? mode : "keep");
		cJSON_Delete(nums);
	}
	/* SC11: the users' voice routing policy has no PSTN usages. */
	if (!text_empty(vrp)) {
		known = vrp_usages(c, vrp, &usages);
		check_named(c, "voice routing policy", vrp, known);
		who = xasprintf("the users of site '%s'", c->site);
		if (known)
			sc_rule_user_routing(c->problems, who, pname, vrp, usages);
		free(who);
	} else {
		for (i = 0; i < n; i++) {
			const char *v = ta_policy_name(tenant_effective_policy(list[i],
			    TA_VOICE_ROUTING));

			who = xasprintf("'%s'", user_name(list[i]));
			if (vrp_usages(c, v, &usages))
				sc_rule_user_routing(c->problems, who, pname, v, usages);
			free(who);
		}
	}
	/* The users' emergency call routing policy, per number type. */
	if (!text_empty(ecrp)) {
		known = ecrp_usages(c, ecrp, &has);
		check_named(c, "emergency call routing policy", ecrp, known);
		who = xasprintf("the users of site '%s'", c->site);
		if (known && (n > 0 || cJSON_GetArraySize(cJSON_GetObjectItem(users, "members"))))
			sc_rule_user_emergency_routing(c->problems, who, type, ecrp, has);
		free(who);
	} else {
		for (i = 0; i < n; i++) {
			const char *v = ta_policy_name(tenant_effective_policy(list[i],
			    TA_EMERGENCY_ROUTING));

			who = xasprintf("'%s'", user_name(list[i]));
			if (ecrp_usages(c, v, &has))
				sc_rule_user_emergency_routing(c->problems, who, type, v, has);
			free(who);
		}
	}
	free(list);
	cJSON_AddItemToObject((cJSON *)site, "_group_members", group_members);
}

/* The resource account's licences after the plan: the planned ones and those it keeps. */
static cJSON *
planned_licences(const struct check *c, const cJSON *ra, const cJSON *acct)
{
	const cJSON *given = cJSON_GetObjectItem(ra, "licenses"), *x, *sku;
	cJSON *parts = cJSON_IsObject(acct) ? tenant_user_sku_names(acct, c->t->skus) :
	    cJSON_CreateArray();

	if (!parts)
		BUG("out of memory");
	cJSON_ArrayForEach(x, given) {
		if (!cJSON_IsString(x))
			continue;
		sku = tenant_sku_find(c->t->skus, x->valuestring);
		if (!sku) {
			sc_problem(c->problems, SC_MISTAKE_LICENCE, "licence_not_found",
			    x->valuestring, "licence '%s' of resource account '%s' is not a SKU "
			    "of the tenant; give the part number of a subscription it has "
			    "(PHONESYSTEM_VIRTUALUSER, MCOPSTN_PAYG_1, MCOPSTNC, ...)",
			    x->valuestring, cj_str(ra, "upn"));
			continue;
		}
		if (cj_str(sku, "skuPartNumber") && !cj_has_str(parts, cj_str(sku, "skuPartNumber")))
			cj_push_str(parts, cj_str(sku, "skuPartNumber"));
	}
	return parts;
}

static void
check_site(struct check *c, const cJSON *site)
{
	const cJSON *ra = cJSON_GetObjectItem(site, "resource_account");
	const cJSON *num = cJSON_GetObjectItem(site, "number");
	const cJSON *policy = cJSON_GetObjectItem(site, "policy");
	const char *upn = cj_str(ra, "upn"), *given = cj_str(num, "number");
	const cJSON *acct = cJSON_GetObjectItemCaseSensitive(c->t->accounts, upn ? upn : "");
	const cJSON *rec, *view, *usages, *e;
	const char *type, *ra_id = cJSON_IsObject(acct) ? cj_str(acct, "id") : NULL;
	const char *vrp, *usage;
	char n[E164_MAX], en[E164_MAX];
	cJSON *parts, *ra_num;
	char *identity;
	bool known;

	if (!upn || !given)
		return;     /* the argument spec check reports it */
	if (e164_normalise(n, sizeof(n), given) != E164_OK) {
		sc_problem(c->problems, SC_MISTAKE_NONE, "number_invalid", given,
		    "shared number '%s' is not an E.164 number", given);
		return;
	}
	rec = sc_find_number(c->t->numbers, n);
	type = tenant_number_type(cj_str(num, "type"));
	if (!type)
		type = rec ? cj_str(rec, "numberType") : "directRouting";
	usage = cj_str(ra, "usage_location") ? cj_str(ra, "usage_location") :
	    cj_str(acct, "usageLocation");
	/* Availability, type, capability and country of the shared number. */
	sc_rule_shared_number(c->problems, upn, ra_id, usage, n, type, rec);
	/* Mistake 1 */
	check_address(c, site, rec, n);
	/* Mistakes 4 and 5 */
	parts = planned_licences(c, ra, acct);
	sc_rule_account_licences(c->problems, upn, type, parts, c->t->skus);
	cJSON_Delete(parts);
	/* Mistake 3, as Microsoft states it: a Direct Routing account's routing. */
	if (text_same(type, "directRouting")) {
		vrp = cj_str(ra, "voice_routing_policy");
		if (text_empty(vrp)) {
			view = ra_id ? cj_find(c->t->ra_views, "objectId", ra_id) : NULL;
			vrp = view ? ta_policy_name(tenant_effective_policy(view,
			    TA_VOICE_ROUTING)) : "Global";
		}
		known = vrp_usages(c, vrp, &usages);
		check_named(c, "voice routing policy", vrp, known);
		if (known)
			sc_rule_account_routing(c->problems, upn, n, vrp, usages);
	}
	/* Mistake 6: every emergency callback number against the shared number. */
	ra_num = cJSON_CreateObject();
	if (!ra_num || !cJSON_AddStringToObject(ra_num, "telephoneNumber", n) ||
	    !cJSON_AddStringToObject(ra_num, "numberType", type) ||
	    (cj_str(rec, "isoCountryCode") && !cJSON_AddStringToObject(ra_num,
	    "isoCountryCode", cj_str(rec, "isoCountryCode"))))
		BUG("out of memory");
	identity = xasprintf("Tag:%s", cj_str(policy, "name") ? cj_str(policy, "name") : "");
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(policy, "emergency_numbers")) {
		if (!cJSON_IsString(e))
			continue;
		if (e164_normalise(en, sizeof(en), e->valuestring) != E164_OK) {
			sc_problem(c->problems, SC_MISTAKE_CALLBACK, "callback_invalid",
			    e->valuestring, "emergency number '%s' is not an E.164 number",
			    e->valuestring);
			continue;
		}
		sc_rule_callback_number(c->problems, ra_num, en,
		    sc_find_number(c->t->numbers, en), identity);
	}
	if (cJSON_IsArray(cJSON_GetObjectItem(policy, "emergency_numbers")))
		sc_rule_toll_free(c->problems, upn, ra_num,
		    cJSON_GetArraySize(cJSON_GetObjectItem(policy, "emergency_numbers")));
	free(identity);
	cJSON_Delete(ra_num);
	/* Mistake 2 and the users' routing. */
	check_users(c, site, type);
}

/* ---- the module ---- */

/* Users named in one warning before "and N more". */
#define WARN_NAMED 10

/* One warning per site for the users who keep a personal number. */
static void
warn_kept(struct core_ctx *ctx, const char *site, const cJSON *names, int n)
{
	struct buf b = BUF_INIT((size_t)1 << 16);
	const cJSON *x;
	char *list;
	int k = 0;

	if (n == 0)
		return;
	cJSON_ArrayForEach(x, names)
		if (buf_addf(&b, "%s'%s'", k++ ? ", " : "", x->valuestring))
			BUG("out of memory");
	if ((n > k && buf_addf(&b, " and %d more", n - k)) || buf_adds(&b, ""))
		BUG("out of memory");
	list = buf_detach(&b, NULL);
	core_warn(ctx, "site '%s': %d user%s keep%s a personal number, which takes precedence "
	    "over Shared Calling (personal_number: keep; seed article mistake 2), so Shared "
	    "Calling does not apply to %s: %s; use personal_number: remove to release them, "
	    "or take them out of the site", site, n, n > 1 ? "s" : "", n > 1 ? "" : "s",
	    n > 1 ? "them" : "this user", list);
	free(list);
}

/* The plan's tenant-wide policies the tenant does not have yet. */
static cJSON *
new_policies(const struct check *c)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *p;

	if (!out)
		BUG("out of memory");
	cJSON_ArrayForEach(p, c->vrp_plan)
		if (cj_str(p, "name") && !ta_policy_find(c->t->vrps, cj_str(p, "name")))
			cj_push_str(out, cj_str(p, "name"));
	cJSON_ArrayForEach(p, c->ecrp_plan)
		if (cj_str(p, "name") && !ta_policy_find(c->t->ecrps, cj_str(p, "name")))
			cj_push_str(out, cj_str(p, "name"));
	return out;
}

/*
 * The Graph application permissions the rollout's writes need, checked
 * against the token's roles claim before anything is written (a token
 * without a roles claim proves nothing either way). Grants through Graph's
 * policy assignment are not among them: without that permission they go
 * through the Teams admin route instead.
 */
static const struct {
	const char *any_of;
	const char *what;
} needed_permissions[] = {
	{ PERM_USER_WRITE, "creating the resource accounts" },
	{ PERM_LICENSE_WRITE, "licensing the resource accounts" },
	{ PERM_NUMBER_WRITE, "assigning the shared numbers" },
};

static int
check_permissions(struct core_ctx *ctx, cJSON *problems)
{
	size_t i;
	int rc, granted;
	char *names;

	for (i = 0; i < sizeof(needed_permissions) / sizeof(needed_permissions[0]); i++) {
		rc = perm_check(&granted, ctx, SVC_GRAPH, needed_permissions[i].any_of);
		if (rc)
			return rc;
		if (granted != 0)
			continue;
		names = perm_names(needed_permissions[i].any_of);
		sc_problem(problems, SC_MISTAKE_NONE, "permission_missing", names,
		    "the app's Graph token lacks the application permission %s, which %s "
		    "needs; grant it with admin consent", names, needed_permissions[i].what);
		free(names);
	}
	return CORE_OK;
}

/* Adds problem p to the refusal text; site NULL: a problem of the whole tenant. */
static void
report_add(struct buf *b, const char *site, const cJSON *p, int *count)
{
	int m = cJSON_GetObjectItem(p, "mistake") ?
	    cJSON_GetObjectItem(p, "mistake")->valueint : 0;
	int rc;

	if (!site)
		rc = buf_addf(b, "%s%d. %s", *count ? "; " : "", *count + 1, cj_str(p, "msg"));
	else if (m)
		rc = buf_addf(b, "%s%d. site '%s', seed article mistake %d (%s): %s", *count ?
		    "; " : "", *count + 1, site, m, sc_mistake_title(m), cj_str(p, "msg"));
	else
		rc = buf_addf(b, "%s%d. site '%s': %s", *count ? "; " : "", *count + 1, site,
		    cj_str(p, "msg"));
	if (rc)
		BUG("out of memory");
	(*count)++;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	struct tenant t;
	struct check c;
	struct buf b = BUF_INIT((size_t)1 << 22);
	cJSON *sites = cJSON_Duplicate(arg_get(params, "sites"), 1);
	cJSON *problems = cJSON_CreateArray(), *warnings = cJSON_CreateArray();
	cJSON *out_sites = cJSON_CreateArray(), *o, *p, *next;
	const cJSON *s;
	cJSON *warned = NULL;
	char *text;
	int rc, count = 0, nwarn = 0;

	memset(&t, 0, sizeof(t));
	res->changed = false;
	memset(&c, 0, sizeof(c));
	c.seen = uindex_new(64);
	if (!sites || !problems || !warnings || !out_sites)
		BUG("out of memory");
	rc = svc_open(ctx);
	if (rc)
		goto out;
	rc = read_tenant(&t, ctx, sites);
	if (rc)
		goto out;
	if (arg_str(params, "snapshot")) {
		rc = write_snapshot(&t, ctx, arg_str(params, "snapshot"));
		if (rc)
			goto out;
		result_put(res, "snapshot", cJSON_CreateString(arg_str(params, "snapshot")));
	}
	c.t = &t;
	c.vrp_plan = arg_get(params, "voice_routing_policies");
	c.ecrp_plan = arg_get(params, "emergency_call_routing_policies");
	cJSON_ArrayForEach(s, sites) {
		c.site = cj_str(s, "name") ? cj_str(s, "name") : "?";
		c.problems = cJSON_CreateArray();
		warned = cJSON_CreateArray();
		nwarn = 0;
		if (!c.problems || !warned)
			BUG("out of memory");
		check_site(&c, s);
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "name", c.site))
			BUG("out of memory");
		cJSON_AddItemToObject(o, "group_members",
		    cJSON_DetachItemFromObject((cJSON *)s, "_group_members"));
		if (!cJSON_GetObjectItem(o, "group_members"))
			cJSON_AddItemToObject(o, "group_members", cJSON_CreateArray());
		for (p = c.problems->child; p; p = next) {
			next = p->next;
			cJSON_DetachItemViaPointer(c.problems, p);
			cJSON_AddStringToObject(p, "site", c.site);
			if (cJSON_IsTrue(cJSON_GetObjectItem(p, "warning"))) {
				if (nwarn++ < WARN_NAMED)
					cj_push_str(warned, cj_str(p, "subject"));
				cJSON_AddItemToArray(warnings, p);
			} else {
				report_add(&b, c.site, p, &count);
				cJSON_AddItemToArray(problems, p);
			}
		}
		cJSON_Delete(c.problems);
		cJSON_AddItemToArray(out_sites, o);
		warn_kept(ctx, c.site, warned, nwarn);
		cJSON_Delete(warned);
		warned = NULL;
	}
	/* What the app may do concerns every site: listed once, for the tenant. */
	c.problems = cJSON_CreateArray();
	if (!c.problems)
		BUG("out of memory");
	rc = check_permissions(ctx, c.problems);
	for (p = c.problems->child; !rc && p; p = next) {
		next = p->next;
		cJSON_DetachItemViaPointer(c.problems, p);
		cJSON_AddStringToObject(p, "site", "all sites");
		report_add(&b, NULL, p, &count);
		cJSON_AddItemToArray(problems, p);
	}
	cJSON_Delete(c.problems);
	c.problems = NULL;
	if (rc)
		goto out;
	result_put(res, "new_policies", new_policies(&c));
	result_put(res, "problems", problems);
	result_put(res, "warnings_found", warnings);
	result_put(res, "sites", out_sites);
	problems = warnings = out_sites = NULL;
	if (count && arg_bool(params, "fail_on_problem")) {
		if (buf_adds(&b, ""))
			BUG("out of memory");
		text = buf_detach(&b, NULL);
		rc = core_error(ctx, CORE_EREFUSED, "the plan has %d problem%s; nothing was "
		    "written: %s", count, count > 1 ? "s" : "", text);
		free(text);
	}
out:
	buf_release(&b);
	uindex_free(c.seen);
	free(c.seen_site);
	cJSON_Delete(warned);
	cJSON_Delete(sites);
	cJSON_Delete(problems);
	cJSON_Delete(warnings);
	cJSON_Delete(out_sites);
	tenant_release(&t);
	return rc;
}

const struct module MODULE = {
	.name = "teams_rollout_preflight",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.run = run,
};
