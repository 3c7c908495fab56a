/*
 * test_result.c - the one JSON object a module prints: its shape, the diff
 * (only when Ansible asked), warnings, invocation, and the scrubbing of
 * secrets with AnsibleModule's remove_values() rule. The expected scrubbed
 * documents were checked against ansible-core 2.14.18's remove_values()
 * and sanitize_keys().
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "jsonutil.h"
#include "result.h"

TestSuite(result, .timeout = 30);

/* Parses a document written in a test; aborts the test when it is bad. */
static cJSON *
doc(const char *json)
{
	cJSON *d = NULL;
	char *err = NULL;

	cr_assert_eq(json_parse(&d, &err, json, strlen(json), 0), 0, "%s: %s",
	    json, err ? err : "");
	return d;
}

static void
ctx_with_secrets(struct core_ctx *ctx, const char *const *secrets)
{
	core_ctx_init(ctx, "dialtone.teams_phone.test");
	for (; secrets && *secrets; secrets++)
		core_secret_add(ctx, *secrets);
}

/* Scrubs json with ctx's secrets and returns the compact text. */
static char *
scrubbed(const struct core_ctx *ctx, const char *json)
{
	cJSON *d = doc(json);
	char *text;

	result_scrub(ctx, d);
	text = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return text;
}

/* --- rendering ------------------------------------------------------- */

Test(result, renders_changed_as_a_real_boolean_and_the_return_values)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false}");
	free(text);

	r.changed = true;
	result_put(&r, "resource_account", doc("{\"id\": \"7c1\", "
	    "\"displayName\": \"Main Line\"}"));
	result_put(&r, "count", cJSON_CreateNumber(2));
	text = result_render(&ctx, &r, doc("{\"module_args\": {\"display_name\": "
	    "\"Main Line\"}}"), CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":true,\"resource_account\":{\"id\":"
	    "\"7c1\",\"displayName\":\"Main Line\"},\"count\":2,\"invocation\":"
	    "{\"module_args\":{\"display_name\":\"Main Line\"}}}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, replaces_a_return_value_put_twice_in_its_place)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	result_put(&r, "a", cJSON_CreateNumber(1));
	result_put(&r, "b", cJSON_CreateNumber(2));
	result_put(&r, "a", cJSON_CreateNumber(3));
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false,\"a\":3,\"b\":2}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, renders_a_failure_with_failed_and_the_context_message)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	result_put(&r, "msg", cJSON_CreateString("not this one"));
	result_put(&r, "status", cJSON_CreateNumber(404));
	core_error(&ctx, CORE_ENOTFOUND, "resource account '%s' not found",
	    "main@contoso.com");
	text = result_render(&ctx, &r, NULL, CORE_ENOTFOUND);
	cr_expect_str_eq(text, "{\"changed\":false,\"failed\":true,\"msg\":"
	    "\"resource account 'main@contoso.com' not found\",\"status\":404}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, still_says_something_when_a_failure_has_no_message)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	text = result_render(&ctx, &r, NULL, CORE_EHTTP);
	cr_expect_str_eq(text, "{\"changed\":false,\"failed\":true,\"msg\":"
	    "\"internal error: failure 3 without a message\"}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, lets_a_module_say_it_skipped_with_a_message)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	result_put(&r, "skipped", cJSON_CreateTrue());
	result_put(&r, "msg", cJSON_CreateString("remote module "
	    "(dialtone.teams_phone.test) does not support check mode"));
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false,\"skipped\":true,\"msg\":"
	    "\"remote module (dialtone.teams_phone.test) does not support check "
	    "mode\"}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, lists_warnings_and_omits_an_empty_list)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_null(strstr(text, "warnings"));
	free(text);
	core_warn(&ctx, "Both option %s and its alias %s are set.",
	    "usage_location", "location");
	core_warn(&ctx, "second");
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false,\"warnings\":[\"Both option "
	    "usage_location and its alias location are set.\",\"second\"]}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, renders_a_diff_only_when_ansible_asked_for_one)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	r.changed = true;
	result_add_diff(&r, &ctx, doc("{\"displayName\": \"Old\"}"),
	    doc("{\"displayName\": \"New\"}"), "ra (current)", "ra (desired)");
	cr_expect_null(r.diff);
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":true}");
	free(text);

	/* A diff set by hand is still not shown without _ansible_diff. */
	r.diff = doc("{\"before\": \"a\", \"after\": \"b\"}");
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":true}");
	free(text);
	cJSON_Delete(r.diff);
	r.diff = NULL;

	ctx.diff = true;
	result_add_diff(&r, &ctx, doc("{\"displayName\": \"Old\"}"),
	    doc("{\"displayName\": \"New\"}"), "ra (current)", "ra (desired)");
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":true,\"diff\":{\"before\":"
	    "{\"displayName\":\"Old\"},\"after\":{\"displayName\":\"New\"},"
	    "\"before_header\":\"ra (current)\",\"after_header\":\"ra (desired)\"}}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, turns_a_second_diff_into_a_list_and_renders_null_sides_as_empty)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	ctx.diff = true;
	result_init(&r);
	result_add_diff(&r, &ctx, NULL, doc("{\"name\": \"a\"}"), "site a", "site a");
	result_add_diff(&r, &ctx, doc("{\"name\": \"b\"}"), NULL, NULL, NULL);
	result_add_diff(&r, &ctx, cJSON_CreateString("old\n"),
	    cJSON_CreateString("new\n"), NULL, NULL);
	cr_assert(cJSON_IsArray(r.diff));
	r.changed = true;
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":true,\"diff\":["
	    "{\"before\":{},\"after\":{\"name\":\"a\"},\"before_header\":\"site a\","
	    "\"after_header\":\"site a\"},"
	    "{\"before\":{\"name\":\"b\"},\"after\":{}},"
	    "{\"before\":\"old\\n\",\"after\":\"new\\n\"}]}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, leaves_out_the_diff_of_a_run_that_changed_nothing)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	ctx.diff = true;
	result_init(&r);
	result_add_diff(&r, &ctx, doc("{\"name\": \"a\"}"), doc("{\"name\": \"a\"}"), NULL, NULL);
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, repairs_invalid_utf8_so_that_stdout_stays_utf8)
{
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	result_put(&r, "body", cJSON_CreateString("caf\xe9 \xc3\xa9"));
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false,\"body\":\"caf\xef\xbf\xbd "
	    "\xc3\xa9\"}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, prints_the_text_and_a_newline_on_stdout, .init = cr_redirect_stdout)
{
	core_print_line("{\"changed\": false}");
	fflush(stdout);
	cr_expect_stdout_eq_str("{\"changed\": false}\n");
}

/* --- streamed lists --------------------------------------------------- */

/* A streamed list of n users; counts its release. */
struct streamed {
	const char *const *names;
	int released;
};

static cJSON *
streamed_item(void *arg, size_t i)
{
	const struct streamed *s = arg;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "user", s->names[i]);
	cJSON_AddNumberToObject(o, "i", (double)i);
	return o;
}

