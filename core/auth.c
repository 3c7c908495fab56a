/*
 * auth.c - OAuth2 client credentials, client assertions, token cache
 * (see auth.h).
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "result.h"

/* Largest certificate file and token cache file read. */
#define AUTH_FILE_MAX ((size_t)4 * 1024 * 1024)
/* Longest Entra error description kept in a message. */
#define AUTH_DESC_MAX 300
/* Longest token lifetime believed from a token answer, in seconds. */
#define AUTH_EXPIRES_MAX 86400L
#define AUTH_ASSERTION_TYPE "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct auth_cert {
	X509 *x509;
	EVP_PKEY *key;
	char *x5t;        /* base64url SHA-1 of the DER */
	char *x5t_s256;   /* base64url SHA-256 of the DER */
};

struct auth_entry {
	char *scope;
	char *token;
	time_t expires_on;
	unsigned gen;
};

#define AUTH_MAX_SCOPES 4

struct auth {
	char *tenant_id;
	char *client_id;
	char *secret;
	char *cert_path;
	char *cert_password;
	enum auth_alg alg;
	char *login_base;
	char *login_host;
	char *token_url;
	char *token_path;   /* "/{tenant}/oauth2/v2.0/token", for messages */
	char *cache;
	time_t (*clock)(void);
	struct auth_cert *cert;
	struct http *http;
	struct auth_entry ent[AUTH_MAX_SCOPES];
	int nent;
	unsigned gen;
	unsigned long nsignin;
};

/* ---- small helpers ---- */

static void
wipe_free(char *s)
{
	if (!s)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

void
auth_guid(char out[AUTH_GUID_SIZE])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		BUG("no random bytes from OpenSSL");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, AUTH_GUID_SIZE,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
	    b[11], b[12], b[13], b[14], b[15]);
}

const char *
auth_alg_name(enum auth_alg alg)
{
	return alg == AUTH_RS256 ? "RS256" : "PS256";
}

int
auth_alg_parse(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "PS256") == 0)
		return AUTH_PS256;
	if (strcmp(name, "RS256") == 0)
		return AUTH_RS256;
	return -1;
}

char *
auth_base64url(const void *p, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *s = p;
	char *out = xmalloc(n / 3 * 4 + 5), *o = out;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		*o++ = tab[s[i + 2] & 63];
	}
	if (n - i == 1) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[(s[i] & 3) << 4];
	} else if (n - i == 2) {
		*o++ = tab[s[i] >> 2];
		*o++ = tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		*o++ = tab[(s[i + 1] & 15) << 2];
	}
	*o = '\0';
	return out;
}

/* Percent-encodes s for application/x-www-form-urlencoded. */
static int
form_add(struct buf *b, const char *key, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	if (b->len && buf_add(b, "&", 1))
		return -1;
	if (buf_adds(b, key) || buf_add(b, "=", 1))
		return -1;
	for (p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~') {
			if (buf_add(b, p, 1))
				return -1;
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 15];
		if (buf_add(b, enc, 3))
			return -1;
	}
	return 0;
}

/* Reads a whole file of at most AUTH_FILE_MAX bytes; -1 with errno set. */
static int
read_file(struct buf *out, const char *path)
{
	char chunk[8192];
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf_add(out, chunk, (size_t)n)) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

/* ---- certificates ---- */

struct pass {
	const char *pw;
	bool asked;
};

static int
pem_pass(char *out, int size, int rwflag, void *u)
{
	struct pass *p = u;
	size_t len;

	(void)rwflag;
	p->asked = true;
	if (!p->pw)
		return -1;   /* never prompt on a terminal */
	len = strlen(p->pw);
	if (len > (size_t)size)
		return -1;
	memcpy(out, p->pw, len);
	return (int)len;
}

static bool
ends_with_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static char *
digest_b64(const unsigned char *der, int len, const EVP_MD *md)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (EVP_Digest(der, (size_t)len, d, &dlen, md, NULL) != 1)
		BUG("EVP_Digest failed");
	return auth_base64url(d, dlen);
}

