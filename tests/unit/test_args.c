/*
 * test_args.c - reading the args file and validating it as AnsibleModule
 * does.
 *
 * The tables of messages and coerced values were produced by ansible-core
 * 2.14.18's AnsibleModule itself, run on the same inputs with the Python
 * twin of the argument spec below (module name aside). The bool message is
 * compared up to "Valid booleans include:", whose list Python prints in
 * no fixed order.
 */
#define _XOPEN_SOURCE 700   /* posix_openpt() */

#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "core.h"
#include "jsonutil.h"

/* --- the argument spec of the tables --------------------------------- */

static const struct arg_spec inner_opts[] = {
	{ "x", ARG_STR, .required = true },
	ARG_END
};
static const char *const site_exclusive[] = { "zone|pin", NULL };
static const struct arg_required_if site_required_if[] = {
	{ "code", "\"x\"", "pin", false },
	{ NULL }
};
static const struct arg_rules site_rules = {
	.mutually_exclusive = site_exclusive,
	.required_if = site_required_if,
};
static const struct arg_spec site_opts[] = {
	{ "code", ARG_STR, .required = true },
	{ "zone", ARG_INT, .aliases = "z" },
	{ "pin", ARG_STR, .no_log = true },
	{ "inner", ARG_DICT, .options = inner_opts },
	ARG_END
};
static const struct arg_spec sites_opts[] = {
	{ "name", ARG_STR, .required = true },
	{ "kind", ARG_STR, .choices = "on|off" },
	ARG_END
};

/* Shared by the message table (with rules) and the coercion table (without). */
#define TEST_OPTIONS \
	{ "tenant_id", ARG_STR, .fallback_env = "T_TENANT|T_TENANT2" }, \
	{ "client_secret", ARG_STR, .fallback_env = "T_SECRET", .no_log = true }, \
	{ "certificate_path", ARG_PATH }, \
	{ "display_name", ARG_STR, .required = true }, \
	{ "usage_location", ARG_STR, .aliases = "location|loc" }, \
	{ "state", ARG_STR, .choices = "present|absent", .def = "\"present\"" }, \
	{ "count", ARG_INT }, \
	{ "ratio", ARG_FLOAT }, \
	{ "enabled", ARG_BOOL }, \
	{ "numbers", ARG_LIST, .elements = ARG_INT }, \
	{ "tags", ARG_LIST, .elements = ARG_STR }, \
	{ "features", ARG_LIST, .elements = ARG_STR, .choices = "a|b" }, \
	{ "labels", ARG_DICT }, \
	{ "extra", ARG_RAW }, \
	{ "mode", ARG_STR, .choices = "yes|no|auto" }, \
	{ "site", ARG_DICT, .options = site_opts, .rules = &site_rules }, \
	{ "sites", ARG_LIST, .elements = ARG_DICT, .options = sites_opts }

static const struct arg_spec spec[] = { TEST_OPTIONS, ARG_END };

static const char *const exclusive[] = {
	"client_secret|certificate_path", "count|ratio", NULL
};
static const char *const together[] = { "tenant_id|usage_location", NULL };
static const struct arg_required_if required_if[] = {
	{ "state", "\"absent\"", "count|extra", false },
	{ "enabled", "true", "ratio|tags", true },
	{ NULL }
};
static const struct arg_required_by required_by[] = {
	{ "certificate_path", "tenant_id|extra" },
	{ NULL }
};
static const struct arg_rules rules = {
	.mutually_exclusive = exclusive,
	.required_together = together,
	.required_if = required_if,
	.required_by = required_by,
};

static const struct arg_spec oneof_spec[] = {
	{ "a", ARG_STR },
	{ "b", ARG_INT, .def = "3" },
	{ "c", ARG_STR },
	ARG_END
};
static const char *const oneof_groups[] = { "a|c", NULL };
static const struct arg_rules oneof_rules = { .required_one_of = oneof_groups };

/* --- harness: an args file in a private directory --------------------- */

static char dir[256];
static char path[300];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test_args.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
	snprintf(path, sizeof(path), "%s/args", dir);
	unsetenv("T_TENANT");
	unsetenv("T_TENANT2");
	unsetenv("T_SECRET");
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(args_load, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(args_validate, .init = setup, .fini = teardown, .timeout = 30);
TestSuite(args_invocation, .init = setup, .fini = teardown, .timeout = 30);

static void
write_args(const char *json)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert(fputs(json, f) >= 0);
	cr_assert_eq(fclose(f), 0);
}

/* args_load() on json, as Ansible runs a module: argv[1] is the file. */
static int
load(cJSON **in, struct core_ctx *ctx, const char *json)
{
	char arg0[] = "teams_test";
	char *argv[] = { arg0, path, NULL };

	write_args(json);
	return args_load(in, ctx, 2, argv);
}

/* One module run up to validation. */
struct run {
	struct core_ctx ctx;
	cJSON *in;
	cJSON *params;
	int rc;
};

static void
run_with(struct run *r, const char *json, const struct arg_spec *s,
    const struct arg_rules *rl)
{
	core_ctx_init(&r->ctx, "dialtone.teams_phone.test");
	r->in = NULL;
	r->params = NULL;
	r->rc = load(&r->in, &r->ctx, json);
	if (r->rc == CORE_OK)
		r->rc = args_validate(&r->params, &r->ctx, s, rl, r->in);
}

static void
run_release(struct run *r)
{
	cJSON_Delete(r->params);
	cJSON_Delete(r->in);
	core_ctx_release(&r->ctx);
}

static const char *
msg_of(const struct run *r)
{
	return r->ctx.msg ? r->ctx.msg : "(no message)";
}

/* Python's repr() of an output option, to compare with the table. */
static char *
repr_of(const struct run *r, const char *name)
{
	return json_py_repr(cJSON_GetObjectItemCaseSensitive(r->params, name));
}

static bool
has_secret(const struct core_ctx *ctx, const char *s)
{
	size_t i;

	for (i = 0; i < ctx->nsecrets; i++)
		if (strcmp(ctx->secrets[i], s) == 0)
			return true;
	return false;
}

static const char *
warning(const struct core_ctx *ctx, int i)
{
	const cJSON *w = cJSON_GetArrayItem(ctx->warnings, i);

	return w ? w->valuestring : "(no warning)";
}

/* --- args_load -------------------------------------------------------- */

Test(args_load, reads_the_file_named_by_the_first_argument)
{
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"display_name\": \"Main Line\"}"), CORE_OK);
	cr_assert_str_eq(cJSON_GetObjectItem(in, "display_name")->valuestring,
	    "Main Line");
	cr_assert_null(ctx.msg);
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

Test(args_load, reports_a_missing_or_unreadable_file_with_the_system_error)
{
	struct core_ctx ctx;
	cJSON *in = NULL;
	char arg0[] = "teams_test", missing[400];
	char *argv[] = { arg0, missing, NULL };
	char want[600];

	snprintf(missing, sizeof(missing), "%s/nope", dir);
	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(args_load(&in, &ctx, 2, argv), CORE_EARGS);
	cr_assert_null(in);
	snprintf(want, sizeof(want), "unable to read the module arguments file "
	    "'%s': No such file or directory", missing);
	cr_expect_str_eq(ctx.msg, want);
	core_ctx_release(&ctx);

	argv[1] = dir;
	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(args_load(&in, &ctx, 2, argv), CORE_EARGS);
	snprintf(want, sizeof(want), "unable to read the module arguments file "
	    "'%s': Is a directory", dir);
	cr_expect_str_eq(ctx.msg, want);
	core_ctx_release(&ctx);
}

