/*
 * policies.c - users' voice state and policy instances: effective policies,
 * holders, safe removal, one write path for every policy type (see policies.h).
 */
#include "policies.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cj.h"
#include "e164.h"
#include "policyassign.h"
#include "reconcile.h"
#include "result.h"
#include "routes.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"

/* Deletes every member of obj whose name is not in keep (NULL-terminated). */
static void
keep_only(cJSON *obj, const char *const *keep)
{
	cJSON *x = obj ? obj->child : NULL, *next;
	size_t k;

	for (; x; x = next) {
		next = x->next;
		for (k = 0; keep[k]; k++)
			if (x->string && strcasecmp(x->string, keep[k]) == 0)
				break;
		if (!keep[k])
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, x));
	}
}

/* Deletes obj's member key when it is null. */
static void
drop_null(cJSON *obj, const char *key)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (x && cJSON_IsNull(x))
		cJSON_Delete(cJSON_DetachItemViaPointer(obj, x));
}

void
tenant_config_trim(cJSON *config, const char *const *types)
{
	static const char *const top[] = { "id", "userPrincipalName", "isEnterpriseVoiceEnabled",
		"telephoneNumbers", "effectivePolicyAssignments", NULL };
	static const char *const entry[] = { "policyType", "policyAssignment", NULL };
	static const char *const assignment[] = { "displayName", "assignmentType", "groupId", NULL };
	cJSON *e, *next, *list, *pa;
	const cJSON *t, *name, *kind;
	size_t k;

	if (!cJSON_IsObject(config))
		return;
	keep_only(config, top);
	list = cJSON_GetObjectItemCaseSensitive(config, "effectivePolicyAssignments");
	for (e = cJSON_IsArray(list) ? list->child : NULL; e; e = next) {
		next = e->next;
		t = cJSON_GetObjectItemCaseSensitive(e, "policyType");
		for (k = 0; types[k]; k++)
			if (cJSON_IsString(t) && strcasecmp(t->valuestring, types[k]) == 0)
				break;
		if (!types[k]) {
			cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
			continue;
		}
		keep_only(e, entry);
		pa = cJSON_GetObjectItemCaseSensitive(e, "policyAssignment");
		keep_only(pa, assignment);
		drop_null(pa, "groupId");
		/* Global, not assigned: the same as no entry (tenant_effective_policy()). */
		name = cJSON_GetObjectItemCaseSensitive(pa, "displayName");
		kind = cJSON_GetObjectItemCaseSensitive(pa, "assignmentType");
		if ((!kind || cJSON_IsNull(kind)) && (!cJSON_IsString(name) ||
		    !*name->valuestring || strcasecmp(name->valuestring, "Global") == 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(list, e));
	}
	list = cJSON_GetObjectItemCaseSensitive(config, "telephoneNumbers");
	if (cJSON_IsArray(list) && !list->child)
		cJSON_Delete(cJSON_DetachItemViaPointer(config, list));
}

const char *
tenant_effective_policy(const cJSON *config, const char *type)
{
	const cJSON *e, *t, *pa, *name;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(config, "effectivePolicyAssignments")) {
		t = cJSON_GetObjectItem(e, "policyType");
		if (!cJSON_IsString(t) || strcasecmp(t->valuestring, type) != 0)
			continue;
		pa = cJSON_GetObjectItem(e, "policyAssignment");
		name = cJSON_GetObjectItem(pa, "displayName");
		if (cJSON_IsString(name) && *name->valuestring)
			return name->valuestring;
	}
	return "Global";
}

const char *
tenant_effective(const cJSON *view, const char *type, const char **kind)
{
	const cJSON *e;

	*kind = NULL;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(view, "effectivePolicyAssignments")) {
		if (!cj_str(e, "policyType") || strcasecmp(cj_str(e, "policyType"), type) != 0)
			continue;
		*kind = cj_str(cJSON_GetObjectItem(e, "policyAssignment"), "assignmentType");
		break;
	}
	return ta_policy_name(tenant_effective_policy(view, type));
}

cJSON *
tenant_personal_numbers(const cJSON *config)
{
	cJSON *out = cj_array();
	const cJSON *t;
	const char *n;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(config, "telephoneNumbers")) {
		n = cJSON_IsString(t) ? t->valuestring : cj_str(t, "telephoneNumber");
		if (n && *n && !e164_has_ext(n))
			cj_push_str(out, n);
	}
	return out;
}

