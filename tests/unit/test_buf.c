/*
 * test_buf.c - the bounded buffer every body and rendering goes through.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "buf.h"

Test(buf, detaches_an_empty_terminated_string_when_nothing_was_added)
{
	struct buf b = BUF_INIT(1024);
	size_t len = 99;
	char *s = buf_detach(&b, &len);

	cr_expect_eq(len, 0);
	cr_expect_str_eq(s, "");
	free(s);
}

Test(buf, appends_and_formats_within_the_limit)
{
	struct buf b = BUF_INIT(64);
	char *s;

	cr_assert_eq(buf_adds(&b, "abc"), 0);
	cr_assert_eq(buf_addf(&b, "-%d-%s", 42, "x"), 0);
	cr_expect_eq(b.len, 8);
	cr_expect_str_eq(b.data, "abc-42-x");
	s = buf_detach(&b, NULL);
	cr_expect_null(b.data, "detach leaves the buffer empty");
	cr_expect_eq(b.len, 0);
	free(s);
}

Test(buf, releases_itself_when_an_append_would_pass_the_limit)
{
	struct buf b = BUF_INIT(8);

	cr_assert_eq(buf_adds(&b, "12345678"), 0);
	cr_expect_eq(buf_adds(&b, "9"), -1);
	cr_expect_null(b.data);
	cr_expect_eq(b.len, 0);
	cr_expect_eq(buf_addf(&b, "%s", "123456789"), -1);
	cr_expect_null(b.data);
}

Test(buf, keeps_its_allocation_on_reset)
{
	struct buf b = BUF_INIT(64);

	cr_assert_eq(buf_adds(&b, "hello"), 0);
	buf_reset(&b);
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(b.data, "");
	buf_release(&b);
	cr_expect_null(b.data);
}
