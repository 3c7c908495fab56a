/*
 * text.c - shapes of typed text (see text.h).
 */
#include "text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool
text_is_guid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (!s || strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++)
		if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
text_is_upn(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	const char *p;

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return false;
	for (p = s; *p; p++)
		if (isspace((unsigned char)*p) || *p == '/' || *p == '\\' || *p == '"')
			return false;
	return true;
}

bool
text_same(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

bool
text_empty(const char *s)
{
	return !s || !*s;
}
