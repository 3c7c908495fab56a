/*
 * result.c - the one JSON object a module prints, and the secret scrubber
 * that every byte of it passes through (see result.h).
 *
 * Scrubbing is AnsibleModule's remove_values() (module_utils/common/
 * parameters.py) applied to keys as well, as sanitize_keys() does:
 *   - a string equal to a secret becomes VALUE_SPECIFIED_IN_NO_LOG_PARAMETER;
 *   - each stretch of a longer string covered by secrets becomes "********"
 *     (overlapping or nested occurrences form one stretch, tried longest
 *     secret first, so no fragment of any secret survives);
 *   - a number, boolean or null whose Python text (3, True, None) equals or
 *     contains a secret becomes VALUE_SPECIFIED_IN_NO_LOG_PARAMETER.
 * The one exception: the top-level "changed", "failed" and "skipped" stay
 * real booleans, since Ansible reads them.
 */
#include "result.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonutil.h"

/* What a secret inside a longer string becomes. */
#define RESULT_MASK "********"

/* Keys result_render() writes itself. */
static const char *const reserved_keys[] = {
	"changed", "failed", "diff", "warnings", "invocation", NULL
};

/* Top-level keys Ansible reads: their names are never scrubbed. */
static const char *const ansible_keys[] = {
	"changed", "failed", "skipped", "msg", "diff", "warnings", "deprecations",
	"invocation", "results", "rc", "exception", "ansible_facts", NULL
};

/* Top-level booleans Ansible reads: they stay booleans. */
static const char *const bool_keys[] = { "changed", "failed", "skipped", NULL };

void
result_init(struct result *r)
{
	r->changed = false;
	r->out = cJSON_CreateObject();
	if (!r->out)
		BUG("out of memory");
	r->diff = NULL;
	r->stream_key = NULL;
	r->stream_n = 0;
	r->stream_item = NULL;
	r->stream_arg = NULL;
	r->stream_release = NULL;
}

static void
stream_drop(struct result *r)
{
	if (r->stream_release)
		r->stream_release(r->stream_arg);
	free(r->stream_key);
	r->stream_key = NULL;
	r->stream_n = 0;
	r->stream_item = NULL;
	r->stream_arg = NULL;
	r->stream_release = NULL;
}

void
result_release(struct result *r)
{
	cJSON_Delete(r->out);
	cJSON_Delete(r->diff);
	stream_drop(r);
	r->out = NULL;
	r->diff = NULL;
	r->changed = false;
}

static bool
is_reserved(const char *key)
{
	return strncmp(key, "_ansible", strlen("_ansible")) == 0 ||
	    core_str_in(reserved_keys, key);
}

/* obj[key] = item (consumed); an existing key keeps its place. */
static void
object_put(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item))
			BUG("out of memory");
	} else if (!cJSON_AddItemToObject(obj, key, item)) {
		BUG("out of memory");
	}
}

void
result_put(struct result *r, const char *key, cJSON *item)
{
	if (!item)
		BUG("result_put('%s') without a value", key);
	if (is_reserved(key)) {
		cJSON_Delete(item);
		BUG("result key '%s' is reserved", key);
	}
	if (strcmp(key, "results") == 0 && !cJSON_IsArray(item)) {
		cJSON_Delete(item);
		BUG("result key 'results' must be a list");
	}
	object_put(r->out, key, item);
}

/*
 * What a streamed list stands as among the return values until printed: a
 * raw byte no printed JSON text holds otherwise (cJSON escapes control
 * characters in strings).
 */
#define STREAM_MARK "\x01"

void
result_put_stream(struct result *r, const char *key, size_t n, result_item_fn item,
    void *arg, void (*release)(void *arg))
{
	cJSON *mark;

	if (r->stream_key) {
		if (release)
			release(arg);
		BUG("result_put_stream('%s') after '%s'", key, r->stream_key);
	}
	if (is_reserved(key)) {
		if (release)
			release(arg);
		BUG("result key '%s' is reserved", key);
	}
	mark = cJSON_CreateRaw(STREAM_MARK);
	if (!mark)
		BUG("out of memory");
	object_put(r->out, key, mark);
	r->stream_key = xstrdup(key);
	r->stream_n = n;
	r->stream_item = item;
	r->stream_arg = arg;
	r->stream_release = release;
}

