/*
 * test_text.c - the shapes of typed text.
 */
#include <criterion/criterion.h>

#include "text.h"

Test(text, guid)
{
	cr_expect(text_is_guid("0123abcd-4567-89ef-ABCD-0123456789ab"));
	cr_expect_not(text_is_guid("0123abcd-4567-89ef-ABCD-0123456789a"));
	cr_expect_not(text_is_guid("0123abcd-4567-89ef-ABCD-0123456789abc"));
	cr_expect_not(text_is_guid("0123abcd_4567-89ef-ABCD-0123456789ab"));
	cr_expect_not(text_is_guid("0123abcg-4567-89ef-ABCD-0123456789ab"));
	cr_expect_not(text_is_guid(""));
	cr_expect_not(text_is_guid(NULL));
}

Test(text, upn)
{
	cr_expect(text_is_upn("aa-main@contoso.com"));
	cr_expect(text_is_upn("a.b@sub.contoso.onmicrosoft.com"));
	cr_expect_not(text_is_upn("contoso.com"));
	cr_expect_not(text_is_upn("@contoso.com"));
	cr_expect_not(text_is_upn("a@b@contoso.com"));
	cr_expect_not(text_is_upn("a@contoso"));
	cr_expect_not(text_is_upn("a@.contoso.com"));
	cr_expect_not(text_is_upn("a@contoso.com."));
	cr_expect_not(text_is_upn("a b@contoso.com"));
	cr_expect_not(text_is_upn("a/b@contoso.com"));
	cr_expect_not(text_is_upn("a\\b@contoso.com"));
	cr_expect_not(text_is_upn("a\"b@contoso.com"));
	cr_expect_not(text_is_upn(""));
	cr_expect_not(text_is_upn(NULL));
}

Test(text, same_ignores_case_and_never_matches_null)
{
	cr_expect(text_same("Adele@Contoso.com", "adele@contoso.COM"));
	cr_expect(!text_same("adele", "adele2"));
	cr_expect(!text_same(NULL, "a"));
	cr_expect(!text_same("a", NULL));
	cr_expect(!text_same(NULL, NULL));
}

Test(text, empty_is_null_or_no_characters)
{
	cr_expect(text_empty(NULL));
	cr_expect(text_empty(""));
	cr_expect(!text_empty(" "));
}
