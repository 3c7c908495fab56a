/*
 * teams_shared_calling_info - every Shared Calling site of a tenant, read in
 * bulk and returned in the shape the rollout roles take
 * (docs/site-schema.md), so that export then rollout changes nothing.
 *
 * One site per custom Shared Calling policy, named after the policy. A site
 * is built from bulk reads only, whatever the number of users:
 *   - the Shared Calling, voice routing and emergency call routing policies;
 *   - the resource accounts (Teams.PlatformService) and their Teams view
 *     (Teams.User, filtered to resource accounts: userConfigurations leaves
 *     them out), for their application id and voice routing policy;
 *   - every number assignment, every emergency location, every auto
 *     attendant, every user's voice state (userConfigurations), the group
 *     grants and the licence inventory;
 *   - the Entra side (usage location, licences) of the resource accounts
 *     and of the policies' holders: $batch for a few, the user list for many.
 *
 * Each part of a site is written with the option names of the module that
 * applies it, and only with values that module maps back to what was read:
 * what cannot be expressed is left out (left alone by the rollout) with a
 * warning. The members of a site are the users with a direct grant of its
 * policy and a Teams Phone licence (teams_user_voice refuses users without
 * one; they are reported as findings instead). Where members differ in
 * enterprise voice or a policy, the site takes the most common value and a
 * warning names the others.
 *
 * Findings name what keeps Shared Calling from working (docs/design/rules.md#shared-calling, the seed
 * article's common mistakes). A read that fails fails the module: nothing is
 * ever reported as empty or absent because it could not be read.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aacodec.h"
#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "graph.h"
#include "module.h"
#include "numbers.h"
#include "policies.h"
#include "routes.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "text.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "sites", ARG_LIST, .elements = ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	ARG_END
};

/* Up to this many accounts, their Entra side is read with $batch, else listed. */
#define BATCH_READ_MAX 100
/* Users named in one warning before "and N more". */
#define NAMES_SHOWN 10

#define USER_SELECT "id,userPrincipalName,displayName,usageLocation,assignedLicenses,accountEnabled"

/* ---- small helpers ---- */

/*
 * "'a', 'b' and 3 more" (at most NAMES_SHOWN), each name quoted unless quote
 * is false. The caller frees it.
 */
static char *
names_list(const cJSON *names, bool quote)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *x;
	int i = 0, n = cJSON_GetArraySize(names);

	if (buf_adds(&b, ""))
		BUG("out of memory");
	cJSON_ArrayForEach(x, names) {
		if (i == NAMES_SHOWN)
			break;
		if (buf_addf(&b, quote ? "%s'%s'" : "%s%s", i ? ", " : "", x->valuestring))
			BUG("out of memory");
		i++;
	}
	if (n > i && buf_addf(&b, " and %d more", n - i))
		BUG("out of memory");
	return buf_detach(&b, NULL);
}

static char *
names_text(const cJSON *names)
{
	return names_list(names, true);
}

static int
by_string(const void *a, const void *b)
{
	const char *x = (*(const cJSON *const *)a)->valuestring;
	const char *y = (*(const cJSON *const *)b)->valuestring;
	int c = strcasecmp(x, y);

	return c ? c : strcmp(x, y);
}

/* names sorted, as borrowed items; the caller frees the array. */
static const cJSON **
sorted_names(const cJSON *names, size_t *n)
{
	const cJSON **v = xcalloc((size_t)cJSON_GetArraySize(names) + 1, sizeof(*v));
	const cJSON *x;

	*n = 0;
	cJSON_ArrayForEach(x, names)
		v[(*n)++] = x;
	xqsort(v, *n, sizeof(*v), by_string);
	return v;
}

/* ---- an index of objects by "id" ---- */

struct index {
	const cJSON **v;
	size_t n;
};

static int
by_id(const void *a, const void *b)
{
	const char *x = cj_str(*(const cJSON *const *)a, "id");
	const char *y = cj_str(*(const cJSON *const *)b, "id");

	return strcasecmp(x ? x : "", y ? y : "");
}

static int
id_key(const void *key, const void *elem)
{
	const char *y = cj_str(*(const cJSON *const *)elem, "id");

	return strcasecmp((const char *)key, y ? y : "");
}

static void
index_build(struct index *ix, const cJSON *arr)
{
	const cJSON *x;

	ix->n = 0;
	ix->v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*ix->v));
	cJSON_ArrayForEach(x, arr)
		if (cj_str(x, "id"))
			ix->v[ix->n++] = x;
	xqsort(ix->v, ix->n, sizeof(*ix->v), by_id);
}

static const cJSON *
index_find(const struct index *ix, const char *id)
{
	const cJSON *const *hit;

	if (!id || !ix->v)
		return NULL;
	hit = bsearch(id, ix->v, ix->n, sizeof(*ix->v), id_key);
	return hit ? *hit : NULL;
}

/* ---- compact storage for many users ---- */

/* Strings copied into large blocks, all released at once. */
struct pool_block {
	struct pool_block *next;
	size_t used, cap;
	char data[];
};

#define POOL_BLOCK 65536

