/*
 * teams_user_voice - the Teams voice settings of many users at once, or the
 * policy grants of one group: enterprise voice, the Shared Calling, voice
 * routing and emergency call routing policies, and what to do with a
 * personal number (which takes precedence over Shared Calling).
 *
 * Reads in bulk and writes only the differences:
 *   - users are resolved with Graph $batch (20 per request), or, for more
 *     than BATCH_READ_MAX users, from the user list (999 a page) when that
 *     costs fewer requests (the first page tells the tenant's size);
 *   - their voice state comes from userConfigurations: $batch of single
 *     reads, or the bulk list (999 a page) when it costs fewer requests;
 *   - list pages are matched through hash indexes by UPN and object id as
 *     they arrive, and only the task's users are kept, each as a compact
 *     record (interned policy names, licence sets shared between users);
 *   - results are printed user by user (result_put_stream()), never held
 *     as one document;
 *   - a policy setting compares the effective assignment (direct, then
 *     group by rank, then Global), so a user a group or Global grant
 *     already covers is left alone;
 *   - enterprise voice writes go out together, up to max_concurrency in
 *     flight; grants go through Graph's policy assignment API,
 *     grant_batch_size users per request (policyassign.h); number releases
 *     go one by one, first.
 * Group assignment is refused for emergency call routing policies.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cj.h"
#include "e164.h"
#include "graph.h"
#include "http.h"
#include "module.h"
#include "numbers.h"
#include "policies.h"
#include "routes.h"
#include "policyassign.h"
#include "svc.h"
#include "teamsadmin.h"
#include "tenant.h"
#include "userindex.h"

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "users", ARG_LIST, .elements = ARG_STR, ARG_NAME(ARG_LEN_UPN) },
	{ "group", ARG_STR, ARG_NAME(ARG_LEN_DISPLAY_NAME) },
	{ "rank", ARG_INT, ARG_RANGE(1, 2147483647) },
	{ "enterprise_voice", ARG_BOOL },
	{ "shared_calling_policy", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "voice_routing_policy", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "emergency_call_routing_policy", ARG_STR, ARG_NAME(ARG_LEN_NAME) },
	{ "personal_number", ARG_STR, .def = "\"keep\"", .choices = "keep|remove|fail" },
	{ "snapshot", ARG_PATH },
	{ "wait", ARG_BOOL, .def = "false" },
	{ "wait_timeout", ARG_INT, .def = "300" },
	{ "grant_batch_size", ARG_INT, .def = "20" },
	ARG_END
};

static const char *const exclusive[] = { ARGS_CONN_EXCLUSIVE, "users|group", NULL };
static const char *const one_of[] = { "users|group", NULL };
static const struct arg_required_by required_by[] = {
	ARGS_CONN_REQUIRED_BY,
	{ "group", "rank" },
	{ "rank", "group" },
	{ NULL }
};
static const struct arg_rules rules = {
	.mutually_exclusive = exclusive,
	.required_one_of = one_of,
	.required_by = required_by,
};

/*
 * Up to this many users, users and their voice state are read with $batch
 * without looking at the tenant's size; above it, by whichever of $batch
 * (GRAPH_BATCH_MAX a request) and the paged lists (LIST_PAGE a page) costs
 * fewer requests.
 */
#define BATCH_READ_MAX 100
/* Items per page of the user and userConfigurations lists. */
#define LIST_PAGE 999
/* Names listed in one message or warning before "and N more". */
#define NAMES_SHOWN 20
/* Per-user warnings also raised as Ansible warnings before a summary line. */
#define WARNINGS_SHOWN 10
/* Enterprise voice writes built and answered at a time (send_voice()). */
#define VOICE_WINDOW 256
/* Numbers per numberAssignments read when releasing personal numbers. */
#define TARGETS_PER_READ 15

enum { P_SC, P_VRP, P_ECRP, NPOL };

static const struct {
	const char *option;
	const char *type;
} pols[NPOL] = {
	{ "shared_calling_policy", TA_SHARED_CALLING },
	{ "voice_routing_policy", TA_VOICE_ROUTING },
	{ "emergency_call_routing_policy", TA_EMERGENCY_ROUTING },
};

enum grant_op { G_NONE, G_GRANT, G_REMOVE };
enum personal { PN_KEEP, PN_REMOVE, PN_FAIL };

/* What the task asks for; released by want_release(). */
struct want {
	int ev;                       /* -1 unset, else 0 or 1 */
	const char *policy[NPOL];     /* NULL unset, "" remove, "Global", or a bare name */
	enum personal pn;
	bool wait;
	int wait_timeout;
	int grant_batch;              /* users per Graph assignment call; 0: Teams admin route */
	cJSON *vrps;                  /* every voice routing policy (PSTN usages) */
};

/*
 * The voice state of a user, kept from its userConfiguration: policy names
 * and assignment kinds are interned (intern()), so a user costs a few
 * pointers, not a JSON tree. Released by vstate_release().
 */
struct vstate {
	bool present;                 /* the user has a userConfiguration */
	bool ev;                      /* enterprise voice */
	const char *cur[NPOL];        /* effective policy name ("Global" when none) */
	const char *kind[NPOL];       /* its assignment type, or NULL */
	cJSON *numbers;               /* personal numbers (strings), or NULL when none */
};

static void
vstate_release(struct vstate *st)
{
	cJSON_Delete(st->numbers);
	st->numbers = NULL;
	st->present = false;
}

/* What changed for a user (plan_user()), shown as its changes. */
#define CH_NUMBERS 1u
#define CH_EV 2u
#define CH_POLICY(i) (4u << (i))

/* One user of the task; released by user_release(). */
struct user {
	const char *given;            /* as in the task */
	char *id;
	char *upn;
	const cJSON *licences;        /* interned {"assignedLicenses": [...]}, or NULL */
	struct vstate st;             /* from its userConfiguration */
	bool release;                 /* release the personal numbers */
	bool ev_write, ev_to;
	enum grant_op op[NPOL];
	unsigned changes;             /* CH_* */
	bool ev_after;                /* enterprise voice after, for CH_EV */
	const char *after[NPOL];      /* policy after, for CH_POLICY (NULL: not known) */
	cJSON *warnings;              /* NULL when none */
	cJSON *errors;
	bool pending;                 /* a write not yet seen in effect */
};

static void
user_release(struct user *u)
{
	free(u->id);
	free(u->upn);
	vstate_release(&u->st);
	cJSON_Delete(u->warnings);
	cJSON_Delete(u->errors);
}

/*
 * Interned strings: one copy of each distinct policy name, assignment type
 * and licence set however many users share it, kept until the run ends.
 */
struct interned {
	char **keys;                  /* by slot, NULL when empty */
	cJSON **vals;                 /* by slot: what the caller keeps with the key */
	size_t slots, used;
};

static struct interned names_pool, licence_pool;

