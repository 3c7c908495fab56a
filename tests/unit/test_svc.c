/*
 * test_svc.c - the service layer: cloud presets and endpoint overrides,
 * credential checks, URL policy and building, error decoding and scrubbing,
 * headers, and the one re-authentication on 401 (against a scripted
 * loopback server standing in for login, graph and teams).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "numbers.h"
#include "testutil.h"
#include "miniserver.h"
#include "sim.h"
#include "graph.h"
#include "svc.h"
#include "svc_internal.h"
#include "tenant.h"

#define TENANT_ID "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
#define CLIENT_ID "0c7d4a1e-5b6f-4a2c-9d8e-1f2a3b4c5d6e"
#define SECRET "unit-Svc-Secret-3Kq8"
#define CREDS "\"tenant_id\":\"" TENANT_ID "\",\"client_id\":\"" CLIENT_ID "\"," \
	"\"client_secret\":\"" SECRET "\""

TestSuite(svc, .timeout = 60);

/* A context whose params are the JSON text p (owned by the test). */
struct fixture {
	struct core_ctx ctx;
	cJSON *params;
};

static void
fx_init(struct fixture *f, const char *params)
{
	core_ctx_init(&f->ctx, "dialtone.teams_phone.test");
	f->params = cJSON_Parse(params);
	cr_assert_not_null(f->params, "bad test params: %s", params);
	sim_conn_defaults(f->params);
	f->ctx.params = f->params;
}

static void
fx_release(struct fixture *f)
{
	core_ctx_release(&f->ctx);
	cJSON_Delete(f->params);
}

/* ---- names, rules, responses ---- */

Test(svc, names_its_services)
{
	cr_expect_str_eq(svc_name(SVC_LOGIN), "login");
	cr_expect_str_eq(svc_name(SVC_GRAPH), "graph");
	cr_expect_str_eq(svc_name(SVC_TEAMS), "teams");
}

Test(svc, declares_the_rules_among_connection_options)
{
	cr_assert_not_null(svc_conn_rules.mutually_exclusive);
	cr_expect_str_eq(svc_conn_rules.mutually_exclusive[0], "client_secret|certificate_path");
	cr_expect_null(svc_conn_rules.mutually_exclusive[1]);
	cr_assert_not_null(svc_conn_rules.required_by);
	cr_expect_str_eq(svc_conn_rules.required_by[0].key, "certificate_password");
	cr_expect_str_eq(svc_conn_rules.required_by[0].requirements, "certificate_path");
	cr_expect_null(svc_conn_rules.required_by[1].key);
}

Test(svc, starts_a_response_empty_and_releases_it_reusable)
{
	struct svc_resp r;

	svc_resp_init(&r);
	cr_expect_eq(r.status, 0);
	cr_expect_null(r.json);
	cr_expect_eq(r.retry_after_ms, -1);
	cr_expect(!r.ambiguous);
	r.location = strdup("x");
	r.json = cJSON_CreateObject();
	svc_resp_release(&r);
	cr_expect_null(r.location);
	cr_expect_null(r.json);
	svc_resp_release(&r);
}

/* ---- clouds and endpoints ---- */