/* A copy of the n bytes at s in pool (not terminated unless s[n - 1] is '\0'). */
static const char *
pool_add(struct pool_block **pool, const char *s, size_t n)
{
	struct pool_block *b = *pool;
	char *p;

	if (!b || b->cap - b->used < n) {
		size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;

		b = xcalloc(1, sizeof(*b) + cap);
		b->cap = cap;
		b->next = *pool;
		*pool = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static const char *
pool_str(struct pool_block **pool, const char *s)
{
	return s ? pool_add(pool, s, strlen(s) + 1) : NULL;
}

static void
pool_free(struct pool_block *pool)
{
	struct pool_block *next;

	for (; pool; pool = next) {
		next = pool->next;
		free(pool);
	}
}

/* What holder_findings() knows of a holder's Entra account. */
enum holder_account {
	HOLDER_ACCOUNT_UNREAD = 0,  /* not read, or not found: taken as licensed */
	HOLDER_ACCOUNT_PHONE,       /* holds Teams Phone */
	HOLDER_ACCOUNT_NO_PHONE,    /* does not */
};

/*
 * A holder of a site's policy: what the site reads of its userConfiguration
 * (trimmed as tenant_config_trim() leaves it) and of its Entra account.
 * Strings live in the tenant's pool; policy names are interned.
 */
struct holder {
	const char *id;           /* NULL when the configuration has none */
	const char *upn;          /* NULL when the configuration has none */
	const char *acct_upn;     /* the Entra account's, kept only when upn is NULL */
	const char *numbers;      /* personal numbers, each ended by '\0', the last
	                             by an empty one; NULL when none */
	const char *policy[3];    /* effective policy of kept_types[i] */
	bool direct;              /* the Shared Calling one is granted directly */
	bool voice;               /* isEnterpriseVoiceEnabled */
	unsigned char account;    /* enum holder_account */
};

/* A user's id and UPN (in the pool); seq orders the repeats of an id as read. */
struct user_upn {
	const char *id;
	const char *upn;
	size_t seq;
};

/* Positions of struct holder's policy[]. */
enum { H_SC, H_VRP, H_ECRP };

/* ---- the tenant, read once ---- */

struct site {
	const cJSON *policy;
	const char *name;         /* bare */
	const struct holder **holders;  /* users whose effective policy this is */
	size_t nholders, cap;
};

struct tenant {
	cJSON *skus;
	cJSON *sc;            /* Shared Calling policies */
	cJSON *vrps;
	cJSON *ecrps;
	cJSON *ras;           /* licensed resource accounts */
	cJSON *ra_views;      /* Teams view of the resource accounts */
	cJSON *numbers;
	cJSON *addresses;     /* ta_group_addresses() */
	cJSON *aas;
	struct pool_block *pool;  /* the strings below */
	struct holder *holders;   /* the sites' holders, in the order read */
	size_t nholders, holders_cap;
	const struct holder **by_id;  /* the holders with an id, sorted by it */
	size_t nby_id;
	const char **names;   /* interned policy names */
	size_t nnames, names_cap;
	struct user_upn *upns;    /* every user's id and UPN, sorted by id once read */
	size_t nupns, upns_cap;
	cJSON *sc_groups;
	cJSON *vrp_groups;
	cJSON *accounts;      /* Entra users: the resource accounts */
	struct index acct;
	struct site *sites;
	size_t nsites;
};

static void
tenant_release(struct tenant *t)
{
	size_t i;

	cJSON_Delete(t->skus);
	cJSON_Delete(t->sc);
	cJSON_Delete(t->vrps);
	cJSON_Delete(t->ecrps);
	cJSON_Delete(t->ras);
	cJSON_Delete(t->ra_views);
	cJSON_Delete(t->numbers);
	cJSON_Delete(t->addresses);
	cJSON_Delete(t->aas);
	free(t->holders);
	free(t->by_id);
	free(t->names);
	free(t->upns);
	pool_free(t->pool);
	cJSON_Delete(t->sc_groups);
	cJSON_Delete(t->vrp_groups);
	cJSON_Delete(t->accounts);
	free(t->acct.v);
	for (i = 0; i < t->nsites; i++)
		free(t->sites[i].holders);
	free(t->sites);
}

static bool
is_direct(const char *kind)
{
	return text_same(kind, "direct");
}

/* True when names (bare or tagged) holds the policy identity. */
static bool
find_policy_name(const cJSON *names, const char *identity)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, names)
		if (text_same(ta_policy_name(w->valuestring), ta_policy_name(identity)))
			return true;
	return false;
}

static int
by_site_name(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

/*
 * The custom Shared Calling policies asked for (all when wanted is empty), as
 * t->sites sorted by name; a name the tenant does not have fails.
 */
static int
select_sites(struct tenant *t, struct core_ctx *ctx, const cJSON *wanted)
{
	const cJSON *p, *w, **sorted;
	const char *id;
	cJSON *have, *all;
	char *list;
	size_t n = 0, nh, i;

	t->sites = xcalloc((size_t)cJSON_GetArraySize(t->sc) + 1, sizeof(*t->sites));
	cJSON_ArrayForEach(p, t->sc) {
		id = cj_str(p, "Identity");
		if (!id || text_same(id, "Global"))
			continue;
		if (cJSON_GetArraySize(wanted) > 0 && !find_policy_name(wanted, id))
			continue;
		t->sites[n].policy = p;
		t->sites[n].name = ta_policy_name(id);
		n++;
	}
	t->nsites = n;
	xqsort(t->sites, n, sizeof(*t->sites), by_site_name);
	cJSON_ArrayForEach(w, wanted) {
		if (ta_policy_find(t->sc, w->valuestring) &&
		    !text_same(ta_policy_name(w->valuestring), "Global"))
			continue;
		have = cj_array();
		cJSON_ArrayForEach(p, t->sc)
			if (cj_str(p, "Identity") && !text_same(cj_str(p, "Identity"), "Global"))
				cj_push_str(have, ta_policy_name(cj_str(p, "Identity")));
		sorted = sorted_names(have, &nh);
		all = cj_array();
		for (i = 0; i < nh; i++)
			cj_push_str(all, sorted[i]->valuestring);
		free(sorted);
		list = names_text(all);
		cJSON_Delete(all);
		cJSON_Delete(have);
		if (*list) {
			core_error(ctx, CORE_EARGS, "sites: no Shared Calling policy '%s' in the "
			    "tenant; it has %s", ta_policy_name(w->valuestring), list);
		} else {
			core_error(ctx, CORE_EARGS, "sites: no Shared Calling policy '%s' in the "
			    "tenant; it has none", ta_policy_name(w->valuestring));
		}
		free(list);
		return CORE_EARGS;
	}
	return CORE_OK;
}

static void
holder_add(struct site *s, const struct holder *h)
{
	if (s->nholders == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->holders = xrealloc(s->holders, s->cap * sizeof(*s->holders));
	}
	s->holders[s->nholders++] = h;
}

static const char *
upn_of(const struct holder *h)
{
	return h->upn ? h->upn : h->id ? h->id : "?";
}

static int
by_upn(const void *a, const void *b)
{
	return strcasecmp(upn_of(*(const struct holder *const *)a),
	    upn_of(*(const struct holder *const *)b));
}

static int
holder_by_id(const void *a, const void *b)
{
	return strcasecmp((*(const struct holder *const *)a)->id,
	    (*(const struct holder *const *)b)->id);
}

static int
holder_id_key(const void *key, const void *elem)
{
	return strcasecmp((const char *)key, (*(const struct holder *const *)elem)->id);
}

/* The holder whose id is id, or NULL. */
static const struct holder *
holder_find(const struct tenant *t, const char *id)
{
	const struct holder *const *hit;

	if (!id || !t->by_id)
		return NULL;
	hit = bsearch(id, t->by_id, t->nby_id, sizeof(*t->by_id), holder_id_key);
	return hit ? *hit : NULL;
}

/* The site whose policy is name (bare), or NULL. */
static const struct site *
site_named(const struct tenant *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nsites; i++)
		if (text_same(t->sites[i].name, name))
			return &t->sites[i];
	return NULL;
}

/* The policy types a holder's configuration is kept with (tenant_config_trim()). */
static const char *const kept_types[] = {
	TA_SHARED_CALLING, TA_VOICE_ROUTING, TA_EMERGENCY_ROUTING, NULL
};

/* The one copy of s (compared exactly) the tenant keeps; NULL for NULL. */
static const char *
intern(struct tenant *t, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < t->nnames; i++)
		if (strcmp(t->names[i], s) == 0)
			return t->names[i];
	if (t->nnames == t->names_cap) {
		t->names_cap = t->names_cap ? t->names_cap * 2 : 16;
		t->names = xrealloc(t->names, t->names_cap * sizeof(*t->names));
	}
	t->names[t->nnames] = pool_str(&t->pool, s);
	return t->names[t->nnames++];
}

