/*
 * argspec.c - an argument table rendered as AnsibleModule's argument_spec in
 * JSON (see args_spec_json() in args.h). Module binaries print it when run
 * as "MODULE --argument-spec", so that a test can compare each table with
 * the documentation stub ansible-doc reads, and neither drifts.
 */
#include "args.h"

#include <stdlib.h>
#include <string.h>

/* "a|b|c" as a JSON array of strings. */
static cJSON *
split_list(const char *text)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = text, *bar;

	for (;;) {
		bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		char *item = xmalloc(n + 1);

		memcpy(item, p, n);
		item[n] = '\0';
		cJSON_AddItemToArray(arr, cJSON_CreateString(item));
		free(item);
		if (!bar)
			return arr;
		p = bar + 1;
	}
}

/* A NULL-terminated list of "a|b" groups as a list of lists. */
static cJSON *
groups(const char *const *list)
{
	cJSON *arr = cJSON_CreateArray();

	for (; *list; list++)
		cJSON_AddItemToArray(arr, split_list(*list));
	return arr;
}

static void
add_rules(cJSON *out, const struct arg_rules *rules)
{
	const struct arg_required_if *ri;
	const struct arg_required_by *rb;
	cJSON *list, *item;

	if (!rules)
		return;
	if (rules->mutually_exclusive)
		cJSON_AddItemToObject(out, "mutually_exclusive", groups(rules->mutually_exclusive));
	if (rules->required_together)
		cJSON_AddItemToObject(out, "required_together", groups(rules->required_together));
	if (rules->required_one_of)
		cJSON_AddItemToObject(out, "required_one_of", groups(rules->required_one_of));
	if (rules->required_if) {
		list = cJSON_AddArrayToObject(out, "required_if");
		for (ri = rules->required_if; ri->key; ri++) {
			item = cJSON_CreateArray();
			cJSON_AddItemToArray(item, cJSON_CreateString(ri->key));
			cJSON_AddItemToArray(item, cJSON_Parse(ri->value));
			cJSON_AddItemToArray(item, split_list(ri->requirements));
			if (ri->any)
				cJSON_AddItemToArray(item, cJSON_CreateTrue());
			cJSON_AddItemToArray(list, item);
		}
	}
	if (rules->required_by) {
		list = cJSON_AddObjectToObject(out, "required_by");
		for (rb = rules->required_by; rb->key; rb++)
			cJSON_AddItemToObject(list, rb->key, split_list(rb->requirements));
	}
}

static cJSON *
options(const struct arg_spec *spec)
{
	cJSON *out = cJSON_CreateObject(), *o, *def;
	const struct arg_spec *s;

	for (s = spec; s->name; s++) {
		o = cJSON_AddObjectToObject(out, s->name);
		cJSON_AddStringToObject(o, "type", args_type_name(s->type));
		if (s->required)
			cJSON_AddTrueToObject(o, "required");
		if (s->def) {
			def = cJSON_Parse(s->def);
			if (!def)
				BUG("option %s: default is not JSON: %s", s->name, s->def);
			cJSON_AddItemToObject(o, "default", def);
		}
		if (s->choices)
			cJSON_AddItemToObject(o, "choices", split_list(s->choices));
		if (s->type == ARG_LIST && s->elements != ARG_NONE)
			cJSON_AddStringToObject(o, "elements", args_type_name(s->elements));
		if (s->aliases)
			cJSON_AddItemToObject(o, "aliases", split_list(s->aliases));
		if (s->no_log)
			cJSON_AddTrueToObject(o, "no_log");
		if (s->text != ARG_TEXT_ANY)
			cJSON_AddStringToObject(o, "text", args_text_name(s->text));
		if (s->max_len)
			cJSON_AddNumberToObject(o, "max_len", (double)s->max_len);
		if (s->ranged) {
			cJSON_AddNumberToObject(o, "min", (double)s->min);
			cJSON_AddNumberToObject(o, "max", (double)s->max);
		}
		if (s->options) {
			cJSON_AddItemToObject(o, "options", options(s->options));
			add_rules(o, s->rules);
		}
	}
	return out;
}

cJSON *
args_spec_json(const struct arg_spec *spec, const struct arg_rules *rules)
{
	cJSON *out = cJSON_CreateObject();

	cJSON_AddItemToObject(out, "options", options(spec));
	add_rules(out, rules);
	return out;
}
