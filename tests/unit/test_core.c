/*
 * test_core.c - the module context: first message wins, warnings, secrets.
 */
#include <criterion/criterion.h>

#include "core.h"

Test(core, keeps_the_first_error_message)
{
	struct core_ctx ctx;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_expect_eq(core_error(&ctx, CORE_ENOTFOUND, "no user '%s'", "a@b"), CORE_ENOTFOUND);
	cr_expect_eq(core_error(&ctx, CORE_EHTTP, "later"), CORE_EHTTP);
	cr_expect_str_eq(ctx.msg, "no user 'a@b'");
	cr_expect_eq(ctx.err, CORE_ENOTFOUND);
	core_error_replace(&ctx, CORE_EREFUSED, "replaced");
	cr_expect_str_eq(ctx.msg, "replaced");
	core_error_clear(&ctx);
	cr_expect_null(ctx.msg);
	cr_expect_eq(ctx.err, CORE_OK);
	core_ctx_release(&ctx);
}

Test(core, says_each_warning_once)
{
	struct core_ctx ctx;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	core_warn(&ctx, "user '%s' keeps a personal number", "a");
	core_warn(&ctx, "user '%s' keeps a personal number", "a");
	core_warn(&ctx, "user '%s' keeps a personal number", "b");
	cr_expect_eq(cJSON_GetArraySize(ctx.warnings), 2);
	core_ctx_release(&ctx);
}

Test(core, registers_each_nonempty_secret_once)
{
	struct core_ctx ctx;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	core_secret_add(&ctx, "s3cret");
	core_secret_add(&ctx, "s3cret");
	core_secret_add(&ctx, "");
	core_secret_add(&ctx, NULL);
	cr_expect_eq(ctx.nsecrets, 1);
	core_ctx_release(&ctx);
	cr_expect_eq(ctx.nsecrets, 0);
}

Test(core, finds_a_string_in_a_list)
{
	static const char *const list[] = { "yes", "on", NULL };
	static const char *const empty[] = { NULL };

	cr_expect(core_str_in(list, "on"));
	cr_expect_not(core_str_in(list, "On"));
	cr_expect_not(core_str_in(list, ""));
	cr_expect_not(core_str_in(empty, "yes"));
}