static void
streamed_release(void *arg)
{
	((struct streamed *)arg)->released++;
}

Test(result, renders_a_streamed_list_in_its_place_as_a_built_one)
{
	static const char *const names[] = { "a@contoso.com", "b@contoso.com" };
	struct streamed s = { names, 0 };
	struct core_ctx ctx;
	struct result r;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	result_init(&r);
	result_put(&r, "first", cJSON_CreateNumber(1));
	result_put_stream(&r, "results", 2, streamed_item, &s, streamed_release);
	result_put(&r, "totals", cJSON_CreateNumber(2));
	text = result_render(&ctx, &r, NULL, CORE_OK);
	cr_expect_str_eq(text, "{\"changed\":false,\"first\":1,\"results\":[{\"user\":"
	    "\"a@contoso.com\",\"i\":0},{\"user\":\"b@contoso.com\",\"i\":1}],"
	    "\"totals\":2}");
	free(text);
	cr_expect_eq(s.released, 0);
	result_release(&r);
	cr_expect_eq(s.released, 1);
	core_ctx_release(&ctx);
}

Test(result, prints_a_streamed_list_element_by_element_scrubbed,
    .init = cr_redirect_stdout)
{
	static const char *const secrets[] = { "s3cr3t", NULL };
	static const char *const names[] = { "s3cr3t", "x s3cr3t y", "\xff" };
	struct streamed s = { names, 0 };
	struct core_ctx ctx;
	struct result r;

	ctx_with_secrets(&ctx, secrets);
	result_init(&r);
	r.changed = true;
	result_put_stream(&r, "results", 3, streamed_item, &s, streamed_release);
	result_put(&r, "note", cJSON_CreateString("s3cr3t"));
	result_print(&ctx, &r, NULL, CORE_OK);
	result_release(&r);
	fflush(stdout);
	cr_expect_stdout_eq_str("{\"changed\":true,\"results\":[{\"user\":"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"i\":0},{\"user\":\"x ******** y\","
	    "\"i\":1},{\"user\":\"\xef\xbf\xbd\",\"i\":2}],\"note\":"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"}\n");
	cr_expect_eq(s.released, 1);
	core_ctx_release(&ctx);
}

