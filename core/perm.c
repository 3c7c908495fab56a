/*
 * perm.c - the roles claim of the app's token (see perm.h).
 */
#include "perm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "auth.h"
#include "buf.h"
#include "svc_internal.h"

/* A JWT payload larger than this is not one Entra issues. */
#define PERM_PAYLOAD_MAX ((size_t)64 * 1024)

cJSON *
perm_jwt_payload(const char *token)
{
	const char *dot1, *dot2;
	size_t n, i, padded;
	unsigned char *raw = NULL;
	char *b64 = NULL;
	cJSON *doc = NULL;
	int len;

	if (!token)
		return NULL;
	dot1 = strchr(token, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2)
		return NULL;
	n = (size_t)(dot2 - dot1 - 1);
	if (n == 0 || n > PERM_PAYLOAD_MAX)
		return NULL;
	padded = (n + 3) / 4 * 4;
	b64 = xmalloc(padded + 1);
	for (i = 0; i < n; i++) {
		char c = dot1[1 + i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			goto out;
		b64[i] = c;
	}
	for (; i < padded; i++)
		b64[i] = '=';
	b64[padded] = '\0';
	raw = xmalloc(padded / 4 * 3 + 1);
	len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)padded);
	if (len < 0)
		goto out;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	len -= (int)(padded - n);
	if (len < 0)
		goto out;
	raw[len] = '\0';
	doc = cJSON_ParseWithLength((const char *)raw, (size_t)len);
	if (doc && !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = NULL;
	}
out:
	free(b64);
	free(raw);
	return doc;
}

int
perm_payload_grants(const cJSON *payload, const char *any_of)
{
	const cJSON *roles = cJSON_GetObjectItemCaseSensitive(payload, "roles"), *r;
	const char *p, *bar;
	size_t len;

	if (!cJSON_IsArray(roles))
		return -1;
	for (p = any_of;; p = bar + 1) {
		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		cJSON_ArrayForEach(r, roles)
			if (cJSON_IsString(r) && strlen(r->valuestring) == len &&
			    strncmp(r->valuestring, p, len) == 0)
				return 1;
		if (!bar)
			return 0;
	}
}

/* "a, b or c" from "a|b|c". */
char *
perm_names(const char *any_of)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	const char *p, *bar;
	size_t len;

	if (buf_add(&b, "", 0))
		BUG("out of memory");
	for (p = any_of;; p = bar + 1) {
		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		if (p != any_of && buf_adds(&b, bar ? ", " : " or "))
			BUG("out of memory");
		if (buf_add(&b, p, len))
			BUG("out of memory");
		if (!bar)
			break;
	}
	return buf_detach(&b, NULL);
}

int
perm_check(int *granted, struct core_ctx *ctx, enum svc_id s, const char *any_of)
{
	const char *token = NULL, *scope;
	cJSON *payload;
	int rc;

	*granted = -1;
	if (s == SVC_LOGIN)
		return CORE_OK;
	rc = svc_open(ctx);
	if (rc)
		return rc;
	scope = s == SVC_TEAMS ? AUTH_TEAMS_SCOPE : ctx->conn->graph_scope;
	rc = auth_token(&token, NULL, ctx->conn->auth, ctx, scope, svc_name(s), false);
	if (rc)
		return rc;
	payload = perm_jwt_payload(token);
	*granted = payload ? perm_payload_grants(payload, any_of) : -1;
	cJSON_Delete(payload);
	return CORE_OK;
}

int
perm_require(struct core_ctx *ctx, enum svc_id s, const char *any_of,
    const char *what)
{
	char *names;
	int rc, granted;

	rc = perm_check(&granted, ctx, s, any_of);
	if (rc || granted != 0)
		return rc;
	names = perm_names(any_of);
	rc = core_error(ctx, CORE_EREFUSED, "%s needs the %s application permission "
	    "%s, which the app's %s token does not hold (its roles claim lacks it); "
	    "grant it with admin consent and run the task again; nothing was changed",
	    what, svc_name(s), names, svc_name(s));
	free(names);
	return rc;
}
