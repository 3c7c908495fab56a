/*
 * args.c - reading the args file Ansible writes, and validating it exactly
 * as AnsibleModule does.
 *
 * args_validate() follows ansible-core 2.14's ArgumentSpecValidator.validate()
 * (lib/ansible/module_utils/common/arg_spec.py, parameters.py, validation.py
 * and parsing/convert_bool.py) step by step: it works on a copy of the
 * input named params, runs every check even after one failed (later checks
 * see the same partly coerced values Python's do), and reports the first
 * error only. The comments name the Python function each step mirrors.
 *
 * Where a C module cannot do what Python does, the value is refused with a
 * message saying why: integers beyond 2^53 (cJSON keeps numbers as
 * doubles), non-finite floats (JSON cannot carry them), NUL characters.
 */
#include "args.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "jsonutil.h"

/* Sub-options nest at most this deep. */
#define ARGS_MAX_DEPTH 16

/* Python's convert_bool.BOOLEANS, in a fixed order (Python's set order varies). */
#define ARGS_VALID_BOOLEANS "'y', 'yes', 'on', '1', 'true', 't', 1, " \
	"'n', 'no', 'off', '0', 'false', 'f', 0"

static const char *const booleans_true[] = { "y", "yes", "on", "1", "true", "t", NULL };
static const char *const booleans_false[] = { "n", "no", "off", "0", "false", "f", NULL };

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

/* --- small helpers --------------------------------------------------- */

static void
names_split(struct names *nm, const char *list)
{
	const char *p = list, *bar;
	size_t len;

	nm->v = NULL;
	nm->n = 0;
	if (!list)
		return;
	for (;;) {
		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		nm->v = xrealloc(nm->v, (nm->n + 1) * sizeof(*nm->v));
		nm->v[nm->n++] = xasprintf("%.*s", (int)len, p);
		if (!bar)
			break;
		p = bar + 1;
	}
}

static void
names_release(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	nm->v = NULL;
	nm->n = 0;
}

static bool
names_has(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (strcmp(nm->v[i], s) == 0)
			return true;
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins v[0..n) with sep into a new string. */
static char *
join(char *const *v, size_t n, const char *sep)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t i;

	if (buf_add(&b, "", 0))
		BUG("out of memory");
	for (i = 0; i < n; i++)
		if ((i && buf_adds(&b, sep)) || buf_adds(&b, v[i]))
			BUG("out of memory");
	return buf_detach(&b, NULL);
}

static cJSON *
clone(const cJSON *v)
{
	cJSON *c = cJSON_Duplicate(v, true);

	if (!c)
		BUG("out of memory");
	return c;
}

static cJSON *
new_string(const char *s)
{
	cJSON *c = cJSON_CreateString(s);

	if (!c)
		BUG("out of memory");
	return c;
}

static cJSON *
new_container(bool object)
{
	cJSON *c = object ? cJSON_CreateObject() : cJSON_CreateArray();

	if (!c)
		BUG("out of memory");
	return c;
}

static void
append(cJSON *arr, cJSON *item)
{
	if (!cJSON_AddItemToArray(arr, item))
		BUG("out of memory");
}

static cJSON *
pget(const cJSON *params, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(params, key);
}

static bool
phas(const cJSON *params, const char *key)
{
	return pget(params, key) != NULL;
}

/* parameters[key] = v (consumed): a key already there keeps its place. */
static void
pset(cJSON *params, const char *key, cJSON *v)
{
	if (phas(params, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(params, key, v))
			BUG("out of memory");
	} else if (!cJSON_AddItemToObject(params, key, v)) {
		BUG("out of memory");
	}
}

static bool
is_null(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

/* Python's bool(value). */
static bool
truthy(const cJSON *v)
{
	if (is_null(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

static const char *
type_name(enum arg_type t)
{
	switch (t) {
	case ARG_NONE:
	case ARG_STR:
		return "str";
	case ARG_BOOL:
		return "bool";
	case ARG_INT:
		return "int";
	case ARG_FLOAT:
		return "float";
	case ARG_LIST:
		return "list";
	case ARG_DICT:
		return "dict";
	case ARG_PATH:
		return "path";
	case ARG_RAW:
		return "raw";
	}
	BUG("unknown argument type %d", (int)t);
}

const char *
args_type_name(enum arg_type t)
{
	return type_name(t);
}

/* Whether the option holds sub-options (a dict, or a list of dicts). */
static bool
has_suboptions(const struct arg_spec *s)
{
	return s->options && (s->type == ARG_DICT ||
	    (s->type == ARG_LIST && s->elements == ARG_DICT));
}

/* Parses JSON text written in an option table; a bad one is a programmer error. */
static cJSON *
table_json(const char *what, const char *name, const char *text)
{
	cJSON *v;
	char *err;

	if (json_parse(&v, &err, text, strlen(text), 0))
		BUG("%s of option '%s' is not JSON: %s", what, name, err);
	return v;
}

/* The option's default, or NULL when it has none (Python: default None). */
static cJSON *
spec_default(const struct arg_spec *s)
{
	cJSON *d;

	if (!s->def)
		return NULL;
	d = table_json("the default", s->name, s->def);
	if (cJSON_IsNull(d)) {
		cJSON_Delete(d);
		return NULL;
	}
	return d;
}

/* Records a validation error; only the first one is reported. */
static void PRINTF(2, 3)
fail(struct vstate *vs, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT(SIZE_MAX / 2);

	if (vs->err)
		return;
	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap))
		BUG("out of memory");
	va_end(ap);
	vs->err = buf_detach(&b, NULL);
}

/* options_context joined with sep ("a -> b"), or NULL at the top level. */
static char *
context_join(const struct vstate *vs, const char *sep)
{
	if (!vs->depth)
		return NULL;
	return join((char *const *)vs->context, vs->depth, sep);
}

/* The " found in a -> b" suffix of most messages ("" at the top level). */
static char *
found_in(const struct vstate *vs)
{
	char *c = context_join(vs, " -> "), *s;

	if (!c)
		return xstrdup("");
	s = xasprintf(" found in %s", c);
	free(c);
	return s;
}

/*
 * _return_datastructure_name(): registers the strings (and the numbers'
 * text) inside a no_log value as secrets; dict keys, None and booleans
 * are not secrets.
 */
static void
register_secret(struct core_ctx *ctx, const cJSON *v)
{
	const cJSON *c;
	char *s;

	if (cJSON_IsString(v)) {
		core_secret_add(ctx, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		s = json_py_str(v);
		core_secret_add(ctx, s);
		free(s);
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v)
			register_secret(ctx, c);
	}
}

/* --- coercions (validation.py check_type_*) ---------------------------- */

static bool
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static void
ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/*
 * Python's int(text) for base 10: surrounding whitespace, one sign, digits
 * with single underscores between them. Returns 0 and the canonical text,
 * -1 for text int() refuses, -2 for a value beyond JSON_INT_MAX.
 */
static int
parse_int_text(const char *text, char **canon, double *value)
{
	char *s = json_py_strip(text), *p = s;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	bool neg = false, digit_before = false, nonzero = false;
	int rc = -1;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		goto out;
	for (; *p; p++) {
		if (*p == '_') {
			if (!digit_before || !(p[1] >= '0' && p[1] <= '9'))
				goto out;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto out;
		digit_before = true;
		if (*p == '0' && !nonzero)
			continue;
		if (!nonzero && neg && buf_add(&b, "-", 1))
			BUG("out of memory");
		nonzero = true;
		if (buf_add(&b, p, 1))
			BUG("out of memory");
	}
	if (!nonzero && buf_add(&b, "0", 1))
		BUG("out of memory");
	*canon = buf_detach(&b, NULL);
	*value = strtod(*canon, NULL);
	rc = fabs(*value) > (double)JSON_INT_MAX ? -2 : 0;
	if (rc)
		free(*canon);
out:
	buf_release(&b);
	free(s);
	return rc;
}

/*
 * Python's float(text): whitespace, a sign, digits with underscores, an
 * optional fraction and exponent; "inf"/"nan" are recognised so that they
 * can be refused by name. Returns 0, -1 (not a float), -2 (not finite).
 */
static int
parse_float_text(const char *text, double *value)
{
	char *s = json_py_strip(text), *p = s, *lower = NULL;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	bool digits = false;
	int rc = -1;

	lower = xstrdup(*p == '+' || *p == '-' ? p + 1 : p);
	ascii_lower(lower);
	if (!strcmp(lower, "inf") || !strcmp(lower, "infinity") ||
	    !strcmp(lower, "nan")) {
		rc = -2;
		goto out;
	}
	if (*p == '+' || *p == '-') {
		if (buf_add(&b, p, 1))
			BUG("out of memory");
		p++;
	}
	/* digits [. digits] | . digits, underscores only between digits */
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digits = true;
		} else if (*p == '_') {
			if (p == s || !(p[-1] >= '0' && p[-1] <= '9') ||
			    !(p[1] >= '0' && p[1] <= '9'))
				goto out;
			continue;
		} else {
			break;
		}
		if (buf_add(&b, p, 1))
			BUG("out of memory");
	}
	if (*p == '.') {
		if (buf_add(&b, ".", 1))
			BUG("out of memory");
		for (p++; *p; p++) {
			if (*p >= '0' && *p <= '9') {
				digits = true;
			} else if (*p == '_' && p[-1] >= '0' && p[-1] <= '9' &&
			    p[1] >= '0' && p[1] <= '9') {
				continue;
			} else {
				break;
			}
			if (buf_add(&b, p, 1))
				BUG("out of memory");
		}
	}
	if (!digits)
		goto out;
	if (*p == 'e' || *p == 'E') {
		bool exp_digits = false;

		if (buf_add(&b, "e", 1))
			BUG("out of memory");
		p++;
		if (*p == '+' || *p == '-') {
			if (buf_add(&b, p, 1))
				BUG("out of memory");
			p++;
		}
		for (; *p; p++) {
			if (*p >= '0' && *p <= '9') {
				exp_digits = true;
			} else if (*p == '_' && p[-1] >= '0' && p[-1] <= '9' &&
			    p[1] >= '0' && p[1] <= '9') {
				continue;
			} else {
				break;
			}
			if (buf_add(&b, p, 1))
				BUG("out of memory");
		}
		if (!exp_digits)
			goto out;
	}
	if (*p)
		goto out;
	if (buf_add(&b, "", 0))
		BUG("out of memory");
	*value = strtod(b.data, NULL);
	rc = isfinite(*value) ? 0 : -2;
out:
	buf_release(&b);
	free(lower);
	free(s);
	return rc;
}

static int
coerce_bool(cJSON **out, char **why, const cJSON *v)
{
	char *s, *shown;

	if (cJSON_IsBool(v)) {
		*out = clone(v);
		return 0;
	}
	if (cJSON_IsString(v)) {
		s = json_py_strip(v->valuestring);
		ascii_lower(s);
		if (in_list(booleans_true, s) || in_list(booleans_false, s)) {
			*out = in_list(booleans_true, s) ? cJSON_CreateTrue() :
			    cJSON_CreateFalse();
			free(s);
			if (!*out)
				BUG("out of memory");
			return 0;
		}
		free(s);
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == 1 || v->valuedouble == 0) {
			*out = v->valuedouble == 1 ? cJSON_CreateTrue() :
			    cJSON_CreateFalse();
			if (!*out)
				BUG("out of memory");
			return 0;
		}
	} else {
		*why = xasprintf("%s cannot be converted to a bool", json_py_type(v));
		return -1;
	}
	shown = json_py_str(v);
	*why = xasprintf("The value '%s' is not a valid boolean.  Valid booleans "
	    "include: %s", shown, ARGS_VALID_BOOLEANS);
	free(shown);
	return -1;
}

