/*
 * userindex.c - open addressing with linear probing, FNV-1a over the
 * lower-cased bytes; the table is kept at most half full.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "userindex.h"

struct slot {
	char *key;                /* owned; NULL: empty */
	size_t hash;
	size_t value;
};

struct uindex {
	struct slot *slots;
	size_t cap;               /* a power of two */
	size_t count;
};

static size_t
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (size_t)c + ('a' - 'A') : c;
}

static size_t
hash_of(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *s; s++) {
		h ^= lower((unsigned char)*s);
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

struct uindex *
uindex_new(size_t hint)
{
	struct uindex *ix = xcalloc(1, sizeof(*ix));

	ix->cap = 16;
	while (ix->cap < hint * 2)
		ix->cap *= 2;
	ix->slots = xcalloc(ix->cap, sizeof(*ix->slots));
	return ix;
}

void
uindex_free(struct uindex *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->cap; i++)
		free(ix->slots[i].key);
	free(ix->slots);
	free(ix);
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *
find(const struct uindex *ix, const char *key, size_t h)
{
	size_t i = h & (ix->cap - 1);

	for (;;) {
		struct slot *s = &ix->slots[i];

		if (!s->key || (s->hash == h && strcasecmp(s->key, key) == 0))
			return s;
		i = (i + 1) & (ix->cap - 1);
	}
}

static void
grow(struct uindex *ix)
{
	struct slot *old = ix->slots;
	size_t i, n = ix->cap;

	ix->cap *= 2;
	ix->slots = xcalloc(ix->cap, sizeof(*ix->slots));
	for (i = 0; i < n; i++)
		if (old[i].key)
			*find(ix, old[i].key, old[i].hash) = old[i];
	free(old);
}

bool
uindex_put(struct uindex *ix, const char *key, size_t value)
{
	struct slot *s;
	size_t h;

	if (!key || !*key)
		return false;
	if ((ix->count + 1) * 2 > ix->cap)
		grow(ix);
	h = hash_of(key);
	s = find(ix, key, h);
	if (s->key)
		return false;
	s->key = xstrdup(key);
	s->hash = h;
	s->value = value;
	ix->count++;
	return true;
}

bool
uindex_get(const struct uindex *ix, const char *key, size_t *value)
{
	const struct slot *s;

	if (!ix || !key || !*key)
		return false;
	s = find(ix, key, hash_of(key));
	if (!s->key)
		return false;
	if (value)
		*value = s->value;
	return true;
}

size_t
uindex_count(const struct uindex *ix)
{
	return ix ? ix->count : 0;
}