Test(svc, selects_each_cloud_endpoint_set)
{
	static const struct {
		const char *cloud;
		const char *login, *graph, *teams, *scope;
	} cases[] = {
		{ "public", "https://login.microsoftonline.com", "https://graph.microsoft.com",
		  "https://api.interfaces.records.teams.microsoft.com",
		  "https://graph.microsoft.com/.default" },
		{ "usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us",
		  "https://api.interfaces.records.gov.teams.microsoft.us",
		  "https://graph.microsoft.us/.default" },
		{ "dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
		  "https://api.interfaces.records.dod.teams.microsoft.us",
		  "https://dod-graph.microsoft.us/.default" },
		{ "china", "https://login.chinacloudapi.cn",
		  "https://microsoftgraph.chinacloudapi.cn",
		  "https://api.interfaces.records.teams.microsoftonline.cn",
		  "https://microsoftgraph.chinacloudapi.cn/.default" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;
		char p[512];

		snprintf(p, sizeof(p), "{" CREDS ",\"cloud\":\"%s\"}", cases[i].cloud);
		fx_init(&f, p);
		cr_assert_eq(svc_open(&f.ctx), CORE_OK, "%s: %s", cases[i].cloud, f.ctx.msg);
		cr_expect_str_eq(f.ctx.conn->base[SVC_LOGIN], cases[i].login);
		cr_expect_str_eq(f.ctx.conn->base[SVC_GRAPH], cases[i].graph);
		cr_expect_str_eq(f.ctx.conn->base[SVC_TEAMS], cases[i].teams);
		cr_expect_str_eq(f.ctx.conn->graph_scope, cases[i].scope);
		cr_expect_eq(svc_request_count(&f.ctx), 0, "svc_open sends nothing");
		fx_release(&f);
	}
}

Test(svc, defaults_to_the_public_cloud)
{
	struct fixture f;

	fx_init(&f, "{" CREDS "}");
	cr_assert_eq(svc_open(&f.ctx), CORE_OK, "%s", f.ctx.msg);
	cr_expect_str_eq(f.ctx.conn->base[SVC_GRAPH], "https://graph.microsoft.com");
	cr_expect_str_eq(f.ctx.conn->cloud, "public");
	fx_release(&f);
}

Test(svc, overrides_endpoints_one_by_one)
{
	static const struct {
		const char *params;
		const char *login, *graph, *teams, *scope;
	} cases[] = {
		{ "\"cloud\":\"usgov\",\"graph_endpoint\":\"http://127.0.0.1:4000/graph/\"",
		  "https://login.microsoftonline.us", "http://127.0.0.1:4000/graph",
		  "https://api.interfaces.records.gov.teams.microsoft.us",
		  "https://graph.microsoft.com/.default" },
		{ "\"login_endpoint\":\"https://login.example.test\"",
		  "https://login.example.test", "https://graph.microsoft.com",
		  "https://api.interfaces.records.teams.microsoft.com",
		  "https://graph.microsoft.com/.default" },
		{ "\"cloud\":\"dod\",\"teams_endpoint\":\"https://proxy.example.test/teams//\"",
		  "https://login.microsoftonline.us", "https://dod-graph.microsoft.us",
		  "https://proxy.example.test/teams",
		  "https://dod-graph.microsoft.us/.default" },
		{ "\"cloud\":\"china\",\"graph_endpoint\":\"https://graph.microsoft.us\"",
		  "https://login.chinacloudapi.cn", "https://graph.microsoft.us",
		  "https://api.interfaces.records.teams.microsoftonline.cn",
		  "https://graph.microsoft.us/.default" },
		{ "\"login_endpoint\":\"http://[::1]:9/login\",\"graph_endpoint\":"
		  "\"http://localhost:9/graph\",\"teams_endpoint\":\"http://127.0.0.2:9/teams\"",
		  "http://[::1]:9/login", "http://localhost:9/graph", "http://127.0.0.2:9/teams",
		  "https://graph.microsoft.com/.default" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;
		char p[1024];

		snprintf(p, sizeof(p), "{" CREDS ",%s}", cases[i].params);
		fx_init(&f, p);
		cr_assert_eq(svc_open(&f.ctx), CORE_OK, "case %zu: %s", i, f.ctx.msg);
		cr_expect_str_eq(f.ctx.conn->base[SVC_LOGIN], cases[i].login, "case %zu", i);
		cr_expect_str_eq(f.ctx.conn->base[SVC_GRAPH], cases[i].graph, "case %zu", i);
		cr_expect_str_eq(f.ctx.conn->base[SVC_TEAMS], cases[i].teams, "case %zu", i);
		cr_expect_str_eq(f.ctx.conn->graph_scope, cases[i].scope, "case %zu", i);
		fx_release(&f);
	}
}

Test(svc, asks_for_the_graph_scope_of_a_microsoft_host_only)
{
	static const struct {
		const char *base, *want;
	} cases[] = {
		{ "https://graph.microsoft.com", "https://graph.microsoft.com/.default" },
		{ "https://GRAPH.microsoft.com/", "https://graph.microsoft.com/.default" },
		{ "https://microsoftgraph.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default" },
		{ "http://127.0.0.1:8000/graph", "https://graph.microsoft.com/.default" },
		{ "https://graph.microsoft.com.evil.test", "https://graph.microsoft.com/.default" },
		{ "https://graph.microsoft.us:8443", "https://graph.microsoft.com/.default" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *s = svc_graph_scope(cases[i].base);

		cr_expect_str_eq(s, cases[i].want, "%s", cases[i].base);
		free(s);
	}
}

/* ---- option checks ---- */

Test(svc, checks_credentials_before_anything_else)
{
	static const struct {
		const char *params;
		const char *want;
	} cases[] = {
		{ "{}", "tenant_id is required to reach the services: set it or the "
		  "AZURE_TENANT_ID environment variable" },
		{ "{\"tenant_id\":\"\",\"client_id\":\"c\",\"client_secret\":\"s\"}",
		  "tenant_id is required" },
		{ "{\"tenant_id\":\"t\"}", "client_id is required to reach the services: "
		  "set it or the AZURE_CLIENT_ID environment variable" },
		{ "{\"tenant_id\":\"t\",\"client_id\":\"c\"}", "one of client_secret or "
		  "certificate_path is required to sign in: set one, or the "
		  "AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH environment variable" },
		{ "{\"tenant_id\":\"t\",\"client_id\":\"c\",\"client_secret\":\"s\","
		  "\"certificate_path\":\"/etc/hostname\"}",
		  "parameters are mutually exclusive: client_secret|certificate_path" },
		{ "{\"tenant_id\":\"t\",\"client_id\":\"c\",\"client_secret\":\"s\","
		  "\"certificate_password\":\"p\"}",
		  "missing parameter(s) required by 'certificate_password': certificate_path" },
		{ "{\"tenant_id\":\"t\",\"client_id\":\"c\","
		  "\"certificate_path\":\"/nonexistent/app.pem\"}",
		  "cannot read certificate_path '/nonexistent/app.pem': No such file or directory" },
		{ "{\"tenant_id\":\"contoso.com/../x\",\"client_id\":\"c\",\"client_secret\":\"s\"}",
		  "tenant_id must be a tenant GUID or a verified domain, got: contoso.com/../x" },
		{ "{" CREDS ",\"timeout\":0}", "timeout must be between 1 and 3600, got: 0" },
		{ "{" CREDS ",\"max_retries\":-1}", "max_retries must be between 0 and 100, got: -1" },
		{ "{" CREDS ",\"max_concurrency\":0}", "max_concurrency must be between 1 and 64, got: 0" },
		{ "{" CREDS ",\"cloud\":\"mars\"}", "value of cloud must be one of: public, usgov, "
		  "dod, china, got: mars" },
		{ "{" CREDS ",\"ca_path\":\"/nonexistent/ca.pem\"}",
		  "cannot use ca_path '/nonexistent/ca.pem': No such file or directory" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;

		fx_init(&f, cases[i].params);
		cr_expect_eq(svc_open(&f.ctx), CORE_EARGS, "case %zu", i);
		cr_expect(f.ctx.msg && strstr(MSG(f.ctx), cases[i].want) == MSG(f.ctx),
		    "case %zu: got '%s', want '%s'", i, f.ctx.msg, cases[i].want);
		cr_expect_null(f.ctx.conn);
		fx_release(&f);
	}
}

Test(svc, refuses_plain_http_to_a_host_that_is_not_loopback)
{
	static const struct {
		const char *params;
		const char *want;
	} cases[] = {
		{ "\"graph_endpoint\":\"http://example.com\"",
		  "graph_endpoint 'http://example.com' uses plain http" },
		{ "\"teams_endpoint\":\"http://10.0.0.1:80/teams\"",
		  "teams_endpoint 'http://10.0.0.1:80/teams' uses plain http" },
		{ "\"login_endpoint\":\"ftp://127.0.0.1/\"",
		  "login_endpoint 'ftp://127.0.0.1' must use https" },
		{ "\"graph_endpoint\":\"graph.example.com\"",
		  "graph_endpoint 'graph.example.com' is not a URL" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fixture f;
		char p[512];

		snprintf(p, sizeof(p), "{" CREDS ",%s}", cases[i].params);
		fx_init(&f, p);
		cr_expect_eq(svc_open(&f.ctx), CORE_EARGS, "case %zu", i);
		cr_expect(f.ctx.msg && strstr(MSG(f.ctx), cases[i].want) == MSG(f.ctx),
		    "case %zu: %s", i, f.ctx.msg);
		fx_release(&f);
	}
}

Test(svc, registers_the_secret_when_opening)
{
	struct fixture f;
	size_t i;
	bool found = false;

	fx_init(&f, "{" CREDS "}");
	cr_assert_eq(svc_open(&f.ctx), CORE_OK);
	for (i = 0; i < f.ctx.nsecrets; i++)
		found = found || strcmp(f.ctx.secrets[i], SECRET) == 0;
	cr_expect(found);
	fx_release(&f);
}

Test(svc, fails_a_call_without_credentials_and_sends_nothing)
{
	struct fixture f;
	struct svc_resp r;

	fx_init(&f, "{\"tenant_id\":\"t\"}");
	cr_expect_eq(svc_call(&r, &f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_EARGS);
	cr_expect_eq(r.attempts, 0);
	cr_expect_eq(svc_request_count(&f.ctx), 0);
	svc_resp_release(&r);
	fx_release(&f);
}

/* ---- URLs ---- */

Test(svc, builds_urls_under_the_service_base)
{
	static const struct {
		const char *base;
		const char *path;
		const char *url, *shown;
	} cases[] = {
		{ "https://graph.microsoft.com", "/v1.0/users?$top=5",
		  "https://graph.microsoft.com/v1.0/users?$top=5", "/v1.0/users?$top=5" },
		{ "https://graph.microsoft.com", "v1.0/users",
		  "https://graph.microsoft.com/v1.0/users", "/v1.0/users" },
		{ "https://graph.microsoft.com",
		  "https://graph.microsoft.com/v1.0/users?$skiptoken=abc",
		  "https://graph.microsoft.com/v1.0/users?$skiptoken=abc",
		  "/v1.0/users?$skiptoken=abc" },
		{ "https://graph.microsoft.com", "https://GRAPH.microsoft.com:443/v1.0/x",
		  "https://GRAPH.microsoft.com:443/v1.0/x", "/v1.0/x" },
		{ "http://127.0.0.1:5000/graph", "/v1.0/users",
		  "http://127.0.0.1:5000/graph/v1.0/users", "/v1.0/users" },
		{ "http://127.0.0.1:5000/graph",
		  "http://127.0.0.1:5000/graph/v1.0/users?$skip=10",
		  "http://127.0.0.1:5000/graph/v1.0/users?$skip=10", "/v1.0/users?$skip=10" },
		{ "http://127.0.0.1:5000/graph", "http://127.0.0.1:5000/graph",
		  "http://127.0.0.1:5000/graph", "/" },
		{ "http://127.0.0.1:5000/graph", "", "http://127.0.0.1:5000/graph/", "/" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct core_ctx ctx;
		struct conn c;
		char *url = NULL, *shown = NULL;

		memset(&c, 0, sizeof(c));
		c.base[SVC_GRAPH] = (char *)cases[i].base;
		core_ctx_init(&ctx, "test");
		cr_assert_eq(svc_build_url(&url, &shown, &ctx, &c, SVC_GRAPH, cases[i].path),
		    CORE_OK, "case %zu: %s", i, ctx.msg);
		cr_expect_str_eq(url, cases[i].url, "case %zu", i);
		cr_expect_str_eq(shown, cases[i].shown, "case %zu", i);
		free(url);
		free(shown);
		core_ctx_release(&ctx);
	}
}

Test(svc, refuses_to_send_a_token_outside_the_service_base)
{
	static const char *const refused[] = {
		"https://evil.example/graph/v1.0/users",
		"https://127.0.0.1.evil.example:5000/graph/x",
		"http://127.0.0.1:5001/graph/v1.0/users",
		"https://127.0.0.1:5000/graph/v1.0/users",
		"http://127.0.0.1:5000/teams/v1.0/users",
		"http://127.0.0.1:5000/graphx/v1.0",
		"http://127.0.0.1:5000/",
		"http://user@127.0.0.2:5000/graph/x",
		"ftp://127.0.0.1:5000/graph/x",
		"javascript://127.0.0.1:5000/graph",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		struct core_ctx ctx;
		struct conn c;
		char *url = NULL, *shown = NULL;

		memset(&c, 0, sizeof(c));
		c.base[SVC_GRAPH] = (char *)"http://127.0.0.1:5000/graph";
		core_ctx_init(&ctx, "test");
		cr_expect_eq(svc_build_url(&url, &shown, &ctx, &c, SVC_GRAPH, refused[i]),
		    CORE_EREFUSED, "%s", refused[i]);
		cr_expect_null(url);
		cr_expect(ctx.msg && strstr(MSG(ctx), "graph: refusing"), "%s", ctx.msg);
		core_ctx_release(&ctx);
	}
}

Test(svc, shows_a_long_path_without_its_query_string)
{
	struct core_ctx ctx;
	struct conn c;
	char path[400], *url = NULL, *shown = NULL;

	memset(&c, 0, sizeof(c));
	c.base[SVC_GRAPH] = (char *)"https://graph.microsoft.com";
	snprintf(path, sizeof(path), "/v1.0/users?$filter=%0200d", 7);
	core_ctx_init(&ctx, "test");
	cr_assert_eq(svc_build_url(&url, &shown, &ctx, &c, SVC_GRAPH, path), CORE_OK);
	cr_expect_str_eq(shown, "/v1.0/users");
	cr_expect(strstr(url, "$filter=000") != NULL, "the URL keeps its query");
	free(url);
	free(shown);
	core_ctx_release(&ctx);
}

/* ---- error decoding ---- */

Test(svc, decodes_service_errors_into_one_message)
{
	static const struct {
		enum svc_id s;
		const char *method, *path;
		long status;
		const char *body;
		int attempts;
		const char *want;
	} cases[] = {
		{ SVC_GRAPH, "GET", "/v1.0/users/x", 404,
		  "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource 'x' "
		  "does not exist.\",\"innerError\":{\"request-id\":\"1\"}}}", 1,
		  "graph: GET /v1.0/users/x: 404 Request_ResourceNotFound: Resource 'x' does not exist." },
		{ SVC_GRAPH, "POST", "/v1.0/users/1/assignLicense", 400,
		  "{\"error\":{\"code\":\"Request_BadRequest\",\"message\":\"License assignment "
		  "cannot be done for user with invalid usage location.\"}}", 1,
		  "graph: POST /v1.0/users/1/assignLicense: 400 Request_BadRequest: License "
		  "assignment cannot be done for user with invalid usage location." },
		{ SVC_GRAPH, "GET", "/v1.0/users", 503,
		  "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"Try later\"}}", 6,
		  "graph: GET /v1.0/users: 503 ServiceUnavailable: Try later (after 6 attempts)" },
		{ SVC_GRAPH, "DELETE", "/v1.0/users/1", 409, "", 1,
		  "graph: DELETE /v1.0/users/1: 409" },
		{ SVC_GRAPH, "GET", "/v1.0/users", 403,
		  "{\"error\":{\"code\":\"forbidden\",\"message\":\"Insufficient permission(s)\"}}", 1,
		  "graph: GET /v1.0/users: 403 forbidden: Insufficient permission(s)" },
		{ SVC_TEAMS, "POST", "/Skype.Ncs/civicAddresses", 400,
		  "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Unable to update a "
		  "validated Civic Address\"}}", 1,
		  "teams: POST /Skype.Ncs/civicAddresses: 400 BadRequest: Unable to update a "
		  "validated Civic Address" },
		{ SVC_TEAMS, "GET", "/Skype.Policy/configurations/X", 404,
		  "{\"Message\":\"Policy not found\"}", 1,
		  "teams: GET /Skype.Policy/configurations/X: 404: Policy not found" },
		{ SVC_TEAMS, "GET", "/Teams.User/users", 500,
		  "{\"message\":\"Unknown Error\"}", 1,
		  "teams: GET /Teams.User/users: 500: Unknown Error" },
		{ SVC_TEAMS, "PUT", "/Skype.Ncs/locations/1", 500,
		  "  Internal failure\r\n   at Frame.Run()\n", 1,
		  "teams: PUT /Skype.Ncs/locations/1: 500: Internal failure at Frame.Run()" },
		{ SVC_TEAMS, "GET", "/Skype.Policy/configurations/X", 403,
		  "{\"error\":{\"code\":\"Forbidden\",\"message\":\"40301 Forbidden\"}}", 1,
		  "teams: GET /Skype.Policy/configurations/X: 403 Forbidden: 40301 Forbidden; "
		  "the app's service principal needs the Teams Administrator directory role" },
		{ SVC_TEAMS, "GET", "/Teams.User/users", 401, "", 1,
		  "teams: GET /Teams.User/users: 401; the app's service principal needs the "
		  "Teams Administrator directory role" },
		{ SVC_GRAPH, "GET", "/v1.0/users", 401,
		  "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"expired\"}}", 1,
		  "graph: GET /v1.0/users: 401 InvalidAuthenticationToken: expired" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct core_ctx ctx;
		char *got;

		core_ctx_init(&ctx, "test");
		got = svc_error_message(&ctx, cases[i].s, cases[i].method, cases[i].path,
		    cases[i].status, cases[i].body, cases[i].attempts);
		cr_expect_str_eq(got, cases[i].want, "case %zu", i);
		free(got);
		core_ctx_release(&ctx);
	}
}

Test(svc, truncates_raw_error_text)
{
	struct core_ctx ctx;
	char body[1200], *got;

	memset(body, 'a', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	core_ctx_init(&ctx, "test");
	got = svc_error_message(&ctx, SVC_TEAMS, "GET", "/x", 500, body, 1);
	cr_expect_eq(strlen(got), strlen("teams: GET /x: 500: ") + SVC_RAW_TEXT_MAX + 3);
	cr_expect(strstr(got, "...") != NULL);
	free(got);
	core_ctx_release(&ctx);
}

Test(svc, scrubs_a_secret_that_a_service_echoes)
{
	struct core_ctx ctx;
	char *got;

	core_ctx_init(&ctx, "test");
	core_secret_add(&ctx, SECRET);
	got = svc_error_message(&ctx, SVC_GRAPH, "POST", "/v1.0/x", 400,
	    "{\"error\":{\"code\":\"BadRequest\",\"message\":\"bad value '" SECRET "'\"}}", 1);
	cr_expect(strstr(got, SECRET) == NULL, "the secret is scrubbed");
	cr_expect(strstr(got, "graph: POST /v1.0/x: 400 BadRequest: bad value '") == got);
	free(got);
	got = svc_error_message(&ctx, SVC_TEAMS, "POST", "/x", 500, "echo " SECRET " back", 1);
	cr_expect(strstr(got, SECRET) == NULL, "the secret is scrubbed");
	free(got);
	core_ctx_release(&ctx);
}

/*
 * A secret that straddles the cut, and a token longer than the cut: the
 * whole text is scrubbed before it is cut, so no part of either shows.
 */
Test(svc, scrubs_before_cutting_so_no_part_of_a_secret_shows)
{
	struct core_ctx ctx;
	char body[3072], msg[1024], token[1400], *got, *tail;
	size_t pad, i;

	core_ctx_init(&ctx, "test");
	core_secret_add(&ctx, SECRET);
	/* The JSON message: the secret starts 3 bytes before the cut. */
	pad = SVC_JSON_TEXT_MAX - 3;
	memset(msg, 'm', pad);
	snprintf(msg + pad, sizeof(msg) - pad, "%s and more", SECRET);
	snprintf(body, sizeof(body), "{\"error\":{\"code\":\"X\",\"message\":\"%s\"}}", msg);
	got = svc_error_message(&ctx, SVC_GRAPH, "GET", "/v1.0/x", 400, body, 1);
	cr_expect_null(strstr(got, "uni"), "no prefix of the secret: %s", got + strlen(got) - 20);
	cr_expect_null(strstr(got, SECRET));
	free(got);
	/* A raw body, the secret straddling SVC_RAW_TEXT_MAX. */
	pad = SVC_RAW_TEXT_MAX - 5;
	memset(body, 'r', pad);
	snprintf(body + pad, sizeof(body) - pad, "%s tail", SECRET);
	got = svc_error_message(&ctx, SVC_TEAMS, "GET", "/x", 500, body, 1);
	tail = strstr(got, "rrr");
	cr_assert_not_null(tail);
	cr_expect_null(strstr(got, "unit-"), "%s", got + strlen(got) - 20);
	free(got);
	/* A registered token longer than the cut. */
	memcpy(token, "eyJhbGciOiJSUzI1NiJ9.", 21);
	for (i = 21; i < sizeof(token) - 40; i++)
		token[i] = (char)('a' + (int)(i % 26));
	memcpy(token + i, ".c2lnbmF0dXJl", 13);
	token[i + 13] = '\0';
	core_secret_add(&ctx, token);
	snprintf(body, sizeof(body), "bad token %s", token);
	got = svc_error_message(&ctx, SVC_TEAMS, "GET", "/x", 401, body, 1);
	cr_expect_null(strstr(got, "eyJhbGci"), "%s", got);
	cr_expect_null(strstr(got, "abcdefghij"), "no part of the token shows");
	free(got);
	core_ctx_release(&ctx);
}

/* A token nobody registered is still masked when a service echoes it. */
Test(svc, masks_an_unregistered_json_web_token)
{
	struct core_ctx ctx;
	char *got;

	core_ctx_init(&ctx, "test");
	got = svc_error_message(&ctx, SVC_GRAPH, "GET", "/v1.0/x", 401,
	    "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"token "
	    "eyJ0eXAiOiJKV1QifQ.eyJyb2xlcyI6W119.c2lnbmF0dXJlc2ln expired\"}}", 1);
	cr_expect_null(strstr(got, "eyJ"), "%s", got);
	cr_expect_not_null(strstr(got, "token ******** expired"), "%s", got);
	free(got);
	core_ctx_release(&ctx);
}

/* ---- calls against a scripted server ---- */

static char *
reply(long status, const char *extra_headers, const char *body)
{
	size_t n = strlen(body) + strlen(extra_headers) + 256;
	char *r = malloc(n);

	snprintf(r, n, "HTTP/1.1 %ld X\r\nContent-Type: application/json\r\n%s"
	    "Content-Length: %zu\r\n\r\n%s", status, extra_headers, strlen(body), body);
	return r;
}

#define TOKEN_1 "tok-one-aaaaaaaaaaaa"
#define TOKEN_2 "tok-two-bbbbbbbbbbbb"
#define TOKEN_BODY(t) "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"" t "\"}"

struct wire {
	struct fixture f;
	struct miniserver srv;
	struct mini_reply script[8];
	size_t n;
};

/* Index of a reply that is a dropped connection instead (-1: none). */
static int wire_drop = -1;
/* More connection options, as JSON members after a comma (or ""). */
static const char *wire_extra = "";

static void
wire_start(struct wire *w, char **replies, size_t n)
{
	char p[1024];
	size_t i;

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0", 1);
	memset(w->script, 0, sizeof(w->script));
	for (i = 0; i < n; i++) {
		w->script[i].raw = replies[i];
		if ((int)i == wire_drop)
			w->script[i].after = MINI_DROP;
	}
	w->n = n;
	cr_assert_eq(mini_start(&w->srv, w->script, n), 0);
	snprintf(p, sizeof(p), "{" CREDS ",\"login_endpoint\":\"%s/login\","
	    "\"graph_endpoint\":\"%s/graph\",\"teams_endpoint\":\"%s/teams\","
	    "\"max_retries\":2%s}", w->srv.url, w->srv.url, w->srv.url, wire_extra);
	fx_init(&w->f, p);
}

static void
wire_stop(struct wire *w)
{
	size_t i;

	fx_release(&w->f);
	mini_stop(&w->srv);
	for (i = 0; i < w->n; i++)
		free((char *)w->script[i].raw);
}

Test(svc, sends_the_teams_headers_and_captures_location_and_warning)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(200, "Location: http://x/op/1\r\n"
		    "X-Ms-ConfigApi-PowerShell-WarningMessage: The number is in use\r\n",
		    "{\"Identity\":\"Tag:A\"}"),
	};
	const char *hdrs[] = { "ConsistencyLevel: eventual", NULL };
	struct wire w;
	struct svc_resp r;
	cJSON *body = cJSON_Parse("{\"a\":1}");
	const char *last;

	wire_start(&w, replies, 2);
	cr_assert_eq(svc_call(&r, &w.f.ctx, SVC_TEAMS, "PUT",
	    "/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=1", body, hdrs, 0),
	    CORE_OK, "%s", w.f.ctx.msg);
	last = w.srv.shared->last;
	cr_expect(strstr(last, "PUT /teams/Skype.TelephoneNumberMgmt/cmdlet/assignments?identity=1 ") == last, "%s", last);
	cr_expect(strstr(last, "Authorization: Bearer " TOKEN_1 "\r\n") != NULL);
	cr_expect(strstr(last, "Accept: application/json\r\n") != NULL);
	cr_expect(strstr(last, "Content-Type: application/json\r\n") != NULL);
	cr_expect(strstr(last, "x-ms-correlation-id: ") != NULL);
	cr_expect(strstr(last, "x-authz-scope: tenant\r\n") != NULL);
	cr_expect(strstr(last, "X-Requested-With: XMLHttpRequest\r\n") != NULL);
	cr_expect(strstr(last, "x-ms-tnm-applicationid: 045268c0-445e-4ac1-9157-d58f67b167d9\r\n") != NULL);
	cr_expect(strstr(last, "ConsistencyLevel: eventual\r\n") != NULL);
	cr_expect(strstr(last, "{\"a\":1}") != NULL);
	cr_expect(strstr(w.srv.shared->log, "scope=48ac35b8-9aa8-4d74-927d-1f4a14a0b239%2F.default") != NULL);

	cr_expect_eq(r.status, 200);
	cr_expect_str_eq(cJSON_GetObjectItem(r.json, "identity")->valuestring, "Tag:A",
	    "keys read case-insensitively");
	cr_expect_str_eq(r.location, "http://x/op/1");
	cr_expect_str_eq(r.warning, "The number is in use");
	cr_assert_eq(cJSON_GetArraySize(w.f.ctx.warnings), 1);
	cr_expect_str_eq(cJSON_GetArrayItem(w.f.ctx.warnings, 0)->valuestring,
	    "teams: The number is in use");
	cr_expect_eq(svc_request_count(&w.f.ctx), 2, "one sign-in, one call");
	svc_resp_release(&r);
	cJSON_Delete(body);
	wire_stop(&w);
}

Test(svc, sends_graph_calls_with_the_graph_token_and_no_teams_headers)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(200, "", "{\"value\":[]}"),
	};
	struct wire w;
	struct svc_resp r;
	const char *last;

	wire_start(&w, replies, 2);
	cr_assert_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_OK, "%s", w.f.ctx.msg);
	last = w.srv.shared->last;
	cr_expect(strstr(w.srv.shared->log, "scope=https%3A%2F%2Fgraph.microsoft.com%2F.default") != NULL,
	    "a simulator still gets the Microsoft Graph scope");
	cr_expect(strstr(last, "x-ms-correlation-id") == NULL);
	cr_expect(strstr(last, "Content-Type") == NULL, "no body, no Content-Type");
	cr_expect(cJSON_IsArray(cJSON_GetObjectItem(r.json, "value")));
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, answers_a_401_with_exactly_one_new_token)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(401, "", "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"revoked\"}}"),
		reply(200, "", TOKEN_BODY(TOKEN_2)),
		reply(200, "", "{\"ok\":true}"),
	};
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 4);
	cr_assert_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_OK, "%s", w.f.ctx.msg);
	cr_expect_eq(w.srv.shared->requests, 4);
	cr_expect(strstr(w.srv.shared->last, "Bearer " TOKEN_2) != NULL);
	cr_expect_eq(r.attempts, 2);
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, gives_up_after_a_second_401)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(401, "", "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"no\"}}"),
		reply(200, "", TOKEN_BODY(TOKEN_2)),
		reply(401, "", "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"no\"}}"),
	};
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 4);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect_str_eq(w.f.ctx.msg, "graph: GET /v1.0/users: 401 InvalidAuthenticationToken: no");
	cr_expect_eq(w.srv.shared->requests, 4);
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, returns_notfound_quietly_when_asked)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(404, "", "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"gone\"}}"),
	};
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 2);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users/x", NULL, NULL,
	    SVC_ALLOW_404), CORE_ENOTFOUND);
	cr_expect_null(w.f.ctx.msg);
	cr_expect_eq(r.status, 404);
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, never_sends_the_token_to_a_foreign_next_link)
{
	char *replies[] = { reply(200, "", TOKEN_BODY(TOKEN_1)) };
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 1);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET",
	    "https://evil.example/graph/v1.0/users?$skiptoken=1", NULL, NULL, 0), CORE_EREFUSED);
	cr_expect_eq(w.srv.shared->requests, 0, "neither a sign-in nor the call");
	cr_expect(strstr(MSG(w.f.ctx), "graph: refusing to send a token to "
	    "'https://evil.example/graph/v1.0/users?$skiptoken=1'") == MSG(w.f.ctx), "%s", w.f.ctx.msg);
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, scrubs_a_secret_echoed_in_a_failed_call)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(400, "", "{\"error\":{\"code\":\"BadRequest\",\"message\":\"client_secret="
		    SECRET " token=" TOKEN_1 "\"}}"),
	};
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 2);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "POST", "/v1.0/x", NULL, NULL, 0),
	    CORE_ESERVICE);
	/* Assertion texts never print what might hold the secret. */
	cr_expect(strstr(MSG(w.f.ctx), SECRET) == NULL, "the secret is scrubbed");
	cr_expect(strstr(MSG(w.f.ctx), TOKEN_1) == NULL, "the token is scrubbed");
	cr_expect(strstr(MSG(w.f.ctx), "graph: POST /v1.0/x: 400 BadRequest: client_secret=") ==
	    MSG(w.f.ctx));
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, names_the_request_whose_answer_is_not_json)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(200, "", "<html><body>502 Bad Gateway</body></html>"),
		reply(200, "", "{\"value\": [{\"id\": \"1\"}, {\"id\""),
		reply(200, "", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["),
	};
	struct wire w;
	struct svc_resp r;

	wire_start(&w, replies, 4);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect_str_eq(MSG(w.f.ctx), "graph: GET /v1.0/users: 200: the answer is not JSON "
	    "(41 bytes, an HTML page)");
	svc_resp_release(&r);
	core_error_clear(&w.f.ctx);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect(strstr(MSG(w.f.ctx), "the answer is not JSON (29 bytes, truncated or "
	    "malformed)") != NULL, "%s", MSG(w.f.ctx));
	cr_expect_null(strstr(MSG(w.f.ctx), "out of memory"));
	svc_resp_release(&r);
	core_error_clear(&w.f.ctx);
	cr_expect_eq(svc_call(&r, &w.f.ctx, SVC_GRAPH, "GET", "/v1.0/users", NULL, NULL, 0),
	    CORE_ESERVICE);
	cr_expect(strstr(MSG(w.f.ctx), "the answer is not JSON") != NULL, "%s", MSG(w.f.ctx));
	svc_resp_release(&r);
	wire_stop(&w);
}

