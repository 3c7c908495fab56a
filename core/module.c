/*
 * module.c - the module life cycle shared by every module (see module.h).
 */
#include "module.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cj.h"
#include "snapshot.h"
#include "svc.h"

static int
refuse_check_mode(struct core_ctx *ctx, struct result *res)
{
	char *msg;

	msg = xasprintf("remote module (%s) does not support check mode",
	    ctx->module_name);
	result_put(res, "skipped", cJSON_CreateTrue());
	result_put(res, "msg", cJSON_CreateString(msg));
	free(msg);
	return CORE_OK;
}

/* The run() of a module given as stages (module.h). */
static int
run_stages(const struct module *m, struct core_ctx *ctx, const cJSON *params,
    struct result *res)
{
	const char *state = arg_str(params, "state");
	void *req;
	int rc;

	if (!m->validate || !m->present || !m->absent || !m->release)
		BUG("module %s has neither run() nor all of its stages", m->name);
	req = xcalloc(1, m->req_size ? m->req_size : 1);
	rc = svc_open(ctx);
	if (!rc)
		rc = m->validate(req, ctx, params);
	if (!rc && m->read)
		rc = m->read(req, ctx);
	if (!rc)
		rc = state && strcmp(state, "absent") == 0 ?
		    m->absent(req, ctx, res) : m->present(req, ctx, res);
	m->release(req);
	free(req);
	return rc;
}

/*
 * "MODULE --argument-spec": the module's argument table as JSON on stdout
 * (args_spec_json()), for the test that compares it with the documentation.
 */
static int
print_argument_spec(const struct module *m)
{
	cJSON *spec = args_spec_json(m->args, m->rules);
	char *text;

	cJSON_AddStringToObject(spec, "module", m->name);
	cJSON_AddBoolToObject(spec, "check_mode", m->check_mode);
	text = cJSON_PrintUnformatted(spec);
	if (!text)
		BUG("out of memory rendering the argument spec");
	core_print_line(text);
	free(text);
	cJSON_Delete(spec);
	return 0;
}

/*
 * After validation the options live in params: drops them from the input
 * (a list of many users is not held twice while the module runs), keeping
 * the _ansible_* keys ctx points into.
 */
static void
drop_options(cJSON *input)
{
	cJSON *item, *next;

	for (item = input ? input->child : NULL; item; item = next) {
		next = item->next;
		if (!item->string || strncmp(item->string, "_ansible", strlen("_ansible")) != 0)
			cJSON_Delete(cJSON_DetachItemViaPointer(input, item));
	}
}

int
module_main(const struct module *m, int argc, char **argv)
{
	struct core_ctx ctx;
	struct result res;
	cJSON *input = NULL, *params = NULL, *invocation = NULL;
	char *fqcn;
	int rc;

	if (argc == 2 && strcmp(argv[1], "--argument-spec") == 0)
		return print_argument_spec(m);
	fqcn = xasprintf(CORE_COLLECTION ".%s", m->name);
	core_ctx_init(&ctx, fqcn);
	result_init(&res);

	rc = args_load(&input, &ctx, argc, argv);
	if (rc)
		goto out;
	rc = args_validate(&params, &ctx, m->args, m->rules, input);
	if (params)
		invocation = args_invocation(m->args, params);
	if (rc)
		goto out;
	drop_options(input);
	ctx.params = params;
	if (ctx.check_mode && !m->check_mode) {
		rc = refuse_check_mode(&ctx, &res);
		goto out;
	}
	if (m->reads_snapshot && cj_str(params, "snapshot") && *cj_str(params, "snapshot")) {
		if (ctx.check_mode)
			snapshot_use(&ctx, cj_str(params, "snapshot"));
		else
			core_warn(&ctx, "snapshot is read in check mode only; a run that writes "
			    "reads the tenant itself, so '%s' was not used", cj_str(params, "snapshot"));
	}
	rc = m->run ? m->run(&ctx, params, &res) : run_stages(m, &ctx, params, &res);
	if (rc && !ctx.msg)
		BUG("%s failed with code %d and no message", m->name, rc);
	/* A failure changed something only if a write was accepted (or may have been). */
	if (rc && !ctx.writes)
		res.changed = false;
out:
	result_print(&ctx, &res, invocation, rc);
	result_release(&res);
	core_ctx_release(&ctx);
	cJSON_Delete(params);
	cJSON_Delete(input);
	free(fqcn);
	return rc ? 1 : 0;
}
