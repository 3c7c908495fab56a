/*
 * teamsadmin.c - the Teams admin API routes (see teamsadmin.h). The only file
 * that knows a teams path.
 */
#include "teamsadmin.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph.h"
#include "svc.h"

/* ---- generic helpers ---- */

/* Hands resp's body to *out (when out is not NULL). */
static void
take_body(cJSON **out, struct svc_resp *resp)
{
	cJSON *j = resp->json;

	if (!out)
		return;
	/* Single objects sometimes arrive as a one-element array. */
	if (cJSON_IsArray(j) && cJSON_GetArraySize(j) == 1) {
		*out = cJSON_DetachItemFromArray(j, 0);
		return;
	}
	*out = j;
	resp->json = NULL;
}

/*
 * One request; body handed to *out on success. flags as svc_call().
 */
static int
send_req(cJSON **out, bool *ambiguous, struct core_ctx *ctx, const char *method,
    const char *path, const cJSON *body, unsigned flags)
{
	struct svc_resp resp;
	int rc;

	if (out)
		*out = NULL;
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_TEAMS, method, path, body, NULL, flags);
	if (ambiguous)
		*ambiguous = resp.ambiguous;
	if (rc == CORE_OK)
		take_body(out, &resp);
	svc_resp_release(&resp);
	return rc;
}

/*
 * A read that succeeded must have answered one object: anything else is a
 * malformed answer, the service's fault, reported naming the request.
 */
static int
expect_object(int rc, cJSON **out, struct core_ctx *ctx, const char *path,
    const char *what)
{
	if (rc != CORE_OK || cJSON_IsObject(*out))
		return rc;
	rc = core_error(ctx, CORE_ESERVICE, "teams: GET %s: the answer is not %s "
	    "object (%s)", path, what, *out ? "another JSON type" : "empty");
	cJSON_Delete(*out);
	*out = NULL;
	return rc;
}

/* The list inside a read: a bare array, or the array under one of keys. */
static const cJSON *
list_of(const cJSON *j, const char *key)
{
	if (cJSON_IsArray(j))
		return j;
	if (key && cJSON_IsArray(cJSON_GetObjectItem(j, key)))
		return cJSON_GetObjectItem(j, key);
	if (cJSON_IsArray(cJSON_GetObjectItem(j, "value")))
		return cJSON_GetObjectItem(j, "value");
	return NULL;
}

static int
read_array(cJSON **out, struct core_ctx *ctx, const char *path, const char *key)
{
	struct svc_resp resp;
	const cJSON *arr;
	int rc;

	*out = NULL;
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_TEAMS, "GET", path, NULL, NULL, 0);
	if (rc)
		goto out;
	arr = list_of(resp.json, key);
	if (!arr) {
		rc = core_error(ctx, CORE_ESERVICE,
		    "GET %s: teams answered with something other than a list", path);
		goto out;
	}
	*out = cJSON_Duplicate(arr, 1);
	if (!*out)
		BUG("out of memory");
out:
	svc_resp_release(&resp);
	return rc;
}

