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
 * A list of many large elements (one per user) can be streamed instead
 * (result_put_stream()): result_print() makes, scrubs, prints and frees its
 * elements one at a time, so the document is never whole in memory.
 *
 * Only result.c writes to stdout.
 */
#ifndef DIALTONE_RESULT_H
#define DIALTONE_RESULT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "core.h"

/*
 * Makes element i of a streamed list (result_put_stream()): a new item the
 * renderer consumes.
 */
typedef cJSON *(*result_item_fn)(void *arg, size_t i);

struct result {
	bool changed;
	cJSON *out;   /* object of return values, owned; never NULL after init */
	cJSON *diff;  /* NULL, a diff object, or an array of them; owned */
	/* The one streamed list, if any (result_put_stream()). */
	char *stream_key;
	size_t stream_n;
	result_item_fn stream_item;
	void *stream_arg;                    /* owned: released by stream_release */
	void (*stream_release)(void *arg);
};

void result_init(struct result *r);
void result_release(struct result *r);

/*
 * Sets a return value. json_put-like: always consumes item, on success and
 * failure alike. key must not be one of Ansible's reserved keys.
 */
void result_put(struct result *r, const char *key, cJSON *item);

/*
 * Sets a list return value that is made element by element as it is
 * printed (result_print()), so that a list of many large elements is never
 * held whole: element i is item(arg, i), for i from 0 to n - 1. The list
 * takes key's place among the return values as result_put() would. arg is
 * owned by the result from here on: release(arg) (may be NULL) runs when
 * the result is released. One streamed list per result.
 */
void result_put_stream(struct result *r, const char *key, size_t n, result_item_fn item,
    void *arg, void (*release)(void *arg));

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

/*
 * Prints the document result_render() would return, and a newline, on
 * stdout; a streamed list goes out element by element (each scrubbed as
 * the whole document would be), never whole in memory.
 */
void result_print(const struct core_ctx *ctx, struct result *r, cJSON *invocation, int rc);

#endif