Test(svc, graph_lists_keep_each_object_once_and_stop_a_looping_link)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(200, "", "{\"value\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"a\"}],"
		    "\"@odata.nextLink\":\"/v1.0/users?p=2\"}"),
		reply(200, "", "{\"value\":[{\"id\":\"b\"},{\"id\":\"c\"},{\"x\":1}]}"),
		reply(200, "", "{\"value\":[{\"id\":\"d\"}],\"@odata.nextLink\":\"/v1.0/users?p=2\"}"),
		reply(200, "", "{\"value\":[{\"id\":\"e\"}],\"@odata.nextLink\":\"/v1.0/users?p=2\"}"),
	};
	struct wire w;
	cJSON *all = NULL;

	wire_start(&w, replies, 5);
	cr_assert_eq(graph_list(&all, &w.f.ctx, "/v1.0/users", NULL), CORE_OK, "%s",
	    MSG(w.f.ctx));
	cr_expect_eq(cJSON_GetArraySize(all), 4, "a, b, c and the object without an id");
	cr_expect_str_eq(cJSON_GetArrayItem(w.f.ctx.warnings, 0)->valuestring,
	    "graph: GET /v1.0/users repeated 2 objects (same id); each was kept once");
	cJSON_Delete(all);
	all = NULL;
	cr_expect_eq(graph_list(&all, &w.f.ctx, "/v1.0/users", NULL), CORE_ESERVICE);
	cr_expect_str_eq(MSG(w.f.ctx), "GET /v1.0/users: graph's next page link after "
	    "page 2 points back to a page already read");
	cr_expect_null(all);
	wire_stop(&w);
}

