/*
 * teams_shared_policy - a Shared Calling routing policy
 * (TeamsSharedCallingRoutingPolicy): the resource account whose number
 * Shared Calling users call out with, and the emergency callback numbers.
 *
 * Before writing it checks what the service refuses (docs/design/rules.md#sc-1 to #sc-9)
 * and the seed article's mistakes 1, 3 (as Microsoft states it), 5 and 6,
 * each message naming the fix. state: absent refuses while the policy is
 * still granted, unless force removes the grants first.
 *
 * Reads: the policy, the resource account (Graph, then the Teams side), and
 * one filtered numberAssignments read for its number and the emergency
 * numbers; the SKU list for a Calling Plan number, the account's Teams view
 * and its voice routing policy for a Direct Routing number.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "module.h"
#include "numbers.h"
#include "policies.h"
#include "reconcile.h"
#include "scrules.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "name", ARG_STR, .required = true, ARG_NAME(ARG_LEN_NAME) },
	{ "resource_account", ARG_STR, ARG_NAME(ARG_LEN_UPN) },
	{ "emergency_numbers", ARG_LIST, .elements = ARG_STR, ARG_NAME(64) },
	{ "purge_emergency_numbers", ARG_BOOL, .def = "true" },
	{ "description", ARG_STR, ARG_FREE(ARG_LEN_TEXT) },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "force", ARG_BOOL, .def = "false" },
	{ "check_prerequisites", ARG_BOOL, .def = "true" },
	{ "snapshot", ARG_PATH },
	ARG_END
};

static const char *const exclusive[] = { ARGS_CONN_EXCLUSIVE, NULL };
static const struct arg_required_if required_if[] = {
	{ "state", "\"present\"", "resource_account", false },
	{ NULL }
};
static const struct arg_required_by required_by[] = {
	ARGS_CONN_REQUIRED_BY,
	{ NULL }
};
static const struct arg_rules rules = {
	.mutually_exclusive = exclusive,
	.required_if = required_if,
	.required_by = required_by,
};

/* Emergency numbers per numberAssignments read: keeps the $filter short. */
#define NUMBERS_PER_READ 15

static const char *const ignored[] = { "Key", NULL };
static const char *const casefolded[] = { "Identity", "ResourceAccount", NULL };
static const char *const number_field[] = { "EmergencyNumbers", NULL };

/* Everything one run knows; released by req_release(). */
struct req {
	const char *name;          /* bare name, or "Global" */
	char *identity;            /* "Tag:name" or "Global" */
	const char *ra_given;      /* resource_account as the task gives it */
	cJSON *numbers;            /* emergency_numbers, canonical, or NULL when unset */
	cJSON *have;               /* the policy, or NULL */
	cJSON *ra_user;            /* Graph user of the resource account */
	const char *ra_id;         /* its object id (in ra_user) */
	cJSON *assignments;        /* its number and the emergency numbers */
	const cJSON *params;       /* the module's options, borrowed */
};

static void
req_release(void *req)
{
	struct req *r = req;

	free(r->identity);
	cJSON_Delete(r->numbers);
	cJSON_Delete(r->have);
	cJSON_Delete(r->ra_user);
	cJSON_Delete(r->assignments);
}

/* ---- input ---- */

static int
validate(void *req, struct core_ctx *ctx, const cJSON *params)
{
	struct req *r = req;
	const char *name = arg_str(params, "name");
	const cJSON *n;
	char canon[E164_MAX];
	enum e164_err e;

	r->params = params;
	r->name = name ? ta_policy_name(name) : NULL;
	if (text_empty(r->name) || strspn(r->name, " \t") == strlen(r->name))
		return core_error(ctx, CORE_EARGS,
		    "name must not be empty; give the policy's name, such as 'Seattle'");
	r->identity = strcasecmp(r->name, "Global") == 0 ? xstrdup("Global") :
	    xasprintf("Tag:%s", r->name);
	r->ra_given = arg_str(params, "resource_account");
	if (r->ra_given && !*r->ra_given)
		return core_error(ctx, CORE_EARGS, "resource_account must not be empty; give "
		    "the resource account's UPN or object id");
	if (!arg_isset(params, "emergency_numbers"))
		return CORE_OK;
	r->numbers = cJSON_CreateArray();
	if (!r->numbers)
		BUG("out of memory");
	cJSON_ArrayForEach(n, arg_get(params, "emergency_numbers")) {
		const char *text = cJSON_IsString(n) ? n->valuestring : "";

		e = e164_normalise(canon, sizeof(canon), text);
		if (e)
			return core_error(ctx, CORE_EARGS, "emergency_numbers: number '%s' %s; "
			    "give an E.164 number such as +14255550100", text, e164_strerror(e));
		if (e164_has_ext(canon))
			return core_error(ctx, CORE_EARGS, "emergency_numbers: number '%s' has an "
			    "extension; an emergency callback number is a plain E.164 number such "
			    "as +14255550100", text);
		if (!cj_has_str(r->numbers, canon))
			cJSON_AddItemToArray(r->numbers, cJSON_CreateString(canon));
	}
	return CORE_OK;
}

