/*
 * test_sim_signin.c - signing in against the tenant simulator: a client
 * secret, certificates (PS256 and RS256, PKCS#12 and encrypted PEM), the
 * token cache shared by two module runs, the Teams admin service (gzip, the
 * role hint), and HTTPS with a private CA given by ca_path (file and
 * directory) versus an untrusted certificate.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cj.h"
#include "core.h"
#include "testutil.h"
#include "sim.h"
#include "svc.h"
#include "svc_internal.h"
#include "testcert.h"

#define CERT_PASSWORD "test-Cert-Pass-71c"
#define READONLY_CLIENT_ID "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6f"
#define READONLY_SECRET "sim-Secret-readonly-8k2"

static char dir[256];

static void
setup(void)
{
	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0.01", 1);
	cr_assert_eq(testdir_make(dir, sizeof(dir)), 0);
}

static void
teardown(void)
{
	testdir_remove(dir);
}

TestSuite(sim_signin, .init = setup, .fini = teardown, .timeout = 120);

/* One module run: a context over params (consumed). */
struct run {
	struct core_ctx ctx;
	cJSON *params;
};

static void
run_init(struct run *r, cJSON *params)
{
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->params = params;
	r->ctx.params = params;
}

static void
run_release(struct run *r)
{
	core_ctx_release(&r->ctx);
	cJSON_Delete(r->params);
}

static int
get_users(struct run *r)
{
	struct svc_resp resp;
	int rc;

	rc = svc_call(&resp, &r->ctx, SVC_GRAPH, "GET", "/v1.0/users?$top=1", NULL, NULL, 0);
	if (!rc)
		cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(resp.json, "value")), 1);
	svc_resp_release(&resp);
	return rc;
}

static void
start(struct sim *s)
{
	cr_assert_eq(sim_start(s, NULL, NULL), 0, "the simulator did not start");
}

Test(sim_signin, signs_in_with_the_client_secret)
{
	struct sim s;
	struct run r;
	cJSON *log;

	start(&s);
	run_init(&r, sim_params(&s, true));
	cr_assert_eq(get_users(&r), CORE_OK, "%s", MSG(r.ctx));
	log = sim_requests(&s);
	cr_expect_eq(sim_count(log, "login", "POST", "/login/" SIM_TENANT_ID
	    "/oauth2/v2.0/token", 200), 1);
	cr_expect_eq(sim_count(log, "graph", "GET", NULL, 200), 1);
	cJSON_Delete(log);
	run_release(&r);
	sim_stop(&s);
}

Test(sim_signin, reports_a_wrong_secret_in_entra_words)
{
	struct sim s;
	struct run r;
	cJSON *p;

	start(&s);
	p = sim_params(&s, false);
	cJSON_AddStringToObject(p, "client_secret", "wrong-Secret-0000");
	run_init(&r, p);
	cr_assert_eq(get_users(&r), CORE_EAUTH);
	cr_expect(strstr(MSG(r.ctx), "login: token request for graph failed: 401 invalid_client "
	    "AADSTS7000215: Invalid client secret provided.") == MSG(r.ctx), "%s", MSG(r.ctx));
	cr_expect(strstr(MSG(r.ctx), "Trace ID") == NULL);
	cr_expect(strstr(MSG(r.ctx), "wrong-Secret") == NULL, "the secret is not echoed");
	cr_expect_eq(svc_request_count(&r.ctx), 1, "a refused sign-in is not retried");
	run_release(&r);
	sim_stop(&s);
}