static size_t
intern_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of key: where it is, or the empty one it would go to. */
static size_t
intern_slot(const struct interned *t, const char *key)
{
	size_t i = intern_hash(key) & (t->slots - 1);

	while (t->keys[i] && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & (t->slots - 1);
	return i;
}

/* key's slot in t, adding a copy of key when new (*added says so). */
static size_t
intern_put(struct interned *t, const char *key, bool *added)
{
	size_t i, j, old = t->slots;
	char **keys = t->keys;
	cJSON **vals = t->vals;

	if (2 * (t->used + 1) > t->slots) {
		t->slots = old ? 2 * old : 64;
		t->keys = xcalloc(t->slots, sizeof(*t->keys));
		t->vals = xcalloc(t->slots, sizeof(*t->vals));
		for (j = 0; j < old; j++)
			if (keys[j]) {
				i = intern_slot(t, keys[j]);
				t->keys[i] = keys[j];
				t->vals[i] = vals[j];
			}
		free(keys);
		free(vals);
	}
	i = intern_slot(t, key);
	*added = !t->keys[i];
	if (*added) {
		t->keys[i] = xstrdup(key);
		t->used++;
	}
	return i;
}

static void
intern_free(struct interned *t)
{
	size_t i;

	for (i = 0; i < t->slots; i++) {
		free(t->keys[i]);
		cJSON_Delete(t->vals[i]);
	}
	free(t->keys);
	free(t->vals);
	memset(t, 0, sizeof(*t));
}

/* The one copy of s (NULL for NULL), valid until the run ends. */
static const char *
intern(const char *s)
{
	size_t i;
	bool added;

	if (!s)
		return NULL;
	i = intern_put(&names_pool, s, &added);
	return names_pool.keys[i];
}

/*
 * The licences of Graph user g as a shared {"assignedLicenses": [...]}
 * (tenant_user_has_plan() reads it as the user), or NULL when g has none.
 */
static const cJSON *
intern_licences(const cJSON *g)
{
	const cJSON *l = cJSON_GetObjectItem(g, "assignedLicenses");
	char *key;
	size_t i;
	bool added;

	if (!l)
		return NULL;
	key = cJSON_PrintUnformatted(l);
	if (!key)
		BUG("out of memory");
	i = intern_put(&licence_pool, key, &added);
	cJSON_free(key);
	if (added) {
		licence_pool.vals[i] = cj_object();
		if (!cJSON_AddItemToObject(licence_pool.vals[i], "assignedLicenses",
		    cJSON_Duplicate(l, 1)))
			BUG("out of memory");
	}
	return licence_pool.vals[i];
}

/* Takes id, UPN and licences from Graph user g. */
static void
user_take_graph(struct user *u, const cJSON *g)
{
	if (cj_str(g, "id"))
		u->id = xstrdup(cj_str(g, "id"));
	if (cj_str(g, "userPrincipalName"))
		u->upn = xstrdup(cj_str(g, "userPrincipalName"));
	u->licences = intern_licences(g);
}

/*
 * "'a', 'b', and 3 more": at most NAMES_SHOWN names, quoted unless quote
 * is false. The caller frees it.
 */
static char *
names_list(const cJSON *names, bool quote)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const cJSON *x;
	int i = 0, n = cJSON_GetArraySize(names);

	cJSON_ArrayForEach(x, names) {
		if (i == NAMES_SHOWN)
			break;
		if (buf_addf(&b, quote ? "%s'%s'" : "%s%s", i ? ", " : "", x->valuestring))
			BUG("out of memory");
		i++;
	}
	if ((n > i && buf_addf(&b, ", and %d more", n - i)) || buf_adds(&b, ""))
		BUG("out of memory");
	return buf_detach(&b, NULL);
}

static char *
names_text(const cJSON *names)
{
	return names_list(names, true);
}

/* The name a user is shown by: its UPN once known, else as given. */
static const char *
user_name(const struct user *u)
{
	return u->upn ? u->upn : u->given;
}

/* ---- input ---- */

static int
read_want(struct want *w, struct core_ctx *ctx, const cJSON *params, bool group)
{
	const char *pn = arg_str(params, "personal_number");
	int i;

	w->ev = arg_isset(params, "enterprise_voice") ?
	    arg_bool(params, "enterprise_voice") : -1;
	for (i = 0; i < NPOL; i++) {
		const char *v = arg_str(params, pols[i].option);

		w->policy[i] = v ? ta_policy_name(v) : NULL;
		if (v && *v && !*w->policy[i])
			return core_error(ctx, CORE_EARGS, "%s '%s' names no policy; give a "
			    "policy name, \"\" to remove the direct grant, or leave it out",
			    pols[i].option, v);
	}
	w->pn = pn && strcmp(pn, "remove") == 0 ? PN_REMOVE :
	    pn && strcmp(pn, "fail") == 0 ? PN_FAIL : PN_KEEP;
	w->wait = arg_bool(params, "wait");
	w->wait_timeout = (int)arg_int(params, "wait_timeout");
	if (w->wait_timeout < 0 || w->wait_timeout > 86400)
		return core_error(ctx, CORE_EARGS, "wait_timeout must be from 0 to 86400 "
		    "seconds, got %d", w->wait_timeout);
	w->grant_batch = (int)arg_int(params, "grant_batch_size");
	if (w->grant_batch < 0 || w->grant_batch > PA_BATCH_MAX)
		return core_error(ctx, CORE_EARGS, "grant_batch_size must be from 0 to %d "
		    "users, got %d", PA_BATCH_MAX, w->grant_batch);
	if (!group)
		return CORE_OK;
	if (arg_int(params, "rank") < 1)
		return core_error(ctx, CORE_EARGS, "rank must be 1 or more (1 is the highest), "
		    "got %lld", arg_int(params, "rank"));
	if (w->policy[P_ECRP])
		return core_error(ctx, CORE_EREFUSED, "emergency_call_routing_policy cannot be "
		    "assigned to a group: Teams does not support group assignment of emergency "
		    "call routing policies; give users instead");
	if (w->ev >= 0)
		return core_error(ctx, CORE_EREFUSED, "enterprise_voice is a per-user setting "
		    "and cannot be set for a group; give users instead");
	if (w->pn == PN_REMOVE)
		return core_error(ctx, CORE_EREFUSED, "personal_number: remove releases numbers "
		    "user by user and cannot be used with a group; give users instead");
	return CORE_OK;
}

static int
read_users(struct user **out, size_t *n, struct core_ctx *ctx, const cJSON *params)
{
	const cJSON *list = arg_get(params, "users"), *x;
	struct user *u;
	size_t i = 0;

	*n = (size_t)cJSON_GetArraySize(list);
	if (*n == 0)
		return core_error(ctx, CORE_EARGS, "users is empty; list the UPNs or object ids "
		    "of the users");
	u = xcalloc(*n, sizeof(*u));
	*out = u;
	cJSON_ArrayForEach(x, list) {
		if (!cJSON_IsString(x) || !*x->valuestring ||
		    strspn(x->valuestring, " \t") == strlen(x->valuestring))
			return core_error(ctx, CORE_EARGS, "users holds an empty entry (item %zu); "
			    "list the UPNs or object ids of the users", i + 1);
		u[i++].given = x->valuestring;
	}
	return CORE_OK;
}

/* ---- policies ---- */

static bool
same_name(const char *a, const char *b)
{
	return strcasecmp(ta_policy_name(a), ta_policy_name(b)) == 0;
}

/* PSTN usages of voice routing policy name, or NULL when unknown. */
static const cJSON *
vrp_usages(const struct want *w, const char *name)
{
	return cJSON_GetObjectItem(ta_policy_find(w->vrps, name), "OnlinePstnUsages");
}

/* Every named policy exists; reads every voice routing policy too. */
static int
check_policies(struct want *w, struct core_ctx *ctx)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	cJSON *p = NULL;
	char *text;
	int i, rc, missing = 0;

	rc = ta_policies(&w->vrps, ctx, TA_VOICE_ROUTING);
	if (rc)
		goto out;
	for (i = 0; i < NPOL; i++) {
		const char *name = w->policy[i];

		if (!name || !*name || strcasecmp(name, "Global") == 0)
			continue;
		if (i == P_VRP) {
			rc = ta_policy_find(w->vrps, name) ? CORE_OK : CORE_ENOTFOUND;
		} else {
			rc = ta_policy_get(&p, ctx, pols[i].type, name);
			cJSON_Delete(p);
			p = NULL;
		}
		if (rc == CORE_ENOTFOUND) {
			if (buf_addf(&b, "%s%s '%s'", missing++ ? ", " : "", pols[i].option, name))
				BUG("out of memory");
			rc = CORE_OK;
		}
		if (rc)
			goto out;
	}
	if (missing) {
		if (buf_adds(&b, ""))
			BUG("out of memory");
		text = buf_detach(&b, NULL);
		rc = core_error(ctx, CORE_EREFUSED, "no such %s: %s; create %s first or correct "
		    "the name", missing > 1 ? "policies" : "policy", text,
		    missing > 1 ? "them" : "it");
		free(text);
	}
out:
	buf_release(&b);
	return rc;
}

/* ---- reads ---- */

/*
 * Users in the tenant, from the user list's @odata.count; -1 until a list
 * read tells. It prices the bulk reads against $batch (read_configs()).
 */
static long tenant_population = -1;

static size_t
pages_for(long items)
{
	return items <= 0 ? 1 : (size_t)((items + LIST_PAGE - 1) / LIST_PAGE);
}

static size_t
batches_for(size_t n)
{
	return (n + GRAPH_BATCH_MAX - 1) / GRAPH_BATCH_MAX;
}