/* numbers as packed in struct holder, in pool; NULL when there are none. */
static const char *
pack_numbers(struct pool_block **pool, const cJSON *numbers)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *x;
	const char *packed;
	char *text;
	size_t n;

	if (cJSON_GetArraySize(numbers) == 0)
		return NULL;
	cJSON_ArrayForEach(x, numbers)
		if (buf_add(&b, x->valuestring, strlen(x->valuestring) + 1))
			BUG("out of memory");
	if (buf_add(&b, "", 1))
		BUG("out of memory");
	text = buf_detach(&b, &n);
	packed = pool_add(pool, text, n);
	free(text);
	return packed;
}

/* The packed numbers as a new array of strings. */
static cJSON *
unpack_numbers(const char *packed)
{
	cJSON *out = cj_array();

	for (; packed && *packed; packed += strlen(packed) + 1)
		cj_push_str(out, packed);
	return out;
}

/* Adds user id's UPN to t->upns; the entry, or one of NULLs when not added. */
static struct user_upn
remember_upn(struct tenant *t, const char *id, const char *upn)
{
	struct user_upn u = { NULL, NULL, 0 };

	if (!id || !*id || !upn)
		return u;
	if (t->nupns == t->upns_cap) {
		t->upns_cap = t->upns_cap ? t->upns_cap * 2 : 1024;
		t->upns = xrealloc(t->upns, t->upns_cap * sizeof(*t->upns));
	}
	u.id = pool_str(&t->pool, id);
	u.upn = pool_str(&t->pool, upn);
	u.seq = t->nupns;
	t->upns[t->nupns++] = u;
	return u;
}