/* Python's json.loads() messages, position included. */
Test(args_load, reports_malformed_json_as_python_json_does)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "", "Expecting value: line 1 column 1 (char 0)" },
		{ "{", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)" },
		{ "{\"a\"", "Expecting ':' delimiter: line 1 column 5 (char 4)" },
		{ "{\"a\": 1", "Expecting ',' delimiter: line 1 column 8 (char 7)" },
		{ "{\"a\": 1,}", "Expecting property name enclosed in double quotes: line 1 column 9 (char 8)" },
		{ "[1,]", "Expecting value: line 1 column 4 (char 3)" },
		{ "{\"a\": tru}", "Expecting value: line 1 column 7 (char 6)" },
		{ "{\"a\": 01}", "Expecting ',' delimiter: line 1 column 8 (char 7)" },
		{ "{\"a\": \"x\ny\"}", "Invalid control character at: line 1 column 9 (char 8)" },
		{ "{\"a\": \"\\x\"}", "Invalid \\escape: line 1 column 8 (char 7)" },
		{ "{\"a\": \"\\u12\"}", "Invalid \\uXXXX escape: line 1 column 9 (char 8)" },
		{ "{\"a\": \"abc", "Unterminated string starting at: line 1 column 7 (char 6)" },
		{ "{\"a\": 1} x", "Extra data: line 1 column 10 (char 9)" },
		{ "\n\n  {\"a\": [1,\n 2,, 3]}", "Expecting value: line 4 column 4 (char 17)" },
		{ "{\"\xc3\xa9\": \"\xc3\xbc\", \"b\": ?}", "Expecting value: line 1 column 17 (char 16)" },
		{ "\xef\xbb\xbf{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)" },
		{ "{\"a\": \"\xff\"}", "invalid UTF-8 byte 0xff: line 1 column 8 (char 7)" },
	};
	struct core_ctx ctx;
	cJSON *in;
	char want[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		core_ctx_init(&ctx, "dialtone.teams_phone.test");
		in = NULL;
		cr_expect_eq(load(&in, &ctx, cases[i].in), CORE_EARGS, "input %zu", i);
		cr_expect_null(in);
		snprintf(want, sizeof(want), "the module arguments are not valid JSON: %s",
		    cases[i].msg);
		cr_expect_str_eq(ctx.msg ? ctx.msg : "", want, "input %zu", i);
		cJSON_Delete(in);
		core_ctx_release(&ctx);
	}
}

Test(args_load, rejects_nan_and_infinity_naming_the_problem)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"ratio\": NaN}", "NaN is not allowed: YAML .nan cannot be passed to a compiled module: line 1 column 11 (char 10)" },
		{ "{\"ratio\": Infinity}", "Infinity is not allowed: YAML .inf cannot be passed to a compiled module: line 1 column 11 (char 10)" },
		{ "{\"ratio\": -Infinity}", "-Infinity is not allowed: YAML .inf cannot be passed to a compiled module: line 1 column 11 (char 10)" },
		{ "{\"ratio\": [1, NaN]}", "NaN is not allowed: YAML .nan cannot be passed to a compiled module: line 1 column 15 (char 14)" },
		{ "{\"ratio\": 1e400}", "number 1e400 is out of range: line 1 column 11 (char 10)" },
	};
	struct core_ctx ctx;
	cJSON *in;
	char want[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		core_ctx_init(&ctx, "dialtone.teams_phone.test");
		in = NULL;
		cr_expect_eq(load(&in, &ctx, cases[i].in), CORE_EARGS, "input %zu", i);
		snprintf(want, sizeof(want), "the module arguments are not valid JSON: %s",
		    cases[i].msg);
		cr_expect_str_eq(ctx.msg ? ctx.msg : "", want, "input %zu", i);
		cJSON_Delete(in);
		core_ctx_release(&ctx);
	}
}

Test(args_load, decodes_unicode_escapes_and_surrogate_pairs)
{
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"display_name\": \"Zo\\u00eb \\u2013 "
	    "\\u260e \\ud83d\\ude00\", \"raw\": \"Zo\xc3\xab\", \"esc\": "
	    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\"}"), CORE_OK);
	cr_expect_str_eq(cJSON_GetObjectItem(in, "display_name")->valuestring,
	    "Zo\xc3\xab \xe2\x80\x93 \xe2\x98\x8e \xf0\x9f\x98\x80");
	cr_expect_str_eq(cJSON_GetObjectItem(in, "raw")->valuestring, "Zo\xc3\xab");
	cr_expect_str_eq(cJSON_GetObjectItem(in, "esc")->valuestring,
	    "\"\\/\b\f\n\r\tA");
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

Test(args_load, rejects_lone_surrogates_and_nul_characters)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"a\": \"\\ud83d\"}", "lone surrogate \\ud83d is not a character: line 1 column 8 (char 7)" },
		{ "{\"a\": \"\\ude00\"}", "lone surrogate \\ude00 is not a character: line 1 column 8 (char 7)" },
		{ "{\"a\": \"x\\ud83d\\u0041\"}", "lone surrogate \\ud83d is not a character: line 1 column 9 (char 8)" },
		{ "{\"a\": \"\\ude00\\ud83d\"}", "lone surrogate \\ude00 is not a character: line 1 column 8 (char 7)" },
		{ "{\"a\\ud800\": 1}", "lone surrogate \\ud800 is not a character: line 1 column 4 (char 3)" },
		{ "{\"a\": \"x\\u0000y\"}", "\\u0000 is not allowed: a NUL character cannot be passed to a compiled module: line 1 column 9 (char 8)" },
	};
	struct core_ctx ctx;
	cJSON *in;
	char want[300];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		core_ctx_init(&ctx, "dialtone.teams_phone.test");
		in = NULL;
		cr_expect_eq(load(&in, &ctx, cases[i].in), CORE_EARGS, "input %zu", i);
		snprintf(want, sizeof(want), "the module arguments are not valid JSON: %s",
		    cases[i].msg);
		cr_expect_str_eq(ctx.msg ? ctx.msg : "", want, "input %zu", i);
		cJSON_Delete(in);
		core_ctx_release(&ctx);
	}
}

Test(args_load, refuses_a_document_that_is_not_an_object)
{
	static const char *const cases[] = { "[1]", "\"x\"", "3", "null" };
	struct core_ctx ctx;
	cJSON *in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		core_ctx_init(&ctx, "dialtone.teams_phone.test");
		in = NULL;
		cr_expect_eq(load(&in, &ctx, cases[i]), CORE_EARGS);
		cr_expect_str_eq(ctx.msg ? ctx.msg : "",
		    "the module arguments are not a JSON object", "input %s", cases[i]);
		core_ctx_release(&ctx);
	}
}

Test(args_load, reads_the_ansible_keys_into_the_context)
{
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"display_name\": \"x\", "
	    "\"_ansible_check_mode\": true, \"_ansible_no_log\": true, "
	    "\"_ansible_debug\": false, \"_ansible_diff\": true, "
	    "\"_ansible_verbosity\": 3, \"_ansible_version\": \"2.14.18\", "
	    "\"_ansible_module_name\": \"teams_resource_account\", "
	    "\"_ansible_selinux_special_fs\": [\"fuse\"], \"_ansible_socket\": null, "
	    "\"_ansible_tmpdir\": \"/tmp/ansible-tmp-1/\"}"), CORE_OK);
	cr_expect(ctx.check_mode);
	cr_expect(ctx.diff);
	cr_expect(ctx.no_log);
	cr_expect_eq(ctx.verbosity, 3);
	/* The name as written in the task, kept inside the input object. */
	cr_expect_str_eq(ctx.module_name, "teams_resource_account");
	cr_expect_eq(ctx.module_name, cJSON_GetObjectItem(in,
	    "_ansible_module_name")->valuestring);
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

Test(args_load, reads_ansible_flags_as_module_boolean_does)
{
	static const char bool_msg[] = "The value 'maybe' is not a valid boolean.  "
	    "Valid booleans include:";
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"_ansible_check_mode\": \"yes\", "
	    "\"_ansible_diff\": 0, \"_ansible_no_log\": null}"), CORE_OK);
	cr_expect(ctx.check_mode);
	cr_expect(!ctx.diff);
	cr_expect(!ctx.no_log);
	cJSON_Delete(in);
	in = NULL;
	core_ctx_release(&ctx);

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"_ansible_diff\": \"maybe\"}"), CORE_EARGS);
	cr_expect_null(in);
	cr_expect(ctx.msg && strncmp(ctx.msg, bool_msg, strlen(bool_msg)) == 0,
	    "%s", ctx.msg);
	core_ctx_release(&ctx);
}

