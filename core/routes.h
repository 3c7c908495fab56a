/*
 * routes.h - every request the collection sends to Graph and the Teams admin
 * service, in one table, with the evidence for its shape.
 *
 * Each route has a method, a service, a path template, the body it carries,
 * an evidence grade and the source of that evidence. Paths are built from
 * the template with route_path(), and nowhere else. The table is printed as
 * docs/wire.md by scripts/wire_doc.py; the static test layer fails when the
 * two differ.
 *
 * Evidence grades:
 *   DOC  documented by Microsoft (Graph reference, Learn);
 *   DIS  read from the MicrosoftTeams module's own request code (verb, URL
 *        concatenation, serializer);
 *   GEN  the module's generated proxy metadata (parameter category, body
 *        model property names, "VERB path" synopsis lines);
 *   CAP  sent by maintained public code that talks to the service;
 *   INF  inferred: nothing shows the route. A 404 or 405 on such a route is
 *        reported as "not verified against Microsoft yet" (route_unverified()).
 *
 * Templates: "{name}" is replaced by its argument percent-encoded,
 * "[name]" by its argument as given (already-encoded query text, a policy
 * type, a number). Arguments come in the order of the placeholders.
 */
#ifndef DIALTONE_ROUTES_H
#define DIALTONE_ROUTES_H

#include <stdbool.h>

#include "core.h"
#include "svc.h"

enum route_id {
	/* Teams admin: emergency addresses and locations (Skype.Ncs) */
	RT_NCS_LOCATIONS,
	RT_NCS_ADDRESS_CREATE,
	RT_NCS_ADDRESS_UPDATE,
	RT_NCS_ADDRESS_DELETE,
	RT_NCS_LOCATION_CREATE,
	RT_NCS_LOCATION_UPDATE,
	RT_NCS_LOCATION_DELETE,
	/* Teams admin: policies and grants (Skype.Policy) */
	RT_POLICY_LIST,
	RT_POLICY_GET,
	RT_POLICY_CREATE,
	RT_POLICY_PUT,
	RT_POLICY_PATCH,
	RT_POLICY_DELETE,
	RT_GRANT_USER,
	RT_GROUP_GRANTS,
	RT_GROUP_GRANT_CREATE,
	RT_GROUP_GRANT_CHANGE,
	RT_GROUP_GRANT_DELETE,
	/* Teams admin: enterprise voice (Skype.TelephoneNumberMgmt) */
	RT_ENTERPRISE_VOICE,
	/* Teams admin: resource accounts (Teams.PlatformService) */
	RT_RA_LIST,
	RT_RA_GET,
	RT_RA_CREATE,
	/* Teams admin: auto attendants (Teams.VoiceApps) */
	RT_AA_LIST,
	RT_AA_GET,
	RT_AA_CREATE,
	RT_AA_UPDATE,
	RT_AA_DELETE,
	RT_ASSOC_CREATE,
	RT_ASSOC_GET,
	RT_ASSOC_DELETE,
	/* Teams admin: users (Teams.User) */
	RT_TEAMS_USER_GET,
	RT_TEAMS_USERS,
	RT_USER_POLICIES,
	/* Graph: tenant, licences, users, groups */
	RT_G_ORGANIZATION,
	RT_G_SKUS,
	RT_G_USER_GET,
	RT_G_USER_PATCH,
	RT_G_USER_DELETE,
	RT_G_ASSIGN_LICENSE,
	RT_G_USERS_FILTER,
	RT_G_USERS_LIST,
	RT_G_USERS_COUNTED,
	RT_G_GROUP_GET,
	RT_G_GROUP_MEMBERS,
	RT_G_BATCH,
	RT_GB_USER,
	RT_GB_USER_CONFIG,
	/* Graph: Teams user configurations */
	RT_G_USER_CONFIGS,
	RT_G_USER_CONFIG,
	/* Graph: telephone numbers */
	RT_G_NUMBERS,
	RT_G_NUMBER_ACTION,
	RT_G_NUMBER_OPERATION,
	/* Graph: policy assignment */
	RT_G_POLICY_ID,
	RT_G_POLICY_ASSIGN,
	RT_G_POLICY_UNASSIGN,
	/* Graph: call records */
	RT_G_CALL_RECORDS,
	RT_COUNT
};

struct route {
	const char *method;
	enum svc_id svc;
	const char *path;     /* template, see above */
	const char *body;     /* the body's shape, "" for none */
	const char *answer;   /* what the client reads from the answer, "" for nothing */
	const char *grade;    /* DOC, DIS, GEN, CAP or INF */
	const char *source;   /* where the evidence is */
	bool probe;           /* a read the read-only probe may send as it is */
};

/* The route; id must be valid. */
const struct route *route_get(enum route_id id);

/*
 * The path of a route with its placeholders filled, one const char *
 * argument per placeholder, in order. The caller frees the result.
 */
char *route_path(enum route_id id, ...);

/*
 * For a request of an INF route answered 404 or 405: a new message
 * "this request's route is not verified against Microsoft yet: <METHOD
 * path>; see docs/wire.md to capture it", followed by the service's own
 * text when there is one. NULL for any other route or status.
 */
char *route_unverified(enum route_id id, const char *path, long status,
    const char *service_text);

#endif