int
tenant_direct_policy(char **name, struct core_ctx *ctx, const char *object_id,
    const char *type)
{
	struct svc_resp resp;
	char *path = route_path(RT_USER_POLICIES, object_id, type);
	const cJSON *e, *list;
	const char *kind, *pname, *ptype;
	int rc;

	*name = NULL;
	rc = svc_call(&resp, ctx, SVC_TEAMS, route_get(RT_USER_POLICIES)->method, path, NULL,
	    NULL, SVC_ALLOW_404);
	free(path);
	if (rc)
		goto out;
	list = cJSON_IsArray(resp.json) ? resp.json : cJSON_GetObjectItem(resp.json, "value");
	cJSON_ArrayForEach(e, list) {
		ptype = cJSON_GetStringValue(cJSON_GetObjectItem(e, "policyType"));
		kind = cJSON_GetStringValue(cJSON_GetObjectItem(e, "assignmentType"));
		pname = cJSON_GetStringValue(cJSON_GetObjectItem(e, "policyName"));
		if (ptype && strcasecmp(ptype, type) == 0 && kind &&
		    strcasecmp(kind, "direct") == 0 && pname && *pname) {
			*name = xstrdup(pname);
			break;
		}
	}
out:
	svc_resp_release(&resp);
	return rc;
}

int
tenant_shared_calling_policies_of(cJSON **out, struct core_ctx *ctx,
    const char *object_id)
{
	cJSON *policies = NULL, *names;
	const cJSON *p, *ra, *ident;
	int rc;

	*out = NULL;
	rc = ta_policies(&policies, ctx, TA_SHARED_CALLING);
	if (rc)
		return rc;
	names = cJSON_CreateArray();
	if (!names)
		BUG("out of memory");
	cJSON_ArrayForEach(p, policies) {
		ra = cJSON_GetObjectItem(p, "ResourceAccount");
		ident = cJSON_GetObjectItem(p, "Identity");
		if (cJSON_IsString(ra) && cJSON_IsString(ident) &&
		    strcasecmp(ra->valuestring, object_id) == 0)
			cJSON_AddItemToArray(names,
			    cJSON_CreateString(ta_policy_name(ident->valuestring)));
	}
	cJSON_Delete(policies);
	*out = names;
	return CORE_OK;
}

/* The policyAssignment of type in a user's effectivePolicyAssignments, or NULL. */
static const cJSON *
policy_assignment_of(const cJSON *config, const char *type)
{
	const cJSON *e, *t;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(config, "effectivePolicyAssignments")) {
		t = cJSON_GetObjectItem(e, "policyType");
		if (cJSON_IsString(t) && strcasecmp(t->valuestring, type) == 0)
			return cJSON_GetObjectItem(e, "policyAssignment");
	}
	return NULL;
}

static bool
holder_listed(const cJSON *users, const char *id)
{
	const cJSON *u, *uid;

	cJSON_ArrayForEach(u, users) {
		uid = cJSON_GetObjectItem(u, "id");
		if (cJSON_IsString(uid) && strcasecmp(uid->valuestring, id) == 0)
			return true;
	}
	return false;
}

/* Adds config (a userConfiguration or a Teams user view) when it holds name. */
static void
holder_add(cJSON *users, const cJSON *config, const char *type, const char *name)
{
	const cJSON *pa = policy_assignment_of(config, type);
	const cJSON *dn = cJSON_GetObjectItem(pa, "displayName");
	const cJSON *kind = cJSON_GetObjectItem(pa, "assignmentType");
	const cJSON *id = cJSON_GetObjectItem(config, "id");
	const cJSON *upn = cJSON_GetObjectItem(config, "userPrincipalName");
	cJSON *h;

	if (!cJSON_IsString(id))
		id = cJSON_GetObjectItem(config, "objectId");
	if (!cJSON_IsString(dn) || !cJSON_IsString(id) ||
	    strcasecmp(ta_policy_name(dn->valuestring), name) != 0 ||
	    holder_listed(users, id->valuestring))
		return;
	h = cJSON_CreateObject();
	if (!h)
		BUG("out of memory");
	cJSON_AddStringToObject(h, "id", id->valuestring);
	cJSON_AddStringToObject(h, "userPrincipalName",
	    cJSON_IsString(upn) ? upn->valuestring : id->valuestring);
	cJSON_AddStringToObject(h, "assignmentType", cJSON_IsString(kind) &&
	    strcasecmp(kind->valuestring, "group") == 0 ? "group" : "direct");
	cJSON_AddItemToArray(users, h);
}

