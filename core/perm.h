/*
 * perm.h - what the app's token may do, read from its roles claim.
 *
 * An access token Microsoft Entra issues for an application (client
 * credentials) lists the application permissions granted to it in its
 * "roles" claim. Before its first write a module asks perm_require() for
 * the permissions those writes need, so that an app lacking one is refused
 * with the permission's name before anything is changed, instead of failing
 * half way (an account created, then its licence refused).
 *
 * Only a roles claim that is present and lacks every accepted permission
 * refuses: a token without a roles claim (or one that is not a JWT) proves
 * nothing, and the service decides.
 */
#ifndef DIALTONE_PERM_H
#define DIALTONE_PERM_H

#include <cjson/cJSON.h>

#include "core.h"
#include "svc.h"

/* Graph application permissions, each list in the order messages name them. */
#define PERM_USER_WRITE "User.ReadWrite.All|Directory.ReadWrite.All"
#define PERM_LICENSE_WRITE "LicenseAssignment.ReadWrite.All|User.ReadWrite.All|" \
	"Directory.ReadWrite.All"
#define PERM_NUMBER_WRITE "TeamsTelephoneNumber.ReadWrite.All"
#define PERM_POLICY_ASSIGN "TeamsPolicyUserAssign.ReadWrite.All"

/*
 * The decoded payload of a JSON Web Token, or NULL when token is not one.
 * The caller owns the result.
 */
cJSON *perm_jwt_payload(const char *token);

/*
 * Whether a token's payload grants one of any_of ("a|b"): 1 yes, 0 no (a
 * roles claim without any of them), -1 unknown (no roles claim).
 */
int perm_payload_grants(const cJSON *payload, const char *any_of);

/*
 * Whether the app's token for service s grants one of any_of ("a|b"):
 * *granted is 1 yes, 0 no (a roles claim without any of them), -1 unknown
 * (no roles claim, or the login service). Signs in when no token is held
 * yet. @return CORE_OK, or the sign-in's error
 */
int perm_check(int *granted, struct core_ctx *ctx, enum svc_id s, const char *any_of);

/* "a, b or c" from "a|b|c", for messages. The caller frees the result. */
char *perm_names(const char *any_of);

/*
 * Refuses (CORE_EREFUSED, nothing written) when the token for service s
 * carries a roles claim holding none of any_of. what says which write needs
 * it ("creating resource account 'ra@contoso.com'"). Signs in when no token
 * is held yet.
 */
int perm_require(struct core_ctx *ctx, enum svc_id s, const char *any_of,
    const char *what);

#endif