static char *
out_of_range(const char *text)
{
	return xasprintf("%s is out of range: integers are limited to "
	    "-%lld..%lld", text, JSON_INT_MAX, JSON_INT_MAX);
}

static int
coerce_int(cJSON **out, char **why, const cJSON *v)
{
	char *canon, *text;
	double value;
	int rc;

	/* Python's bool is an int: check_type_int() returns it unchanged. */
	if (cJSON_IsBool(v)) {
		*out = clone(v);
		return 0;
	}
	if (cJSON_IsNumber(v) && json_is_int(v)) {
		if (fabs(v->valuedouble) > (double)JSON_INT_MAX) {
			text = json_py_str(v);
			*why = out_of_range(text);
			free(text);
			return -1;
		}
		*out = clone(v);
		return 0;
	}
	if (cJSON_IsString(v)) {
		rc = parse_int_text(v->valuestring, &canon, &value);
		if (rc == 0) {
			*out = json_new_int_text(canon, value);
			free(canon);
			return 0;
		}
		if (rc == -2) {
			text = json_py_strip(v->valuestring);
			*why = out_of_range(text);
			free(text);
			return -1;
		}
	}
	*why = xasprintf("%s cannot be converted to an int", json_py_type(v));
	return -1;
}

static int
coerce_float(cJSON **out, char **why, const cJSON *v)
{
	double value;
	int rc;

	if (cJSON_IsNumber(v)) {
		*out = json_is_int(v) ? json_new_float(v->valuedouble) : clone(v);
		return 0;
	}
	if (cJSON_IsBool(v)) {
		*out = json_new_float(cJSON_IsTrue(v) ? 1.0 : 0.0);
		return 0;
	}
	if (cJSON_IsString(v)) {
		rc = parse_float_text(v->valuestring, &value);
		if (rc == 0) {
			*out = json_new_float(value);
			return 0;
		}
		if (rc == -2) {
			*why = xasprintf("'%s' is not a finite number, which JSON "
			    "cannot carry", v->valuestring);
			return -1;
		}
	}
	*why = xasprintf("%s cannot be converted to a float", json_py_type(v));
	return -1;
}

static int
coerce_list(cJSON **out, char **why, const cJSON *v)
{
	const char *p, *comma;
	char *s;
	cJSON *arr;

	if (cJSON_IsArray(v)) {
		*out = clone(v);
		return 0;
	}
	if (cJSON_IsString(v)) {
		arr = new_container(false);
		for (p = v->valuestring;; p = comma + 1) {
			comma = strchr(p, ',');
			s = xasprintf("%.*s", (int)(comma ? (size_t)(comma - p) :
			    strlen(p)), p);
			append(arr, new_string(s));
			free(s);
			if (!comma)
				break;
		}
		*out = arr;
		return 0;
	}
	if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
		arr = new_container(false);
		s = json_py_str(v);
		append(arr, new_string(s));
		free(s);
		*out = arr;
		return 0;
	}
	*why = xasprintf("%s cannot be converted to a list", json_py_type(v));
	return -1;
}

