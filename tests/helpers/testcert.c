/*
 * testcert.c - test certificates made with OpenSSL (see testcert.h).
 */
/* nftw() */
#define _XOPEN_SOURCE 700

#include "testcert.h"

#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

int
testdir_make(char *out, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if ((size_t)snprintf(out, size, "%s/dialtone-test.XXXXXX", tmp) >= size)
		return -1;
	return mkdtemp(out) ? 0 : -1;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
testdir_remove(const char *dir)
{
	if (dir && *dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
testfile_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

X509 *
testcert_load_x509(const char *path)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x;

	if (!b)
		return NULL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	return x;
}

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A certificate for key, signed by issuer_key (self-signed when issuer is NULL). */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
    bool ca, const char *san)
{
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char serial[8];
	BIGNUM *bn = NULL;

	if (!x)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
		goto fail;
	BN_free(bn);
	bn = NULL;
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 2);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
	    -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	if (add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
	    add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash") ||
	    (ca && add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign")) ||
	    (san && add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san)) ||
	    (san && add_ext(x, issuer, NID_ext_key_usage, "serverAuth")))
		goto fail;
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
		goto fail;
	return x;
fail:
	BN_free(bn);
	X509_free(x);
	return NULL;
}

static int
write_pem(const char *path, X509 *x, EVP_PKEY *key, const char *password)
{
	BIO *b = BIO_new_file(path, "w");
	int ok = 1;

	if (!b)
		return -1;
	if (x)
		ok = PEM_write_bio_X509(b, x);
	if (ok && key)
		ok = password ?
		    PEM_write_bio_PrivateKey(b, key, EVP_aes_256_cbc(), NULL, 0, NULL,
		    (void *)password) :
		    PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL);
	BIO_free(b);
	return ok ? 0 : -1;
}

static int
write_p12(const char *path, X509 *x, EVP_PKEY *key, const char *password)
{
	PKCS12 *p12 = PKCS12_create(password, "dialtone test", key, x, NULL, 0, 0,
	    0, 0, 0);
	BIO *b;
	int ok;

	if (!p12)
		return -1;
	b = BIO_new_file(path, "wb");
	ok = b && i2d_PKCS12_bio(b, p12);
	BIO_free(b);
	PKCS12_free(p12);
	return ok ? 0 : -1;
}

static void
join(char *out, const char *dir, const char *name)
{
	snprintf(out, TESTCERT_PATH_MAX, "%s/%s", dir, name);
}

unsigned
testcert_rsa_bits(void)
{
	const char *pre = getenv("LD_PRELOAD");

	/* valgrind preloads vgpreload_*.so; RSA-2048 there takes a minute. */
	return pre && strstr(pre, "vgpreload") ? 1024 : 2048;
}

int
testcert_make_app(struct testcert_app *out, const char *dir, const char *cn,
    const char *password)
{
	EVP_PKEY *key = EVP_RSA_gen(testcert_rsa_bits());
	X509 *x = NULL;
	int rc = -1;

	if (!key)
		return -1;
	x = make_cert(key, cn, NULL, NULL, false, NULL);
	if (!x)
		goto out;
	join(out->cert_pem, dir, "app-cert.pem");
	join(out->plain_pem, dir, "app.pem");
	join(out->enc_pem, dir, "app-encrypted.pem");
	join(out->pfx, dir, "app.pfx");
	join(out->p12_nopass, dir, "app-nopass.p12");
	if (write_pem(out->cert_pem, x, NULL, NULL) ||
	    write_pem(out->plain_pem, x, key, NULL) ||
	    write_pem(out->enc_pem, x, key, password) ||
	    write_p12(out->pfx, x, key, password) ||
	    write_p12(out->p12_nopass, x, key, NULL))
		goto out;
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int
testcert_make_tls(struct testcert_tls *out, const char *dir)
{
	/* EC keys: TLS does not need RSA, and they are made in no time. */
	EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *srv_key = EVP_EC_gen("P-256");
	EVP_PKEY *other_key = EVP_EC_gen("P-256");
	X509 *ca = NULL, *srv = NULL, *other = NULL;
	char link[TESTCERT_PATH_MAX + 32];
	int rc = -1;

	if (!ca_key || !srv_key || !other_key)
		goto out;
	ca = make_cert(ca_key, "dialtone test CA", NULL, NULL, true, NULL);
	other = make_cert(other_key, "unrelated test CA", NULL, NULL, true, NULL);
	if (!ca || !other)
		goto out;
	srv = make_cert(srv_key, "127.0.0.1", ca, ca_key, false,
	    "IP:127.0.0.1,DNS:localhost");
	if (!srv)
		goto out;
	join(out->ca_pem, dir, "ca.pem");
	join(out->ca_dir, dir, "ca.d");
	join(out->server_pem, dir, "server.pem");
	join(out->server_key, dir, "server.key");
	join(out->other_ca_pem, dir, "other-ca.pem");
	if (write_pem(out->ca_pem, ca, NULL, NULL) ||
	    write_pem(out->server_pem, srv, NULL, NULL) ||
	    write_pem(out->server_key, NULL, srv_key, NULL) ||
	    write_pem(out->other_ca_pem, other, NULL, NULL))
		goto out;
	/* A CAPATH directory: the CA under its subject hash, as c_rehash does. */
	if (mkdir(out->ca_dir, 0700) != 0)
		goto out;
	snprintf(link, sizeof(link), "%s/%08lx.0", out->ca_dir,
	    X509_subject_name_hash(ca));
	if (write_pem(link, ca, NULL, NULL))
		goto out;
	rc = 0;
out:
	X509_free(ca);
	X509_free(srv);
	X509_free(other);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(other_key);
	return rc;
}
