/*
 * tenant.c - the tenant's users, licences, groups and organization as the
 * modules use them (see tenant.h).
 */
#include "tenant.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cj.h"
#include "graph.h"
#include "http.h"
#include "routes.h"
#include "snapshot.h"
#include "svc.h"
#include "teamsadmin.h"

int
tenant_organization(cJSON **out, struct core_ctx *ctx)
{
	cJSON *list = NULL;
	char *path;
	bool snap;
	int rc;

	*out = NULL;
	rc = snapshot_copy(out, &snap, ctx, SNAP_ORGANIZATION);
	if (rc || snap)
		return rc;
	path = route_path(RT_G_ORGANIZATION);
	rc = graph_list(&list, ctx, path, NULL);
	free(path);
	if (rc)
		return rc;
	if (cJSON_GetArraySize(list) < 1) {
		cJSON_Delete(list);
		return core_error(ctx, CORE_ESERVICE,
		    "GET /v1.0/organization: graph returned no organization");
	}
	*out = cJSON_DetachItemFromArray(list, 0);
	cJSON_Delete(list);
	return CORE_OK;
}

bool
tenant_domain_verified(const cJSON *org, const char *upn)
{
	const char *at = upn ? strrchr(upn, '@') : NULL;
	const cJSON *d, *name;

	if (!at || !at[1])
		return false;
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(org, "verifiedDomains")) {
		name = cJSON_GetObjectItem(d, "name");
		if (cJSON_IsString(name) && strcasecmp(name->valuestring, at + 1) == 0)
			return true;
	}
	return false;
}

int
tenant_skus(cJSON **out, struct core_ctx *ctx)
{
	cJSON *skus = NULL, *s;
	char *path;
	bool snap;
	int rc = snapshot_copy(out, &snap, ctx, SNAP_SKUS);

	if (rc || snap)
		return rc;
	path = route_path(RT_G_SKUS);
	rc = graph_list(&skus, ctx, path, NULL);
	free(path);
	if (rc)
		return rc;
	cJSON_ArrayForEach(s, skus) {
		const cJSON *pre = cJSON_GetObjectItem(s, "prepaidUnits");
		const cJSON *enabled = cJSON_GetObjectItem(pre, "enabled");
		const cJSON *consumed = cJSON_GetObjectItem(s, "consumedUnits");
		double e = cJSON_IsNumber(enabled) ? enabled->valuedouble : 0;
		double c = cJSON_IsNumber(consumed) ? consumed->valuedouble : 0;

		cJSON_DeleteItemFromObjectCaseSensitive(s, "freeUnits");
		cJSON_AddNumberToObject(s, "freeUnits", e > c ? e - c : 0);
	}
	*out = skus;
	return CORE_OK;
}

/*
 * GET of one Graph object at path: a new object; CORE_ENOTFOUND (no message)
 * when none. A check run's snapshot answers first when kind (may be NULL)
 * holds key; a key it lacks asks the service.
 */
static int
get_object(cJSON **out, struct core_ctx *ctx, const char *kind, const char *key,
    const char *path)
{
	struct svc_resp resp;
	bool snap = false;
	int rc;

	*out = NULL;
	if (kind) {
		rc = snapshot_lookup(out, &snap, ctx, kind, key);
		if (rc || snap)
			return rc;
	}
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_GRAPH, "GET", path, NULL, NULL, SVC_ALLOW_404);
	if (rc == CORE_OK) {
		*out = resp.json;
		resp.json = NULL;
	}
	svc_resp_release(&resp);
	return rc;
}

