/*
 * test_auth.c - client assertions checked with OpenSSL, certificate
 * loading in every accepted form, Entra error decoding, token freshness
 * with an injected clock, and the token cache file (mode, owner, content).
 * Token requests go to a scripted loopback server (miniserver.h).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth.h"
#include "core.h"
#include "testutil.h"
#include "http.h"
#include "miniserver.h"
#include "testcert.h"

#define CLIENT_ID "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
#define TENANT_ID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define TOKEN_URL "https://login.microsoftonline.com/" TENANT_ID "/oauth2/v2.0/token"
#define CERT_PASSWORD "test-Cert-Pass-71c"
#define SECRET "unit-Secret-9Zx+/=&"

static char dir[256];

static void
make_dir(void)
{
	cr_assert_eq(testdir_make(dir, sizeof(dir)), 0);
}

static void
remove_dir(void)
{
	testdir_remove(dir);
}

TestSuite(auth, .init = make_dir, .fini = remove_dir, .timeout = 120);

/* ---- helpers ---- */

static unsigned char *
b64url_decode(const char *s, size_t n, size_t *outlen)
{
	char *std = malloc(n + 4);
	unsigned char *out = malloc(n + 4);
	size_t i, m = n;
	int len;

	for (i = 0; i < n; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (m % 4)
		std[m++] = '=';
	len = EVP_DecodeBlock(out, (unsigned char *)std, (int)m);
	cr_assert_geq(len, 0, "bad base64url");
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	len -= (int)(m - n);
	free(std);
	out[len] = '\0';
	*outlen = (size_t)len;
	return out;
}

static char *
thumb(X509 *x, const EVP_MD *md)
{
	unsigned char *der = NULL, d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int len = i2d_X509(x, &der);
	char *out;

	cr_assert_gt(len, 0);
	cr_assert_eq(EVP_Digest(der, (size_t)len, d, &dl, md, NULL), 1);
	OPENSSL_free(der);
	out = auth_base64url(d, dl);
	return out;
}

struct jwt {
	cJSON *header;
	cJSON *claims;
	char *signed_part;
	unsigned char *sig;
	size_t siglen;
};

static void
jwt_split(struct jwt *j, const char *token)
{
	const char *d1 = strchr(token, '.'), *d2;
	unsigned char *h, *c;
	size_t hl, cl;

	cr_assert_not_null(d1);
	d2 = strchr(d1 + 1, '.');
	cr_assert_not_null(d2);
	cr_assert_null(strchr(d2 + 1, '.'));
	cr_assert_null(strchr(token, '='), "base64url without padding");
	h = b64url_decode(token, (size_t)(d1 - token), &hl);
	c = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &cl);
	j->header = cJSON_Parse((char *)h);
	j->claims = cJSON_Parse((char *)c);
	cr_assert_not_null(j->header);
	cr_assert_not_null(j->claims);
	free(h);
	free(c);
	j->signed_part = strndup(token, (size_t)(d2 - token));
	j->sig = b64url_decode(d2 + 1, strlen(d2 + 1), &j->siglen);
}

static void
jwt_free(struct jwt *j)
{
	cJSON_Delete(j->header);
	cJSON_Delete(j->claims);
	free(j->signed_part);
	free(j->sig);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	cr_assert(cJSON_IsNumber(v), "claim %s is not a number", k);
	return v->valuedouble;
}

static bool
verify(X509 *x, const struct jwt *j, bool pss, const char *data)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok;

	cr_assert_eq(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL,
	    X509_get0_pubkey(x)), 1);
	if (pss) {
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
	}
	ok = EVP_DigestVerify(md, j->sig, j->siglen, (const unsigned char *)data,
	    strlen(data)) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

static bool
is_guid(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!strchr("0123456789abcdef", s[i])) {
			return false;
		}
	}
	return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static bool
has_secret(const struct core_ctx *ctx, const char *v)
{
	size_t i;

	for (i = 0; i < ctx->nsecrets; i++)
		if (strcmp(ctx->secrets[i], v) == 0)
			return true;
	return false;
}

/* ---- encodings ---- */

