/*
 * reconcile.c - the comparison engine behind every module (see reconcile.h).
 */
#include "reconcile.h"

#include <string.h>
#include <strings.h>

#include "cj.h"

/*
 * Sets obj[key] to item (consumed) by removing what has exactly that key and
 * adding item at the end: unlike cj_set(), a key differing in case is kept
 * apart, and a changed field moves last.
 */
static void
put(cJSON *obj, const char *key, cJSON *item)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	if (!cJSON_AddItemToObject(obj, key, item))
		BUG("out of memory");
}

bool
reconcile_listed(const char *const *list, const char *name)
{
	if (!list || !name)
		return false;
	for (; *list; list++)
		if (strcasecmp(*list, name) == 0)
			return true;
	return false;
}

static bool equal_value(const cJSON *a, const cJSON *b, bool casefold,
    const struct reconcile_opts *o);

static bool
array_contains(const cJSON *arr, const cJSON *item, bool casefold,
    const struct reconcile_opts *o)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, arr)
		if (equal_value(x, item, casefold, o))
			return true;
	return false;
}

static bool
equal_sets(const cJSON *a, const cJSON *b, bool casefold,
    const struct reconcile_opts *o)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, a)
		if (!array_contains(b, x, casefold, o))
			return false;
	cJSON_ArrayForEach(x, b)
		if (!array_contains(a, x, casefold, o))
			return false;
	return true;
}

/* Full equality of two values; objects compare on all keys of both. */
static bool
equal_value(const cJSON *a, const cJSON *b, bool casefold,
    const struct reconcile_opts *o)
{
	const cJSON *x, *y;

	if (!a || !b)
		return a == b;
	if (cJSON_IsString(a) && cJSON_IsString(b)) {
		return casefold ? strcasecmp(a->valuestring, b->valuestring) == 0
				: strcmp(a->valuestring, b->valuestring) == 0;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
			if (!equal_value(x, y, casefold, o))
				return false;
		return true;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		cJSON_ArrayForEach(x, a) {
			if (reconcile_listed(o ? o->ignore : NULL, x->string))
				continue;
			if (!reconcile_equal(x, cJSON_GetObjectItem(b, x->string),
			    x->string, o))
				return false;
		}
		cJSON_ArrayForEach(y, b) {
			if (reconcile_listed(o ? o->ignore : NULL, y->string))
				continue;
			if (!cJSON_GetObjectItem(a, y->string) && !cJSON_IsNull(y))
				return false;
		}
		return true;
	}
	if (cJSON_IsNull(a) || cJSON_IsNull(b))
		return cJSON_IsNull(a) && cJSON_IsNull(b);
	return cJSON_Compare(a, b, 1);
}

bool
reconcile_equal(const cJSON *a, const cJSON *b, const char *name,
    const struct reconcile_opts *o)
{
	bool casefold = o && reconcile_listed(o->casefold, name);

	/* A missing field reads as null: "not set" equals "absent". */
	if (!a || !b) {
		const cJSON *v = a ? a : b;

		return !v || cJSON_IsNull(v);
	}
	if (o && cJSON_IsArray(a) && cJSON_IsArray(b) &&
	    (reconcile_listed(o->unordered, name) ||
	    reconcile_listed(o->additive, name)))
		return equal_sets(a, b, casefold, o);
	return equal_value(a, b, casefold, o);
}

cJSON *
reconcile_strip(const cJSON *obj, const struct reconcile_opts *o)
{
	cJSON *out = cj_object();
	const cJSON *x;

	if (!obj || !cJSON_IsObject(obj))
		return out;
	cJSON_ArrayForEach(x, obj) {
		if (reconcile_listed(o ? o->ignore : NULL, x->string))
			continue;
		if (cJSON_IsObject(x))
			put(out, x->string, reconcile_strip(x, o));
		else
			put(out, x->string, cj_dup(x));
	}
	return out;
}

/* have's items, then want's items that have lacks. */
static cJSON *
array_union(const cJSON *have, const cJSON *want, bool casefold,
    const struct reconcile_opts *o)
{
	cJSON *out = cJSON_IsArray(have) ? cj_dup(have) : cj_array();
	const cJSON *x;

	cJSON_ArrayForEach(x, want)
		if (!array_contains(out, x, casefold, o))
			cJSON_AddItemToArray(out, cj_dup(x));
	return out;
}

/*
 * Fills changes with want's fields that differ from have; for nested
 * objects, changes holds the nested differences only.
 */
static bool
plan_object(cJSON *changes, const cJSON *want, const cJSON *have,
    const struct reconcile_opts *o)
{
	const cJSON *w, *h;
	bool changed = false;

	cJSON_ArrayForEach(w, want) {
		const char *k = w->string;
		bool casefold = o && reconcile_listed(o->casefold, k);

		if (cJSON_IsNull(w) || (o && reconcile_listed(o->ignore, k)))
			continue;
		h = have ? cJSON_GetObjectItem(have, k) : NULL;
		if (cJSON_IsObject(w) && cJSON_IsObject(h)) {
			cJSON *sub = cj_object();

			if (plan_object(sub, w, h, o)) {
				put(changes, k, sub);
				changed = true;
			} else {
				cJSON_Delete(sub);
			}
			continue;
		}
		if (cJSON_IsArray(w) && o && reconcile_listed(o->additive, k)) {
			cJSON *u = array_union(h, w, casefold, o);

			if (!reconcile_equal(u, h, k, o) || !cJSON_IsArray(h)) {
				put(changes, k, u);
				changed = true;
			} else {
				cJSON_Delete(u);
			}
			continue;
		}
		if (!reconcile_equal(w, h, k, o)) {
			put(changes, k, cj_dup(w));
			changed = true;
		}
	}
	return changed;
}

/* Applies changes onto target (recursively for nested objects). */
static void
apply_changes(cJSON *target, const cJSON *changes)
{
	const cJSON *c;
	cJSON *t;

	cJSON_ArrayForEach(c, changes) {
		t = cJSON_GetObjectItemCaseSensitive(target, c->string);
		if (cJSON_IsObject(c) && cJSON_IsObject(t))
			apply_changes(t, c);
		else
			put(target, c->string, cj_dup(c));
	}
}

int
reconcile_plan(struct plan *p, const cJSON *want, const cJSON *have,
    const struct reconcile_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->create = have == NULL;
	p->changes = cj_object();
	p->before = have ? reconcile_strip(have, o) : cj_object();
	p->changed = plan_object(p->changes, want, have, o) || p->create;
	p->after = cj_dup(p->before);
	apply_changes(p->after, p->changes);
	return CORE_OK;
}

void
reconcile_plan_release(struct plan *p)
{
	cJSON_Delete(p->changes);
	cJSON_Delete(p->before);
	cJSON_Delete(p->after);
	memset(p, 0, sizeof(*p));
}