Test(args_load, keeps_the_task_name_when_ansible_sends_none)
{
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"_ansible_module_name\": null}"), CORE_OK);
	cr_expect_str_eq(ctx.module_name, "dialtone.teams_phone.test");
	cr_expect(!ctx.check_mode);
	cr_expect_eq(ctx.verbosity, 0);
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

Test(args_load, reads_stdin_only_without_an_argument_and_without_a_terminal)
{
	struct core_ctx ctx;
	cJSON *in = NULL;
	char arg0[] = "teams_test";
	char *argv[] = { arg0, NULL };
	int fd;

	write_args("{\"display_name\": \"from stdin\"}");
	fd = open(path, O_RDONLY);
	cr_assert(fd >= 0);
	cr_assert(dup2(fd, STDIN_FILENO) == STDIN_FILENO);
	close(fd);
	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(args_load(&in, &ctx, 1, argv), CORE_OK, "%s", ctx.msg);
	cr_expect_str_eq(cJSON_GetObjectItem(in, "display_name")->valuestring,
	    "from stdin");
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

Test(args_load, never_waits_on_a_terminal)
{
	struct core_ctx ctx;
	cJSON *in = NULL;
	char arg0[] = "teams_test";
	char *argv[] = { arg0, NULL };
	int master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert(master >= 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	cr_assert(slave >= 0);
	cr_assert(dup2(slave, STDIN_FILENO) == STDIN_FILENO);
	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_expect_eq(args_load(&in, &ctx, 1, argv), CORE_EARGS);
	cr_expect_null(in);
	cr_expect_str_eq(ctx.msg ? ctx.msg : "", "no module arguments: pass "
	    "the path of a JSON arguments file as the first argument");
	core_ctx_release(&ctx);
	close(slave);
	close(master);
}

Test(args_load, keeps_a_repeated_key_in_its_first_place_with_the_last_value)
{
	struct core_ctx ctx;
	cJSON *in = NULL;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_assert_eq(load(&in, &ctx, "{\"a\": 1, \"b\": 2, \"a\": 3}"), CORE_OK);
	cr_expect_str_eq(in->child->string, "a");
	cr_expect_eq(in->child->valuedouble, 3);
	cr_expect_eq(cJSON_GetArraySize(in), 2);
	cJSON_Delete(in);
	core_ctx_release(&ctx);
}

/* --- args_validate: AnsibleModule's messages ----------------------------- */

Test(args_validate, reports_each_failure_in_ansiblemodule_s_words)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"display_name\": \"Main\", \"bogus\": 1, \"other\": 2}",
		    "Unsupported parameters for (dialtone.teams_phone.test) module: bogus, other. Supported parameters include: certificate_path, client_secret, count, display_name, enabled, extra, features, labels, mode, numbers, ratio, site, sites, state, tags, tenant_id, usage_location (loc, location)." },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": \"c\", \"bad\": 1}}",
		    "Unsupported parameters for (dialtone.teams_phone.test) module: site.bad. Supported parameters include: code, inner, pin, zone (z)." },
		{ "{\"display_name\": \"Main\", \"sites\": [{\"name\": \"a\", \"bad\": 1}, {\"name\": \"b\", \"bad\": 2, \"worse\": 3}]}",
		    "Unsupported parameters for (dialtone.teams_phone.test) module: sites.bad, sites.worse. Supported parameters include: kind, name." },
		{ "{\"display_name\": \"Main\", \"client_secret\": \"s3\", \"certificate_path\": \"/x\"}",
		    "parameters are mutually exclusive: client_secret|certificate_path" },
		{ "{\"display_name\": \"Main\", \"count\": 1, \"ratio\": 2.0, \"client_secret\": \"s3\", \"certificate_path\": \"/p\"}",
		    "parameters are mutually exclusive: client_secret|certificate_path, count|ratio" },
		{ "{}",
		    "missing required arguments: display_name" },
		{ "{\"display_name\": null, \"site\": {}}",
		    "missing required arguments: display_name" },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": null}}",
		    "missing required arguments: code found in site" },
		{ "{\"display_name\": \"Main\", \"count\": \"seven\"}",
		    "argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"count\": 1.5}",
		    "argument 'count' is of type <class 'float'> and we were unable to convert to int: <class 'float'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"count\": [1]}",
		    "argument 'count' is of type <class 'list'> and we were unable to convert to int: <class 'list'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"count\": {\"a\": 1}}",
		    "argument 'count' is of type <class 'dict'> and we were unable to convert to int: <class 'dict'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"count\": \"1.0\"}",
		    "argument 'count' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"ratio\": \"abc\"}",
		    "argument 'ratio' is of type <class 'str'> and we were unable to convert to float: <class 'str'> cannot be converted to a float" },
		{ "{\"display_name\": \"Main\", \"ratio\": [1.0]}",
		    "argument 'ratio' is of type <class 'list'> and we were unable to convert to float: <class 'list'> cannot be converted to a float" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"maybe\"}",
		    "argument 'enabled' is of type <class 'str'> and we were unable to convert to bool: The value 'maybe' is not a valid boolean.  Valid booleans include:" },
		{ "{\"display_name\": \"Main\", \"enabled\": 2}",
		    "argument 'enabled' is of type <class 'int'> and we were unable to convert to bool: The value '2' is not a valid boolean.  Valid booleans include:" },
		{ "{\"display_name\": \"Main\", \"enabled\": 0.5}",
		    "argument 'enabled' is of type <class 'float'> and we were unable to convert to bool: The value '0.5' is not a valid boolean.  Valid booleans include:" },
		{ "{\"display_name\": \"Main\", \"enabled\": [true]}",
		    "argument 'enabled' is of type <class 'list'> and we were unable to convert to bool: <class 'list'> cannot be converted to a bool" },
		{ "{\"display_name\": \"Main\", \"tags\": {\"a\": 1}}",
		    "argument 'tags' is of type <class 'dict'> and we were unable to convert to list: <class 'dict'> cannot be converted to a list" },
		{ "{\"display_name\": \"Main\", \"labels\": \"nonsense\"}",
		    "argument 'labels' is of type <class 'str'> and we were unable to convert to dict: dictionary requested, could not parse JSON or key=value" },
		{ "{\"display_name\": \"Main\", \"labels\": \"{bad\"}",
		    "argument 'labels' is of type <class 'str'> and we were unable to convert to dict: unable to evaluate string as dictionary" },
		{ "{\"display_name\": \"Main\", \"labels\": \"a=1 b\"}",
		    "argument 'labels' is of type <class 'str'> and we were unable to convert to dict: dictionary update sequence element #1 has length 1; 2 is required" },
		{ "{\"display_name\": \"Main\", \"labels\": 3}",
		    "argument 'labels' is of type <class 'int'> and we were unable to convert to dict: <class 'int'> cannot be converted to a dict" },
		{ "{\"display_name\": \"Main\", \"labels\": [\"a=1\"]}",
		    "argument 'labels' is of type <class 'list'> and we were unable to convert to dict: <class 'list'> cannot be converted to a dict" },
		{ "{\"display_name\": \"Main\", \"numbers\": [1, {\"a\": 1}]}",
		    "Elements value for option 'numbers' is of type <class 'dict'> and we were unable to convert to int: <class 'dict'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"numbers\": \"1,x\"}",
		    "Elements value for option 'numbers' is of type <class 'str'> and we were unable to convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"numbers\": [null]}",
		    "Elements value for option 'numbers' is of type <class 'NoneType'> and we were unable to convert to int: <class 'NoneType'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"state\": \"gone\"}",
		    "value of state must be one of: present, absent, got: gone" },
		{ "{\"display_name\": \"Main\", \"state\": 3}",
		    "value of state must be one of: present, absent, got: 3" },
		{ "{\"display_name\": \"Main\", \"mode\": \"maybe\"}",
		    "value of mode must be one of: yes, no, auto, got: maybe" },
		{ "{\"display_name\": \"Main\", \"features\": [\"a\", \"c\", \"d\"]}",
		    "value of features must be one or more of: a, b. Got no match for: c, d" },
		{ "{\"display_name\": \"Main\", \"features\": \"a,c\"}",
		    "value of features must be one or more of: a, b. Got no match for: c" },
		{ "{\"display_name\": \"Main\", \"tenant_id\": \"t\"}",
		    "parameters are required together: tenant_id, usage_location" },
		{ "{\"display_name\": \"Main\", \"usage_location\": \"US\"}",
		    "parameters are required together: tenant_id, usage_location" },
		{ "{\"display_name\": \"Main\", \"state\": \"absent\"}",
		    "state is absent but all of the following are missing: count, extra" },
		{ "{\"display_name\": \"Main\", \"state\": \"absent\", \"count\": 1}",
		    "state is absent but all of the following are missing: extra" },
		{ "{\"display_name\": \"Main\", \"enabled\": true}",
		    "enabled is True but any of the following are missing: ratio, tags" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"yes\", \"tenant_id\": \"t\", \"location\": \"US\"}",
		    "enabled is True but any of the following are missing: ratio, tags" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"/c\"}",
		    "missing parameter(s) required by 'certificate_path': tenant_id, extra" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"/c\", \"tenant_id\": null, \"usage_location\": null, \"extra\": 1}",
		    "missing parameter(s) required by 'certificate_path': tenant_id" },
		{ "{\"display_name\": \"Main\", \"site\": {\"zone\": 1}}",
		    "missing required arguments: code found in site" },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": \"c\", \"zone\": \"x\"}}",
		    "argument 'zone' is of type <class 'str'> found in 'site'. and we were unable to convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": \"c\", \"zone\": 1, \"pin\": \"9\"}}",
		    "parameters are mutually exclusive: zone|pin found in site" },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": \"x\"}}",
		    "code is x but all of the following are missing: pin found in site" },
		{ "{\"display_name\": \"Main\", \"site\": {\"code\": \"c\", \"inner\": {}}}",
		    "missing required arguments: x found in site -> inner" },
		{ "{\"display_name\": \"Main\", \"site\": \"nonsense\"}",
		    "option 'site': dictionary requested, could not parse JSON or key=value; give a dict (YAML mapping), or its JSON or key=value text" },
		{ "{\"display_name\": \"Main\", \"sites\": [{\"name\": \"a\"}, {\"kind\": \"maybe\"}]}",
		    "missing required arguments: name found in sites" },
		{ "{\"display_name\": \"Main\", \"sites\": [{\"name\": \"a\", \"kind\": \"gone\"}]}",
		    "value of kind must be one of: on, off, got: gone found in sites" },
		{ "{\"display_name\": \"Main\", \"bogus\": 1, \"state\": \"gone\"}",
		    "value of state must be one of: present, absent, got: gone" },
		{ "{\"display_name\": null, \"bogus\": 1}",
		    "missing required arguments: display_name" },
		{ "{\"bogus\": 1}",
		    "missing required arguments: display_name" },
		{ "{\"display_name\": \"Main\", \"bogus\": 1, \"site\": {\"code\": \"c\", \"bad\": 1}}",
		    "Unsupported parameters for (dialtone.teams_phone.test) module: bogus, site.bad. Supported parameters include: code, inner, pin, zone (z)." },
	};
	static const char bool_cut[] = "Valid booleans include:";
	struct run r;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, spec, &rules);
		cr_expect_eq(r.rc, CORE_EARGS, "input %s", cases[i].in);
		n = strlen(cases[i].msg);
		if (n > sizeof(bool_cut) - 1 &&
		    strcmp(cases[i].msg + n - (sizeof(bool_cut) - 1), bool_cut) == 0)
			cr_expect(strncmp(msg_of(&r), cases[i].msg, n) == 0,
			    "input %s\n got: %s\nwant: %s...", cases[i].in, msg_of(&r),
			    cases[i].msg);
		else
			cr_expect_str_eq(msg_of(&r), cases[i].msg, "input %s\n got: %s",
		    cases[i].in, msg_of(&r));
		run_release(&r);
	}
}

