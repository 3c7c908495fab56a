/*
 * cj.c - small cJSON helpers (see cj.h).
 */
#include "cj.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "core.h"

/* A joined message never needs more than this. */
#define JOIN_MAX ((size_t)256 * 1024)

cJSON *
cj_object(void)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		BUG("out of memory");
	return o;
}

cJSON *
cj_array(void)
{
	cJSON *a = cJSON_CreateArray();

	if (!a)
		BUG("out of memory");
	return a;
}

cJSON *
cj_dup(const cJSON *x)
{
	cJSON *d = x ? cJSON_Duplicate(x, 1) : cJSON_CreateNull();

	if (!d)
		BUG("out of memory");
	return d;
}

void
cj_set(cJSON *obj, const char *key, cJSON *item)
{
	cJSON *old;

	if (!item)
		BUG("out of memory");
	old = cJSON_GetObjectItem(obj, key);
	if (old) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, old->string, item))
			BUG("out of memory");
		return;
	}
	if (!cJSON_AddItemToObject(obj, key, item))
		BUG("out of memory");
}

void
cj_set_str(cJSON *obj, const char *key, const char *s)
{
	cj_set(obj, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void
cj_push(cJSON *arr, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(arr, item))
		BUG("out of memory");
}

void
cj_push_str(cJSON *arr, const char *s)
{
	cj_push(arr, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void
cj_push_fmt(cJSON **arr, const char *fmt, ...)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap) || buf_adds(&b, ""))
		BUG("out of memory");
	va_end(ap);
	s = buf_detach(&b, NULL);
	if (!*arr)
		*arr = cj_array();
	cj_push_str(*arr, s);
	free(s);
}

const char *
cj_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool
cj_has_str(const cJSON *arr, const char *s)
{
	const cJSON *x;

	if (!s)
		return false;
	cJSON_ArrayForEach(x, arr)
		if (cJSON_IsString(x) && strcasecmp(x->valuestring, s) == 0)
			return true;
	return false;
}

const cJSON *
cj_find(const cJSON *arr, const char *key, const char *value)
{
	const cJSON *x;
	const char *v;

	if (!value)
		return NULL;
	cJSON_ArrayForEach(x, arr) {
		v = cj_str(x, key);
		if (v && strcasecmp(v, value) == 0)
			return x;
	}
	return NULL;
}

char *
cj_join(const cJSON *arr, const char *key, const char *sep, bool quote)
{
	struct buf b = BUF_INIT(JOIN_MAX);
	const cJSON *x;
	const char *s;
	bool first = true;

	if (buf_adds(&b, ""))
		BUG("out of memory");
	cJSON_ArrayForEach(x, arr) {
		s = key ? cj_str(x, key) : (cJSON_IsString(x) ? x->valuestring : NULL);
		if (!s)
			continue;
		if (buf_addf(&b, quote ? "%s'%s'" : "%s%s", first ? "" : sep, s)) {
			/* Past the limit: end the list plainly rather than fail. */
			b = (struct buf)BUF_INIT(JOIN_MAX);
			if (buf_adds(&b, "(too many to list)"))
				BUG("out of memory");
			break;
		}
		first = false;
	}
	return buf_detach(&b, NULL);
}