/* Whether item (a member of out) is the streamed list's mark. */
static bool
is_stream_mark(const struct result *r, const cJSON *item)
{
	return r->stream_key && cJSON_IsRaw(item) && item->string &&
	    strcmp(item->string, r->stream_key) == 0;
}

/* A diff side: an object, a string or null; C NULL means {}. */
static cJSON *
diff_side(cJSON *side, const char *which)
{
	cJSON *empty;

	if (!side) {
		empty = cJSON_CreateObject();
		if (!empty)
			BUG("out of memory");
		return empty;
	}
	if (!cJSON_IsObject(side) && !cJSON_IsString(side) && !cJSON_IsNull(side)) {
		cJSON_Delete(side);
		BUG("diff '%s' must be an object, a string or NULL", which);
	}
	return side;
}

void
result_add_diff(struct result *r, const struct core_ctx *ctx, cJSON *before,
    cJSON *after, const char *before_header, const char *after_header)
{
	cJSON *entry, *list;

	if (!ctx->diff) {
		cJSON_Delete(before);
		cJSON_Delete(after);
		return;
	}
	before = diff_side(before, "before");
	after = diff_side(after, "after");
	entry = cJSON_CreateObject();
	if (!entry)
		BUG("out of memory");
	object_put(entry, "before", before);
	object_put(entry, "after", after);
	if (before_header)
		object_put(entry, "before_header", cJSON_CreateString(before_header));
	if (after_header)
		object_put(entry, "after_header", cJSON_CreateString(after_header));
	if (!r->diff) {
		r->diff = entry;
		return;
	}
	if (!cJSON_IsArray(r->diff)) {
		list = cJSON_CreateArray();
		if (!list || !cJSON_AddItemToArray(list, r->diff))
			BUG("out of memory");
		r->diff = list;
	}
	if (!cJSON_AddItemToArray(r->diff, entry))
		BUG("out of memory");
}

/* --- scrubbing --------------------------------------------------------- */

/* Length of the longest secret that starts at s, or 0. */
static size_t
longest_at(const struct core_ctx *ctx, const char *s)
{
	size_t i, len, best = 0;

	for (i = 0; i < ctx->nsecrets; i++) {
		len = strlen(ctx->secrets[i]);
		if (len > best && strncmp(s, ctx->secrets[i], len) == 0)
			best = len;
	}
	return best;
}

static bool
b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Length of a JSON Web Token starting at s ("eyJ" header, two dots, three
 * base64url parts), or 0. Any token a service echoes is masked, registered
 * or not.
 */
static size_t
jwt_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, part, dots = 0;

	if (strncmp(s, "eyJ", 3) != 0)
		return 0;
	for (;;) {
		for (part = 0; b64url(p[i]); i++)
			part++;
		if (part < (dots < 2 ? 4u : 0u))
			return 0;
		if (dots == 2 || p[i] != '.')
			break;
		dots++;
		i++;
	}
	return dots == 2 ? i : 0;
}

/* Length of the longest secret or token that starts at s, or 0. */
static size_t
masked_at(const struct core_ctx *ctx, const char *s, const char *start)
{
	size_t best = longest_at(ctx, s), jwt;

	if ((s == start || !b64url((unsigned char)s[-1])) &&
	    (jwt = jwt_at(s)) > best)
		best = jwt;
	return best;
}

/* The scrubbed form of s, or NULL when s contains no secret or token. */
static char *
scrub_or_null(const struct core_ctx *ctx, const char *s)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t i, j, n, m, end;
	bool hit = false;

	if (!ctx->nsecrets && !strstr(s, "eyJ"))
		return NULL;
	for (i = 0; i < ctx->nsecrets; i++)
		if (strcmp(s, ctx->secrets[i]) == 0)
			return xstrdup(CORE_NO_LOG_VALUE);
	n = strlen(s);
	if (buf_add(&b, "", 0))
		BUG("out of memory");
	for (i = 0; i < n;) {
		m = masked_at(ctx, s + i, s);
		if (!m) {
			if (buf_add(&b, s + i, 1))
				BUG("out of memory");
			i++;
			continue;
		}
		/* Extend the stretch over every occurrence that overlaps it. */
		end = i + m;
		for (j = i + 1; j < end; j++) {
			m = masked_at(ctx, s + j, s);
			if (j + m > end)
				end = j + m;
		}
		if (buf_adds(&b, RESULT_MASK))
			BUG("out of memory");
		hit = true;
		i = end;
	}
	if (!hit) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