Test(args_validate, reports_a_missing_one_of_group)
{
	static const char *const cases[] = { "{}", "{\"b\": 1}", "{\"b\": null}" };
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i], oneof_spec, &oneof_rules);
		cr_expect_eq(r.rc, CORE_EARGS);
		cr_expect_str_eq(msg_of(&r), "one of the following is required: a, c",
		    "input %s", cases[i]);
		run_release(&r);
	}
	run_with(&r, "{\"c\": null}", oneof_spec, &oneof_rules);
	cr_expect_eq(r.rc, CORE_EARGS, "a null counts as absent");
	run_release(&r);
}

Test(args_validate, names_the_bool_values_in_a_fixed_order)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"enabled\": \" Maybe \"}", spec, NULL);
	cr_expect_str_eq(msg_of(&r), "argument 'enabled' is of type <class 'str'> and "
	    "we were unable to convert to bool: The value ' Maybe ' is not a valid "
	    "boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', 1, "
	    "'n', 'no', 'off', '0', 'false', 'f', 0");
	run_release(&r);
}

/* Python crashes on these; the module says what is wrong instead. */
Test(args_validate, says_when_sub_options_are_not_a_dict)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"display_name\": \"x\", \"site\": 5}",
		    "Value '5' in the sub parameter field 'site' must by a dict, not 'int'" },
		{ "{\"display_name\": \"x\", \"sites\": [1]}",
		    "Value '1' in the sub parameter field 'sites' must by a list, not 'int'" },
		{ "{\"display_name\": \"x\", \"site\": \"{a.b(}\"}",
		    "Value '{a.b(}' in the sub parameter field 'site' must by a dict, not 'str'" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, spec, &rules);
		cr_expect_eq(r.rc, CORE_EARGS);
		cr_expect_str_eq(msg_of(&r), cases[i].msg, "input %s\n got: %s",
		    cases[i].in, msg_of(&r));
		run_release(&r);
	}
}

Test(args_validate, refuses_a_table_with_a_required_option_that_has_a_default)
{
	static const struct arg_spec bad[] = {
		{ "name", ARG_STR, .required = true, .def = "\"x\"" },
		ARG_END
	};
	struct run r;

	run_with(&r, "{\"name\": \"y\"}", bad, NULL);
	cr_expect_str_eq(msg_of(&r), "internal error: required and default are "
	    "mutually exclusive for name");
	run_release(&r);
}

/* --- args_validate: order of checks ---------------------------------- */

Test(args_validate, reports_an_unknown_option_only_when_nothing_else_is_wrong)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"bogus\": 1}", "missing required arguments: display_name" },
		{ "{\"bogus\": 1, \"display_name\": \"x\", \"count\": \"x\"}",
		    "argument 'count' is of type <class 'str'> and we were unable to "
		    "convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"bogus\": 1, \"display_name\": \"x\", \"state\": \"absent\"}",
		    "state is absent but all of the following are missing: count, extra" },
		{ "{\"bogus\": 1, \"display_name\": \"x\", \"site\": {}}",
		    "missing required arguments: code found in site" },
		{ "{\"bogus\": 1, \"display_name\": \"x\"}",
		    "Unsupported parameters for (dialtone.teams_phone.test) module: "
		    "bogus. Supported parameters include: certificate_path, "
		    "client_secret, count, display_name, enabled, extra, features, "
		    "labels, mode, numbers, ratio, site, sites, state, tags, tenant_id, "
		    "usage_location (loc, location)." },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, spec, &rules);
		cr_expect_eq(r.rc, CORE_EARGS);
		cr_expect_str_eq(msg_of(&r), cases[i].msg, "input %s\n got: %s",
		    cases[i].in, msg_of(&r));
		run_release(&r);
	}
}