static int
by_user_id(const void *a, const void *b)
{
	const struct user_upn *x = a, *y = b;
	int c = strcasecmp(x->id, y->id);

	return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
user_id_key(const void *key, const void *elem)
{
	return strcasecmp((const char *)key, ((const struct user_upn *)elem)->id);
}

/* The UPN of user id as first read, or NULL; t->upns is sorted. */
static const char *
upn_lookup(const struct tenant *t, const char *id)
{
	const struct user_upn *hit;

	if (!id || !*id || !t->upns)
		return NULL;
	hit = bsearch(id, t->upns, t->nupns, sizeof(*t->upns), user_id_key);
	if (!hit)
		return NULL;
	while (hit > t->upns && strcasecmp(hit[-1].id, id) == 0)
		hit--;
	return hit->upn;
}

/* A holder record of a trimmed configuration. */
static void
holder_keep(struct tenant *t, const cJSON *c, const struct user_upn *known)
{
	struct holder *h;
	const char *upn = cj_str(c, "userPrincipalName"), *kind;
	cJSON *nums;
	size_t k;

	if (t->nholders == t->holders_cap) {
		t->holders_cap = t->holders_cap ? t->holders_cap * 2 : 256;
		t->holders = xrealloc(t->holders, t->holders_cap * sizeof(*t->holders));
	}
	h = &t->holders[t->nholders++];
	memset(h, 0, sizeof(*h));
	h->id = known->id ? known->id : pool_str(&t->pool, cj_str(c, "id"));
	h->upn = known->upn ? known->upn : pool_str(&t->pool, upn);
	for (k = 0; kept_types[k]; k++) {
		h->policy[k] = intern(t, tenant_effective(c, kept_types[k], &kind));
		if (k == H_SC)
			h->direct = is_direct(kind);
	}
	h->voice = cJSON_IsTrue(cJSON_GetObjectItem(c, "isEnterpriseVoiceEnabled"));
	nums = tenant_personal_numbers(c);
	h->numbers = pack_numbers(&t->pool, nums);
	cJSON_Delete(nums);
}

/*
 * One page of userConfigurations: every user's UPN goes into the compact
 * id -> UPN map, and the sites' holders into compact records; the page is
 * freed when this returns.
 */
static int
configs_page(cJSON *items, const cJSON *page, void *arg)
{
	struct tenant *t = arg;
	cJSON *c;
	const char *name, *kind;
	struct user_upn u;

	(void)page;
	cJSON_ArrayForEach(c, items) {
		u = remember_upn(t, cj_str(c, "id"), cj_str(c, "userPrincipalName"));
		name = tenant_effective(c, TA_SHARED_CALLING, &kind);
		if (text_same(name, "Global") || !site_named(t, name))
			continue;
		tenant_config_trim(c, kept_types);
		holder_keep(t, c, &u);
	}
	return CORE_OK;
}

/* The users' voice state, page by page, keeping what the sites need. */
static int
read_configs(struct tenant *t, struct core_ctx *ctx)
{
	int rc = graph_list_each(ctx, route_get(RT_G_USER_CONFIGS)->path, NULL,
	    configs_page, t);

	if (!rc)
		xqsort(t->upns, t->nupns, sizeof(*t->upns), by_user_id);
	return rc;
}

/* Every user whose effective Shared Calling policy is a site's; the id index. */
static void
find_holders(struct tenant *t)
{
	const struct holder *h;
	size_t i, j;

	t->by_id = xcalloc(t->nholders + 1, sizeof(*t->by_id));
	for (j = 0; j < t->nholders; j++) {
		h = &t->holders[j];
		if (h->id)
			t->by_id[t->nby_id++] = h;
		if (text_same(h->policy[H_SC], "Global"))
			continue;
		for (i = 0; i < t->nsites; i++)
			if (text_same(t->sites[i].name, h->policy[H_SC])) {
				holder_add(&t->sites[i], h);
				break;
			}
	}
	xqsort(t->by_id, t->nby_id, sizeof(*t->by_id), holder_by_id);
	for (i = 0; i < t->nsites; i++)
		xqsort(t->sites[i].holders, t->sites[i].nholders, sizeof(*t->sites[i].holders),
		    by_upn);
}

/* Records on the holders of user's id what holder_findings() needs of it. */
static void
holder_account(struct tenant *t, const cJSON *user)
{
	const char *id = cj_str(user, "id"), *upn = cj_str(user, "userPrincipalName");
	const struct holder *const *hit;
	struct holder *h;
	size_t i, k;
	bool phone;

	if (!id || !t->by_id)
		return;
	hit = bsearch(id, t->by_id, t->nby_id, sizeof(*t->by_id), holder_id_key);
	if (!hit)
		return;
	phone = tenant_user_has_plan(user, t->skus, TENANT_PLAN_TEAMS_PHONE);
	i = (size_t)(hit - t->by_id);
	while (i > 0 && strcasecmp(t->by_id[i - 1]->id, id) == 0)
		i--;
	for (; i < t->nby_id && strcasecmp(t->by_id[i]->id, id) == 0; i++) {
		if (t->by_id[i]->account != HOLDER_ACCOUNT_UNREAD)
			continue;
		k = (size_t)(t->by_id[i] - t->holders);
		h = &t->holders[k];
		h->account = phone ? HOLDER_ACCOUNT_PHONE : HOLDER_ACCOUNT_NO_PHONE;
		if (!h->upn && upn)
			h->acct_upn = pool_str(&t->pool, upn);
	}
}

/* Whether id is the resource account of a site. */
static bool
is_site_account(const struct tenant *t, const char *id)
{
	size_t i;

	for (i = 0; id && i < t->nsites; i++)
		if (text_same(cj_str(t->sites[i].policy, "ResourceAccount"), id))
			return true;
	return false;
}

/* One Entra user read: a site's resource account is kept, a holder recorded. */
static void
account_read(struct tenant *t, cJSON *user, cJSON *from)
{
	holder_account(t, user);
	if (!is_site_account(t, cj_str(user, "id")))
		return;
	if (from)
		user = cJSON_DetachItemViaPointer(from, user);
	cJSON_AddItemToArray(t->accounts, user);
}

/* One page of the user list: keeps the sites' resource accounts and holders. */
static int
accounts_page(cJSON *items, const cJSON *page, void *arg)
{
	struct tenant *t = arg;
	cJSON *u = items->child, *next;

	(void)page;
	for (; u; u = next) {
		next = u->next;
		account_read(t, u, items);
	}
	return CORE_OK;
}

/* The user list, page by page, keeping the sites' resource accounts and holders. */
static int
list_accounts(struct tenant *t, struct core_ctx *ctx)
{
	char *path;
	int rc;

	t->accounts = cj_array();
	path = route_path(RT_G_USERS_LIST, USER_SELECT);
	rc = graph_list_each(ctx, path, NULL, accounts_page, t);
	free(path);
	return rc;
}

/* One user of the $batch in read_accounts() (NULL: none). */
static void
batch_account(void *arg, size_t i, cJSON *user)
{
	struct tenant *t = arg;

	(void)i;
	if (user && is_site_account(t, cj_str(user, "id"))) {
		account_read(t, user, NULL);
		return;
	}
	if (user)
		holder_account(t, user);
	cJSON_Delete(user);
}

/*
 * The Entra side of the sites' resource accounts and holders: $batch of
 * single reads for a few, the whole user list for many. A resource account
 * that does not exist is simply not there (404); any other failure fails.
 */
static int
read_accounts(struct tenant *t, struct core_ctx *ctx)
{
	cJSON *ids = cj_array();
	const char **refs = NULL;
	const char *id;
	size_t i, j, n = t->nsites;
	int rc = CORE_OK;

	/* A user has one Shared Calling policy in effect: holders are distinct. */
	for (i = 0; i < t->nsites; i++)
		n += t->sites[i].nholders;
	if (n > BATCH_READ_MAX) {
		rc = list_accounts(t, ctx);
		goto out;
	}
	for (i = 0; i < t->nsites; i++) {
		id = cj_str(t->sites[i].policy, "ResourceAccount");
		if (id && *id && !cj_has_str(ids, id))
			cj_push_str(ids, id);
		for (j = 0; j < t->sites[i].nholders; j++) {
			id = t->sites[i].holders[j]->id;
			if (id && !cj_has_str(ids, id))
				cj_push_str(ids, id);
		}
	}
	n = (size_t)cJSON_GetArraySize(ids);
	t->accounts = cj_array();
	refs = xcalloc(n + 1, sizeof(*refs));
	for (i = 0; i < n; i++)
		refs[i] = cJSON_GetArrayItem(ids, (int)i)->valuestring;
	rc = tenant_users_batch(ctx, refs, n, USER_SELECT, batch_account, t);
out:
	free(refs);
	cJSON_Delete(ids);
	if (!rc)
		index_build(&t->acct, t->accounts);
	return rc;
}

static int
read_tenant(struct tenant *t, struct core_ctx *ctx, const cJSON *wanted)
{
	cJSON *locations = NULL;
	int rc;

	rc = ta_policies(&t->sc, ctx, TA_SHARED_CALLING);
	if (rc)
		return rc;
	rc = select_sites(t, ctx, wanted);
	if (rc)
		return rc;
	if (t->nsites == 0)
		return CORE_OK;
	if ((rc = tenant_skus(&t->skus, ctx)) ||
	    (rc = ta_policies(&t->vrps, ctx, TA_VOICE_ROUTING)) ||
	    (rc = ta_policies(&t->ecrps, ctx, TA_EMERGENCY_ROUTING)) ||
	    (rc = ta_resource_accounts(&t->ras, ctx)) ||
	    (rc = ta_users(&t->ra_views, ctx, "ResourceAccount")) ||
	    (rc = tenant_numbers(&t->numbers, ctx, NULL)) ||
	    (rc = ta_locations(&locations, ctx)) ||
	    (rc = ta_auto_attendants(&t->aas, ctx)) ||
	    (rc = read_configs(t, ctx)) ||
	    (rc = ta_group_grants(&t->sc_groups, ctx, TA_SHARED_CALLING)) ||
	    (rc = ta_group_grants(&t->vrp_groups, ctx, TA_VOICE_ROUTING)))
		goto out;
	t->addresses = ta_group_addresses(locations);
	find_holders(t);
	rc = read_accounts(t, ctx);
out:
	cJSON_Delete(locations);
	return rc;
}

/* ---- findings and warnings ---- */

static void
finding(cJSON *findings, const char *site, const char *kind, const char *subject,
    const char *fmt, ...) PRINTF(5, 6);

static void
finding(cJSON *findings, const char *site, const char *kind, const char *subject,
    const char *fmt, ...)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	cJSON *f = cj_object();
	char *detail;
	va_list ap;

	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap) || buf_adds(&b, ""))
		BUG("out of memory");
	va_end(ap);
	detail = buf_detach(&b, NULL);
	cj_set_str(f, "site", site);
	cj_set_str(f, "kind", kind);
	cj_set_str(f, "subject", subject);
	cj_set_str(f, "detail", detail);
	free(detail);
	cJSON_AddItemToArray(findings, f);
}

/* The UPN of an object id: a user, a resource account, else the id itself. */
static const char *
account_name(const struct tenant *t, const char *id)
{
	const struct holder *h;
	const cJSON *x;
	const char *u;

	if (!id)
		return NULL;
	h = holder_find(t, id);
	if (h && h->upn)
		return h->upn;
	x = cj_find(t->ras, "objectId", id);
	if (x && cj_str(x, "userPrincipalName"))
		return cj_str(x, "userPrincipalName");
	x = cj_find(t->ra_views, "objectId", id);
	if (x && cj_str(x, "userPrincipalName"))
		return cj_str(x, "userPrincipalName");
	x = index_find(&t->acct, id);
	if (x && cj_str(x, "userPrincipalName"))
		return cj_str(x, "userPrincipalName");
	if (h && h->acct_upn)
		return h->acct_upn;
	if ((u = upn_lookup(t, id)) != NULL)
		return u;
	return id;
}

