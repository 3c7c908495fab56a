/*
 * cj.h - the small cJSON helpers every module and core unit needs: builders
 * that never return NULL, a setter that replaces, typed getters, look-ups
 * in arrays, and a joiner for messages.
 *
 * Ownership, once for the whole unit: a cJSON * parameter named item is
 * consumed (it becomes part of its target; an allocation failure inside
 * cJSON is fatal, BUG()); every other pointer parameter is borrowed. A
 * function returning cJSON * from cj_object(), cj_array() or cj_dup() hands
 * a new value to the caller; the getters (cj_str(), cj_find()) return
 * pointers into their argument, valid while it lives. cj_join() returns a
 * string the caller frees.
 *
 * Keys and compared values are matched case-insensitively, as the services
 * treat them, unless a name says otherwise.
 *
 * A bottom-layer primitive: it uses only core.h and buf.h
 * (docs/design/layers.md).
 */
#ifndef DIALTONE_CJ_H
#define DIALTONE_CJ_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/* New empty object / array. */
cJSON *cj_object(void);
cJSON *cj_array(void);
/* A deep copy of x (NULL gives JSON null). */
cJSON *cj_dup(const cJSON *x);

/*
 * Sets obj[key] to item. A key of any case already there keeps its
 * spelling and gets the new value; otherwise key is added.
 */
void cj_set(cJSON *obj, const char *key, cJSON *item);
/* cj_set() of a string; s NULL sets JSON null. */
void cj_set_str(cJSON *obj, const char *key, const char *s);
/* Appends item to arr. */
void cj_push(cJSON *arr, cJSON *item);
/* Appends a string (s NULL appends JSON null). */
void cj_push_str(cJSON *arr, const char *s);
/* Appends a formatted string to *arr, which is created when NULL. */
void cj_push_fmt(cJSON **arr, const char *fmt, ...) PRINTF(2, 3);

/* obj[key] when it is a string, else NULL. */
const char *cj_str(const cJSON *obj, const char *key);
/* Whether arr holds the string s. */
bool cj_has_str(const cJSON *arr, const char *s);
/* The first object of arr whose key holds the string value, or NULL. */
const cJSON *cj_find(const cJSON *arr, const char *key, const char *value);

/*
 * The strings of arr (or, with key, each object's string under key) joined
 * by sep, each in single quotes when quote is set: "'a', 'b'". Items that
 * are not strings are left out. The caller frees the result.
 */
char *cj_join(const cJSON *arr, const char *key, const char *sep, bool quote);

#endif
