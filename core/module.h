/*
 * module.h - what a module is: an argument table and a run() function (or
 * the stages of the usual one).
 *
 * Each file in modules/ defines exactly one "const struct module MODULE".
 * main() (core/module_main.c, linked into every module and into nothing
 * else) reads the args file, validates it against the table before any
 * check-mode decision or network call, refuses check mode for modules that
 * do not support it, calls run(), and prints the one result object.
 * "MODULE --argument-spec" prints the argument table as JSON instead
 * (args_spec_json()), for the test that keeps the documentation in step.
 *
 * run() contract:
 *   - read the current state; a failed read is an error, never "absent";
 *   - compute changed, the after-state and the diff;
 *   - in check mode return before the first write (state: absent included);
 *   - otherwise write, then re-read what it returns.
 * It returns CORE_OK or the code of the error it (or a callee) recorded.
 */
#ifndef DIALTONE_MODULE_H
#define DIALTONE_MODULE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "args.h"
#include "core.h"
#include "result.h"

struct module {
	const char *name;               /* short name: "teams_tenant_info" */
	const struct arg_spec *args;    /* ends with ARG_END */
	const struct arg_rules *rules;  /* may be NULL */
	bool check_mode;                /* supports check mode */
	/*
	 * Its "snapshot" option names a tenant snapshot to read in check mode
	 * (snapshot.h); outside check mode the option is ignored with a warning.
	 */
	bool reads_snapshot;
	int (*run)(struct core_ctx *ctx, const cJSON *params, struct result *res);

	/*
	 * Or, with run NULL, the stages most modules' run() goes through, on
	 * one request of req_size bytes that main() allocates zeroed and frees:
	 * svc_open(); validate() the options into req before any request;
	 * read() the current state (may be NULL); absent() when the state
	 * option is "absent", else present(); release() what req owns, whatever
	 * stage stopped (also on a zeroed req). A stage returns CORE_OK or the
	 * error it recorded, and the first error ends the run.
	 */
	size_t req_size;
	int (*validate)(void *req, struct core_ctx *ctx, const cJSON *params);
	int (*read)(void *req, struct core_ctx *ctx);
	int (*present)(void *req, struct core_ctx *ctx, struct result *res);
	int (*absent)(void *req, struct core_ctx *ctx, struct result *res);
	void (*release)(void *req);
};

extern const struct module MODULE;

/*
 * The whole module life cycle for an explicit module and argv: what main()
 * does. Prints the result object and returns the process exit status.
 */
int module_main(const struct module *m, int argc, char **argv);

#endif
