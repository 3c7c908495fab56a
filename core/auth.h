/*
 * auth.h - access tokens for the services: OAuth2 client credentials
 * (Entra ID v2 token endpoint) with a client secret or a certificate.
 *
 * One token per audience (scope): the Graph token and the Teams admin token
 * are obtained, cached and refreshed separately, and svc.c never sends one
 * to the other service. A token is refreshed when less than
 * AUTH_REFRESH_MARGIN_S seconds of it remain.
 *
 * Certificate sign-in signs a JWT client assertion (RFC 7523) with the key
 * of certificate_path: a PEM file holding the certificate and its key (the
 * key may be encrypted with certificate_password) or a PKCS#12 file (.pfx,
 * .p12). PS256 (RSA-PSS, header x5t#S256) by default, RS256 (PKCS#1 v1.5,
 * header x5t) on request. Claims: aud = the token URL used, iss = sub =
 * client_id, jti = a new GUID, nbf = iat = now, exp = now + 600.
 *
 * Token cache (token_cache option): a JSON file
 *   {"version": 1, "tokens": {"TENANT|CLIENT|SCOPE|LOGINHOST":
 *       {"access_token": "...", "expires_on": EPOCH}}}
 * holding access tokens and expiry only, never a secret, a password or an
 * assertion. It is written atomically (a new 0600 file made with
 * O_CREAT|O_EXCL, then rename), so several module processes may share it,
 * and refused when it exists with a mode looser than 0600, when another
 * user owns it, or when it is not a regular file.
 *
 * Secrets: the client secret, the certificate password, every assertion and
 * every access token (obtained or read from the cache) are registered with
 * core_secret_add() before anything else can see them. Messages never echo
 * a request body.
 */
#ifndef DIALTONE_AUTH_H
#define DIALTONE_AUTH_H

#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core.h"
#include "http.h"

/* A token is refreshed when fewer seconds than this remain. */
#define AUTH_REFRESH_MARGIN_S 300
/* Lifetime of a client assertion. */
#define AUTH_ASSERTION_LIFETIME_S 600
/* "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" and its NUL. */
#define AUTH_GUID_SIZE 37

/* The Teams admin audience, the same in every cloud. */
#define AUTH_TEAMS_SCOPE "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default"
/* The Graph scope used when graph_endpoint is not a Microsoft host. */
#define AUTH_GRAPH_SCOPE_DEFAULT "https://graph.microsoft.com/.default"

enum auth_alg { AUTH_PS256 = 0, AUTH_RS256 };

/* Writes a new random (version 4) GUID, lower case, into out. */
void auth_guid(char out[AUTH_GUID_SIZE]);

/* "PS256" or "RS256"; auth_alg_parse() returns -1 for anything else. */
const char *auth_alg_name(enum auth_alg alg);
int auth_alg_parse(const char *name);

/* ---- certificates and assertions ---- */

struct auth_cert;

/*
 * Loads the certificate and RSA private key of path: PKCS#12 when the name
 * ends in .pfx or .p12 or the file is not PEM, else PEM (certificate and key
 * in one file, the key possibly encrypted). password may be NULL.
 * @param[out] out  the caller frees it with auth_cert_free()
 * @return CORE_OK, or CORE_EARGS with a message naming certificate_path
 *         (unreadable, no key, encrypted key without or with a wrong
 *         certificate_password, no certificate matching the key, not RSA)
 */
int auth_cert_load(struct auth_cert **out, struct core_ctx *ctx,
    const char *path, const char *password);
void auth_cert_free(struct auth_cert *c);
/*
 * The thumbprint the header of alg carries: base64url of the SHA-256 (PS256,
 * "x5t#S256") or SHA-1 (RS256, "x5t") of the certificate's DER. Borrowed.
 */
const char *auth_cert_thumbprint(const struct auth_cert *c, enum auth_alg alg);

/*
 * Builds and signs a client assertion.
 * @param[out] out  "header.claims.signature" (unpadded base64url parts); the
 *                  caller frees it. It is also registered as a secret.
 * @param aud       the exact token URL the assertion is sent to
 * @return CORE_OK, or CORE_EAUTH when OpenSSL fails to sign
 */
int auth_jwt_assertion(char **out, struct core_ctx *ctx,
    const struct auth_cert *c, enum auth_alg alg, const char *client_id,
    const char *aud, time_t now);

/* Unpadded base64url of n bytes; the caller frees the result. */
char *auth_base64url(const void *p, size_t n);

/* ---- token endpoint ---- */

