/*
 * core.h - the module context and the one error vocabulary of libdialtone.
 *
 * Every module run has exactly one struct core_ctx. It carries what Ansible
 * told the module (name, check mode, diff), the first error message, the
 * warnings, and the list of secret values that must never reach the output.
 *
 * Error rule: the first function that sees a failure calls core_error(),
 * which records the message once; every caller above passes the code up
 * unchanged. The module's "msg" is that message. CORE_ENOTFOUND is the one
 * code lookups return without a message, so callers can test for it.
 *
 * Invariants: ctx->msg is NULL until the first core_error(); later calls keep
 * the first message. Strings added with core_secret_add() are copied.
 */
#ifndef DIALTONE_CORE_H
#define DIALTONE_CORE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define WARN_UNUSED __attribute__((warn_unused_result))
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The collection every module belongs to; used in messages and deprecations. */
#define CORE_COLLECTION "dialtone.teams_phone"
/* What AnsibleModule writes in place of a no_log value. */
#define CORE_NO_LOG_VALUE "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

enum core_err {
	CORE_OK = 0,
	CORE_EARGS,      /* 1: bad or missing module option */
	CORE_EAUTH,      /* 2: no token could be obtained */
	CORE_EHTTP,      /* 3: transport failure after retries */
	CORE_ENOTFOUND,  /* 4: expected by lookups; callers test for it */
	CORE_ESERVICE,   /* 5: the service refused the request */
	CORE_ENOMEM,     /* 6: out of memory */
	CORE_ETIMEOUT,   /* 7: a wait (operation, replication, grant) ran out */
	CORE_EREFUSED,   /* 8: the module refuses a configuration before writing */
	CORE_ERR_LAST    /* never use */
};

/*
 * core.h is the bottom layer: it calls nothing of the other core units
 * (args, result, http, auth, svc, graph, teamsadmin, tenant), which all call
 * down into it. Where a higher layer must be told of the context's end (the
 * connection svc.h opens), it registers a release function here.
 */

struct conn;   /* svc.h: connection to the three services, created lazily */
struct snapshot;   /* snapshot.h: the tenant as a bulk read saw it */

struct core_ctx {
	const char *module_name;  /* as written in the task, else the FQCN */
	bool check_mode;
	bool diff;
	bool no_log;              /* task-level no_log */
	int verbosity;
	enum core_err err;        /* code of the first error */
	char *msg;                /* first error message, owned */
	cJSON *warnings;          /* array of strings, owned */
	char **secrets;           /* values scrubbed from every output */
	size_t nsecrets;
	struct conn *conn;        /* owned; NULL until the first service call */
	void (*conn_release)(struct conn *);  /* frees conn; set with conn by svc.h */
	struct snapshot *snapshot;  /* owned; snapshot.h, check runs given one */
	void (*snapshot_release)(struct snapshot *);  /* frees snapshot; set with it */
	const cJSON *params;      /* validated module options; borrowed */
	unsigned long writes;     /* writes a service accepted, or may have (no answer) */
};

/* Sets up ctx for the module named name (its FQCN). Aborts on no memory. */
void core_ctx_init(struct core_ctx *ctx, const char *name);
/* Frees what ctx holds (message, warnings, secrets, and conn through conn_release). */
void core_ctx_release(struct core_ctx *ctx);

/*
 * Records a failure. The first call sets ctx->msg (one line, lower case, no
 * trailing full stop); later calls keep it. Returns code, so call sites read
 * "return core_error(ctx, CORE_EARGS, ...)".
 */
int core_error(struct core_ctx *ctx, enum core_err code, const char *fmt, ...)
	PRINTF(3, 4);
/* Like core_error() but replaces any message already set. */
int core_error_replace(struct core_ctx *ctx, enum core_err code, const char *fmt,
    ...) PRINTF(3, 4);
/*
 * Forgets the recorded error, for the few callers that handled it (a retry
 * after "not found yet", a lookup after an ambiguous failure).
 */
void core_error_clear(struct core_ctx *ctx);
/* Adds a warning to the module result. */
void core_warn(struct core_ctx *ctx, const char *fmt, ...) PRINTF(2, 3);

/*
 * Registers a value that must never appear in any output. Empty strings are
 * ignored. The value is copied.
 */
void core_secret_add(struct core_ctx *ctx, const char *value);

/*
 * Writes text and a newline to stdout and flushes: the one writer of stdout,
 * which carries exactly one JSON object (the result, or BUG()'s).
 */
void core_print_line(const char *text);

/*
 * Writes text to stdout without a newline: the start of a line that
 * core_print_line() ends, for a result printed piece by piece. A BUG()
 * in between starts its object on a line of its own.
 */
void core_print_part(const char *text);

/* Programmer errors: prints one failure JSON object and exits 1. */
_Noreturn void core_bug(const char *file, int line, const char *fmt, ...)
	PRINTF(3, 4);
#define BUG(...) core_bug(__FILE__, __LINE__, __VA_ARGS__)

/* malloc/calloc/realloc/strdup that never return NULL (BUG on exhaustion). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/*
 * qsort() that accepts an empty array whose base is NULL (qsort's own
 * contract requires a valid pointer even for zero elements).
 */
void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
/* Formats into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
/* Whether s is one of the strings of the NULL-terminated list. */
bool core_str_in(const char *const *list, const char *s);

#endif