Test(args_validate, checks_in_ansiblemodule_s_order)
{
	/* Each input breaks two checks; the earlier one in validate() wins. */
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"client_secret\": \"s\", \"certificate_path\": \"/c\"}",
		    "parameters are mutually exclusive: client_secret|certificate_path" },
		{ "{\"count\": \"x\", \"state\": \"gone\"}",
		    "missing required arguments: display_name" },
		{ "{\"display_name\": \"x\", \"state\": \"gone\", \"count\": \"x\"}",
		    "argument 'count' is of type <class 'str'> and we were unable to "
		    "convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"x\", \"enabled\": [1], \"count\": \"x\"}",
		    "argument 'count' is of type <class 'str'> and we were unable to "
		    "convert to int: <class 'str'> cannot be converted to an int" },
		{ "{\"display_name\": \"x\", \"state\": \"gone\", \"tenant_id\": \"t\"}",
		    "value of state must be one of: present, absent, got: gone" },
		{ "{\"display_name\": \"x\", \"tenant_id\": \"t\", \"state\": \"absent\"}",
		    "parameters are required together: tenant_id, usage_location" },
		{ "{\"display_name\": \"x\", \"state\": \"absent\", \"certificate_path\": \"/c\"}",
		    "state is absent but all of the following are missing: count, extra" },
		{ "{\"display_name\": \"x\", \"certificate_path\": \"/c\", \"site\": {}}",
		    "missing parameter(s) required by 'certificate_path': tenant_id, extra" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, spec, &rules);
		cr_expect_eq(r.rc, CORE_EARGS);
		cr_expect_str_eq(msg_of(&r), cases[i].msg, "input %s\n got: %s",
		    cases[i].in, msg_of(&r));
		run_release(&r);
	}
}

/* --- args_validate: coercions --------------------------------------- */

Test(args_validate, coerces_each_type_as_ansiblemodule_does)
{
	/* {input, option, Python's repr() of the validated value} */
	static const struct {
		const char *in, *option, *repr;
	} cases[] = {
		{ "{\"display_name\": \"text\"}", "display_name", "'text'" },
		{ "{\"display_name\": 3}", "display_name", "'3'" },
		{ "{\"display_name\": 1.5}", "display_name", "'1.5'" },
		{ "{\"display_name\": true}", "display_name", "'True'" },
		{ "{\"display_name\": false}", "display_name", "'False'" },
		{ "{\"display_name\": [1, \"a\", null, true]}", "display_name", "\"[1, 'a', None, True]\"" },
		{ "{\"display_name\": {\"a\": 1, \"b\": \"it's\"}}", "display_name", "'{\\'a\\': 1, \\'b\\': \"it\\'s\"}'" },
		{ "{\"display_name\": 1e+16}", "display_name", "'1e+16'" },
		{ "{\"display_name\": 0.0001}", "display_name", "'0.0001'" },
		{ "{\"display_name\": 1e-05}", "display_name", "'1e-05'" },
		{ "{\"display_name\": \"Main\", \"count\": 7}", "count", "7" },
		{ "{\"display_name\": \"Main\", \"count\": \" 7 \"}", "count", "7" },
		{ "{\"display_name\": \"Main\", \"count\": \"+7\"}", "count", "7" },
		{ "{\"display_name\": \"Main\", \"count\": \"-12\"}", "count", "-12" },
		{ "{\"display_name\": \"Main\", \"count\": \"1_000\"}", "count", "1000" },
		{ "{\"display_name\": \"Main\", \"count\": \"007\"}", "count", "7" },
		{ "{\"display_name\": \"Main\", \"count\": \"\\u00a07\\u2003\"}", "count", "7" },
		{ "{\"display_name\": \"Main\", \"count\": true}", "count", "True" },
		{ "{\"display_name\": \"Main\", \"count\": 0}", "count", "0" },
		{ "{\"display_name\": \"Main\", \"ratio\": 1.5}", "ratio", "1.5" },
		{ "{\"display_name\": \"Main\", \"ratio\": 3}", "ratio", "3.0" },
		{ "{\"display_name\": \"Main\", \"ratio\": \"1.5\"}", "ratio", "1.5" },
		{ "{\"display_name\": \"Main\", \"ratio\": \" 1e3 \"}", "ratio", "1000.0" },
		{ "{\"display_name\": \"Main\", \"ratio\": \"-.5\"}", "ratio", "-0.5" },
		{ "{\"display_name\": \"Main\", \"ratio\": \"5.\"}", "ratio", "5.0" },
		{ "{\"display_name\": \"Main\", \"ratio\": \"1_0.5\"}", "ratio", "10.5" },
		{ "{\"display_name\": \"Main\", \"ratio\": false}", "ratio", "0.0" },
		{ "{\"display_name\": \"Main\", \"enabled\": true}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"yes\"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \" ON \"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"Y\"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"t\"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"1\"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"true\"}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"no\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"OFF\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"n\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"F\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"0\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": \"False\"}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": 1}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": 0}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"enabled\": 1.0}", "enabled", "True" },
		{ "{\"display_name\": \"Main\", \"enabled\": 0.0}", "enabled", "False" },
		{ "{\"display_name\": \"Main\", \"tags\": [\"a\", \"b\"]}", "tags", "['a', 'b']" },
		{ "{\"display_name\": \"Main\", \"tags\": \"a,b\"}", "tags", "['a', 'b']" },
		{ "{\"display_name\": \"Main\", \"tags\": \"a, b ,c\"}", "tags", "['a', ' b ', 'c']" },
		{ "{\"display_name\": \"Main\", \"tags\": \"\"}", "tags", "['']" },
		{ "{\"display_name\": \"Main\", \"tags\": 3}", "tags", "['3']" },
		{ "{\"display_name\": \"Main\", \"tags\": 1.5}", "tags", "['1.5']" },
		{ "{\"display_name\": \"Main\", \"tags\": true}", "tags", "['True']" },
		{ "{\"display_name\": \"Main\", \"tags\": [1, 1.5, true, null]}", "tags", "['1', '1.5', 'True', 'None']" },
		{ "{\"display_name\": \"Main\", \"numbers\": [1, \"2\", \" 3 \"]}", "numbers", "[1, 2, 3]" },
		{ "{\"display_name\": \"Main\", \"numbers\": \"1,2\"}", "numbers", "[1, 2]" },
		{ "{\"display_name\": \"Main\", \"numbers\": 4}", "numbers", "[4]" },
		{ "{\"display_name\": \"Main\", \"labels\": {\"a\": 1}}", "labels", "{'a': 1}" },
		{ "{\"display_name\": \"Main\", \"labels\": \"{\\\"a\\\": 1, \\\"b\\\": [true]}\"}", "labels", "{'a': 1, 'b': [True]}" },
		{ "{\"display_name\": \"Main\", \"labels\": \"a=1, b=2\"}", "labels", "{'a': '1', 'b': '2'}" },
		{ "{\"display_name\": \"Main\", \"labels\": \"a='x y' b=\\\"c,d\\\" e=f\\\\ g\"}", "labels", "{'a': 'x y', 'b': 'c,d', 'e': 'f g'}" },
		{ "{\"display_name\": \"Main\", \"labels\": \"a=1,a=2\"}", "labels", "{'a': '2'}" },
		{ "{\"display_name\": \"Main\", \"labels\": \"{'a': 1, 'b': (1, 2), 'c': None, 'd': True}\"}", "labels", "{'a': 1, 'b': [1, 2], 'c': None, 'd': True}" },  /* a tuple: a list in JSON */
		{ "{\"display_name\": \"Main\", \"labels\": \"k=v=w\"}", "labels", "{'k': 'v=w'}" },
		{ "{\"display_name\": \"Main\", \"extra\": [1, {\"a\": null}]}", "extra", "[1, {'a': None}]" },
		{ "{\"display_name\": \"Main\", \"extra\": \"x\"}", "extra", "'x'" },
		{ "{\"display_name\": \"Main\", \"extra\": 3.0}", "extra", "3.0" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"/etc/x\"}", "certificate_path", "'/etc/x'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"~\"}", "certificate_path", "'/home/tester'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"~/c.pem\"}", "certificate_path", "'/home/tester/c.pem'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"$HOME/c.pem\"}", "certificate_path", "'/home/tester/c.pem'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"${HOME}/c.pem\"}", "certificate_path", "'/home/tester/c.pem'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"$NO_SUCH_VAR_X/c\"}", "certificate_path", "'$NO_SUCH_VAR_X/c'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"${NO_SUCH_VAR_X}/c\"}", "certificate_path", "'${NO_SUCH_VAR_X}/c'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"a$/b\"}", "certificate_path", "'a$/b'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"~root/x\"}", "certificate_path", "'/root/x'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": \"~no_such_user_x/x\"}", "certificate_path", "'~no_such_user_x/x'" },
		{ "{\"display_name\": \"Main\", \"certificate_path\": 5}", "certificate_path", "'5'" },
		{ "{\"display_name\": \"Main\", \"mode\": \"False\"}", "mode", "'no'" },
		{ "{\"display_name\": \"Main\", \"mode\": false}", "mode", "'no'" },
		{ "{\"display_name\": \"Main\", \"mode\": \"True\"}", "mode", "'yes'" },
		{ "{\"display_name\": \"Main\", \"mode\": \"yes\"}", "mode", "'yes'" },
	};
	static const struct arg_spec types[] = { TEST_OPTIONS, ARG_END };
	struct run r;
	char *got;
	size_t i;

	setenv("HOME", "/home/tester", 1);
	unsetenv("NO_SUCH_VAR_X");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, types, NULL);
		cr_expect_eq(r.rc, CORE_OK, "input %s: %s", cases[i].in, msg_of(&r));
		if (r.rc == CORE_OK) {
			got = repr_of(&r, cases[i].option);
			cr_expect_str_eq(got, cases[i].repr, "input %s: got %s",
			    cases[i].in, got);
			free(got);
		}
		run_release(&r);
	}
}