int
tenant_user_get(cJSON **out, struct core_ctx *ctx, const char *id_or_upn)
{
	char *path = route_path(RT_G_USER_GET, id_or_upn);
	/* The snapshot holds some accounts, by UPN and id. */
	int rc = get_object(out, ctx, SNAP_ACCOUNTS, id_or_upn, path);

	/* Every caller goes on by the user's id: an answer without one is malformed. */
	if (rc == CORE_OK && !(cj_str(*out, "id") && *cj_str(*out, "id"))) {
		rc = core_error(ctx, CORE_ESERVICE, "graph: GET /v1.0/users/%s: the answer "
		    "is not a user object with an id", id_or_upn);
		cJSON_Delete(*out);
		*out = NULL;
	}
	free(path);
	return rc;
}

int
tenant_users_batch(struct core_ctx *ctx, const char *const *refs, size_t n,
    const char *select, void (*fn)(void *arg, size_t i, cJSON *user), void *arg)
{
	struct graph_batch_item *items = xcalloc(n ? n : 1, sizeof(*items));
	char **urls = xcalloc(n ? n : 1, sizeof(*urls));
	size_t i;
	int rc = CORE_OK;

	for (i = 0; i < n; i++) {
		urls[i] = route_path(RT_GB_USER, refs[i], select);
		items[i].method = route_get(RT_GB_USER)->method;
		items[i].url = urls[i];
	}
	rc = n ? graph_batch(ctx, items, n) : CORE_OK;
	for (i = 0; !rc && i < n; i++) {
		char *text;

		if (items[i].status == 404 ||
		    (items[i].status == 200 && cJSON_IsObject(items[i].response)))
			continue;
		text = graph_error_text(ctx, items[i].status, items[i].response);
		rc = core_error(ctx, CORE_ESERVICE, "graph: GET /v1.0/users/%s: %s", refs[i], text);
		free(text);
	}
	for (i = 0; !rc && i < n; i++) {
		fn(arg, i, items[i].status == 200 ? items[i].response : NULL);
		if (items[i].status == 200)
			items[i].response = NULL;
	}
	graph_batch_release(items, n);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(items);
	return rc;
}

const cJSON *
tenant_sku_find(const cJSON *skus, const char *name)
{
	const cJSON *s, *part, *id;

	cJSON_ArrayForEach(s, skus) {
		part = cJSON_GetObjectItem(s, "skuPartNumber");
		id = cJSON_GetObjectItem(s, "skuId");
		if ((cJSON_IsString(part) && strcasecmp(part->valuestring, name) == 0) ||
		    (cJSON_IsString(id) && strcasecmp(id->valuestring, name) == 0))
			return s;
	}
	return NULL;
}

cJSON *
tenant_user_sku_ids(const cJSON *user)
{
	cJSON *ids = cJSON_CreateArray();
	const cJSON *l, *id;

	if (!ids)
		BUG("out of memory");
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (cJSON_IsString(id))
			cJSON_AddItemToArray(ids, cJSON_CreateString(id->valuestring));
	}
	return ids;
}