Test(auth, encodes_base64url_without_padding)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
		{ "\xfb\xff", "-_8" }, { "\xfb\xef\xbe", "----" }, { "\xff\xff\xff", "____" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = auth_base64url(cases[i].in, strlen(cases[i].in));

		cr_expect_str_eq(got, cases[i].want, "input %zu", i);
		free(got);
	}
}

Test(auth, makes_fresh_version_4_guids)
{
	char a[AUTH_GUID_SIZE], b[AUTH_GUID_SIZE];
	int i;

	for (i = 0; i < 50; i++) {
		auth_guid(a);
		auth_guid(b);
		cr_assert(is_guid(a), "%s", a);
		cr_assert_str_neq(a, b);
	}
}

/* ---- certificates ---- */

Test(auth, loads_pem_encrypted_pem_and_pkcs12_to_the_same_certificate)
{
	struct testcert_app app;
	struct core_ctx ctx;
	X509 *x;
	char *s256, *s1;
	struct {
		const char *path;
		const char *password;
	} forms[4];
	size_t i;

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone unit", CERT_PASSWORD), 0);
	forms[0].path = app.plain_pem;
	forms[0].password = NULL;
	forms[1].path = app.enc_pem;
	forms[1].password = CERT_PASSWORD;
	forms[2].path = app.pfx;
	forms[2].password = CERT_PASSWORD;
	forms[3].path = app.p12_nopass;
	forms[3].password = NULL;
	x = testcert_load_x509(app.cert_pem);
	s256 = thumb(x, EVP_sha256());
	s1 = thumb(x, EVP_sha1());
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		struct auth_cert *c = NULL;

		core_ctx_init(&ctx, "test");
		cr_assert_eq(auth_cert_load(&c, &ctx, forms[i].path, forms[i].password),
		    CORE_OK, "%s: %s", forms[i].path, ctx.msg);
		cr_expect_str_eq(auth_cert_thumbprint(c, AUTH_PS256), s256, "%s", forms[i].path);
		cr_expect_str_eq(auth_cert_thumbprint(c, AUTH_RS256), s1, "%s", forms[i].path);
		auth_cert_free(c);
		core_ctx_release(&ctx);
	}
	free(s256);
	free(s1);
	X509_free(x);
}

Test(auth, explains_why_a_certificate_cannot_be_used)
{
	struct testcert_app app;
	char missing[512];
	const struct {
		const char *path;
		const char *password;
		const char *want;
	} cases[] = {
		{ app.enc_pem, NULL, "is encrypted: set certificate_password" },
		{ app.enc_pem, "wrong", "wrong certificate_password" },
		{ app.pfx, "wrong", "wrong certificate_password" },
		{ app.pfx, NULL, "set certificate_password" },
		{ app.cert_pem, NULL, "no private key in certificate_path" },
		{ missing, NULL, "cannot read certificate_path" },
	};
	size_t i;

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone unit", CERT_PASSWORD), 0);
	snprintf(missing, sizeof(missing), "%s/none.pem", dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct core_ctx ctx;
		struct auth_cert *c = NULL;

		core_ctx_init(&ctx, "test");
		cr_expect_eq(auth_cert_load(&c, &ctx, cases[i].path, cases[i].password),
		    CORE_EARGS, "case %zu", i);
		cr_expect_null(c);
		cr_expect(ctx.msg && strstr(MSG(ctx), cases[i].want), "case %zu: %s", i,
		    ctx.msg);
		cr_expect(ctx.msg && strstr(MSG(ctx), cases[i].path), "names the file: %s",
		    ctx.msg);
		core_ctx_release(&ctx);
	}
}

/* ---- assertions ---- */

