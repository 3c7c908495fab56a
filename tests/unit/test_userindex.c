/*
 * test_userindex.c - the case-insensitive hash index by UPN and object id.
 */
#include <stdio.h>

#include <criterion/criterion.h>

#include "userindex.h"

Test(userindex, finds_keys_in_any_case)
{
	struct uindex *ix = uindex_new(0);
	size_t v = 99;

	cr_assert(uindex_put(ix, "Ada@Contoso.com", 3));
	cr_assert(uindex_put(ix, "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9", 7));
	cr_assert(uindex_get(ix, "ada@contoso.COM", &v));
	cr_expect_eq(v, 3);
	cr_assert(uindex_get(ix, "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9", &v));
	cr_expect_eq(v, 7);
	cr_expect_not(uindex_get(ix, "bob@contoso.com", &v));
	cr_expect_eq(uindex_count(ix), 2);
	uindex_free(ix);
}

Test(userindex, keeps_the_first_value_of_a_key)
{
	struct uindex *ix = uindex_new(4);
	size_t v = 0;

	cr_assert(uindex_put(ix, "ada@contoso.com", 1));
	cr_expect_not(uindex_put(ix, "ADA@contoso.com", 2));
	cr_assert(uindex_get(ix, "ada@contoso.com", &v));
	cr_expect_eq(v, 1);
	cr_expect_eq(uindex_count(ix), 1);
	uindex_free(ix);
}

Test(userindex, refuses_empty_keys)
{
	struct uindex *ix = uindex_new(1);

	cr_expect_not(uindex_put(ix, "", 1));
	cr_expect_not(uindex_put(ix, NULL, 1));
	cr_expect_not(uindex_get(ix, "", NULL));
	cr_expect_not(uindex_get(NULL, "x", NULL));
	cr_expect_eq(uindex_count(ix), 0);
	uindex_free(ix);
	uindex_free(NULL);
}

Test(userindex, grows_past_its_hint)
{
	struct uindex *ix = uindex_new(2);
	char key[64];
	size_t i, v;

	for (i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "User%zu@Contoso.com", i);
		cr_assert(uindex_put(ix, key, i));
	}
	cr_expect_eq(uindex_count(ix), 50000);
	for (i = 0; i < 50000; i += 997) {
		snprintf(key, sizeof(key), "user%zu@contoso.com", i);
		cr_assert(uindex_get(ix, key, &v), "%s", key);
		cr_expect_eq(v, i);
	}
	cr_expect_not(uindex_get(ix, "user50000@contoso.com", NULL));
	uindex_free(ix);
}