Test(args_validate, keeps_integers_exact_as_text_and_refuses_what_a_double_cannot_hold)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{ "{\"display_name\": \"x\", \"count\": 12345678901234567890}",
		    "argument 'count' is of type <class 'int'> and we were unable to "
		    "convert to int: 12345678901234567890 is out of range: integers "
		    "are limited to -9007199254740991..9007199254740991" },
		{ "{\"display_name\": \"x\", \"count\": \" 9007199254740992 \"}",
		    "argument 'count' is of type <class 'str'> and we were unable to "
		    "convert to int: 9007199254740992 is out of range: integers are "
		    "limited to -9007199254740991..9007199254740991" },
		{ "{\"display_name\": \"x\", \"ratio\": \"inf\"}",
		    "argument 'ratio' is of type <class 'str'> and we were unable to "
		    "convert to float: 'inf' is not a finite number, which JSON cannot "
		    "carry" },
		{ "{\"display_name\": \"x\", \"ratio\": \"-NaN\"}",
		    "argument 'ratio' is of type <class 'str'> and we were unable to "
		    "convert to float: '-NaN' is not a finite number, which JSON "
		    "cannot carry" },
		{ "{\"display_name\": \"x\", \"ratio\": \"1e999\"}",
		    "argument 'ratio' is of type <class 'str'> and we were unable to "
		    "convert to float: '1e999' is not a finite number, which JSON "
		    "cannot carry" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		run_with(&r, bad[i].in, spec, NULL);
		cr_expect_eq(r.rc, CORE_EARGS);
		cr_expect_str_eq(msg_of(&r), bad[i].msg, "input %s\n got: %s",
		    bad[i].in, msg_of(&r));
		run_release(&r);
	}

	run_with(&r, "{\"display_name\": 12345678901234567890, \"count\": "
	    "-9007199254740991}", spec, NULL);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(arg_str(r.params, "display_name"), "12345678901234567890");
	cr_expect_eq(arg_int(r.params, "count"), -9007199254740991LL);
	run_release(&r);
}

Test(args_validate, treats_an_explicit_null_as_not_given)
{
	struct run r;

	/* The default applies. */
	run_with(&r, "{\"display_name\": \"x\", \"state\": null}", spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(arg_str(r.params, "state"), "present");
	run_release(&r);

	/* A required option given null is missing; type checks never see null. */
	run_with(&r, "{\"display_name\": null, \"count\": null, \"enabled\": null, "
	    "\"labels\": null, \"numbers\": null}", spec, NULL);
	cr_expect_eq(r.rc, CORE_EARGS);
	cr_expect_str_eq(msg_of(&r), "missing required arguments: display_name");
	run_release(&r);
	run_with(&r, "{\"display_name\": \"x\", \"count\": null, \"enabled\": null, "
	    "\"labels\": null, \"numbers\": null, \"features\": null}", spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(r.params, "count")));
	cr_expect(!arg_isset(r.params, "labels"));
	run_release(&r);

	/* It counts for none of mutually_exclusive, required_together, required_if. */
	run_with(&r, "{\"display_name\": \"x\", \"client_secret\": null, "
	    "\"certificate_path\": \"/c\", \"tenant_id\": \"t\", \"usage_location\": "
	    "\"US\", \"extra\": 1}", spec, &rules);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	run_release(&r);
	run_with(&r, "{\"display_name\": \"x\", \"tenant_id\": null}", spec, &rules);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	run_release(&r);
	run_with(&r, "{\"display_name\": \"x\", \"state\": \"absent\", \"count\": null, "
	    "\"extra\": null}", spec, &rules);
	cr_expect_str_eq(msg_of(&r), "state is absent but all of the following are "
	    "missing: count, extra");
	run_release(&r);

	/* Inside sub-options too, and an environment fallback fills the gap. */
	run_with(&r, "{\"display_name\": \"x\", \"site\": {\"code\": \"c\", \"pin\": "
	    "\"1\", \"zone\": null}}", spec, &rules);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	run_release(&r);
	setenv("T_TENANT", "from-env", 1);
	run_with(&r, "{\"display_name\": \"x\", \"tenant_id\": null}", spec, NULL);
	cr_expect_str_eq(arg_str(r.params, "tenant_id"), "from-env");
	run_release(&r);
	unsetenv("T_TENANT");
}

static const struct arg_spec text_spec[] = {
	{ "name", ARG_STR, .required = true, ARG_NAME(10) },
	{ "label", ARG_STR, ARG_LINE(10) },
	{ "note", ARG_STR, ARG_FREE(20) },
	{ "users", ARG_LIST, .elements = ARG_STR, ARG_NAME(8) },
	{ "rank", ARG_INT, ARG_RANGE(1, 100) },
	{ "secret", ARG_STR, .no_log = true, .max_len = 8 },
	{ "loc", ARG_DICT, .options = (const struct arg_spec[]){
		{ "city", ARG_STR, ARG_NAME(10) }, ARG_END } },
	ARG_END
};

Test(args_validate, refuses_malformed_names_and_text)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "{\"name\": \"Seattle\\r\\nX\"}", "option 'name' contains U+000D (CARRIAGE RETURN) at character 8; accepted: a name of up to 10 characters" },
		{ "{\"name\": \"a\\u0007\"}", "option 'name' contains U+0007 (CONTROL CHARACTER) at character 2;" },
		{ "{\"name\": \"ab\\u202ec\"}", "option 'name' contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 3;" },
		{ "{\"name\": \"\\u200bab\"}", "option 'name' contains U+200B (ZERO WIDTH SPACE) at character 1;" },
		{ "{\"name\": \"ab\\ufeff\"}", "option 'name' contains U+FEFF (ZERO WIDTH NO-BREAK SPACE) at character 3;" },
		{ "{\"name\": \"ab\\u2066\"}", "option 'name' contains U+2066 (LEFT-TO-RIGHT ISOLATE) at character 3;" },
		{ "{\"name\": \"../G\"}", "option 'name' contains U+002F (SOLIDUS) at character 3;" },
		{ "{\"name\": \"a\\\\b\"}", "option 'name' contains U+005C (REVERSE SOLIDUS) at character 2;" },
		{ "{\"name\": \"a\\tb\"}", "option 'name' contains U+0009 (TAB) at character 2;" },
		{ "{\"name\": \"abcdefghijk\"}", "option 'name' is 11 characters long; accepted: a name of up to 10 characters" },
		{ "{\"name\": [\"Seattle\", \"Other\"]}", "option 'name' is a list; accepted: one name, given as a string" },
		{ "{\"name\": {\"a\": 1}}", "option 'name' is a dict; accepted: one name, given as a string" },
		{ "{\"name\": \"a\", \"label\": \"x\\ny\"}", "option 'label' contains U+000A (LINE FEED) at character 2; accepted: one line" },
		{ "{\"name\": \"a\", \"note\": \"x\\u0000y\"}", "" },
		{ "{\"name\": \"a\", \"note\": \"x\\u001by\"}", "option 'note' contains U+001B (CONTROL CHARACTER) at character 2; accepted: text of up to 20 characters" },
		{ "{\"name\": \"a\", \"users\": [\"ok\", \"b\\u202e\"]}", "option 'users' (item 2) contains U+202E (RIGHT-TO-LEFT OVERRIDE) at character 2;" },
		{ "{\"name\": \"a\", \"users\": [\"ok\", [\"x\"]]}", "option 'users' (item 2) is a list; accepted: one name" },
		{ "{\"name\": \"a\", \"rank\": 2147483648}", "option 'rank' is 2147483648; accepted: an integer from 1 to 100" },
		{ "{\"name\": \"a\", \"rank\": 0}", "option 'rank' is 0; accepted: an integer from 1 to 100" },
		{ "{\"name\": \"a\", \"secret\": \"s3cr3t-too-long\"}", "option 'secret' is 15 characters long; accepted: up to 8 characters" },
		{ "{\"name\": \"a\", \"loc\": {\"city\": \"a/b\"}}", "option 'city' found in loc contains U+002F (SOLIDUS) at character 2;" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_with(&r, cases[i].in, text_spec, NULL);
		cr_expect_eq(r.rc, CORE_EARGS, "input %s", cases[i].in);
		cr_expect(strncmp(msg_of(&r), cases[i].msg, strlen(cases[i].msg)) == 0,
		    "input %s\n got: %s\nwant: %s...", cases[i].in, msg_of(&r), cases[i].msg);
		cr_expect_null(strstr(msg_of(&r), "s3cr3t"), "the value is never shown");
		run_release(&r);
	}
	/* Multi-byte characters count once; accepted values pass. */
	run_with(&r, "{\"name\": \"Z\u00fcrich \u00e9\u00e8\", \"label\": \"a/b\\\\c\", "
	    "\"note\": \"line\\nnext\\tx\", \"users\": [\"a@b.c\"], \"rank\": 100}",
	    text_spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	run_release(&r);
}