/* ---- numbers ---- */

static void
add_unique(cJSON *all, const cJSON *items)
{
	const cJSON *a;
	const char *id;

	cJSON_ArrayForEach(a, items) {
		id = cj_str(a, "id");
		if (id) {
			const cJSON *b;
			bool dup = false;

			cJSON_ArrayForEach(b, all)
				if (cj_str(b, "id") && strcmp(cj_str(b, "id"), id) == 0)
					dup = true;
			if (dup)
				continue;
		}
		cJSON_AddItemToArray(all, cJSON_Duplicate(a, 1));
	}
}

/*
 * The number assignments of the resource account and of every number in
 * numbers, with one filtered read per NUMBERS_PER_READ numbers.
 */
static int
read_assignments(cJSON **out, struct core_ctx *ctx, const char *ra_id,
    const cJSON *numbers)
{
	cJSON *all = cJSON_CreateArray(), *page = NULL;
	struct buf f = BUF_INIT((size_t)64 * 1024);
	int i, n = cJSON_GetArraySize(numbers), rc = CORE_OK;
	char *filter;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	rc = tenant_numbers_of(&page, ctx, ra_id);
	if (rc)
		goto out;
	add_unique(all, page);
	for (i = 0; i < n; i += NUMBERS_PER_READ) {
		int j;

		buf_reset(&f);
		for (j = i; j < n && j < i + NUMBERS_PER_READ; j++)
			if (buf_addf(&f, "%stelephoneNumber eq '%s'", j > i ? " or " : "",
			    cJSON_GetArrayItem(numbers, j)->valuestring))
				BUG("out of memory");
		filter = buf_detach(&f, NULL);
		cJSON_Delete(page);
		page = NULL;
		rc = tenant_numbers(&page, ctx, filter);
		free(filter);
		if (rc)
			goto out;
		add_unique(all, page);
	}
	*out = all;
	all = NULL;
out:
	buf_release(&f);
	cJSON_Delete(page);
	cJSON_Delete(all);
	return rc;
}

/* ---- the resource account ---- */

static int
read_resource_account(struct req *r, struct core_ctx *ctx)
{
	enum tenant_account kind;
	cJSON *teams = NULL;
	int rc;

	rc = tenant_user_get(&r->ra_user, ctx, r->ra_given);
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' not found; create "
		    "it first (dialtone.teams_phone.teams_resource_account)", r->ra_given);
	if (rc)
		return rc;
	r->ra_id = cj_str(r->ra_user, "id");
	if (!r->ra_id)
		return core_error(ctx, CORE_ESERVICE, "graph returned user '%s' without an id",
		    r->ra_given);
	rc = tenant_account_kind(&kind, &teams, ctx, r->ra_user);
	cJSON_Delete(teams);
	if (rc)
		return rc;
	if (kind == TENANT_ACCOUNT_USER)
		return core_error(ctx, CORE_EREFUSED, "'%s' is a user, not a resource account; "
		    "a Shared Calling policy needs a resource account with a number",
		    r->ra_given);
	if (kind == TENANT_ACCOUNT_REPLICATING)
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' is not visible to "
		    "Teams yet; run the task again in a few minutes", r->ra_given);
	return CORE_OK;
}

/* ---- the rules (docs/design/rules.md, core/scrules.h) ---- */

/* Refuses with the first problem the rule found, if any; frees problems. */
static int
refuse(struct core_ctx *ctx, cJSON *problems)
{
	const char *msg = sc_first_problem(problems);
	int rc = msg ? core_error(ctx, CORE_EREFUSED, "%s", msg) : CORE_OK;

	cJSON_Delete(problems);
	return rc;
}