/* The connection drops on assignNumber and the number cannot be read back. */
Test(svc, says_what_happened_when_assign_number_got_no_answer)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		strdup("HTTP/1.1 200 OK\r\n"),
		reply(200, "", "{\"value\":[]}"),
	};
	struct tenant_assign a = { .number = "+14255550100", .target_id = "u-1",
	    .number_type = "directRouting", .wait_timeout = 5 };
	struct wire w;

	char p[1024];

	setenv("DIALTONE_TEST_BACKOFF_SCALE", "0", 1);
	memset(w.script, 0, sizeof(w.script));
	w.script[0].raw = replies[0];
	w.script[1].raw = replies[1];
	w.script[1].after = MINI_DROP;
	w.script[2].raw = replies[2];
	w.n = 3;
	cr_assert_eq(mini_start(&w.srv, w.script, 3), 0);
	snprintf(p, sizeof(p), "{" CREDS ",\"login_endpoint\":\"%s/login\","
	    "\"graph_endpoint\":\"%s/graph\",\"teams_endpoint\":\"%s/teams\","
	    "\"max_retries\":2}", w.srv.url, w.srv.url, w.srv.url);
	fx_init(&w.f, p);
	cr_expect_eq(tenant_number_assign(&w.f.ctx, &a), CORE_EHTTP);
	cr_expect(strstr(MSG(w.f.ctx), "assigning number '+14255550100' got no clear answer "
	    "(no answer, or a server error)") == MSG(w.f.ctx), "%s", MSG(w.f.ctx));
	cr_expect(strstr(MSG(w.f.ctx), "run the task again") != NULL);
	cr_expect_null(strstr(MSG(w.f.ctx), "is not in the tenant"));
	cr_expect_eq(w.f.ctx.writes, 1, "a write that may have been made counts");
	wire_stop(&w);
}
/* ---- creates, reconciled ---- */

