/*
 * core.c - the module context, error recording and allocation helpers.
 */
#include "core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void
core_ctx_init(struct core_ctx *ctx, const char *name)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->module_name = name;
	ctx->warnings = cJSON_CreateArray();
	if (!ctx->warnings)
		BUG("out of memory");
}

void
core_ctx_release(struct core_ctx *ctx)
{
	size_t i;

	if (ctx->conn && ctx->conn_release)
		ctx->conn_release(ctx->conn);
	ctx->conn = NULL;
	if (ctx->snapshot && ctx->snapshot_release)
		ctx->snapshot_release(ctx->snapshot);
	ctx->snapshot = NULL;
	free(ctx->msg);
	ctx->msg = NULL;
	cJSON_Delete(ctx->warnings);
	ctx->warnings = NULL;
	for (i = 0; i < ctx->nsecrets; i++) {
		/* Secrets do not linger in freed memory longer than needed. */
		memset(ctx->secrets[i], 0, strlen(ctx->secrets[i]));
		free(ctx->secrets[i]);
	}
	free(ctx->secrets);
	ctx->secrets = NULL;
	ctx->nsecrets = 0;
}

static char *
vformat(const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *s;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		BUG("bad format '%s'", fmt);
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static int
verror(struct core_ctx *ctx, bool replace, enum core_err code, const char *fmt,
    va_list ap)
{
	if (code == CORE_OK || code >= CORE_ERR_LAST)
		BUG("core_error with code %d", (int)code);
	if (ctx->msg && !replace)
		return code;
	free(ctx->msg);
	ctx->msg = vformat(fmt, ap);
	ctx->err = code;
	return code;
}

int
core_error(struct core_ctx *ctx, enum core_err code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(ctx, false, code, fmt, ap);
	va_end(ap);
	return rc;
}

int
core_error_replace(struct core_ctx *ctx, enum core_err code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(ctx, true, code, fmt, ap);
	va_end(ap);
	return rc;
}

void
core_error_clear(struct core_ctx *ctx)
{
	free(ctx->msg);
	ctx->msg = NULL;
	ctx->err = CORE_OK;
}

void
core_warn(struct core_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;
	cJSON *item;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	/* The same warning from many requests is said once. */
	cJSON_ArrayForEach(item, ctx->warnings) {
		if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0) {
			free(s);
			return;
		}
	}
	item = cJSON_CreateString(s);
	free(s);
	if (!item || !cJSON_AddItemToArray(ctx->warnings, item))
		BUG("out of memory");
}

void
core_secret_add(struct core_ctx *ctx, const char *value)
{
	size_t i;

	if (!value || !*value)
		return;
	for (i = 0; i < ctx->nsecrets; i++)
		if (strcmp(ctx->secrets[i], value) == 0)
			return;
	ctx->secrets = xrealloc(ctx->secrets, (ctx->nsecrets + 1) * sizeof(char *));
	ctx->secrets[ctx->nsecrets++] = xstrdup(value);
}

/* A line core_print_part() started and core_print_line() has not ended. */
static bool line_open;

void
core_print_line(const char *text)
{
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	line_open = false;
}

void
core_print_part(const char *text)
{
	fputs(text, stdout);
	line_open = true;
}

_Noreturn void
core_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	char *text;
	cJSON *doc;
	int n;

	n = snprintf(msg, sizeof(msg), "BUG: %s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (line_open)
		core_print_line("");
	/* No allocation may be possible here: fall back to a fixed text. */
	doc = cJSON_CreateObject();
	if (doc && cJSON_AddBoolToObject(doc, "changed", 0) &&
	    cJSON_AddBoolToObject(doc, "failed", 1) &&
	    cJSON_AddStringToObject(doc, "msg", msg) &&
	    (text = cJSON_PrintUnformatted(doc)) != NULL) {
		core_print_line(text);
		free(text);
	} else {
		core_print_line("{\"changed\": false, \"failed\": true, "
		    "\"msg\": \"BUG: out of memory\"}");
	}
	cJSON_Delete(doc);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		BUG("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		BUG("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		BUG("out of memory (%zu bytes)", n);
	return q;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

void
xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

bool
core_str_in(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	return s;
}
