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
 *
 * Two departures from AnsibleModule, both refusals or safer readings:
 *   - an option given as JSON null is treated as not given at all (at every
 *     level of sub-options): its default applies, and a required option
 *     given null is reported missing. Templates produce null for an empty
 *     variable; a module must never see a null where it asked for a value.
 *   - after the type checks, each option's .text, .max_len and range
 *     declarations are enforced (see enum arg_text), so that control,
 *     invisible and direction-changing characters, path separators in
 *     identities, lists rendered as "['a', 'b']" and oversized values are
 *     refused before any request.
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

/*
 * What a string option (or each string element of a list option) may hold.
 * ARG_TEXT_FREE and ARG_TEXT_NAME refuse invalid UTF-8, C0 and C1 control
 * characters, and invisible or direction-changing characters (U+00AD, U+061C, U+180E,
 * U+200B..U+200F, U+2028..U+202E, U+2060..U+206F, U+FEFF, U+FFF9..U+FFFB,
 * U+E0000..U+E007F...).
 */
enum arg_text {
	ARG_TEXT_ANY = 0,  /* no check of the characters (length still applies) */
	ARG_TEXT_FREE,     /* free text (description, greeting): TAB and LF allowed */
	ARG_TEXT_LINE,     /* one line (display name, address field, time zone) */
	ARG_TEXT_NAME,     /* an identity (policy, location, account name): no
	                      TAB/LF, no '/' or '\\'; a list or a dict is refused
	                      instead of being rendered as text */
};

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
	enum arg_text text;        /* character class of a str option or of str elements */
	size_t max_len;            /* most characters (code points) of a string, 0: no limit */
	bool ranged;               /* an int option must lie within [min, max] */
	long long min, max;
};

#define ARG_END { NULL, ARG_NONE, false, NULL, NULL, ARG_NONE, NULL, NULL, false, NULL, NULL, \
	ARG_TEXT_ANY, 0, false, 0, 0 }

/* Table shorthands: { "name", ARG_STR, ARG_NAME(256) }, { "rank", ARG_INT, ARG_RANGE(1, 1000) }. */
#define ARG_NAME(n) .text = ARG_TEXT_NAME, .max_len = (n)
#define ARG_FREE(n) .text = ARG_TEXT_FREE, .max_len = (n)
#define ARG_LINE(n) .text = ARG_TEXT_LINE, .max_len = (n)
#define ARG_RANGE(lo, hi) .ranged = true, .min = (lo), .max = (hi)

/*
 * Limits of the text options, in characters. Where Microsoft publishes a
 * limit it is used (docs/design/input-validation.md cites each); where it
 * does not, a conservative limit well above any real value is.
 */
#define ARG_LEN_UPN          113   /* Entra userPrincipalName: 64 before '@', 48 after */
#define ARG_LEN_DISPLAY_NAME 256   /* Entra user/group displayName */
#define ARG_LEN_NAME         256   /* Teams policy Identity, location names: conservative */
#define ARG_LEN_TEXT         1024  /* descriptions, greetings: conservative */
#define ARG_LEN_ADDRESS      256   /* one civic address field: conservative */
#define ARG_LEN_SECRET       4096  /* client secret, certificate password */
#define ARG_LEN_PATH         4096  /* PATH_MAX */
#define ARG_LEN_URL          2048  /* endpoints */

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

/*
 * The check .text/.max_len declare, for values a module derives itself
 * (a key of a dict option, a split list). what names the option in the
 * message ("menu[2].target").
 * @return CORE_OK, or CORE_EARGS with a message naming the option, the
 *         offending character by code point and what is accepted
 */
int args_check_text(struct core_ctx *ctx, const char *what, const char *value,
    enum arg_text text, size_t max_len);


/* AnsibleModule's name of a type: "str", "bool", "int", ... ("str" for ARG_NONE). */
const char *args_type_name(enum arg_type t);
/* The name of a text class: "any", "free", "line", "name". */
const char *args_text_name(enum arg_text t);

/*
 * The argument table as AnsibleModule's argument_spec, in JSON: one key per
 * option with "type", and "required", "default", "choices", "elements",
 * "aliases", "no_log", "options" where set (as ansible-doc --json shows
 * them), and the input checks "text" (name, line or free), "max_len",
 * "min" and "max" where declared; plus the rules of the table and its sub-tables as
 * "mutually_exclusive", ... lists. Used to check the documentation stubs
 * against the tables, and by the input tests and fuzzers. The caller owns the result.
 */
cJSON *args_spec_json(const struct arg_spec *spec, const struct arg_rules *rules);

/*
 * Accessors on the object args_validate() returned. It holds the table's
 * default of every option that has one, so the accessors take no default of
 * their own: a default is stated once, in the table (.def). Borrowed results.
 * An option that is unset (no default, not given) reads as NULL (arg_get,
 * arg_str), false (arg_bool), 0 (arg_int) or 0.0 (arg_float); where unset
 * means something else ("leave as it is"), test arg_isset() first.
 */
const cJSON *arg_get(const cJSON *params, const char *name);
bool arg_isset(const cJSON *params, const char *name);
const char *arg_str(const cJSON *params, const char *name);
bool arg_bool(const cJSON *params, const char *name);
long long arg_int(const cJSON *params, const char *name);
double arg_float(const cJSON *params, const char *name);
/*
 * The int option, or unset when it is not set. Only for an option that has
 * no default in its table because being unset means something of its own
 * (call_priority: existing links keep theirs, new ones get unset).
 */
long long arg_int_or(const cJSON *params, const char *name, long long unset);

#endif
