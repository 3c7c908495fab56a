/*
 * policyassign.h - direct policy grants to many users at once.
 *
 * Graph v1.0 documents a Teams policy assignment API (docs/wire.md;
 * Microsoft Graph "teamsPolicyUserAssignment: assign" and
 * "unassign", "teamsPolicyAssignment: getPolicyId"):
 *   GET  /v1.0/admin/teams/policy/getPolicyId(type='T',name='N')
 *        -> {"value":[{"name":"Tag:N","policyId":"..."}]}
 *   POST /v1.0/admin/teams/policy/userAssignments/assign
 *        {"value":[{"@odata.type":"#microsoft.graph.teamsAdministration.
 *          teamsPolicyUserAssignment","userId","policyType","policyId"},...]}
 *   POST /v1.0/admin/teams/policy/userAssignments/unassign
 *        {"value":[{"@odata.type":...,"userId","policyType"},...]}  -> 204
 * It needs TeamsPolicyUserAssign.ReadWrite.All and exists in the global
 * cloud only. pa_apply() sends grants that way, batch_size users per call,
 * and falls back, per policy type, to the Teams admin route (one PATCH per
 * user and type, ta_grant_user_req()) when Graph cannot take them:
 *   - the cloud is usgov, dod or china, or batch_size is 0;
 *   - the app lacks the permission (403): every type falls back;
 *   - getPolicyId refuses the type or the policy (400, 404);
 *   - an assign call is refused (400, 404): its users go one by one, so that
 *     each gets its own error.
 * Each fallback is reported once, as a warning of ctx. A call refused because
 * a user is not provisioned in Teams yet (a licence still replicating) did
 * nothing and is sent again after a wait (tenant_write_many()), on either
 * route.
 */
#ifndef DIALTONE_POLICYASSIGN_H
#define DIALTONE_POLICYASSIGN_H

#include <stddef.h>

#include "core.h"

/*
 * Users per assign/unassign call unless the task says otherwise. Microsoft
 * documents no limit; 20 is Graph's own documented bound for a JSON batch,
 * a conservative size that still makes 2,000 grants 100 calls per type.
 */
#define PA_BATCH_DEFAULT 20
#define PA_BATCH_MAX 1000

/* One grant. The strings are borrowed; rc and error are filled in. */
struct pa_item {
	const char *user_id;  /* object id */
	const char *type;     /* policy type, such as TA_SHARED_CALLING */
	const char *name;     /* policy name; NULL, "" or "Global" removes the direct grant */
	int rc;               /* CORE_OK once sent and accepted */
	char *error;          /* why not, when rc is not CORE_OK; owned (pa_items_release) */
};

/*
 * Sends every grant of items (n of them). batch_size: users per Graph call,
 * 0 for the Teams admin route only.
 * @return CORE_OK when every item got an answer (look at each rc), or the
 *         first transport or sign-in error (ctx->msg set)
 */
int pa_apply(struct core_ctx *ctx, struct pa_item *items, size_t n, int batch_size);

/*
 * One grant (pa_apply() of one item, default batch size).
 * @return CORE_OK, or CORE_ESERVICE with ctx->msg naming the failure
 */
int pa_grant_one(struct core_ctx *ctx, const char *user_id, const char *type,
    const char *name);

/* Frees the error texts of items. */
void pa_items_release(struct pa_item *items, size_t n);

#endif