int
tenant_policy_holders(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name)
{
	cJSON *configs = NULL, *ras = NULL, *view = NULL, *grants = NULL;
	cJSON *res = NULL, *users, *groups, *g2;
	const cJSON *c, *oid, *g, *pn, *gid;
	const char *bare = ta_policy_name(name);
	int rc;

	*out = NULL;
	res = cJSON_CreateObject();
	if (!res)
		BUG("out of memory");
	users = cJSON_AddArrayToObject(res, "users");
	groups = cJSON_AddArrayToObject(res, "groups");
	rc = tenant_user_configurations(&configs, ctx);
	if (rc)
		goto out;
	cJSON_ArrayForEach(c, configs)
		holder_add(users, c, type, bare);
	rc = ta_resource_accounts(&ras, ctx);
	if (rc)
		goto out;
	cJSON_ArrayForEach(c, ras) {
		oid = cJSON_GetObjectItem(c, "objectId");
		if (!cJSON_IsString(oid) || holder_listed(users, oid->valuestring))
			continue;
		rc = ta_user_get(&view, ctx, oid->valuestring);
		if (rc == CORE_ENOTFOUND) {
			rc = CORE_OK;
			continue;
		}
		if (rc)
			goto out;
		holder_add(users, view, type, bare);
		cJSON_Delete(view);
		view = NULL;
	}
	rc = ta_group_grants(&grants, ctx, type);
	if (rc)
		goto out;
	cJSON_ArrayForEach(g, grants) {
		pn = cJSON_GetObjectItem(g, "PolicyName");
		gid = cJSON_GetObjectItem(g, "GroupId");
		if (!cJSON_IsString(pn) || !cJSON_IsString(gid) ||
		    strcasecmp(ta_policy_name(pn->valuestring), bare) != 0)
			continue;
		g2 = cJSON_CreateObject();
		if (!g2)
			BUG("out of memory");
		cJSON_AddStringToObject(g2, "GroupId", gid->valuestring);
		cJSON_AddItemToObject(g2, "Rank", cJSON_IsNumber(cJSON_GetObjectItem(g, "Rank")) ?
		    cJSON_Duplicate(cJSON_GetObjectItem(g, "Rank"), 1) : cJSON_CreateNull());
		cJSON_AddItemToArray(groups, g2);
	}
	*out = res;
	res = NULL;
out:
	cJSON_Delete(res);
	cJSON_Delete(grants);
	cJSON_Delete(view);
	cJSON_Delete(ras);
	cJSON_Delete(configs);
	return rc;
}

#define HOLDERS_NAMED 5

/* Appends "N noun(s) ('a', 'b', and M more)" for the items of list. */
static int
holders_phrase(struct buf *b, const cJSON *list, const char *key, const char *kind,
    const char *noun)
{
	const cJSON *x, *v, *k;
	int n = 0, named = 0, total = 0;

	cJSON_ArrayForEach(x, list) {
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (!kind || (cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0))
			total++;
	}
	if (!total)
		return 0;
	if (buf_addf(b, "%d %s%s (", total, noun, total == 1 ? "" : "s"))
		return -1;
	cJSON_ArrayForEach(x, list) {
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (kind && !(cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0))
			continue;
		n++;
		if (named == HOLDERS_NAMED)
			continue;
		v = cJSON_GetObjectItem(x, key);
		if (buf_addf(b, "%s'%s'", named ? ", " : "",
		    cJSON_IsString(v) ? v->valuestring : "?"))
			return -1;
		named++;
	}
	if (n > named && buf_addf(b, ", and %d more", n - named))
		return -1;
	return buf_adds(b, ")");
}