int
tenant_set_usage_location(struct core_ctx *ctx, const char *user_id,
    const char *cc)
{
	char *path = route_path(RT_G_USER_PATCH, user_id);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "usageLocation", cc);
	/* Setting a value again is harmless. */
	rc = graph_write(ctx, "PATCH", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_user_set_display_name(struct core_ctx *ctx, const char *user_id,
    const char *name)
{
	char *path = route_path(RT_G_USER_PATCH, user_id);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "displayName", name);
	rc = graph_write(ctx, route_get(RT_G_USER_PATCH)->method, path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_assign_licenses(struct core_ctx *ctx, const char *user_id,
    const cJSON *add_sku_ids, const cJSON *remove_sku_ids)
{
	char *path = route_path(RT_G_ASSIGN_LICENSE, user_id);
	cJSON *b = cJSON_CreateObject(), *add, *rem;
	const cJSON *id;
	int rc;

	if (!b)
		BUG("out of memory");
	add = cJSON_AddArrayToObject(b, "addLicenses");
	cJSON_ArrayForEach(id, add_sku_ids) {
		cJSON *l = cJSON_CreateObject();

		cJSON_AddStringToObject(l, "skuId", id->valuestring);
		cJSON_AddArrayToObject(l, "disabledPlans");
		cJSON_AddItemToArray(add, l);
	}
	rem = cJSON_AddArrayToObject(b, "removeLicenses");
	cJSON_ArrayForEach(id, remove_sku_ids)
		cJSON_AddItemToArray(rem, cJSON_CreateString(id->valuestring));
	/* Assigning the same licences twice leaves the same state. */
	rc = graph_write(ctx, "POST", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
tenant_user_delete(struct core_ctx *ctx, const char *user_id)
{
	char *path = route_path(RT_G_USER_DELETE, user_id);
	int rc = graph_write(ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

bool
tenant_not_yet_provisioned(const char *text)
{
	return text && ((strstr(text, "The user '") && strstr(text, "' is not found")) ||
	    strstr(text, "User does not exist") ||
	    strstr(text, "not provisioned successfully"));
}

int
tenant_resend_not_provisioned(struct core_ctx *ctx, const struct svc_req *reqs,
    struct svc_resp *resps, int *rcs, size_t n)
{
	struct svc_req *again = xcalloc(n ? n : 1, sizeof(*again));
	struct svc_resp *ar = xcalloc(n ? n : 1, sizeof(*ar));
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	int *arcs = xcalloc(n ? n : 1, sizeof(*arcs));
	long delay = 2000, waited = 0;
	size_t i, k;
	int rc = CORE_OK;

	while (rc == CORE_OK) {
		for (i = 0, k = 0; i < n; i++)
			if (rcs[i] == CORE_ESERVICE && resps[i].raw.data &&
			    tenant_not_yet_provisioned(resps[i].raw.data)) {
				idx[k] = i;
				again[k++] = reqs[i];
			}
		if (k == 0 || waited + delay > TENANT_PROVISION_WAIT_S * 1000L)
			break;
		http_wait_ms(delay);
		waited += delay;
		delay = delay * 2 > 15000 ? 15000 : delay * 2;
		core_error_clear(ctx);
		rc = svc_call_many(ar, arcs, ctx, again, k);
		for (i = 0; i < k; i++) {
			svc_resp_release(&resps[idx[i]]);
			resps[idx[i]] = ar[i];
			rcs[idx[i]] = arcs[i];
		}
	}
	free(again);
	free(ar);
	free(idx);
	free(arcs);
	return rc;
}

int
tenant_write_many(struct svc_resp *resps, int *rcs, struct core_ctx *ctx,
    const struct svc_req *reqs, size_t n)
{
	int rc = svc_call_many(resps, rcs, ctx, reqs, n);

	return rc ? rc : tenant_resend_not_provisioned(ctx, reqs, resps, rcs, n);
}

int
tenant_user_configurations(cJSON **out, struct core_ctx *ctx)
{
	char *path = route_path(RT_G_USER_CONFIGS);
	int rc = graph_list(out, ctx, path, NULL);

	free(path);
	return rc;
}

int
tenant_user_configuration(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_G_USER_CONFIG, id);
	int rc = get_object(out, ctx, NULL, NULL, path);

	free(path);
	return rc;
}

bool
tenant_user_has_plan(const cJSON *user, const cJSON *skus, const char *plan_id)
{
	const cJSON *l, *id, *sku, *p, *pid;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id) || !(sku = tenant_sku_find(skus, id->valuestring)))
			continue;
		if (cj_has_str(cJSON_GetObjectItem(l, "disabledPlans"), plan_id))
			continue;
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(sku, "servicePlans")) {
			pid = cJSON_GetObjectItem(p, "servicePlanId");
			if (cJSON_IsString(pid) && strcasecmp(pid->valuestring, plan_id) == 0)
				return true;
		}
	}
	return false;
}

bool
tenant_user_has_calling_plan(const cJSON *user, const cJSON *skus)
{
	const cJSON *l, *id, *sku, *part;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id) || strcasecmp(id->valuestring, TENANT_SKU_COMM_CREDITS) == 0)
			continue;
		sku = tenant_sku_find(skus, id->valuestring);
		part = cJSON_GetObjectItem(sku, "skuPartNumber");
		if (cJSON_IsString(part) && strncasecmp(part->valuestring, "MCOPSTN", 7) == 0 &&
		    strcasecmp(part->valuestring, "MCOPSTNC") != 0)
			return true;
	}
	return false;
}

