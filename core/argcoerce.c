/*
 * argcoerce.c - the type coercions of the argument validator, as
 * ansible-core's validation.py check_type_* and convert_bool do them, and
 * the type step of ArgumentSpecValidator.validate() (args_internal.h).
 *
 * Where a C module cannot do what Python does, the value is refused with a
 * message saying why: integers beyond 2^53 (cJSON keeps numbers as
 * doubles), non-finite floats (JSON cannot carry them).
 */
#include "args_internal.h"

#include <errno.h>
#include <math.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "jsonutil.h"

/* Python's convert_bool.BOOLEANS, in a fixed order (Python's set order varies). */
#define ARGS_VALID_BOOLEANS "'y', 'yes', 'on', '1', 'true', 't', 1, " \
	"'n', 'no', 'off', '0', 'false', 'f', 0"

const char *const args_booleans_true[] = { "y", "yes", "on", "1", "true", "t", NULL };
const char *const args_booleans_false[] = { "n", "no", "off", "0", "false", "f", NULL };

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
int
args_parse_int_text(const char *text, char **canon, double *value)
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
 * Copies the digits at *pp into b, leaving out each underscore that stands
 * between two digits, and moves *pp past them. Whether there was a digit.
 */
static bool
take_digits(struct buf *b, char **pp)
{
	char *p;
	bool digits = false;

	for (p = *pp; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digits = true;
		} else if (*p == '_' && p[-1] >= '0' && p[-1] <= '9' &&
		    p[1] >= '0' && p[1] <= '9') {
			continue;
		} else {
			break;
		}
		if (buf_add(b, p, 1))
			BUG("out of memory");
	}
	*pp = p;
	return digits;
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
		p++;
		if (take_digits(&b, &p))
			digits = true;
	}
	if (!digits)
		goto out;
	if (*p == 'e' || *p == 'E') {
		if (buf_add(&b, "e", 1))
			BUG("out of memory");
		p++;
		if (*p == '+' || *p == '-') {
			if (buf_add(&b, p, 1))
				BUG("out of memory");
			p++;
		}
		if (!take_digits(&b, &p))
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

	if (cJSON_IsString(v)) {
		s = json_py_strip(v->valuestring);
		ascii_lower(s);
		if (core_str_in(args_booleans_true, s) ||
		    core_str_in(args_booleans_false, s)) {
			*out = core_str_in(args_booleans_true, s) ? cJSON_CreateTrue() :
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
		rc = args_parse_int_text(v->valuestring, &canon, &value);
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
	args_names_release(&fields);
	buf_release(&field);
	free(s);
	return rc;
}

static int
coerce_dict(cJSON **out, char **why, const cJSON *v)
{
	const char *s;
	cJSON *d = NULL;

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

/* str(v): a string stays, anything else becomes its Python text. */
static int
coerce_str(cJSON **out, char **why, const cJSON *v)
{
	char *s = json_py_str(v);

	(void)why;
	*out = new_string(s);
	free(s);
	return 0;
}

/* check_type_path(): os.path.expanduser(os.path.expandvars(str(v))). */
static int
coerce_path(cJSON **out, char **why, const cJSON *v)
{
	char *s = json_py_str(v), *vars = expand_vars(s), *path = expand_user(vars);

	(void)why;
	*out = new_string(path);
	free(path);
	free(vars);
	free(s);
	return 0;
}

/* check_type_raw(): as given. */
static int
coerce_raw(cJSON **out, char **why, const cJSON *v)
{
	(void)why;
	*out = clone(v);
	return 0;
}

/* cJSON's type bits of a bool (false or true). */
#define ARGS_JSON_BOOL (cJSON_False | cJSON_True)

/*
 * DEFAULT_TYPE_VALIDATORS: each type's AnsibleModule name, the JSON types
 * its checker returns unchanged (cJSON type bits), and the checker for the
 * others. Python's bool is an int: check_type_int() returns it unchanged.
 */
static const struct {
	const char *name;
	int keep;
	int (*coerce)(cJSON **out, char **why, const cJSON *v);
} types[] = {
	[ARG_NONE] = { "str", cJSON_String, coerce_str },
	[ARG_STR] = { "str", cJSON_String, coerce_str },
	[ARG_BOOL] = { "bool", ARGS_JSON_BOOL, coerce_bool },
	[ARG_INT] = { "int", ARGS_JSON_BOOL, coerce_int },
	[ARG_FLOAT] = { "float", 0, coerce_float },
	[ARG_LIST] = { "list", cJSON_Array, coerce_list },
	[ARG_DICT] = { "dict", cJSON_Object, coerce_dict },
	[ARG_PATH] = { "path", 0, coerce_path },
	[ARG_RAW] = { "raw", 0, coerce_raw },
};

static size_t
type_index(enum arg_type t)
{
	if ((size_t)t >= ARRAY_SIZE(types) || !types[t].name)
		BUG("unknown argument type %d", (int)t);
	return (size_t)t;
}

const char *
args_type_name(enum arg_type t)
{
	return types[type_index(t)].name;
}

int
args_coerce(cJSON **out, char **why, enum arg_type t, const cJSON *v)
{
	size_t i = type_index(t);

	*out = NULL;
	*why = NULL;
	if (v->type & types[i].keep) {
		*out = clone(v);
		return 0;
	}
	return types[i].coerce(out, why, v);
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
		if (args_text_type(s->elements) && args_refuse_container_name(vs, s, e, idx))
			continue;
		if (args_coerce(&nv, &why, s->elements, e) == 0) {
			append(res, nv);
			continue;
		}
		ctx = args_context_join(vs, " -> ");
		args_fail(vs, "Elements value for option '%s'%s%s%s is of type %s and "
		    "we were unable to convert to %s: %s", s->name,
		    ctx ? " found in '" : "", ctx ? ctx : "", ctx ? "'" : "",
		    json_py_type(e), args_type_name(s->elements), why);
		free(ctx);
		free(why);
	}
	return res;
}

/* _validate_argument_types(): table order; null values are skipped. */
void
args_validate_types(struct vstate *vs, const struct arg_spec *spec, cJSON *params)
{
	const struct arg_spec *s;
	const cJSON *v;
	cJSON *nv, *elems;
	char *why, *ctx, *shown;

	for (s = spec; s->name; s++) {
		v = pget(params, s->name);
		if (is_null(v))
			continue;
		if (args_text_type(s->type) && args_refuse_container_name(vs, s, v, -1))
			continue;
		if (args_coerce(&nv, &why, s->type, v)) {
			ctx = args_context_join(vs, " -> ");
			args_fail(vs, "argument '%s' is of type %s%s%s%s and we were "
			    "unable to convert to %s: %s", s->name, json_py_type(v),
			    ctx ? " found in '" : "", ctx ? ctx : "",
			    ctx ? "'." : "", args_type_name(s->type), why);
			free(ctx);
			free(why);
			continue;
		}
		if (s->elements != ARG_NONE) {
			if (s->type != ARG_LIST || !cJSON_IsArray(nv)) {
				ctx = args_context_join(vs, " -> ");
				shown = json_py_str(nv);
				args_fail(vs, "Invalid type %s for option '%s'%s%s%s, "
				    "elements value check is supported only with "
				    "'list' type", args_type_name(s->type), shown,
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