static const char *
str_of(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *
dup_with_id(const cJSON *body, const char *id)
{
	cJSON *b = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();

	if (!b)
		BUG("out of memory");
	cJSON_DeleteItemFromObject(b, "id");
	cJSON_AddStringToObject(b, "id", id);
	return b;
}

/* ---- /Skype.Ncs ---- */

int
ta_locations(cJSON **out, struct core_ctx *ctx)
{
	return read_array(out, ctx, "/Skype.Ncs/locations", NULL);
}

static const char *const address_fields[] = {
	"description", "companyName", "companyId", "houseNumber", "houseNumberSuffix",
	"preDirectional", "streetName", "streetSuffix", "postDirectional",
	"cityOrTown", "cityOrTownAlias", "stateOrProvince", "countyOrDistrict",
	"postalOrZipCode", "country", "latitude", "longitude", "elin",
	"validationStatus", NULL
};

static cJSON *
find_address(cJSON *addresses, const char *id)
{
	cJSON *a;
	const char *aid;

	cJSON_ArrayForEach(a, addresses) {
		aid = str_of(a, "civicAddressId");
		if (aid && strcasecmp(aid, id) == 0)
			return a;
	}
	return NULL;
}

static int
by_description(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
	const char *da = str_of(a, "description"), *db = str_of(b, "description");
	int c = strcmp(da ? da : "", db ? db : "");

	return c ? c : strcmp(str_of(a, "civicAddressId"), str_of(b, "civicAddressId"));
}

static cJSON *
copy_or_null(const cJSON *v)
{
	cJSON *c = v ? cJSON_Duplicate(v, 1) : cJSON_CreateNull();

	if (!c)
		BUG("out of memory");
	return c;
}

static void
copy_address_fields(cJSON *addr, const cJSON *loc)
{
	const char *const *f;

	for (f = address_fields; *f; f++)
		cJSON_ReplaceItemInObject(addr, *f, copy_or_null(cJSON_GetObjectItem(loc, *f)));
}

static cJSON *
new_address(const cJSON *loc, const char *id)
{
	cJSON *addr = cJSON_CreateObject();
	const char *const *f;

	if (!addr)
		BUG("out of memory");
	cJSON_AddStringToObject(addr, "civicAddressId", id);
	cJSON_AddNullToObject(addr, "defaultLocationId");
	for (f = address_fields; *f; f++)
		cJSON_AddItemToObject(addr, *f, copy_or_null(cJSON_GetObjectItem(loc, *f)));
	cJSON_AddArrayToObject(addr, "locations");
	return addr;
}

cJSON *
ta_group_addresses(const cJSON *locations)
{
	cJSON *addresses = cJSON_CreateArray(), *sorted, *addr, *l, **v;
	const cJSON *loc, *isdef;
	const char *id;
	int n, i;

	if (!addresses)
		BUG("out of memory");
	cJSON_ArrayForEach(loc, locations) {
		id = str_of(loc, "civicAddressId");
		if (!id)
			continue;
		addr = find_address(addresses, id);
		if (!addr) {
			addr = new_address(loc, id);
			cJSON_AddItemToArray(addresses, addr);
		}
		isdef = cJSON_GetObjectItem(loc, "isDefault");
		if (cJSON_IsTrue(isdef) && str_of(loc, "id")) {
			/* The default location's row carries the address itself. */
			copy_address_fields(addr, loc);
			cJSON_ReplaceItemInObject(addr, "defaultLocationId",
			    cJSON_CreateString(str_of(loc, "id")));
		}
		l = cJSON_CreateObject();
		if (!l)
			BUG("out of memory");
		cJSON_AddItemToObject(l, "id", copy_or_null(cJSON_GetObjectItem(loc, "id")));
		cJSON_AddStringToObject(l, "location",
		    str_of(loc, "location") ? str_of(loc, "location") : "");
		cJSON_AddBoolToObject(l, "isDefault", cJSON_IsTrue(isdef));
		cJSON_AddItemToObject(l, "elin", copy_or_null(cJSON_GetObjectItem(loc, "elin")));
		cJSON_AddItemToArray(cJSON_GetObjectItem(addr, "locations"), l);
	}
	/* A stable order makes diffs and reports readable. */
	n = cJSON_GetArraySize(addresses);
	v = xcalloc((size_t)(n ? n : 1), sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = cJSON_GetArrayItem(addresses, i);
	xqsort(v, (size_t)n, sizeof(*v), by_description);
	sorted = cJSON_CreateArray();
	if (!sorted)
		BUG("out of memory");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(sorted, cJSON_Duplicate(v[i], 1));
	free(v);
	cJSON_Delete(addresses);
	return sorted;
}

int
ta_address_create(cJSON **out, struct core_ctx *ctx, const cJSON *body)
{
	return send_req(out, NULL, ctx, "POST", "/Skype.Ncs/civicAddresses", body, 0);
}

int
ta_address_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	char *enc = graph_escape(id);
	char *path = xasprintf("/Skype.Ncs/civicAddresses/%s", enc);
	cJSON *b = dup_with_id(body, id);
	int rc = send_req(out, NULL, ctx, "PUT", path, b, 0);

	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

int
ta_address_delete(struct core_ctx *ctx, const char *id)
{
	char *enc = graph_escape(id);
	char *path = xasprintf("/Skype.Ncs/civicAddresses/%s", enc);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	free(enc);
	return rc;
}

int
ta_location_create(cJSON **out, struct core_ctx *ctx, const char *civic_id,
    const char *location, const char *elin)
{
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "civicAddressId", civic_id);
	cJSON_AddStringToObject(b, "location", location);
	if (elin)
		cJSON_AddStringToObject(b, "elin", elin);
	else
		cJSON_AddNullToObject(b, "elin");
	rc = send_req(out, NULL, ctx, "POST", "/Skype.Ncs/locations", b, 0);
	cJSON_Delete(b);
	return rc;
}

int
ta_location_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	char *enc = graph_escape(id);
	char *path = xasprintf("/Skype.Ncs/locations/%s", enc);
	cJSON *b = dup_with_id(body, id);
	int rc = send_req(out, NULL, ctx, "PUT", path, b, 0);

	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

int
ta_location_delete(struct core_ctx *ctx, const char *id)
{
	char *enc = graph_escape(id);
	char *path = xasprintf("/Skype.Ncs/locations/%s", enc);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	free(enc);
	return rc;
}

/* ---- /Skype.Policy ---- */

const char *
ta_policy_name(const char *identity)
{
	if (identity && strncasecmp(identity, "Tag:", 4) == 0)
		return identity + 4;
	return identity;
}

/* "Global" stays as it is; any other name is addressed as "Tag:name". */
static char *
policy_path(const char *type, const char *name)
{
	const char *bare = ta_policy_name(name);
	char *enc = graph_escape(bare);
	char *path;

	if (strcasecmp(bare, "Global") == 0)
		path = xasprintf("/Skype.Policy/configurations/%s/configuration/Global", type);
	else
		path = xasprintf("/Skype.Policy/configurations/%s/configuration/Tag:%s",
		    type, enc);
	free(enc);
	return path;
}

int
ta_policies(cJSON **out, struct core_ctx *ctx, const char *type)
{
	char *path = xasprintf("/Skype.Policy/configurations/%s", type);
	int rc = read_array(out, ctx, path, NULL);

	free(path);
	return rc;
}

int
ta_policy_get(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name)
{
	char *path = policy_path(type, name);
	int rc = send_req(out, NULL, ctx, "GET", path, NULL, SVC_ALLOW_404);

	rc = expect_object(rc, out, ctx, path, "a policy");
	free(path);
	return rc;
}

int
ta_policy_create(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *body)
{
	char *path = xasprintf("/Skype.Policy/configurations/%s", type);
	cJSON *b = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_DeleteItemFromObject(b, "Identity");
	cJSON_AddStringToObject(b, "Identity", ta_policy_name(name));
	rc = send_req(out, NULL, ctx, "POST", path, b, 0);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_policy_update(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *changes)
{
	char *path = policy_path(type, name);
	cJSON *b = cJSON_Duplicate(changes, 1);
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_DeleteItemFromObject(b, "Identity");
	rc = send_req(out, NULL, ctx, "PUT", path, b, 0);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_policy_delete(struct core_ctx *ctx, const char *type, const char *name)
{
	char *path = policy_path(type, name);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

int
ta_grant_user(struct core_ctx *ctx, const char *object_id, const char *type,
    const char *name)
{
	char *enc = graph_escape(object_id);
	char *path = xasprintf("/Skype.Policy/users/%s/policies/%s", enc, type);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "PolicyName", name ? ta_policy_name(name) : "");
	/* A grant sets a value: repeating it is harmless. */
	rc = send_req(NULL, NULL, ctx, "PATCH", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

static char *
group_path(const char *group_id, const char *type)
{
	char *enc = graph_escape(group_id);
	char *path = xasprintf("/Skype.Policy/groupPolicyAssignments/%s/policyTypes/%s",
	    enc, type);

	free(enc);
	return path;
}

int
ta_grant_group(struct core_ctx *ctx, const char *group_id, const char *type,
    const char *name, int rank)
{
	char *path = group_path(group_id, type);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "PolicyName", ta_policy_name(name));
	cJSON_AddNumberToObject(b, "Rank", rank);
	rc = send_req(NULL, NULL, ctx, "PATCH", path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_ungrant_group(struct core_ctx *ctx, const char *group_id, const char *type)
{
	char *path = group_path(group_id, type);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

int
ta_group_grants(cJSON **out, struct core_ctx *ctx, const char *type)
{
	char *path = xasprintf("/Skype.Policy/groupPolicyAssignments?policyType=%s", type);
	cJSON *g;
	int rc = read_array(out, ctx, path, NULL);

	free(path);
	if (rc)
		return rc;
	cJSON_ArrayForEach(g, *out) {
		const cJSON *prio = cJSON_GetObjectItem(g, "Priority");

		if (!cJSON_GetObjectItem(g, "Rank") && prio)
			cJSON_AddItemToObject(g, "Rank", cJSON_Duplicate(prio, 1));
	}
	return CORE_OK;
}

/* ---- /Skype.TelephoneNumberMgmt ---- */

int
ta_set_enterprise_voice(struct core_ctx *ctx, const char *object_id, bool on)
{
	char *enc = graph_escape(object_id);
	char *path = xasprintf(
	    "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=%s&enterpriseVoiceEnabled=%s",
	    enc, on ? "true" : "false");
	int rc = send_req(NULL, NULL, ctx, "PUT", path, NULL, 0);

	free(path);
	free(enc);
	return rc;
}

/* ---- /Teams.PlatformService ---- */

int
ta_resource_accounts(cJSON **out, struct core_ctx *ctx)
{
	struct svc_resp resp;
	cJSON *all = cJSON_CreateArray();
	const cJSON *page, *item, *tok;
	char *path = NULL, *enc;
	int rc = CORE_OK;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	path = xstrdup("/Teams.PlatformService/v2/ApplicationInstances?pageSize=100");
	for (;;) {
		svc_resp_init(&resp);
		rc = svc_call(&resp, ctx, SVC_TEAMS, "GET", path, NULL, NULL, 0);
		if (rc) {
			svc_resp_release(&resp);
			goto out;
		}
		page = list_of(resp.json, "applicationInstances");
		if (!page) {
			svc_resp_release(&resp);
			rc = core_error(ctx, CORE_ESERVICE,
			    "GET /Teams.PlatformService/v2/ApplicationInstances: no list in the answer");
			goto out;
		}
		cJSON_ArrayForEach(item, page)
			cJSON_AddItemToArray(all, cJSON_Duplicate(item, 1));
		tok = cJSON_GetObjectItem(resp.json, "skipToken");
		free(path);
		path = NULL;
		if (cJSON_IsString(tok) && *tok->valuestring) {
			enc = graph_escape(tok->valuestring);
			path = xasprintf("/Teams.PlatformService/v2/ApplicationInstances?pageSize=100&skipToken=%s", enc);
			free(enc);
		}
		svc_resp_release(&resp);
		if (!path)
			break;
	}
out:
	free(path);
	if (rc) {
		cJSON_Delete(all);
		return rc;
	}
	*out = all;
	return CORE_OK;
}

int
ta_resource_account_get(cJSON **out, struct core_ctx *ctx, const char *identity)
{
	char *enc = graph_escape(identity);
	char *path = xasprintf("/Teams.PlatformService/v2/Legacy/ApplicationInstances?identity=%s", enc);
	cJSON *list = NULL;
	int rc;

	*out = NULL;
	/*
	 * No such account is a 404 ("The user '…' is not found"), also while a
	 * new one replicates: CORE_ENOTFOUND, never an error.
	 */
	rc = send_req(&list, NULL, ctx, "GET", path, NULL, SVC_ALLOW_404);
	free(path);
	free(enc);
	if (rc)
		return rc;
	if (cJSON_IsObject(list) && !list_of(list, NULL)) {
		*out = list;    /* a single object, or a one-element array unwrapped */
		return CORE_OK;
	}
	if (!list_of(list, NULL) || cJSON_GetArraySize(list_of(list, NULL)) < 1) {
		cJSON_Delete(list);
		return CORE_ENOTFOUND;
	}
	*out = cJSON_Duplicate(cJSON_GetArrayItem(list_of(list, NULL), 0), 1);
	cJSON_Delete(list);
	if (!*out)
		BUG("out of memory");
	return CORE_OK;
}

int
ta_resource_account_create(cJSON **out, bool *ambiguous, struct core_ctx *ctx,
    const char *upn, const char *display_name, const char *application_id)
{
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "userPrincipalName", upn);
	cJSON_AddStringToObject(b, "displayName", display_name);
	cJSON_AddStringToObject(b, "applicationId", application_id);
	rc = send_req(out, ambiguous, ctx, "POST", "/Teams.PlatformService/v2/ApplicationInstances",
	    b, 0);
	cJSON_Delete(b);
	return rc;
}

int
ta_resource_account_update(cJSON **out, struct core_ctx *ctx, const char *object_id,
    const char *display_name, const char *application_id)
{
	char *enc = graph_escape(object_id);
	char *path = xasprintf("/Teams.PlatformService/v2/ApplicationInstances/%s", enc);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "displayName", display_name);
	cJSON_AddStringToObject(b, "applicationId", application_id);
	rc = send_req(out, NULL, ctx, "PUT", path, b, 0);
	cJSON_Delete(b);
	free(path);
	free(enc);
	return rc;
}

/* ---- /Teams.VoiceApps ---- */

int
ta_auto_attendants(cJSON **out, struct core_ctx *ctx)
{
	/* The list pages with first/skip (100 when first is absent): read to a short page. */
	const int first = 100;
	cJSON *all = cJSON_CreateArray(), *page = NULL;
	char *path;
	int rc, n, skip;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	for (skip = 0;; skip += first) {
		path = xasprintf("/Teams.VoiceApps/auto-attendants?first=%d&skip=%d", first, skip);
		rc = read_array(&page, ctx, path, "autoAttendants");
		free(path);
		if (rc) {
			cJSON_Delete(all);
			return rc;
		}
		n = cJSON_GetArraySize(page);
		while (page->child)
			cJSON_AddItemToArray(all, cJSON_DetachItemFromArray(page, 0));
		cJSON_Delete(page);
		if (n < first)
			break;
	}
	*out = all;
	return CORE_OK;
}

static char *
aa_path(const char *id)
{
	char *enc = graph_escape(id);
	char *path = xasprintf("/Teams.VoiceApps/auto-attendants/%s", enc);

	free(enc);
	return path;
}

int
ta_auto_attendant_get(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path = aa_path(id);
	int rc = send_req(out, NULL, ctx, "GET", path, NULL, SVC_ALLOW_404);

	rc = expect_object(rc, out, ctx, path, "an auto attendant");
	free(path);
	return rc;
}

int
ta_auto_attendant_create(cJSON **out, bool *ambiguous, struct core_ctx *ctx,
    const cJSON *body)
{
	return send_req(out, ambiguous, ctx, "POST", "/Teams.VoiceApps/auto-attendants",
	    body, 0);
}

int
ta_auto_attendant_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	char *path = aa_path(id);
	int rc = send_req(out, NULL, ctx, "PUT", path, body, 0);

	free(path);
	return rc;
}

int
ta_auto_attendant_delete(struct core_ctx *ctx, const char *id)
{
	char *path = aa_path(id);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

int
ta_associate(struct core_ctx *ctx, const char *aa_id,
    const char *const *endpoint_ids, size_t n, int priority)
{
	cJSON *b = cJSON_CreateObject(), *ids;
	size_t i;
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "configurationId", aa_id);
	cJSON_AddStringToObject(b, "configurationType", "AutoAttendant");
	ids = cJSON_AddArrayToObject(b, "endpointsId");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(endpoint_ids[i]));
	cJSON_AddNumberToObject(b, "callPriority", priority ? priority : 3);
	rc = send_req(NULL, NULL, ctx, "POST", "/Teams.VoiceApps/applicationinstanceassociations",
	    b, 0);
	cJSON_Delete(b);
	return rc;
}

static char *
assoc_path(const char *endpoint_id)
{
	char *enc = graph_escape(endpoint_id);
	char *path = xasprintf("/Teams.VoiceApps/applicationinstanceassociations/%s", enc);

	free(enc);
	return path;
}

int
ta_association_get(cJSON **out, struct core_ctx *ctx, const char *endpoint_id)
{
	char *path = assoc_path(endpoint_id);
	int rc = send_req(out, NULL, ctx, "GET", path, NULL, SVC_ALLOW_404);

	free(path);
	return rc;
}

int
ta_disassociate(struct core_ctx *ctx, const char *endpoint_id)
{
	char *path = assoc_path(endpoint_id);
	int rc = send_req(NULL, NULL, ctx, "DELETE", path, NULL, 0);

	free(path);
	return rc;
}

/* ---- /Teams.User ---- */

int
ta_user_get(cJSON **out, struct core_ctx *ctx, const char *object_id)
{
	char *enc = graph_escape(object_id);
	char *path = xasprintf("/Teams.User/users/%s", enc);
	int rc = send_req(out, NULL, ctx, "GET", path, NULL, SVC_ALLOW_404);

	free(path);
	free(enc);
	return rc;
}

/* ---- PSTN usages ---- */

int
ta_pstn_usages(cJSON **out, struct core_ctx *ctx)
{
	cJSON *inst = NULL;
	const cJSON *usage;
	int rc;

	*out = NULL;
	rc = ta_policy_get(&inst, ctx, TA_PSTN_USAGES, "Global");
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_ESERVICE,
		    "teams has no Global instance of '" TA_PSTN_USAGES "'");
	if (rc)
		return rc;
	usage = cJSON_GetObjectItem(inst, "Usage");
	if (usage && !cJSON_IsNull(usage) && !cJSON_IsArray(usage)) {
		cJSON_Delete(inst);
		return core_error(ctx, CORE_ESERVICE,
		    "teams returned a Global '" TA_PSTN_USAGES "' whose Usage is not a list");
	}
	*out = cJSON_IsArray(usage) ? cJSON_Duplicate(usage, 1) : cJSON_CreateArray();
	cJSON_Delete(inst);
	if (!*out)
		BUG("out of memory");
	return CORE_OK;
}

int
ta_pstn_usages_set(struct core_ctx *ctx, const cJSON *usages)
{
	cJSON *b = cJSON_CreateObject();
	cJSON *u = cJSON_Duplicate(usages, 1);
	int rc;

	if (!b || !u)
		BUG("out of memory");
	cJSON_AddItemToObject(b, "Usage", u);
	rc = ta_policy_update(NULL, ctx, TA_PSTN_USAGES, "Global", b);
	cJSON_Delete(b);
	return rc;
}

static bool
string_in(const cJSON *arr, const char *s)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0)
			return true;
	return false;
}

