/*
 * argcheck.c - the checks of the argument validator on values and rules,
 * as ansible-core's validation.py check_* functions make them (required,
 * choices, mutually_exclusive, required_together, required_one_of,
 * required_if, required_by), and the text, length and range declarations
 * of the tables (enum arg_text in args.h). Shared state in args_internal.h.
 */
#include "args_internal.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonutil.h"

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
	suffix = args_found_in(vs);
	args_fail(vs, "option '%s'%s%s %s; accepted: %s", s->name, elem, suffix, why,
	    acc);
	free(suffix);
	free(acc);
	free(why);
}

/* Whether the text checks apply to values of type t. */
bool
args_text_type(enum arg_type t)
{
	return t == ARG_STR || t == ARG_PATH || t == ARG_NONE;
}

/* The .text, .max_len and range declarations, after the type checks. */
void
args_check_texts(struct vstate *vs, const struct arg_spec *spec, const cJSON *params)
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

			suffix = args_found_in(vs);
			args_fail(vs, "option '%s' is %s%s; accepted: an integer from %lld "
			    "to %lld", s->name, shown, suffix, s->min, s->max);
			free(suffix);
			free(shown);
		}
		if (s->text == ARG_TEXT_ANY && !s->max_len)
			continue;
		if (args_text_type(s->type) && cJSON_IsString(v)) {
			check_one_text(vs, s, v->valuestring, -1);
		} else if (s->type == ARG_LIST && args_text_type(s->elements) &&
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
bool
args_refuse_container_name(struct vstate *vs, const struct arg_spec *s,
    const cJSON *v, int idx)
{
	char *suffix, elem[48] = "";

	if (s->text != ARG_TEXT_NAME || !(cJSON_IsArray(v) || cJSON_IsObject(v)))
		return false;
	if (idx >= 0)
		snprintf(elem, sizeof(elem), " (item %d)", idx + 1);
	suffix = args_found_in(vs);
	args_fail(vs, "option '%s'%s is a %s%s; accepted: one name, given as a string",
	    s->name, elem, cJSON_IsArray(v) ? "list" : "dict", suffix);
	free(suffix);
	return true;
}

/* --- rules and values (validation.py check_*) ------------------------ */

static size_t
count_present(const cJSON *params, const struct names *nm)
{
	size_t i, n = 0;

	for (i = 0; i < nm->n; i++)
		if (phas(params, nm->v[i]))
			n++;
	return n;
}

/* args_check_mutually_exclusive(): every offending group, "a|b, c|d". */
void
args_check_mutually_exclusive(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const char *const *g;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	struct names nm;
	char *suffix;

	if (!rules || !rules->mutually_exclusive)
		return;
	for (g = rules->mutually_exclusive; *g; g++) {
		args_names_split(&nm, *g);
		if (count_present(params, &nm) > 1 &&
		    ((b.len && buf_adds(&b, ", ")) || buf_adds(&b, *g)))
			BUG("out of memory");
		args_names_release(&nm);
	}
	if (b.len) {
		suffix = args_found_in(vs);
		args_fail(vs, "parameters are mutually exclusive: %s%s", b.data, suffix);
		free(suffix);
	}
	buf_release(&b);
}

/* check_required_arguments(): the missing names, sorted. */
void
args_check_required(struct vstate *vs, const struct arg_spec *spec,
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
		xqsort(missing, n, sizeof(*missing), args_cmp_str);
		list = args_join((char *const *)missing, n, ", ");
		suffix = args_found_in(vs);
		args_fail(vs, "missing required arguments: %s%s", list, suffix);
		free(suffix);
		free(list);
	}
	free(missing);
}

/* Whether v is one of the choices (as Python's "v in choices"). */
static bool
choice_match(const struct names *choices, const cJSON *v)
{
	char *s;
	bool hit;

	if (cJSON_IsString(v))
		return args_names_has(choices, v->valuestring);
	if (!cJSON_IsNumber(v) && !cJSON_IsBool(v))
		return false;
	/* Tables write numeric choices as text. */
	s = json_py_str(v);
	hit = args_names_has(choices, s);
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
		if (core_str_in(set, choices->v[i])) {
			hit = choices->v[i];
			n++;
		}
	}
	return n == 1 ? hit : NULL;
}

