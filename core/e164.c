/*
 * e164.c - parse, normalise and compare telephone numbers (see e164.h).
 */
#include "e164.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define E164_MIN_DIGITS 7
#define E164_MAX_DIGITS 15
#define EXT_MAX_DIGITS 10

static int
is_separator(char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' ||
	    c == '\t';
}

static enum e164_err
fail(char *out, size_t outsz, enum e164_err e)
{
	if (outsz)
		out[0] = '\0';
	return e;
}

enum e164_err
e164_normalise(char *out, size_t outsz, const char *in)
{
	char digits[E164_MAX_DIGITS + 1];
	char ext[EXT_MAX_DIGITS + 1];
	size_t nd = 0, ne = 0, need;
	const char *p = in;

	if (!p)
		return fail(out, outsz, E164_EEMPTY);
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "tel:", 4) == 0)
		p += 4;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return fail(out, outsz, E164_EEMPTY);
	if (*p != '+')
		return fail(out, outsz, E164_ENOPLUS);
	for (p++; *p && *p != ';'; p++) {
		if (isdigit((unsigned char)*p)) {
			if (nd == E164_MAX_DIGITS)
				return fail(out, outsz, E164_ELENGTH);
			digits[nd++] = *p;
		} else if (!is_separator(*p)) {
			return fail(out, outsz, E164_ECHAR);
		}
	}
	if (nd < E164_MIN_DIGITS)
		return fail(out, outsz, E164_ELENGTH);
	if (digits[0] == '0')
		return fail(out, outsz, E164_EZERO);
	if (*p == ';') {
		if (strncasecmp(p, ";ext=", 5) != 0)
			return fail(out, outsz, E164_EEXT);
		for (p += 5; *p; p++) {
			if (isspace((unsigned char)*p))
				continue;
			if (!isdigit((unsigned char)*p) || ne == EXT_MAX_DIGITS)
				return fail(out, outsz, E164_EEXT);
			ext[ne++] = *p;
		}
		if (ne == 0)
			return fail(out, outsz, E164_EEXT);
	}
	need = 1 + nd + (ne ? 5 + ne : 0) + 1;
	if (need > outsz)
		return fail(out, outsz, E164_ESPACE);
	out[0] = '+';
	memcpy(out + 1, digits, nd);
	if (ne) {
		memcpy(out + 1 + nd, ";ext=", 5);
		memcpy(out + 1 + nd + 5, ext, ne);
	}
	out[need - 1] = '\0';
	return E164_OK;
}

const char *
e164_strerror(enum e164_err e)
{
	switch (e) {
	case E164_OK:
		return "is valid";
	case E164_EEMPTY:
		return "is empty";
	case E164_ENOPLUS:
		return "has no leading '+' and country code";
	case E164_ECHAR:
		return "holds a character that is not a digit, space, dash, dot or parenthesis";
	case E164_ELENGTH:
		return "must have 7 to 15 digits";
	case E164_EZERO:
		return "has a country code starting with 0";
	case E164_EEXT:
		return "has an extension that is not ';ext=' followed by 1 to 10 digits";
	case E164_ESPACE:
		return "is too long";
	}
	return "is not a telephone number";
}

bool
e164_equal(const char *a, const char *b)
{
	char na[E164_MAX], nb[E164_MAX];

	if (e164_normalise(na, sizeof(na), a) || e164_normalise(nb, sizeof(nb), b))
		return false;
	return strcmp(na, nb) == 0;
}

bool
e164_has_ext(const char *n)
{
	return n && strstr(n, ";ext=") != NULL;
}

enum e164_err
e164_base(char *out, size_t outsz, const char *n)
{
	const char *semi = strchr(n, ';');
	size_t len = semi ? (size_t)(semi - n) : strlen(n);

	if (len + 1 > outsz)
		return fail(out, outsz, E164_ESPACE);
	memcpy(out, n, len);
	out[len] = '\0';
	return E164_OK;
}
