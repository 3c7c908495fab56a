/*
 * wirelog.h - evidence of what was sent and answered, for the operator.
 *
 * With DIALTONE_WIRE_LOG=FILE in the environment, every request to Graph and
 * the Teams admin service is appended to FILE as one JSON object per line:
 * {"service", "method", "path", "query", "status", "request", "response"}.
 * Headers are never logged (so neither is Authorization); sign-in requests
 * and answers are left out; keys that name a token, secret, password or
 * assertion have their values replaced; every secret of the task is scrubbed
 * from the line as from any output (result_scrub_str()).
 */
#ifndef DIALTONE_WIRELOG_H
#define DIALTONE_WIRELOG_H

#include "core.h"

/*
 * Appends one exchange when DIALTONE_WIRE_LOG is set; does nothing else.
 * shown is the path as messages show it (query included); the bodies may
 * be NULL. A file that cannot be written is reported once as a warning.
 */
void wirelog_append(struct core_ctx *ctx, const char *service, const char *method,
    const char *shown, long status, const char *request, const char *response);

#endif
