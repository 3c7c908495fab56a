/*
 * test_argspec.c - args_spec_json(): an argument table as AnsibleModule's
 * argument_spec, which the documentation test compares with ansible-doc.
 */
#include <criterion/criterion.h>

#include "args.h"

static const char *const excl[] = { "a|b", NULL };
static const struct arg_required_if req_if[] = {
	{ "state", "\"present\"", "name|number", true },
	{ NULL },
};
static const struct arg_rules rules = {
	.mutually_exclusive = excl,
	.required_if = req_if,
};
static const struct arg_spec sub[] = {
	{ "day", ARG_STR, .required = true, .choices = "monday|tuesday" },
	ARG_END,
};
static const struct arg_spec spec[] = {
	{ "name", ARG_STR, .required = true, .aliases = "identity|id" },
	{ "state", ARG_STR, .def = "\"present\"", .choices = "present|absent" },
	{ "users", ARG_LIST, .elements = ARG_STR, .def = "[]" },
	{ "hours", ARG_LIST, .elements = ARG_DICT, .options = sub },
	{ "secret", ARG_STR, .no_log = true },
	{ "a", ARG_BOOL }, { "b", ARG_PATH },
	ARG_END,
};

static cJSON *
opt(const cJSON *doc, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(doc, "options"), name);
}

static char *
field(const cJSON *doc, const char *name, const char *key)
{
	return cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(opt(doc, name), key));
}

#define EXPECT_FIELD(doc, name, key, json) do { \
	char *t_ = field(doc, name, key); \
	cr_expect_str_eq(t_, json, "%s.%s", name, key); \
	free(t_); \
} while (0)

Test(argspec, options_as_ansible_names_them)
{
	cJSON *doc = args_spec_json(spec, &rules);

	EXPECT_FIELD(doc, "name", "type", "\"str\"");
	EXPECT_FIELD(doc, "name", "required", "true");
	EXPECT_FIELD(doc, "name", "aliases", "[\"identity\",\"id\"]");
	EXPECT_FIELD(doc, "state", "default", "\"present\"");
	EXPECT_FIELD(doc, "state", "choices", "[\"present\",\"absent\"]");
	EXPECT_FIELD(doc, "users", "elements", "\"str\"");
	EXPECT_FIELD(doc, "users", "default", "[]");
	EXPECT_FIELD(doc, "secret", "no_log", "true");
	EXPECT_FIELD(doc, "b", "type", "\"path\"");
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(opt(doc, "a"), "default"));
	cr_expect_null(cJSON_GetObjectItemCaseSensitive(opt(doc, "a"), "required"));
	cJSON_Delete(doc);
}

Test(argspec, suboptions_and_rules)
{
	cJSON *doc = args_spec_json(spec, &rules);
	cJSON *hours = opt(doc, "hours");
	char *t;

	t = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(hours, "options"));
	cr_expect_str_eq(t, "{\"day\":{\"type\":\"str\",\"required\":true,"
	    "\"choices\":[\"monday\",\"tuesday\"]}}");
	free(t);
	t = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "mutually_exclusive"));
	cr_expect_str_eq(t, "[[\"a\",\"b\"]]");
	free(t);
	t = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "required_if"));
	cr_expect_str_eq(t, "[[\"state\",\"present\",[\"name\",\"number\"],true]]");
	free(t);
	cJSON_Delete(doc);
}