static void
check_assertion(enum auth_alg alg)
{
	struct testcert_app app;
	struct core_ctx ctx;
	struct auth_cert *c = NULL;
	struct jwt j;
	char *token = NULL, *want_thumb, *tampered;
	X509 *x;
	const time_t now = 1767225600;   /* 2026-01-01T00:00:00Z */

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone unit", CERT_PASSWORD), 0);
	x = testcert_load_x509(app.cert_pem);
	core_ctx_init(&ctx, "test");
	cr_assert_eq(auth_cert_load(&c, &ctx, app.pfx, CERT_PASSWORD), CORE_OK);
	cr_assert_eq(auth_jwt_assertion(&token, &ctx, c, alg, CLIENT_ID, TOKEN_URL, now),
	    CORE_OK, "%s", ctx.msg);
	jwt_split(&j, token);

	cr_expect_str_eq(jstr(j.header, "typ"), "JWT");
	if (alg == AUTH_PS256) {
		want_thumb = thumb(x, EVP_sha256());
		cr_expect_str_eq(jstr(j.header, "alg"), "PS256");
		cr_expect_str_eq(jstr(j.header, "x5t#S256"), want_thumb);
		cr_expect_null(jstr(j.header, "x5t"));
	} else {
		want_thumb = thumb(x, EVP_sha1());
		cr_expect_str_eq(jstr(j.header, "alg"), "RS256");
		cr_expect_str_eq(jstr(j.header, "x5t"), want_thumb);
		cr_expect_null(jstr(j.header, "x5t#S256"));
	}
	cr_expect_str_eq(jstr(j.claims, "aud"), TOKEN_URL);
	cr_expect_str_eq(jstr(j.claims, "iss"), CLIENT_ID);
	cr_expect_str_eq(jstr(j.claims, "sub"), CLIENT_ID);
	cr_expect(is_guid(jstr(j.claims, "jti")), "jti %s", jstr(j.claims, "jti"));
	cr_expect_eq(jnum(j.claims, "nbf"), (double)now);
	cr_expect_eq(jnum(j.claims, "iat"), (double)now);
	cr_expect_eq(jnum(j.claims, "exp"), (double)(now + 600));

	cr_expect(verify(x, &j, alg == AUTH_PS256, j.signed_part),
	    "the signature verifies with the certificate's public key");
	cr_expect(!verify(x, &j, alg != AUTH_PS256, j.signed_part),
	    "and only with the padding its alg names");
	tampered = strdup(j.signed_part);
	tampered[strlen(tampered) - 1] ^= 1;
	cr_expect(!verify(x, &j, alg == AUTH_PS256, tampered), "a changed claim fails");
	cr_expect(has_secret(&ctx, token), "the assertion is registered as a secret");

	free(tampered);
	free(want_thumb);
	jwt_free(&j);
	free(token);
	auth_cert_free(c);
	X509_free(x);
	core_ctx_release(&ctx);
}

Test(auth, signs_a_ps256_assertion_named_by_its_sha256_thumbprint)
{
	check_assertion(AUTH_PS256);
}

Test(auth, signs_an_rs256_assertion_named_by_its_sha1_thumbprint)
{
	check_assertion(AUTH_RS256);
}

Test(auth, gives_every_assertion_a_new_jti)
{
	struct testcert_app app;
	struct core_ctx ctx;
	struct auth_cert *c = NULL;
	struct jwt a, b;
	char *t1 = NULL, *t2 = NULL;

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone unit", CERT_PASSWORD), 0);
	core_ctx_init(&ctx, "test");
	cr_assert_eq(auth_cert_load(&c, &ctx, app.plain_pem, NULL), CORE_OK);
	cr_assert_eq(auth_jwt_assertion(&t1, &ctx, c, AUTH_PS256, CLIENT_ID, TOKEN_URL, 1000), 0);
	cr_assert_eq(auth_jwt_assertion(&t2, &ctx, c, AUTH_PS256, CLIENT_ID, TOKEN_URL, 1000), 0);
	jwt_split(&a, t1);
	jwt_split(&b, t2);
	cr_expect_str_neq(jstr(a.claims, "jti"), jstr(b.claims, "jti"));
	jwt_free(&a);
	jwt_free(&b);
	free(t1);
	free(t2);
	auth_cert_free(c);
	core_ctx_release(&ctx);
}

/* ---- the token endpoint's errors ---- */

