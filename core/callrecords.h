/*
 * callrecords.h - call records (Graph's getPstnCalls and
 * getDirectRoutingCalls) read in slices, their kinds, and the times they use.
 */
#ifndef DIALTONE_CALLRECORDS_H
#define DIALTONE_CALLRECORDS_H

#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core.h"

/* The longest span getPstnCalls and getDirectRoutingCalls accept (docs/design/rules.md#lim-4). */
#define TENANT_CALLS_MAX_SPAN (90L * 86400)

enum tenant_call_source {
	TENANT_CALLS_PSTN = 0,         /* getPstnCalls: Calling Plan and Operator Connect */
	TENANT_CALLS_DIRECT_ROUTING,   /* getDirectRoutingCalls */
	TENANT_CALLS_SOURCES           /* never use */
};

/* What a callType says about a call (docs/design/services.md#call-types). */
enum tenant_call_kind {
	TENANT_CALL_BOT = 1,       /* "ucap" anywhere: an auto attendant or call queue */
	TENANT_CALL_EMERGENCY,     /* "emergency" */
	TENANT_CALL_OUTBOUND,      /* otherwise "out" */
	TENANT_CALL_INBOUND,       /* otherwise "in" */
	TENANT_CALL_OTHER,         /* none of these words, or no callType */
};

/* Classifies a callType case-insensitively, in the order of the enum. */
enum tenant_call_kind tenant_call_kind(const char *call_type);

/*
 * Parses an ISO 8601 date ("2025-01-06", taken as 00:00 UTC) or date-time
 * ("2025-01-06T08:30:00Z", seconds, fractions and a "+hh:mm"/"-hh:mm"
 * offset optional; no zone means UTC) into seconds since the epoch.
 * @return true when s is one; *out is then set
 */
bool tenant_parse_time(double *out, const char *s);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf, which holds 21 bytes or more. */
void tenant_format_time(char *buf, size_t size, time_t t);

/* What tenant_call_records() sent and read, per source. */
struct tenant_call_stats {
	unsigned long slices[TENANT_CALLS_SOURCES];
	unsigned long requests[TENANT_CALLS_SOURCES];
	unsigned long rows[TENANT_CALLS_SOURCES];
};

/*
 * Reads every call record of the given sources whose start lies in
 * [from, to), and hands each row to fn (borrowed: valid during the call).
 * The window is cut into slices of at most slice_s seconds (never more than
 * TENANT_CALLS_MAX_SPAN); each slice is one query whose pages (1,000 rows)
 * are followed by @odata.nextLink, and up to max_concurrency slices are read
 * at once, so that the memory held is a few pages whatever the tenant's size.
 * max_concurrency is svc_max_concurrency(ctx): checked once, by svc_open().
 * getPstnCalls counts its toDateTime in and getDirectRoutingCalls does not:
 * a row is handed over only by the slice its start falls in, so a call at a
 * slice boundary is counted once.
 * fn returns CORE_OK to go on, or an error (with its message) to stop.
 * stats (may be NULL) is filled in.
 * @return CORE_OK, fn's error, or the first read error (a partial read is
 *         never a result)
 */
int tenant_call_records(struct core_ctx *ctx, const bool sources[TENANT_CALLS_SOURCES],
    time_t from, time_t to, long slice_s, int max_concurrency,
    int (*fn)(void *arg, enum tenant_call_source src, const cJSON *row), void *arg,
    struct tenant_call_stats *stats);

#endif
