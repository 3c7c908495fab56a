/*
 * e164.h - telephone numbers as the services store them: E.164 with a
 * leading '+', optionally followed by ";ext=" and digits (Direct Routing).
 *
 * e164_normalise() accepts what people type: a "tel:" prefix, spaces,
 * dashes, dots and parentheses between digits, and ";ext=" in any case. It
 * writes the canonical form "+14255550100" or "+14255550100;ext=123".
 * Pure functions: no context, no allocation.
 *
 * A bottom-layer primitive: it includes no other unit (docs/design/layers.md).
 */
#ifndef DIALTONE_E164_H
#define DIALTONE_E164_H

#include <stdbool.h>
#include <stddef.h>

/* '+', 15 digits, ";ext=", 10 digits, '\0'. */
#define E164_MAX 32

enum e164_err {
	E164_OK = 0,
	E164_EEMPTY,      /* nothing but blanks */
	E164_ENOPLUS,     /* no leading '+' (a national number) */
	E164_ECHAR,       /* a character that is not a digit or separator */
	E164_ELENGTH,     /* fewer than 7 or more than 15 digits */
	E164_EZERO,       /* the country code starts with 0 */
	E164_EEXT,        /* ";ext=" without 1 to 10 digits */
	E164_ESPACE,      /* output buffer too small */
};

/*
 * Writes the canonical form of in to out.
 * @return E164_OK, or the reason in is not a number (out is then "")
 */
enum e164_err e164_normalise(char *out, size_t outsz, const char *in);

/* What was wrong, as a phrase: "has no leading '+' and country code". */
const char *e164_strerror(enum e164_err e);

/* True when a and b normalise to the same number (both must be valid). */
bool e164_equal(const char *a, const char *b);

/* True when the canonical number n carries ";ext=". */
bool e164_has_ext(const char *n);

/*
 * Writes the number without its extension to out ("+14255550100").
 * @return E164_OK or E164_ESPACE
 */
enum e164_err e164_base(char *out, size_t outsz, const char *n);

#endif
