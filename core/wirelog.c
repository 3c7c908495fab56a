/*
 * wirelog.c - DIALTONE_WIRE_LOG (see wirelog.h).
 */
#include "wirelog.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "result.h"

/* True when s contains w, ignoring ASCII case. */
static bool
contains_ci(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return false;
}

static bool
secret_key(const char *k)
{
	static const char *const words[] = {
		"token", "secret", "password", "assertion", "authorization", "credential",
	};
	size_t i;

	if (!k)
		return false;
	/* Page tokens are evidence, not credentials. */
	if (strcasecmp(k, "skipToken") == 0 || strcasecmp(k, "@odata.nextLink") == 0)
		return false;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (contains_ci(k, words[i]))
			return true;
	return false;
}

static void
redact(cJSON *j)
{
	cJSON *c, *next;

	for (c = j ? j->child : NULL; c; c = next) {
		next = c->next;
		if (secret_key(c->string) && !cJSON_IsNull(c) &&
		    !(cJSON_IsString(c) && strcmp(c->valuestring, "<redacted>") == 0)) {
			cJSON *r = cJSON_CreateString("<redacted>");

			if (!r || !cJSON_ReplaceItemViaPointer(j, c, r))
				BUG("out of memory");
			continue;
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			redact(c);
	}
}

/* A body as logged: its JSON (redacted) when it parses, else its text. */
static cJSON *
body_item(const char *text)
{
	cJSON *j;

	if (!text || !*text)
		return cJSON_CreateNull();
	j = cJSON_Parse(text);
	if (!j)
		return cJSON_CreateString(text);
	redact(j);
	return j;
}

void
wirelog_append(struct core_ctx *ctx, const char *service, const char *method,
    const char *shown, long status, const char *request, const char *response)
{
	static bool warned;
	const char *file = getenv("DIALTONE_WIRE_LOG");
	const char *q;
	cJSON *e;
	char *line, *path, *clean;
	bool login;
	FILE *f;

	if (!file || !*file)
		return;
	login = strcmp(service, "login") == 0;
	q = shown ? strchr(shown, '?') : NULL;
	path = shown ? (q ? xasprintf("%.*s", (int)(q - shown), shown) : xstrdup(shown)) :
	    xstrdup("");
	e = cJSON_CreateObject();
	if (!e)
		BUG("out of memory");
	cJSON_AddStringToObject(e, "service", service);
	cJSON_AddStringToObject(e, "method", method);
	cJSON_AddStringToObject(e, "path", login ? "<sign-in>" : path);
	cJSON_AddStringToObject(e, "query", q && !login ? q + 1 : "");
	cJSON_AddNumberToObject(e, "status", (double)status);
	cJSON_AddItemToObject(e, "request", login ? cJSON_CreateString("<not logged>") :
	    body_item(request));
	cJSON_AddItemToObject(e, "response", login ? cJSON_CreateString("<not logged>") :
	    body_item(response));
	line = cJSON_PrintUnformatted(e);
	if (!line)
		BUG("out of memory");
	clean = result_scrub_str(ctx, line);
	f = fopen(file, "a");
	if (!f || fprintf(f, "%s\n", clean) < 0 || fclose(f) != 0) {
		if (!warned)
			core_warn(ctx, "DIALTONE_WIRE_LOG: cannot append to '%s'", file);
		warned = true;
	}
	free(clean);
	cJSON_free(line);
	cJSON_Delete(e);
	free(path);
}