Test(auth, decodes_entra_errors_into_one_line)
{
	static const struct {
		const char *audience;
		long status;
		const char *body;
		const char *want;
	} cases[] = {
		{ "graph", 401,
		  "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
		  "Invalid client secret provided. Ensure the secret being sent in the "
		  "request is the client secret value.\\r\\nTrace ID: 0a1b\\r\\n"
		  "Correlation ID: 2c3d\\r\\nTimestamp: 2026-01-01 00:00:00Z\","
		  "\"error_codes\":[7000215],\"trace_id\":\"0a1b\",\"correlation_id\":\"2c3d\"}",
		  "login: token request for graph failed: 401 invalid_client AADSTS7000215: "
		  "Invalid client secret provided. Ensure the secret being sent in the "
		  "request is the client secret value." },
		{ "teams", 400,
		  "{\"error\":\"invalid_scope\",\"error_description\":\"The scope is not "
		  "valid. Trace ID: 99 Correlation ID: 98\",\"error_codes\":[70011]}",
		  "login: token request for teams failed: 400 invalid_scope AADSTS70011: "
		  "The scope is not valid." },
		{ "graph", 400, "{\"error\":\"invalid_request\",\"error_codes\":[90002]}",
		  "login: token request for graph failed: 400 invalid_request AADSTS90002" },
		{ "graph", 502, "<html>Bad gateway</html>\nmore",
		  "login: token request for graph failed: 502: <html>Bad gateway</html>" },
		{ "graph", 500, "",
		  "login: token request for graph failed: 500" },
		{ "graph", 500, NULL,
		  "login: token request for graph failed: 500" },
		{ "teams", 403, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"blocked\"}}",
		  "login: token request for teams failed: 403 Forbidden: blocked" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = auth_error_message(cases[i].audience, cases[i].status,
		    cases[i].body);

		cr_expect_str_eq(got, cases[i].want, "case %zu", i);
		free(got);
	}
}

/* ---- freshness ---- */

Test(auth, refreshes_a_token_when_less_than_300_seconds_remain)
{
	static const struct {
		long remaining;
		bool fresh;
	} cases[] = {
		{ 3599, true }, { 301, true }, { 300, true }, { 299, false },
		{ 1, false }, { 0, false }, { -60, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		cr_expect_eq(auth_token_fresh(1000000 + cases[i].remaining, 1000000),
		    cases[i].fresh, "%ld s left", cases[i].remaining);
}

/* ---- token cache ---- */

static char *
cache_path(void)
{
	char *p = malloc(512);

	snprintf(p, 512, "%s/tokens.json", dir);
	return p;
}

Test(auth, creates_the_cache_with_mode_0600_and_reads_it_back)
{
	struct core_ctx ctx;
	struct stat st;
	cJSON *tokens = NULL;
	char *path = cache_path(), *key = auth_cache_key(TENANT_ID, CLIENT_ID,
	    AUTH_TEAMS_SCOPE, "login.microsoftonline.com", "secret:abc");
	const cJSON *e;

	cr_expect_str_eq(key, TENANT_ID "|" CLIENT_ID "|" AUTH_TEAMS_SCOPE
	    "|login.microsoftonline.com|secret:abc");
	core_ctx_init(&ctx, "test");
	umask(022);
	cr_assert_eq(auth_cache_store(&ctx, path, key, "tok-1", 5000, 1000), CORE_OK);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_expect_eq(st.st_uid, geteuid());
	cr_assert_eq(auth_cache_read(&tokens, &ctx, path), CORE_OK);
	e = cJSON_GetObjectItemCaseSensitive(tokens, key);
	cr_expect_str_eq(jstr(e, "access_token"), "tok-1");
	cr_expect_eq(jnum(e, "expires_on"), 5000);
	cJSON_Delete(tokens);
	cr_expect_eq(cJSON_GetArraySize(ctx.warnings), 0);
	core_ctx_release(&ctx);
	free(key);
	free(path);
}

Test(auth, drops_expired_entries_and_leaves_no_temporary_files)
{
	struct core_ctx ctx;
	cJSON *tokens = NULL;
	char *path = cache_path(), cmd[700];
	FILE *ls;
	int n = 0;
	char line[512];

	core_ctx_init(&ctx, "test");
	cr_assert_eq(auth_cache_store(&ctx, path, "a", "tok-a", 2000, 1000), CORE_OK);
	cr_assert_eq(auth_cache_store(&ctx, path, "b", "tok-b", 9000, 1000), CORE_OK);
	cr_assert_eq(auth_cache_store(&ctx, path, "c", "tok-c", 9000, 3000), CORE_OK);
	cr_assert_eq(auth_cache_read(&tokens, &ctx, path), CORE_OK);
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(tokens, "a"), "expired at 2000");
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(tokens, "b"));
	cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(tokens, "c"));
	cJSON_Delete(tokens);
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	ls = popen(cmd, "r");
	while (fgets(line, sizeof(line), ls))
		n++;
	pclose(ls);
	cr_expect_eq(n, 1, "only tokens.json remains");
	core_ctx_release(&ctx);
	free(path);
}