/* _validate_argument_values(): choices, and "one or more of" for lists. */
void
args_check_choices(struct vstate *vs, const struct arg_spec *spec, cJSON *params)
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
		args_names_split(&choices, s->choices);
		all = args_join(choices.v, choices.n, ", ");
		suffix = args_found_in(vs);
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
				args_fail(vs, "value of %s must be one or more of: %s. Got "
				    "no match for: %s%s", s->name, all, diff.data,
				    suffix);
		} else if (!choice_match(&choices, v)) {
			/* PyYAML turned "no" into False, which str made "False". */
			hit = NULL;
			if (cJSON_IsString(v) && strcmp(v->valuestring, "False") == 0)
				hit = bool_overlap(&choices, args_booleans_false);
			else if (cJSON_IsString(v) && strcmp(v->valuestring, "True") == 0)
				hit = bool_overlap(&choices, args_booleans_true);
			if (hit) {
				pset(params, s->name, new_string(hit));
			} else {
				shown = json_py_str(v);
				args_fail(vs, "value of %s must be one of: %s, got: %s%s",
				    s->name, all, shown, suffix);
				free(shown);
			}
		}
		free(suffix);
		free(all);
		args_names_release(&choices);
	}
	buf_release(&diff);
}

/*
 * check_required_together() (together) and check_required_one_of(): the
 * first group of groups with some but not all of its names present
 * (together), or with none present.
 */
static void
check_groups(struct vstate *vs, const char *const *groups, bool together,
    const cJSON *params)
{
	const char *const *g;
	struct names nm;
	size_t n;
	char *list, *suffix;

	for (g = groups; g && *g; g++) {
		args_names_split(&nm, *g);
		n = count_present(params, &nm);
		if (together ? n > 0 && n < nm.n : n == 0) {
			list = args_join(nm.v, nm.n, ", ");
			suffix = args_found_in(vs);
			args_fail(vs, together ? "parameters are required together: %s%s" :
			    "one of the following is required: %s%s", list, suffix);
			free(suffix);
			free(list);
			args_names_release(&nm);
			return;
		}
		args_names_release(&nm);
	}
}

/*
 * The names of req absent from params (null_absent: or null), borrowed
 * from req, into *missing (grown as needed; the caller frees the array).
 * How many.
 */
static size_t
collect_missing(char ***missing, const struct names *req, const cJSON *params,
    bool null_absent)
{
	size_t i, n = 0;

	for (i = 0; i < req->n; i++) {
		if (null_absent ? !is_null(pget(params, req->v[i])) :
		    phas(params, req->v[i]))
			continue;
		*missing = xrealloc(*missing, (n + 1) * sizeof(**missing));
		(*missing)[n++] = req->v[i];
	}
	return n;
}

/* check_required_if(): key == value requires all (or any) of the names. */
static void
check_required_if(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	const struct arg_required_if *r;
	struct names req;
	char **missing = NULL;
	size_t n;
	cJSON *val;
	char *list, *shown, *suffix;
	bool done = false;

	if (!rules || !rules->required_if)
		return;
	for (r = rules->required_if; r->key && !done; r++) {
		val = args_table_json("a required_if value for", r->key, r->value);
		if (!phas(params, r->key) ||
		    !json_py_equal(pget(params, r->key), val)) {
			cJSON_Delete(val);
			continue;
		}
		args_names_split(&req, r->requirements);
		n = collect_missing(&missing, &req, params, false);
		if (n && (!r->any || n >= req.n)) {
			list = args_join(missing, n, ", ");
			shown = json_py_str(val);
			suffix = args_found_in(vs);
			args_fail(vs, "%s is %s but %s of the following are missing: %s%s",
			    r->key, shown, r->any ? "any" : "all", list, suffix);
			free(suffix);
			free(shown);
			free(list);
			done = true;
		}
		args_names_release(&req);
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
	size_t n;
	char *list, *suffix;
	bool done = false;

	if (!rules || !rules->required_by)
		return;
	for (r = rules->required_by; r->key && !done; r++) {
		if (is_null(pget(params, r->key)))
			continue;
		args_names_split(&req, r->requirements);
		n = collect_missing(&missing, &req, params, true);
		if (n) {
			list = args_join(missing, n, ", ");
			suffix = args_found_in(vs);
			args_fail(vs, "missing parameter(s) required by '%s': %s%s",
			    r->key, list, suffix);
			free(suffix);
			free(list);
			done = true;
		}
		args_names_release(&req);
	}
	free(missing);
}

void
args_check_dependencies(struct vstate *vs, const struct arg_rules *rules,
    const cJSON *params)
{
	if (!rules)
		return;
	check_groups(vs, rules->required_together, true, params);
	check_groups(vs, rules->required_one_of, false, params);
	check_required_if(vs, rules, params);
	check_required_by(vs, rules, params);
}
