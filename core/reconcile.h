/*
 * reconcile.h - want / have / changes / after, the one comparison engine of
 * every module. Planning does no I/O, so it is tested directly.
 *
 * want holds only what the task asks for, under the service's own field
 * names; a JSON null in want means "not set" and takes no part. have is the
 * object as read from the service, or NULL when it does not exist.
 *
 *   - scalars: equal when JSON-equal; fields listed in casefold compare
 *     strings case-insensitively (ids, UPNs, policy names);
 *   - objects: compared key by key, recursively, on want's keys only;
 *   - arrays: replaced by want's array (order matters) unless the field is
 *     listed in unordered (compared as sets) or in additive (purge off: the
 *     result is have's items plus want's missing ones, in that order);
 *   - fields listed in ignore (server-managed: ids, timestamps, etags) never
 *     take part and never appear in before/after.
 *
 * A plan owns its three objects; reconcile_plan_release() frees them.
 */
#ifndef DIALTONE_RECONCILE_H
#define DIALTONE_RECONCILE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

struct reconcile_opts {
	const char *const *ignore;     /* NULL-terminated field names, or NULL */
	const char *const *casefold;   /* NULL-terminated, or NULL */
	const char *const *unordered;  /* NULL-terminated, or NULL */
	const char *const *additive;   /* NULL-terminated, or NULL */
};

struct plan {
	bool changed;
	bool create;        /* have was NULL */
	cJSON *changes;     /* want's fields that differ from have, as they must be sent */
	cJSON *before;      /* have without ignored fields; {} when creating */
	cJSON *after;       /* before with changes applied */
};

/*
 * Compares want with have.
 * @param[out] p  the plan; release with reconcile_plan_release()
 * @return CORE_OK (planning cannot fail except for memory, which aborts)
 */
int reconcile_plan(struct plan *p, const cJSON *want, const cJSON *have,
    const struct reconcile_opts *o);
void reconcile_plan_release(struct plan *p);

/*
 * True when a and b are equal under the rules above for field name (which
 * selects casefold/unordered handling; may be NULL).
 */
bool reconcile_equal(const cJSON *a, const cJSON *b, const char *name,
    const struct reconcile_opts *o);

/* True when name is in the NULL-terminated list (case-insensitive). */
bool reconcile_listed(const char *const *list, const char *name);

/*
 * A copy of obj without the fields in ignore (recursively for nested
 * objects). The caller owns the result; NULL gives an empty object.
 */
cJSON *reconcile_strip(const cJSON *obj, const struct reconcile_opts *o);

#endif