cJSON *
ta_pstn_usages_missing(const cJSON *have, const cJSON *wanted)
{
	cJSON *missing = cJSON_CreateArray();
	const cJSON *w;

	if (!missing)
		BUG("out of memory");
	cJSON_ArrayForEach(w, wanted) {
		if (!cJSON_IsString(w) || !*w->valuestring)
			continue;
		if (string_in(have, w->valuestring) || string_in(missing, w->valuestring))
			continue;
		cJSON_AddItemToArray(missing, cJSON_CreateString(w->valuestring));
	}
	return missing;
}

/* ---- prepared writes (see teamsadmin.h) ---- */

void
ta_grant_user_req(struct svc_req *req, const char *object_id, const char *type,
    const char *name)
{
	char *enc = graph_escape(object_id);
	cJSON *b = cJSON_CreateObject();

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "PolicyName", name ? ta_policy_name(name) : "");
	memset(req, 0, sizeof(*req));
	req->svc = SVC_TEAMS;
	req->method = "PATCH";
	req->path = xasprintf("/Skype.Policy/users/%s/policies/%s", enc, type);
	req->body = b;
	/* As ta_grant_user(): a grant sets a value, repeating it is harmless. */
	req->flags = SVC_IDEMPOTENT;
	free(enc);
}

void
ta_enterprise_voice_req(struct svc_req *req, const char *object_id, bool on)
{
	char *enc = graph_escape(object_id);

	memset(req, 0, sizeof(*req));
	req->svc = SVC_TEAMS;
	req->method = "PUT";
	req->path = xasprintf(
	    "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=%s&enterpriseVoiceEnabled=%s",
	    enc, on ? "true" : "false");
	free(enc);
}