static int
load_pem(struct auth_cert *c, struct core_ctx *ctx, const char *path,
    const struct buf *data, const char *password)
{
	struct pass pw = { password, false };
	BIO *bio = NULL;
	X509 *x;
	int rc = CORE_OK;

	bio = BIO_new_mem_buf(data->data, (int)data->len);
	if (!bio)
		BUG("out of memory");
	c->key = PEM_read_bio_PrivateKey(bio, NULL, pem_pass, &pw);
	BIO_free(bio);
	if (!c->key) {
		if (pw.asked && !password)
			rc = core_error(ctx, CORE_EARGS, "the private key in "
			    "certificate_path '%s' is encrypted: set "
			    "certificate_password", path);
		else if (pw.asked)
			rc = core_error(ctx, CORE_EARGS, "cannot decrypt the "
			    "private key in certificate_path '%s': wrong "
			    "certificate_password", path);
		else
			rc = core_error(ctx, CORE_EARGS, "no private key in "
			    "certificate_path '%s' (a PEM file needs the "
			    "certificate and its key)", path);
		return rc;
	}
	bio = BIO_new_mem_buf(data->data, (int)data->len);
	if (!bio)
		BUG("out of memory");
	pw.asked = false;
	while ((x = PEM_read_bio_X509(bio, NULL, pem_pass, &pw)) != NULL) {
		if (X509_check_private_key(x, c->key) == 1) {
			c->x509 = x;
			break;
		}
		X509_free(x);
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!c->x509)
		return core_error(ctx, CORE_EARGS, "no certificate in "
		    "certificate_path '%s' matches its private key", path);
	return CORE_OK;
}

static int
load_p12(struct auth_cert *c, struct core_ctx *ctx, const char *path,
    const struct buf *data, const char *password)
{
	const unsigned char *p = (const unsigned char *)data->data;
	PKCS12 *p12;
	STACK_OF(X509) *ca = NULL;
	int ok;

	p12 = d2i_PKCS12(NULL, &p, (long)data->len);
	if (!p12) {
		ERR_clear_error();
		return core_error(ctx, CORE_EARGS, "certificate_path '%s' is "
		    "neither PEM nor PKCS#12", path);
	}
	if (!password || !*password)
		ok = PKCS12_verify_mac(p12, NULL, 0) == 1 ||
		    PKCS12_verify_mac(p12, "", 0) == 1;
	else
		ok = PKCS12_verify_mac(p12, password, -1) == 1;
	if (!ok && PKCS12_mac_present(p12)) {
		PKCS12_free(p12);
		ERR_clear_error();
		return core_error(ctx, CORE_EARGS, "cannot open the PKCS#12 "
		    "file certificate_path '%s': %s", path, password ?
		    "wrong certificate_password" : "set certificate_password");
	}
	ok = PKCS12_parse(p12, password ? password : "", &c->key, &c->x509, &ca);
	if (!ok) {
		/* Old exports use RC2/RC4, which OpenSSL 3 keeps in "legacy". */
		ERR_clear_error();
		if (OSSL_PROVIDER_try_load(NULL, "legacy", 1))
			ok = PKCS12_parse(p12, password ? password : "",
			    &c->key, &c->x509, &ca);
	}
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	ERR_clear_error();
	if (!ok)
		return core_error(ctx, CORE_EARGS, "cannot read the PKCS#12 file "
		    "certificate_path '%s' (unsupported encryption or damaged "
		    "file)", path);
	if (!c->key || !c->x509)
		return core_error(ctx, CORE_EARGS, "the PKCS#12 file "
		    "certificate_path '%s' must hold a certificate and its "
		    "private key", path);
	return CORE_OK;
}

void
auth_cert_free(struct auth_cert *c)
{
	if (!c)
		return;
	X509_free(c->x509);
	EVP_PKEY_free(c->key);
	free(c->x5t);
	free(c->x5t_s256);
	free(c);
}