/* ---- the auto attendant as teams_auto_attendant options ---- */

/* account_name() for the codec (aacodec_name_fn). */
static const char *
aa_name_of(const void *t, const char *id)
{
	return account_name(t, id);
}

/* The auto attendant as the options of teams_auto_attendant (resource_accounts aside). */
static cJSON *
aa_options(const struct tenant *t, struct core_ctx *ctx, const char *site, const cJSON *aa)
{
	cJSON *skipped = cj_array(), *opts;
	const cJSON *x;

	opts = aacodec_decode(aa, aa_name_of, t, skipped);
	cJSON_ArrayForEach(x, skipped)
		core_warn(ctx, "site '%s': auto attendant '%s': not exported: %s "
		    "(teams_auto_attendant options cannot express it; the rollout leaves it "
		    "as it is)", site, cj_str(aa, "name"), x->valuestring);
	cJSON_Delete(skipped);
	return opts;
}

/* ---- one site ---- */

/* Accumulates the tenant-wide policies the sites use. */
struct used {
	cJSON *vrps;    /* names */
	cJSON *ecrps;
};

static void
use(cJSON *names, const char *name)
{
	if (name && *name && !text_same(name, "Global") && !cj_has_str(names, name))
		cj_push_str(names, name);
}

/* Address fields as teams_emergency_location options. */
static const struct {
	const char *field;
	const char *opt;
} address_opts[] = {
	{ "description", "description" },
	{ "companyName", "company_name" },
	{ "companyId", "company_id" },
	{ "houseNumber", "house_number" },
	{ "houseNumberSuffix", "house_number_suffix" },
	{ "preDirectional", "pre_directional" },
	{ "streetName", "street_name" },
	{ "streetSuffix", "street_suffix" },
	{ "postDirectional", "post_directional" },
	{ "cityOrTown", "city" },
	{ "cityOrTownAlias", "city_alias" },
	{ "stateOrProvince", "state_or_province" },
	{ "countyOrDistrict", "county_or_district" },
	{ "postalOrZipCode", "postal_code" },
	{ "country", "country" },
	{ "latitude", "latitude" },
	{ "longitude", "longitude" },
	{ "elin", "elin" },
};

/* The address holding location id, and the location itself. */
static const cJSON *
find_location(const cJSON *addresses, const char *id, const cJSON **loc)
{
	const cJSON *a;

	*loc = NULL;
	cJSON_ArrayForEach(a, addresses) {
		*loc = cj_find(cJSON_GetObjectItem(a, "locations"), "id", id);
		if (*loc)
			return a;
	}
	return NULL;
}

static cJSON *
address_options(const cJSON *addr)
{
	cJSON *o = cj_object();
	const char *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(address_opts); i++) {
		v = cj_str(addr, address_opts[i].field);
		if (v && *v)
			cj_set_str(o, address_opts[i].opt, v);
	}
	return o;
}

/* The number assigned to object id (the primary one first), and how many there are. */
static const cJSON *
number_of(const cJSON *numbers, const char *id, int *count)
{
	const cJSON *n, *best = NULL;

	*count = 0;
	cJSON_ArrayForEach(n, numbers) {
		if (!text_same(cj_str(n, "assignmentTargetId"), id))
			continue;
		(*count)++;
		if (!best || (text_same(cj_str(n, "assignmentCategory"), "primary") &&
		    !text_same(cj_str(best, "assignmentCategory"), "primary")))
			best = n;
	}
	return best;
}

/* The resource account part; findings about the account, its number and its location. */
struct ra_part {
	cJSON *account;      /* resource_account, or JSON null */
	cJSON *number;       /* number, or JSON null */
	cJSON *address;      /* emergency_address, or JSON null */
	const char *location;
	const char *upn;     /* of the account, or its id */
	const char *number_type;   /* service's numberType, or NULL */
};

static void
site_account(struct ra_part *r, const struct tenant *t, struct core_ctx *ctx,
    const struct site *s, cJSON *findings, struct used *used)
{
	const char *id = cj_str(s->policy, "ResourceAccount");
	const cJSON *acct = index_find(&t->acct, id), *listed, *view, *num, *addr, *loc;
	const cJSON *usages;
	const char *app, *kind, *vrp;
	int count;

	r->account = cJSON_CreateNull();
	r->number = cJSON_CreateNull();
	r->address = cJSON_CreateNull();
	r->location = "";
	r->upn = id && *id ? id : "(none)";
	r->number_type = NULL;
	if (!acct) {
		finding(findings, s->name, "resource_account_not_found", r->upn,
		    "Shared Calling policy '%s' names resource account '%s', which does not "
		    "exist: its users cannot call out (docs/design/rules.md#sc-1); give the policy an existing "
		    "resource account (teams_shared_policy resource_account)", s->name, r->upn);
		return;
	}
	r->upn = cj_str(acct, "userPrincipalName") ? cj_str(acct, "userPrincipalName") : id;
	listed = cj_find(t->ras, "objectId", id);
	view = cj_find(t->ra_views, "objectId", id);
	cJSON_Delete(r->account);
	r->account = cj_object();
	cj_set_str(r->account, "upn", r->upn);
	if (cj_str(acct, "displayName"))
		cj_set_str(r->account, "display_name", cj_str(acct, "displayName"));
	if (cj_str(acct, "usageLocation"))
		cj_set_str(r->account, "usage_location", cj_str(acct, "usageLocation"));
	cj_set(r->account, "licenses", tenant_user_sku_names(acct, t->skus));
	app = cj_str(listed, "applicationId") ? cj_str(listed, "applicationId") :
	    cj_str(view, "applicationId");
	if (text_same(app, TA_APP_CALL_QUEUE))
		cj_set_str(r->account, "type", "call_queue");
	vrp = tenant_effective(view, TA_VOICE_ROUTING, &kind);
	if (is_direct(kind)) {
		cj_set_str(r->account, "voice_routing_policy", vrp);
		use(used->vrps, vrp);
	}
	if (!tenant_user_has_plan(acct, t->skus, TENANT_PLAN_RESOURCE_ACCOUNT) &&
	    !tenant_user_has_plan(acct, t->skus, TENANT_PLAN_TEAMS_PHONE))
		finding(findings, s->name, "resource_account_unlicensed", r->upn,
		    "resource account '%s' holds no Teams Phone Resource Account licence, so it "
		    "cannot hold the shared number (seed article mistake 4); assign "
		    "PHONESYSTEM_VIRTUALUSER (teams_resource_account licenses)", r->upn);
	num = number_of(t->numbers, id, &count);
	if (!num) {
		finding(findings, s->name, "no_number", r->upn,
		    "resource account '%s' of Shared Calling policy '%s' has no phone number: "
		    "the policy's users cannot call out (docs/design/rules.md#sc-1, #sc-16); assign one "
		    "(teams_phone_number)", r->upn, s->name);
		return;
	}
	if (count > 1)
		core_warn(ctx, "site '%s': resource account '%s' holds %d numbers; Shared "
		    "Calling needs exactly one, the site takes '%s'", s->name, r->upn, count,
		    cj_str(num, "telephoneNumber"));
	r->number_type = cj_str(num, "numberType");
	cJSON_Delete(r->number);
	r->number = cj_object();
	cj_set_str(r->number, "number", cj_str(num, "telephoneNumber"));
	if (tenant_number_choice(r->number_type))
		cj_set_str(r->number, "type", tenant_number_choice(r->number_type));
	if (!cj_str(num, "locationId") || !*cj_str(num, "locationId")) {
		finding(findings, s->name, "number_without_location", cj_str(num, "telephoneNumber"),
		    "number '%s' of resource account '%s' has no emergency location, which "
		    "Shared Calling needs (seed article mistake 1, docs/design/rules.md#sc-2); give it one "
		    "(teams_phone_number location_id or emergency_location)",
		    cj_str(num, "telephoneNumber"), r->upn);
	} else if (!(addr = find_location(t->addresses, cj_str(num, "locationId"), &loc))) {
		finding(findings, s->name, "number_without_location", cj_str(num, "telephoneNumber"),
		    "number '%s' of resource account '%s' names emergency location '%s', which "
		    "does not exist (docs/design/rules.md#sc-2); give it an existing one (teams_phone_number "
		    "location_id or emergency_location)", cj_str(num, "telephoneNumber"), r->upn,
		    cj_str(num, "locationId"));
	} else {
		cJSON_Delete(r->address);
		r->address = address_options(addr);
		if (!cJSON_IsTrue(cJSON_GetObjectItem(loc, "isDefault")) && cj_str(loc, "location"))
			r->location = cj_str(loc, "location");
	}
	if (text_same(r->number_type, "directRouting")) {
		vrp = tenant_effective(view, TA_VOICE_ROUTING, &kind);
		usages = cJSON_GetObjectItem(ta_policy_find(t->vrps, vrp), "OnlinePstnUsages");
		if (cJSON_GetArraySize(usages) == 0)
			finding(findings, s->name, "no_voice_routing_policy", r->upn,
			    "resource account '%s' has the Direct Routing number '%s' but its voice "
			    "routing policy '%s' has no PSTN usages, so outbound calls have no route "
			    "(docs/design/rules.md#sc-9); grant it one with PSTN usages "
			    "(resource_account.voice_routing_policy)", r->upn,
			    cj_str(num, "telephoneNumber"), vrp);
	}
}