/*
 * The message for a failed token request, decoded from an Entra error body
 * ({"error", "error_codes", "error_description"}: its first line, without
 * trace or correlation ids):
 *   "login: token request for graph failed: 401 invalid_client AADSTS7000215: ..."
 * body may be NULL or not JSON. The request is never quoted. The caller frees
 * the result and scrubs it (it may repeat what the service said).
 */
char *auth_error_message(const char *audience, long status, const char *body);

/* True when a token expiring at expires_on is still good at now. */
bool auth_token_fresh(time_t expires_on, time_t now);

/* ---- token cache ---- */

/*
 * "TENANT|CLIENT|SCOPE|LOGINHOST|CREDENTIAL": the key of one cached token.
 * CREDENTIAL is a fingerprint of what signed in: "secret:" and the
 * base64url SHA-256 of the client secret, or "cert:" and the certificate's
 * x5t#S256. A token obtained with another secret or certificate is never
 * reused, so a rotated or mistyped secret fails at once.
 */
char *auth_cache_key(const char *tenant, const char *client_id,
    const char *scope, const char *login_host, const char *credential);
/* "secret:" and the base64url SHA-256 of secret. The caller frees it. */
char *auth_secret_fingerprint(const char *secret);

/*
 * Checks and reads the cache file. A missing file is an empty cache; a file
 * that is not JSON is treated as empty (it is rewritten on the next store).
 * @param[out] out  the "tokens" object; the caller frees it with cJSON_Delete()
 * @return CORE_OK, or CORE_EARGS naming token_cache when the file is not a
 *         regular file, is owned by another user, or its mode is looser
 *         than 0600
 */
int auth_cache_read(cJSON **out, struct core_ctx *ctx, const char *path);

/*
 * Stores one token under key: re-reads the file, drops entries that expired
 * before now, sets key, and replaces the file atomically with a new 0600
 * file (mkstemp in the same directory, then rename). Only access_token and
 * expires_on are written. Two processes storing at once: the last rename
 * wins, and the entry it lacks costs one more sign-in later.
 * @return CORE_OK (a file that cannot be written only adds a warning: the
 *         token is still good), or CORE_EARGS as auth_cache_read()
 */
int auth_cache_store(struct core_ctx *ctx, const char *path, const char *key,
    const char *token, time_t expires_on, time_t now);

/* ---- the token source ---- */

struct auth_opts {
	const char *tenant_id;
	const char *client_id;
	const char *client_secret;         /* NULL with a certificate */
	const char *certificate_path;      /* NULL with a secret */
	const char *certificate_password;  /* may be NULL */
	enum auth_alg alg;
	const char *login_base;   /* "https://login.microsoftonline.com", no trailing '/' */
	const char *token_cache;  /* NULL: no cache */
	time_t (*clock)(void);    /* NULL: time(); tests inject one */
};

struct auth;

/*
 * Copies the options (the secret and password too; they are wiped when
 * freed) and registers the secret and password with core_secret_add().
 * Loads nothing and sends nothing yet. The caller frees with auth_free().
 */
struct auth *auth_new(struct core_ctx *ctx, const struct auth_opts *o,
    struct http *h);
void auth_free(struct auth *a);

/*
 * Loads the certificate now (when signing in with one), so that a bad
 * certificate_path or certificate_password fails before any request.
 * @return CORE_OK or the error of auth_cert_load()
 */
int auth_prepare(struct auth *a, struct core_ctx *ctx);

/* The token URL: "{login_base}/{tenant}/oauth2/v2.0/token". Borrowed. */
const char *auth_token_url(const struct auth *a);

/*
 * A valid access token for scope (its cached copy while more than
 * AUTH_REFRESH_MARGIN_S seconds remain, else a new one). name ("graph",
 * "teams") is used in messages. force skips both the memory and the file
 * cache (after a 401).
 * @param[out] token  borrowed; valid until the next call for this scope
 * @param[out] gen    may be NULL; a number that changes whenever the token
 *                    of this scope changes (to tell a stale request)
 * @return CORE_OK, CORE_EAUTH (token endpoint refused, message decoded),
 *         CORE_EHTTP (transport), CORE_EARGS (certificate, cache file)
 */
int auth_token(const char **token, unsigned *gen, struct auth *a,
    struct core_ctx *ctx, const char *scope, const char *name, bool force);

/* The generation of the token currently held for scope (0: none yet). */
unsigned auth_token_gen(const struct auth *a, const char *scope);

/* Token requests sent so far (every sign-in, not every attempt). */
unsigned long auth_signin_count(const struct auth *a);

#endif
