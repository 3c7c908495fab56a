/*
 * args.c - reading the args file Ansible writes, and validating it exactly
 * as AnsibleModule does: the entry points, the accessors, and the steps of
 * the validation that walk the table (the coercions are in argcoerce.c, the
 * checks of values and rules in argcheck.c; args_internal.h joins them).
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
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args_internal.h"
#include "buf.h"
#include "jsonutil.h"

/* --- small helpers --------------------------------------------------- */

void
args_names_split(struct names *nm, const char *list)
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

void
args_names_release(struct names *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->v[i]);
	free(nm->v);
	nm->v = NULL;
	nm->n = 0;
}

bool
args_names_has(const struct names *nm, const char *s)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		if (strcmp(nm->v[i], s) == 0)
			return true;
	return false;
}

int
args_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins v[0..n) with sep into a new string. */
char *
args_join(char *const *v, size_t n, const char *sep)
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

/* Whether the option holds sub-options (a dict, or a list of dicts). */
static bool
has_suboptions(const struct arg_spec *s)
{
	return s->options && (s->type == ARG_DICT ||
	    (s->type == ARG_LIST && s->elements == ARG_DICT));
}

/* Parses JSON text written in an option table; a bad one is a programmer error. */
cJSON *
args_table_json(const char *what, const char *name, const char *text)
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
	d = args_table_json("the default", s->name, s->def);
	if (cJSON_IsNull(d)) {
		cJSON_Delete(d);
		return NULL;
	}
	return d;
}

/* Records a validation error; only the first one is reported. */
void
args_fail(struct vstate *vs, const char *fmt, ...)
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
char *
args_context_join(const struct vstate *vs, const char *sep)
{
	if (!vs->depth)
		return NULL;
	return args_join((char *const *)vs->context, vs->depth, sep);
}

/* The " found in a -> b" suffix of most messages ("" at the top level). */
char *
args_found_in(const struct vstate *vs)
{
	char *c = args_context_join(vs, " -> "), *s;

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
		args_names_split(&env, s->fallback_env);
		for (i = 0; i < env.n; i++) {
			val = getenv(env.v[i]);
			if (!val)
				continue;
			if (s->no_log)
				core_secret_add(vs->ctx, val);
			pset(params, s->name, new_string(val));
			break;
		}
		args_names_release(&env);
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
			args_fail(vs, "internal error: required and default are mutually "
			    "exclusive for %s", s->name);
			return;
		}
		args_names_split(&al, s->aliases);
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
		args_names_release(&al);
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
			if (cJSON_IsString(sub) && args_coerce(&conv, &why, ARG_DICT, sub)) {
				/* Python says only why; name the option too. */
				char *suffix = args_found_in(vs);

				args_fail(vs, "option '%s'%s: %s; give a dict (YAML mapping), or "
				    "its JSON or key=value text", s->name, suffix, why);
				free(suffix);
				free(why);
				return -1;
			}
			target = conv ? conv : sub;
			if (!cJSON_IsObject(target)) {
				shown = json_py_str(target);
				/* Python's own wording, "must by" included. */
				args_fail(vs, "Value '%s' in the sub parameter field '%s' "
				    "must by a %s, not '%s'", shown, s->name,
				    args_type_name(s->type), class_name(target, cls,
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
		args_names_split(&al, s->aliases);
		found = args_names_has(&al, key);
		args_names_release(&al);
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
		ctx = args_context_join(vs, ".");
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
	args_check_mutually_exclusive(vs, rules, params);
	set_defaults(vs, spec, params, false);
	args_check_required(vs, spec, params);
	args_validate_types(vs, spec, params);
	args_check_texts(vs, spec, params);
	args_check_choices(vs, spec, params);
	args_check_dependencies(vs, rules, params);
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
				args_fail(vs, "value of '%s' must be of type dict or list "
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
	xqsort(names, vs->nunsup, sizeof(*names), args_cmp_str);
	spec = NULL;
	for (i = 0; i < vs->nunsup; i++)
		if (vs->unsup[i].name == names[vs->nunsup - 1])
			spec = vs->unsup[i].spec;
	for (s = spec; s->name; s++) {
		opts = xrealloc(opts, (nopts + 1) * sizeof(*opts));
		opts[nopts++] = xstrdup(s->name);
		args_names_split(&al, s->aliases);
		for (j = 0; j < al.n; j++) {
			aliases = xrealloc(aliases, (naliases + 1) * sizeof(*aliases));
			aliases[naliases++] = al.v[j];
		}
		free(al.v);
	}
	if (nopts)
		xqsort(opts, nopts, sizeof(*opts), args_cmp_str);
	if (naliases)
		xqsort(aliases, naliases, sizeof(*aliases), args_cmp_str);
	unsupported = args_join(names, vs->nunsup, ", ");
	supported = args_join(opts, nopts, ", ");
	alias_list = args_join(aliases, naliases, ", ");
	args_fail(vs, "Unsupported parameters for (%s) module: %s. Supported parameters "
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
	if (args_coerce(&b, &why, ARG_BOOL, v)) {
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
			    args_parse_int_text(v->valuestring, &canon, &d) == 0) {
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

