/*
 * teamsadmin.c - the Teams admin API routes (see teamsadmin.h). The only file
 * that knows a teams path.
 */
#include "teamsadmin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cj.h"
#include "graph.h"
#include "routes.h"
#include "snapshot.h"
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
 * A 404 or 405 on a route nothing shows (graded INF): the message says so
 * and names the request (routes.h), keeping the service's own text.
 */
static int
unverified(struct core_ctx *ctx, enum route_id id, const char *path,
    const struct svc_resp *resp, int rc)
{
	char *text, *service;

	if (rc == CORE_OK || rc == CORE_ENOTFOUND)
		return rc;
	service = resp->status ? graph_error_text(ctx, resp->status, resp->json) : NULL;
	text = route_unverified(id, path, resp->status, service);
	if (text) {
		core_error_clear(ctx);
		rc = core_error(ctx, CORE_ESERVICE, "%s", text);
		free(text);
	}
	free(service);
	return rc;
}

/*
 * One request of route id to path (route_path()); body handed to *out on
 * success. flags as svc_call().
 */
static int
send_req(cJSON **out, bool *ambiguous, struct core_ctx *ctx, enum route_id id,
    const char *path, const cJSON *body, unsigned flags)
{
	struct svc_resp resp;
	int rc;

	if (out)
		*out = NULL;
	svc_resp_init(&resp);
	rc = svc_call(&resp, ctx, SVC_TEAMS, route_get(id)->method, path, body, NULL, flags);
	if (ambiguous)
		*ambiguous = resp.ambiguous;
	if (rc == CORE_OK)
		take_body(out, &resp);
	rc = unverified(ctx, id, path, &resp, rc);
	svc_resp_release(&resp);
	return rc;
}