Test(result, prints_an_empty_streamed_list, .init = cr_redirect_stdout)
{
	struct streamed s = { NULL, 0 };
	struct core_ctx ctx;
	struct result r;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	ctx.msg = NULL;
	result_init(&r);
	result_put_stream(&r, "results", 0, streamed_item, &s, NULL);
	result_print(&ctx, &r, NULL, CORE_OK);
	result_release(&r);
	fflush(stdout);
	cr_expect_stdout_eq_str("{\"changed\":false,\"results\":[]}\n");
	core_ctx_release(&ctx);
}

Test(result, prints_a_line_in_parts, .init = cr_redirect_stdout)
{
	core_print_part("{\"a\":");
	core_print_part("[1]");
	core_print_line("}");
	fflush(stdout);
	cr_expect_stdout_eq_str("{\"a\":[1]}\n");
}

Test(result, refuses_a_reserved_key_as_a_programmer_error, .exit_code = 1,
    .init = cr_redirect_stdout)
{
	struct result r;

	result_init(&r);
	result_put(&r, "changed", cJSON_CreateTrue());
}

Test(result, refuses_results_that_are_not_a_list, .exit_code = 1,
    .init = cr_redirect_stdout)
{
	struct result r;

	result_init(&r);
	result_put(&r, "results", cJSON_CreateObject());
}

Test(result, refuses_a_list_as_a_diff_side, .exit_code = 1,
    .init = cr_redirect_stdout)
{
	struct core_ctx ctx;
	struct result r;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	ctx.diff = true;
	result_init(&r);
	result_add_diff(&r, &ctx, cJSON_CreateArray(), NULL, NULL, NULL);
}

/* --- scrubbing -------------------------------------------------------- */

Test(result, masks_equal_and_embedded_secrets_as_remove_values_does)
{
	static const char *const secrets[] = { "s3cr3t", NULL };
	struct core_ctx ctx;
	char *text;

	ctx_with_secrets(&ctx, secrets);
	text = scrubbed(&ctx, "{\"msg\": \"token s3cr3t rejected\", \"a\": "
	    "\"s3cr3t\", \"n\": 5, \"list\": [\"x s3cr3t y\", \"s3cr3t\", "
	    "\"s3cr3ts3cr3t\"]}");
	cr_expect_str_eq(text, "{\"msg\":\"token ******** rejected\",\"a\":"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"n\":5,\"list\":"
	    "[\"x ******** y\",\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\","
	    "\"****************\"]}");
	cJSON_free(text);
	core_ctx_release(&ctx);
}

Test(result, masks_keys_as_sanitize_keys_does)
{
	static const char *const secrets[] = { "s3cr3t", NULL };
	struct core_ctx ctx;
	char *text;

	ctx_with_secrets(&ctx, secrets);
	text = scrubbed(&ctx, "{\"k s3cr3t\": 1, \"s3cr3t\": {\"s3cr3t x\": 2}}");
	cr_expect_str_eq(text, "{\"k ********\":1,"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\":{\"******** x\":2}}");
	cJSON_free(text);
	/* Two keys that scrub alike: the later value, in the earlier place. */
	text = scrubbed(&ctx, "{\"a s3cr3t\": 1, \"b\": 2, \"a ********\": 3}");
	cr_expect_str_eq(text, "{\"a ********\":3,\"b\":2}");
	cJSON_free(text);
	core_ctx_release(&ctx);
}

