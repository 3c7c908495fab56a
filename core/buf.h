/*
 * buf.h - a growable byte buffer with a hard size limit, used for every HTTP
 * body and rendered JSON document.
 *
 * After BUF_INIT(max) or buf_init(), len is 0; whenever data is not NULL,
 * data[len] is '\0'. An append that would pass max fails with -1 and
 * releases the buffer, so a caller never parses a truncated body. Keep the
 * bytes with buf_detach(); never free data directly.
 *
 * A bottom-layer primitive: it uses only core.h, and knows nothing of HTTP,
 * JSON or the services (docs/design/layers.md).
 */
#ifndef DIALTONE_BUF_H
#define DIALTONE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core.h"

/* Default cap for a response body: large tenants return big pages. */
#define BUF_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define BUF_INIT(m) { NULL, 0, 0, (m) }

void buf_init(struct buf *b, size_t max);
/* Frees the bytes; b is left empty and reusable with the same max. */
void buf_release(struct buf *b);
/* Sets len to 0 and keeps the allocation. */
void buf_reset(struct buf *b);
/* Appends n bytes; -1 (and the buffer released) when max would be passed. */
int buf_add(struct buf *b, const void *p, size_t n) WARN_UNUSED;
int buf_adds(struct buf *b, const char *s) WARN_UNUSED;
int buf_addf(struct buf *b, const char *fmt, ...) WARN_UNUSED PRINTF(2, 3);
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) WARN_UNUSED
	PRINTF(2, 0);
/* Hands the bytes over (never NULL) and leaves b empty; the caller free()s. */
char *buf_detach(struct buf *b, size_t *lenp);

#endif