char *
result_scrub_str(const struct core_ctx *ctx, const char *s)
{
	char *r = scrub_or_null(ctx, s);

	return r ? r : xstrdup(s);
}

/* Whether a secret equals or occurs in text (remove_values on a non-string). */
static bool
mentions_secret(const struct core_ctx *ctx, const char *text)
{
	size_t i;

	for (i = 0; i < ctx->nsecrets; i++)
		if (strstr(text, ctx->secrets[i]))
			return true;
	return false;
}

static char *
cjson_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = cJSON_malloc(n);

	if (!p)
		BUG("out of memory");
	memcpy(p, s, n);
	return p;
}

/* Makes item a string holding s, in place (its key and place are kept). */
static void
set_string(cJSON *item, const char *s)
{
	int keep = item->type & cJSON_StringIsConst;

	if (item->valuestring && !(item->type & cJSON_IsReference))
		cJSON_free(item->valuestring);
	item->valuestring = cjson_strdup(s);
	item->type = cJSON_String | keep;
}

static void
set_key(cJSON *item, const char *key)
{
	if (!(item->type & cJSON_StringIsConst))
		cJSON_free(item->string);
	item->string = cjson_strdup(key);
	item->type &= ~cJSON_StringIsConst;
}

/*
 * After a key changed: Python's new_data[key] = value gives the value to
 * an earlier member with that key, in that member's place.
 */
static void
merge_duplicate(cJSON *obj, cJSON *item)
{
	cJSON *e;

	for (e = obj->child; e && e != item; e = e->next) {
		if (e->string && strcmp(e->string, item->string) == 0) {
			cJSON_DetachItemViaPointer(obj, item);
			if (!cJSON_ReplaceItemViaPointer(obj, e, item))
				BUG("out of memory");
			return;
		}
	}
}

static void scrub_item(const struct core_ctx *ctx, cJSON *item);

/*
 * Scrubs the members of an array or object, keys included. At the top
 * level (top), Ansible's own keys keep their names and "changed",
 * "failed" and "skipped" stay booleans.
 */
static void
scrub_members(const struct core_ctx *ctx, cJSON *parent, bool top)
{
	cJSON *c, *next;
	char *key;
	bool renamed = false;

	for (c = parent->child; c; c = next) {
		next = c->next;
		if (cJSON_IsObject(parent) && c->string &&
		    !(top && core_str_in(ansible_keys, c->string))) {
			key = scrub_or_null(ctx, c->string);
			if (key) {
				set_key(c, key);
				free(key);
				renamed = true;
			}
			if (renamed)
				merge_duplicate(parent, c);
		}
		if (top && cJSON_IsBool(c) && core_str_in(bool_keys, c->string))
			continue;
		scrub_item(ctx, c);
	}
}

static void
scrub_item(const struct core_ctx *ctx, cJSON *item)
{
	char *s;

	if (cJSON_IsString(item)) {
		s = scrub_or_null(ctx, item->valuestring);
		if (s) {
			set_string(item, s);
			free(s);
		}
	} else if (cJSON_IsNumber(item) || cJSON_IsBool(item) ||
	    cJSON_IsNull(item)) {
		s = json_py_str(item);
		if (mentions_secret(ctx, s))
			set_string(item, CORE_NO_LOG_VALUE);
		free(s);
	} else if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
		scrub_members(ctx, item, false);
	}
}

void
result_scrub(const struct core_ctx *ctx, cJSON *doc)
{
	if (doc && ctx->nsecrets)
		scrub_item(ctx, doc);
}