/* The users of the task, indexed by what was given; see resolve_listed(). */
struct listed {
	struct user *us;
	size_t n;
	struct uindex *given;         /* lower-cased given name -> first user */
	size_t *same;                 /* next user given the same name, or n */
	size_t left;                  /* users not matched yet */
	bool first;
};

static void vstate_from(struct vstate *st, const cJSON *config);

/*
 * Matches one Graph user: its id, UPN and licences, and its voice
 * configuration when given (a snapshot line), go to every user it is.
 */
static void
listed_take(struct listed *l, const cJSON *item, const cJSON *config)
{
	const char *keys[2] = { cj_str(item, "id"), cj_str(item, "userPrincipalName") };
	size_t k, i;

	if (!keys[0] || !*keys[0])
		return;
	for (k = 0; k < 2; k++) {
		if (!keys[k] || !uindex_get(l->given, keys[k], &i))
			continue;
		for (; i < l->n; i = l->same[i]) {
			struct user *u = &l->us[i];

			if (u->id)
				continue;
			user_take_graph(u, item);
			if (config)
				vstate_from(&u->st, config);
			l->left--;
		}
	}
}

static int
listed_page(cJSON *items, const cJSON *page, void *arg)
{
	struct listed *l = arg;
	const cJSON *item = items->child;
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(page, "@odata.count");

	for (; item && l->left; item = item->next)
		listed_take(l, item, NULL);
	if (l->first && cJSON_IsNumber(count))
		tenant_population = (long)count->valuedouble;
	if (l->left == 0)
		return GRAPH_LIST_STOP;
	/* After the first page: the rest of the list, or $batch for the rest? */
	if (l->first && tenant_population >= 0 &&
	    pages_for(tenant_population) - 1 > batches_for(l->left))
		return GRAPH_LIST_STOP;
	l->first = false;
	return CORE_OK;
}

/*
 * Matches the task's users against the tenant's user list, page by page;
 * users it does not find are left for $batch (the list is eventually
 * consistent: a user created a moment ago may not be in it yet).
 */
static int
resolve_listed(struct user *us, size_t n, struct core_ctx *ctx)
{
	static const char *const headers[] = { "ConsistencyLevel: eventual", NULL };
	struct listed l = { us, n, uindex_new(n), xcalloc(n, sizeof(size_t)), n, true };
	size_t *last = xcalloc(n, sizeof(size_t));
	char *path;
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		l.same[i] = n;
		if (uindex_put(l.given, us[i].given, i)) {
			last[i] = i;
		} else if (uindex_get(l.given, us[i].given, &j)) {
			l.same[last[j]] = i;
			last[j] = i;
		}
	}
	path = route_path(RT_G_USERS_COUNTED, "id,userPrincipalName,assignedLicenses");
	rc = graph_list_each(ctx, path, headers, listed_page, &l);
	free(path);
	free(last);
	free(l.same);
	uindex_free(l.given);
	return rc;
}

/* Takes the snapshot line o for every user of l it names. */
static void
snapshot_take(struct listed *l, const cJSON *o)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(o, "configuration");

	if (cJSON_IsObject(cfg))
		listed_take(l, o, cfg);
}

/*
 * In a check run: the users and their voice configurations from the
 * snapshot teams_rollout_preflight wrote earlier in the run (one JSON object
 * a line), instead of reading the tenant again. Users it does not hold are
 * read from the tenant as usual.
 */