/* send_req() to a route without path parameters of body b, which it takes over. */
static int
send_body(cJSON **out, bool *ambiguous, struct core_ctx *ctx, enum route_id id, cJSON *b)
{
	char *path = route_path(id);
	int rc = send_req(out, ambiguous, ctx, id, path, b, 0);

	cJSON_Delete(b);
	free(path);
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

static cJSON *
dup_with_id(const cJSON *body, const char *id)
{
	cJSON *b = body ? cj_dup(body) : cj_object();

	cJSON_DeleteItemFromObject(b, "id");
	cJSON_AddStringToObject(b, "id", id);
	return b;
}

/* ---- /Skype.Ncs ---- */

int
ta_locations(cJSON **out, struct core_ctx *ctx)
{
	char *path;
	bool snap;
	int rc = snapshot_copy(out, &snap, ctx, SNAP_LOCATIONS);

	if (rc || snap)
		return rc;
	path = route_path(RT_NCS_LOCATIONS);
	rc = read_array(out, ctx, path, NULL);

	free(path);
	return rc;
}

static const char *const address_fields[] = {
	"description", "companyName", "companyId", "houseNumber", "houseNumberSuffix",
	"preDirectional", "streetName", "streetSuffix", "postDirectional",
	"cityOrTown", "cityOrTownAlias", "stateOrProvince", "countyOrDistrict",
	"postalOrZipCode", "country", "latitude", "longitude", "elin",
	"validationStatus", NULL
};

static int
by_description(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
	const char *da = cj_str(a, "description"), *db = cj_str(b, "description");
	int c = strcmp(da ? da : "", db ? db : "");

	return c ? c : strcmp(cj_str(a, "civicAddressId"), cj_str(b, "civicAddressId"));
}

static void
copy_address_fields(cJSON *addr, const cJSON *loc)
{
	const char *const *f;

	for (f = address_fields; *f; f++)
		cJSON_ReplaceItemInObject(addr, *f, cj_dup(cJSON_GetObjectItem(loc, *f)));
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
		cJSON_AddItemToObject(addr, *f, cj_dup(cJSON_GetObjectItem(loc, *f)));
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
		id = cj_str(loc, "civicAddressId");
		if (!id)
			continue;
		/* An item of addresses, which this function owns. */
		addr = (cJSON *)cj_find(addresses, "civicAddressId", id);
		if (!addr) {
			addr = new_address(loc, id);
			cJSON_AddItemToArray(addresses, addr);
		}
		isdef = cJSON_GetObjectItem(loc, "isDefault");
		if (cJSON_IsTrue(isdef) && cj_str(loc, "id")) {
			/* The default location's row carries the address itself. */
			copy_address_fields(addr, loc);
			cJSON_ReplaceItemInObject(addr, "defaultLocationId",
			    cJSON_CreateString(cj_str(loc, "id")));
		}
		l = cJSON_CreateObject();
		if (!l)
			BUG("out of memory");
		cJSON_AddItemToObject(l, "id", cj_dup(cJSON_GetObjectItem(loc, "id")));
		cJSON_AddStringToObject(l, "location",
		    cj_str(loc, "location") ? cj_str(loc, "location") : "");
		cJSON_AddBoolToObject(l, "isDefault", cJSON_IsTrue(isdef));
		cJSON_AddItemToObject(l, "elin", cj_dup(cJSON_GetObjectItem(loc, "elin")));
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
	cJSON *b = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();

	if (!b)
		BUG("out of memory");
	/* NewCivicAddress has no county: it is a location field (docs/wire.md). */
	cJSON_DeleteItemFromObject(b, "countyOrDistrict");
	return send_body(out, NULL, ctx, RT_NCS_ADDRESS_CREATE, b);
}

/* Renames a key of b, keeping its value, when it is there. */
static void
rename_key(cJSON *b, const char *from, const char *to)
{
	cJSON *v = cJSON_DetachItemFromObject(b, from);

	if (v)
		cJSON_AddItemToObject(b, to, v);
}

int
ta_address_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	cJSON *b = dup_with_id(body, id);

	/*
	 * SetCivicAddress names two fields differently from NewCivicAddress
	 * and the reads, has no county, and takes the id in the body of a
	 * request to the collection (docs/wire.md).
	 */
	rename_key(b, "cityOrTownAlias", "cityAlias");
	rename_key(b, "companyId", "companyTaxId");
	cJSON_DeleteItemFromObject(b, "countyOrDistrict");
	return send_body(out, NULL, ctx, RT_NCS_ADDRESS_UPDATE, b);
}

int
ta_address_delete(struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_NCS_ADDRESS_DELETE, id);
	int rc = send_req(NULL, NULL, ctx, RT_NCS_ADDRESS_DELETE, path, NULL, 0);

	free(path);
	return rc;
}

int
ta_location_create(cJSON **out, struct core_ctx *ctx, const char *civic_id,
    const char *location, const char *elin)
{
	cJSON *b = cJSON_CreateObject();

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "civicAddressId", civic_id);
	/*
	 * The cmdlet's -Location travels as additionalInfo (docs/wire.md); the
	 * reads name it "location", which is sent along with the same value.
	 */
	cJSON_AddStringToObject(b, "additionalInfo", location);
	cJSON_AddStringToObject(b, "location", location);
	if (elin)
		cJSON_AddStringToObject(b, "elin", elin);
	else
		cJSON_AddNullToObject(b, "elin");
	return send_body(out, NULL, ctx, RT_NCS_LOCATION_CREATE, b);
}

int
ta_location_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	cJSON *b = dup_with_id(body, id);
	const cJSON *name = cJSON_GetObjectItem(b, "location");

	/* As the create: the place name is additionalInfo; id in the body. */
	if (name && !cJSON_GetObjectItem(b, "additionalInfo"))
		cJSON_AddItemToObject(b, "additionalInfo", cJSON_Duplicate(name, 1));
	return send_body(out, NULL, ctx, RT_NCS_LOCATION_UPDATE, b);
}