cJSON *
tenant_user_sku_names(const cJSON *user, const cJSON *skus)
{
	cJSON *names = cJSON_CreateArray();
	const cJSON *l, *id, *part;

	if (!names)
		BUG("out of memory");
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(user, "assignedLicenses")) {
		id = cJSON_GetObjectItem(l, "skuId");
		if (!cJSON_IsString(id))
			continue;
		part = cJSON_GetObjectItem(tenant_sku_find(skus, id->valuestring), "skuPartNumber");
		cJSON_AddItemToArray(names, cJSON_CreateString(cJSON_IsString(part) ?
		    part->valuestring : id->valuestring));
	}
	return names;
}

int
tenant_account_kind(enum tenant_account *kind, cJSON **teams,
    struct core_ctx *ctx, const cJSON *user)
{
	const cJSON *id = cJSON_GetObjectItem(user, "id");
	const cJSON *type;
	int rc;

	*teams = NULL;
	if (!cJSON_IsString(id))
		return core_error(ctx, CORE_ESERVICE, "graph returned a user without an id");
	rc = ta_resource_account_get(teams, ctx, id->valuestring);
	if (rc == CORE_OK) {
		*kind = TENANT_ACCOUNT_RESOURCE;
		return CORE_OK;
	}
	if (rc != CORE_ENOTFOUND)
		return rc;
	rc = tenant_user_configuration(teams, ctx, id->valuestring);
	if (rc == CORE_OK) {
		type = cJSON_GetObjectItem(*teams, "accountType");
		if (cJSON_IsString(type) && strcasecmp(type->valuestring, "resourceAccount") == 0) {
			cJSON_Delete(*teams);
			*teams = NULL;
			*kind = TENANT_ACCOUNT_REPLICATING;
		} else {
			*kind = TENANT_ACCOUNT_USER;
		}
		return CORE_OK;
	}
	if (rc != CORE_ENOTFOUND)
		return rc;
	/* Resource accounts are created disabled; users sign in. */
	*kind = cJSON_IsFalse(cJSON_GetObjectItem(user, "accountEnabled")) ?
	    TENANT_ACCOUNT_REPLICATING : TENANT_ACCOUNT_USER;
	return CORE_OK;
}

int
tenant_group_members(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path;
	bool snap;
	/* The sites' groups only: another group, or one the read did not find, asks the service. */
	int rc = snapshot_lookup(out, &snap, ctx, SNAP_GROUP_MEMBERS, id);

	if (rc != CORE_ENOTFOUND && (rc || snap))
		return rc;
	path = route_path(RT_G_GROUP_MEMBERS, id);
	rc = graph_list(out, ctx, path, NULL);

	free(path);
	return rc;
}

/* ISO 3166-1 alpha-2, the 249 assigned codes, sorted. */
static const char iso_countries[] =
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ "
	"BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR "
	"CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR "
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU "
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ "
	"LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
	"MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF "
	"PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI "
	"SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR "
	"TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

bool
tenant_country_code(char out[3], const char *in)
{
	char cc[3];
	size_t i;

	if (!in || strlen(in) != 2)
		return false;
	for (i = 0; i < 2; i++) {
		if (!((in[i] >= 'a' && in[i] <= 'z') || (in[i] >= 'A' && in[i] <= 'Z')))
			return false;
		cc[i] = (char)(in[i] & ~0x20);
	}
	cc[2] = '\0';
	for (i = 0; i + 2 <= sizeof(iso_countries) - 1; i += 3)
		if (iso_countries[i] == cc[0] && iso_countries[i + 1] == cc[1]) {
			memcpy(out, cc, 3);
			return true;
		}
	return false;
}

