/*
 * testcert.h - certificates made at test time with OpenSSL, in a private
 * temporary directory: an app certificate in every form certificate_path
 * accepts, and a private CA with a server certificate for 127.0.0.1 and
 * localhost (the simulator over HTTPS).
 *
 * App keys are RSA (PS256/RS256 need RSA): 2048 bits, or 1024 under
 * valgrind, where making a 2048-bit key takes about a minute (the size
 * changes nothing the tests check). TLS keys are EC P-256. Nothing is
 * printed. Every path below is inside dir.
 */
#ifndef DIALTONE_TEST_TESTCERT_H
#define DIALTONE_TEST_TESTCERT_H

#include <stddef.h>

#include <openssl/x509.h>

#define TESTCERT_PATH_MAX 512

/* A private temporary directory (mkdtemp); 0 or -1. */
int testdir_make(char *out, size_t size);
/* Removes dir and everything in it. */
void testdir_remove(const char *dir);

/* The RSA key size testcert_make_app() uses. */
unsigned testcert_rsa_bits(void);

struct testcert_app {
	char cert_pem[TESTCERT_PATH_MAX];   /* the certificate only */
	char plain_pem[TESTCERT_PATH_MAX];  /* certificate + unencrypted key */
	char enc_pem[TESTCERT_PATH_MAX];    /* certificate + key encrypted with password */
	char pfx[TESTCERT_PATH_MAX];        /* PKCS#12 with password */
	char p12_nopass[TESTCERT_PATH_MAX]; /* PKCS#12 without a password */
};

/*
 * Makes a self-signed app certificate (CN=cn) and writes it in every form.
 * @return 0 or -1
 */
int testcert_make_app(struct testcert_app *out, const char *dir, const char *cn,
    const char *password);

struct testcert_tls {
	char ca_pem[TESTCERT_PATH_MAX];      /* the CA certificate */
	char ca_dir[TESTCERT_PATH_MAX];      /* a hashed directory holding it (CAPATH) */
	char server_pem[TESTCERT_PATH_MAX];  /* server certificate, signed by the CA */
	char server_key[TESTCERT_PATH_MAX];  /* its key, unencrypted */
	char other_ca_pem[TESTCERT_PATH_MAX];  /* an unrelated CA */
};

/* Makes a CA, a server certificate for 127.0.0.1/localhost, another CA. */
int testcert_make_tls(struct testcert_tls *out, const char *dir);

/* The whole file as a string the caller frees; NULL when unreadable. */
char *testfile_read(const char *path);
/* The first certificate of a PEM file; the caller frees it with X509_free(). */
X509 *testcert_load_x509(const char *path);

#endif