int
ta_location_delete(struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_NCS_LOCATION_DELETE, id);
	int rc = send_req(NULL, NULL, ctx, RT_NCS_LOCATION_DELETE, path, NULL, 0);

	free(path);
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

const cJSON *
ta_policy_find(const cJSON *list, const char *name)
{
	const cJSON *p;
	const char *id;

	if (!name)
		return NULL;
	cJSON_ArrayForEach(p, list) {
		id = cj_str(p, "Identity");
		if (id && strcasecmp(ta_policy_name(id), ta_policy_name(name)) == 0)
			return p;
	}
	return NULL;
}

/* "Global" stays as it is; any other name is addressed as "Tag:name". */
static char *
policy_path(enum route_id id, const char *type, const char *name)
{
	const char *bare = ta_policy_name(name);

	return route_path(id, type, strcasecmp(bare, "Global") == 0 ? "" : "Tag:", bare);
}

int
ta_policies(cJSON **out, struct core_ctx *ctx, const char *type)
{
	char *path = snapshot_policy_kind(type);
	bool snap;
	int rc = snapshot_copy(out, &snap, ctx, path);

	free(path);
	if (rc || snap)
		return rc;
	path = route_path(RT_POLICY_LIST, type);
	rc = read_array(out, ctx, path, NULL);

	free(path);
	return rc;
}

int
ta_policy_get(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name)
{
	char *path = snapshot_policy_kind(type);
	const cJSON *list, *p;
	int rc = snapshot_get(&list, ctx, path);

	free(path);
	if (rc || list) {
		/* The snapshot's list of the type is every instance there is. */
		*out = NULL;
		if (rc)
			return rc;
		p = ta_policy_find(list, name);
		if (!p)
			return CORE_ENOTFOUND;
		*out = cj_dup(p);
		return CORE_OK;
	}
	path = policy_path(RT_POLICY_GET, type, name);
	rc = send_req(out, NULL, ctx, RT_POLICY_GET, path, NULL, SVC_ALLOW_404);

	rc = expect_object(rc, out, ctx, path, "a policy");
	free(path);
	return rc;
}