int
tenant_group_get(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_G_GROUP_GET, id);
	/* The sites' groups, by id. */
	int rc = get_object(out, ctx, SNAP_GROUPS, id, path);

	free(path);
	return rc;
}

/* qsort comparator: users by id, case-insensitively. */
static int
user_id_cmp(const void *a, const void *b)
{
	const cJSON *ia = cJSON_GetObjectItem(*(const cJSON *const *)a, "id");
	const cJSON *ib = cJSON_GetObjectItem(*(const cJSON *const *)b, "id");

	return strcasecmp(cJSON_IsString(ia) ? ia->valuestring : "",
	    cJSON_IsString(ib) ? ib->valuestring : "");
}

int
tenant_teams_phone_users(cJSON **out, cJSON **skus_out, struct core_ctx *ctx)
{
	static const char *const headers[] = { "ConsistencyLevel: eventual", NULL };
	cJSON *skus = NULL, *all = NULL, *page = NULL, *users = NULL, *u;
	cJSON **v = NULL;
	const cJSON *sku, *p, *pid, *skuid, *id;
	char *filter = NULL, *enc = NULL, *path = NULL;
	const char *last = NULL;
	size_t n = 0, i;
	bool carries;
	int rc;

	*out = NULL;
	if (skus_out)
		*skus_out = NULL;
	rc = tenant_skus(&skus, ctx);
	if (rc)
		return rc;
	all = cJSON_CreateArray();
	if (!all)
		BUG("out of memory");
	cJSON_ArrayForEach(sku, skus) {
		carries = false;
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(sku, "servicePlans")) {
			pid = cJSON_GetObjectItem(p, "servicePlanId");
			if (cJSON_IsString(pid) && strcasecmp(pid->valuestring, TENANT_PLAN_TEAMS_PHONE) == 0)
				carries = true;
		}
		skuid = cJSON_GetObjectItem(sku, "skuId");
		if (!carries || !cJSON_IsString(skuid))
			continue;
		filter = xasprintf("assignedLicenses/any(x:x/skuId eq %s)", skuid->valuestring);
		enc = NULL;
		path = route_path(RT_G_USERS_FILTER, filter);
		rc = graph_list(&page, ctx, path, headers);
		free(filter);
		free(enc);
		free(path);
		filter = enc = path = NULL;
		if (rc)
			goto out;
		while ((u = cJSON_DetachItemFromArray(page, 0)) != NULL) {
			if (tenant_user_has_plan(u, skus, TENANT_PLAN_TEAMS_PHONE))
				cJSON_AddItemToArray(all, u);
			else
				cJSON_Delete(u);
		}
		cJSON_Delete(page);
		page = NULL;
	}
	/* A user with two such licences was listed twice: keep one. */
	n = (size_t)cJSON_GetArraySize(all);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = cJSON_DetachItemFromArray(all, 0);
	xqsort(v, n, sizeof(*v), user_id_cmp);
	users = cJSON_CreateArray();
	if (!users)
		BUG("out of memory");
	for (i = 0; i < n; i++) {
		id = cJSON_GetObjectItem(v[i], "id");
		if (!cJSON_IsString(id) || (last && strcasecmp(last, id->valuestring) == 0)) {
			cJSON_Delete(v[i]);
			continue;
		}
		last = id->valuestring;
		cJSON_AddItemToArray(users, v[i]);
	}
	*out = users;
	users = NULL;
	if (skus_out) {
		*skus_out = skus;
		skus = NULL;
	}
out:
	free(v);
	cJSON_Delete(page);
	cJSON_Delete(all);
	cJSON_Delete(users);
	cJSON_Delete(skus);
	return rc;
}