void
ta_req_release(struct svc_req *req)
{
	free((char *)req->path);
	cJSON_Delete((cJSON *)req->body);
	memset(req, 0, sizeof(*req));
}

/* ---- users, Teams view, in bulk (teams_shared_calling_info) ---- */

int
ta_users(cJSON **out, struct core_ctx *ctx, const char *filter)
{
	struct svc_resp resp;
	cJSON *all = cJSON_CreateArray();
	const cJSON *page, *item, *tok;
	char *path, *fenc = filter ? graph_escape(filter) : NULL, *enc;
	int rc = CORE_OK;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	path = fenc ? xasprintf("/Teams.User/users?filter=%s&pageSize=100", fenc) :
	    xstrdup("/Teams.User/users?pageSize=100");
	while (path) {
		svc_resp_init(&resp);
		rc = svc_call(&resp, ctx, SVC_TEAMS, "GET", path, NULL, NULL, 0);
		if (rc) {
			svc_resp_release(&resp);
			break;
		}
		page = list_of(resp.json, "users");
		if (!page) {
			svc_resp_release(&resp);
			rc = core_error(ctx, CORE_ESERVICE,
			    "GET /Teams.User/users: teams answered with something other than a list");
			break;
		}
		cJSON_ArrayForEach(item, page)
			cJSON_AddItemToArray(all, cJSON_Duplicate(item, 1));
		tok = cJSON_GetObjectItem(resp.json, "skipToken");
		free(path);
		path = NULL;
		if (cJSON_IsString(tok) && *tok->valuestring) {
			enc = graph_escape(tok->valuestring);
			path = fenc ? xasprintf("/Teams.User/users?filter=%s&pageSize=100&skiptoken=%s",
			    fenc, enc) : xasprintf("/Teams.User/users?pageSize=100&skiptoken=%s", enc);
			free(enc);
		}
		svc_resp_release(&resp);
	}
	free(path);
	free(fenc);
	if (rc) {
		cJSON_Delete(all);
		return rc;
	}
	*out = all;
	return CORE_OK;
}