int
ta_policy_create(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *body)
{
	char *path = route_path(RT_POLICY_CREATE, type);
	cJSON *b = body ? cJSON_Duplicate(body, 1) : cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_DeleteItemFromObject(b, "Identity");
	cJSON_AddStringToObject(b, "Identity", ta_policy_name(name));
	rc = send_req(out, NULL, ctx, RT_POLICY_CREATE, path, b, 0);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_policy_update(cJSON **out, struct core_ctx *ctx, const char *type,
    const char *name, const cJSON *changes)
{
	bool mpa = strcmp(type, TA_SHARED_CALLING) == 0;
	char *path = policy_path(mpa ? RT_POLICY_PATCH : RT_POLICY_PUT, type, name);
	cJSON *b = cJSON_Duplicate(changes, 1);
	int rc;

	if (!b)
		BUG("out of memory");
	cJSON_DeleteItemFromObject(b, "Identity");
	/*
	 * TeamsSharedCallingRoutingPolicy is served by the policy service the
	 * MPA cmdlets use: PATCH with Identity in the body. The ConfigAPI types
	 * take PUT without it (docs/wire.md).
	 */
	if (mpa) {
		cJSON_AddStringToObject(b, "Identity", ta_policy_name(name));
		rc = send_req(out, NULL, ctx, RT_POLICY_PATCH, path, b, 0);
	} else {
		rc = send_req(out, NULL, ctx, RT_POLICY_PUT, path, b, 0);
	}
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_policy_delete(struct core_ctx *ctx, const char *type, const char *name)
{
	char *path = policy_path(RT_POLICY_DELETE, type, name);
	int rc = send_req(NULL, NULL, ctx, RT_POLICY_DELETE, path, NULL, 0);

	free(path);
	return rc;
}

/* The body of a user grant; name NULL or "" removes the direct grant. */
static void
add_grant_body(cJSON *b, const char *name)
{
	/*
	 * {"policyName": X, "additionalParameters": null}; a removal sends
	 * policyName null (docs/wire.md: SingleGrantPayload).
	 */
	if (name && *name)
		cJSON_AddStringToObject(b, "policyName", ta_policy_name(name));
	else
		cJSON_AddNullToObject(b, "policyName");
	cJSON_AddNullToObject(b, "additionalParameters");
}

int
ta_grant_group(struct core_ctx *ctx, const char *group_id, const char *type,
    const char *name, int rank, bool exists)
{
	enum route_id id = exists ? RT_GROUP_GRANT_CHANGE : RT_GROUP_GRANT_CREATE;
	char *path = route_path(id, group_id, type);
	cJSON *b = cJSON_CreateObject();
	int rc;

	if (!b)
		BUG("out of memory");
	/*
	 * GroupAssignPayload {"policyName", "priority"}: New-CsGroupPolicy-
	 * Assignment creates with PUT, Set-CsGroupPolicyAssignment changes with
	 * PATCH (docs/wire.md).
	 */
	cJSON_AddStringToObject(b, "policyName", ta_policy_name(name));
	cJSON_AddNumberToObject(b, "priority", rank);
	rc = send_req(NULL, NULL, ctx, id, path, b, SVC_IDEMPOTENT);
	cJSON_Delete(b);
	free(path);
	return rc;
}

int
ta_ungrant_group(struct core_ctx *ctx, const char *group_id, const char *type)
{
	char *path = route_path(RT_GROUP_GRANT_DELETE, group_id, type);
	int rc = send_req(NULL, NULL, ctx, RT_GROUP_GRANT_DELETE, path, NULL, 0);

	free(path);
	return rc;
}

int
ta_group_grants(cJSON **out, struct core_ctx *ctx, const char *type)
{
	char *path = route_path(RT_GROUP_GRANTS, type);
	static const char *const keys[][2] = {
		{ "GroupId", "groupId" }, { "PolicyType", "policyType" },
		{ "PolicyName", "policyName" }, { "Rank", "priority" },
	};
	cJSON *list = NULL, *norm, *g, *n;
	const cJSON *v;
	size_t k;
	char *kind = snapshot_grants_kind(type);
	bool snap;
	int rc = snapshot_copy(out, &snap, ctx, kind);

	free(kind);
	if (rc || snap) {
		free(path);
		return rc;
	}
	rc = read_array(&list, ctx, path, NULL);
	free(path);
	*out = NULL;
	if (rc)
		return rc;
	/* The service lists GroupAssignment {groupId, policyType, policyName, priority}. */
	norm = cJSON_CreateArray();
	if (!norm)
		BUG("out of memory");
	cJSON_ArrayForEach(g, list) {
		n = cJSON_CreateObject();
		if (!n)
			BUG("out of memory");
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			v = cJSON_GetObjectItem(g, keys[k][1]);
			if (!v && k == 3)
				v = cJSON_GetObjectItem(g, "Rank");
			cJSON_AddItemToObject(n, keys[k][0], cj_dup(v));
		}
		cJSON_AddItemToArray(norm, n);
	}
	cJSON_Delete(list);
	*out = norm;
	return CORE_OK;
}

/* ---- /Teams.PlatformService ---- */

int
ta_resource_accounts(cJSON **out, struct core_ctx *ctx)
{
	struct svc_resp resp;
	cJSON *all = cJSON_CreateArray();
	const cJSON *page, *item, *tok;
	char *path = NULL, *enc, *more;
	int rc = CORE_OK;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	path = route_path(RT_RA_LIST, "");
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
			more = xasprintf("&skipToken=%s", enc);
			path = route_path(RT_RA_LIST, more);
			free(more);
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
	char *path;
	cJSON *list = NULL;
	bool snap;
	int rc;

	*out = NULL;
	rc = snapshot_find(out, &snap, ctx, SNAP_RESOURCE_ACCOUNTS, "objectId",
	    "userPrincipalName", identity);
	if (rc || snap)
		return rc;
	path = route_path(RT_RA_GET, identity);
	/*
	 * No such account is a 404 ("The user '…' is not found"), also while a
	 * new one replicates: CORE_ENOTFOUND, never an error.
	 */
	rc = send_req(&list, NULL, ctx, RT_RA_GET, path, NULL, SVC_ALLOW_404);
	free(path);
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

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "userPrincipalName", upn);
	cJSON_AddStringToObject(b, "displayName", display_name);
	cJSON_AddStringToObject(b, "applicationId", application_id);
	return send_body(out, ambiguous, ctx, RT_RA_CREATE, b);
}