Test(auth, refuses_a_cache_readable_by_others)
{
	struct core_ctx ctx;
	cJSON *tokens = NULL;
	char *path = cache_path();

	core_ctx_init(&ctx, "test");
	cr_assert_eq(auth_cache_store(&ctx, path, "k", "tok", 9000, 1000), CORE_OK);
	cr_assert_eq(chmod(path, 0644), 0);
	cr_expect_eq(auth_cache_read(&tokens, &ctx, path), CORE_EARGS);
	cr_expect_null(tokens);
	cr_expect(ctx.msg && strstr(MSG(ctx), "has mode 0644, looser than 0600"), "%s", ctx.msg);
	cr_expect(ctx.msg && strstr(MSG(ctx), path), "%s", ctx.msg);
	cr_expect_eq(auth_cache_store(&ctx, path, "k", "tok", 9000, 1000), CORE_EARGS,
	    "nor does it write into it");
	core_ctx_release(&ctx);
	free(path);
}

Test(auth, refuses_a_cache_owned_by_someone_else)
{
	struct core_ctx ctx;
	cJSON *tokens = NULL;
	char *path = cache_path();

	if (geteuid() != 0)
		cr_skip_test("changing a file's owner needs root");
	core_ctx_init(&ctx, "test");
	cr_assert_eq(auth_cache_store(&ctx, path, "k", "tok", 9000, 1000), CORE_OK);
	cr_assert_eq(chown(path, 65534, 65534), 0);
	cr_expect_eq(auth_cache_read(&tokens, &ctx, path), CORE_EARGS);
	cr_expect(ctx.msg && strstr(MSG(ctx), "is owned by uid 65534"), "%s", ctx.msg);
	core_ctx_release(&ctx);
	free(path);
}

Test(auth, refuses_a_cache_that_is_a_symbolic_link)
{
	struct core_ctx ctx;
	cJSON *tokens = NULL;
	char *path = cache_path(), target[600];

	core_ctx_init(&ctx, "test");
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	cr_assert_eq(auth_cache_store(&ctx, target, "k", "tok", 9000, 1000), CORE_OK);
	cr_assert_eq(symlink(target, path), 0);
	cr_expect_eq(auth_cache_read(&tokens, &ctx, path), CORE_EARGS);
	cr_expect(ctx.msg && strstr(MSG(ctx), "symbolic link"), "%s", ctx.msg);
	core_ctx_release(&ctx);
	free(path);
}

Test(auth, treats_a_damaged_cache_as_empty)
{
	struct core_ctx ctx;
	cJSON *tokens = NULL;
	char *path = cache_path();
	FILE *f;

	core_ctx_init(&ctx, "test");
	f = fopen(path, "w");
	fputs("{not json", f);
	fclose(f);
	chmod(path, 0600);
	cr_assert_eq(auth_cache_read(&tokens, &ctx, path), CORE_OK);
	cr_expect_eq(cJSON_GetArraySize(tokens), 0);
	cJSON_Delete(tokens);
	core_ctx_release(&ctx);
	free(path);
}

/* ---- sign-in against a scripted token endpoint ---- */

static time_t fake_now = 1767225600;

static time_t
fake_clock(void)
{
	return fake_now;
}