static void
cert_signin(const char *alg, bool pfx)
{
	struct testcert_app app;
	struct sim s;
	struct run r;
	cJSON *p, *log, *ans = NULL;
	char *pem, *body;

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone sim", CERT_PASSWORD), 0);
	start(&s);
	pem = testfile_read(app.cert_pem);
	cr_assert_not_null(pem);
	ans = cJSON_CreateObject();
	cJSON_AddStringToObject(ans, "pem", pem);
	body = cJSON_PrintUnformatted(ans);
	cJSON_Delete(ans);
	ans = NULL;
	cr_assert_eq(sim_control(&ans, &s, "POST", "/_sim/apps/" SIM_CLIENT_ID "/certificates",
	    body), 200);
	cJSON_Delete(ans);

	p = sim_params(&s, false);
	cJSON_AddStringToObject(p, "certificate_path", pfx ? app.pfx : app.enc_pem);
	cJSON_AddStringToObject(p, "certificate_password", CERT_PASSWORD);
	cj_set_str(p, "assertion_algorithm", alg);
	run_init(&r, p);
	cr_assert_eq(get_users(&r), CORE_OK, "%s", MSG(r.ctx));
	log = sim_requests(&s);
	cr_expect_eq(sim_count(log, "login", "POST", NULL, 200), 1);
	cJSON_Delete(log);
	run_release(&r);
	sim_stop(&s);
	free(pem);
	free(body);
}

Test(sim_signin, signs_in_with_a_pkcs12_certificate_and_ps256)
{
	cert_signin("PS256", true);
}

Test(sim_signin, signs_in_with_an_encrypted_pem_and_rs256)
{
	cert_signin("RS256", false);
}

Test(sim_signin, refuses_a_certificate_the_app_does_not_trust)
{
	struct testcert_app app;
	struct sim s;
	struct run r;
	cJSON *p;

	cr_assert_eq(testcert_make_app(&app, dir, "dialtone sim", CERT_PASSWORD), 0);
	start(&s);
	p = sim_params(&s, false);
	cJSON_AddStringToObject(p, "certificate_path", app.plain_pem);
	run_init(&r, p);
	cr_assert_eq(get_users(&r), CORE_EAUTH);
	cr_expect(strstr(MSG(r.ctx), "login: token request for graph failed: 401 invalid_client")
	    == MSG(r.ctx), "%s", MSG(r.ctx));
	run_release(&r);
	sim_stop(&s);
}

Test(sim_signin, shares_tokens_between_runs_through_the_cache_file)
{
	struct sim s;
	struct run r;
	struct stat st;
	cJSON *p, *log;
	char cache[512], *text;
	int run;

	snprintf(cache, sizeof(cache), "%s/tokens.json", dir);
	start(&s);
	for (run = 0; run < 2; run++) {
		p = sim_params(&s, true);
		cJSON_AddStringToObject(p, "token_cache", cache);
		run_init(&r, p);
		cr_assert_eq(get_users(&r), CORE_OK, "run %d: %s", run, MSG(r.ctx));
		run_release(&r);
	}
	log = sim_requests(&s);
	cr_expect_eq(sim_count(log, "login", "POST", NULL, -1), 1, "the second run signs in no more");
	cr_expect_eq(sim_count(log, "graph", "GET", NULL, 200), 2);
	cJSON_Delete(log);
	cr_assert_eq(stat(cache, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0600);
	text = testfile_read(cache);
	cr_expect(strstr(text, SIM_SECRET) == NULL, "the cache never holds the secret");
	cr_expect(strstr(text, "access_token") != NULL);
	free(text);

	/* A cache readable by others is refused before any request. */
	chmod(cache, 0644);
	p = sim_params(&s, true);
	cJSON_AddStringToObject(p, "token_cache", cache);
	run_init(&r, p);
	cr_expect_eq(get_users(&r), CORE_EARGS);
	cr_expect(strstr(MSG(r.ctx), "looser than 0600") != NULL, "%s", MSG(r.ctx));
	run_release(&r);
	sim_stop(&s);
}

Test(sim_signin, reads_the_teams_service_with_its_own_token_and_gzip)
{
	struct sim s;
	struct run r;
	struct svc_resp resp;
	cJSON *log;

	start(&s);
	run_init(&r, sim_params(&s, true));
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_TEAMS, "GET",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy", NULL, NULL, 0),
	    CORE_OK, "%s", MSG(r.ctx));
	cr_expect(cJSON_IsArray(resp.json) || cJSON_IsObject(resp.json),
	    "a gzip body decoded into JSON");
	svc_resp_release(&resp);
	cr_assert_eq(get_users(&r), CORE_OK, "%s", MSG(r.ctx));
	log = sim_requests(&s);
	cr_expect_eq(sim_count(log, "login", "POST", NULL, 200), 2, "one token per audience");
	cJSON_Delete(log);
	run_release(&r);
	sim_stop(&s);
}