static int
resolve_snapshot(struct user *us, size_t n, struct core_ctx *ctx, const char *path)
{
	struct listed l = { us, n, uindex_new(n), xcalloc(n ? n : 1, sizeof(size_t)), n, true };
	size_t *last = xcalloc(n ? n : 1, sizeof(size_t));
	char *line = NULL;
	size_t cap = 0, i, j, lineno = 0;
	ssize_t len;
	FILE *f = NULL;
	cJSON *o;
	int fd, rc = CORE_OK;

	for (i = 0; i < n; i++) {
		l.same[i] = n;
		if (uindex_put(l.given, us[i].given, i)) {
			last[i] = i;
		} else if (uindex_get(l.given, us[i].given, &j)) {
			l.same[last[j]] = i;
			last[j] = i;
		}
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		rc = core_error(ctx, CORE_EARGS, "snapshot '%s' cannot be read: %s; give the file "
		    "teams_rollout_preflight wrote with its snapshot option in this run", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	while (l.left > 0 && (len = getline(&line, &cap, f)) > 0) {
		lineno++;
		o = cJSON_ParseWithLength(line, (size_t)len);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			rc = core_error(ctx, CORE_EARGS, "snapshot '%s': line %zu is not a JSON "
			    "object; give the file teams_rollout_preflight wrote with its snapshot "
			    "option in this run", path, lineno);
			goto out;
		}
		snapshot_take(&l, o);
		cJSON_Delete(o);
	}
	if (ferror(f))
		rc = core_error(ctx, CORE_EARGS, "snapshot '%s' cannot be read: %s", path,
		    strerror(errno));
out:
	if (f)
		fclose(f);
	free(line);
	free(last);
	free(l.same);
	uindex_free(l.given);
	return rc;
}

/* One user of resolve_batch(): us[i] as Graph has it (user is NULL when there is none). */
static void
batch_user(void *arg, size_t i, cJSON *user)
{
	struct user *us = arg;

	if (user)
		user_take_graph(&us[i], user);
	cJSON_Delete(user);
}

/* Resolves every user with Graph $batch: id, UPN, licences. */
static int
resolve_batch(struct user *us, size_t n, struct core_ctx *ctx)
{
	const char **refs = xcalloc(n ? n : 1, sizeof(*refs));
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		refs[i] = us[i].given;
	rc = tenant_users_batch(ctx, refs, n, "id,userPrincipalName,assignedLicenses",
	    batch_user, us);
	free(refs);
	return rc;
}

/*
 * Resolves every user: id, UPN, licences. Many users are matched against
 * the user list when it costs fewer requests; the rest go to $batch.
 */
static int
resolve_users(struct user *us, size_t n, struct core_ctx *ctx)
{
	struct user **rest;
	struct user *left;
	size_t i, m = 0;
	int rc;

	for (i = 0; i < n; i++)
		m += !us[i].id;
	if (m == n) {
		/* None came from a snapshot. */
		if (n <= BATCH_READ_MAX)
			return resolve_batch(us, n, ctx);
		rc = resolve_listed(us, n, ctx);
		if (rc)
			return rc;
		for (i = 0, m = 0; i < n; i++)
			m += !us[i].id;
	}
	if (m == 0)
		return CORE_OK;
	/* $batch for the users the list did not give, then back in place. */
	rest = xcalloc(m, sizeof(*rest));
	left = xcalloc(m, sizeof(*left));
	for (i = 0, m = 0; i < n; i++)
		if (!us[i].id) {
			rest[m] = &us[i];
			left[m++].given = us[i].given;
		}
	rc = resolve_batch(left, m, ctx);
	for (i = 0; i < m; i++) {
		rest[i]->licences = left[i].licences;
		rest[i]->id = left[i].id;
		rest[i]->upn = left[i].upn;
	}
	free(left);
	free(rest);
	return rc;
}

/* The policy types a configuration is kept with (tenant_config_trim()). */
static const char *const kept_types[] = {
	TA_SHARED_CALLING, TA_VOICE_ROUTING, TA_EMERGENCY_ROUTING, NULL
};

/* The ids read_configs() looks for, indexed; see configs_page(). */
struct wanted_configs {
	struct vstate *const *states;
	size_t n;
	struct uindex *ids;           /* lower-cased id -> first position */
	size_t *same;                 /* next position with the same id, or n */
};

static int
configs_page(cJSON *items, const cJSON *page, void *arg)
{
	struct wanted_configs *wc = arg;
	cJSON *item;
	size_t i;

	(void)page;
	cJSON_ArrayForEach(item, items) {
		bool trimmed = false;

		if (!cj_str(item, "id") || !uindex_get(wc->ids, cj_str(item, "id"), &i))
			continue;
		for (; i < wc->n; i = wc->same[i]) {
			if (wc->states[i]->present)
				continue;
			if (!trimmed)
				tenant_config_trim(item, kept_types);
			trimmed = true;
			vstate_from(wc->states[i], item);
		}
	}
	return CORE_OK;
}

/* Reads the userConfigurations list page by page, keeping those of ids. */
static int
read_configs_listed(struct vstate *const *states, struct core_ctx *ctx, char *const *ids,
    size_t n)
{
	struct wanted_configs wc = { states, n, uindex_new(n), xcalloc(n, sizeof(size_t)) };
	size_t *last = xcalloc(n, sizeof(size_t));
	size_t i, j;
	int rc;

	for (i = 0; i < n; i++) {
		wc.same[i] = n;
		if (uindex_put(wc.ids, ids[i], i)) {
			last[i] = i;
		} else if (uindex_get(wc.ids, ids[i], &j)) {
			wc.same[last[j]] = i;
			last[j] = i;
		}
	}
	rc = graph_list_each(ctx, route_get(RT_G_USER_CONFIGS)->path, NULL,
	    configs_page, &wc);
	if (rc)
		for (i = 0; i < n; i++)
			vstate_release(states[i]);
	free(last);
	free(wc.same);
	uindex_free(wc.ids);
	return rc;
}

/* Whether the bulk list costs fewer requests than $batch for n users. */
static bool
configs_in_bulk(size_t n)
{
	if (n <= BATCH_READ_MAX)
		return false;
	if (tenant_population < 0)
		return true;
	return pages_for(tenant_population) < batches_for(n);
}

/*
 * The voice state of each id into *states[i] (release each with
 * vstate_release(); not present when the user has no userConfiguration):
 * $batch of single reads for a few users, the bulk list for many.
 */
static int
read_configs(struct vstate *const *states, struct core_ctx *ctx, char *const *ids, size_t n)
{
	struct graph_batch_item *items = NULL;
	char **urls = NULL;
	size_t i;
	int rc = CORE_OK;

	for (i = 0; i < n; i++)
		memset(states[i], 0, sizeof(*states[i]));
	if (n == 0)
		return CORE_OK;
	if (!configs_in_bulk(n)) {
		items = xcalloc(n, sizeof(*items));
		urls = xcalloc(n, sizeof(*urls));
		for (i = 0; i < n; i++) {
			urls[i] = route_path(RT_GB_USER_CONFIG, ids[i]);
			items[i].method = route_get(RT_GB_USER_CONFIG)->method;
			items[i].url = urls[i];
		}
		rc = graph_batch(ctx, items, n);
		for (i = 0; !rc && i < n; i++) {
			if (items[i].status == 200) {
				tenant_config_trim(items[i].response, kept_types);
				vstate_from(states[i], items[i].response);
			} else if (items[i].status != 404) {
				char *t = graph_error_text(ctx, items[i].status, items[i].response);

				rc = core_error(ctx, CORE_ESERVICE, "graph: GET "
				    "/v1.0/admin/teams/userConfigurations/%s: %s", ids[i], t);
				free(t);
			}
		}
		graph_batch_release(items, n);
		for (i = 0; i < n; i++) {
			free(urls[i]);
			if (rc)
				vstate_release(states[i]);
		}
		free(urls);
		free(items);
		return rc;
	}
	return read_configs_listed(states, ctx, ids, n);
}

/* ---- the current state of a user ---- */

static bool
is_direct(const char *kind)
{
	return kind && strcasecmp(kind, "direct") == 0;
}

static bool
ev_of(const cJSON *config)
{
	return cJSON_IsTrue(cJSON_GetObjectItem(config, "isEnterpriseVoiceEnabled"));
}

/* Keeps what this module reads of a userConfiguration. */
static void
vstate_from(struct vstate *st, const cJSON *config)
{
	const char *kind;
	int i;

	vstate_release(st);
	st->present = true;
	st->ev = ev_of(config);
	for (i = 0; i < NPOL; i++) {
		st->cur[i] = intern(tenant_effective(config, pols[i].type, &kind));
		st->kind[i] = intern(kind);
	}
	st->numbers = tenant_personal_numbers(config);
	if (cJSON_GetArraySize(st->numbers) == 0) {
		cJSON_Delete(st->numbers);
		st->numbers = NULL;
	}
}

static void
add_change(cJSON *changes, const char *field, cJSON *before, cJSON *after)
{
	cJSON *c = cj_object();

	cJSON_AddItemToObject(c, "before", before);
	cJSON_AddItemToObject(c, "after", after);
	cJSON_AddItemToObject(changes, field, c);
}

static cJSON *
string_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/*
 * Warnings about what keeps Shared Calling from applying to a user once the
 * task is done: sc and vrp are the policies in effect then (NULL when not
 * known), ev_after its enterprise voice then. u->st.numbers and u->release say
 * whether it keeps a personal number.
 */
static void
shared_calling_warnings(struct user *u, const struct want *w, const char *sc,
    const char *vrp, bool ev_after)
{
	const cJSON *usages;
	char *list;

	if (!sc || strcasecmp(sc, "Global") == 0)
		return;
	if (!u->release && cJSON_GetArraySize(u->st.numbers) > 0) {
		list = names_text(u->st.numbers);
		cj_push_fmt(&u->warnings, "'%s' keeps personal number %s, which takes precedence: Shared "
		    "Calling policy '%s' does not apply to this user (personal_number: remove "
		    "releases the number)", user_name(u), list, sc);
		free(list);
	}
	usages = vrp ? vrp_usages(w, vrp) : NULL;
	if (cJSON_GetArraySize(usages) > 0) {
		list = names_text(usages);
		cj_push_fmt(&u->warnings, "'%s' has voice routing policy '%s' with PSTN usages (%s), so "
		    "Shared Calling does not apply to this user; Shared Calling users need one "
		    "without PSTN usages (Microsoft's setup)", user_name(u), vrp, list);
		free(list);
	}
	if (!ev_after)
		cj_push_fmt(&u->warnings, "'%s' has enterprise voice off; Shared Calling needs it "
		    "(enterprise_voice: true)", user_name(u));
}

/* ---- planning ---- */

/* Fills u's writes, changes and warnings from its voice state and w. */
static void
plan_user(struct user *u, const struct want *w)
{
	const char *after[NPOL];
	bool ev_now = u->st.ev, ev_base, ev_after;
	int i;

	u->changes = 0;
	u->release = w->pn == PN_REMOVE && cJSON_GetArraySize(u->st.numbers) > 0;
	if (u->release)
		u->changes |= CH_NUMBERS;
	/* Releasing a number turns enterprise voice off (docs/design/rules.md#num-5). */
	ev_base = u->release ? false : ev_now;
	ev_after = w->ev >= 0 ? w->ev == 1 : ev_base;
	u->ev_write = w->ev >= 0 && ev_base != ev_after;
	u->ev_to = ev_after;
	u->ev_after = ev_after;
	if (ev_now != ev_after)
		u->changes |= CH_EV;
	for (i = 0; i < NPOL; i++) {
		const char *kind = u->st.kind[i], *cur = u->st.cur[i];
		const char *want = w->policy[i];

		u->op[i] = G_NONE;
		after[i] = cur;
		if (!want)
			continue;
		if (!*want || strcasecmp(want, "Global") == 0) {
			if (is_direct(kind)) {
				u->op[i] = G_REMOVE;
				/* What applies then (a group's or Global) is not known here. */
				after[i] = *want ? "Global" : NULL;
			} else if (*want && kind && strcasecmp(kind, "group") == 0) {
				cj_push_fmt(&u->warnings, "'%s' gets %s '%s' from a group; a direct grant cannot "
				    "make Global apply, remove the group's grant instead",
				    user_name(u), pols[i].type, cur);
			}
		} else if (strcasecmp(cur, want) != 0) {
			u->op[i] = G_GRANT;
			after[i] = want;
		}
		if (u->op[i] != G_NONE) {
			u->changes |= CH_POLICY(i);
			u->after[i] = after[i];
		}
	}
	shared_calling_warnings(u, w, u->op[P_SC] == G_REMOVE ? NULL : after[P_SC],
	    u->op[P_VRP] == G_REMOVE ? NULL : after[P_VRP], ev_after);
}

/* u's changes, {field: {"before", "after"}}, as planned. */
static cJSON *
user_changes(const struct user *u)
{
	cJSON *c = cj_object();
	int i;

	if (u->changes & CH_NUMBERS)
		add_change(c, "telephoneNumbers", cJSON_Duplicate(u->st.numbers, 1), cj_array());
	if (u->changes & CH_EV)
		add_change(c, "isEnterpriseVoiceEnabled", cJSON_CreateBool(u->st.ev),
		    cJSON_CreateBool(u->ev_after));
	for (i = 0; i < NPOL; i++)
		if (u->changes & CH_POLICY(i))
			add_change(c, pols[i].type, cJSON_CreateString(u->st.cur[i]),
			    string_or_null(u->after[i]));
	return c;
}

static bool
user_changed(const struct user *u)
{
	return u->changes || u->ev_write;
}

/* ---- output ---- */

static cJSON *
user_result(const struct user *u)
{
	cJSON *r = cj_object();

	cJSON_AddStringToObject(r, "user", u->given);
	cj_set_str(r, "id", u->id);
	cj_set_str(r, "userPrincipalName", u->upn);
	cJSON_AddBoolToObject(r, "changed", user_changed(u));
	cJSON_AddItemToObject(r, "changes", user_changes(u));
	cJSON_AddItemToObject(r, "warnings", u->warnings ? cJSON_Duplicate(u->warnings, 1) :
	    cj_array());
	cJSON_AddBoolToObject(r, "pending", u->pending);
	if (u->errors)
		cJSON_AddItemToObject(r, "errors", cJSON_Duplicate(u->errors, 1));
	return r;
}

static void
add_user_diff(struct result *res, const struct core_ctx *ctx, const struct user *u)
{
	cJSON *before, *after, *changes;
	const cJSON *c;
	char *bh, *ah;

	if (!ctx->diff)
		return;
	before = cj_object();
	after = cj_object();
	changes = user_changes(u);
	cJSON_ArrayForEach(c, changes) {
		cJSON_AddItemToObject(before, c->string,
		    cJSON_Duplicate(cJSON_GetObjectItem(c, "before"), 1));
		cJSON_AddItemToObject(after, c->string,
		    cJSON_Duplicate(cJSON_GetObjectItem(c, "after"), 1));
	}
	cJSON_Delete(changes);
	bh = xasprintf("%s (current)", user_name(u));
	ah = xasprintf("%s (desired)", user_name(u));
	result_add_diff(res, ctx, before, after, bh, ah);
	free(bh);
	free(ah);
}

/* Raises the first per-user warnings as Ansible warnings, then a summary. */
static int
raise_warnings(struct core_ctx *ctx, const struct user *us, size_t n)
{
	const cJSON *x;
	int total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_ArrayForEach(x, us[i].warnings) {
			if (total < WARNINGS_SHOWN)
				core_warn(ctx, "%s", x->valuestring);
			total++;
		}
	if (total > WARNINGS_SHOWN)
		core_warn(ctx, "%d more warnings about single users: see each user's warnings "
		    "in results", total - WARNINGS_SHOWN);
	return total;
}

/* The users of a run, from put_results() until the result is printed. */
struct users_out {
	struct user *us;
	size_t n;
};

static cJSON *
users_out_item(void *arg, size_t i)
{
	const struct users_out *o = arg;

	return user_result(&o->us[i]);
}

static void
users_out_release(void *arg)
{
	struct users_out *o = arg;
	size_t i;

	for (i = 0; i < o->n; i++)
		user_release(&o->us[i]);
	free(o->us);
	free(o);
	intern_free(&names_pool);
	intern_free(&licence_pool);
}

static void
count_field(cJSON *by_field, const char *field)
{
	cJSON *k = cJSON_GetObjectItemCaseSensitive(by_field, field);

	if (k)
		cJSON_SetNumberValue(k, k->valuedouble + 1);
	else
		cJSON_AddNumberToObject(by_field, field, 1);
}

/*
 * Puts results (made user by user as they are printed) and totals. The
 * users array is the result's from here on; it lives until the result is
 * released.
 */
static void
put_results(struct result *res, struct core_ctx *ctx, struct user *us, size_t n,
    int writes, int warnings)
{
	struct users_out *o = xcalloc(1, sizeof(*o));
	cJSON *totals = cj_object(), *by_field = cj_object();
	int changed = 0, pending = 0, k;
	size_t i;

	for (i = 0; i < n; i++) {
		if (user_changed(&us[i]))
			changed++;
		if (us[i].pending)
			pending++;
		if (us[i].changes & CH_NUMBERS)
			count_field(by_field, "telephoneNumbers");
		if (us[i].changes & CH_EV)
			count_field(by_field, "isEnterpriseVoiceEnabled");
		for (k = 0; k < NPOL; k++)
			if (us[i].changes & CH_POLICY(k))
				count_field(by_field, pols[k].type);
	}
	cJSON_AddNumberToObject(totals, "users", (double)n);
	cJSON_AddNumberToObject(totals, "changed", changed);
	cJSON_AddNumberToObject(totals, "unchanged", (double)n - changed);
	cJSON_AddNumberToObject(totals, "writes", writes);
	cJSON_AddNumberToObject(totals, "pending", pending);
	cJSON_AddNumberToObject(totals, "warnings", warnings);
	cJSON_AddItemToObject(totals, "by_field", by_field);
	cJSON_AddNumberToObject(totals, "requests", (double)svc_request_count(ctx));
	o->us = us;
	o->n = n;
	result_put_stream(res, "results", n, users_out_item, o, users_out_release);
	result_put(res, "totals", totals);
}

/* ---- writes ---- */

/*
 * Releases the personal numbers of the users that ask for it, one by one
 * (each is a number operation to wait for). Their number types come from one
 * filtered numberAssignments read per TARGETS_PER_READ users.
 */
static int
release_numbers(struct core_ctx *ctx, struct user *us, size_t n, int timeout, int *failed)
{
	struct buf f = BUF_INIT((size_t)64 * 1024);
	cJSON *assigned = cj_array(), *page = NULL;
	const cJSON *a, *num;
	size_t i, j, k;
	char *filter;
	int rc = CORE_OK;

	for (i = 0; i < n; i = j) {
		buf_reset(&f);
		for (j = i, k = 0; j < n && k < TARGETS_PER_READ; j++) {
			if (!us[j].release)
				continue;
			if (buf_addf(&f, "%sassignmentTargetId eq '%s'", k++ ? " or " : "", us[j].id))
				BUG("out of memory");
		}
		if (k == 0)
			continue;
		filter = buf_detach(&f, NULL);
		rc = tenant_numbers(&page, ctx, filter);
		free(filter);
		if (rc)
			goto out;
		cJSON_ArrayForEach(a, page)
			cJSON_AddItemToArray(assigned, cJSON_Duplicate(a, 1));
		cJSON_Delete(page);
		page = NULL;
	}
	for (i = 0; i < n; i++) {
		if (!us[i].release)
			continue;
		cJSON_ArrayForEach(num, us[i].st.numbers) {
			const char *type = NULL;

			cJSON_ArrayForEach(a, assigned) {
				const char *t = cj_str(a, "telephoneNumber");

				if (t && e164_equal(t, num->valuestring))
					type = cj_str(a, "numberType");
			}
			if (!type) {
				cj_push_fmt(&us[i].errors, "number '%s' is not in the tenant's inventory",
				    num->valuestring);
				(*failed)++;
				continue;
			}
			if (tenant_number_unassign(ctx, num->valuestring, type, timeout)) {
				cj_push_fmt(&us[i].errors, "releasing '%s': %s", num->valuestring,
				    ctx->msg ? ctx->msg : "failed");
				core_error_clear(ctx);
				(*failed)++;
				/* Enterprise voice and grants wait for the next run. */
				us[i].ev_write = false;
				memset(us[i].op, 0, sizeof(us[i].op));
			}
		}
	}
out:
	buf_release(&f);
	cJSON_Delete(page);
	cJSON_Delete(assigned);
	return rc;
}

static int
count_writes(const struct user *us, size_t n)
{
	size_t i;
	int k, w = 0;

	for (i = 0; i < n; i++) {
		if (us[i].release)
			w += cJSON_GetArraySize(us[i].st.numbers);
		w += us[i].ev_write;
		for (k = 0; k < NPOL; k++)
			w += us[i].op[k] != G_NONE;
	}
	return w;
}

/*
 * The grants of every user, together: through Graph's policy assignment,
 * grant_batch_size users per call, or one PATCH per user and type where
 * Graph cannot take them (policyassign.h).
 */
static int
send_grants(struct core_ctx *ctx, struct user *us, size_t n, const struct want *w,
    int *failed)
{
	size_t i, m = 0, total = 0;
	struct pa_item *items;
	struct user **who;
	int *what, k, rc;

	for (i = 0; i < n; i++)
		for (k = 0; k < NPOL; k++)
			total += us[i].op[k] != G_NONE;
	items = xcalloc(total ? total : 1, sizeof(*items));
	who = xcalloc(total ? total : 1, sizeof(*who));
	what = xcalloc(total ? total : 1, sizeof(*what));
	for (i = 0; i < n; i++) {
		for (k = 0; k < NPOL; k++) {
			if (us[i].op[k] == G_NONE || us[i].errors)
				continue;
			items[m].user_id = us[i].id;
			items[m].type = pols[k].type;
			items[m].name = us[i].op[k] == G_GRANT ? w->policy[k] : "";
			who[m] = &us[i];
			what[m++] = k;
		}
	}
	rc = pa_apply(ctx, items, m, w->grant_batch);
	for (i = 0; !rc && i < m; i++) {
		if (items[i].rc == CORE_OK) {
			who[i]->pending = true;
			continue;
		}
		cj_push_fmt(&who[i]->errors, "%s: %s", pols[what[i]].type,
		    items[i].error ? items[i].error : "failed");
		(*failed)++;
	}
	pa_items_release(items, m);
	free(items);
	free(who);
	free(what);
	return rc;
}

/* What happened to u's enterprise voice write (req, answered resp and rc). */
static void
voice_outcome(struct core_ctx *ctx, struct user *u, const struct svc_req *req,
    const struct svc_resp *resp, int rc, int *failed)
{
	char *t, *why;

	if (rc == CORE_OK) {
		u->pending = true;
		return;
	}
	t = resp->status ? graph_error_text(ctx, resp->status, resp->json) :
	    xstrdup("no answer");
	/* The enterprise voice route is inferred (routes.h): say so on 404/405. */
	why = route_unverified(RT_ENTERPRISE_VOICE, req->path, resp->status, t);
	if (why) {
		free(t);
		t = why;
	}
	cj_push_fmt(&u->errors, "enterprise voice: %s", t);
	free(t);
	(*failed)++;
}

/*
 * The enterprise voice writes of every user, at most max_concurrency in
 * flight, VOICE_WINDOW requests at a time so that requests and answers
 * are not all held at once. Writes refused because the user is not
 * provisioned yet are kept and sent again together at the end.
 */
static int
send_voice(struct core_ctx *ctx, struct user *us, size_t n, int *failed)
{
	size_t i, s, k, m = 0, nl = 0;
	struct svc_req reqs[VOICE_WINDOW], *lreqs;
	struct svc_resp resps[VOICE_WINDOW], *lresps;
	struct user **who, **lwho;
	int rcs[VOICE_WINDOW], *lrcs, rc = CORE_OK;

	for (i = 0; i < n; i++)
		m += us[i].ev_write;
	if (m == 0)
		return CORE_OK;
	who = xcalloc(m, sizeof(*who));
	lwho = xcalloc(m, sizeof(*lwho));
	lreqs = xcalloc(m, sizeof(*lreqs));
	lresps = xcalloc(m, sizeof(*lresps));
	lrcs = xcalloc(m, sizeof(*lrcs));
	for (i = 0, k = 0; i < n; i++)
		if (us[i].ev_write)
			who[k++] = &us[i];
	for (s = 0; s < m && !rc; s += k) {
		k = m - s < VOICE_WINDOW ? m - s : VOICE_WINDOW;
		memset(reqs, 0, sizeof(reqs));
		memset(resps, 0, sizeof(resps));
		for (i = 0; i < k; i++)
			ta_enterprise_voice_req(&reqs[i], who[s + i]->id, who[s + i]->ev_to);
		rc = svc_call_many(resps, rcs, ctx, reqs, k);
		for (i = 0; i < k; i++) {
			if (!rc && rcs[i] == CORE_ESERVICE && resps[i].raw.data &&
			    tenant_not_yet_provisioned(resps[i].raw.data)) {
				lwho[nl] = who[s + i];
				lreqs[nl] = reqs[i];
				lresps[nl] = resps[i];
				lrcs[nl++] = rcs[i];
				continue;
			}
			voice_outcome(ctx, who[s + i], &reqs[i], &resps[i], rcs[i], failed);
			svc_resp_release(&resps[i]);
			ta_req_release(&reqs[i]);
		}
	}
	if (!rc && nl)
		rc = tenant_resend_not_provisioned(ctx, lreqs, lresps, lrcs, nl);
	for (i = 0; i < nl; i++) {
		voice_outcome(ctx, lwho[i], &lreqs[i], &lresps[i], lrcs[i], failed);
		svc_resp_release(&lresps[i]);
		ta_req_release(&lreqs[i]);
	}
	free(who);
	free(lwho);
	free(lreqs);
	free(lresps);
	free(lrcs);
	return rc;
}

/*
 * Enterprise voice first, then the grants: the service warns about a Shared
 * Calling grant to a user whose enterprise voice is still off. A user whose
 * enterprise voice write failed gets no grants this run.
 */
static int
send_writes(struct core_ctx *ctx, struct user *us, size_t n, const struct want *w,
    int *failed)
{
	int rc = send_voice(ctx, us, n, failed);

	return rc ? rc : send_grants(ctx, us, n, w, failed);
}

/* True when st shows every write of u in effect. */
static bool
in_effect(const struct user *u, const struct want *w, const struct vstate *st)
{
	const char *kind, *cur;
	int k;

	if (!st->present)
		return false;
	if (u->ev_write && st->ev != u->ev_to)
		return false;
	for (k = 0; k < NPOL; k++) {
		if (u->op[k] == G_NONE)
			continue;
		cur = st->cur[k];
		kind = st->kind[k];
		if (u->op[k] == G_GRANT && strcasecmp(cur, w->policy[k]) != 0)
			return false;
		if (u->op[k] == G_REMOVE && is_direct(kind))
			return false;
	}
	return true;
}

/* wait: reads the users written to until their writes show, or timeout. */
static int
wait_effective(struct core_ctx *ctx, struct user *us, size_t n, const struct want *w)
{
	time_t deadline = time(NULL) + w->wait_timeout;
	long delay = 2000, left;
	size_t i, m;
	char **ids = xcalloc(n, sizeof(*ids));
	struct user **who = xcalloc(n, sizeof(*who));
	struct vstate *states = xcalloc(n, sizeof(*states));
	struct vstate **into = xcalloc(n, sizeof(*into));
	cJSON *late = NULL;
	char *text;
	int rc = CORE_OK;

	for (;;) {
		for (i = 0, m = 0; i < n; i++)
			if (us[i].pending) {
				who[m] = &us[i];
				ids[m++] = us[i].id;
			}
		if (m == 0)
			break;
		for (i = 0; i < m; i++)
			into[i] = &states[i];
		rc = read_configs(into, ctx, ids, m);
		if (rc)
			break;
		for (i = 0; i < m; i++) {
			if (in_effect(who[i], w, &states[i]))
				who[i]->pending = false;
			vstate_release(&states[i]);
		}
		for (i = 0, m = 0; i < n; i++)
			m += us[i].pending;
		left = deadline - time(NULL);
		if (m == 0 || left <= 0)
			break;
		http_wait_ms(delay < left * 1000 ? delay : left * 1000);
		delay = delay * 2 > 10000 ? 10000 : delay * 2;
	}
	if (rc)
		goto out;
	late = cj_array();
	for (i = 0; i < n; i++)
		if (us[i].pending)
			cj_push_str(late, user_name(&us[i]));
	if (cJSON_GetArraySize(late) > 0) {
		text = names_text(late);
		rc = core_error(ctx, CORE_ETIMEOUT, "the changes of %d users are not in effect "
		    "after %d s: %s; Teams applies grants asynchronously (usually within a "
		    "minute): run the task again or raise wait_timeout",
		    cJSON_GetArraySize(late), w->wait_timeout, text);
		free(text);
	}
out:
	cJSON_Delete(late);
	free(into);
	free(states);
	free(who);
	free(ids);
	return rc;
}

/* ---- users ---- */

/* Refuses with what is listed in names, when anything is. */
static int
refuse_list(struct core_ctx *ctx, const cJSON *names, const char *what, const char *fix,
    bool quote)
{
	char *text;
	int rc;

	if (cJSON_GetArraySize(names) == 0)
		return CORE_OK;
	text = names_list(names, quote);
	rc = core_error(ctx, CORE_EREFUSED, "%s: %s; %s", what, text, fix);
	free(text);
	return rc;
}

/* Drops users named twice (by UPN and by id): the first one stays. */
static size_t
dedupe(struct user *us, size_t n)
{
	struct uindex *seen = uindex_new(n);
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (us[i].id && *us[i].id && !uindex_put(seen, us[i].id, k)) {
			user_release(&us[i]);
			continue;
		}
		if (k != i)
			us[k] = us[i];
		k++;
	}
	uindex_free(seen);
	return k;
}