static int
create_policy(struct core_ctx *ctx, void *arg)
{
	struct svc_resp r;
	int rc;

	(void)arg;
	rc = svc_call(&r, ctx, SVC_TEAMS, "POST",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy",
	    NULL, NULL, 0);
	svc_resp_release(&r);
	return rc;
}

static int
lookup_policy(struct core_ctx *ctx, void *arg)
{
	struct svc_resp r;
	int rc, *lookups = arg;

	(*lookups)++;
	rc = svc_call(&r, ctx, SVC_TEAMS, "GET",
	    "/Skype.Policy/configurations/TeamsSharedCallingRoutingPolicy/configuration/SC",
	    NULL, NULL, SVC_ALLOW_404);
	svc_resp_release(&r);
	return rc;
}

static int
count_of(const char *log, const char *what)
{
	int n = 0;
	const char *p;

	for (p = log; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

Test(svc, a_create_that_got_a_500_and_took_effect_is_not_sent_again)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(500, "", "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"oops\"}}"),
		reply(200, "", "{\"Identity\":\"Tag:SC\"}"),
	};
	struct wire w;
	int lookups = 0;

	wire_start(&w, replies, 3);
	cr_assert_eq(svc_create_reconciled(&w.f.ctx, create_policy, lookup_policy,
	    &lookups), CORE_OK, "%s", w.f.ctx.msg);
	cr_expect_null(w.f.ctx.msg, "the handled error is forgotten");
	cr_expect_eq(lookups, 1);
	cr_expect_eq(count_of(w.srv.shared->log, "POST /teams/"), 1, "one create");
	wire_stop(&w);
}

