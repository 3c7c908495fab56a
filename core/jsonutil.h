/*
 * jsonutil.h - the JSON reader behind args.c, and the Python views of a
 * value (str(), repr(), type(), ==) that AnsibleModule's messages and
 * coercions are written in terms of.
 *
 * Why not cJSON_Parse(): libcjson 1.7.15 turns "\u0000" and malformed
 * escapes such as "\uZZZZ" into a NUL that silently truncates the string,
 * accepts raw control characters, leading zeros and invalid UTF-8, rejects
 * lone surrogates and NaN/Infinity only as a bare parse failure, and keeps
 * every number as a double, so the int 3 and the float 3.0 (which Python
 * tells apart: str() gives "3" and "3.0", type int refuses the float) are
 * the same item. json_parse() reads exactly what Python's json.loads()
 * reads, rejects with a clear message what a C string or a JSON document
 * cannot carry, and builds ordinary cJSON items.
 *
 * Number text. json_parse(), json_new_int() and json_new_float() store the
 * number's Python text (str(value): "3", "3.0", "1e+16",
 * "12345678901234567890") in the number item's valuestring, a field cJSON
 * leaves unused for numbers: cJSON_Delete() frees it, cJSON_Duplicate()
 * copies it, and printing, comparing and cJSON_GetStringValue() ignore it.
 * Numbers made with cJSON_CreateNumber() have no text; every function here
 * then treats an integral value below 2^53 as an int and anything else as
 * a float.
 *
 * Ownership: every char * returned here is the caller's, to free(); every
 * cJSON * returned is the caller's, to cJSON_Delete().
 *
 * A bottom-layer primitive: it uses only core.h and buf.h, never the
 * option, result or service layers above it (docs/design/layers.md).
 */
#ifndef DIALTONE_JSONUTIL_H
#define DIALTONE_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core.h"

/* Largest magnitude a double holds exactly with all smaller integers: 2^53 - 1. */
#define JSON_INT_MAX 9007199254740991LL

/* json_parse() flags. */
enum {
	/*
	 * Python literal syntax (the subset ast.literal_eval() reads in
	 * AnsibleModule's dict coercion): quotes ' or ", True/False/None,
	 * tuples (read as lists), trailing commas, underscores in numbers.
	 */
	JSON_PY_LITERAL = 1 << 0,
};

/*
 * Parses len bytes of text (which need not be NUL-terminated) as one JSON
 * value, as Python's json.loads() does, and additionally rejects invalid
 * UTF-8, NaN/Infinity, lone surrogates, "\u0000" and numbers out of the
 * double range.
 * @param[out] out   the value on success, else NULL
 * @param[out] errp  on failure, a one-line message in json.loads() style
 *                   ("Expecting ',' delimiter: line 1 column 9 (char 8)");
 *                   may be NULL
 * @return 0 or -1
 */
int json_parse(cJSON **out, char **errp, const char *text, size_t len,
    unsigned flags) WARN_UNUSED;

/* The number's Python text, or NULL (not a number, or made without text). */
const char *json_number_text(const cJSON *item);
/* True for a number that Python would hold as an int. */
bool json_is_int(const cJSON *item);
/* New numbers carrying their Python text. Abort on no memory. */
cJSON *json_new_int(long long v);
cJSON *json_new_float(double v);
/* A new number for an int whose exact decimal text (e.g. beyond 2^53) is known. */
cJSON *json_new_int_text(const char *digits, double v);

/* Python's repr() of a float: "1.5", "3.0", "1e+16", "1e-05", "-0.0", "inf". */
void json_float_repr(char *out, size_t size, double v);

/* Python's str(value) and repr(value); strings inside containers are repr'd. */
char *json_py_str(const cJSON *item);
char *json_py_repr(const cJSON *item);
/* Python's type(value) as printed: "<class 'str'>", "<class 'NoneType'>", ... */
const char *json_py_type(const cJSON *item);
/* Python's a == b (1 == 1.0 == True; dicts compare regardless of order). */
bool json_py_equal(const cJSON *a, const cJSON *b);

/*
 * Python's str.strip() with no argument: the Unicode whitespace at both
 * ends of the UTF-8 string s. Returns a new string.
 */
char *json_py_strip(const char *s);

/* Whether s[0..n) is valid UTF-8; on failure *bad (may be NULL) is the offset. */
bool json_utf8_valid(const char *s, size_t n, size_t *bad);
/* A copy of s with each invalid UTF-8 byte replaced by U+FFFD, or NULL if s is valid. */
char *json_utf8_fix(const char *s);

#endif