/* SC8: Pay-As-You-Go Calling Plan and Communications Credits licences. */
static int
check_calling_plan_licences(struct req *r, struct core_ctx *ctx)
{
	cJSON *skus = NULL, *parts = NULL, *problems;
	int rc;

	rc = tenant_skus(&skus, ctx);
	if (rc)
		return rc;
	parts = tenant_user_sku_names(r->ra_user, skus);
	cJSON_Delete(skus);
	problems = cJSON_CreateArray();
	if (!problems)
		BUG("out of memory");
	sc_rule_calling_plan_licences(problems, r->ra_given, parts);
	rc = refuse(ctx, problems);
	cJSON_Delete(parts);
	if (rc)
		return rc;
	core_warn(ctx, "Communications Credits funding cannot be read: make sure the "
	    "tenant's credits are funded, with auto-recharge, or outbound Shared Calling "
	    "calls through resource account '%s' stop when they run out", r->ra_given);
	return CORE_OK;
}

/*
 * Replication delay: the resource account's effective voice routing policy
 * (effective_name) has no PSTN usages, but a grant written just before (by
 * teams_resource_account in this run or a recent one) may not be in effect
 * yet. When the policy granted directly is another one, with PSTN usages,
 * the check passes with a warning saying the grant is pending.
 * @return CORE_OK (pending), CORE_ENOTFOUND (no such grant), or an error
 */
static int
granted_not_in_effect(struct req *r, struct core_ctx *ctx, const char *effective_name)
{
	cJSON *pol = NULL;
	char *direct = NULL;
	int rc;

	rc = tenant_direct_policy(&direct, ctx, r->ra_id, TA_VOICE_ROUTING);
	if (rc == CORE_ENOTFOUND) {
		core_error_clear(ctx);
		return CORE_ENOTFOUND;
	}
	if (rc)
		return rc;
	if (!direct || strcasecmp(direct, effective_name) == 0) {
		free(direct);
		return CORE_ENOTFOUND;
	}
	rc = ta_policy_get(&pol, ctx, TA_VOICE_ROUTING, direct);
	if (rc == CORE_OK && cJSON_GetArraySize(cJSON_GetObjectItem(pol, "OnlinePstnUsages")) < 1)
		rc = CORE_ENOTFOUND;
	if (rc == CORE_OK)
		core_warn(ctx, "resource account '%s': voice routing policy '%s' is granted "
		    "but not in effect yet (the account still has '%s'); Microsoft applies "
		    "grants %s, and outbound Shared Calling calls through the account have "
		    "no route until then", r->ra_given, direct, effective_name,
		    TENANT_GRANT_DELAY_TEXT);
	else if (rc == CORE_ENOTFOUND)
		core_error_clear(ctx);
	cJSON_Delete(pol);
	free(direct);
	return rc;
}

/*
 * SC9, as Microsoft states it (the seed article's mistake 3 asks it of the
 * users): a Direct Routing resource account needs an effective online voice
 * routing policy with PSTN usages, or one granted and pending (above).
 */
static int
check_direct_routing(struct req *r, struct core_ctx *ctx)
{
	cJSON *view = NULL, *vrp = NULL, *problems;
	const char *name;
	int rc;

	rc = ta_user_get(&view, ctx, r->ra_id);
	if (rc == CORE_ENOTFOUND)
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' is not visible to "
		    "Teams yet; run the task again in a few minutes", r->ra_given);
	if (rc)
		return rc;
	name = tenant_effective_policy(view, TA_VOICE_ROUTING);
	rc = ta_policy_get(&vrp, ctx, TA_VOICE_ROUTING, name);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE, "voice routing policy '%s' of resource "
		    "account '%s' is not found", name, r->ra_given);
	if (rc)
		goto out;
	if (cJSON_GetArraySize(cJSON_GetObjectItem(vrp, "OnlinePstnUsages")) < 1) {
		rc = granted_not_in_effect(r, ctx, name);
		if (rc == CORE_ENOTFOUND) {
			problems = cJSON_CreateArray();
			if (!problems)
				BUG("out of memory");
			sc_rule_account_routing(problems, r->ra_given, NULL, name,
			    cJSON_GetObjectItem(vrp, "OnlinePstnUsages"));
			rc = refuse(ctx, problems);
		}
	}
out:
	cJSON_Delete(vrp);
	cJSON_Delete(view);
	return rc;
}

/* SC3-SC7 for one emergency number n. */
static int
check_emergency_number(struct req *r, struct core_ctx *ctx, const cJSON *ra_num,
    const char *n)
{
	cJSON *problems = cJSON_CreateArray();

	if (!problems)
		BUG("out of memory");
	sc_rule_callback_number(problems, ra_num, n, sc_find_number(r->assignments, n),
	    r->identity);
	return refuse(ctx, problems);
}