int
auth_cert_load(struct auth_cert **out, struct core_ctx *ctx, const char *path,
    const char *password)
{
	struct buf data = BUF_INIT(AUTH_FILE_MAX);
	struct auth_cert *c = NULL;
	unsigned char *der = NULL;
	int rc, len;

	*out = NULL;
	if (read_file(&data, path)) {
		rc = core_error(ctx, CORE_EARGS, "cannot read certificate_path "
		    "'%s': %s", path, strerror(errno));
		goto out;
	}
	c = xcalloc(1, sizeof(*c));
	if (ends_with_ci(path, ".pfx") || ends_with_ci(path, ".p12") ||
	    !data.data || !strstr(data.data, "-----BEGIN"))
		rc = load_p12(c, ctx, path, &data, password);
	else
		rc = load_pem(c, ctx, path, &data, password);
	if (rc)
		goto out;
	if (!EVP_PKEY_is_a(c->key, "RSA")) {
		rc = core_error(ctx, CORE_EARGS, "the key in certificate_path "
		    "'%s' is not an RSA key (PS256 and RS256 need one)", path);
		goto out;
	}
	len = i2d_X509(c->x509, &der);
	if (len <= 0)
		BUG("i2d_X509 failed");
	c->x5t = digest_b64(der, len, EVP_sha1());
	c->x5t_s256 = digest_b64(der, len, EVP_sha256());
	*out = c;
	c = NULL;
	rc = CORE_OK;
out:
	OPENSSL_free(der);
	auth_cert_free(c);
	if (data.data)
		OPENSSL_cleanse(data.data, data.len);
	buf_release(&data);
	ERR_clear_error();
	return rc;
}

const char *
auth_cert_thumbprint(const struct auth_cert *c, enum auth_alg alg)
{
	return alg == AUTH_RS256 ? c->x5t : c->x5t_s256;
}

static char *
json_b64(const cJSON *doc)
{
	char *text = cJSON_PrintUnformatted(doc), *b;

	if (!text)
		BUG("out of memory");
	b = auth_base64url(text, strlen(text));
	free(text);
	return b;
}

static int
sign_error(struct core_ctx *ctx)
{
	const char *why = ERR_reason_error_string(ERR_peek_last_error());

	return core_error(ctx, CORE_EAUTH, "login: cannot sign the client "
	    "assertion with the key of certificate_path (%s)",
	    why ? why : "OpenSSL error");
}

int
auth_jwt_assertion(char **out, struct core_ctx *ctx, const struct auth_cert *c,
    enum auth_alg alg, const char *client_id, const char *aud, time_t now)
{
	cJSON *hdr = NULL, *claims = NULL;
	char *h64 = NULL, *c64 = NULL, *input = NULL, *s64 = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	char jti[AUTH_GUID_SIZE];
	int rc = CORE_OK;

	*out = NULL;
	hdr = cJSON_CreateObject();
	claims = cJSON_CreateObject();
	if (!hdr || !claims)
		BUG("out of memory");
	auth_guid(jti);
	if (!cJSON_AddStringToObject(hdr, "alg", auth_alg_name(alg)) ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    !cJSON_AddStringToObject(hdr, alg == AUTH_RS256 ? "x5t" : "x5t#S256",
	    auth_cert_thumbprint(c, alg)) ||
	    !cJSON_AddStringToObject(claims, "aud", aud) ||
	    !cJSON_AddStringToObject(claims, "iss", client_id) ||
	    !cJSON_AddStringToObject(claims, "sub", client_id) ||
	    !cJSON_AddStringToObject(claims, "jti", jti) ||
	    !cJSON_AddNumberToObject(claims, "nbf", (double)now) ||
	    !cJSON_AddNumberToObject(claims, "iat", (double)now) ||
	    !cJSON_AddNumberToObject(claims, "exp",
	    (double)(now + AUTH_ASSERTION_LIFETIME_S)))
		BUG("out of memory");
	h64 = json_b64(hdr);
	c64 = json_b64(claims);
	input = xasprintf("%s.%s", h64, c64);

