/*
 * args_internal.h - what the three parts of the argument validator share.
 * Private to them (and to nothing else):
 *   args.c      the entry points (args_load, args_validate, args_invocation,
 *               the accessors) and the steps of
 *               ArgumentSpecValidator.validate() that walk the table:
 *               fallbacks, aliases, no_log, unsupported keys, defaults,
 *               sub-options;
 *   argcoerce.c the type coercions (validation.py check_type_*) and the
 *               type step;
 *   argcheck.c  the checks of values and rules: required, choices,
 *               mutually exclusive, required together/one of/if/by, and the
 *               text, length and range declarations.
 * Results are owned by the caller unless said otherwise; every function
 * dies with BUG() when memory runs out.
 */
#ifndef DIALTONE_ARGS_INTERNAL_H
#define DIALTONE_ARGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "args.h"
#include "core.h"

/* Sub-options nest at most this deep. */
#define ARGS_MAX_DEPTH 16

/* An unknown key, and the table it was checked against. */
struct unsupported {
	char *name;                     /* "bogus", or "site.bad" in a sub-option */
	const struct arg_spec *spec;
};

/* State of one args_validate() run. */
struct vstate {
	struct core_ctx *ctx;
	char *err;                      /* first error message, owned */
	struct unsupported *unsup;
	size_t nunsup;
	cJSON *top_warnings;            /* alias warnings of the top level */
	const char *context[ARGS_MAX_DEPTH];  /* options_context: "site", "a", "b" */
	size_t depth;
};

/* "a|b|c" split into owned strings. */
struct names {
	char **v;
	size_t n;
};

/* Python's convert_bool.BOOLEANS, split by value; NULL-terminated. */
extern const char *const args_booleans_true[];
extern const char *const args_booleans_false[];

/* ---- helpers (args.c) ---- */

/* Splits list ("a|b|c", or NULL: no names) into nm; args_names_release() frees it. */
void args_names_split(struct names *nm, const char *list);
void args_names_release(struct names *nm);
bool args_names_has(const struct names *nm, const char *s);
/* qsort() comparison of two char * */
int args_cmp_str(const void *a, const void *b);
/* v[0..n) joined with sep, in a new string. */
char *args_join(char *const *v, size_t n, const char *sep);
/* Parses JSON text written in an option table; a bad one is a programmer error. */
cJSON *args_table_json(const char *what, const char *name, const char *text);
/* Records a validation error; only the first one is reported. */
void args_fail(struct vstate *vs, const char *fmt, ...) PRINTF(2, 3);
/* options_context joined with sep ("a -> b"), or NULL at the top level. */
char *args_context_join(const struct vstate *vs, const char *sep);
/* The " found in a -> b" suffix of most messages ("" at the top level). */
char *args_found_in(const struct vstate *vs);

/* The small cJSON steps every part takes; out of memory is a BUG(). */
static inline cJSON *
clone(const cJSON *v)
{
	cJSON *c = cJSON_Duplicate(v, true);

	if (!c)
		BUG("out of memory");
	return c;
}

static inline cJSON *
new_string(const char *s)
{
	cJSON *c = cJSON_CreateString(s);

	if (!c)
		BUG("out of memory");
	return c;
}

static inline cJSON *
new_container(bool object)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();

	if (!c)
		BUG("out of memory");
	return c;
}

static inline void
append(cJSON *arr, cJSON *item)
{
	if (!cJSON_AddItemToArray(arr, item))
		BUG("out of memory");
}

static inline cJSON *
pget(const cJSON *params, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(params, key);
}

static inline bool
phas(const cJSON *params, const char *key)
{
	return pget(params, key) != NULL;
}

/* parameters[key] = v (consumed): a key already there keeps its place. */
static inline void
pset(cJSON *params, const char *key, cJSON *v)
{
	if (phas(params, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(params, key, v))
			BUG("out of memory");
	} else if (!cJSON_AddItemToObject(params, key, v)) {
		BUG("out of memory");
	}
}

static inline bool
is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}


/* ---- coercions (argcoerce.c) ---- */

/*
 * Python's int(text) for base 10: surrounding whitespace, one sign, digits
 * with single underscores between them. Returns 0 and the canonical text
 * (owned by the caller), -1 for text int() refuses, -2 for a value beyond
 * JSON_INT_MAX.
 */
int args_parse_int_text(const char *text, char **canon, double *value);
/*
 * Coerces v to type t as DEFAULT_TYPE_VALIDATORS[t] does.
 * @param[out] out  the new value, owned by the caller
 * @param[out] why  on failure, the checker's message, owned by the caller
 * @return 0, or -1 on failure
 */
int args_coerce(cJSON **out, char **why, enum arg_type t, const cJSON *v);
/* _validate_argument_types(): table order; null values are skipped. */
void args_validate_types(struct vstate *vs, const struct arg_spec *spec, cJSON *params);

/* ---- checks (argcheck.c) ---- */

/* Whether the text checks apply to values of type t. */
bool args_text_type(enum arg_type t);
/*
 * A list or dict given where a name belongs: records the failure and
 * returns true (idx: the element, or -1 for the option itself).
 */
bool args_refuse_container_name(struct vstate *vs, const struct arg_spec *s,
    const cJSON *v, int idx);
/* check_mutually_exclusive(): every offending group, "a|b, c|d". */
void args_check_mutually_exclusive(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params);
/* check_required_arguments(): the missing names, sorted. */
void args_check_required(struct vstate *vs, const struct arg_spec *spec,
    const cJSON *params);
/* The .text, .max_len and range declarations, after the type checks. */
void args_check_texts(struct vstate *vs, const struct arg_spec *spec, const cJSON *params);
/* _validate_argument_values(): choices, and "one or more of" for lists. */
void args_check_choices(struct vstate *vs, const struct arg_spec *spec, cJSON *params);
/* required_together, required_one_of, required_if, required_by, in that order. */
void args_check_dependencies(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params);

#endif