/*
 * Every rule on the policy as it would be after the write: its resource
 * account and the emergency numbers of after.
 */
static int
check_rules(struct req *r, struct core_ctx *ctx, const cJSON *after)
{
	const cJSON *numbers = cJSON_GetObjectItem(after, "EmergencyNumbers");
	const cJSON *a, *ra_num = NULL, *n;
	const char *type, *ra_n;
	cJSON *problems;
	int count = 0, rc;

	rc = read_assignments(&r->assignments, ctx, r->ra_id, numbers);
	if (rc)
		return rc;
	cJSON_ArrayForEach(a, r->assignments) {
		const char *t = cj_str(a, "assignmentTargetId");

		if (t && strcasecmp(t, r->ra_id) == 0) {
			ra_num = ra_num ? ra_num : a;
			count++;
		}
	}
	/* SC1 */
	if (count == 0)
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' has no phone "
		    "number assigned; assign it a number first "
		    "(dialtone.teams_phone.teams_phone_number)", r->ra_given);
	if (count > 1)
		return core_error(ctx, CORE_EREFUSED, "resource account '%s' has more than one "
		    "phone number assigned; a Shared Calling resource account holds exactly one",
		    r->ra_given);
	ra_n = cj_str(ra_num, "telephoneNumber");
	type = cj_str(ra_num, "numberType");
	if (!ra_n || !type)
		return core_error(ctx, CORE_ESERVICE, "graph returned the number of resource "
		    "account '%s' without telephoneNumber or numberType", r->ra_given);
	problems = cJSON_CreateArray();
	if (!problems)
		BUG("out of memory");
	/* SC2, the seed article's mistake 1 */
	if (sc_rule_number_location(problems, r->ra_given, ra_num))
		return refuse(ctx, problems);
	/* SC3-SC7, the seed article's mistake 6 */
	cJSON_ArrayForEach(n, numbers) {
		rc = check_emergency_number(r, ctx, ra_num, n->valuestring);
		if (rc) {
			cJSON_Delete(problems);
			return rc;
		}
	}
	sc_rule_toll_free(problems, r->ra_given, ra_num, cJSON_GetArraySize(numbers));
	rc = refuse(ctx, problems);
	if (rc)
		return rc;
	/* SC8, the seed article's mistake 5 */
	if (strcmp(type, "callingPlan") == 0)
		return check_calling_plan_licences(r, ctx);
	/* SC9, the seed article's mistake 3 as Microsoft states it */
	if (strcmp(type, "directRouting") == 0)
		return check_direct_routing(r, ctx);
	return CORE_OK;
}

static void
add_diff(const struct req *r, const struct core_ctx *ctx, struct result *res,
    cJSON *before, cJSON *after)
{
	char *bh = xasprintf("policy '%s' (current)", r->name);
	char *ah = xasprintf("policy '%s' (desired)", r->name);

	result_add_diff(res, ctx, before, after, bh, ah);
	free(bh);
	free(ah);
}

/* ---- present ---- */

/* A copy of the policy with its emergency numbers in canonical form. */
static cJSON *
comparable(const cJSON *have)
{
	cJSON *c = cJSON_Duplicate(have, 1), *list, *n;
	char canon[E164_MAX];

	if (!c)
		BUG("out of memory");
	list = cJSON_GetObjectItem(c, "EmergencyNumbers");
	cJSON_ArrayForEach(n, list)
		if (cJSON_IsString(n) && e164_normalise(canon, sizeof(canon),
		    n->valuestring) == E164_OK)
			cJSON_SetValuestring(n, canon);
	return c;
}

static cJSON *
want_of(const struct req *r, const cJSON *params)
{
	cJSON *want = cJSON_CreateObject();
	const char *desc = arg_str(params, "description");

	if (!want)
		BUG("out of memory");
	cJSON_AddStringToObject(want, "Identity", r->identity);
	if (desc)
		cJSON_AddStringToObject(want, "Description", desc);
	cJSON_AddStringToObject(want, "ResourceAccount", r->ra_id);
	if (r->numbers)
		cJSON_AddItemToObject(want, "EmergencyNumbers", cJSON_Duplicate(r->numbers, 1));
	return want;
}