static bool
is_word(unsigned char c)
{
	return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* safe_eval()'s refusal patterns: r'\w\.\w+\(' and r'import \w+'. */
static bool
safe_eval_refuses(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *p;
	size_t i, j;

	for (i = 0; u[i]; i++) {
		if (is_word(u[i]) && u[i + 1] == '.' && is_word(u[i + 2])) {
			for (j = i + 2; is_word(u[j]); j++)
				;
			if (u[j] == '(')
				return true;
		}
	}
	for (p = strstr(s, "import "); p; p = strstr(p + 1, "import "))
		if (is_word((unsigned char)p[7]))
			return true;
	return false;
}

/* check_type_dict() on "k1=v1, k2=v2". */
static int
dict_from_pairs(cJSON **out, char **why, const char *value)
{
	char *s = json_py_strip(value), *f, *eq;
	struct buf field = BUF_INIT(SIZE_MAX / 2);
	struct names fields = { NULL, 0 };
	char in_quote = 0;
	bool in_escape = false;
	cJSON *obj = NULL;
	size_t i;
	const char *p;
	int rc = -1;

	for (p = s;; p++) {
		bool end = *p == '\0';

		if (!end && in_escape) {
			in_escape = false;
		} else if (!end && *p == '\\') {
			in_escape = true;
			continue;
		} else if (!end && !in_quote && (*p == '\'' || *p == '"')) {
			in_quote = *p;
			continue;
		} else if (!end && in_quote && *p == in_quote) {
			in_quote = 0;
			continue;
		} else if (end || (!in_quote && (*p == ',' || *p == ' '))) {
			if (field.len) {
				fields.v = xrealloc(fields.v,
				    (fields.n + 1) * sizeof(*fields.v));
				fields.v[fields.n++] = buf_detach(&field, NULL);
			}
			buf_reset(&field);
			if (end)
				break;
			continue;
		}
		if (buf_add(&field, p, 1))
			BUG("out of memory");
	}
	obj = new_container(true);
	for (i = 0; i < fields.n; i++) {
		f = fields.v[i];
		eq = strchr(f, '=');
		if (!eq) {
			*why = xasprintf("dictionary update sequence element #%zu "
			    "has length 1; 2 is required", i);
			goto out;
		}
		*eq = '\0';
		pset(obj, f, new_string(eq + 1));
	}
	*out = obj;
	obj = NULL;
	rc = 0;
out:
	cJSON_Delete(obj);
	names_release(&fields);
	buf_release(&field);
	free(s);
	return rc;
}

static int
coerce_dict(cJSON **out, char **why, const cJSON *v)
{
	const char *s;
	cJSON *d = NULL;

	if (cJSON_IsObject(v)) {
		*out = clone(v);
		return 0;
	}
	if (!cJSON_IsString(v)) {
		*why = xasprintf("%s cannot be converted to a dict", json_py_type(v));
		return -1;
	}
	s = v->valuestring;
	if (s[0] == '{') {
		/* json.loads(), else safe_eval() (ast.literal_eval()). */
		if (json_parse(&d, NULL, s, strlen(s), 0) == 0) {
			*out = d;
			return 0;
		}
		if (safe_eval_refuses(s)) {
			*out = clone(v);  /* safe_eval() hands the string back */
			return 0;
		}
		if (json_parse(&d, NULL, s, strlen(s), JSON_PY_LITERAL) == 0 &&
		    cJSON_IsObject(d)) {
			*out = d;
			return 0;
		}
		cJSON_Delete(d);
		*why = xstrdup("unable to evaluate string as dictionary");
		return -1;
	}
	if (strchr(s, '='))
		return dict_from_pairs(out, why, s);
	*why = xstrdup("dictionary requested, could not parse JSON or key=value");
	return -1;
}

/* os.path.expandvars(): $NAME and ${NAME}; unknown variables stay as written. */
static char *
expand_vars(const char *s)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const char *p = s, *name_start, *name_end, *next, *val;
	char *name;

	if (buf_add(&b, "", 0))
		BUG("out of memory");
	while (*p) {
		if (*p != '$') {
			if (buf_add(&b, p++, 1))
				BUG("out of memory");
			continue;
		}
		if (p[1] == '{' && strchr(p + 2, '}')) {
			name_start = p + 2;
			name_end = strchr(p + 2, '}');
			next = name_end + 1;
		} else if (p[1] && is_word((unsigned char)p[1]) &&
		    (unsigned char)p[1] < 0x80) {
			name_start = p + 1;
			for (name_end = name_start; *name_end &&
			    (unsigned char)*name_end < 0x80 &&
			    is_word((unsigned char)*name_end); name_end++)
				;
			next = name_end;
		} else {
			if (buf_add(&b, p++, 1))
				BUG("out of memory");
			continue;
		}
		name = xasprintf("%.*s", (int)(name_end - name_start), name_start);
		val = *name ? getenv(name) : NULL;
		free(name);
		if (val ? buf_adds(&b, val) : buf_add(&b, p, (size_t)(next - p)))
			BUG("out of memory");
		p = next;
	}
	return buf_detach(&b, NULL);
}

/* The home directory of a user (name NULL: the current user), or NULL. */
static char *
user_home(const char *name)
{
	struct passwd pw, *res = NULL;
	size_t size = 16384;
	char *mem = NULL, *home = NULL;
	int rc;

	for (;;) {
		mem = xrealloc(mem, size);
		rc = name ? getpwnam_r(name, &pw, mem, size, &res) :
		    getpwuid_r(getuid(), &pw, mem, size, &res);
		if (rc != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (rc == 0 && res && res->pw_dir)
		home = xstrdup(res->pw_dir);
	free(mem);
	return home;
}

/* os.path.expanduser(): a leading ~ or ~user. */
static char *
expand_user(const char *s)
{
	const char *slash, *env;
	char *home, *name, *r;
	size_t i, len;

	if (s[0] != '~')
		return xstrdup(s);
	slash = strchr(s + 1, '/');
	i = slash ? (size_t)(slash - s) : strlen(s);
	if (i == 1) {
		env = getenv("HOME");
		home = env ? xstrdup(env) : user_home(NULL);
	} else {
		name = xasprintf("%.*s", (int)(i - 1), s + 1);
		home = user_home(name);
		free(name);
	}
	if (!home)
		return xstrdup(s);
	len = strlen(home);
	while (len && home[len - 1] == '/')
		home[--len] = '\0';
	r = xasprintf("%s%s", home, s + i);
	free(home);
	if (!*r) {
		free(r);
		r = xstrdup("/");
	}
	return r;
}

/*
 * Coerces v to type t as DEFAULT_TYPE_VALIDATORS[t] does.
 * @param[out] out  the new value, owned by the caller
 * @param[out] why  on failure, the checker's message, owned by the caller
 */
static int
coerce(cJSON **out, char **why, enum arg_type t, const cJSON *v)
{
	char *s, *vars, *path;

	*out = NULL;
	*why = NULL;
	switch (t) {
	case ARG_NONE:
	case ARG_STR:
		if (cJSON_IsString(v)) {
			*out = clone(v);
		} else {
			s = json_py_str(v);
			*out = new_string(s);
			free(s);
		}
		return 0;
	case ARG_PATH:
		s = json_py_str(v);
		vars = expand_vars(s);
		path = expand_user(vars);
		*out = new_string(path);
		free(path);
		free(vars);
		free(s);
		return 0;
	case ARG_RAW:
		*out = clone(v);
		return 0;
	case ARG_BOOL:
		return coerce_bool(out, why, v);
	case ARG_INT:
		return coerce_int(out, why, v);
	case ARG_FLOAT:
		return coerce_float(out, why, v);
	case ARG_LIST:
		return coerce_list(out, why, v);
	case ARG_DICT:
		return coerce_dict(out, why, v);
	}
	BUG("unknown argument type %d", (int)t);
}


/* --- text, length and range checks ------------------------------------ */

/* Decodes the UTF-8 sequence at s into *cp; its length, or 0 when invalid. */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	/* A NUL byte fails the continuation test, so s[i] never passes the end. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (uint32_t)(s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Characters that print as nothing, or change the direction of what follows. */
static const struct {
	uint32_t lo, hi;
	const char *name;
} hidden_chars[] = {
	{ 0x00AD, 0x00AD, "SOFT HYPHEN" },
	{ 0x034F, 0x034F, "COMBINING GRAPHEME JOINER" },
	{ 0x061C, 0x061C, "ARABIC LETTER MARK" },
	{ 0x115F, 0x1160, "HANGUL FILLER" },
	{ 0x17B4, 0x17B5, "KHMER INHERENT VOWEL" },
	{ 0x180B, 0x180F, "MONGOLIAN FORMAT CHARACTER" },
	{ 0x200B, 0x200B, "ZERO WIDTH SPACE" },
	{ 0x200C, 0x200C, "ZERO WIDTH NON-JOINER" },
	{ 0x200D, 0x200D, "ZERO WIDTH JOINER" },
	{ 0x200E, 0x200E, "LEFT-TO-RIGHT MARK" },
	{ 0x200F, 0x200F, "RIGHT-TO-LEFT MARK" },
	{ 0x2028, 0x2028, "LINE SEPARATOR" },
	{ 0x2029, 0x2029, "PARAGRAPH SEPARATOR" },
	{ 0x202A, 0x202A, "LEFT-TO-RIGHT EMBEDDING" },
	{ 0x202B, 0x202B, "RIGHT-TO-LEFT EMBEDDING" },
	{ 0x202C, 0x202C, "POP DIRECTIONAL FORMATTING" },
	{ 0x202D, 0x202D, "LEFT-TO-RIGHT OVERRIDE" },
	{ 0x202E, 0x202E, "RIGHT-TO-LEFT OVERRIDE" },
	{ 0x2060, 0x2060, "WORD JOINER" },
	{ 0x2061, 0x2064, "INVISIBLE OPERATOR" },
	{ 0x2065, 0x2065, "INVISIBLE FORMAT CHARACTER" },
	{ 0x2066, 0x2066, "LEFT-TO-RIGHT ISOLATE" },
	{ 0x2067, 0x2067, "RIGHT-TO-LEFT ISOLATE" },
	{ 0x2068, 0x2068, "FIRST STRONG ISOLATE" },
	{ 0x2069, 0x2069, "POP DIRECTIONAL ISOLATE" },
	{ 0x206A, 0x206F, "DEPRECATED FORMAT CHARACTER" },
	{ 0x3164, 0x3164, "HANGUL FILLER" },
	{ 0xFEFF, 0xFEFF, "ZERO WIDTH NO-BREAK SPACE" },
	{ 0xFFA0, 0xFFA0, "HALFWIDTH HANGUL FILLER" },
	{ 0xFFF9, 0xFFFB, "INTERLINEAR ANNOTATION CHARACTER" },
	{ 0xFFFE, 0xFFFF, "NONCHARACTER" },
	{ 0x1D173, 0x1D17A, "MUSICAL SYMBOL FORMAT CHARACTER" },
	{ 0xE0000, 0xE007F, "TAG CHARACTER" },
};

/* Why cp is refused in text of class t, or NULL when it is accepted. */
static const char *
char_refused(uint32_t cp, enum arg_text t)
{
	size_t i;

	if (t == ARG_TEXT_ANY)
		return NULL;
	if (cp == '\t' || cp == '\n')
		return t == ARG_TEXT_FREE ? NULL : cp == '\t' ? "TAB" : "LINE FEED";
	if (cp == '\r')
		return "CARRIAGE RETURN";
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
		return "CONTROL CHARACTER";
	if (t == ARG_TEXT_NAME && cp == '/')
		return "SOLIDUS";
	if (t == ARG_TEXT_NAME && cp == '\\')
		return "REVERSE SOLIDUS";
	for (i = 0; i < ARRAY_SIZE(hidden_chars); i++)
		if (cp >= hidden_chars[i].lo && cp <= hidden_chars[i].hi)
			return hidden_chars[i].name;
	return NULL;
}

/* What class t with limit max_len accepts, for messages. */
static char *
text_accepted(enum arg_text t, size_t max_len)
{
	char lim[64] = "";

	if (max_len)
		snprintf(lim, sizeof(lim), "up to %zu characters", max_len);
	switch (t) {
	case ARG_TEXT_NAME:
		return xasprintf("a name%s%s of printable characters, without '/', "
		    "'\\', tab, line breaks, control, invisible or direction-changing "
		    "characters", max_len ? " of " : "", lim);
	case ARG_TEXT_LINE:
		return xasprintf("one line%s%s of printable characters, without tab, "
		    "line breaks, control, invisible or direction-changing characters",
		    max_len ? " of " : "", lim);
	case ARG_TEXT_FREE:
		return xasprintf("text%s%s without control characters (tab and line "
		    "feed aside), invisible or direction-changing characters",
		    max_len ? " of " : "", lim);
	case ARG_TEXT_ANY:
		break;
	}
	return xstrdup(max_len ? lim : "any text");
}

/*
 * What is wrong with value for class t and limit max_len, or NULL.
 * The value itself is never quoted (it may be a secret, or huge).
 */
static char *
text_problem(const char *value, enum arg_text t, size_t max_len)
{
	const unsigned char *p = (const unsigned char *)value;
	const char *why;
	size_t n, chars = 0;
	uint32_t cp;

	while (*p) {
		n = utf8_next(p, &cp);
		if (!n) {
			if (t == ARG_TEXT_ANY) {
				n = 1;
			} else {
				return xasprintf("is not valid UTF-8 (byte 0x%02X after "
				    "character %zu)", *p, chars);
			}
		} else if ((why = char_refused(cp, t))) {
			return xasprintf("contains U+%04" PRIX32 " (%s) at character %zu",
			    cp, why, chars + 1);
		}
		p += n;
		chars++;
		if (max_len && chars > max_len) {
			while (*p) {
				n = utf8_next(p, &cp);
				p += n ? n : 1;
				chars++;
			}
			return xasprintf("is %zu characters long", chars);
		}
	}
	return NULL;
}

int
args_check_text(struct core_ctx *ctx, const char *what, const char *value,
    enum arg_text text, size_t max_len)
{
	char *why, *acc;
	int rc;

	if (!value)
		return CORE_OK;
	why = text_problem(value, text, max_len);
	if (!why)
		return CORE_OK;
	acc = text_accepted(text, max_len);
	rc = core_error(ctx, CORE_EARGS, "%s %s; accepted: %s", what, why, acc);
	free(acc);
	free(why);
	return rc;
}

/* Records the text problem of one string of option s (element idx, or -1). */
static void
check_one_text(struct vstate *vs, const struct arg_spec *s, const char *value,
    int idx)
{
	char *why, *acc, *suffix, elem[48] = "";

	why = text_problem(value, s->text, s->max_len);
	if (!why)
		return;
	if (idx >= 0)
		snprintf(elem, sizeof(elem), " (item %d)", idx + 1);
	acc = text_accepted(s->text, s->max_len);
	suffix = found_in(vs);
	fail(vs, "option '%s'%s%s %s; accepted: %s", s->name, elem, suffix, why,
	    acc);
	free(suffix);
	free(acc);
	free(why);
}

/* Whether the text checks apply to values of type t. */
static bool
text_type(enum arg_type t)
{
	return t == ARG_STR || t == ARG_PATH || t == ARG_NONE;
}

/* The .text, .max_len and range declarations, after the type checks. */
static void
validate_text(struct vstate *vs, const struct arg_spec *spec, const cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v, *e;
	char *suffix;
	int idx;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (is_null(v))
			continue;
		if (s->ranged && s->type == ARG_INT && cJSON_IsNumber(v) &&
		    (v->valuedouble < (double)s->min || v->valuedouble > (double)s->max)) {
			char *shown = json_py_str(v);

			suffix = found_in(vs);
			fail(vs, "option '%s' is %s%s; accepted: an integer from %lld "
			    "to %lld", s->name, shown, suffix, s->min, s->max);
			free(suffix);
			free(shown);
		}
		if (s->text == ARG_TEXT_ANY && !s->max_len)
			continue;
		if (text_type(s->type) && cJSON_IsString(v)) {
			check_one_text(vs, s, v->valuestring, -1);
		} else if (s->type == ARG_LIST && text_type(s->elements) &&
		    cJSON_IsArray(v)) {
			idx = 0;
			cJSON_ArrayForEach(e, v) {
				if (cJSON_IsString(e))
					check_one_text(vs, s, e->valuestring, idx);
				idx++;
			}
		}
	}
}

/*
 * A list or dict given where a name belongs: AnsibleModule would make it
 * the text "['a', 'b']" and that would become the name. Records the
 * failure and returns true.
 */
static bool
refuse_container_name(struct vstate *vs, const struct arg_spec *s,
    const cJSON *v, int idx)
{
	char *suffix, elem[48] = "";

	if (s->text != ARG_TEXT_NAME || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return false;
	if (idx >= 0)
		snprintf(elem, sizeof(elem), " (item %d)", idx + 1);
	suffix = found_in(vs);
	fail(vs, "option '%s'%s is a %s%s; accepted: one name, given as a string",
	    s->name, elem, cJSON_IsArray(v) ? "list" : "dict", suffix);
	free(suffix);
	return true;
}

/* Null means "not given": removes every key whose value is null. */
static void
drop_nulls(cJSON *params)
{
	cJSON *item = params->child, *next;

	for (; item; item = next) {
		next = item->next;
		if (cJSON_IsNull(item))
			cJSON_Delete(cJSON_DetachItemViaPointer(params, item));
	}
}

/* --- the steps of ArgumentSpecValidator.validate() ------------------- */

/* set_fallbacks(): env_fallback for each absent option. */
static void
set_fallbacks(struct vstate *vs, const struct arg_spec *spec, cJSON *params)
{
	const struct arg_spec *s;
	struct names env;
	const char *val;
	size_t i;

	for (s = spec; s->name; s++) {
		if (!s->fallback_env || phas(params, s->name))
			continue;
		names_split(&env, s->fallback_env);
		for (i = 0; i < env.n; i++) {
			val = getenv(env.v[i]);
			if (!val)
				continue;
			if (s->no_log)
				core_secret_add(vs->ctx, val);
			pset(params, s->name, new_string(val));
			break;
		}
		names_release(&env);
	}
}

/* _handle_aliases(): the alias's value wins; both set is a warning. */
static void
handle_aliases(struct vstate *vs, const struct arg_spec *spec, cJSON *params,
    const char *prefix)
{
	const struct arg_spec *s;
	struct names al;
	cJSON *d;
	bool has_default;
	size_t i;

	for (s = spec; s->name; s++) {
		d = spec_default(s);
		has_default = d != NULL;
		cJSON_Delete(d);
		if (has_default && s->required) {
			fail(vs, "internal error: required and default are mutually "
			    "exclusive for %s", s->name);
			return;
		}
		names_split(&al, s->aliases);
		for (i = 0; i < al.n; i++) {
			if (!phas(params, al.v[i]))
				continue;
			if (phas(params, s->name)) {
				if (vs->depth == 0) {
					char *w = xasprintf("Both option %s and its "
					    "alias %s are set.", s->name, al.v[i]);

					append(vs->top_warnings, new_string(w));
					free(w);
				} else {
					core_warn(vs->ctx, "Both option %s%s and its "
					    "alias %s%s are set.", prefix, s->name,
					    prefix, al.v[i]);
				}
			}
			pset(params, s->name, clone(pget(params, al.v[i])));
		}
		names_release(&al);
	}
}

/* Python's type(v).__name__: "int", "str", "NoneType". */
static const char *
class_name(const cJSON *v, char *out, size_t size)
{
	const char *t = json_py_type(v) + strlen("<class '");

	snprintf(out, size, "%.*s", (int)(strlen(t) - strlen("'>")), t);
	return out;
}

/*
 * _list_no_log_values(): registers no_log values, and (like Python)
 * fails when a sub-option value is not a dict.
 */
static int
list_no_log(struct vstate *vs, const struct arg_spec *spec, const cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v, *sub, *target;
	cJSON *conv;
	char *why, *shown, cls[16];
	int rc;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (s->no_log && truthy(v))
			register_secret(vs->ctx, v);
		if (!s->options || is_null(v) || !has_suboptions(s))
			continue;
		for (sub = cJSON_IsArray(v) ? v->child : v; sub;
		    sub = cJSON_IsArray(v) ? sub->next : NULL) {
			conv = NULL;
			if (cJSON_IsString(sub) && coerce_dict(&conv, &why, sub)) {
				/* Python says only why; name the option too. */
				char *suffix = found_in(vs);

				fail(vs, "option '%s'%s: %s; give a dict (YAML mapping), or "
				    "its JSON or key=value text", s->name, suffix, why);
				free(suffix);
				free(why);
				return -1;
			}
			target = conv ? conv : sub;
			if (!cJSON_IsObject(target)) {
				shown = json_py_str(target);
				/* Python's own wording, "must by" included. */
				fail(vs, "Value '%s' in the sub parameter field '%s' "
				    "must by a %s, not '%s'", shown, s->name,
				    type_name(s->type), class_name(target, cls,
				    sizeof(cls)));
				free(shown);
				cJSON_Delete(conv);
				return -1;
			}
			rc = list_no_log(vs, s->options, target);
			cJSON_Delete(conv);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static bool
is_legal(const struct arg_spec *spec, const char *key)
{
	const struct arg_spec *s;
	struct names al;
	bool found;

	for (s = spec; s->name; s++) {
		if (strcmp(s->name, key) == 0)
			return true;
		names_split(&al, s->aliases);
		found = names_has(&al, key);
		names_release(&al);
		if (found)
			return true;
	}
	return false;
}

/* _get_unsupported_parameters(): keys that are neither options nor aliases. */
static void
collect_unsupported(struct vstate *vs, const struct arg_spec *spec,
    const cJSON *params)
{
	const cJSON *item;
	char *ctx, *name;
	size_t i;

	cJSON_ArrayForEach(item, params) {
		if (is_legal(spec, item->string))
			continue;
		ctx = context_join(vs, ".");
		name = ctx ? xasprintf("%s.%s", ctx, item->string) :
		    xstrdup(item->string);
		free(ctx);
		for (i = 0; i < vs->nunsup; i++)
			if (strcmp(vs->unsup[i].name, name) == 0)
				break;
		if (i < vs->nunsup) {
			free(name);
			continue;
		}
		vs->unsup = xrealloc(vs->unsup, (vs->nunsup + 1) * sizeof(*vs->unsup));
		vs->unsup[vs->nunsup].name = name;
		vs->unsup[vs->nunsup].spec = spec;
		vs->nunsup++;
	}
}

static size_t
count_present(const cJSON *params, const struct names *nm)
{
	size_t i, n = 0;

	for (i = 0; i < nm->n; i++)
		if (phas(params, nm->v[i]))
			n++;
	return n;
}

/* check_mutually_exclusive(): every offending group, "a|b, c|d". */
static void
check_mutually_exclusive(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const char *const *g;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	struct names nm;
	char *suffix;

	if (!rules || !rules->mutually_exclusive)
		return;
	for (g = rules->mutually_exclusive; *g; g++) {
		names_split(&nm, *g);
		if (count_present(params, &nm) > 1 &&
		    ((b.len && buf_adds(&b, ", ")) || buf_adds(&b, *g)))
			BUG("out of memory");
		names_release(&nm);
	}
	if (b.len) {
		suffix = found_in(vs);
		fail(vs, "parameters are mutually exclusive: %s%s", b.data, suffix);
		free(suffix);
	}
	buf_release(&b);
}

/* _set_defaults(): set_null also gives every still absent option null. */
static void
set_defaults(struct vstate *vs, const struct arg_spec *spec, cJSON *params,
    bool set_null)
{
	const struct arg_spec *s;
	cJSON *d;

	for (s = spec; s->name; s++) {
		if (phas(params, s->name))
			continue;
		d = spec_default(s);
		if (!d && !set_null)
			continue;
		if (!d) {
			d = cJSON_CreateNull();
			if (!d)
				BUG("out of memory");
		}
		if (s->no_log && truthy(d))
			register_secret(vs->ctx, d);
		pset(params, s->name, d);
	}
}

/* check_required_arguments(): the missing names, sorted. */
static void
check_required(struct vstate *vs, const struct arg_spec *spec,
    const cJSON *params)
{
	const struct arg_spec *s;
	const char **missing = NULL;
	size_t n = 0;
	char *list, *suffix;

	for (s = spec; s->name; s++) {
		if (s->required && !phas(params, s->name)) {
			missing = xrealloc(missing, (n + 1) * sizeof(*missing));
			missing[n++] = s->name;
		}
	}
	if (n) {
		xqsort(missing, n, sizeof(*missing), cmp_str);
		list = join((char *const *)missing, n, ", ");
		suffix = found_in(vs);
		fail(vs, "missing required arguments: %s%s", list, suffix);
		free(suffix);
		free(list);
	}
	free(missing);
}

/* _validate_elements(): coerces each item; failed items are dropped. */
static cJSON *
validate_elements(struct vstate *vs, const struct arg_spec *s,
    const cJSON *list)
{
	cJSON *res = new_container(false), *nv;
	const cJSON *e;
	char *why, *ctx;
	int idx = -1;

	cJSON_ArrayForEach(e, list) {
		idx++;
		if (text_type(s->elements) && refuse_container_name(vs, s, e, idx))
			continue;
		if (coerce(&nv, &why, s->elements, e) == 0) {
			append(res, nv);
			continue;
		}
		ctx = context_join(vs, " -> ");
		fail(vs, "Elements value for option '%s'%s%s%s is of type %s and "
		    "we were unable to convert to %s: %s", s->name,
		    ctx ? " found in '" : "", ctx ? ctx : "", ctx ? "'" : "",
		    json_py_type(e), type_name(s->elements), why);
		free(ctx);
		free(why);
	}
	return res;
}

/* _validate_argument_types(): table order; null values are skipped. */
static void
validate_types(struct vstate *vs, const struct arg_spec *spec, cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v;
	cJSON *nv, *elems;
	char *why, *ctx, *shown;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (is_null(v))
			continue;
		if (text_type(s->type) && refuse_container_name(vs, s, v, -1))
			continue;
		if (coerce(&nv, &why, s->type, v)) {
			ctx = context_join(vs, " -> ");
			fail(vs, "argument '%s' is of type %s%s%s%s and we were "
			    "unable to convert to %s: %s", s->name, json_py_type(v),
			    ctx ? " found in '" : "", ctx ? ctx : "",
			    ctx ? "'." : "", type_name(s->type), why);
			free(ctx);
			free(why);
			continue;
		}
		if (s->elements != ARG_NONE) {
			if (s->type != ARG_LIST || !cJSON_IsArray(nv)) {
				ctx = context_join(vs, " -> ");
				shown = json_py_str(nv);
				fail(vs, "Invalid type %s for option '%s'%s%s%s, "
				    "elements value check is supported only with "
				    "'list' type", type_name(s->type), shown,
				    ctx ? " found in '" : "", ctx ? ctx : "",
				    ctx ? "'." : "");
				free(shown);
				free(ctx);
			} else {
				elems = validate_elements(vs, s, nv);
				cJSON_Delete(nv);
				nv = elems;
			}
		}
		pset(params, s->name, nv);
	}
}

/* Whether v is one of the choices (as Python's "v in choices"). */
static bool
choice_match(const struct names *choices, const cJSON *v)
{
	char *s;
	bool hit;

	if (cJSON_IsString(v))
		return names_has(choices, v->valuestring);
	if (!cJSON_IsNumber(v) && !cJSON_IsBool(v))
		return false;
	/* Tables write numeric choices as text. */
	s = json_py_str(v);
	hit = names_has(choices, s);
	free(s);
	return hit;
}

/* The one choice among a YAML boolean spelling set, or NULL. */
static const char *
bool_overlap(const struct names *choices, const char *const *set)
{
	const char *hit = NULL;
	size_t i, n = 0;

	for (i = 0; i < choices->n; i++) {
		if (in_list(set, choices->v[i])) {
			hit = choices->v[i];
			n++;
		}
	}
	return n == 1 ? hit : NULL;
}

/* _validate_argument_values(): choices, and "one or more of" for lists. */
static void
validate_values(struct vstate *vs, const struct arg_spec *spec, cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v, *e;
	struct names choices;
	struct buf diff = BUF_INIT(SIZE_MAX / 2);
	const char *hit;
	char *all, *shown, *suffix;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (!s->choices || !v)
			continue;
		names_split(&choices, s->choices);
		all = join(choices.v, choices.n, ", ");
		suffix = found_in(vs);
		if (cJSON_IsArray(v)) {
			buf_reset(&diff);
			cJSON_ArrayForEach(e, v) {
				if (choice_match(&choices, e))
					continue;
				shown = json_py_str(e);
				if ((diff.len && buf_adds(&diff, ", ")) ||
				    buf_adds(&diff, shown))
					BUG("out of memory");
				free(shown);
			}
			if (diff.len)
				fail(vs, "value of %s must be one or more of: %s. Got "
				    "no match for: %s%s", s->name, all, diff.data,
				    suffix);
		} else if (!choice_match(&choices, v)) {
			/* PyYAML turned "no" into False, which str made "False". */
			hit = NULL;
			if (cJSON_IsString(v) && strcmp(v->valuestring, "False") == 0)
				hit = bool_overlap(&choices, booleans_false);
			else if (cJSON_IsString(v) && strcmp(v->valuestring, "True") == 0)
				hit = bool_overlap(&choices, booleans_true);
			if (hit) {
				pset(params, s->name, new_string(hit));
			} else {
				shown = json_py_str(v);
				fail(vs, "value of %s must be one of: %s, got: %s%s",
				    s->name, all, shown, suffix);
				free(shown);
			}
		}
		free(suffix);
		free(all);
		names_release(&choices);
	}
	buf_release(&diff);
}

/* check_required_together(): the first incomplete group. */
static void
check_required_together(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const char *const *g;
	struct names nm;
	size_t n;
	char *list, *suffix;

	if (!rules || !rules->required_together)
		return;
	for (g = rules->required_together; *g; g++) {
		names_split(&nm, *g);
		n = count_present(params, &nm);
		if (n > 0 && n < nm.n) {
			list = join(nm.v, nm.n, ", ");
			suffix = found_in(vs);
			fail(vs, "parameters are required together: %s%s", list,
			    suffix);
			free(suffix);
			free(list);
			names_release(&nm);
			return;
		}
		names_release(&nm);
	}
}

/* check_required_one_of(): the first group with none present. */
static void
check_required_one_of(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const char *const *g;
	struct names nm;
	char *list, *suffix;

	if (!rules || !rules->required_one_of)
		return;
	for (g = rules->required_one_of; *g; g++) {
		names_split(&nm, *g);
		if (count_present(params, &nm) == 0) {
			list = join(nm.v, nm.n, ", ");
			suffix = found_in(vs);
			fail(vs, "one of the following is required: %s%s", list,
			    suffix);
			free(suffix);
			free(list);
			names_release(&nm);
			return;
		}
		names_release(&nm);
	}
}

/* check_required_if(): key == value requires all (or any) of the names. */
static void
check_required_if(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const struct arg_required_if *r;
	struct names req;
	char **missing = NULL;
	size_t i, n;
	cJSON *val;
	char *list, *shown, *suffix;
	bool done = false;

	if (!rules || !rules->required_if)
		return;
	for (r = rules->required_if; r->key && !done; r++) {
		val = table_json("a required_if value for", r->key, r->value);
		if (!phas(params, r->key) ||
		    !json_py_equal(pget(params, r->key), val)) {
			cJSON_Delete(val);
			continue;
		}
		names_split(&req, r->requirements);
		n = 0;
		for (i = 0; i < req.n; i++) {
			if (phas(params, req.v[i]))
				continue;
			missing = xrealloc(missing, (n + 1) * sizeof(*missing));
			missing[n++] = req.v[i];
		}
		if (n && (!r->any || n >= req.n)) {
			list = join(missing, n, ", ");
			shown = json_py_str(val);
			suffix = found_in(vs);
			fail(vs, "%s is %s but %s of the following are missing: %s%s",
			    r->key, shown, r->any ? "any" : "all", list, suffix);
			free(suffix);
			free(shown);
			free(list);
			done = true;
		}
		names_release(&req);
		cJSON_Delete(val);
	}
	free(missing);
}

/* check_required_by(): here (only) a null counts as absent, as in Python. */
static void
check_required_by(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const struct arg_required_by *r;
	struct names req;
	char **missing = NULL;
	size_t i, n;
	char *list, *suffix;
	bool done = false;

	if (!rules || !rules->required_by)
		return;
	for (r = rules->required_by; r->key && !done; r++) {
		if (is_null(pget(params, r->key)))
			continue;
		names_split(&req, r->requirements);
		n = 0;
		for (i = 0; i < req.n; i++) {
			if (!is_null(pget(params, req.v[i])))
				continue;
			missing = xrealloc(missing, (n + 1) * sizeof(*missing));
			missing[n++] = req.v[i];
		}
		if (n) {
			list = join(missing, n, ", ");
			suffix = found_in(vs);
			fail(vs, "missing parameter(s) required by '%s': %s%s",
			    r->key, list, suffix);
			free(suffix);
			free(list);
			done = true;
		}
		names_release(&req);
	}
	free(missing);
}

/*
 * The checks of one level (the top, or one dict of sub-options), in
 * validate()'s order; env fallbacks are set by the caller.
 */
static void
validate_level(struct vstate *vs, const struct arg_spec *spec,
    const struct arg_rules *rules, cJSON *params, const char *prefix)
{
	handle_aliases(vs, spec, params, prefix);
	list_no_log(vs, spec, params);
	collect_unsupported(vs, spec, params);
	check_mutually_exclusive(vs, rules, params);
	set_defaults(vs, spec, params, false);
	check_required(vs, spec, params);
	validate_types(vs, spec, params);
	validate_text(vs, spec, params);
	validate_values(vs, spec, params);
	check_required_together(vs, rules, params);
	check_required_one_of(vs, rules, params);
	check_required_if(vs, rules, params);
	check_required_by(vs, rules, params);
	set_defaults(vs, spec, params, true);
}

/* _validate_sub_spec(): each dict (or each dict of a list) of sub-options. */
static void
validate_sub_spec(struct vstate *vs, const struct arg_spec *spec,
    cJSON *params, const char *prefix)
{
	const struct arg_spec *s;
	cJSON *v, *sub;
	char *sub_prefix;
	int idx;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (!has_suboptions(s) || is_null(v))
			continue;
		if (vs->depth >= ARGS_MAX_DEPTH)
			BUG("sub-options of '%s' nest too deep", s->name);
		vs->context[vs->depth++] = s->name;
		idx = 0;
		for (sub = cJSON_IsArray(v) ? v->child : v; sub;
		    sub = cJSON_IsArray(v) ? sub->next : NULL, idx++) {
			if (!cJSON_IsObject(sub)) {
				fail(vs, "value of '%s' must be of type dict or list "
				    "of dicts", s->name);
				continue;
			}
			drop_nulls(sub);
			set_fallbacks(vs, s->options, sub);
			if (s->type == ARG_LIST)
				sub_prefix = xasprintf("%s%s[%d].", prefix, s->name, idx);
			else
				sub_prefix = xasprintf("%s%s.", prefix, s->name);
			validate_level(vs, s->options, s->rules, sub, sub_prefix);
			validate_sub_spec(vs, s->options, sub, sub_prefix);
			free(sub_prefix);
		}
		vs->depth--;
	}
}

/* The unsupported-parameters message; Python lists the table of the last name. */
static void
report_unsupported(struct vstate *vs)
{
	const struct arg_spec *spec, *s;
	struct names al;
	char **names, **opts = NULL, **aliases = NULL;
	char *unsupported, *supported, *alias_list;
	size_t i, j, nopts = 0, naliases = 0;

	if (!vs->nunsup)
		return;
	names = xcalloc(vs->nunsup, sizeof(*names));
	for (i = 0; i < vs->nunsup; i++)
		names[i] = vs->unsup[i].name;
	xqsort(names, vs->nunsup, sizeof(*names), cmp_str);
	spec = NULL;
	for (i = 0; i < vs->nunsup; i++)
		if (vs->unsup[i].name == names[vs->nunsup - 1])
			spec = vs->unsup[i].spec;
	for (s = spec; s->name; s++) {
		opts = xrealloc(opts, (nopts + 1) * sizeof(*opts));
		opts[nopts++] = xstrdup(s->name);
		names_split(&al, s->aliases);
		for (j = 0; j < al.n; j++) {
			aliases = xrealloc(aliases, (naliases + 1) * sizeof(*aliases));
			aliases[naliases++] = al.v[j];
		}
		free(al.v);
	}
	if (nopts)
		xqsort(opts, nopts, sizeof(*opts), cmp_str);
	if (naliases)
		xqsort(aliases, naliases, sizeof(*aliases), cmp_str);
	unsupported = join(names, vs->nunsup, ", ");
	supported = join(opts, nopts, ", ");
	alias_list = join(aliases, naliases, ", ");
	fail(vs, "Unsupported parameters for (%s) module: %s. Supported parameters "
	    "include: %s%s%s%s.",
	    vs->ctx->module_name ? vs->ctx->module_name : "None", unsupported,
	    supported, naliases ? " (" : "", alias_list, naliases ? ")" : "");
	free(alias_list);
	free(supported);
	free(unsupported);
	for (i = 0; i < nopts; i++)
		free(opts[i]);
	for (i = 0; i < naliases; i++)
		free(aliases[i]);
	free(opts);
	free(aliases);
	free(names);
}

/* The output: every option of spec in table order, sub-options likewise. */
static cJSON *
build_out(const struct arg_spec *spec, const cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v, *e;
	cJSON *obj = new_container(true), *nv;

	for (s = spec; s->name; s++) {
		v = params ? pget(params, s->name) : NULL;
		if (!v) {
			nv = cJSON_CreateNull();
			if (!nv)
				BUG("out of memory");
		} else if (has_suboptions(s) && cJSON_IsObject(v)) {
			nv = build_out(s->options, v);
		} else if (has_suboptions(s) && cJSON_IsArray(v)) {
			nv = new_container(false);
			cJSON_ArrayForEach(e, v)
				append(nv, cJSON_IsObject(e) ?
				    build_out(s->options, e) : clone(e));
		} else {
			nv = clone(v);
		}
		pset(obj, s->name, nv);
	}
	return obj;
}

/*
 * On failure *out is set as well: it holds what AnsibleModule's params hold
 * after a failed validation (defaults applied, values that failed their
 * check left as given), so that the failure's invocation can be rendered.
 */
int
args_validate(cJSON **out, struct core_ctx *ctx, const struct arg_spec *spec,
    const struct arg_rules *rules, const cJSON *input)
{
	struct vstate vs;
	cJSON *params = NULL;
	const cJSON *item, *w;
	size_t i;
	int rc = CORE_OK;

	*out = NULL;
	if (!spec || !input)
		BUG("args_validate without a table or input");
	if (!cJSON_IsObject(input))
		return core_error(ctx, CORE_EARGS,
		    "the module arguments are not a JSON object");
	memset(&vs, 0, sizeof(vs));
	vs.ctx = ctx;
	vs.top_warnings = new_container(false);

	/* AnsibleModule takes its _ansible_* keys out before validating. */
	params = new_container(true);
	cJSON_ArrayForEach(item, input)
		if (strncmp(item->string, "_ansible_", 9) != 0)
			pset(params, item->string, clone(item));
	drop_nulls(params);

	set_fallbacks(&vs, spec, params);
	validate_level(&vs, spec, rules, params, "");
	validate_sub_spec(&vs, spec, params, "");
	report_unsupported(&vs);

	/* ModuleArgumentSpecValidator warns after the sub-options did. */
	cJSON_ArrayForEach(w, vs.top_warnings)
		core_warn(ctx, "%s", w->valuestring);

	*out = build_out(spec, params);
	if (vs.err)
		rc = core_error(ctx, CORE_EARGS, "%s", vs.err);

	cJSON_Delete(params);
	cJSON_Delete(vs.top_warnings);
	for (i = 0; i < vs.nunsup; i++)
		free(vs.unsup[i].name);
	free(vs.unsup);
	free(vs.err);
	return rc;
}

/* --- reading the input ------------------------------------------------ */

/* Reads all of fd into b; what names the source in messages. */
static int
read_all(struct buf *b, struct core_ctx *ctx, int fd, const char *what)
{
	char chunk[65536];
	ssize_t n;

	if (buf_add(b, "", 0))
		BUG("out of memory");
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return core_error(ctx, CORE_EARGS, "unable to read %s: %s",
			    what, strerror(errno));
		if (n == 0)
			return CORE_OK;
		if (buf_add(b, chunk, (size_t)n))
			return core_error(ctx, CORE_EARGS, "%s is larger than %zu "
			    "bytes", what, b->max);
	}
}

static int
read_file(struct buf *b, struct core_ctx *ctx, const char *path)
{
	struct stat st;
	char *what;
	int fd, rc;

	what = xasprintf("the module arguments file '%s'", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = core_error(ctx, CORE_EARGS, "unable to read %s: %s", what,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = core_error(ctx, CORE_EARGS, "unable to read %s: %s", what,
		    strerror(EISDIR));
		goto out;
	}
	rc = read_all(b, ctx, fd, what);
out:
	if (fd >= 0)
		close(fd);
	free(what);
	return rc;
}

/* AnsibleModule.boolean() on an _ansible_* flag; null means false. */
static int
internal_flag(struct core_ctx *ctx, const cJSON *v, bool *flag)
{
	cJSON *b;
	char *why;

	if (is_null(v)) {
		*flag = false;
		return CORE_OK;
	}
	if (coerce_bool(&b, &why, v)) {
		core_error(ctx, CORE_EARGS, "%s", why);
		free(why);
		return CORE_EARGS;
	}
	*flag = cJSON_IsTrue(b);
	cJSON_Delete(b);
	return CORE_OK;
}

/* Sets ctx from the _ansible_* keys; module_name points into doc. */
static int
read_internal(struct core_ctx *ctx, const cJSON *doc)
{
	const cJSON *v;
	char *canon;
	double d;
	int rc = CORE_OK;

	cJSON_ArrayForEach(v, doc) {
		if (strcmp(v->string, "_ansible_check_mode") == 0)
			rc = internal_flag(ctx, v, &ctx->check_mode);
		else if (strcmp(v->string, "_ansible_diff") == 0)
			rc = internal_flag(ctx, v, &ctx->diff);
		else if (strcmp(v->string, "_ansible_no_log") == 0)
			rc = internal_flag(ctx, v, &ctx->no_log);
		else if (strcmp(v->string, "_ansible_module_name") == 0 &&
		    cJSON_IsString(v) && v->valuestring[0])
			ctx->module_name = v->valuestring;
		else if (strcmp(v->string, "_ansible_verbosity") == 0) {
			d = 0;
			if (cJSON_IsNumber(v)) {
				d = v->valuedouble;
			} else if (cJSON_IsString(v) &&
			    parse_int_text(v->valuestring, &canon, &d) == 0) {
				free(canon);
			}
			ctx->verbosity = d > 99 ? 99 : d < 0 ? 0 : (int)d;
		}
		if (rc)
			return rc;
	}
	return CORE_OK;
}

/*
 * ctx->module_name is set to the string inside *out (the input object),
 * which the caller keeps until the module exits: core_ctx has no field
 * to own it, and copying would leave a copy nobody frees.
 */
int
args_load(cJSON **out, struct core_ctx *ctx, int argc, char **argv)
{
	struct buf b = BUF_INIT(BUF_DEFAULT_MAX);
	cJSON *doc = NULL;
	char *err = NULL;
	int rc;

	*out = NULL;
	if (argc >= 2 && argv[1])
		rc = read_file(&b, ctx, argv[1]);
	else if (!isatty(STDIN_FILENO))
		rc = read_all(&b, ctx, STDIN_FILENO,
		    "the module arguments from stdin");
	else
		return core_error(ctx, CORE_EARGS, "no module arguments: pass the "
		    "path of a JSON arguments file as the first argument");
	if (rc)
		goto out;
	if (json_parse(&doc, &err, b.data, b.len, 0)) {
		rc = core_error(ctx, CORE_EARGS, "the module arguments are not "
		    "valid JSON: %s", err);
		goto out;
	}
	if (!cJSON_IsObject(doc)) {
		rc = core_error(ctx, CORE_EARGS,
		    "the module arguments are not a JSON object");
		goto out;
	}
	rc = read_internal(ctx, doc);
	if (rc)
		goto out;
	*out = doc;
	doc = NULL;
out:
	cJSON_Delete(doc);
	free(err);
	buf_release(&b);
	return rc;
}

/* --- invocation and accessors ---------------------------------------- */

/*
 * remove_values() on a no_log value: truthy strings and numbers become
 * VALUE_SPECIFIED_IN_NO_LOG_PARAMETER; inside a container every string
 * and number does (Python registers them one by one).
 */
static cJSON *
mask_no_log(const cJSON *v, bool top)
{
	const cJSON *c;
	cJSON *r;

	if (cJSON_IsString(v) || cJSON_IsNumber(v)) {
		if (top ? !truthy(v) : (cJSON_IsString(v) && !v->valuestring[0]))
			return clone(v);
		return new_string(CORE_NO_LOG_VALUE);
	}
	if ((cJSON_IsArray(v) || cJSON_IsObject(v)) && v->child) {
		r = new_container(cJSON_IsObject(v));
		cJSON_ArrayForEach(c, v) {
			if (cJSON_IsObject(v))
				pset(r, c->string, mask_no_log(c, false));
			else
				append(r, mask_no_log(c, false));
		}
		return r;
	}
	return clone(v);
}

static cJSON *
invocation_args(const struct arg_spec *spec, const cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v, *e;
	cJSON *obj = new_container(true), *nv;

	for (s = spec; s->name; s++) {
		v = params ? pget(params, s->name) : NULL;
		if (!v) {
			nv = cJSON_CreateNull();
			if (!nv)
				BUG("out of memory");
		} else if (s->no_log) {
			nv = mask_no_log(v, true);
		} else if (has_suboptions(s) && cJSON_IsObject(v)) {
			nv = invocation_args(s->options, v);
		} else if (has_suboptions(s) && cJSON_IsArray(v)) {
			nv = new_container(false);
			cJSON_ArrayForEach(e, v)
				append(nv, cJSON_IsObject(e) ?
				    invocation_args(s->options, e) : clone(e));
		} else {
			nv = clone(v);
		}
		pset(obj, s->name, nv);
	}
	return obj;
}

cJSON *
args_invocation(const struct arg_spec *spec, const cJSON *params)
{
	cJSON *inv = new_container(true);

	pset(inv, "module_args", invocation_args(spec, params));
	return inv;
}

const char *
args_text_name(enum arg_text t)
{
	switch (t) {
	case ARG_TEXT_ANY:
		return "any";
	case ARG_TEXT_FREE:
		return "free";
	case ARG_TEXT_LINE:
		return "line";
	case ARG_TEXT_NAME:
		return "name";
	}
	BUG("unknown text class %d", (int)t);
}

const cJSON *
arg_get(const cJSON *params, const char *name)
{
	const cJSON *v = params ? pget(params, name) : NULL;

	return is_null(v) ? NULL : v;
}

bool
arg_isset(const cJSON *params, const char *name)
{
	return arg_get(params, name) != NULL;
}

const char *
arg_str(const cJSON *params, const char *name)
{
	const cJSON *v = arg_get(params, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool
arg_bool(const cJSON *params, const char *name)
{
	const cJSON *v = arg_get(params, name);

	return cJSON_IsTrue(v);
}

/* A bool passes Python's int check unchanged; it reads as 1 or 0 here. */
long long
arg_int_or(const cJSON *params, const char *name, long long unset)
{
	const cJSON *v = arg_get(params, name);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	    fabs(v->valuedouble) <= (double)JSON_INT_MAX)
		return (long long)v->valuedouble;
	return unset;
}

long long
arg_int(const cJSON *params, const char *name)
{
	return arg_int_or(params, name, 0);
}

double
arg_float(const cJSON *params, const char *name)
{
	const cJSON *v = arg_get(params, name);

	if (cJSON_IsNumber(v))
		return v->valuedouble;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? 1.0 : 0.0;
	return 0.0;
}
