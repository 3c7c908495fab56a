/*
 * snapshot.c - reading and writing the tenant snapshot (snapshot.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cj.h"
#include "snapshot.h"

#define SNAP_VERSION 1
#define KIND_PREFIX "{\"kind\":\""

struct snapshot {
	char *path;
	bool opened;     /* header read and checked */
	cJSON *kinds;    /* names the header lists */
	cJSON *loaded;   /* kind -> data, parsed on first use */
};

static void
snap_free(struct snapshot *s)
{
	if (!s)
		return;
	free(s->path);
	cJSON_Delete(s->kinds);
	cJSON_Delete(s->loaded);
	free(s);
}

void
snapshot_use(struct core_ctx *ctx, const char *path)
{
	struct snapshot *s;

	if (!path || !*path)
		return;
	if (ctx->snapshot && ctx->snapshot_release)
		ctx->snapshot_release(ctx->snapshot);
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->loaded = cj_object();
	ctx->snapshot = s;
	ctx->snapshot_release = snap_free;
}

char *
snapshot_policy_kind(const char *type)
{
	return xasprintf(SNAP_POLICIES "%s", type);
}

char *
snapshot_grants_kind(const char *type)
{
	return xasprintf(SNAP_GROUP_GRANTS "%s", type);
}

static int
unreadable(struct core_ctx *ctx, const char *path, const char *why)
{
	return core_error(ctx, CORE_EARGS, "snapshot '%s' cannot be read: %s; give the file "
	    "teams_rollout_preflight wrote with its snapshot option in this run", path, why);
}

/* Opens the file and reads its header line into *header. */
static int
open_file(FILE **f, cJSON **header, struct core_ctx *ctx, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int fd;

	*header = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	*f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!*f) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return unreadable(ctx, path, strerror(e));
	}
	len = getline(&line, &cap, *f);
	if (len > 0)
		*header = cJSON_ParseWithLength(line, (size_t)len);
	free(line);
	if (!cJSON_IsObject(*header)) {
		cJSON_Delete(*header);
		*header = NULL;
		fclose(*f);
		*f = NULL;
		return unreadable(ctx, path, "its first line is not a snapshot header");
	}
	return CORE_OK;
}