static int
present(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	const cJSON *params = r->params;
	struct reconcile_opts o = { .ignore = ignored, .casefold = casefolded };
	struct plan p = { 0 };
	cJSON *want = NULL, *have = NULL, *after = NULL;
	int rc;

	if (arg_bool(params, "purge_emergency_numbers"))
		o.unordered = number_field;
	else
		o.additive = number_field;
	rc = read_resource_account(r, ctx);
	if (rc)
		goto out;
	want = want_of(r, params);
	have = r->have ? comparable(r->have) : NULL;
	reconcile_plan(&p, want, have, &o);
	if (p.create && strcasecmp(r->name, "Global") == 0)
		BUG("the Global instance always exists");
	/*
	 * A check run may compare the policy alone: what it needs (the number's
	 * location, licences) is then reported on those objects, not here.
	 */
	if (!ctx->check_mode || arg_bool(params, "check_prerequisites"))
		rc = check_rules(r, ctx, p.after);
	if (rc)
		goto out;
	res->changed = p.changed;
	/* Tells a playbook in check mode that the policy does not exist yet. */
	result_put(res, "created", cJSON_CreateBool(p.create));
	add_diff(r, ctx, res, cJSON_Duplicate(p.before, 1), cJSON_Duplicate(p.after, 1));
	if (!p.changed) {
		result_put(res, "policy", cJSON_Duplicate(r->have, 1));
		goto out;
	}
	if (ctx->check_mode) {
		result_put(res, "policy", cJSON_Duplicate(p.after, 1));
		goto out;
	}
	/* A create that got no answer is looked up, never sent twice. */
	rc = p.create ? tenant_policy_create(ctx, TA_SHARED_CALLING, r->name, p.changes) :
	    ta_policy_update(NULL, ctx, TA_SHARED_CALLING, r->name, p.changes);
	if (rc)
		goto out;
	rc = ta_policy_get(&after, ctx, TA_SHARED_CALLING, r->name);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE, "policy '%s' is not found right after it "
		    "was written", r->name);
	if (rc)
		goto out;
	result_put(res, "policy", after);
	after = NULL;
out:
	reconcile_plan_release(&p);
	cJSON_Delete(after);
	cJSON_Delete(have);
	cJSON_Delete(want);
	return rc;
}

/* ---- absent ---- */

static int
absent(void *req, struct core_ctx *ctx, struct result *res)
{
	struct req *r = req;
	const cJSON *params = r->params;
	struct reconcile_opts o = { .ignore = ignored };
	cJSON *holders = NULL;
	char *who = NULL;
	int rc;

	result_put(res, "policy", cJSON_CreateObject());
	if (!r->have)
		return CORE_OK;
	rc = tenant_policy_holders(&holders, ctx, TA_SHARED_CALLING, r->name);
	if (rc)
		goto out;
	who = tenant_policy_holders_text(holders);
	if (who && !arg_bool(params, "force")) {
		rc = core_error(ctx, CORE_EREFUSED, "policy '%s' is still granted to %s; remove "
		    "those grants first, or set force: true to remove them", r->name, who);
		goto out;
	}
	res->changed = true;
	add_diff(r, ctx, res, reconcile_strip(r->have, &o), cJSON_CreateObject());
	if (who)
		result_put(res, "removed_grants", cJSON_Duplicate(holders, 1));
	if (ctx->check_mode)
		goto out;
	if (who) {
		rc = tenant_policy_ungrant(ctx, TA_SHARED_CALLING, holders);
		if (rc)
			goto out;
	}
	rc = ta_policy_delete(ctx, TA_SHARED_CALLING, r->name);
out:
	free(who);
	cJSON_Delete(holders);
	return rc;
}

/* The policy, or NULL; removing Global is refused before any read. */
static int
read_policy(void *req, struct core_ctx *ctx)
{
	struct req *r = req;
	const char *state = arg_str(r->params, "state");
	int rc;

	if (state && strcmp(state, "absent") == 0 && strcasecmp(r->name, "Global") == 0)
		return core_error(ctx, CORE_EREFUSED, "the Global policy instance cannot be "
		    "deleted; use state: present to change it");
	rc = ta_policy_get(&r->have, ctx, TA_SHARED_CALLING, r->name);
	return rc == CORE_ENOTFOUND ? CORE_OK : rc;
}

const struct module MODULE = {
	.name = "teams_shared_policy",
	.args = args,
	.rules = &rules,
	.check_mode = true,
	.reads_snapshot = true,
	.req_size = sizeof(struct req),
	.validate = validate,
	.read = read_policy,
	.present = present,
	.absent = absent,
	.release = req_release,
};