/* Every user exists, holds Teams Phone, and has a Teams configuration. */
static int
check_users(struct core_ctx *ctx, struct user *us, size_t n)
{
	cJSON *skus = NULL, *missing = cj_array(), *unlicensed = cj_array();
	cJSON *unconfigured = cj_array();
	struct vstate **states = NULL;
	char **ids = NULL;
	size_t i, m;
	int rc;

	for (i = 0; i < n; i++)
		if (!us[i].id)
			cj_push_str(missing, us[i].given);
	rc = refuse_list(ctx, missing, "users not found", "check the UPNs and object ids", true);
	if (rc)
		goto out;
	rc = tenant_skus(&skus, ctx);
	if (rc)
		goto out;
	for (i = 0; i < n; i++) {
		if (!tenant_user_has_plan(us[i].licences, skus, TENANT_PLAN_TEAMS_PHONE))
			cj_push_str(unlicensed, user_name(&us[i]));
	}
	rc = refuse_list(ctx, unlicensed, "users without a Teams Phone licence",
	    "assign them Teams Phone (MCOEV, or a suite that includes it) first", true);
	if (rc)
		goto out;
	ids = xcalloc(n ? n : 1, sizeof(*ids));
	states = xcalloc(n ? n : 1, sizeof(*states));
	/* Only the users a snapshot did not give. */
	for (i = 0, m = 0; i < n; i++)
		if (!us[i].st.present) {
			states[m] = &us[i].st;
			ids[m++] = us[i].id;
		}
	rc = read_configs(states, ctx, ids, m);
	if (rc)
		goto out;
	for (i = 0; i < n; i++)
		if (!us[i].st.present)
			cj_push_str(unconfigured, user_name(&us[i]));
	rc = refuse_list(ctx, unconfigured, "no Teams user configuration for",
	    "resource accounts and accounts not yet set up for Teams have none: give users "
	    "(a new licence can take a while to reach Teams)", true);
out:
	free(states);
	free(ids);
	cJSON_Delete(unconfigured);
	cJSON_Delete(unlicensed);
	cJSON_Delete(missing);
	cJSON_Delete(skus);
	return rc;
}

