/*
 * test_reconcile.c - the want/have comparison every module relies on.
 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "reconcile.h"

static cJSON *
J(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "test JSON parses: %s", text);
	return j;
}

static void
expect_json(const cJSON *got, const char *want_text, const char *what)
{
	cJSON *want = J(want_text);
	char *g = cJSON_PrintUnformatted(got);

	cr_expect(cJSON_Compare(got, want, 1), "%s: got %s, want %s", what, g, want_text);
	free(g);
	cJSON_Delete(want);
}

static const char *const ignore[] = { "id", "@odata.etag", "createdDateTime", NULL };
static const char *const casefold[] = { "ResourceAccount", "userPrincipalName", NULL };
static const char *const unordered[] = { "tags", NULL };
static const char *const additive[] = { "EmergencyNumbers", NULL };
static const struct reconcile_opts opts = { ignore, casefold, unordered, NULL };
static const struct reconcile_opts purge_off = { ignore, casefold, unordered, additive };

Test(reconcile, reports_no_change_when_only_unset_options_differ)
{
	cJSON *want = J("{\"Description\":null,\"ResourceAccount\":\"ABC\"}");
	cJSON *have = J("{\"id\":\"1\",\"Description\":\"x\",\"ResourceAccount\":\"abc\"}");
	struct plan p;

	reconcile_plan(&p, want, have, &opts);
	cr_expect(!p.changed);
	cr_expect(!p.create);
	expect_json(p.changes, "{}", "changes");
	expect_json(p.before, "{\"Description\":\"x\",\"ResourceAccount\":\"abc\"}", "before drops server fields");
	expect_json(p.after, "{\"Description\":\"x\",\"ResourceAccount\":\"abc\"}", "after");
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
}

Test(reconcile, sends_only_the_fields_that_differ)
{
	cJSON *want = J("{\"Description\":\"new\",\"EmergencyNumbers\":[\"+1\",\"+2\"]}");
	cJSON *have = J("{\"Description\":\"old\",\"EmergencyNumbers\":[\"+1\",\"+2\"],\"Other\":1}");
	struct plan p;

	reconcile_plan(&p, want, have, &opts);
	cr_expect(p.changed);
	expect_json(p.changes, "{\"Description\":\"new\"}", "changes");
	expect_json(p.after, "{\"Description\":\"new\",\"EmergencyNumbers\":[\"+1\",\"+2\"],\"Other\":1}", "after");
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
}

Test(reconcile, replaces_lists_in_order_by_default)
{
	cJSON *want = J("{\"EmergencyNumbers\":[\"+2\",\"+1\"]}");
	cJSON *have = J("{\"EmergencyNumbers\":[\"+1\",\"+2\"]}");
	struct plan p;

	reconcile_plan(&p, want, have, &opts);
	cr_expect(p.changed, "order matters for an ordered list");
	expect_json(p.changes, "{\"EmergencyNumbers\":[\"+2\",\"+1\"]}", "changes");
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
}

Test(reconcile, compares_unordered_lists_as_sets)
{
	cJSON *want = J("{\"tags\":[\"b\",\"a\"]}");
	cJSON *have = J("{\"tags\":[\"a\",\"b\"]}");
	struct plan p;

	reconcile_plan(&p, want, have, &opts);
	cr_expect(!p.changed);
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
}

Test(reconcile, adds_missing_items_without_purging_when_additive)
{
	cJSON *want = J("{\"EmergencyNumbers\":[\"+3\",\"+1\"]}");
	cJSON *have = J("{\"EmergencyNumbers\":[\"+1\",\"+2\"]}");
	cJSON *want2 = J("{\"EmergencyNumbers\":[\"+2\"]}");
	struct plan p;

	reconcile_plan(&p, want, have, &purge_off);
	cr_expect(p.changed);
	expect_json(p.changes, "{\"EmergencyNumbers\":[\"+1\",\"+2\",\"+3\"]}", "union keeps have's order");
	reconcile_plan_release(&p);
	reconcile_plan(&p, want2, have, &purge_off);
	cr_expect(!p.changed, "a subset of have changes nothing when additive");
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(want2);
	cJSON_Delete(have);
}

Test(reconcile, plans_a_create_when_nothing_exists)
{
	cJSON *want = J("{\"Identity\":\"Seattle\",\"Description\":null,\"EmergencyNumbers\":[]}");
	struct plan p;

	reconcile_plan(&p, want, NULL, &opts);
	cr_expect(p.changed);
	cr_expect(p.create);
	expect_json(p.before, "{}", "before of a create");
	expect_json(p.after, "{\"Identity\":\"Seattle\",\"EmergencyNumbers\":[]}", "after");
	reconcile_plan_release(&p);
	cJSON_Delete(want);
}

Test(reconcile, compares_nested_objects_on_wanted_keys_only)
{
	cJSON *want = J("{\"menu\":{\"dialByNameEnabled\":true}}");
	cJSON *have = J("{\"menu\":{\"dialByNameEnabled\":false,\"name\":\"Main\"}}");
	cJSON *same = J("{\"menu\":{\"dialByNameEnabled\":true,\"name\":\"Main\"}}");
	struct plan p;

	reconcile_plan(&p, want, have, &opts);
	cr_expect(p.changed);
	expect_json(p.changes, "{\"menu\":{\"dialByNameEnabled\":true}}", "nested changes");
	expect_json(p.after, "{\"menu\":{\"dialByNameEnabled\":true,\"name\":\"Main\"}}", "nested after keeps other keys");
	reconcile_plan_release(&p);
	reconcile_plan(&p, want, same, &opts);
	cr_expect(!p.changed);
	reconcile_plan_release(&p);
	cJSON_Delete(want);
	cJSON_Delete(have);
	cJSON_Delete(same);
}

Test(reconcile, treats_a_missing_field_as_null)
{
	cJSON *want = J("{\"locationId\":\"L1\"}");
	cJSON *have = J("{}");
	cJSON *a = J("null");

	cr_expect(reconcile_equal(a, NULL, "x", &opts));
	cr_expect(!reconcile_equal(cJSON_GetObjectItem(want, "locationId"), NULL, "locationId", &opts));
	cJSON_Delete(want);
	cJSON_Delete(have);
	cJSON_Delete(a);
}

Test(reconcile, ignores_server_managed_fields_in_nested_objects)
{
	cJSON *have = J("{\"id\":\"1\",\"menu\":{\"id\":\"2\",\"name\":\"m\"}}");
	cJSON *s = reconcile_strip(have, &opts);

	expect_json(s, "{\"menu\":{\"name\":\"m\"}}", "stripped");
	cJSON_Delete(s);
	cJSON_Delete(have);
}