/* Replaces invalid UTF-8 in keys and strings with U+FFFD: stdout is UTF-8. */
static void
fix_utf8(cJSON *item)
{
	cJSON *c;
	char *s;

	if (item->string && (s = json_utf8_fix(item->string)) != NULL) {
		set_key(item, s);
		free(s);
	}
	if (cJSON_IsString(item) && (s = json_utf8_fix(item->valuestring)) != NULL) {
		set_string(item, s);
		free(s);
	}
	for (c = item->child; c; c = c->next)
		fix_utf8(c);
}

static void
add(cJSON *doc, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(doc, key, item))
		BUG("out of memory");
}

static cJSON *
copy(const cJSON *item)
{
	cJSON *c = cJSON_Duplicate(item, true);

	if (!c)
		BUG("out of memory");
	return c;
}

/* Element i of the streamed list, scrubbed and made valid UTF-8. */
static cJSON *
stream_element(const struct core_ctx *ctx, struct result *r, size_t i)
{
	cJSON *el = r->stream_item(r->stream_arg, i);

	if (!el)
		BUG("out of memory");
	if (ctx->nsecrets)
		scrub_item(ctx, el);
	fix_utf8(el);
	return el;
}

/*
 * The whole document, scrubbed; a streamed list stays a mark unless
 * materialize is true.
 */
static cJSON *
build_doc(const struct core_ctx *ctx, struct result *r, cJSON *invocation, int rc,
    bool materialize)
{
	cJSON *doc, *list;
	const cJSON *item;
	char *fallback = NULL;
	bool failed = rc != CORE_OK;
	size_t i;

	doc = cJSON_CreateObject();
	if (!doc)
		BUG("out of memory");
	add(doc, "changed", cJSON_CreateBool(r->changed));
	if (failed) {
		if (!ctx->msg)
			fallback = xasprintf("internal error: failure %d without "
			    "a message", rc);
		add(doc, "failed", cJSON_CreateTrue());
		add(doc, "msg", cJSON_CreateString(ctx->msg ? ctx->msg : fallback));
		free(fallback);
	}
	cJSON_ArrayForEach(item, r->out) {
		if (failed && strcmp(item->string, "msg") == 0)
			continue;
		if (materialize && is_stream_mark(r, item)) {
			list = cJSON_CreateArray();
			if (!list)
				BUG("out of memory");
			for (i = 0; i < r->stream_n; i++)
				if (!cJSON_AddItemToArray(list, r->stream_item(r->stream_arg, i)))
					BUG("out of memory");
			add(doc, item->string, list);
			continue;
		}
		add(doc, item->string, copy(item));
	}
	/* Ansible shows a diff only for a change; one without is noise. */
	if (ctx->diff && r->diff && r->changed)
		add(doc, "diff", copy(r->diff));
	if (ctx->warnings && cJSON_GetArraySize(ctx->warnings) > 0)
		add(doc, "warnings", copy(ctx->warnings));
	if (invocation)
		add(doc, "invocation", invocation);

	if (ctx->nsecrets)
		scrub_members(ctx, doc, true);
	fix_utf8(doc);
	return doc;
}

char *
result_render(const struct core_ctx *ctx, struct result *r, cJSON *invocation,
    int rc)
{
	cJSON *doc = build_doc(ctx, r, invocation, rc, true);
	char *printed, *text;

	printed = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!printed)
		BUG("out of memory");
	text = xstrdup(printed);
	cJSON_free(printed);
	return text;
}

void
result_print(const struct core_ctx *ctx, struct result *r, cJSON *invocation, int rc)
{
	cJSON *doc = build_doc(ctx, r, invocation, rc, false), *el;
	char *printed, *mark, *text;
	size_t i;

	printed = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!printed)
		BUG("out of memory");
	mark = r->stream_key ? strstr(printed, STREAM_MARK) : NULL;
	if (!mark) {
		core_print_line(printed);
		cJSON_free(printed);
		return;
	}
	*mark = '\0';
	core_print_part(printed);
	core_print_part("[");
	for (i = 0; i < r->stream_n; i++) {
		el = stream_element(ctx, r, i);
		text = cJSON_PrintUnformatted(el);
		cJSON_Delete(el);
		if (!text)
			BUG("out of memory");
		if (i)
			core_print_part(",");
		core_print_part(text);
		cJSON_free(text);
	}
	core_print_part("]");
	core_print_line(mark + 1);
	cJSON_free(printed);
}