	md = EVP_MD_CTX_new();
	if (!md)
		BUG("out of memory");
	if (EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, c->key) != 1 ||
	    (alg == AUTH_PS256 &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)input,
	    strlen(input)) != 1) {
		rc = sign_error(ctx);
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)input,
	    strlen(input)) != 1) {
		rc = sign_error(ctx);
		goto out;
	}
	s64 = auth_base64url(sig, siglen);
	*out = xasprintf("%s.%s", input, s64);
	core_secret_add(ctx, *out);
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	cJSON_Delete(hdr);
	cJSON_Delete(claims);
	free(h64);
	free(c64);
	free(input);
	free(s64);
	free(sig);
	return rc;
}

/* ---- token endpoint answers ---- */

/* Copies at most max bytes of the first line of s, trimmed, UTF-8 safe. */
static char *
first_line(const char *s, size_t max)
{
	const char *e, *cut;
	size_t n;
	char *out;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strcspn(s, "\r\n");
	/* Entra puts the ids on their own lines; be safe when it does not. */
	cut = strstr(s, " Trace ID:");
	if (cut && cut < e)
		e = cut;
	n = (size_t)(e - s);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

char *
auth_error_message(const char *audience, long status, const char *body)
{
	struct buf b = BUF_INIT((size_t)4096);
	cJSON *doc = NULL;
	const cJSON *err, *codes, *desc, *first;
	char *line = NULL, *out;
	int ok;

	ok = buf_addf(&b, "login: token request for %s failed: %ld", audience,
	    status) == 0;
	doc = body && *body ? cJSON_Parse(body) : NULL;
	err = cJSON_GetObjectItemCaseSensitive(doc, "error");
	if (cJSON_IsString(err)) {
		ok = ok && buf_addf(&b, " %s", err->valuestring) == 0;
		desc = cJSON_GetObjectItemCaseSensitive(doc, "error_description");
		codes = cJSON_GetObjectItemCaseSensitive(doc, "error_codes");
		first = cJSON_IsArray(codes) ? cJSON_GetArrayItem(codes, 0) : NULL;
		line = cJSON_IsString(desc) ? first_line(desc->valuestring,
		    AUTH_DESC_MAX) : NULL;
		if (cJSON_IsNumber(first) && (!line || strncmp(line, "AADSTS", 6) != 0))
			ok = ok && buf_addf(&b, " AADSTS%.0f%s", first->valuedouble,
			    line && *line ? ":" : "") == 0;
		if (line && *line)
			ok = ok && buf_addf(&b, " %s", line) == 0;
	} else if (cJSON_IsObject(err)) {
		/* A gateway in front of the endpoint may answer Graph-style. */
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(err, "message");

		if (cJSON_IsString(code))
			ok = ok && buf_addf(&b, " %s", code->valuestring) == 0;
		if (cJSON_IsString(msg)) {
			line = first_line(msg->valuestring, AUTH_DESC_MAX);
			if (*line)
				ok = ok && buf_addf(&b, ": %s", line) == 0;
		}
	} else if (!doc && body && *body) {
		line = first_line(body, AUTH_DESC_MAX);
		if (*line)
			ok = ok && buf_addf(&b, ": %s", line) == 0;
	}
	free(line);
	cJSON_Delete(doc);
	if (!ok) {
		buf_release(&b);
		return xasprintf("login: token request for %s failed: %ld",
		    audience, status);
	}
	out = buf_detach(&b, NULL);
	return out;
}

bool
auth_token_fresh(time_t expires_on, time_t now)
{
	return expires_on - now >= AUTH_REFRESH_MARGIN_S;
}

/* ---- token cache ---- */

char *
auth_cache_key(const char *tenant, const char *client_id, const char *scope,
    const char *login_host, const char *credential)
{
	return xasprintf("%s|%s|%s|%s|%s", tenant, client_id, scope, login_host,
	    credential ? credential : "");
}

char *
auth_secret_fingerprint(const char *secret)
{
	char *d = digest_b64((const unsigned char *)secret, (int)strlen(secret),
	    EVP_sha256());
	char *f = xasprintf("secret:%s", d);

	free(d);
	return f;
}

/*
 * The fingerprint of the credential in use, for the cache key: a rotated or
 * mistyped secret, or another certificate, never finds the old token.
 */
static int
credential_fingerprint(char **out, struct auth *a, struct core_ctx *ctx)
{
	int rc;

	*out = NULL;
	if (a->cert_path) {
		rc = auth_prepare(a, ctx);
		if (rc)
			return rc;
		*out = xasprintf("cert:%s", a->cert->x5t_s256);
		return CORE_OK;
	}
	*out = auth_secret_fingerprint(a->secret ? a->secret : "");
	return CORE_OK;
}

/* Opens and checks the cache file; -1 with *fdp unset when it is missing. */
static int
cache_open(int *fdp, struct core_ctx *ctx, const char *path)
{
	struct stat st;
	int fd;

	*fdp = -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return CORE_OK;
		if (errno == ELOOP)
			return core_error(ctx, CORE_EARGS, "token_cache '%s' is a "
			    "symbolic link: it must be a regular file", path);
		return core_error(ctx, CORE_EARGS, "cannot open token_cache "
		    "'%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return core_error(ctx, CORE_EARGS, "cannot open token_cache "
		    "'%s': %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return core_error(ctx, CORE_EARGS, "token_cache '%s' is not a "
		    "regular file", path);
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return core_error(ctx, CORE_EARGS, "token_cache '%s' is owned by "
		    "uid %ld, not by the user running the module (uid %ld): "
		    "remove it or point token_cache elsewhere", path,
		    (long)st.st_uid, (long)geteuid());
	}
	if (st.st_mode & 077) {
		close(fd);
		return core_error(ctx, CORE_EARGS, "token_cache '%s' has mode "
		    "%04o, looser than 0600: run chmod 600 on it or remove it",
		    path, (unsigned)(st.st_mode & 07777));
	}
	*fdp = fd;
	return CORE_OK;
}

