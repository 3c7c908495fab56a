/*
 * test_perm.c - the roles claim of the app's token (core/perm.c).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "perm.h"

TestSuite(perm, .timeout = 30);

/* {"aud":"https://graph.microsoft.com","roles":["User.Read.All","TeamsTelephoneNumber.ReadWrite.All"]} */
#define ROLES_TOKEN "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." \
	"eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJyb2xlcyI6WyJVc2VyLlJlYWQuQWxs" \
	"IiwiVGVhbXNUZWxlcGhvbmVOdW1iZXIuUmVhZFdyaXRlLkFsbCJdfQ.c2ln"
/* {"aud":"x"} */
#define NOROLES_TOKEN "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.c2ln"

Test(perm, decodes_a_token_payload)
{
	cJSON *p = perm_jwt_payload(ROLES_TOKEN);

	cr_assert_not_null(p);
	cr_expect_str_eq(cJSON_GetObjectItem(p, "aud")->valuestring,
	    "https://graph.microsoft.com");
	cJSON_Delete(p);
	cr_expect_null(perm_jwt_payload("not-a-token"));
	cr_expect_null(perm_jwt_payload("a.b"));
	cr_expect_null(perm_jwt_payload("a.!!!.c"));
	cr_expect_null(perm_jwt_payload("a.WzFd.c"), "[1] is not an object");
	cr_expect_null(perm_jwt_payload(NULL));
}

Test(perm, grants_only_what_the_roles_claim_lists)
{
	cJSON *p = perm_jwt_payload(ROLES_TOKEN), *n = perm_jwt_payload(NOROLES_TOKEN);

	cr_expect_eq(perm_payload_grants(p, PERM_NUMBER_WRITE), 1);
	cr_expect_eq(perm_payload_grants(p, PERM_USER_WRITE), 0);
	cr_expect_eq(perm_payload_grants(p, "Directory.ReadWrite.All|User.Read.All"), 1);
	cr_expect_eq(perm_payload_grants(p, "User.Read"), 0, "no prefix match");
	cr_expect_eq(perm_payload_grants(n, PERM_USER_WRITE), -1, "no roles claim: unknown");
	cJSON_Delete(p);
	cJSON_Delete(n);
}
