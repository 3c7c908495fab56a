/*
 * svc.c - calls to login, Graph and the Teams admin API (see svc.h).
 */
#include "svc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "http.h"
#include "result.h"
#include "svc_internal.h"
#include "wirelog.h"

static const char *const conn_exclusive[] = {
	"client_secret|certificate_path",
	NULL
};

static const struct arg_required_by conn_required_by[] = {
	{ "certificate_password", "certificate_path" },
	{ NULL, NULL }
};

const struct arg_rules svc_conn_rules = {
	.mutually_exclusive = conn_exclusive,
	.required_by = conn_required_by,
};

struct cloud {
	const char *name;
	const char *base[SVC_COUNT];
};

/* docs/design/clouds.md. GCC uses the public endpoints. */
static const struct cloud clouds[] = {
	{ "public", { "https://login.microsoftonline.com",
	    "https://graph.microsoft.com",
	    "https://api.interfaces.records.teams.microsoft.com" } },
	{ "usgov", { "https://login.microsoftonline.us",
	    "https://graph.microsoft.us",
	    "https://api.interfaces.records.gov.teams.microsoft.us" } },
	{ "dod", { "https://login.microsoftonline.us",
	    "https://dod-graph.microsoft.us",
	    "https://api.interfaces.records.dod.teams.microsoft.us" } },
	{ "china", { "https://login.chinacloudapi.cn",
	    "https://microsoftgraph.chinacloudapi.cn",
	    "https://api.interfaces.records.teams.microsoftonline.cn" } },
};

static const char *const endpoint_option[SVC_COUNT] = {
	"login_endpoint", "graph_endpoint", "teams_endpoint"
};

const char *
svc_name(enum svc_id s)
{
	switch (s) {
	case SVC_LOGIN: return "login";
	case SVC_GRAPH: return "graph";
	case SVC_TEAMS: return "teams";
	case SVC_COUNT: break;
	}
	BUG("unknown service %d", (int)s);
}

void
svc_resp_init(struct svc_resp *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->raw, BUF_DEFAULT_MAX);
	r->retry_after_ms = -1;
}

void
svc_resp_release(struct svc_resp *r)
{
	cJSON_Delete(r->json);
	buf_release(&r->raw);
	free(r->location);
	free(r->warning);
	svc_resp_init(r);
}

/* ---- options ---- */

static const char *
param_str(const cJSON *params, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, name);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* A tenant is a GUID or a domain: nothing that could change the token URL. */
static bool
tenant_ok(const char *t)
{
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '-' && *t != '.' && *t != '_')
			return false;
	return true;
}