static char *
json_reply(long status, const char *body)
{
	char *r = NULL;
	size_t n = strlen(body) + 256;

	r = malloc(n);
	snprintf(r, n, "HTTP/1.1 %ld X\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", status, strlen(body), body);
	return r;
}

struct signin {
	struct core_ctx ctx;
	struct miniserver srv;
	struct http *h;
	struct auth *a;
	struct mini_reply script[4];
	char *cache;
};

static void
signin_start(struct signin *s, const char *const *bodies, const long *statuses,
    size_t n, const struct auth_opts *base)
{
	struct http_opts ho = { .timeout_s = 5, .validate_certs = true,
	    .max_retries = 2, .max_wait_ms = 60000 };
	struct auth_opts o = *base;
	size_t i;

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0", 1);
	memset(s->script, 0, sizeof(s->script));
	for (i = 0; i < n; i++)
		s->script[i].raw = json_reply(statuses[i], bodies[i]);
	core_ctx_init(&s->ctx, "test");
	cr_assert_eq(mini_start(&s->srv, s->script, n), 0);
	s->h = http_new(&s->ctx, &ho);
	o.login_base = s->srv.url;
	o.clock = fake_clock;
	s->a = auth_new(&s->ctx, &o, s->h);
}

static void
signin_stop(struct signin *s)
{
	size_t i;

	auth_free(s->a);
	http_free(s->h);
	mini_stop(&s->srv);
	core_ctx_release(&s->ctx);
	for (i = 0; i < ARRAY_SIZE(s->script); i++)
		free((char *)s->script[i].raw);
}

#define TOKEN_1 "eyJ0eXAiOiJKV1QifQ.tok1.sig"
#define TOKEN_2 "eyJ0eXAiOiJKV1QifQ.tok2.sig"

Test(auth, signs_in_with_a_url_escaped_secret_and_caches_only_the_token)
{
	static const char *const bodies[] = {
		"{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"" TOKEN_1 "\"}",
	};
	static const long statuses[] = { 200 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	const char *tok = NULL;
	char *path = cache_path(), *text;

	o.token_cache = path;
	signin_start(&s, bodies, statuses, 1, &o);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams", false),
	    CORE_OK, "%s", s.ctx.msg);
	cr_expect_str_eq(tok, TOKEN_1);
	cr_expect(has_secret(&s.ctx, TOKEN_1), "the token is a secret");
	cr_expect(has_secret(&s.ctx, SECRET), "the client secret is a secret");
	/* Never print the request: it holds the secret. */
	cr_expect(strstr(s.srv.shared->last, "POST /" TENANT_ID "/oauth2/v2.0/token ") != NULL);
	cr_expect(strstr(s.srv.shared->last,
	    "Content-Type: application/x-www-form-urlencoded") != NULL);
	cr_expect(strstr(s.srv.shared->last,
	    "client_secret=unit-Secret-9Zx%2B%2F%3D%26") != NULL, "URL-escaped secret");
	cr_expect(strstr(s.srv.shared->last,
	    "scope=48ac35b8-9aa8-4d74-927d-1f4a14a0b239%2F.default") != NULL);
	cr_expect(strstr(s.srv.shared->last, "grant_type=client_credentials") != NULL);
	cr_expect(strstr(s.srv.shared->last, "client_id=" CLIENT_ID) != NULL);

	text = testfile_read(path);
	cr_assert_not_null(text);
	cr_expect(strstr(text, TOKEN_1) != NULL);
	cr_expect(strstr(text, "unit-Secret") == NULL, "the cache never holds the secret");
	cr_expect(strstr(text, "client_secret") == NULL);
	free(text);

	/* The same process asks again: memory, no request. */
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams", false), 0);
	cr_expect_eq(s.srv.shared->requests, 1);
	cr_expect_eq(auth_signin_count(s.a), 1);
	signin_stop(&s);
	free(path);
}