/* personal_number: fail refuses users that have one (docs/design/rules.md#sc-10). */
static int
check_personal_numbers(struct core_ctx *ctx, const struct user *us, size_t n,
    const struct want *w)
{
	cJSON *who = cj_array();
	const cJSON *nums;
	size_t i;
	int rc;

	if (w->pn != PN_FAIL) {
		cJSON_Delete(who);
		return CORE_OK;
	}
	for (i = 0; i < n; i++) {
		char *list, *s;

		nums = us[i].st.numbers;
		if (cJSON_GetArraySize(nums) > 0) {
			list = names_list(nums, false);
			s = xasprintf("'%s' (%s)", user_name(&us[i]), list);
			cj_push_str(who, s);
			free(s);
			free(list);
		}
	}
	rc = refuse_list(ctx, who, "users with a personal number, which takes precedence "
	    "over Shared Calling", "remove their numbers (personal_number: remove) or leave "
	    "these users out", false);
	cJSON_Delete(who);
	return rc;
}

static int
run_users(struct core_ctx *ctx, const cJSON *params, struct want *w, struct result *res)
{
	struct user *us = NULL;
	size_t n = 0, i;
	int rc, writes, warnings, failed = 0;
	bool handed = false;          /* us is the result's (put_results()) */

	rc = read_users(&us, &n, ctx, params);
	if (rc)
		goto out;
	rc = check_policies(w, ctx);
	if (rc)
		goto out;
	if (ctx->check_mode && arg_str(params, "snapshot")) {
		rc = resolve_snapshot(us, n, ctx, arg_str(params, "snapshot"));
		if (rc)
			goto out;
	}
	rc = resolve_users(us, n, ctx);
	if (rc)
		goto out;
	n = dedupe(us, n);
	rc = check_users(ctx, us, n);
	if (rc)
		goto out;
	rc = check_personal_numbers(ctx, us, n, w);
	if (rc)
		goto out;
	for (i = 0; i < n; i++) {
		plan_user(&us[i], w);
		if (user_changed(&us[i])) {
			res->changed = true;
			add_user_diff(res, ctx, &us[i]);
		}
	}
	writes = count_writes(us, n);
	warnings = raise_warnings(ctx, us, n);
	if (ctx->check_mode || writes == 0) {
		put_results(res, ctx, us, n, writes, warnings);
		handed = true;
		goto out;
	}
	rc = release_numbers(ctx, us, n, w->wait_timeout, &failed);
	if (!rc)
		rc = send_writes(ctx, us, n, w, &failed);
	if (!rc && !failed && w->wait)
		rc = wait_effective(ctx, us, n, w);
	put_results(res, ctx, us, n, writes, warnings);
	handed = true;
	/* Changed only if some write went through. */
	res->changed = writes > failed;
	if (!rc && failed) {
		cJSON *first = cj_array();
		char *text;

		for (i = 0; i < n; i++)
			if (us[i].errors) {
				char *s = xasprintf("'%s' (%s)", user_name(&us[i]),
				    cJSON_GetArrayItem(us[i].errors, 0)->valuestring);

				cj_push_str(first, s);
				free(s);
			}
		text = names_list(first, false);
		rc = core_error_replace(ctx, CORE_ESERVICE, "%d of %d writes failed: %s; see "
		    "each user's errors in results", failed, writes, text);
		free(text);
		cJSON_Delete(first);
	}
out:
	if (!handed) {
		for (i = 0; i < n; i++)
			user_release(&us[i]);
		free(us);
	}
	return rc;
}