Test(sim_signin, explains_a_teams_403_with_the_directory_role)
{
	struct sim s;
	struct run r;
	struct svc_resp resp;
	cJSON *p;

	start(&s);
	p = sim_params(&s, false);
	cJSON_ReplaceItemInObject(p, "client_id", cJSON_CreateString(READONLY_CLIENT_ID));
	cJSON_AddStringToObject(p, "client_secret", READONLY_SECRET);
	run_init(&r, p);
	cr_assert_eq(svc_call(&resp, &r.ctx, SVC_TEAMS, "GET",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect(strstr(MSG(r.ctx), "teams: GET /Skype.Policy/configurations/"
	    "TeamsSharedCallingRoutingPolicy: 403") == MSG(r.ctx), "%s", MSG(r.ctx));
	cr_expect(strstr(MSG(r.ctx), "; the app's service principal needs the Teams "
	    "Administrator directory role") != NULL, "%s", MSG(r.ctx));
	svc_resp_release(&resp);
	run_release(&r);
	sim_stop(&s);
}

/* ---- HTTPS ---- */

static void
start_tls(struct sim *s, struct testcert_tls *tls)
{
	const char *args[] = { "--tls-cert", tls->server_pem, "--tls-key", tls->server_key, NULL };

	cr_assert_eq(testcert_make_tls(tls, dir), 0);
	cr_assert_eq(sim_start(s, args, tls->ca_pem), 0, "the simulator did not start");
	cr_assert(strncmp(s->url, "https://", 8) == 0, "%s", s->url);
}

Test(sim_signin, trusts_a_private_ca_given_by_ca_path)
{
	struct testcert_tls tls;
	struct sim s;
	struct run r;
	const char *cas[2];
	cJSON *p;
	int i;

	start_tls(&s, &tls);
	cas[0] = tls.ca_pem;
	cas[1] = tls.ca_dir;
	for (i = 0; i < 2; i++) {
		p = sim_params(&s, true);
		cJSON_AddStringToObject(p, "ca_path", cas[i]);
		run_init(&r, p);
		cr_expect_eq(get_users(&r), CORE_OK, "ca_path %s: %s", cas[i], MSG(r.ctx));
		cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 0);
		run_release(&r);
	}
	sim_stop(&s);
}

Test(sim_signin, refuses_an_untrusted_certificate)
{
	struct testcert_tls tls;
	struct sim s;
	struct run r;
	cJSON *p, *log;
	int i;

	start_tls(&s, &tls);
	for (i = 0; i < 2; i++) {
		p = sim_params(&s, true);
		if (i == 1)
			cJSON_AddStringToObject(p, "ca_path", tls.other_ca_pem);
		run_init(&r, p);
		cr_expect_eq(get_users(&r), CORE_EHTTP);
		cr_expect(strstr(MSG(r.ctx), "login: POST /" SIM_TENANT_ID "/oauth2/v2.0/token: ")
		    == MSG(r.ctx), "%s", MSG(r.ctx));
		cr_expect(strstr(MSG(r.ctx), "certificate") != NULL, "%s", MSG(r.ctx));
		cr_expect(strstr(MSG(r.ctx), "(set ca_path to trust a private CA)") != NULL,
		    "%s", MSG(r.ctx));
		cr_expect_eq(svc_request_count(&r.ctx), 1, "a TLS failure is not retried");
		run_release(&r);
	}
	log = sim_requests(&s);
	cr_expect_eq(cJSON_GetArraySize(log), 0, "nothing reached the simulator");
	cJSON_Delete(log);

	/* validate_certs: false gets through, with a warning. */
	p = sim_params(&s, true);
	cj_set(p, "validate_certs", cJSON_CreateFalse());
	run_init(&r, p);
	cr_expect_eq(get_users(&r), CORE_OK, "%s", MSG(r.ctx));
	cr_assert_eq(cJSON_GetArraySize(r.ctx.warnings), 1);
	cr_expect(strstr(cJSON_GetArrayItem(r.ctx.warnings, 0)->valuestring,
	    "validate_certs is false") != NULL);
	run_release(&r);
	sim_stop(&s);
}