int
auth_cache_read(cJSON **out, struct core_ctx *ctx, const char *path)
{
	struct buf data = BUF_INIT(AUTH_FILE_MAX);
	cJSON *doc = NULL, *tokens;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	*out = NULL;
	rc = cache_open(&fd, ctx, path);
	if (rc)
		return rc;
	if (fd >= 0) {
		for (;;) {
			n = read(fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || buf_add(&data, chunk, (size_t)n))
				break;
		}
		close(fd);
		if (data.data)
			doc = cJSON_Parse(data.data);
	}
	tokens = cJSON_DetachItemFromObjectCaseSensitive(doc, "tokens");
	if (!cJSON_IsObject(tokens)) {
		cJSON_Delete(tokens);
		tokens = cJSON_CreateObject();
		if (!tokens)
			BUG("out of memory");
	}
	cJSON_Delete(doc);
	if (data.data)
		OPENSSL_cleanse(data.data, data.len);
	buf_release(&data);
	*out = tokens;
	return CORE_OK;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
auth_cache_store(struct core_ctx *ctx, const char *path, const char *key,
    const char *token, time_t expires_on, time_t now)
{
	cJSON *tokens = NULL, *doc = NULL, *entry, *item, *next, *exp;
	char *text = NULL, *tmp = NULL;
	bool written;
	int fd, rc, saved;

	rc = auth_cache_read(&tokens, ctx, path);
	if (rc)
		return rc;
	for (item = tokens->child; item; item = next) {
		next = item->next;
		exp = cJSON_GetObjectItemCaseSensitive(item, "expires_on");
		if (!cJSON_IsNumber(exp) || (time_t)exp->valuedouble <= now ||
		    (item->string && strcmp(item->string, key) == 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(tokens, item));
	}
	entry = cJSON_CreateObject();
	if (!entry || !cJSON_AddStringToObject(entry, "access_token", token) ||
	    !cJSON_AddNumberToObject(entry, "expires_on", (double)expires_on) ||
	    !cJSON_AddItemToObject(tokens, key, entry))
		BUG("out of memory");
	doc = cJSON_CreateObject();
	if (!doc || !cJSON_AddNumberToObject(doc, "version", 1))
		BUG("out of memory");
	cJSON_AddItemToObject(doc, "tokens", tokens);
	tokens = NULL;
	text = cJSON_PrintUnformatted(doc);
	if (!text)
		BUG("out of memory");

	/* mkstemp: O_CREAT|O_EXCL, mode 0600, in the cache's own directory. */
	tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		saved = errno;
		free(tmp);
		tmp = NULL;
		errno = saved;
		written = false;
	} else {
		written = fchmod(fd, 0600) == 0 &&
		    write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0;
		saved = errno;
		if (close(fd) != 0 && written) {
			written = false;
			saved = errno;
		}
		errno = saved;
		written = written && rename(tmp, path) == 0;
	}
	if (!written) {
		/* A cache that cannot be written costs sign-ins, not the task. */
		core_warn(ctx, "token_cache '%s' could not be written: %s", path,
		    strerror(errno));
		if (tmp)
			unlink(tmp);
	}
	rc = CORE_OK;
	free(tmp);
	if (text) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	cJSON_Delete(doc);
	cJSON_Delete(tokens);
	return rc;
}

/* ---- the token source ---- */

static char *
host_of(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out;

	if (!u)
		BUG("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return xstrdup(url);
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
		out = xasprintf("%s:%s", host, port);
	else
		out = xstrdup(host);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

struct auth *
auth_new(struct core_ctx *ctx, const struct auth_opts *o, struct http *h)
{
	struct auth *a = xcalloc(1, sizeof(*a));
	size_t n;

	a->tenant_id = xstrdup(o->tenant_id ? o->tenant_id : "");
	a->client_id = xstrdup(o->client_id ? o->client_id : "");
	a->secret = dup_or_null(o->client_secret);
	a->cert_path = dup_or_null(o->certificate_path);
	a->cert_password = dup_or_null(o->certificate_password);
	a->alg = o->alg;
	a->login_base = xstrdup(o->login_base ? o->login_base : "");
	n = strlen(a->login_base);
	while (n > 0 && a->login_base[n - 1] == '/')
		a->login_base[--n] = '\0';
	a->login_host = host_of(a->login_base);
	a->token_path = xasprintf("/%s/oauth2/v2.0/token", a->tenant_id);
	a->token_url = xasprintf("%s%s", a->login_base, a->token_path);
	a->cache = dup_or_null(o->token_cache);
	a->clock = o->clock;
	a->http = h;
	core_secret_add(ctx, a->secret);
	core_secret_add(ctx, a->cert_password);
	return a;
}

void
auth_free(struct auth *a)
{
	int i;

	if (!a)
		return;
	for (i = 0; i < a->nent; i++) {
		free(a->ent[i].scope);
		wipe_free(a->ent[i].token);
	}
	free(a->tenant_id);
	free(a->client_id);
	wipe_free(a->secret);
	free(a->cert_path);
	wipe_free(a->cert_password);
	free(a->login_base);
	free(a->login_host);
	free(a->token_url);
	free(a->token_path);
	free(a->cache);
	auth_cert_free(a->cert);
	free(a);
}

const char *
auth_token_url(const struct auth *a)
{
	return a->token_url;
}

unsigned long
auth_signin_count(const struct auth *a)
{
	return a ? a->nsignin : 0;
}

int
auth_prepare(struct auth *a, struct core_ctx *ctx)
{
	if (!a->cert_path || a->cert)
		return CORE_OK;
	return auth_cert_load(&a->cert, ctx, a->cert_path, a->cert_password);
}

static time_t
now_of(const struct auth *a)
{
	return a->clock ? a->clock() : time(NULL);
}

static struct auth_entry *
entry_for(struct auth *a, const char *scope, bool add)
{
	int i;

	for (i = 0; i < a->nent; i++)
		if (strcmp(a->ent[i].scope, scope) == 0)
			return &a->ent[i];
	if (!add)
		return NULL;
	if (a->nent == AUTH_MAX_SCOPES)
		BUG("more than %d token audiences", AUTH_MAX_SCOPES);
	a->ent[a->nent].scope = xstrdup(scope);
	return &a->ent[a->nent++];
}

unsigned
auth_token_gen(const struct auth *a, const char *scope)
{
	const struct auth_entry *e = entry_for((struct auth *)a, scope, false);

	return e ? e->gen : 0;
}

static void
entry_set(struct auth *a, struct core_ctx *ctx, struct auth_entry *e,
    const char *token, time_t expires_on)
{
	core_secret_add(ctx, token);
	wipe_free(e->token);
	e->token = xstrdup(token);
	e->expires_on = expires_on;
	e->gen = ++a->gen;
}

/* Looks for a fresh token in the cache file. */
static int
from_cache(bool *found, struct auth *a, struct core_ctx *ctx,
    struct auth_entry *e, time_t now)
{
	cJSON *tokens = NULL;
	const cJSON *item, *tok, *exp;
	char *key, *cred = NULL;
	int rc;

	*found = false;
	rc = auth_cache_read(&tokens, ctx, a->cache);
	if (rc)
		return rc;
	rc = credential_fingerprint(&cred, a, ctx);
	if (rc) {
		cJSON_Delete(tokens);
		return rc;
	}
	key = auth_cache_key(a->tenant_id, a->client_id, e->scope, a->login_host,
	    cred);
	free(cred);
	item = cJSON_GetObjectItemCaseSensitive(tokens, key);
	tok = cJSON_GetObjectItemCaseSensitive(item, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(item, "expires_on");
	/* A damaged cache file may hold any number: only a plausible expiry counts. */
	if (cJSON_IsString(tok) && *tok->valuestring && cJSON_IsNumber(exp) &&
	    exp->valuedouble > 0 && exp->valuedouble < (double)now + AUTH_EXPIRES_MAX &&
	    auth_token_fresh((time_t)exp->valuedouble, now)) {
		entry_set(a, ctx, e, tok->valuestring, (time_t)exp->valuedouble);
		*found = true;
	}
	free(key);
	cJSON_Delete(tokens);
	return CORE_OK;
}

static int
sign_in(struct auth *a, struct core_ctx *ctx, struct auth_entry *e,
    const char *name, time_t now)
{
	struct buf form = BUF_INIT((size_t)64 * 1024);
	struct http_resp hr;
	struct http_req req;
	struct curl_slist *hdrs = NULL;
	cJSON *doc = NULL;
	const cJSON *tok, *exp;
	char *assertion = NULL, *msg = NULL, *clean = NULL, *label = NULL;
	long expires_in = 3599;
	int rc;

	http_resp_init(&hr, a->http);
	if (a->cert_path) {
		rc = auth_prepare(a, ctx);
		if (rc)
			goto out;
		rc = auth_jwt_assertion(&assertion, ctx, a->cert, a->alg,
		    a->client_id, a->token_url, now);
		if (rc)
			goto out;
	}
	if (form_add(&form, "client_id", a->client_id) ||
	    form_add(&form, "scope", e->scope) ||
	    form_add(&form, "grant_type", "client_credentials") ||
	    (a->secret && form_add(&form, "client_secret", a->secret)) ||
	    (assertion && (form_add(&form, "client_assertion_type",
	    AUTH_ASSERTION_TYPE) || form_add(&form, "client_assertion",
	    assertion)))) {
		rc = core_error(ctx, CORE_EARGS, "the token request would be larger than "
		    "%zu bytes: client_id, client_secret or the certificate is far longer "
		    "than any Microsoft Entra credential; check them", form.max);
		goto out;
	}

	hdrs = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded");
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (!hdrs)
		BUG("out of memory");
	label = xasprintf("POST %s", a->token_path);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = a->token_url;
	req.service = "login";
	req.label = label;
	req.headers = hdrs;
	req.body = form.data;
	req.body_len = form.len;
	req.idempotent = true;   /* a token request changes nothing */
	a->nsignin++;
	rc = http_send(&hr, a->http, ctx, &req);
	if (rc)
		goto out;
	if (hr.status != 200) {
		/* Scrub the whole answer first: the message cuts it. */
		doc = hr.body.data ? cJSON_Parse(hr.body.data) : NULL;
		if (doc) {
			result_scrub(ctx, doc);
			clean = cJSON_PrintUnformatted(doc);
			if (!clean)
				BUG("out of memory");
		} else {
			clean = result_scrub_str(ctx, hr.body.data ? hr.body.data : "");
		}
		msg = auth_error_message(name, hr.status, clean);
		free(clean);
		clean = result_scrub_str(ctx, msg);
		rc = core_error(ctx, CORE_EAUTH, "%s", clean);
		goto out;
	}
	doc = hr.body.data ? cJSON_Parse(hr.body.data) : NULL;
	tok = cJSON_GetObjectItemCaseSensitive(doc, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	if (!cJSON_IsString(tok) || !*tok->valuestring) {
		rc = core_error(ctx, CORE_EAUTH, "login: the token response for "
		    "%s holds no access_token", name);
		goto out;
	}
	/* Entra's tokens live about an hour; a day bounds an absurd answer. */
	if (cJSON_IsNumber(exp) && exp->valuedouble > 0)
		expires_in = exp->valuedouble < AUTH_EXPIRES_MAX ?
		    (long)exp->valuedouble : AUTH_EXPIRES_MAX;
	else if (cJSON_IsString(exp) && exp->valuestring[0] >= '1' &&
	    exp->valuestring[0] <= '9')
		expires_in = strtol(exp->valuestring, NULL, 10);
	if (expires_in > AUTH_EXPIRES_MAX)
		expires_in = AUTH_EXPIRES_MAX;
	entry_set(a, ctx, e, tok->valuestring, now + expires_in);
	if (a->cache) {
		char *cred = NULL, *key;

		rc = credential_fingerprint(&cred, a, ctx);
		if (rc)
			goto out;
		key = auth_cache_key(a->tenant_id, a->client_id, e->scope,
		    a->login_host, cred);
		free(cred);

		rc = auth_cache_store(ctx, a->cache, key, e->token, e->expires_on,
		    now);
		free(key);
	}
out:
	if (form.data)
		OPENSSL_cleanse(form.data, form.len);
	buf_release(&form);
	wipe_free(assertion);
	if (hr.body.data)
		OPENSSL_cleanse(hr.body.data, hr.body.len);
	http_resp_release(&hr);
	curl_slist_free_all(hdrs);
	cJSON_Delete(doc);
	free(msg);
	free(clean);
	free(label);
	return rc;
}

int
auth_token(const char **token, unsigned *gen, struct auth *a,
    struct core_ctx *ctx, const char *scope, const char *name, bool force)
{
	struct auth_entry *e = entry_for(a, scope, true);
	time_t now = now_of(a);
	bool found = false;
	int rc;

	*token = NULL;
	if (!force && e->token && auth_token_fresh(e->expires_on, now))
		goto done;
	if (!force && a->cache) {
		rc = from_cache(&found, a, ctx, e, now);
		if (rc)
			return rc;
		if (found)
			goto done;
	}
	rc = sign_in(a, ctx, e, name, now);
	if (rc)
		return rc;
done:
	*token = e->token;
	if (gen)
		*gen = e->gen;
	return CORE_OK;
}