static cJSON *
site_aa(const struct tenant *t, struct core_ctx *ctx, const struct site *s,
    const struct ra_part *r, cJSON *findings)
{
	const char *id = cj_str(s->policy, "ResourceAccount");
	const cJSON *aa = NULL, *x, *ra;
	cJSON *others;
	char *list;

	if (!cJSON_IsObject(r->account))
		return cj_object();
	cJSON_ArrayForEach(x, t->aas)
		if (cj_has_str(cJSON_GetObjectItem(x, "applicationInstances"), id)) {
			if (aa) {
				core_warn(ctx, "site '%s': resource account '%s' is linked to more "
				    "than one auto attendant ('%s', '%s'); the site takes the first",
				    s->name, r->upn, cj_str(aa, "name"), cj_str(x, "name"));
				break;
			}
			aa = x;
		}
	if (!aa || !cj_str(aa, "name")) {
		finding(findings, s->name, "no_auto_attendant", r->upn,
		    "no auto attendant answers resource account '%s': callers of the shared "
		    "number reach nobody (seed article step 5); link one "
		    "(teams_auto_attendant resource_accounts)", r->upn);
		return cj_object();
	}
	others = cj_array();
	cJSON_ArrayForEach(ra, cJSON_GetObjectItem(aa, "applicationInstances"))
		if (cJSON_IsString(ra) && !text_same(ra->valuestring, id))
			cj_push_str(others, account_name(t, ra->valuestring));
	if (cJSON_GetArraySize(others) > 0) {
		list = names_text(others);
		core_warn(ctx, "site '%s': auto attendant '%s' also answers for %s; applying the "
		    "site unlinks them (teams_auto_attendant purge_resource_accounts)", s->name,
		    cj_str(aa, "name"), list);
		free(list);
	}
	cJSON_Delete(others);
	return aa_options(t, ctx, s->name, aa);
}

static cJSON *
site_policy(const struct site *s)
{
	cJSON *p = cj_object(), *nums = cj_array();
	const cJSON *x;

	cj_set_str(p, "name", s->name);
	if (cj_str(s->policy, "Description"))
		cj_set_str(p, "description", cj_str(s->policy, "Description"));
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(s->policy, "EmergencyNumbers"))
		if (cJSON_IsString(x))
			cj_push_str(nums, x->valuestring);
	cj_set(p, "emergency_numbers", nums);
	return p;
}

/* Findings about one holder; true when the holder may be a member (Teams Phone). */
static bool
holder_findings(const struct tenant *t, const struct site *s, const struct holder *h,
    cJSON *findings)
{
	const char *upn = upn_of(h), *vrp;
	const cJSON *usages;
	cJSON *nums = unpack_numbers(h->numbers);
	char *list;
	bool licensed;

	if (cJSON_GetArraySize(nums) > 0) {
		list = names_text(nums);
		finding(findings, s->name, "personal_number", upn,
		    "'%s' holds Shared Calling policy '%s' but also personal number %s, which "
		    "takes precedence: Shared Calling does not apply to this user (seed article "
		    "mistake 2, docs/design/rules.md#sc-10); release the number (teams_user_voice "
		    "personal_number: remove)", upn, s->name, list);
		free(list);
	}
	cJSON_Delete(nums);
	vrp = h->policy[H_VRP];
	usages = cJSON_GetObjectItem(ta_policy_find(t->vrps, vrp), "OnlinePstnUsages");
	if (cJSON_GetArraySize(usages) > 0) {
		list = names_text(usages);
		finding(findings, s->name, "voice_routing_with_pstn_usages", upn,
		    "'%s' holds Shared Calling policy '%s' but has voice routing policy '%s' with "
		    "PSTN usages (%s): Shared Calling does not apply to this user (docs/design/rules.md#sc-11); "
		    "grant one without PSTN usages, as Microsoft's setup asks (the seed "
		    "article's mistake 3 says the opposite)", upn, s->name, vrp, list);
		free(list);
	}
	licensed = h->account != HOLDER_ACCOUNT_NO_PHONE;
	if (!licensed)
		finding(findings, s->name, "no_teams_phone_license", upn,
		    "'%s' holds Shared Calling policy '%s' without a Teams Phone licence: Shared "
		    "Calling does not apply to this user (docs/design/rules.md#sc-13); assign Teams Phone "
		    "(MCOEV). Left out of the site's members, which teams_user_voice refuses "
		    "without one", upn, s->name);
	if (!h->voice)
		finding(findings, s->name, "enterprise_voice_off", upn,
		    "'%s' holds Shared Calling policy '%s' with enterprise voice off: Shared "
		    "Calling needs it on (docs/design/rules.md#sc-13); turn it on (teams_user_voice "
		    "enterprise_voice: true)", upn, s->name);
	return licensed;
}