static char *
base_dup(const char *url)
{
	char *b = xstrdup(url);
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

char *
svc_graph_scope(const char *graph_base)
{
	static const char *const hosts[] = {
		"graph.microsoft.com", "graph.microsoft.us",
		"dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn",
	};
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;
	size_t i;

	if (!u)
		BUG("out of memory");
	if (curl_url_set(u, CURLUPART_URL, graph_base, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strcasecmp(scheme, "https") == 0 &&
	    curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_NO_PORT) {
		for (i = 0; i < ARRAY_SIZE(hosts); i++)
			if (strcasecmp(host, hosts[i]) == 0)
				out = xasprintf("https://%s/.default", hosts[i]);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out ? out : xstrdup(AUTH_GRAPH_SCOPE_DEFAULT);
}

static int
check_int(struct core_ctx *ctx, const char *name, long long v, long long min,
    long long max)
{
	if (v < min || v > max)
		return core_error(ctx, CORE_EARGS, "%s must be between %lld and "
		    "%lld, got: %lld", name, min, max, v);
	return CORE_OK;
}

void
conn_free(struct conn *c)
{
	int i;

	if (!c)
		return;
	auth_free(c->auth);
	http_free(c->http);
	for (i = 0; i < SVC_COUNT; i++)
		free(c->base[i]);
	free(c->graph_scope);
	free(c->cloud);
	free(c);
}

int
svc_open(struct core_ctx *ctx)
{
	const cJSON *p = ctx->params;
	const char *tenant, *client, *secret, *cert, *pw, *alg_name, *cloud, *ca, *ep;
	const struct cloud *cl = NULL;
	struct http_opts ho;
	struct auth_opts ao;
	struct conn *c = NULL;
	long long timeout, retries, max_wait, conc, rtimeout, ttimeout, grps, trps;
	struct stat st;
	size_t i;
	int rc, alg, s;

	if (ctx->conn)
		return CORE_OK;
	tenant = param_str(p, "tenant_id");
	client = param_str(p, "client_id");
	secret = param_str(p, "client_secret");
	cert = param_str(p, "certificate_path");
	pw = param_str(p, "certificate_password");
	/* Registered first: nothing below may echo them. */
	core_secret_add(ctx, secret);
	core_secret_add(ctx, pw);

	if (!tenant)
		return core_error(ctx, CORE_EARGS, "tenant_id is required to reach "
		    "the services: set it or the AZURE_TENANT_ID environment variable");
	if (!tenant_ok(tenant))
		return core_error(ctx, CORE_EARGS, "tenant_id must be a tenant GUID "
		    "or a verified domain, got: %s", tenant);
	if (!client)
		return core_error(ctx, CORE_EARGS, "client_id is required to reach "
		    "the services: set it or the AZURE_CLIENT_ID environment variable");
	if (secret && cert)
		return core_error(ctx, CORE_EARGS, "parameters are mutually "
		    "exclusive: client_secret|certificate_path");
	if (!secret && !cert)
		return core_error(ctx, CORE_EARGS, "one of client_secret or "
		    "certificate_path is required to sign in: set one, or the "
		    "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH "
		    "environment variable");
	if (pw && !cert)
		return core_error(ctx, CORE_EARGS, "missing parameter(s) required "
		    "by 'certificate_password': certificate_path");
	if (cert && access(cert, R_OK) != 0)
		return core_error(ctx, CORE_EARGS, "cannot read certificate_path "
		    "'%s': %s", cert, strerror(errno));

	/* Both have a default in ARGS_CONN: unset only when not validated. */
	alg_name = param_str(p, "assertion_algorithm");
	alg = auth_alg_parse(alg_name);
	if (alg < 0)
		return core_error(ctx, CORE_EARGS, "value of assertion_algorithm "
		    "must be one of: PS256, RS256, got: %s", alg_name ? alg_name : "null");
	cloud = param_str(p, "cloud");
	for (i = 0; cloud && i < ARRAY_SIZE(clouds); i++)
		if (strcmp(clouds[i].name, cloud) == 0)
			cl = &clouds[i];
	if (!cl)
		return core_error(ctx, CORE_EARGS, "value of cloud must be one of: "
		    "public, usgov, dod, china, got: %s", cloud ? cloud : "null");

	timeout = arg_int(p, "timeout");
	retries = arg_int(p, "max_retries");
	max_wait = arg_int(p, "retry_max_wait");
	rtimeout = arg_int(p, "retry_timeout");
	ttimeout = arg_int(p, "task_timeout");
	conc = arg_int(p, "max_concurrency");
	grps = arg_int(p, "graph_requests_per_second");
	trps = arg_int(p, "teams_requests_per_second");
	if ((rc = check_int(ctx, "timeout", timeout, 1, 3600)) ||
	    (rc = check_int(ctx, "max_retries", retries, 0, 100)) ||
	    (rc = check_int(ctx, "retry_max_wait", max_wait, 0, 86400)) ||
	    (rc = check_int(ctx, "retry_timeout", rtimeout, 0, 86400)) ||
	    (rc = check_int(ctx, "task_timeout", ttimeout, 0, 604800)) ||
	    (rc = check_int(ctx, "max_concurrency", conc, 1, 64)) ||
	    (rc = check_int(ctx, "graph_requests_per_second", grps, 0, 100000)) ||
	    (rc = check_int(ctx, "teams_requests_per_second", trps, 0, 100000)))
		return rc;
	ca = param_str(p, "ca_path");
	if (ca && stat(ca, &st) != 0)
		return core_error(ctx, CORE_EARGS, "cannot use ca_path '%s': %s",
		    ca, strerror(errno));

	c = xcalloc(1, sizeof(*c));
	c->cloud = xstrdup(cl->name);
	for (s = 0; s < SVC_COUNT; s++) {
		ep = param_str(p, endpoint_option[s]);
		c->base[s] = base_dup(ep ? ep : cl->base[s]);
		rc = http_url_check(ctx, c->base[s], ep ? endpoint_option[s] : "cloud");
		if (rc)
			goto out;
	}
	c->graph_scope = svc_graph_scope(c->base[SVC_GRAPH]);
	c->max_concurrency = (int)conc;
	c->max_retries = (int)retries;
	c->max_wait_ms = (long)max_wait * 1000L;
	c->retry_timeout_ms = (long)rtimeout * 1000L;
	pace_init(&c->pace[SVC_PACE_GRAPH], (double)grps);
	pace_init(&c->pace[SVC_PACE_GRAPH_TEAMS], (double)trps);
	pace_init(&c->pace[SVC_PACE_TEAMS], (double)trps);

	memset(&ho, 0, sizeof(ho));
	ho.timeout_s = (long)timeout;
	/* Options that skipped validation never turn certificate checks off. */
	if (!arg_isset(p, "validate_certs"))
		BUG("svc_open() with options that were not validated (validate_certs unset)");
	ho.validate_certs = arg_bool(p, "validate_certs");
	ho.ca_path = ca;
	ho.max_retries = (int)retries;
	ho.max_wait_ms = (long)max_wait * 1000L;
	ho.retry_timeout_ms = (long)rtimeout * 1000L;
	ho.task_timeout_ms = (long)ttimeout * 1000L;
	c->http = http_new(ctx, &ho);

	memset(&ao, 0, sizeof(ao));
	ao.tenant_id = tenant;
	ao.client_id = client;
	ao.client_secret = secret;
	ao.certificate_path = cert;
	ao.certificate_password = pw;
	ao.alg = (enum auth_alg)alg;
	ao.login_base = c->base[SVC_LOGIN];
	ao.token_cache = param_str(p, "token_cache");
	c->auth = auth_new(ctx, &ao, c->http);
	rc = auth_prepare(c->auth, ctx);
	if (rc)
		goto out;
	ctx->conn = c;
	ctx->conn_release = conn_free;
	c = NULL;
out:
	conn_free(c);
	return rc;
}

/* ---- URLs ---- */

struct url_parts {
	char *scheme, *host, *port, *path;
};

static bool
parts_get(struct url_parts *u, const char *url)
{
	CURLU *h = curl_url();
	bool ok;

	memset(u, 0, sizeof(*u));
	if (!h)
		BUG("out of memory");
	ok = curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &u->host, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PORT, &u->port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_PATH, &u->path, 0) == CURLUE_OK;
	curl_url_cleanup(h);
	return ok;
}

static void
parts_free(struct url_parts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
	curl_free(u->path);
}

static bool
is_absolute(const char *path)
{
	return strncasecmp(path, "https://", 8) == 0 ||
	    strncasecmp(path, "http://", 7) == 0;
}

/* The path of url relative to base: the rest after the base's path. */
static const char *
under_base(const char *url, const char *base)
{
	struct url_parts a, b;
	const char *rest = NULL, *p;
	size_t n;

	if (!parts_get(&a, url) || !parts_get(&b, base))
		goto out;
	if (strcasecmp(a.scheme, b.scheme) != 0 || strcasecmp(a.host, b.host) != 0 ||
	    strcmp(a.port, b.port) != 0)
		goto out;
	n = strlen(b.path);
	while (n > 0 && b.path[n - 1] == '/')
		n--;
	if (strncmp(a.path, b.path, n) != 0 || (a.path[n] != '/' && a.path[n] != '\0'))
		goto out;
	/* Locate the same point in the original text: after "//host[:port]". */
	p = strstr(url, "://");
	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	if (strncmp(p, b.path, n) == 0)
		rest = p + n;
	else
		rest = p;   /* encoded differently; show the whole path */
out:
	parts_free(&a);
	parts_free(&b);
	return rest;
}

static char *
shown_path(const char *rel)
{
	size_t n = strlen(rel);
	const char *q;

	if (n == 0)
		return xstrdup("/");
	q = strchr(rel, '?');
	if (q && n > SVC_PATH_SHOWN_MAX)
		n = (size_t)(q - rel);
	if (rel[0] == '/')
		return xasprintf("%.*s", (int)n, rel);
	return xasprintf("/%.*s", (int)n, rel);
}

int
svc_build_url(char **url, char **shown, struct core_ctx *ctx,
    const struct conn *c, enum svc_id s, const char *path)
{
	const char *base = c->base[s], *rest;

	*url = NULL;
	*shown = NULL;
	if (!path || !*path)
		path = "/";
	if (is_absolute(path)) {
		rest = under_base(path, base);
		if (!rest)
			return core_error(ctx, CORE_EREFUSED, "%s: refusing to send "
			    "a token to '%s': it is not under the %s base URL '%s'",
			    svc_name(s), path, svc_name(s), base);
		*url = xstrdup(path);
		*shown = shown_path(rest);
		return CORE_OK;
	}
	if (strstr(path, "://"))
		return core_error(ctx, CORE_EREFUSED, "%s: refusing path '%s': "
		    "only https:// and http:// URLs or paths are followed",
		    svc_name(s), path);
	*url = xasprintf("%s%s%s", base, path[0] == '/' ? "" : "/", path);
	*shown = shown_path(path);
	return CORE_OK;
}

/* ---- errors ---- */

/*
 * Copies at most max bytes of s on one line: whitespace runs (newlines
 * included) become one space, other control characters go, the ends are
 * trimmed, a cut never splits a UTF-8 sequence and is marked "...".
 */
static char *
one_line(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(max + 4);
	size_t n = 0;
	bool space = false, cut = false;

	while (*p && isspace(*p))
		p++;
	for (; *p; p++) {
		if (isspace(*p)) {
			space = true;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f)
			continue;
		if (n + (space ? 1 : 0) + 1 > max) {
			cut = true;
			break;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = (char)*p;
	}
	if (cut) {
		/* Do not leave half of a multi-byte character. */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

char *
svc_error_message(const struct core_ctx *ctx, enum svc_id s, const char *method,
    const char *shown, long status, const char *body, int attempts)
{
	struct buf b = BUF_INIT((size_t)16 * 1024);
	cJSON *doc = NULL;
	const cJSON *err, *code = NULL, *msg = NULL;
	char *text = NULL, *out, *clean;
	int ok;

	doc = body && *body ? cJSON_Parse(body) : NULL;
	err = cJSON_IsObject(doc) ? cJSON_GetObjectItem(doc, "error") : NULL;
	if (cJSON_IsObject(err)) {
		code = cJSON_GetObjectItem(err, "code");
		msg = cJSON_GetObjectItem(err, "message");
	} else if (cJSON_IsString(err)) {
		/* Entra style, should a service answer like the login one. */
		code = err;
		msg = cJSON_GetObjectItem(doc, "error_description");
	}
	if (!cJSON_IsString(msg) && s == SVC_TEAMS && cJSON_IsObject(doc))
		msg = cJSON_GetObjectItem(doc, "message");  /* Message or message */
	/* Scrub the whole text first: a cut must never leave part of a secret. */
	if (cJSON_IsString(msg) && *msg->valuestring) {
		clean = result_scrub_str(ctx, msg->valuestring);
		text = one_line(clean, SVC_JSON_TEXT_MAX);
		free(clean);
	} else if (!cJSON_IsString(code) && body && *body) {
		clean = result_scrub_str(ctx, body);
		text = one_line(clean, SVC_RAW_TEXT_MAX);
		free(clean);
	}

	ok = buf_addf(&b, "%s: %s %s: %ld", svc_name(s), method, shown, status) == 0;
	if (ok && cJSON_IsString(code) && *code->valuestring)
		ok = buf_addf(&b, " %s", code->valuestring) == 0;
	if (ok && text && *text)
		ok = buf_addf(&b, ": %s", text) == 0;
	/* Attempts tell something only when the status itself was retried. */
	if (ok && attempts > 1 && http_status_retryable(status, true))
		ok = buf_addf(&b, " (after %d attempts)", attempts) == 0;
	if (ok && s == SVC_TEAMS && (status == 401 || status == 403))
		ok = buf_addf(&b, "; %s", SVC_TEAMS_ROLE_HINT) == 0;
	free(text);
	cJSON_Delete(doc);
	out = ok ? buf_detach(&b, NULL) : xasprintf("%s: %s %s: %ld",
	    svc_name(s), method, shown, status);
	buf_release(&b);
	clean = result_scrub_str(ctx, out);
	free(out);
	return clean;
}

/* ---- requests ---- */

/* What one request needs between attempts (the reauth hook). */
struct call {
	struct core_ctx *ctx;
	struct conn *c;
	enum svc_id s;
	const char *method;
	char *shown;
	const char *path;          /* as the caller gave it, for the TNM header */
	bool has_body;
	const char *const *extra;
	unsigned gen;              /* generation of the token in the headers */
	char *url;
	char *label;
	char *body;
	struct http_req req;
	struct http_resp hr;
	int rc;                    /* an error before sending */
};

static const char *
scope_of(const struct conn *c, enum svc_id s)
{
	return s == SVC_TEAMS ? AUTH_TEAMS_SCOPE : c->graph_scope;
}

static struct curl_slist *
add_header(struct curl_slist *l, const char *h)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (!n)
		BUG("out of memory");
	return n;
}

static struct curl_slist *
call_headers(const struct call *k, const char *token)
{
	struct curl_slist *l = NULL;
	char guid[AUTH_GUID_SIZE], *h;
	size_t i;

	if (token) {
		h = xasprintf("Authorization: Bearer %s", token);
		l = add_header(l, h);
		memset(h, 0, strlen(h));
		free(h);
	}
	l = add_header(l, "Accept: application/json");
	if (k->has_body)
		l = add_header(l, "Content-Type: application/json");
	if (k->s == SVC_TEAMS) {
		auth_guid(guid);
		h = xasprintf("x-ms-correlation-id: %s", guid);
		l = add_header(l, h);
		free(h);
		l = add_header(l, "x-authz-scope: tenant");
		l = add_header(l, "X-Requested-With: XMLHttpRequest");
		if (strstr(k->shown, "/Skype.TelephoneNumberMgmt/") ||
		    strstr(k->path, "/Skype.TelephoneNumberMgmt/"))
			l = add_header(l, "x-ms-tnm-applicationid: "
			    SVC_TNM_APPLICATION_ID);
	}
	l = add_header(l, "Expect:");
	for (i = 0; k->extra && k->extra[i]; i++)
		l = add_header(l, k->extra[i]);
	return l;
}

/*
 * Gets the token for k's service (none for login) and puts the headers that
 * carry it on req, the request http.c sends (k->req, or its copy in a
 * svc_call_many() array).
 */
static int
call_authorize(struct call *k, struct http_req *req, bool force)
{
	const char *token = NULL;
	int rc;

	if (k->s != SVC_LOGIN) {
		rc = auth_token(&token, &k->gen, k->c->auth, k->ctx,
		    scope_of(k->c, k->s), svc_name(k->s), force);
		if (rc)
			return rc;
	}
	curl_slist_free_all(req->headers);
	req->headers = call_headers(k, token);
	return CORE_OK;
}

/* 401: a new token, unless another request already brought a newer one. */
static int
call_reauth(struct http_req *req, void *userp)
{
	struct call *k = userp;
	bool newer;

	if (k->s == SVC_LOGIN)
		return CORE_OK;
	newer = auth_token_gen(k->c->auth, scope_of(k->c, k->s)) != k->gen;
	/* A token another request renewed may have been revoked since: ask again. */
	req->reauth_shared = newer;
	return call_authorize(k, req, !newer);
}

/* The bucket a request to s at path takes its tokens from; NULL: unpaced. */
static struct pace *
pace_of(struct conn *c, enum svc_id s, const char *path, unsigned flags)
{
	switch (s) {
	case SVC_TEAMS:
		return &c->pace[SVC_PACE_TEAMS];
	case SVC_GRAPH:
		if ((flags & SVC_TEAMS_RATE) || strstr(path, "/admin/teams/") ||
		    strstr(path, "/admin/teams?"))
			return &c->pace[SVC_PACE_GRAPH_TEAMS];
		return &c->pace[SVC_PACE_GRAPH];
	default:
		return NULL;
	}
}

/*
 * Before each attempt: when another request renewed the token since k's
 * headers were made (a revocation), send the new one rather than meet a 401.
 */
static int
call_refresh(struct http_req *req, void *userp)
{
	struct call *k = userp;

	if (k->s == SVC_LOGIN ||
	    auth_token_gen(k->c->auth, scope_of(k->c, k->s)) == k->gen)
		return CORE_OK;
	return call_authorize(k, req, false);
}

static int
call_prepare(struct call *k, struct core_ctx *ctx, enum svc_id s,
    const char *method, const char *path, const cJSON *body,
    const char *const *extra, unsigned flags)
{
	const char *m;
	int rc;

	memset(k, 0, sizeof(*k));
	k->ctx = ctx;
	k->c = ctx->conn;
	k->s = s;
	k->method = method;
	k->extra = extra;
	k->has_body = body != NULL;
	http_resp_init(&k->hr, k->c->http);
	if ((unsigned)s >= SVC_COUNT)
		BUG("unknown service %d", (int)s);
	rc = svc_build_url(&k->url, &k->shown, ctx, k->c, s, path);
	if (rc)
		return rc;
	k->path = path;
	k->label = xasprintf("%s %s", method, k->shown);
	if (body) {
		k->body = cJSON_PrintUnformatted(body);
		if (!k->body)
			BUG("out of memory");
	}
	m = method;
	k->req.method = m;
	k->req.url = k->url;
	k->req.service = svc_name(s);
	k->req.label = k->label;
	k->req.body = k->body;
	k->req.body_len = k->body ? strlen(k->body) : 0;
	k->req.idempotent = (flags & SVC_IDEMPOTENT) || strcmp(m, "GET") == 0 ||
	    strcmp(m, "HEAD") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "DELETE") == 0;
	k->req.no_retry = (flags & SVC_NO_RETRY) != 0;
	k->req.reauth = s == SVC_LOGIN ? NULL : call_reauth;
	k->req.refresh = s == SVC_LOGIN ? NULL : call_refresh;
	k->req.userp = k;
	k->req.pace = pace_of(k->c, s, k->url, flags);
	return CORE_OK;
}

static void
call_release(struct call *k)
{
	curl_slist_free_all(k->req.headers);
	http_resp_release(&k->hr);
	free(k->url);
	free(k->shown);
	free(k->label);
	free(k->body);
}

static bool
blank(const char *s)
{
	if (!s)
		return true;
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/*
 * Whether k may change something: any method but GET and HEAD, except a
 * Graph $batch whose requests are all reads.
 */
static bool
is_write(const struct call *k)
{
	if (strcmp(k->method, "GET") == 0 || strcmp(k->method, "HEAD") == 0)
		return false;
	if (k->s == SVC_GRAPH && k->body && strstr(k->path, "$batch") &&
	    !strstr(k->body, "\"method\":\"POST\"") &&
	    !strstr(k->body, "\"method\":\"PATCH\"") &&
	    !strstr(k->body, "\"method\":\"PUT\"") &&
	    !strstr(k->body, "\"method\":\"DELETE\""))
		return false;
	return true;
}

/* Whether an answer body is an HTML page (a proxy's or gateway's). */
static bool
looks_html(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return strncasecmp(s, "<!doctype", 9) == 0 || strncasecmp(s, "<html", 5) == 0;
}

/* Moves the answer of k into resp and decodes it; rc is http's verdict. */
static int
call_finish(struct svc_resp *resp, struct call *k, unsigned flags, int rc)
{
	struct core_ctx *ctx = k->ctx;
	char *msg, *clean;

	svc_resp_init(resp);
	if (!k->url)
		return rc;   /* refused before sending */
	resp->status = k->hr.status;
	resp->attempts = k->hr.attempts;
	resp->ambiguous = k->hr.ambiguous;
	resp->retry_after_ms = k->hr.retry_after_ms;
	resp->raw = k->hr.body;
	buf_init(&k->hr.body, resp->raw.max);
	resp->location = http_resp_header(&k->hr, "Location");
	resp->warning = http_resp_header(&k->hr, "X-Ms-ConfigApi-PowerShell-WarningMessage");
	wirelog_append(ctx, svc_name(k->s), k->method, k->shown, resp->status, k->body,
	    resp->raw.data);
	if (resp->warning && *resp->warning) {
		clean = result_scrub_str(ctx, resp->warning);
		core_warn(ctx, "%s: %s", svc_name(k->s), clean);
		free(clean);
	}
	/* Writes accepted, or perhaps made (no answer): what "changed" rests on. */
	if (is_write(k) &&
	    ((rc && resp->ambiguous) || (!rc && resp->status >= 200 && resp->status < 300)))
		ctx->writes++;
	if (rc)
		return rc;
	if (!(flags & SVC_RAW) && !blank(resp->raw.data))
		resp->json = cJSON_Parse(resp->raw.data);
	if (resp->status >= 200 && resp->status < 300) {
		/* A malformed answer is the service's fault: say which and what. */
		if (!(flags & SVC_RAW) && !blank(resp->raw.data) && !resp->json)
			return core_error(ctx, CORE_ESERVICE, "%s: %s %s: %ld: the answer "
			    "is not JSON (%zu bytes%s%s)", svc_name(k->s), k->method,
			    k->shown, resp->status, resp->raw.len,
			    looks_html(resp->raw.data) ? ", an HTML page" : "",
			    resp->raw.len && !looks_html(resp->raw.data) ?
			    ", truncated or malformed" : "");
		return CORE_OK;
	}
	if (resp->status == 404 && (flags & SVC_ALLOW_404))
		return CORE_ENOTFOUND;
	msg = svc_error_message(ctx, k->s, k->method, k->shown, resp->status,
	    resp->raw.data, resp->attempts);
	rc = core_error(ctx, CORE_ESERVICE, "%s", msg);
	free(msg);
	return rc;
}

int
svc_call(struct svc_resp *resp, struct core_ctx *ctx, enum svc_id s,
    const char *method, const char *path, const cJSON *body,
    const char *const *extra_headers, unsigned flags)
{
	struct call k;
	int rc;

	svc_resp_init(resp);
	rc = svc_open(ctx);
	if (rc)
		return rc;
	rc = call_prepare(&k, ctx, s, method, path, body, extra_headers, flags);
	if (!rc)
		rc = call_authorize(&k, &k.req, false);
	if (!rc) {
		rc = http_send(&k.hr, ctx->conn->http, ctx, &k.req);
	} else {
		free(k.url);   /* nothing was sent */
		k.url = NULL;
	}
	rc = call_finish(resp, &k, flags, rc);
	if (ctx->conn && k.url) {
		ctx->conn->last_status = resp->status;
		ctx->conn->last_unsure = rc != CORE_OK && !k.req.idempotent &&
		    (resp->ambiguous || resp->status == 500 ||
		    resp->status == 502 || resp->status == 504);
	}
	call_release(&k);
	return rc;
}

bool
svc_last_unsure(const struct core_ctx *ctx)
{
	return ctx->conn && ctx->conn->last_unsure;
}

/* Whether s holds needle, ignoring ASCII case. */
static bool
has_text(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return true;
	return false;
}

/* A create refused because the object is there already. */
static bool
is_conflict(const struct core_ctx *ctx, int rc)
{
	if (rc != CORE_ESERVICE || !ctx->conn)
		return false;
	if (ctx->conn->last_status == 409)
		return true;
	return ctx->conn->last_status == 400 && ctx->msg &&
	    (has_text(ctx->msg, "already exist") ||
	    has_text(ctx->msg, "already in use") ||
	    has_text(ctx->msg, "duplicate"));
}

int
svc_create_reconciled(struct core_ctx *ctx,
    int (*create)(struct core_ctx *ctx, void *arg),
    int (*lookup)(struct core_ctx *ctx, void *arg), void *arg)
{
	int rc, lrc, tries;
	bool unsure_before = false;

	for (tries = 1; ; tries++) {
		rc = create(ctx, arg);
		if (rc == CORE_OK)
			return CORE_OK;
		if (!svc_last_unsure(ctx) && !(unsure_before && is_conflict(ctx, rc)))
			return rc;
		unsure_before = true;
		/* Did it happen? Read back before anything else. */
		lrc = lookup(ctx, arg);
		if (lrc == CORE_OK) {
			core_error_clear(ctx);
			return CORE_OK;
		}
		if (lrc != CORE_ENOTFOUND || tries >= SVC_CREATE_TRIES)
			return rc;
		core_error_clear(ctx);
	}
}

int
svc_call_many(struct svc_resp *resps, int *rcs, struct core_ctx *ctx,
    const struct svc_req *reqs, size_t n)
{
	struct call *ks = NULL;
	struct http_req *hreqs = NULL;
	struct http_resp *hresps = NULL;
	size_t *map = NULL, i, nsend = 0;
	int *hrcs = NULL, rc, first = CORE_OK;

	for (i = 0; i < n; i++) {
		svc_resp_init(&resps[i]);
		rcs[i] = CORE_OK;
	}
	rc = svc_open(ctx);
	if (rc) {
		for (i = 0; i < n; i++)
			rcs[i] = rc;
		return rc;
	}
	if (n == 0)
		return CORE_OK;
	ks = xcalloc(n, sizeof(*ks));
	for (i = 0; i < n; i++) {
		ks[i].rc = call_prepare(&ks[i], ctx, reqs[i].svc, reqs[i].method,
		    reqs[i].path, reqs[i].body, reqs[i].extra_headers,
		    reqs[i].flags);
		ks[i].req.pace_cost = reqs[i].pace_cost;
		if (!ks[i].rc)
			ks[i].rc = call_authorize(&ks[i], &ks[i].req, false);
		if (ks[i].rc) {
			free(ks[i].url);
			ks[i].url = NULL;
		}
	}

	/* http_send_many() works on arrays: gather what is ready to go. */
	hreqs = xcalloc(n, sizeof(*hreqs));
	hresps = xcalloc(n, sizeof(*hresps));
	hrcs = xcalloc(n, sizeof(*hrcs));
	map = xcalloc(n, sizeof(*map));
	for (i = 0; i < n; i++) {
		if (ks[i].rc)
			continue;
		hreqs[nsend] = ks[i].req;
		hreqs[nsend].userp = &ks[i];
		http_resp_init(&hresps[nsend], ctx->conn->http);
		map[nsend++] = i;
	}
	http_send_many(hresps, hrcs, ctx->conn->http, ctx, hreqs, nsend,
	    ctx->conn->max_concurrency, &ctx->conn->many);
	for (i = 0; i < nsend; i++) {
		struct call *k = &ks[map[i]];

		/* The hook may have replaced the headers of the copy. */
		k->req.headers = hreqs[i].headers;
		http_resp_release(&k->hr);
		k->hr = hresps[i];
		k->rc = hrcs[i];
	}
	for (i = 0; i < n; i++) {
		rcs[i] = call_finish(&resps[i], &ks[i], reqs[i].flags, ks[i].rc);
		if (first == CORE_OK && rcs[i] != CORE_OK && rcs[i] != CORE_ESERVICE &&
		    rcs[i] != CORE_ENOTFOUND)
			first = rcs[i];
		call_release(&ks[i]);
	}
	free(ks);
	free(hreqs);
	free(hresps);
	free(hrcs);
	free(map);
	return first;
}

unsigned long
svc_request_count(const struct core_ctx *ctx)
{
	return ctx->conn ? http_request_count(ctx->conn->http) : 0;
}

int
svc_max_concurrency(const struct core_ctx *ctx)
{
	if (!ctx->conn)
		BUG("svc_max_concurrency() before svc_open()");
	return ctx->conn->max_concurrency;
}