/* ---- /Teams.VoiceApps ---- */

/*
 * Get, create and update answer with the attendant in an "autoAttendant"
 * envelope (docs/wire.md), sometimes as a one-element array; a bare object
 * is kept as it is. Replaces *j with the attendant.
 */
static void
aa_unwrap(cJSON **j)
{
	cJSON *inner;

	if (!*j || !cJSON_IsObject(*j))
		return;
	inner = cJSON_GetObjectItem(*j, "autoAttendant");
	if (cJSON_IsArray(inner) && cJSON_GetArraySize(inner) == 1)
		inner = cJSON_DetachItemFromArray(inner, 0);
	else if (cJSON_IsObject(inner))
		inner = cJSON_DetachItemViaPointer(*j, inner);
	else
		return;
	cJSON_Delete(*j);
	*j = inner;
}

int
ta_auto_attendants(cJSON **out, struct core_ctx *ctx)
{
	/* The list pages with first/skip (100 when first is absent): read to a short page. */
	const int first = 100;
	cJSON *all, *page = NULL;
	char *path, f[16], k[16];
	bool snap;
	int rc, n, skip;

	*out = NULL;
	rc = snapshot_copy(out, &snap, ctx, SNAP_AUTO_ATTENDANTS);
	if (rc || snap)
		return rc;
	all = cJSON_CreateArray();
	if (!all)
		BUG("out of memory");
	for (skip = 0;; skip += first) {
		snprintf(f, sizeof(f), "%d", first);
		snprintf(k, sizeof(k), "%d", skip);
		path = route_path(RT_AA_LIST, f, k);
		rc = read_array(&page, ctx, path, "autoAttendants");
		free(path);
		if (rc) {
			cJSON_Delete(all);
			return rc;
		}
		n = cJSON_GetArraySize(page);
		while (page->child) {
			cJSON *aa = cJSON_DetachItemFromArray(page, 0);

			aa_unwrap(&aa);
			cJSON_AddItemToArray(all, aa);
		}
		cJSON_Delete(page);
		if (n < first)
			break;
	}
	*out = all;
	return CORE_OK;
}

int
ta_auto_attendant_get(cJSON **out, struct core_ctx *ctx, const char *id)
{
	char *path;
	bool snap;
	int rc = snapshot_find(out, &snap, ctx, SNAP_AUTO_ATTENDANTS, "id", NULL, id);

	if (rc || snap)
		return rc;
	path = route_path(RT_AA_GET, id);
	rc = send_req(out, NULL, ctx, RT_AA_GET, path, NULL, SVC_ALLOW_404);

	rc = expect_object(rc, out, ctx, path, "an auto attendant");
	free(path);
	if (rc == CORE_OK)
		aa_unwrap(out);
	return rc;
}

int
ta_auto_attendant_create(cJSON **out, bool *ambiguous, struct core_ctx *ctx,
    const cJSON *body)
{
	char *path = route_path(RT_AA_CREATE);
	int rc = send_req(out, ambiguous, ctx, RT_AA_CREATE, path, body, 0);

	free(path);
	if (rc == CORE_OK && out)
		aa_unwrap(out);
	return rc;
}