char *
tenant_policy_holders_text(const cJSON *holders)
{
	struct buf users = BUF_INIT((size_t)1 << 20), groups = BUF_INIT((size_t)1 << 20);
	char *u, *g, *text;

	if (holders_phrase(&users, cJSON_GetObjectItem(holders, "users"),
	    "userPrincipalName", "direct", "account") ||
	    holders_phrase(&groups, cJSON_GetObjectItem(holders, "groups"),
	    "GroupId", NULL, "group"))
		BUG("out of memory");
	u = buf_detach(&users, NULL);
	g = buf_detach(&groups, NULL);
	if (!*u && !*g)
		text = NULL;
	else if (*u && *g)
		text = xasprintf("%s and %s", u, g);
	else
		text = xstrdup(*u ? u : g);
	free(u);
	free(g);
	return text;
}

int
tenant_policy_ungrant(struct core_ctx *ctx, const char *type,
    const cJSON *holders)
{
	const cJSON *users = cJSON_GetObjectItem(holders, "users"), *x, *id, *k;
	struct pa_item *items = xcalloc((size_t)cJSON_GetArraySize(users) + 1, sizeof(*items));
	size_t n = 0, i;
	int rc;

	/* The direct grants go together (policyassign.h), then the group grants. */
	cJSON_ArrayForEach(x, users) {
		id = cJSON_GetObjectItem(x, "id");
		k = cJSON_GetObjectItem(x, "assignmentType");
		if (!cJSON_IsString(id) || !cJSON_IsString(k) ||
		    strcmp(k->valuestring, "direct") != 0)
			continue;
		items[n].user_id = id->valuestring;
		items[n++].type = type;
	}
	rc = pa_apply(ctx, items, n, PA_BATCH_DEFAULT);
	for (i = 0; !rc && i < n; i++)
		if (items[i].rc != CORE_OK)
			rc = core_error(ctx, items[i].rc, "removing the %s grant of '%s': %s", type,
			    items[i].user_id, items[i].error ? items[i].error : "failed");
	pa_items_release(items, n);
	free(items);
	if (rc)
		return rc;
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(holders, "groups")) {
		id = cJSON_GetObjectItem(x, "GroupId");
		if (!cJSON_IsString(id))
			continue;
		rc = ta_ungrant_group(ctx, id->valuestring, type);
		if (rc)
			return rc;
	}
	return CORE_OK;
}

/* The policy as the real run would return it: have with the changes, or the new one. */
static cJSON *
predicted(const cJSON *have, const struct plan *plan)
{
	cJSON *p = cJSON_Duplicate(have ? have : plan->after, 1);
	const cJSON *c;

	if (!p)
		BUG("out of memory");
	cJSON_ArrayForEach(c, plan->changes) {
		if (cJSON_GetObjectItem(p, c->string))
			cJSON_ReplaceItemInObject(p, c->string, cJSON_Duplicate(c, 1));
		else
			cJSON_AddItemToObject(p, c->string, cJSON_Duplicate(c, 1));
	}
	return p;
}

