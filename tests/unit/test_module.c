/*
 * test_module.c - the module life cycle (module.h) of a module given as
 * stages: their order, the state option choosing present or absent, the
 * first error ending the run, and release() after every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "module.h"
#include "svc.h"

/* What the stages saw, in order: one letter a stage. */
static char trace[16];
/* The stage that fails ('v', 'r', 'p' or 'a'), or 0. */
static char fail_at;

struct req {
	char *owned;
};

static int
stage(struct core_ctx *ctx, char c)
{
	size_t n = strlen(trace);

	if (n + 1 < sizeof(trace)) {
		trace[n] = c;
		trace[n + 1] = '\0';
	}
	return fail_at == c ? core_error(ctx, CORE_EARGS, "stage %c failed", c) : CORE_OK;
}

static int
validate(void *req, struct core_ctx *ctx, const cJSON *params)
{
	struct req *r = req;

	cr_expect_not_null(arg_str(params, "state"));
	cr_expect_null(r->owned, "the request starts zeroed");
	r->owned = strdup("owned");
	return stage(ctx, 'v');
}

static int
read_state(void *req, struct core_ctx *ctx)
{
	struct req *r = req;

	cr_expect_str_eq(r->owned, "owned");
	return stage(ctx, 'r');
}

static int
present(void *req, struct core_ctx *ctx, struct result *res)
{
	(void)req;
	res->changed = true;
	return stage(ctx, 'p');
}

static int
absent(void *req, struct core_ctx *ctx, struct result *res)
{
	(void)req;
	(void)res;
	return stage(ctx, 'a');
}

static void
release(void *req)
{
	struct req *r = req;

	free(r->owned);
	stage(NULL, 'x');
}

static const struct arg_spec args[] = {
	ARGS_CONN,
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	ARG_END
};

static struct module staged = {
	.name = "teams_staged",
	.args = args,
	.check_mode = true,
	.req_size = sizeof(struct req),
	.validate = validate,
	.read = read_state,
	.present = present,
	.absent = absent,
	.release = release,
};

static char dir[256];
static char path[300];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test_module.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/args", dir);
	trace[0] = '\0';
	fail_at = 0;
	staged.read = read_state;
	cr_redirect_stdout();
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(module_stages, .init = setup, .fini = teardown, .timeout = 30);

/* module_main() on a module whose state option is state ("" leaves it out). */
static int
run(const char *state)
{
	char arg0[] = "teams_staged";
	char *argv[] = { arg0, path, NULL };
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create %s", path);
	fprintf(f, "{\"tenant_id\": \"contoso.onmicrosoft.com\", \"client_id\": "
	    "\"00000000-0000-0000-0000-000000000001\", \"client_secret\": \"not-a-real-secret\"%s%s%s}",
	    *state ? ", \"state\": \"" : "", state, *state ? "\"" : "");
	cr_assert_eq(fclose(f), 0);
	return module_main(&staged, 2, argv);
}

Test(module_stages, present_reads_then_writes_then_releases)
{
	char text[4096];
	FILE *out;
	size_t n;

	cr_expect_eq(run(""), 0);
	cr_expect_str_eq(trace, "vrpx");
	fflush(stdout);
	out = cr_get_redirected_stdout();
	cr_assert_not_null(out);
	n = fread(text, 1, sizeof(text) - 1, out);
	text[n] = '\0';
	cr_expect(strstr(text, "{\"changed\":true,"), "%s", text);
}

Test(module_stages, absent_takes_the_absent_stage)
{
	cr_expect_eq(run("absent"), 0);
	cr_expect_str_eq(trace, "vrax");
}

Test(module_stages, a_failed_validation_reads_nothing_and_still_releases)
{
	fail_at = 'v';
	cr_expect_eq(run("present"), 1);
	cr_expect_str_eq(trace, "vx");
}

Test(module_stages, a_failed_read_writes_nothing)
{
	fail_at = 'r';
	cr_expect_eq(run("absent"), 1);
	cr_expect_str_eq(trace, "vrx");
}

Test(module_stages, a_module_without_a_read_stage_goes_straight_to_the_state)
{
	staged.read = NULL;
	cr_expect_eq(run("present"), 0);
	cr_expect_str_eq(trace, "vpx");
}