/*
 * The most common of values (compared case-insensitively; ties go to the
 * value seen first); warns naming the members that have another one.
 */
static const char *
common_value(struct core_ctx *ctx, const struct site *s, const char *option,
    const struct holder *const *members, const char *const *values, size_t n)
{
	const char **distinct = xcalloc(n + 1, sizeof(*distinct));
	size_t *counts = xcalloc(n + 1, sizeof(*counts));
	size_t nd = 0, i, j, best = 0;
	const char *chosen;
	cJSON *others;
	char *list, *entry;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nd && !text_same(distinct[j], values[i]); j++)
			;
		if (j == nd)
			distinct[nd++] = values[i];
		counts[j]++;
	}
	for (j = 1; j < nd; j++)
		if (counts[j] > counts[best])
			best = j;
	chosen = nd ? distinct[best] : NULL;
	if (nd > 1) {
		others = cj_array();
		for (i = 0; i < n; i++) {
			if (text_same(values[i], chosen))
				continue;
			entry = xasprintf("'%s' (now '%s')", upn_of(members[i]), values[i]);
			cj_push_str(others, entry);
			free(entry);
		}
		list = names_list(others, false);
		core_warn(ctx, "site '%s': members differ in %s; the site takes '%s' (%zu of "
		    "%zu members), and applying it changes %s", s->name, option, chosen,
		    counts[best], n, list);
		free(list);
		cJSON_Delete(others);
	}
	free(distinct);
	free(counts);
	return chosen;
}

static double
rank_of(const cJSON *grant)
{
	const cJSON *r = cJSON_GetObjectItem(grant, "Rank");

	return cJSON_IsNumber(r) ? r->valuedouble : 1e9;
}

/* users.group: the best-ranked group grant of the site's policy, or null. */
static cJSON *
site_group(const struct tenant *t, struct core_ctx *ctx, const struct site *s,
    const cJSON **best)
{
	const cJSON *g;
	cJSON *out, *others = cj_array();
	char *list;

	*best = NULL;
	cJSON_ArrayForEach(g, t->sc_groups) {
		if (!cj_str(g, "GroupId") || !cj_str(g, "PolicyName") ||
		    !text_same(ta_policy_name(cj_str(g, "PolicyName")), s->name))
			continue;
		if (!*best || rank_of(g) < rank_of(*best))
			*best = g;
	}
	cJSON_ArrayForEach(g, t->sc_groups)
		if (g != *best && cj_str(g, "GroupId") && cj_str(g, "PolicyName") &&
		    text_same(ta_policy_name(cj_str(g, "PolicyName")), s->name))
			cj_push_str(others, cj_str(g, "GroupId"));
	if (cJSON_GetArraySize(others) > 0) {
		list = names_text(others);
		core_warn(ctx, "site '%s': policy '%s' is also granted to group %s; a site has "
		    "one group, so the site takes '%s' (the best rank) and leaves the others "
		    "out", s->name, s->name, list, cj_str(*best, "GroupId"));
		free(list);
	}
	cJSON_Delete(others);
	if (!*best)
		return cJSON_CreateNull();
	out = cj_object();
	cj_set_str(out, "id", cj_str(*best, "GroupId"));
	cj_set(out, "rank", cJSON_CreateNumber(rank_of(*best) < 1e9 ? rank_of(*best) : 1));
	return out;
}

static cJSON *
site_users(const struct tenant *t, struct core_ctx *ctx, const struct site *s,
    cJSON *findings, struct used *used, size_t *nmembers)
{
	const struct holder **members = xcalloc(s->nholders + 1, sizeof(*members));
	const char **values = xcalloc(s->nholders + 1, sizeof(*values));
	const cJSON *best, *vg;
	const char *v, *vrp = NULL;
	cJSON *users = cj_object(), *list = cj_array();
	size_t n = 0, i;

	for (i = 0; i < s->nholders; i++) {
		bool ok = holder_findings(t, s, s->holders[i], findings);

		if (ok && s->holders[i]->direct) {
			members[n++] = s->holders[i];
			cj_push_str(list, upn_of(s->holders[i]));
		}
	}
	*nmembers = n;
	cj_set(users, "members", list);
	cj_set(users, "group", site_group(t, ctx, s, &best));
	vg = best ? cj_find(t->vrp_groups, "GroupId", cj_str(best, "GroupId")) : NULL;
	if (n > 0) {
		for (i = 0; i < n; i++)
			values[i] = members[i]->voice ? "true" : "false";
		v = common_value(ctx, s, "enterprise_voice", members, values, n);
		cj_set(users, "enterprise_voice", cJSON_CreateBool(text_same(v, "true")));
		for (i = 0; i < n; i++)
			values[i] = members[i]->policy[H_VRP];
		vrp = common_value(ctx, s, "voice_routing_policy", members, values, n);
		cj_set_str(users, "voice_routing_policy", vrp);
		for (i = 0; i < n; i++)
			values[i] = members[i]->policy[H_ECRP];
		v = common_value(ctx, s, "emergency_call_routing_policy", members, values, n);
		cj_set_str(users, "emergency_call_routing_policy", v);
		use(used->ecrps, v);
		if (best && (text_same(vrp, "Global") ? vg != NULL : !vg ||
		    !text_same(ta_policy_name(cj_str(vg, "PolicyName")), vrp) ||
		    rank_of(vg) != rank_of(best)))
			core_warn(ctx, "site '%s': group '%s' has voice routing policy grant '%s' "
			    "but the members have '%s'; applying the site grants the group the "
			    "members' policy at the Shared Calling policy's rank", s->name,
			    cj_str(best, "GroupId"), vg && cj_str(vg, "PolicyName") ?
			    ta_policy_name(cj_str(vg, "PolicyName")) : "(none)", vrp);
	} else if (best) {
		vrp = vg && cj_str(vg, "PolicyName") ? ta_policy_name(cj_str(vg, "PolicyName")) :
		    "Global";
		cj_set_str(users, "voice_routing_policy", vrp);
		if (vg && rank_of(vg) != rank_of(best))
			core_warn(ctx, "site '%s': group '%s' has its voice routing policy at "
			    "another rank than its Shared Calling policy; applying the site "
			    "grants both at rank %.0f", s->name, cj_str(best, "GroupId"),
			    rank_of(best));
	}
	use(used->vrps, vrp);
	cj_set_str(users, "personal_number", "keep");
	free(members);
	free(values);
	return users;
}

