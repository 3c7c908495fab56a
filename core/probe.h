/*
 * probe.h - a read-only check of a tenant against what the client expects
 * (teams_tenant_info gather: [api], playbooks/verify.yml).
 *
 * It signs in to both services, decodes the tokens' claims (the Graph
 * application permissions in "roles", the directory roles in "wids"),
 * compares them with what each module needs, then sends every read route of
 * the table (routes.h, .probe set) once and checks that the answer has the
 * shape the client parses. It sends GET requests only.
 */
#ifndef DIALTONE_PROBE_H
#define DIALTONE_PROBE_H

#include <cjson/cJSON.h>

#include "core.h"

/*
 * @param[out] out  {"permissions": {...}, "routes": [{"route", "result",
 *                  "status", "detail"}], "summary": {result: count}}; result
 *                  is "ok", "differs", "forbidden", "not found" or "error"
 * @return CORE_OK (the report says what failed), or a sign-in error
 */
int probe_api(cJSON **out, struct core_ctx *ctx);

#endif
