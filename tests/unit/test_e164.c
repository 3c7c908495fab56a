/*
 * test_e164.c - telephone number parsing and normalisation.
 */
#include <criterion/criterion.h>

#include "e164.h"

Test(e164, normalises_what_people_type)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "+14255550100", "+14255550100" },
		{ "tel:+44 20 7946 0000", "+442079460000" },
		{ "TEL:+442079460000", "+442079460000" },
		{ "+1 (425) 555-0100", "+14255550100" },
		{ "  +1.425.555.0100  ", "+14255550100" },
		{ "+14255550100;ext=123", "+14255550100;ext=123" },
		{ "+1 425 555 0100;EXT=42", "+14255550100;ext=42" },
		{ "tel: +61 2 9876 5432", "+61298765432" },
	};
	char out[E164_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(e164_normalise(out, sizeof(out), cases[i].in), E164_OK,
		    "input '%s'", cases[i].in);
		cr_expect_str_eq(out, cases[i].want, "input '%s'", cases[i].in);
	}
}

Test(e164, rejects_what_is_not_a_number_with_the_reason)
{
	static const struct {
		const char *in;
		enum e164_err want;
	} cases[] = {
		{ "", E164_EEMPTY },
		{ "   ", E164_EEMPTY },
		{ "tel:", E164_EEMPTY },
		{ "4255550100", E164_ENOPLUS },
		{ "+1425555010a", E164_ECHAR },
		{ "+1425/5550100", E164_ECHAR },
		{ "+123456", E164_ELENGTH },
		{ "+1234567890123456", E164_ELENGTH },
		{ "+04255550100", E164_EZERO },
		{ "+14255550100;ext=", E164_EEXT },
		{ "+14255550100;ext=12a", E164_EEXT },
		{ "+14255550100;phone-context=x", E164_EEXT },
		{ "+14255550100;ext=12345678901", E164_EEXT },
	};
	char out[E164_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(e164_normalise(out, sizeof(out), cases[i].in), cases[i].want,
		    "input '%s'", cases[i].in);
		cr_expect_str_eq(out, "", "output left empty for '%s'", cases[i].in);
		cr_expect_str_neq(e164_strerror(cases[i].want), "");
	}
	cr_expect_eq(e164_normalise(out, sizeof(out), NULL), E164_EEMPTY);
}

Test(e164, refuses_an_output_buffer_too_small)
{
	char out[8];

	cr_expect_eq(e164_normalise(out, sizeof(out), "+14255550100"), E164_ESPACE);
	cr_expect_str_eq(out, "");
}

Test(e164, compares_numbers_in_any_written_form)
{
	cr_expect(e164_equal("tel:+1 (425) 555-0100", "+14255550100"));
	cr_expect(!e164_equal("+14255550100", "+14255550101"));
	cr_expect(!e164_equal("+14255550100", "+14255550100;ext=1"));
	cr_expect(!e164_equal("garbage", "garbage"), "invalid numbers are never equal");
}

Test(e164, splits_off_the_extension)
{
	char base[E164_MAX];

	cr_expect(e164_has_ext("+14255550100;ext=7"));
	cr_expect(!e164_has_ext("+14255550100"));
	cr_assert_eq(e164_base(base, sizeof(base), "+14255550100;ext=7"), E164_OK);
	cr_expect_str_eq(base, "+14255550100");
	cr_assert_eq(e164_base(base, sizeof(base), "+14255550100"), E164_OK);
	cr_expect_str_eq(base, "+14255550100");
	cr_expect_eq(e164_base(base, 4, "+14255550100"), E164_ESPACE);
}