static cJSON *
site_build(const struct tenant *t, struct core_ctx *ctx, const struct site *s,
    cJSON *findings, struct used *used, size_t *nmembers)
{
	struct ra_part r;
	cJSON *site = cj_object(), *aa;

	site_account(&r, t, ctx, s, findings, used);
	aa = site_aa(t, ctx, s, &r, findings);
	cj_set_str(site, "name", s->name);
	cj_set(site, "emergency_address", r.address);
	cj_set_str(site, "emergency_location", r.location);
	cj_set(site, "resource_account", r.account);
	cj_set(site, "number", r.number);
	cj_set(site, "auto_attendant", aa);
	cj_set(site, "policy", site_policy(s));
	cj_set(site, "users", site_users(t, ctx, s, findings, used, nmembers));
	return site;
}

/* ---- the tenant-wide policies the sites use ---- */

/* The fields of a voice routing policy that teams_voice_routing_policy takes. */
static void
vrp_fields(cJSON *o, const cJSON *p)
{
	cJSON *u = cj_array();
	const cJSON *x;

	cJSON_ArrayForEach(x, cJSON_GetObjectItem(p, "OnlinePstnUsages"))
		if (cJSON_IsString(x))
			cj_push_str(u, x->valuestring);
	cj_set(o, "pstn_usages", u);
}

static const char *
str_or_empty(const cJSON *obj, const char *key)
{
	return cj_str(obj, key) ? cj_str(obj, key) : "";
}

/* The fields of an emergency call routing policy that its module takes. */
static void
ecrp_fields(cJSON *o, const cJSON *p)
{
	cJSON *nums = cj_array(), *e;
	const cJSON *x, *en = cJSON_GetObjectItem(p, "AllowEnhancedEmergencyServices");

	if (cJSON_IsBool(en))
		cj_set(o, "enhanced_emergency_services", cJSON_CreateBool(cJSON_IsTrue(en)));
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(p, "EmergencyNumbers")) {
		e = cj_object();
		cj_set_str(e, "dial_string", str_or_empty(x, "EmergencyDialString"));
		cj_set_str(e, "dial_mask", str_or_empty(x, "EmergencyDialMask"));
		cj_set_str(e, "pstn_usage", str_or_empty(x, "OnlinePSTNUsage"));
		cJSON_AddItemToArray(nums, e);
	}
	cj_set(o, "emergency_numbers", nums);
}

/*
 * The policies of list named in names, sorted by name, in their module's
 * option shape: name, description, then what fields() adds.
 */
static cJSON *
policy_list(const cJSON *list, const cJSON *names, void (*fields)(cJSON *, const cJSON *))
{
	cJSON *out = cj_array(), *o;
	const cJSON **v, *p;
	size_t n, i;

	v = sorted_names(names, &n);
	for (i = 0; i < n; i++) {
		p = ta_policy_find(list, v[i]->valuestring);
		if (!p)
			continue;
		o = cj_object();
		cj_set_str(o, "name", ta_policy_name(cj_str(p, "Identity")));
		if (cj_str(p, "Description"))
			cj_set_str(o, "description", cj_str(p, "Description"));
		fields(o, p);
		cJSON_AddItemToArray(out, o);
	}
	free(v);
	return out;
}

/* ---- the module ---- */

static int
check_params(struct core_ctx *ctx, const cJSON *wanted)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, wanted) {
		const char *bare = ta_policy_name(w->valuestring);

		if (!*bare || strspn(bare, " \t") == strlen(bare))
			return core_error(ctx, CORE_EARGS, "sites holds an empty name; list the "
			    "names of Shared Calling policies, or leave sites out for all of them");
		if (text_same(bare, "Global"))
			return core_error(ctx, CORE_EARGS, "sites names 'Global', the tenant's "
			    "default Shared Calling policy, which is no site; list custom policies");
	}
	return CORE_OK;
}

static cJSON *
counts_of(const struct tenant *t, const cJSON *findings, size_t members, size_t groups)
{
	cJSON *c = cj_object(), *by = cj_object(), *n;
	const cJSON *f;
	size_t holders = 0, i;

	for (i = 0; i < t->nsites; i++)
		holders += t->sites[i].nholders;
	cj_set(c, "sites", cJSON_CreateNumber((double)t->nsites));
	cj_set(c, "members", cJSON_CreateNumber((double)members));
	cj_set(c, "holders", cJSON_CreateNumber((double)holders));
	cj_set(c, "group_grants", cJSON_CreateNumber((double)groups));
	cj_set(c, "findings", cJSON_CreateNumber(cJSON_GetArraySize(findings)));
	cJSON_ArrayForEach(f, findings) {
		n = cJSON_GetObjectItemCaseSensitive(by, cj_str(f, "kind"));
		if (n)
			cJSON_SetNumberValue(n, n->valuedouble + 1);
		else if (!cJSON_AddItemToObject(by, cj_str(f, "kind"), cJSON_CreateNumber(1)))
			BUG("out of memory");
	}
	cj_set(c, "by_kind", by);
	return c;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	const cJSON *wanted = arg_get(params, "sites");
	struct tenant t;
	struct used used;
	cJSON *sites = NULL, *findings = NULL, *site;
	size_t i, members = 0, m, groups = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	used.vrps = cj_array();
	used.ecrps = cj_array();
	res->changed = false;
	rc = check_params(ctx, wanted);
	if (rc)
		goto out;
	rc = svc_open(ctx);
	if (rc)
		goto out;
	rc = read_tenant(&t, ctx, wanted);
	if (rc)
		goto out;
	sites = cj_array();
	findings = cj_array();
	for (i = 0; i < t.nsites; i++) {
		site = site_build(&t, ctx, &t.sites[i], findings, &used, &m);
		members += m;
		if (cJSON_IsObject(cJSON_GetObjectItem(cJSON_GetObjectItem(site, "users"), "group")))
			groups++;
		cJSON_AddItemToArray(sites, site);
	}
	result_put(res, "sites", sites);
	sites = NULL;
	result_put(res, "shared_calling_voice_routing_policies", policy_list(t.vrps, used.vrps, vrp_fields));
	result_put(res, "shared_calling_emergency_call_routing_policies",
	    policy_list(t.ecrps, used.ecrps, ecrp_fields));
	result_put(res, "counts", counts_of(&t, findings, members, groups));
	result_put(res, "findings", findings);
	findings = NULL;
out:
	cJSON_Delete(sites);
	cJSON_Delete(findings);
	cJSON_Delete(used.vrps);
	cJSON_Delete(used.ecrps);
	tenant_release(&t);
	return rc;
}

const struct module MODULE = {
	.name = "teams_shared_calling_info",
	.args = args,
	.rules = &svc_conn_rules,
	.check_mode = true,
	.run = run,
};