Test(result, hides_overlapping_and_nested_secrets_completely)
{
	static const char *const secrets[] = { "s3cr3t", "s3cr3t-longer", "abcd",
		"cdef", NULL };
	struct core_ctx ctx;
	char *s;

	ctx_with_secrets(&ctx, secrets);
	s = result_scrub_str(&ctx, "use s3cr3t-longer now");
	cr_expect_str_eq(s, "use ******** now");
	free(s);
	s = result_scrub_str(&ctx, "xxabcdefyy and s3cr3t");
	cr_expect_str_eq(s, "xx********yy and ********");
	free(s);
	s = result_scrub_str(&ctx, "nothing here");
	cr_expect_str_eq(s, "nothing here");
	free(s);
	s = result_scrub_str(&ctx, "s3cr3t-longer");
	cr_expect_str_eq(s, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER");
	free(s);
	core_ctx_release(&ctx);
}

Test(result, masks_numbers_booleans_and_nulls_whose_text_holds_a_secret)
{
	static const char *const digits[] = { "1234", NULL };
	static const char *const letters[] = { "on", "ru", NULL };
	struct core_ctx ctx;
	char *text;

	ctx_with_secrets(&ctx, digits);
	text = scrubbed(&ctx, "{\"a\": 1234, \"b\": 91234, \"c\": \"a1234b\", "
	    "\"d\": 1.5, \"e\": null, \"f\": true, \"g\": 12}");
	cr_expect_str_eq(text, "{\"a\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\","
	    "\"b\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"c\":\"a********b\","
	    "\"d\":1.5,\"e\":null,\"f\":true,\"g\":12}");
	cJSON_free(text);
	core_ctx_release(&ctx);

	ctx_with_secrets(&ctx, letters);
	text = scrubbed(&ctx, "{\"a\": null, \"b\": true, \"c\": false, \"d\": "
	    "\"Nonesuch\"}");
	cr_expect_str_eq(text, "{\"a\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\","
	    "\"b\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"c\":false,"
	    "\"d\":\"N********esuch\"}");
	cJSON_free(text);
	core_ctx_release(&ctx);
}

Test(result, scrubs_msg_warnings_diff_and_invocation_but_keeps_ansible_keys)
{
	static const char *const secrets[] = { "hunter2", "al", NULL };
	struct core_ctx ctx;
	struct result r;
	char *text;

	ctx_with_secrets(&ctx, secrets);
	ctx.diff = true;
	result_init(&r);
	r.changed = true;   /* a diff is rendered only with a change */
	core_error(&ctx, CORE_ESERVICE, "POST /token: 401 invalid_client: "
	    "secret 'hunter2' expired");
	core_warn(&ctx, "retrying with hunter2");
	result_add_diff(&r, &ctx, doc("{\"password\": \"hunter2\"}"),
	    doc("{\"password\": \"x hunter2\"}"), "hunter2", NULL);
	result_put(&r, "hunter2", cJSON_CreateString("key"));
	text = result_render(&ctx, &r, doc("{\"module_args\": {\"client_secret\": "
	    "\"hunter2\", \"client_id\": \"app\"}}"), CORE_ESERVICE);
	/* "al" is in "false" and in "invalid": changed and failed stay booleans. */
	cr_expect_str_eq(text, "{\"changed\":true,\"failed\":true,\"msg\":"
	    "\"POST /token: 401 inv********id_client: secret '********' expired\","
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\":\"key\","
	    "\"diff\":{\"before\":{\"password\":"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"},\"after\":{\"password\":"
	    "\"x ********\"},\"before_header\":\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\"},"
	    "\"warnings\":[\"retrying with ********\"],"
	    "\"invocation\":{\"module_args\":{\"client_secret\":"
	    "\"VALUE_SPECIFIED_IN_NO_LOG_PARAMETER\",\"client_id\":\"app\"}}}");
	free(text);
	result_release(&r);
	core_ctx_release(&ctx);
}

Test(result, scrubs_borrowed_strings_without_freeing_them)
{
	static const char *const secrets[] = { "hunter2", NULL };
	static const char borrowed[] = "pass hunter2";
	struct core_ctx ctx;
	cJSON *d;
	char *text;

	ctx_with_secrets(&ctx, secrets);
	d = cJSON_CreateObject();
	cJSON_AddItemToObject(d, "a", cJSON_CreateStringReference(borrowed));
	cJSON_AddItemToObjectCS(d, "hunter2 key", cJSON_CreateNumber(1));
	result_scrub(&ctx, d);
	text = cJSON_PrintUnformatted(d);
	cr_expect_str_eq(text, "{\"a\":\"pass ********\",\"******** key\":1}");
	cr_expect_str_eq(borrowed, "pass hunter2");
	cJSON_free(text);
	cJSON_Delete(d);
	core_ctx_release(&ctx);
}

Test(result, leaves_everything_alone_without_secrets)
{
	struct core_ctx ctx;
	char *text;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	text = scrubbed(&ctx, "{\"a\": \"********\", \"b\": [null, 1.5]}");
	cr_expect_str_eq(text, "{\"a\":\"********\",\"b\":[null,1.5]}");
	cJSON_free(text);
	core_ctx_release(&ctx);
}