Test(auth, reuses_a_cached_token_until_300_seconds_before_expiry)
{
	static const char *const bodies[] = {
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_1 "\"}",
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_2 "\"}",
	};
	static const long statuses[] = { 200, 200 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	struct auth *second;
	const char *tok = NULL;
	char *path = cache_path();
	unsigned g1 = 0, g2 = 0;

	o.token_cache = path;
	fake_now = 1767225600;
	signin_start(&s, bodies, statuses, 2, &o);
	cr_assert_eq(auth_token(&tok, &g1, s.a, &s.ctx, "https://graph.microsoft.com/.default",
	    "graph", false), CORE_OK, "%s", s.ctx.msg);
	cr_expect_str_eq(tok, TOKEN_1);

	/* Another module process: a new auth reading the same cache file. */
	o.login_base = s.srv.url;
	o.clock = fake_clock;
	second = auth_new(&s.ctx, &o, s.h);
	fake_now += 3600 - 300;   /* exactly 300 s left: still good */
	cr_assert_eq(auth_token(&tok, NULL, second, &s.ctx,
	    "https://graph.microsoft.com/.default", "graph", false), CORE_OK);
	cr_expect_str_eq(tok, TOKEN_1);
	cr_expect_eq(s.srv.shared->requests, 1, "served from the cache file");

	fake_now += 1;            /* 299 s left: refresh */
	cr_assert_eq(auth_token(&tok, &g2, s.a, &s.ctx,
	    "https://graph.microsoft.com/.default", "graph", false), CORE_OK);
	cr_expect_str_eq(tok, TOKEN_2);
	cr_expect_eq(s.srv.shared->requests, 2);
	cr_expect_neq(g1, g2, "a new token has a new generation");
	auth_free(second);
	signin_stop(&s);
	free(path);
}

/* A rotated or mistyped secret never finds the token of the old one. */
Test(auth, keys_the_cache_by_a_fingerprint_of_the_secret)
{
	static const char *const bodies[] = {
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_1 "\"}",
		"{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
		    "Invalid client secret provided.\"}",
	};
	static const long statuses[] = { 200, 401 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	struct auth *second;
	const char *tok = NULL;
	char *path = cache_path(), *text, *fp;

	o.token_cache = path;
	fake_now = 1767225600;
	signin_start(&s, bodies, statuses, 2, &o);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_GRAPH_SCOPE_DEFAULT,
	    "graph", false), CORE_OK, "%s", s.ctx.msg);
	text = testfile_read(path);
	fp = auth_secret_fingerprint(SECRET);
	cr_expect_not_null(strstr(text, fp), "the key holds the fingerprint");
	cr_expect_null(strstr(text, "unit-Secret"), "never the secret");
	free(fp);
	free(text);

	o.client_secret = "wrong-Secret-x9";
	o.login_base = s.srv.url;
	o.clock = fake_clock;
	second = auth_new(&s.ctx, &o, s.h);
	cr_expect_eq(auth_token(&tok, NULL, second, &s.ctx, AUTH_GRAPH_SCOPE_DEFAULT,
	    "graph", false), CORE_EAUTH, "the wrong secret signs in, and fails");
	cr_expect_eq(s.srv.shared->requests, 2);
	cr_expect_not_null(strstr(s.ctx.msg, "AADSTS7000215"), "%s", s.ctx.msg);
	auth_free(second);
	signin_stop(&s);
	free(path);
}

Test(auth, keeps_one_token_per_audience)
{
	static const char *const bodies[] = {
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_1 "\"}",
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_2 "\"}",
	};
	static const long statuses[] = { 200, 200 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	const char *graph = NULL, *teams = NULL;

	signin_start(&s, bodies, statuses, 2, &o);
	cr_assert_eq(auth_token(&graph, NULL, s.a, &s.ctx, AUTH_GRAPH_SCOPE_DEFAULT,
	    "graph", false), CORE_OK);
	cr_assert_eq(auth_token(&teams, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams",
	    false), CORE_OK);
	cr_expect_str_eq(graph, TOKEN_1);
	cr_expect_str_eq(teams, TOKEN_2);
	cr_assert_eq(auth_token(&graph, NULL, s.a, &s.ctx, AUTH_GRAPH_SCOPE_DEFAULT,
	    "graph", false), CORE_OK);
	cr_expect_str_eq(graph, TOKEN_1);
	cr_expect_eq(s.srv.shared->requests, 2);
	signin_stop(&s);
}

Test(auth, forced_refresh_skips_memory_and_file)
{
	static const char *const bodies[] = {
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_1 "\"}",
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_2 "\"}",
	};
	static const long statuses[] = { 200, 200 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	const char *tok = NULL;
	char *path = cache_path(), *text;

	o.token_cache = path;
	signin_start(&s, bodies, statuses, 2, &o);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams", false), 0);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams", true), 0);
	cr_expect_str_eq(tok, TOKEN_2);
	text = testfile_read(path);
	cr_expect(strstr(text, TOKEN_2) && !strstr(text, TOKEN_1), "the cache holds the new one");
	free(text);
	signin_stop(&s);
	free(path);
}