Test(args_check_text, names_the_option_and_the_code_point)
{
	struct core_ctx ctx;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_expect_eq(args_check_text(&ctx, "menu key '1' target", "ok", ARG_TEXT_NAME, 5),
	    CORE_OK);
	cr_expect_eq(args_check_text(&ctx, "menu key '1' target", "o\xe2\x80\xaek",
	    ARG_TEXT_NAME, 5), CORE_EARGS);
	cr_expect(strncmp(ctx.msg, "menu key '1' target contains U+202E", 35) == 0, "%s",
	    ctx.msg);
	core_error_clear(&ctx);
	cr_expect_eq(args_check_text(&ctx, "x", "a\xff" "b", ARG_TEXT_LINE, 0), CORE_EARGS);
	cr_expect(strncmp(ctx.msg, "x is not valid UTF-8 (byte 0xFF after character 1)",
	    49) == 0, "%s", ctx.msg);
	core_ctx_release(&ctx);
}

Test(args_validate, returns_every_option_with_defaults_and_nulls)
{
	struct run r;
	const cJSON *site;

	run_with(&r, "{\"display_name\": \"x\", \"site\": {\"code\": \"c\", \"z\": "
	    "\"4\"}, \"sites\": [{\"name\": \"a\"}]}", spec, &rules);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_eq(cJSON_GetArraySize(r.params), 17);
	cr_expect_str_eq(arg_str(r.params, "state"), "present");
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(r.params, "tenant_id")));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(r.params, "labels")));
	/* Sub-options: every one, coerced, aliases folded into their option. */
	site = arg_get(r.params, "site");
	cr_expect_eq(cJSON_GetArraySize(site), 4);
	cr_expect_eq(arg_int(site, "zone"), 4);
	cr_expect_null(cJSON_GetObjectItem(site, "z"));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(site, "inner")));
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetArrayItem(arg_get(r.params,
	    "sites"), 0)), 2);
	run_release(&r);
}

Test(args_validate, still_returns_the_options_after_a_failure)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"count\": \"many\", \"ratio\": \"2\"}",
	    spec, NULL);
	cr_expect_eq(r.rc, CORE_EARGS);
	cr_assert_not_null(r.params);
	/* What failed stays as given; the rest is coerced and defaulted. */
	cr_expect_str_eq(arg_str(r.params, "count"), "many");
	cr_expect_eq(arg_float(r.params, "ratio"), 2.0);
	cr_expect_str_eq(arg_str(r.params, "state"), "present");
	run_release(&r);
}

Test(args_validate, ignores_every_ansible_key_known_or_not)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"_ansible_check_mode\": false, "
	    "\"_ansible_ignore_unknown_opts\": true, \"_ansible_target_log_info\": "
	    "null, \"_ansible_from_the_future\": {\"a\": 1}}", spec, &rules);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_null(cJSON_GetObjectItem(r.params, "_ansible_from_the_future"));
	run_release(&r);

	/* In sub-options an _ansible_ key is just an unknown key. */
	run_with(&r, "{\"display_name\": \"x\", \"site\": {\"code\": \"c\", "
	    "\"_ansible_x\": 1}}", spec, &rules);
	cr_expect_str_eq(msg_of(&r), "Unsupported parameters for "
	    "(dialtone.teams_phone.test) module: site._ansible_x. Supported "
	    "parameters include: code, inner, pin, zone (z).");
	run_release(&r);
}

Test(args_validate, names_the_module_as_the_task_wrote_it)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"bogus\": 1, "
	    "\"_ansible_module_name\": \"teams_resource_account\"}", oneof_spec, NULL);
	cr_expect_str_eq(msg_of(&r), "Unsupported parameters for "
	    "(teams_resource_account) module: bogus, display_name. Supported "
	    "parameters include: a, b, c.");
	run_release(&r);
}

/* --- args_validate: aliases and environment fallbacks ------------------ */

Test(args_validate, takes_an_alias_value_and_warns_when_both_are_set)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"location\": \"US\"}", spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(arg_str(r.params, "usage_location"), "US");
	cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 0);
	run_release(&r);

	run_with(&r, "{\"display_name\": \"x\", \"usage_location\": \"US\", "
	    "\"location\": \"UK\", \"site\": {\"code\": \"c\", \"zone\": 1, "
	    "\"z\": 2}, \"sites\": [{\"name\": \"a\"}]}", spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	/* The alias wins, as in _handle_aliases(). */
	cr_expect_str_eq(arg_str(r.params, "usage_location"), "UK");
	cr_expect_eq(arg_int(arg_get(r.params, "site"), "zone"), 2);
	/* Sub-option warnings come first: the top level warns after validate(). */
	cr_expect_eq(cJSON_GetArraySize(r.ctx.warnings), 2);
	cr_expect_str_eq(warning(&r.ctx, 0), "Both option site.zone and its alias "
	    "site.z are set.");
	cr_expect_str_eq(warning(&r.ctx, 1), "Both option usage_location and its "
	    "alias location are set.");
	run_release(&r);
}