/* Reads and checks the header: a snapshot of this version, of ctx's tenant. */
static int
check_header(struct snapshot *s, struct core_ctx *ctx)
{
	const char *want = ctx->params ? cj_str(ctx->params, "tenant_id") : NULL;
	const cJSON *v, *k;
	cJSON *h = NULL;
	FILE *f = NULL;
	int rc;

	rc = open_file(&f, &h, ctx, s->path);
	if (rc)
		return rc;
	fclose(f);
	v = cJSON_GetObjectItemCaseSensitive(h, "dialtone_snapshot");
	if (!cJSON_IsNumber(v) || v->valueint != SNAP_VERSION) {
		rc = unreadable(ctx, s->path, "it is not a snapshot of this version");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(h, "tenant");
	if (!cJSON_IsString(v) || !want || strcasecmp(v->valuestring, want) != 0) {
		rc = core_error(ctx, CORE_EARGS, "snapshot '%s' was written for tenant '%s', not "
		    "for this run's tenant '%s'; give the file teams_rollout_preflight wrote "
		    "for this tenant in this run", s->path,
		    cJSON_IsString(v) ? v->valuestring : "?", want ? want : "?");
		goto out;
	}
	k = cJSON_GetObjectItemCaseSensitive(h, "kinds");
	if (!cJSON_IsArray(k)) {
		rc = unreadable(ctx, s->path, "its header lists no kinds");
		goto out;
	}
	s->kinds = cj_dup(k);
	s->opened = true;
out:
	cJSON_Delete(h);
	return rc;
}

/* Finds kind's line in the file and parses its data into s->loaded. */
static int
load_kind(struct snapshot *s, struct core_ctx *ctx, const char *kind)
{
	size_t klen = strlen(kind), plen = strlen(KIND_PREFIX), cap = 0;
	char *line = NULL;
	cJSON *h = NULL, *o = NULL, *data;
	FILE *f = NULL;
	ssize_t len;
	int rc;

	rc = open_file(&f, &h, ctx, s->path);
	if (rc)
		goto out;
	/* The kind lines come right after the header; the users follow them. */
	while ((len = getline(&line, &cap, f)) > 0 &&
	    strncmp(line, KIND_PREFIX, plen) == 0) {
		if ((size_t)len <= plen + klen || strncmp(line + plen, kind, klen) != 0 ||
		    line[plen + klen] != '"')
			continue;
		o = cJSON_ParseWithLength(line, (size_t)len);
		data = cJSON_DetachItemFromObjectCaseSensitive(o, "data");
		if (!data) {
			rc = unreadable(ctx, s->path, "a kind line is not JSON with data");
			goto out;
		}
		cJSON_AddItemToObject(s->loaded, kind, data);
		goto out;
	}
	if (ferror(f))
		rc = unreadable(ctx, s->path, strerror(errno));
	else
		rc = core_error(ctx, CORE_EARGS, "snapshot '%s' lists '%s' but does not hold "
		    "it (a file cut short?); give the file teams_rollout_preflight wrote with "
		    "its snapshot option in this run", s->path, kind);
out:
	if (f)
		fclose(f);
	free(line);
	cJSON_Delete(h);
	cJSON_Delete(o);
	return rc;
}

int
snapshot_get(const cJSON **out, struct core_ctx *ctx, const char *kind)
{
	struct snapshot *s = ctx->snapshot;
	const cJSON *d;
	int rc;

	*out = NULL;
	/* A run that writes never trusts an earlier read. */
	if (!s || !ctx->check_mode)
		return CORE_OK;
	if (!s->opened && (rc = check_header(s, ctx)))
		return rc;
	if (!cj_has_str(s->kinds, kind))
		return CORE_OK;
	d = cJSON_GetObjectItemCaseSensitive(s->loaded, kind);
	if (!d) {
		rc = load_kind(s, ctx, kind);
		if (rc)
			return rc;
		d = cJSON_GetObjectItemCaseSensitive(s->loaded, kind);
	}
	*out = d;
	return CORE_OK;
}

int
snapshot_copy(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind)
{
	const cJSON *d;
	int rc = snapshot_get(&d, ctx, kind);

	*carried = !rc && d;
	if (*carried)
		*out = cj_dup(d);
	return rc;
}

static bool
matches(const cJSON *x, const char *key, const char *value)
{
	const char *v = key ? cj_str(x, key) : NULL;

	return v && value && strcasecmp(v, value) == 0;
}

int
snapshot_find(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind,
    const char *key, const char *key2, const char *value)
{
	const cJSON *d, *x;
	int rc = snapshot_get(&d, ctx, kind);

	*carried = !rc && d;
	if (!*carried)
		return rc;
	*out = NULL;
	cJSON_ArrayForEach(x, d) {
		if (matches(x, key, value) || matches(x, key2, value)) {
			*out = cj_dup(x);
			return CORE_OK;
		}
	}
	return CORE_ENOTFOUND;
}

int
snapshot_lookup(cJSON **out, bool *carried, struct core_ctx *ctx, const char *kind,
    const char *key)
{
	const cJSON *d, *v;
	int rc = snapshot_get(&d, ctx, kind);

	v = !rc && d && key ? cJSON_GetObjectItem(d, key) : NULL;
	*carried = v != NULL;
	if (!v)
		return rc;
	if (cJSON_IsNull(v)) {
		*out = NULL;
		return CORE_ENOTFOUND;
	}
	*out = cj_dup(v);
	return CORE_OK;
}

/* ---- writing ---- */

struct snapshot_out {
	struct core_ctx *ctx;
	char *path;
	char *tmp;
	FILE *f;
	int rc;
};

static int
failed(struct snapshot_out *w)
{
	if (!w->rc)
		w->rc = core_error(w->ctx, CORE_EARGS, "snapshot '%s' could not be written: %s",
		    w->path, strerror(errno));
	return w->rc;
}

/* Writes text and a newline. */
static int
put_line(struct snapshot_out *w, const char *text)
{
	if (w->rc)
		return w->rc;
	if (fputs(text, w->f) == EOF || fputc('\n', w->f) == EOF)
		return failed(w);
	return CORE_OK;
}

/* Writes o unformatted, on one line; consumes o. */
static int
put_json(struct snapshot_out *w, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);
	int rc;

	cJSON_Delete(o);
	if (!text)
		BUG("out of memory");
	rc = put_line(w, text);
	free(text);
	return rc;
}

int
snapshot_begin(struct snapshot_out **wp, struct core_ctx *ctx, const char *path,
    const cJSON *kinds)
{
	struct snapshot_out *w = xcalloc(1, sizeof(*w));
	const char *tenant = ctx->params ? cj_str(ctx->params, "tenant_id") : NULL;
	cJSON *h, *names, *o;
	const cJSON *k;
	int fd;

	*wp = w;
	w->ctx = ctx;
	w->path = xstrdup(path);
	w->tmp = xasprintf("%s.tmp", path);
	(void)unlink(w->tmp);
	fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	w->f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!w->f) {
		if (fd >= 0)
			close(fd);
		return failed(w);
	}
	h = cj_object();
	cJSON_AddNumberToObject(h, "dialtone_snapshot", SNAP_VERSION);
	cj_set_str(h, "tenant", tenant ? tenant : "");
	names = cj_array();
	cJSON_ArrayForEach(k, kinds)
		cj_push_str(names, k->string);
	cJSON_AddItemToObject(h, "kinds", names);
	if (put_json(w, h))
		return w->rc;
	cJSON_ArrayForEach(k, kinds) {
		o = cj_object();
		cJSON_AddStringToObject(o, "kind", k->string);
		cJSON_AddItemToObject(o, "data", cj_dup(k));
		if (put_json(w, o))
			return w->rc;
	}
	return CORE_OK;
}

int
snapshot_line(struct snapshot_out *w, const char *line)
{
	return put_line(w, line);
}

int
snapshot_end(struct snapshot_out *w, bool ok)
{
	int rc;

	if (!w)
		return CORE_OK;
	if (w->f && fclose(w->f) != 0 && ok)
		(void)failed(w);
	if (ok && !w->rc && rename(w->tmp, w->path) != 0)
		(void)failed(w);
	if (!ok || w->rc)
		(void)unlink(w->tmp);
	rc = w->rc;
	free(w->path);
	free(w->tmp);
	free(w);
	return rc;
}