Test(svc, a_create_that_got_a_500_and_did_not_happen_is_sent_again)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(502, "", "{\"error\":{\"code\":\"BadGateway\",\"message\":\"oops\"}}"),
		reply(404, "", "{\"error\":{\"code\":\"NotFound\",\"message\":\"no\"}}"),
		reply(201, "", "{\"Identity\":\"Tag:SC\"}"),
	};
	struct wire w;
	int lookups = 0;

	wire_start(&w, replies, 4);
	cr_assert_eq(svc_create_reconciled(&w.f.ctx, create_policy, lookup_policy,
	    &lookups), CORE_OK, "%s", w.f.ctx.msg);
	cr_expect_eq(lookups, 1);
	cr_expect_eq(count_of(w.srv.shared->log, "POST /teams/"), 2);
	wire_stop(&w);
}

Test(svc, a_dropped_create_is_read_back_and_a_later_conflict_means_it_landed)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		xstrdup(""),   /* the create: connection dropped, no answer */
		reply(404, "", "{\"error\":{\"code\":\"NotFound\",\"message\":\"no\"}}"),
		reply(409, "", "{\"error\":{\"code\":\"Conflict\",\"message\":\"already exists\"}}"),
		reply(200, "", "{\"Identity\":\"Tag:SC\"}"),
	};
	struct wire w;
	int lookups = 0;

	wire_drop = 1;
	wire_start(&w, replies, 5);
	cr_assert_eq(svc_create_reconciled(&w.f.ctx, create_policy, lookup_policy,
	    &lookups), CORE_OK, "%s", w.f.ctx.msg);
	cr_expect_eq(lookups, 2, "read back after the drop, and after the conflict");
	cr_expect_eq(count_of(w.srv.shared->log, "POST /teams/"), 2);
	wire_stop(&w);
}

