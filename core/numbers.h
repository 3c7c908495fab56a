/*
 * numbers.h - the tenant's phone numbers: the inventory (numberAssignments),
 * one number, assigning, releasing, and the emergency location a number
 * carries. Each function names the endpoint it uses; reads fail rather than
 * return partial data.
 */
#ifndef DIALTONE_NUMBERS_H
#define DIALTONE_NUMBERS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/* numberAssignments pages: the service's maximum $top. */
#define TENANT_NUMBERS_PAGE 1000

/*
 * Every number assignment (GET numberAssignments, $top/$skip paging),
 * optionally filtered with an OData $filter expression (not yet encoded).
 * @param[out] out  a new array
 */
int tenant_numbers(cJSON **out, struct core_ctx *ctx, const char *filter);

/*
 * Counts of numbers by numberType and by isoCountryCode, each with total,
 * assigned and unassigned. The caller owns the result.
 */
cJSON *tenant_numbers_summary(const cJSON *numbers);

/*
 * The number assignment of one number (canonical E.164, ";ext=" allowed).
 * @return CORE_OK, or CORE_ENOTFOUND (no message) when the tenant has none
 */
int tenant_number_get(cJSON **out, struct core_ctx *ctx, const char *number);

/*
 * The service's numberType for a module's number_type choice, any case:
 * direct_routing -> directRouting, calling_plan -> callingPlan,
 * operator_connect -> operatorConnect. NULL for anything else.
 */
const char *tenant_number_type(const char *choice);
/* The reverse: the choice for a numberType, any case; NULL for anything else. */
const char *tenant_number_choice(const char *wire);

struct tenant_assign {
	const char *number;        /* canonical E.164 */
	const char *target_id;     /* object id of a user or resource account */
	const char *number_type;   /* directRouting, callingPlan, operatorConnect */
	const char *category;      /* primary (default when NULL), private, alternate */
	const char *location_id;   /* or NULL */
	int wait_timeout;          /* seconds for the operation and replication */
};

/*
 * Assigns a number and waits for its operation. While the target is not yet
 * visible to the number service ("The user '{id}' is not found", a new
 * resource account) or its licence has not reached it ("lacks appropriate
 * licenses"), the assignment is tried again until wait_timeout: a failed
 * operation did not take effect, so repeating it is safe. After a dropped
 * request the number is read back before anything is repeated.
 */
int tenant_number_assign(struct core_ctx *ctx, const struct tenant_assign *a);

/* Unassigns a number (POST unassignNumber) and waits for its operation. */
int tenant_number_unassign(struct core_ctx *ctx, const char *number,
    const char *number_type, int wait_timeout);

/*
 * Sets (or with "" clears) the emergency location of a number
 * (POST updateNumber, synchronous).
 */
int tenant_number_set_location(struct core_ctx *ctx, const char *number,
    const char *location_id);

/*
 * Every number assigned to object_id (numberAssignments filtered on
 * assignmentTargetId). @param[out] out a new array
 */
int tenant_numbers_of(cJSON **out, struct core_ctx *ctx, const char *object_id);

#endif
