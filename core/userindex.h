/*
 * userindex.h - a hash index from a case-insensitive key (a user principal
 * name, an object id) to a position in the caller's array.
 *
 * Lookups and insertions take constant time on average, so matching N users
 * against a tenant's lists is linear in N, never quadratic. Keys compare and
 * hash ASCII case-insensitively (UPNs and GUIDs are ASCII).
 *
 * Ownership: the index copies every key it stores; uindex_free() releases
 * them and the index. Values are opaque to the index.
 */
#ifndef DIALTONE_USERINDEX_H
#define DIALTONE_USERINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct uindex;

/* A new empty index sized for about hint keys (it grows as needed). */
struct uindex *uindex_new(size_t hint);

/* Releases the index and its copies of the keys; NULL is a no-op. */
void uindex_free(struct uindex *ix);

/*
 * Adds key -> value unless key (in any case) is present already.
 * @return true when added; false when the key was there (its value is kept)
 *         or key is NULL or empty
 */
bool uindex_put(struct uindex *ix, const char *key, size_t value);

/*
 * @param[out] value  the value of key, when found (may be NULL)
 * @return whether key (in any case) is in the index
 */
bool uindex_get(const struct uindex *ix, const char *key, size_t *value);

/* How many keys the index holds. */
size_t uindex_count(const struct uindex *ix);

#endif
