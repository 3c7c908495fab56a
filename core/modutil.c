/*
 * modutil.c - the parts of run() that several modules share (see modutil.h).
 */
#include "modutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "cj.h"
#include "policies.h"
#include "teamsadmin.h"
#include "tenant.h"

int
modutil_usage_policy_run(struct core_ctx *ctx, const cJSON *params, struct result *res,
    const struct modutil_usage_policy *kind, const cJSON *fields, const cJSON *usages)
{
	const char *name = arg_str(params, "name");
	const char *bare = ta_policy_name(name);
	const char *desc = arg_str(params, "description");
	bool global = strcasecmp(bare, "Global") == 0;
	cJSON *have = NULL, *norm = NULL, *want = NULL;
	const cJSON *f;
	char *ident = NULL;
	int rc;

	if (!*bare || strspn(bare, " \t") == strlen(bare))
		return core_error(ctx, CORE_EARGS,
		    "name '%s' is empty; give the policy's name, such as %s", name, kind->example);
	if (strcmp(arg_str(params, "state"), "absent") == 0 && global)
		return core_error(ctx, CORE_EREFUSED, "the Global %s cannot be removed; set "
		    "its %s instead", kind->what, kind->global_option);

	rc = ta_policy_get(&have, ctx, kind->type, bare);
	if (rc == CORE_ENOTFOUND)
		rc = CORE_OK;
	if (rc)
		goto out;
	if (strcmp(arg_str(params, "state"), "absent") == 0) {
		rc = tenant_policy_absent(ctx, res, kind->type, kind->what, bare, have,
		    arg_bool(params, "force"), kind->opts);
		goto out;
	}

	want = cj_object();
	ident = global ? xstrdup("Global") : xasprintf("Tag:%s", bare);
	cj_set_str(want, "Identity", ident);
	if (desc)
		cj_set_str(want, "Description", desc);
	cJSON_ArrayForEach(f, fields)
		cj_set(want, f->string, cJSON_Duplicate(f, 1));
	norm = kind->normalise ? kind->normalise(have) : NULL;
	rc = tenant_policy_present(ctx, res, kind->type, kind->what, bare, want,
	    kind->normalise ? norm : have, usages,
	    arg_bool(params, "create_usages"), kind->opts);
out:
	free(ident);
	cJSON_Delete(want);
	cJSON_Delete(norm);
	cJSON_Delete(have);
	return rc;
}
