/*
 * text.h - the shapes of what people type that several modules check:
 * object ids (GUIDs) and user principal names; names compared as Teams
 * compares them.
 *
 * Every pointer parameter is borrowed; NULL is never a match.
 *
 * A bottom-layer primitive: it uses only the C library
 * (docs/design/layers.md).
 */
#ifndef DIALTONE_TEXT_H
#define DIALTONE_TEXT_H

#include <stdbool.h>

/* Whether s is a GUID: 8-4-4-4-12 hexadecimal digits, either case. */
bool text_is_guid(const char *s);
/* Whether s is name@domain.tld with no space, slash, backslash or quote. */
bool text_is_upn(const char *s);
/* Whether a and b are both given and equal but for case (names, UPNs, ids). */
bool text_same(const char *a, const char *b);
/* Whether s is NULL or "". */
bool text_empty(const char *s);

#endif