Test(args_validate, prefixes_warnings_in_a_list_of_dicts_with_the_index)
{
	static const struct arg_spec item[] = {
		{ "name", ARG_STR, .aliases = "n" },
		ARG_END
	};
	static const struct arg_spec s[] = {
		{ "items", ARG_LIST, .elements = ARG_DICT, .options = item },
		ARG_END
	};
	struct run r;

	run_with(&r, "{\"items\": [{\"name\": \"a\"}, {\"name\": \"b\", \"n\": \"c\"}]}",
	    s, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(warning(&r.ctx, 0), "Both option items[1].name and its "
	    "alias items[1].n are set.");
	run_release(&r);
}

Test(args_validate, falls_back_to_the_environment_only_for_absent_options)
{
	struct run r;

	setenv("T_TENANT2", "tenant-from-env", 1);
	setenv("T_SECRET", "secret-from-env", 1);
	run_with(&r, "{\"display_name\": \"x\"}", spec, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(arg_str(r.params, "tenant_id"), "tenant-from-env");
	cr_expect_str_eq(arg_str(r.params, "client_secret"), "secret-from-env");
	/* A value from a no_log option's fallback is a secret, others are not. */
	cr_expect(has_secret(&r.ctx, "secret-from-env"));
	cr_expect(!has_secret(&r.ctx, "tenant-from-env"));
	run_release(&r);

	/* The first variable set wins, even when empty. */
	setenv("T_TENANT", "", 1);
	run_with(&r, "{\"display_name\": \"x\"}", spec, NULL);
	cr_expect_str_eq(arg_str(r.params, "tenant_id"), "");
	run_release(&r);

	/* A key in the task beats the environment; a null one is not given. */
	run_with(&r, "{\"display_name\": \"x\", \"tenant_id\": \"t\", "
	    "\"client_secret\": null}", spec, NULL);
	cr_expect_str_eq(arg_str(r.params, "tenant_id"), "t");
	cr_expect_str_eq(arg_str(r.params, "client_secret"), "secret-from-env");
	cr_expect(has_secret(&r.ctx, "secret-from-env"));
	run_release(&r);
}

Test(args_validate, counts_fallback_values_in_every_check)
{
	static const struct arg_spec s[] = {
		{ "retries", ARG_INT, .fallback_env = "T_TENANT" },
		{ "name", ARG_STR, .required = true, .fallback_env = "T_TENANT2" },
		ARG_END
	};
	struct run r;

	setenv("T_TENANT", "42", 1);
	setenv("T_TENANT2", "from-env", 1);
	run_with(&r, "{}", s, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_eq(arg_int(r.params, "retries"), 42);
	cr_expect_str_eq(arg_str(r.params, "name"), "from-env");
	run_release(&r);

	setenv("T_TENANT", "many", 1);
	run_with(&r, "{}", s, NULL);
	cr_expect_str_eq(msg_of(&r), "argument 'retries' is of type <class 'str'> "
	    "and we were unable to convert to int: <class 'str'> cannot be "
	    "converted to an int");
	run_release(&r);
}

/* --- args_validate: secrets ---------------------------------------- */

Test(args_validate, registers_every_no_log_value_as_a_secret)
{
	static const struct arg_spec s[] = {
		{ "password", ARG_STR, .no_log = true },
		{ "pin", ARG_RAW, .no_log = true },
		{ "keys", ARG_LIST, .no_log = true },
		{ "token", ARG_STR, .no_log = true, .def = "\"default-token\"" },
		{ "site", ARG_DICT, .options = site_opts },
		{ "name", ARG_STR },
		ARG_END
	};
	struct run r;

	run_with(&r, "{\"password\": \"hunter2\", \"pin\": 1234, \"keys\": "
	    "[\"k1\", \"\", 7], \"site\": {\"code\": \"c\", \"pin\": \"0000\"}, "
	    "\"name\": \"public\"}", s, NULL);
	cr_expect_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect(has_secret(&r.ctx, "hunter2"));
	cr_expect(has_secret(&r.ctx, "1234"));
	cr_expect(has_secret(&r.ctx, "k1"));
	cr_expect(has_secret(&r.ctx, "7"));
	cr_expect(has_secret(&r.ctx, "default-token"));
	cr_expect(has_secret(&r.ctx, "0000"));
	cr_expect(!has_secret(&r.ctx, "public"));
	cr_expect(!has_secret(&r.ctx, "c"));
	cr_expect_eq(r.ctx.nsecrets, 6);
	run_release(&r);
}

/* --- args_invocation ------------------------------------------------- */

Test(args_invocation, lists_every_option_with_no_log_values_masked)
{
	static const struct arg_spec s[] = {
		{ "password", ARG_STR, .no_log = true },
		{ "empty", ARG_STR, .no_log = true },
		{ "unset", ARG_STR, .no_log = true },
		{ "zero", ARG_INT, .no_log = true },
		{ "keys", ARG_LIST, .no_log = true },
		{ "site", ARG_DICT, .options = site_opts },
		{ "sites", ARG_LIST, .elements = ARG_DICT, .options = site_opts },
		{ "name", ARG_STR, .def = "\"n\"" },
		ARG_END
	};
	struct run r;
	cJSON *inv;
	char *text;

	run_with(&r, "{\"password\": \"hunter2\", \"empty\": \"\", \"zero\": 0, "
	    "\"keys\": [\"k1\", 0, true], \"site\": {\"code\": \"c\", \"pin\": "
	    "\"0000\"}, \"sites\": [{\"code\": \"d\", \"pin\": \"1111\"}], "
	    "\"_ansible_diff\": true}", s, NULL);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	inv = args_invocation(s, r.params);
	text = cJSON_PrintUnformatted(inv);
	cr_expect_str_eq(text, "{\"module_args\":{"
	    "\"password\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\","
	    "\"empty\":\"\",\"unset\":null,\"zero\":0,"
	    "\"keys\":[\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\","
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",true],"
	    "\"site\":{\"code\":\"c\",\"zone\":null,"
	    "\"pin\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"inner\":null},"
	    "\"sites\":[{\"code\":\"d\",\"zone\":null,"
	    "\"pin\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"inner\":null}],"
	    "\"name\":\"n\"}}");
	cJSON_free(text);
	cJSON_Delete(inv);
	run_release(&r);
}

Test(args_invocation, gives_null_options_without_validated_parameters)
{
	cJSON *inv = args_invocation(oneof_spec, NULL);
	char *text = cJSON_PrintUnformatted(inv);

	cr_expect_str_eq(text, "{\"module_args\":{\"a\":null,\"b\":null,\"c\":null}}");
	cJSON_free(text);
	cJSON_Delete(inv);
}

/* --- accessors ------------------------------------------------------- */

Test(args_validate, accessors_read_validated_values_and_a_fixed_value_when_unset)
{
	struct run r;

	run_with(&r, "{\"display_name\": \"x\", \"count\": \"5\", \"ratio\": 2, "
	    "\"enabled\": \"no\", \"extra\": true}", spec, NULL);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_str_eq(arg_str(r.params, "display_name"), "x");
	cr_expect_eq(arg_int(r.params, "count"), 5);
	cr_expect_eq(arg_float(r.params, "ratio"), 2.0);
	cr_expect_eq(arg_bool(r.params, "enabled"), false);
	cr_expect(arg_isset(r.params, "extra"));
	/* Unset options (no default in the table): NULL, 0, 0.0, false. */
	cr_expect_null(arg_get(r.params, "tenant_id"));
	cr_expect_null(arg_str(r.params, "tenant_id"));
	cr_expect_not(arg_isset(r.params, "mode"));
	cr_expect_eq(arg_int(r.params, "numbers"), 0);
	cr_expect_eq(arg_float(r.params, "ratio_missing"), 0.0);
	cr_expect_eq(arg_bool(r.params, "missing"), false);
	cr_expect_eq(arg_int(NULL, "count"), 0);
	cr_expect_eq(arg_int_or(r.params, "numbers", 9), 9);
	cr_expect_eq(arg_int_or(r.params, "count", 9), 5);
	cr_expect_eq(arg_int_or(NULL, "count", 7), 7);
	/* A Python bool passes the int check unchanged and reads as 1. */
	run_release(&r);
	run_with(&r, "{\"display_name\": \"x\", \"count\": true}", spec, NULL);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(r.params, "count")));
	cr_expect_eq(arg_int(r.params, "count"), 1);
	run_release(&r);
}

/* The accessors take no default: the table's is in the validated object. */
Test(args_validate, accessors_read_the_table_default_of_an_unset_option)
{
	static const struct arg_spec defs[] = {
		{ "wait", ARG_BOOL, .def = "true" },
		{ "wait_timeout", ARG_INT, .def = "300" },
		{ "threshold", ARG_FLOAT, .def = "5.0" },
		{ "state", ARG_STR, .def = "\"present\"" },
		ARG_END
	};
	struct run r;

	run_with(&r, "{}", defs, NULL);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_eq(arg_bool(r.params, "wait"), true);
	cr_expect_eq(arg_int(r.params, "wait_timeout"), 300);
	cr_expect_eq(arg_float(r.params, "threshold"), 5.0);
	cr_expect_str_eq(arg_str(r.params, "state"), "present");
	run_release(&r);
	run_with(&r, "{\"wait\": false, \"wait_timeout\": null}", defs, NULL);
	cr_assert_eq(r.rc, CORE_OK, "%s", msg_of(&r));
	cr_expect_eq(arg_bool(r.params, "wait"), false);
	cr_expect_eq(arg_int(r.params, "wait_timeout"), 300);
	run_release(&r);
}