int
ta_auto_attendant_update(cJSON **out, struct core_ctx *ctx, const char *id,
    const cJSON *body)
{
	char *path = route_path(RT_AA_UPDATE, id);
	int rc = send_req(out, NULL, ctx, RT_AA_UPDATE, path, body, 0);

	free(path);
	if (rc == CORE_OK && out)
		aa_unwrap(out);
	return rc;
}

int
ta_auto_attendant_delete(struct core_ctx *ctx, const char *id)
{
	char *path = route_path(RT_AA_DELETE, id);
	int rc = send_req(NULL, NULL, ctx, RT_AA_DELETE, path, NULL, 0);

	free(path);
	return rc;
}

int
ta_associate(struct core_ctx *ctx, const char *aa_id,
    const char *const *endpoint_ids, size_t n, int priority)
{
	cJSON *b = cJSON_CreateObject(), *ids;
	size_t i;

	if (!b)
		BUG("out of memory");
	cJSON_AddStringToObject(b, "configurationId", aa_id);
	cJSON_AddStringToObject(b, "configurationType", "AutoAttendant");
	ids = cJSON_AddArrayToObject(b, "endpointsId");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(ids, cJSON_CreateString(endpoint_ids[i]));
	cJSON_AddNumberToObject(b, "callPriority", priority ? priority : 3);
	return send_body(NULL, NULL, ctx, RT_ASSOC_CREATE, b);
}

/* The link of the snapshot's auto attendant that lists endpoint_id, if one does. */
static int
association_listed(cJSON **out, bool *carried, struct core_ctx *ctx, const char *endpoint_id)
{
	const cJSON *aas, *aa, *x;
	int rc = snapshot_get(&aas, ctx, SNAP_AUTO_ATTENDANTS);

	*carried = false;
	if (rc || !aas)
		return rc;
	cJSON_ArrayForEach(aa, aas)
		cJSON_ArrayForEach(x, cJSON_GetObjectItem(aa, "applicationInstances"))
			if (cJSON_IsString(x) && strcasecmp(x->valuestring, endpoint_id) == 0) {
				*out = cj_object();
				cj_set_str(*out, "id", endpoint_id);
				cj_set_str(*out, "configurationType", "AutoAttendant");
				cj_set_str(*out, "configurationId", cj_str(aa, "id"));
				*carried = true;
				return CORE_OK;
			}
	return CORE_OK;
}

int
ta_association_get(cJSON **out, struct core_ctx *ctx, const char *endpoint_id,
    bool priority)
{
	char *path;
	bool snap = false;
	int rc;

	*out = NULL;
	if (!priority) {
		rc = association_listed(out, &snap, ctx, endpoint_id);
		if (rc || snap)
			return rc;
	}
	path = route_path(RT_ASSOC_GET, endpoint_id);
	rc = send_req(out, NULL, ctx, RT_ASSOC_GET, path, NULL, SVC_ALLOW_404);
	free(path);
	return rc;
}

int
ta_disassociate(struct core_ctx *ctx, const char *endpoint_id)
{
	char *path = route_path(RT_ASSOC_DELETE, endpoint_id);
	int rc = send_req(NULL, NULL, ctx, RT_ASSOC_DELETE, path, NULL, 0);

	free(path);
	return rc;
}

/* ---- /Teams.User ---- */