/* ---- group ---- */

static cJSON *
grant_view(const cJSON *g)
{
	cJSON *v;

	if (!g)
		return cJSON_CreateNull();
	v = cj_object();
	cj_set_str(v, "PolicyName", cj_str(g, "PolicyName"));
	cJSON_AddItemToObject(v, "Rank", cJSON_Duplicate(cJSON_GetObjectItem(g, "Rank"), 1));
	return v;
}

/*
 * Warnings (and the personal_number: fail refusal) about the group's direct
 * members, as if the group's policies applied to each: a direct grant still
 * beats them.
 */
static int
check_members(struct core_ctx *ctx, const char *group, const struct want *w,
    struct result *res)
{
	cJSON *members = NULL, *results = cj_array(), *numbered = cj_array();
	struct vstate **states = NULL;
	struct user *us = NULL;
	const cJSON *m;
	size_t n = 0, i, k = 0;
	char **ids = NULL;
	int rc, warnings;

	rc = tenant_group_members(&members, ctx, group);
	if (rc)
		goto out;
	n = (size_t)cJSON_GetArraySize(members);
	us = xcalloc(n ? n : 1, sizeof(*us));
	ids = xcalloc(n ? n : 1, sizeof(*ids));
	states = xcalloc(n ? n : 1, sizeof(*states));
	cJSON_ArrayForEach(m, members) {
		if (!cj_str(m, "id"))
			continue;
		us[k].given = cj_str(m, "userPrincipalName") ? cj_str(m, "userPrincipalName") :
		    cj_str(m, "id");
		us[k].id = xstrdup(cj_str(m, "id"));
		if (cj_str(m, "userPrincipalName"))
			us[k].upn = xstrdup(cj_str(m, "userPrincipalName"));
		ids[k] = us[k].id;
		states[k] = &us[k].st;
		k++;
	}
	n = k;
	rc = read_configs(states, ctx, ids, n);
	if (rc)
		goto out;
	for (i = 0; i < n; i++) {
		const char *kind, *sc, *vrp;

		if (!us[i].st.present)
			continue;    /* not a Teams user: the grant does not reach it */
		sc = us[i].st.cur[P_SC];
		kind = us[i].st.kind[P_SC];
		if (w->policy[P_SC] && *w->policy[P_SC] && !is_direct(kind))
			sc = w->policy[P_SC];
		else if (w->policy[P_SC] && *w->policy[P_SC] && strcasecmp(sc, w->policy[P_SC]))
			cj_push_fmt(&us[i].warnings, "'%s' has a direct grant of %s '%s', which beats the "
			    "group's '%s'; remove the direct grant (teams_user_voice users: "
			    "['%s'], shared_calling_policy: \"\") for the group's to apply",
			    user_name(&us[i]), TA_SHARED_CALLING, sc, w->policy[P_SC],
			    user_name(&us[i]));
		vrp = us[i].st.cur[P_VRP];
		kind = us[i].st.kind[P_VRP];
		if (w->policy[P_VRP] && *w->policy[P_VRP] && !is_direct(kind))
			vrp = w->policy[P_VRP];
		if (w->pn == PN_FAIL && cJSON_GetArraySize(us[i].st.numbers) > 0) {
			char *list = names_list(us[i].st.numbers, false);
			char *s = xasprintf("'%s' (%s)", user_name(&us[i]), list);

			cj_push_str(numbered, s);
			free(s);
			free(list);
		}
		shared_calling_warnings(&us[i], w, sc, vrp, us[i].st.ev);
		if (cJSON_GetArraySize(us[i].warnings) > 0)
			cJSON_AddItemToArray(results, user_result(&us[i]));
	}
	rc = refuse_list(ctx, numbered, "group members with a personal number, which takes "
	    "precedence over Shared Calling", "remove their numbers (teams_user_voice with "
	    "users and personal_number: remove) or take them out of the group", false);
	if (rc)
		goto out;
	warnings = raise_warnings(ctx, us, n);
	result_put(res, "results", results);
	results = NULL;
	{
		cJSON *totals = cj_object();

		cJSON_AddNumberToObject(totals, "members", (double)n);
		cJSON_AddNumberToObject(totals, "warnings", warnings);
		result_put(res, "totals", totals);
	}
out:
	for (i = 0; us && i < n; i++)
		user_release(&us[i]);
	free(states);
	free(ids);
	free(us);
	cJSON_Delete(numbered);
	cJSON_Delete(results);
	cJSON_Delete(members);
	return rc;
}