int
tenant_policy_present(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *want, const cJSON *have,
    const cJSON *usages, bool create_usages, const struct reconcile_opts *opts)
{
	struct plan plan = { 0 };
	cJSON *usages_have = NULL, *missing = NULL, *merged = NULL, *after = NULL;
	char *list = NULL, *hdr_b = NULL, *hdr_a = NULL;
	const cJSON *m;
	int rc = CORE_OK;

	if (cJSON_GetArraySize(usages) > 0) {
		rc = ta_pstn_usages(&usages_have, ctx);
		if (rc)
			goto out;
		missing = ta_pstn_usages_missing(usages_have, usages);
		if (cJSON_GetArraySize(missing) > 0 && !create_usages) {
			list = cj_join(usages_have, NULL, ", ", false);
			rc = core_error(ctx, CORE_EREFUSED,
			    "PSTN usage '%s' is not found in OnlinePstnUsages; set create_usages: true "
			    "to add it, or use one of the tenant's usages (%s)",
			    cJSON_GetArrayItem(missing, 0)->valuestring, *list ? list : "none");
			goto out;
		}
	}

	reconcile_plan(&plan, want, have, opts);
	if (cJSON_GetArraySize(missing) > 0) {
		merged = cJSON_Duplicate(usages_have, 1);
		cJSON_ArrayForEach(m, missing)
			cJSON_AddItemToArray(merged, cJSON_CreateString(m->valuestring));
		res->changed = true;
	}
	if (plan.changed) {
		res->changed = true;
		hdr_b = xasprintf("policy '%s' (current)", bare);
		hdr_a = xasprintf("policy '%s' (desired)", bare);
		result_add_diff(res, ctx, cJSON_Duplicate(plan.before, 1),
		    cJSON_Duplicate(plan.after, 1), hdr_b, hdr_a);
	}
	if (merged) {
		cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();

		cJSON_AddItemToObject(b, "Usage", cJSON_Duplicate(usages_have, 1));
		cJSON_AddItemToObject(a, "Usage", cJSON_Duplicate(merged, 1));
		result_add_diff(res, ctx, b, a, "OnlinePstnUsages Global (current)",
		    "OnlinePstnUsages Global (desired)");
	}
	if (ctx->check_mode || !res->changed) {
		result_put(res, "policy", predicted(have, &plan));
		goto out;
	}

	if (merged) {
		rc = ta_pstn_usages_set(ctx, merged);
		if (rc)
			goto out;
	}
	if (plan.create)
		rc = tenant_policy_create(ctx, type, bare, plan.changes);
	else if (plan.changed)
		rc = ta_policy_update(NULL, ctx, type, bare, plan.changes);
	if (rc)
		goto out;
	rc = ta_policy_get(&after, ctx, type, bare);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE,
		    "%s '%s' is not found right after it was written", what, bare);
	if (rc)
		goto out;
	result_put(res, "policy", after);
	after = NULL;
out:
	free(hdr_a);
	free(hdr_b);
	free(list);
	cJSON_Delete(after);
	cJSON_Delete(merged);
	cJSON_Delete(missing);
	cJSON_Delete(usages_have);
	reconcile_plan_release(&plan);
	return rc;
}

int
tenant_policy_absent(struct core_ctx *ctx, struct result *res, const char *type,
    const char *what, const char *bare, const cJSON *have, bool force,
    const struct reconcile_opts *opts)
{
	cJSON *holders = NULL;
	char *who = NULL, *hdr_b = NULL, *hdr_a = NULL;
	int rc;

	if (!have) {
		result_put(res, "policy", cJSON_CreateNull());
		return CORE_OK;
	}
	rc = tenant_policy_holders(&holders, ctx, type, bare);
	if (rc)
		goto out;
	who = tenant_policy_holders_text(holders);
	if (who && !force) {
		rc = core_error(ctx, CORE_EREFUSED,
		    "%s '%s' is still granted to %s; remove those grants first, "
		    "or set force: true to remove them with the policy", what, bare, who);
		goto out;
	}
	res->changed = true;
	hdr_b = xasprintf("policy '%s' (current)", bare);
	hdr_a = xasprintf("policy '%s' (desired)", bare);
	result_add_diff(res, ctx, reconcile_strip(have, opts), NULL, hdr_b, hdr_a);
	result_put(res, "policy", cJSON_CreateNull());
	result_put(res, "removed_grants", who ? cJSON_Duplicate(holders, 1) : cJSON_CreateNull());
	if (ctx->check_mode)
		goto out;
	if (who) {
		rc = tenant_policy_ungrant(ctx, type, holders);
		if (rc)
			goto out;
	}
	rc = ta_policy_delete(ctx, type, bare);
out:
	free(hdr_a);
	free(hdr_b);
	free(who);
	cJSON_Delete(holders);
	return rc;
}

struct policy_intent {
	const char *type;
	const char *name;
	const cJSON *body;
};

static int
policy_create_once(struct core_ctx *ctx, void *arg)
{
	struct policy_intent *p = arg;

	return ta_policy_create(NULL, ctx, p->type, p->name, p->body);
}

static int
policy_lookup(struct core_ctx *ctx, void *arg)
{
	struct policy_intent *p = arg;
	cJSON *found = NULL;
	int rc = ta_policy_get(&found, ctx, p->type, p->name);

	cJSON_Delete(found);
	return rc;
}

int
tenant_policy_create(struct core_ctx *ctx, const char *type, const char *name,
    const cJSON *body)
{
	struct policy_intent p = { type, name, body };

	return svc_create_reconciled(ctx, policy_create_once, policy_lookup, &p);
}