Test(svc, a_create_refused_outright_is_not_read_back)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(400, "", "{\"error\":{\"code\":\"BadRequest\",\"message\":\"bad name\"}}"),
	};
	struct wire w;
	int lookups = 0;

	wire_start(&w, replies, 2);
	cr_expect_eq(svc_create_reconciled(&w.f.ctx, create_policy, lookup_policy,
	    &lookups), CORE_ESERVICE);
	cr_expect_eq(lookups, 0);
	cr_expect(strstr(w.f.ctx.msg, "bad name") != NULL, "%s", w.f.ctx.msg);
	wire_stop(&w);
}

Test(svc, stops_after_three_creates_that_left_nothing)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(500, "", "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"a\"}}"),
		reply(404, "", "{}"),
		reply(500, "", "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"b\"}}"),
		reply(404, "", "{}"),
		reply(500, "", "{\"error\":{\"code\":\"InternalServerError\",\"message\":\"c\"}}"),
		reply(404, "", "{}"),
	};
	struct wire w;
	int lookups = 0;

	wire_start(&w, replies, 7);
	cr_expect_eq(svc_create_reconciled(&w.f.ctx, create_policy, lookup_policy,
	    &lookups), CORE_ESERVICE);
	cr_expect_eq(count_of(w.srv.shared->log, "POST /teams/"), SVC_CREATE_TRIES);
	cr_expect_eq(lookups, SVC_CREATE_TRIES);
	wire_stop(&w);
}

