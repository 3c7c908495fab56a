/*
 * test_cj.c - the shared cJSON helpers.
 */
#include <criterion/criterion.h>

#include "cj.h"

static char *
text(const cJSON *x)
{
	return cJSON_PrintUnformatted(x);
}

Test(cj, set_replaces_and_keeps_the_existing_spelling)
{
	cJSON *o = cj_object();
	char *t;

	cj_set_str(o, "Identity", "Tag:A");
	cj_set_str(o, "identity", "Tag:B");
	cj_set(o, "n", cJSON_CreateNumber(1));
	cj_set_str(o, "gone", NULL);
	t = text(o);
	cr_expect_str_eq(t, "{\"Identity\":\"Tag:B\",\"n\":1,\"gone\":null}");
	free(t);
	cJSON_Delete(o);
}

Test(cj, getters_are_typed_and_case_insensitive)
{
	cJSON *o = cJSON_Parse("{\"Name\":\"x\",\"n\":1,\"list\":[\"Alpha\",2,\"beta\"]}");

	cr_expect_str_eq(cj_str(o, "name"), "x");
	cr_expect_null(cj_str(o, "n"));
	cr_expect_null(cj_str(o, "missing"));
	cr_expect_null(cj_str(NULL, "name"));
	cr_expect(cj_has_str(cJSON_GetObjectItem(o, "list"), "ALPHA"));
	cr_expect_not(cj_has_str(cJSON_GetObjectItem(o, "list"), "2"));
	cr_expect_not(cj_has_str(cJSON_GetObjectItem(o, "list"), NULL));
	cJSON_Delete(o);
}

Test(cj, find_by_key)
{
	cJSON *a = cJSON_Parse("[{\"id\":\"1\",\"name\":\"One\"},{\"id\":\"2\",\"name\":\"Two\"},{\"id\":3}]");

	cr_expect_eq(cj_find(a, "name", "two"), cJSON_GetArrayItem(a, 1));
	cr_expect_null(cj_find(a, "name", "three"));
	cr_expect_null(cj_find(a, "name", NULL));
	cr_expect_null(cj_find(a, "id", "3"));
	cJSON_Delete(a);
}

Test(cj, join_strings_or_a_key_quoted_or_not)
{
	cJSON *s = cJSON_Parse("[\"a\",1,\"b\",null,\"c\"]");
	cJSON *o = cJSON_Parse("[{\"n\":\"x\"},{\"m\":\"y\"},{\"n\":\"z\"}]");
	cJSON *e = cj_array();
	char *t;

	t = cj_join(s, NULL, ", ", false);
	cr_expect_str_eq(t, "a, b, c");
	free(t);
	t = cj_join(s, NULL, ", ", true);
	cr_expect_str_eq(t, "'a', 'b', 'c'");
	free(t);
	t = cj_join(o, "n", " and ", false);
	cr_expect_str_eq(t, "x and z");
	free(t);
	t = cj_join(e, NULL, ", ", true);
	cr_expect_str_eq(t, "");
	free(t);
	cJSON_Delete(s);
	cJSON_Delete(o);
	cJSON_Delete(e);
}

Test(cj, builders_and_copies)
{
	cJSON *a = cj_array(), *d, *n;
	char *t;

	cj_push_str(a, "x");
	cj_push_str(a, NULL);
	cj_push(a, cj_object());
	d = cj_dup(a);
	n = cj_dup(NULL);
	t = text(d);
	cr_expect_str_eq(t, "[\"x\",null,{}]");
	free(t);
	cr_expect(cJSON_IsNull(n));
	cJSON_Delete(a);
	cJSON_Delete(d);
	cJSON_Delete(n);
}

Test(cj, push_fmt_creates_the_array_and_appends)
{
	cJSON *arr = NULL;

	cj_push_fmt(&arr, "%s: %d", "users", 3);
	cj_push_fmt(&arr, "second");
	cr_assert(cJSON_IsArray(arr));
	cr_expect_eq(cJSON_GetArraySize(arr), 2);
	cr_expect_str_eq(cJSON_GetArrayItem(arr, 0)->valuestring, "users: 3");
	cr_expect_str_eq(cJSON_GetArrayItem(arr, 1)->valuestring, "second");
	cJSON_Delete(arr);
}