int
ta_user_get(cJSON **out, struct core_ctx *ctx, const char *object_id)
{
	char *path;
	bool snap;
	/* The snapshot holds the resource accounts' views only: a miss asks the service. */
	int rc = snapshot_find(out, &snap, ctx, SNAP_RA_VIEWS, "objectId", NULL, object_id);

	if (rc != CORE_ENOTFOUND && (rc || snap))
		return rc;
	path = route_path(RT_TEAMS_USER_GET, object_id);
	rc = send_req(out, NULL, ctx, RT_TEAMS_USER_GET, path, NULL, SVC_ALLOW_404);

	free(path);
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

/*
 * Whether arr holds exactly the string s: unlike cj_has_str(), case counts.
 */
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
	cJSON *missing = cj_array();
	const cJSON *w;

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
	cJSON *b = cJSON_CreateObject();

	if (!b)
		BUG("out of memory");
	add_grant_body(b, name);
	memset(req, 0, sizeof(*req));
	req->svc = SVC_TEAMS;
	req->method = route_get(RT_GRANT_USER)->method;
	req->path = route_path(RT_GRANT_USER, object_id, type);
	req->body = b;
	/* A grant sets a value: repeating it is harmless. */
	req->flags = SVC_IDEMPOTENT;
}

void
ta_enterprise_voice_req(struct svc_req *req, const char *object_id, bool on)
{
	memset(req, 0, sizeof(*req));
	req->svc = SVC_TEAMS;
	req->method = route_get(RT_ENTERPRISE_VOICE)->method;
	/* bool.ToString(), as AutoRest sends a bool query value */
	req->path = route_path(RT_ENTERPRISE_VOICE, object_id, on ? "True" : "False");
}

void
ta_req_release(struct svc_req *req)
{
	free((char *)req->path);
	cJSON_Delete((cJSON *)req->body);
	memset(req, 0, sizeof(*req));
}

/* ---- users, Teams view, in bulk (teams_shared_calling_info) ---- */

/*
 * The next page of a Teams.User list: "@nextLink" (UserApiSearchResults,
 * docs/wire.md), absolute or relative to /Teams.User/, else a skipToken
 * added to first. NULL when there is none.
 */
static char *
users_next(const cJSON *page, const char *first)
{
	const cJSON *link = cJSON_GetObjectItem(page, "@nextLink");
	const cJSON *tok = cJSON_GetObjectItem(page, "skipToken");
	char *enc, *next;

	if (cJSON_IsString(link) && *link->valuestring) {
		if (strncasecmp(link->valuestring, "https://", 8) == 0 ||
		    strncasecmp(link->valuestring, "http://", 7) == 0 ||
		    link->valuestring[0] == '/')
			return xstrdup(link->valuestring);
		return xasprintf("/Teams.User/%s", link->valuestring);
	}
	if (cJSON_IsString(tok) && *tok->valuestring) {
		enc = graph_escape(tok->valuestring);
		next = xasprintf("%s&skiptoken=%s", first, enc);   /* first: a route_path() */
		free(enc);
		return next;
	}
	return NULL;
}

int
ta_users(cJSON **out, struct core_ctx *ctx, const char *account_type)
{
	struct svc_resp resp;
	cJSON *all = cJSON_CreateArray();
	const cJSON *page, *item;
	char *path, *first, *filter, *fenc, *more;
	int rc = CORE_OK, pages = 0;

	if (!all)
		BUG("out of memory");
	*out = NULL;
	/* Get-CsOnlineUser -AccountType X sends psfilter=AccountType -eq 'X' (docs/wire.md). */
	if (account_type) {
		filter = xasprintf("AccountType -eq '%s'", account_type);
		fenc = graph_escape(filter);
		more = xasprintf("&psfilter=%s", fenc);
		first = route_path(RT_TEAMS_USERS, more);
		free(more);
		free(fenc);
		free(filter);
	} else {
		first = route_path(RT_TEAMS_USERS, "");
	}
	path = xstrdup(first);
	while (path) {
		if (++pages > 10000) {
			rc = core_error(ctx, CORE_ESERVICE,
			    "GET /Teams.User/users: teams kept returning pages after %d", pages - 1);
			break;
		}
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
		free(path);
		path = users_next(resp.json, first);
		svc_resp_release(&resp);
	}
	free(path);
	free(first);
	if (rc) {
		cJSON_Delete(all);
		return rc;
	}
	*out = all;
	return CORE_OK;
}
