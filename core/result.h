/*
 * result.h - the one JSON object a module prints on stdout.
 *
 * A module fills a struct result: changed, its return values under their own
 * keys, and (only when Ansible asked for a diff) before/after. result_render()
 * adds failed/msg/warnings/invocation from the context and scrubs every
 * registered secret from the whole document with AnsibleModule's
 * remove_values rule: a string equal to a secret becomes
 * VALUE_SPECIFIED_IN_NO_LOG_PARAMETER, an occurrence inside a longer string
 * becomes "********". Keys are scrubbed as well as values.
 *
 * Only result.c writes to stdout.
 */
#ifndef DIALTONE_RESULT_H
#define DIALTONE_RESULT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

struct result {
	bool changed;
	cJSON *out;   /* object of return values, owned; never NULL after init */
	cJSON *diff;  /* NULL, a diff object, or an array of them; owned */
};

void result_init(struct result *r);
void result_release(struct result *r);

/*
 * Sets a return value. json_put-like: always consumes item, on success and
 * failure alike. key must not be one of Ansible's reserved keys.
 */
void result_put(struct result *r, const char *key, cJSON *item);

/*
 * Adds one diff entry {"before", "after", "before_header", "after_header"}.
 * before/after must be objects, strings or NULL (rendered as {}); both are
 * consumed. Does nothing (but still frees them) unless ctx->diff is true.
 * The first entry is stored as an object; a second turns diff into a list.
 */
void result_add_diff(struct result *r, const struct core_ctx *ctx, cJSON *before,
    cJSON *after, const char *before_header, const char *after_header);

/*
 * Replaces, in place, every string in doc (values and keys) with its scrubbed
 * form according to ctx's secrets.
 */
void result_scrub(const struct core_ctx *ctx, cJSON *doc);
/* Returns a newly allocated scrubbed copy of s (never NULL). */
char *result_scrub_str(const struct core_ctx *ctx, const char *s);

/*
 * Renders the final document: changed, out's keys, diff (only with a
 * change), warnings, and, when
 * rc != CORE_OK, failed: true and msg (ctx->msg). invocation is consumed
 * (may be NULL). Everything scrubbed. The caller frees the string.
 */
char *result_render(const struct core_ctx *ctx, struct result *r, cJSON *invocation,
    int rc);

#endif