Test(svc, requests_queued_behind_a_renewal_carry_the_new_token)
{
	char *replies[] = {
		reply(200, "", TOKEN_BODY(TOKEN_1)),
		reply(401, "", "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"revoked\"}}"),
		reply(200, "", TOKEN_BODY(TOKEN_2)),
		reply(200, "", "{\"a\":1}"),
		reply(200, "", "{\"b\":2}"),
	};
	struct svc_req reqs[2] = {
		{ SVC_GRAPH, "GET", "/v1.0/users/a", NULL, NULL, 0, 0 },
		{ SVC_GRAPH, "GET", "/v1.0/users/b", NULL, NULL, 0, 0 },
	};
	struct svc_resp resps[2];
	int rcs[2];
	struct wire w;

	wire_extra = ",\"max_concurrency\":1";
	wire_start(&w, replies, 5);
	cr_assert_eq(svc_call_many(resps, rcs, &w.f.ctx, reqs, 2), CORE_OK, "%s", w.f.ctx.msg);
	cr_expect_eq(rcs[0], CORE_OK);
	cr_expect_eq(rcs[1], CORE_OK);
	cr_expect_eq(w.srv.shared->requests, 5, "one 401, not one per queued request");
	cr_expect(strstr(w.srv.shared->last, "Bearer " TOKEN_2) != NULL);
	svc_resp_release(&resps[0]);
	svc_resp_release(&resps[1]);
	wire_stop(&w);
}
