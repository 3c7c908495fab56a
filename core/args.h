/*
 * args.h - the module's options: reading the args file Ansible writes, and
 * validating it against the module's argument table exactly as AnsibleModule
 * does (same order of checks, same coercions, same messages).
 *
 * A module declares a const table of struct arg_spec ended by ARG_END and an
 * optional struct arg_rules. args_validate() returns an object holding every
 * option of the table: the coerced value, the default, or JSON null when the
 * option is unset. Module code treats null as "not set".
 *
 * Order of checks (ansible-core ArgumentSpecValidator.validate): env
 * fallbacks and aliases, mutually_exclusive, required, types (table order),
 * choices, required_together, required_one_of, required_if, required_by,
 * sub-options, unsupported parameters last. Only the first error is reported.
 *
 * Every no_log value (and every value taken from an environment fallback of a
 * no_log option) is registered with core_secret_add().
 */
#ifndef DIALTONE_ARGS_H
#define DIALTONE_ARGS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

enum arg_type {
	ARG_NONE = 0,  /* only for .elements: no element coercion */
	ARG_STR,
	ARG_BOOL,
	ARG_INT,
	ARG_FLOAT,
	ARG_LIST,
	ARG_DICT,
	ARG_PATH,
	ARG_RAW,
};

struct arg_rules;

struct arg_spec {
	const char *name;
	enum arg_type type;
	bool required;
	const char *def;           /* JSON text of the default ("\"present\"", "true", "[]"), or NULL */
	const char *choices;       /* "present|absent", or NULL */
	enum arg_type elements;    /* element type of an ARG_LIST */
	const char *aliases;       /* "location|site", or NULL */
	const char *fallback_env;  /* "AZURE_TENANT_ID|ARM_TENANT_ID", or NULL */
	bool no_log;
	const struct arg_spec *options;  /* sub-options of a dict, or of a list of dicts */
	const struct arg_rules *rules;   /* rules among the sub-options */
};

#define ARG_END { NULL, ARG_NONE, false, NULL, NULL, ARG_NONE, NULL, NULL, false, NULL, NULL }

struct arg_required_if {
	const char *key;
	const char *value;         /* JSON text compared with the option's value: "\"present\"", "true" */
	const char *requirements;  /* "a|b" */
	bool any;                  /* true: one of them suffices */
};

struct arg_required_by {
	const char *key;
	const char *requirements;  /* "a|b" */
};

/* Each list is NULL-terminated; each group is "a|b|c". */
struct arg_rules {
	const char *const *mutually_exclusive;
	const char *const *required_together;
	const char *const *required_one_of;
	const struct arg_required_if *required_if;  /* ended by { NULL } */
	const struct arg_required_by *required_by;  /* ended by { NULL } */
};

/*
 * Reads and parses the module input: the file argv[1], or stdin when argc is
 * 1 and stdin is not a terminal. Sets ctx->module_name, check_mode, diff,
 * no_log and verbosity from the _ansible_* keys.
 * @param[out] out  the whole input object; the caller frees it with cJSON_Delete()
 * @return CORE_OK, or CORE_EARGS with the message set (unreadable file,
 *         malformed JSON, NaN/Infinity, lone surrogates, not an object)
 */
int args_load(cJSON **out, struct core_ctx *ctx, int argc, char **argv);

/*
 * Validates input against spec and rules (see the order above).
 * @param[out] out  every option of spec, coerced, defaults applied, unset as
 *                  null; the caller frees it with cJSON_Delete()
 * @return CORE_OK, or CORE_EARGS with AnsibleModule's message
 */
int args_validate(cJSON **out, struct core_ctx *ctx, const struct arg_spec *spec,
    const struct arg_rules *rules, const cJSON *input);

/*
 * The "invocation" object: {"module_args": {...}} with every option of spec,
 * no_log values replaced by VALUE_SPECIFIED_IN_NO_LOG_PARAMETER.
 * The caller owns the result.
 */
cJSON *args_invocation(const struct arg_spec *spec, const cJSON *params);

/* AnsibleModule's name of a type: "str", "bool", "int", ... ("str" for ARG_NONE). */
const char *args_type_name(enum arg_type t);

/*
 * The argument table as AnsibleModule's argument_spec, in JSON: one key per
 * option with "type", and "required", "default", "choices", "elements",
 * "aliases", "no_log", "options" where set (as ansible-doc --json shows
 * them), plus the rules of the table and its sub-tables as
 * "mutually_exclusive", ... lists. Used to check the documentation stubs
 * against the tables. The caller owns the result.
 */
cJSON *args_spec_json(const struct arg_spec *spec, const struct arg_rules *rules);

/* Accessors on a validated object. Borrowed results; NULL/false/dflt when unset. */
const cJSON *arg_get(const cJSON *params, const char *name);
bool arg_isset(const cJSON *params, const char *name);
const char *arg_str(const cJSON *params, const char *name);
bool arg_bool(const cJSON *params, const char *name, bool dflt);
long long arg_int(const cJSON *params, const char *name, long long dflt);
double arg_float(const cJSON *params, const char *name, double dflt);

#endif