static int
run_group(struct core_ctx *ctx, const cJSON *params, struct want *w, struct result *res)
{
	const char *group = arg_str(params, "group");
	int rank = (int)arg_int(params, "rank");
	cJSON *grants[NPOL] = { NULL }, *g = NULL, *before = cj_object();
	cJSON *after = cj_object(), *out = NULL;
	enum grant_op op[NPOL] = { G_NONE };
	bool changed = false;
	int i, rc;

	if (!group || !*group) {
		rc = core_error(ctx, CORE_EARGS, "group must not be empty; give the group's "
		    "object id");
		goto out;
	}
	if (w->wait)
		core_warn(ctx, "wait is ignored for a group: a group's policies reach its "
		    "members over hours, not seconds");
	rc = check_policies(w, ctx);
	if (rc)
		goto out;
	rc = tenant_group_get(&g, ctx, group);
	if (rc == CORE_ENOTFOUND)
		rc = core_error(ctx, CORE_EREFUSED, "group '%s' not found; give the object id "
		    "of an Entra group", group);
	if (rc)
		goto out;
	for (i = 0; i < NPOL; i++) {
		const cJSON *cur;
		const char *want = w->policy[i];

		if (!want)
			continue;
		rc = ta_group_grants(&grants[i], ctx, pols[i].type);
		if (rc)
			goto out;
		cur = cj_find(grants[i], "GroupId", group);
		if (!*want || strcasecmp(want, "Global") == 0) {
			if (cur)
				op[i] = G_REMOVE;
		} else if (!cur || !cj_str(cur, "PolicyName") ||
		    !same_name(cj_str(cur, "PolicyName"), want) ||
		    !cJSON_IsNumber(cJSON_GetObjectItem(cur, "Rank")) ||
		    (int)cJSON_GetObjectItem(cur, "Rank")->valuedouble != rank) {
			op[i] = G_GRANT;
		}
		if (op[i] == G_NONE)
			continue;
		cJSON_AddItemToObject(before, pols[i].type, grant_view(cur));
		if (op[i] == G_GRANT) {
			cJSON *v = cj_object();

			cJSON_AddStringToObject(v, "PolicyName", want);
			cJSON_AddNumberToObject(v, "Rank", rank);
			cJSON_AddItemToObject(after, pols[i].type, v);
		} else {
			cJSON_AddItemToObject(after, pols[i].type, cJSON_CreateNull());
		}
		changed = true;
	}
	rc = check_members(ctx, group, w, res);
	if (rc)
		goto out;
	res->changed = changed;
	if (changed) {
		char *bh = xasprintf("group %s (current)", group);
		char *ah = xasprintf("group %s (desired)", group);

		result_add_diff(res, ctx, before, after, bh, ah);
		before = after = NULL;
		free(bh);
		free(ah);
	}
	if (!ctx->check_mode) {
		for (i = 0; i < NPOL; i++) {
			if (op[i] == G_GRANT)
				rc = ta_grant_group(ctx, group, pols[i].type, w->policy[i], rank,
				    cj_find(grants[i], "GroupId", group) != NULL);
			else if (op[i] == G_REMOVE)
				rc = ta_ungrant_group(ctx, group, pols[i].type);
			if (rc)
				goto out;
			if (op[i] == G_NONE)
				continue;
			cJSON_Delete(grants[i]);
			grants[i] = NULL;
			rc = ta_group_grants(&grants[i], ctx, pols[i].type);
			if (rc)
				goto out;
		}
	}
	out = cj_array();
	for (i = 0; i < NPOL; i++) {
		const cJSON *cur = cj_find(grants[i], "GroupId", group);

		if (cur && !(ctx->check_mode && op[i] != G_NONE))
			cJSON_AddItemToArray(out, cJSON_Duplicate(cur, 1));
		else if (ctx->check_mode && op[i] == G_GRANT) {
			cJSON *v = cj_object();

			cJSON_AddStringToObject(v, "GroupId", group);
			cJSON_AddStringToObject(v, "PolicyType", pols[i].type);
			cJSON_AddStringToObject(v, "PolicyName", w->policy[i]);
			cJSON_AddNumberToObject(v, "Rank", rank);
			cJSON_AddItemToArray(out, v);
		}
	}
	result_put(res, "group_assignments", out);
	out = NULL;
out:
	for (i = 0; i < NPOL; i++)
		cJSON_Delete(grants[i]);
	cJSON_Delete(out);
	cJSON_Delete(g);
	cJSON_Delete(before);
	cJSON_Delete(after);
	return rc;
}

static int
run(struct core_ctx *ctx, const cJSON *params, struct result *res)
{
	struct want w = { 0 };
	bool group = arg_isset(params, "group");
	int rc;

	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = read_want(&w, ctx, params, group);
	if (!rc)
		rc = group ? run_group(ctx, params, &w, res) : run_users(ctx, params, &w, res);
	cJSON_Delete(w.vrps);
	/* Interned strings stay while the result still prints users from them. */
	if (!res->stream_release) {
		intern_free(&names_pool);
		intern_free(&licence_pool);
	}
	return rc;
}

const struct module MODULE = {
	.name = "teams_user_voice",
	.args = args,
	.rules = &rules,
	.check_mode = true,
	.reads_snapshot = true,
	.run = run,
};