Test(auth, reports_a_refused_sign_in_without_echoing_the_secret)
{
	static const char *const bodies[] = {
		"{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
		"Invalid client secret provided: '" SECRET "'.\\r\\nTrace ID: 1\","
		"\"error_codes\":[7000215]}",
	};
	static const long statuses[] = { 401 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .client_secret = SECRET };
	struct signin s;
	const char *tok = NULL;

	signin_start(&s, bodies, statuses, 1, &o);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_GRAPH_SCOPE_DEFAULT,
	    "graph", false), CORE_EAUTH);
	cr_expect_null(tok);
	cr_expect(strstr(MSG(s.ctx), "login: token request for graph failed: 401 "
	    "invalid_client AADSTS7000215: Invalid client secret provided") == MSG(s.ctx),
	    "%s", s.ctx.msg);
	cr_expect(strstr(MSG(s.ctx), "unit-Secret") == NULL, "the message is scrubbed");
	cr_expect(strstr(MSG(s.ctx), "Trace ID") == NULL);
	cr_expect_eq(s.srv.shared->requests, 1, "a 401 from login is not retried");
	signin_stop(&s);
}

Test(auth, signs_in_with_a_certificate_assertion_for_the_token_url)
{
	static const char *const bodies[] = {
		"{\"expires_in\":3600,\"access_token\":\"" TOKEN_1 "\"}",
	};
	static const long statuses[] = { 200 };
	struct auth_opts o = { .tenant_id = TENANT_ID, .client_id = CLIENT_ID,
	    .certificate_password = CERT_PASSWORD, .alg = AUTH_RS256 };
	struct testcert_app app;
	struct signin s;
	struct jwt j;
	const char *tok = NULL;
	char *assertion, *end, want_aud[256];

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone unit", CERT_PASSWORD), 0);
	o.certificate_path = app.enc_pem;
	signin_start(&s, bodies, statuses, 1, &o);
	cr_assert_eq(auth_token(&tok, NULL, s.a, &s.ctx, AUTH_TEAMS_SCOPE, "teams", false),
	    CORE_OK, "%s", s.ctx.msg);
	cr_expect(strstr(s.srv.shared->last, "client_assertion_type=urn%3Aietf%3Aparams%3A"
	    "oauth%3Aclient-assertion-type%3Ajwt-bearer") != NULL);
	cr_expect(strstr(s.srv.shared->last, "client_secret") == NULL);
	assertion = strstr(s.srv.shared->last, "client_assertion=");
	cr_assert_not_null(assertion);
	assertion = strdup(assertion + strlen("client_assertion="));
	end = strchr(assertion, '&');
	if (end)
		*end = '\0';
	jwt_split(&j, assertion);
	snprintf(want_aud, sizeof(want_aud), "%s/%s/oauth2/v2.0/token", s.srv.url, TENANT_ID);
	cr_expect_str_eq(jstr(j.claims, "aud"), want_aud);
	cr_expect_str_eq(jstr(j.claims, "aud"), auth_token_url(s.a));
	cr_expect_str_eq(jstr(j.header, "alg"), "RS256");
	cr_expect(has_secret(&s.ctx, CERT_PASSWORD));
	jwt_free(&j);
	free(assertion);
	signin_stop(&s);
}
