/*
 * test_aacodec.c - the auto attendant codec: encode and decode are each
 * other's inverse on what teams_auto_attendant manages.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aacodec.h"
#include "cj.h"
#include "core.h"
#include "text.h"

#define ALICE_ID "3af26670-0f83-51c8-9ed0-4bf0f9bcc406"
#define BOB_ID "7b1c2d3e-4f50-4612-8a7b-8c9d0e1f2a3b"
#define RA_ID "a1b2c3d4-0000-4000-8000-0000000000b2"
#define GROUP_ID "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"

/* What the module would have resolved: keyed by how the options write it. */
static const char resolved_json[] =
    "{\"alice@contoso.com\":{\"id\":\"" ALICE_ID "\",\"kind\":\"user\"},"
    "\"bob@contoso.com\":{\"id\":\"" BOB_ID "\",\"kind\":\"user\"},"
    "\"aa-queue@contoso.com\":{\"id\":\"" RA_ID "\",\"kind\":\"resource\"},"
    "\"" GROUP_ID "\":{\"id\":\"" GROUP_ID "\"}}";

static cJSON *
parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	cr_assert_not_null(j, "bad test JSON: %s", text);
	return j;
}

/* The inverse of resolved_json: an object id's UPN (aacodec_name_fn). */
static const char *
upn_of(const void *arg, const char *id)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, (const cJSON *)arg)
		if (strcasecmp(cj_str(e, "id"), id) == 0 && cj_str(e, "kind"))
			return e->string;
	return NULL;
}

static void
expect_json_eq(const cJSON *got, const cJSON *want, const char *what)
{
	char *g, *w;

	if (cJSON_Compare(got, want, true))
		return;
	g = cJSON_Print(got);
	w = cJSON_Print(want);
	cr_expect_fail("%s differ:\n got: %s\nwant: %s", what, g, w);
	free(g);
	free(w);
}

/* Encodes opts over have (NULL: a new auto attendant) and returns the whole object. */
static cJSON *
encode_over(const cJSON *opts, const cJSON *have)
{
	struct core_ctx ctx;
	cJSON *resolved = parse(resolved_json), *want = NULL, *base, *body;
	const char *name = cj_str(opts, "name");
	int rc;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	rc = aacodec_encode(&want, &ctx, name, opts, have, resolved);
	cr_assert_eq(rc, CORE_OK, "encode failed: %s", ctx.msg ? ctx.msg : "?");
	base = have ? cj_dup(have) : aacodec_new(name);
	body = aacodec_overlay(base, want);
	cJSON_Delete(base);
	cJSON_Delete(want);
	cJSON_Delete(resolved);
	core_ctx_release(&ctx);
	return body;
}

static cJSON *
decode(const cJSON *aa, cJSON *skipped)
{
	cJSON *resolved = parse(resolved_json), *opts;

	opts = aacodec_decode(aa, upn_of, resolved, skipped);
	cJSON_Delete(resolved);
	return opts;
}

/* "HH:MM:SS" as "HH:MM" when the seconds are 0. */
static void
short_form(char *t)
{
	size_t n = strlen(t);

	if (n >= 3 && strcmp(t + n - 3, ":00") == 0)
		t[n - 3] = '\0';
}

/*
 * Options as decode writes them: a new auto attendant's defaults for what
 * they leave out, times without zero seconds, dates without midnight, days
 * in week order, an empty menu as none.
 */
static cJSON *
normalise(const cJSON *opts)
{
	static const char *const week[] = {
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	};
	static const char *const defaults[][2] = {
		{ "language", "en-US" }, { "voice", "female" }, { "time_zone", "UTC" },
	};
	cJSON *n = cj_dup(opts), *x, *days;
	const cJSON *byname = cJSON_GetObjectItem(n, "dial_by_name");
	const cJSON *byext = cJSON_GetObjectItem(n, "dial_by_extension");
	char t[20];
	int secs;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(defaults); i++)
		if (!cJSON_HasObjectItem(n, defaults[i][0]))
			cj_set_str(n, defaults[i][0], defaults[i][1]);
	if (!cJSON_HasObjectItem(n, "voice_inputs"))
		cj_set(n, "voice_inputs", cJSON_CreateFalse());
	cj_set(n, "dial_by_name", cJSON_CreateBool(cJSON_IsTrue(byname)));
	cj_set(n, "dial_by_extension", cJSON_CreateBool(cJSON_IsTrue(byext)));
	if (cJSON_GetArraySize(cJSON_GetObjectItem(n, "menu")) == 0)
		cJSON_DeleteItemFromObject(n, "menu");
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(n, "business_hours")) {
		cr_assert(aacodec_parse_time(t, cj_str(x, "start"), &secs));
		short_form(t);
		cj_set_str(x, "start", t);
		cr_assert(aacodec_parse_time(t, cj_str(x, "end"), &secs));
		short_form(t);
		cj_set_str(x, "end", t);
		days = cj_array();
		for (i = 0; i < ARRAY_SIZE(week); i++)
			if (cj_has_str(cJSON_GetObjectItem(x, "days"), week[i]))
				cj_push_str(days, week[i]);
		cj_set(x, "days", days);
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItem(n, "holidays")) {
		cr_assert(aacodec_parse_datetime(t, cj_str(x, "start")));
		if (strcmp(t + 10, "T00:00:00") == 0)
			t[10] = '\0';
		short_form(t);
		cj_set_str(x, "start", t);
		cr_assert(aacodec_parse_datetime(t, cj_str(x, "end")));
		if (strcmp(t + 10, "T00:00:00") == 0)
			t[10] = '\0';
		short_form(t);
		cj_set_str(x, "end", t);
	}
	return n;
}

/* ---- options -> wire -> options ---- */

static const char *const option_sets[] = {
	/* Everything: every action, several ranges a day, two holidays. */
	"{\"name\":\"Redmond main line\",\"language\":\"fr-FR\",\"voice\":\"male\","
	"\"time_zone\":\"Pacific Standard Time\",\"voice_inputs\":true,"
	"\"greeting\":\"Welcome to Contoso.\",\"menu_prompt\":\"Press 1 for sales.\","
	"\"dial_by_name\":true,\"dial_by_extension\":false,"
	"\"dial_scope_groups\":[\"" GROUP_ID "\"],"
	"\"menu\":["
	"{\"key\":\"0\",\"action\":\"operator\"},"
	"{\"key\":\"1\",\"action\":\"user\",\"target\":\"alice@contoso.com\"},"
	"{\"key\":\"2\",\"action\":\"resource_account\",\"target\":\"aa-queue@contoso.com\"},"
	"{\"key\":\"3\",\"action\":\"voicemail\",\"target\":\"" GROUP_ID "\"},"
	"{\"key\":\"9\",\"action\":\"disconnect\"},"
	"{\"key\":\"*\",\"action\":\"user\",\"target\":\"bob@contoso.com\"},"
	"{\"key\":\"#\",\"action\":\"operator\"}],"
	"\"operator\":\"alice@contoso.com\","
	"\"business_hours\":["
	"{\"days\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"],"
	"\"start\":\"08:00\",\"end\":\"12:00\"},"
	"{\"days\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\",\"friday\"],"
	"\"start\":\"13:00\",\"end\":\"17:30\"},"
	"{\"days\":[\"saturday\"],\"start\":\"09:00\",\"end\":\"12:30:15\"}],"
	"\"after_hours\":{\"greeting\":\"We are closed.\",\"action\":\"voicemail\","
	"\"target\":\"" GROUP_ID "\"},"
	"\"holidays\":["
	"{\"name\":\"New Year\",\"start\":\"2026-01-01\",\"end\":\"2026-01-02\","
	"\"greeting\":\"Happy new year.\",\"action\":\"operator\"},"
	"{\"name\":\"Stocktake\",\"start\":\"2026-03-02T12:00\",\"end\":\"2026-03-03T08:30\","
	"\"action\":\"resource_account\",\"target\":\"aa-queue@contoso.com\"}]}",

	/* Little: the defaults, dial by extension, everyone in the directory. */
	"{\"name\":\"Small office\",\"dial_by_extension\":true,\"dial_scope_groups\":[],"
	"\"menu\":[]}",

	/* Holidays without business hours; a resource account as the operator. */
	"{\"name\":\"Holiday line\",\"language\":\"de-DE\",\"time_zone\":\"W. Europe Standard Time\","
	"\"operator\":\"aa-queue@contoso.com\","
	"\"menu\":[{\"key\":\"0\",\"action\":\"operator\"}],"
	"\"holidays\":[{\"name\":\"Christmas\",\"start\":\"2026-12-24T12:00\","
	"\"end\":\"2026-12-27\",\"action\":\"disconnect\",\"greeting\":\"Merry Christmas.\"}]}",

	/* Written loosely: short hours, a space before the time, days out of order. */
	"{\"name\":\"Loose\",\"dial_by_name\":false,"
	"\"business_hours\":[{\"days\":[\"friday\",\"monday\"],\"start\":\"9:00\","
	"\"end\":\"17:00:00\"}],"
	"\"after_hours\":{\"action\":\"user\",\"target\":\"bob@contoso.com\"},"
	"\"holidays\":[{\"name\":\"Away day\",\"start\":\"2026-06-01 00:00\","
	"\"end\":\"2026-06-01 18:00:00\"}]}",
};

Test(aacodec, options_round_trip)
{
	cJSON *opts, *wire, *back, *want, *skipped;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(option_sets); i++) {
		opts = parse(option_sets[i]);
		wire = encode_over(opts, NULL);
		skipped = cj_array();
		back = decode(wire, skipped);
		want = normalise(opts);
		/* A holiday without action hangs up. */
		if (i == 3)
			cj_set_str(cJSON_GetArrayItem(cJSON_GetObjectItem(want, "holidays"), 0),
			    "action", "disconnect");
		expect_json_eq(back, want, option_sets[i]);
		cr_expect_eq(cJSON_GetArraySize(skipped), 0, "set %zu: nothing is left out", i);
		cJSON_Delete(opts);
		cJSON_Delete(wire);
		cJSON_Delete(back);
		cJSON_Delete(want);
		cJSON_Delete(skipped);
	}
}

/* Encoding the options again over the object they made changes nothing. */
Test(aacodec, encode_is_idempotent)
{
	cJSON *opts, *wire, *again;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(option_sets); i++) {
		opts = parse(option_sets[i]);
		wire = encode_over(opts, NULL);
		again = encode_over(opts, wire);
		expect_json_eq(again, wire, option_sets[i]);
		cJSON_Delete(opts);
		cJSON_Delete(wire);
		cJSON_Delete(again);
	}
}

/* ---- wire -> options -> wire ---- */

/* The auto attendant of the teams_shared_calling_info integration fixture. */
static const char fixture_aa[] =
    "{\"id\":\"c0ffee00-0000-4000-8000-0000000000aa\",\"name\":\"Redmond main line\","
    "\"languageId\":\"en-US\",\"voiceId\":\"Female\",\"timeZoneId\":\"Pacific Standard Time\","
    "\"voiceResponseEnabled\":false,"
    "\"defaultCallFlow\":{\"id\":\"c0ffee00-0000-4000-8000-0000000000f0\",\"name\":\"Default\","
    "\"greetings\":[{\"activeType\":\"TextToSpeech\","
    "\"textToSpeechPrompt\":\"Welcome to Contoso Redmond.\"}],"
    "\"menu\":{\"name\":\"Main\",\"dialByNameEnabled\":true,\"directorySearchMethod\":\"ByName\","
    "\"prompts\":[{\"activeType\":\"TextToSpeech\","
    "\"textToSpeechPrompt\":\"Say or type a name, or press 0 for the operator.\"}],"
    "\"menuOptions\":[{\"action\":\"TransferCallToOperator\",\"dtmfResponse\":\"Tone0\"},"
    "{\"action\":\"TransferCallToTarget\",\"dtmfResponse\":\"Tone1\","
    "\"callTarget\":{\"id\":\"" ALICE_ID "\",\"type\":\"User\"}}]}},"
    "\"operator\":{\"id\":\"" ALICE_ID "\",\"type\":\"User\"},"
    "\"callFlows\":[{\"id\":\"c0ffee00-0000-4000-8000-0000000000f1\","
    "\"name\":\"After hours call flow\",\"greetings\":[{\"activeType\":\"TextToSpeech\","
    "\"textToSpeechPrompt\":\"We are closed. Please call again during business hours.\"}],"
    "\"menu\":{\"name\":\"After hours call flow\",\"prompts\":[],\"dialByNameEnabled\":false,"
    "\"directorySearchMethod\":\"None\","
    "\"menuOptions\":[{\"action\":\"DisconnectCall\",\"dtmfResponse\":\"Automatic\"}]}},"
    "{\"id\":\"c0ffee00-0000-4000-8000-0000000000f2\",\"name\":\"New Year\","
    "\"greetings\":[{\"activeType\":\"TextToSpeech\","
    "\"textToSpeechPrompt\":\"Happy new year. We are closed today.\"}],"
    "\"menu\":{\"name\":\"New Year\",\"prompts\":[],\"dialByNameEnabled\":false,"
    "\"directorySearchMethod\":\"None\","
    "\"menuOptions\":[{\"action\":\"TransferCallToOperator\",\"dtmfResponse\":\"Automatic\"}]}}],"
    "\"schedules\":[{\"id\":\"c0ffee00-0000-4000-8000-0000000000e1\",\"name\":\"After hours\","
    "\"type\":\"WeeklyRecurrence\",\"weeklyRecurrentSchedule\":{"
    "\"mondayHours\":[{\"start\":\"08:00:00\",\"end\":\"17:00:00\"}],"
    "\"tuesdayHours\":[{\"start\":\"08:00:00\",\"end\":\"17:00:00\"}],"
    "\"wednesdayHours\":[{\"start\":\"08:00:00\",\"end\":\"17:00:00\"}],"
    "\"thursdayHours\":[{\"start\":\"08:00:00\",\"end\":\"17:00:00\"}],"
    "\"fridayHours\":[{\"start\":\"08:00:00\",\"end\":\"17:00:00\"}],"
    "\"saturdayHours\":[{\"start\":\"09:00:00\",\"end\":\"12:30:00\"}],"
    "\"sundayHours\":[],\"isComplemented\":true}},"
    "{\"id\":\"c0ffee00-0000-4000-8000-0000000000e2\",\"name\":\"New Year\",\"type\":\"Fixed\","
    "\"fixedSchedule\":{\"dateTimeRanges\":[{\"start\":\"2026-01-01T00:00:00\","
    "\"end\":\"2026-01-02T00:00:00\"}]}}],"
    "\"callHandlingAssociations\":[{\"type\":\"Holiday\","
    "\"scheduleId\":\"c0ffee00-0000-4000-8000-0000000000e2\","
    "\"callFlowId\":\"c0ffee00-0000-4000-8000-0000000000f2\",\"enabled\":true,\"priority\":1},"
    "{\"type\":\"AfterHours\",\"scheduleId\":\"c0ffee00-0000-4000-8000-0000000000e1\","
    "\"callFlowId\":\"c0ffee00-0000-4000-8000-0000000000f1\",\"enabled\":true,\"priority\":2}],"
    "\"dialByNameResourceId\":null,"
    "\"directoryLookupScope\":{\"inclusionScope\":{\"type\":\"Customized\","
    "\"groupDialScope\":{\"groupIds\":[\"" GROUP_ID "\"]}}},"
    "\"applicationInstances\":[\"a1b2c3d4-0000-4000-8000-0000000000a1\"]}";

/* encode(decode(w)) laid over w is w: the options carry all the module manages. */
static void
expect_wire_round_trip(const cJSON *w, int skips)
{
	cJSON *skipped = cj_array(), *opts = decode(w, skipped), *again;

	cr_expect_eq(cJSON_GetArraySize(skipped), skips, "%d part(s) left out", skips);
	again = encode_over(opts, w);
	expect_json_eq(again, w, "the object encoded again");
	cJSON_Delete(again);
	cJSON_Delete(opts);
	cJSON_Delete(skipped);
}

Test(aacodec, fixture_decodes_to_options)
{
	cJSON *w = parse(fixture_aa), *skipped = cj_array(), *opts = decode(w, skipped);
	cJSON *want = parse(
	    "{\"name\":\"Redmond main line\",\"language\":\"en-US\",\"voice\":\"female\","
	    "\"time_zone\":\"Pacific Standard Time\",\"voice_inputs\":false,"
	    "\"greeting\":\"Welcome to Contoso Redmond.\",\"dial_by_name\":true,"
	    "\"dial_by_extension\":false,\"dial_scope_groups\":[\"" GROUP_ID "\"],"
	    "\"menu_prompt\":\"Say or type a name, or press 0 for the operator.\","
	    "\"menu\":[{\"key\":\"0\",\"action\":\"operator\"},"
	    "{\"key\":\"1\",\"action\":\"user\",\"target\":\"alice@contoso.com\"}],"
	    "\"operator\":\"alice@contoso.com\","
	    "\"business_hours\":[{\"days\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\","
	    "\"friday\"],\"start\":\"08:00\",\"end\":\"17:00\"},"
	    "{\"days\":[\"saturday\"],\"start\":\"09:00\",\"end\":\"12:30\"}],"
	    "\"after_hours\":{\"greeting\":\"We are closed. Please call again during business "
	    "hours.\",\"action\":\"disconnect\"},"
	    "\"holidays\":[{\"name\":\"New Year\",\"start\":\"2026-01-01\",\"end\":\"2026-01-02\","
	    "\"greeting\":\"Happy new year. We are closed today.\",\"action\":\"operator\"}]}");

	expect_json_eq(opts, want, "the fixture's options");
	cr_expect_eq(cJSON_GetArraySize(skipped), 0);
	cJSON_Delete(want);
	cJSON_Delete(opts);
	cJSON_Delete(skipped);
	cJSON_Delete(w);
}

Test(aacodec, wire_round_trip_fixture)
{
	cJSON *w = parse(fixture_aa);

	expect_wire_round_trip(w, 0);
	cJSON_Delete(w);
}

/* The objects the module makes for each option set come back the same. */
Test(aacodec, wire_round_trip_made)
{
	cJSON *opts, *w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(option_sets); i++) {
		opts = parse(option_sets[i]);
		w = encode_over(opts, NULL);
		expect_wire_round_trip(w, 0);
		cJSON_Delete(w);
		cJSON_Delete(opts);
	}
}

/*
 * What the options cannot express (an audio greeting, a transfer to an
 * external number, a holiday of two date ranges) is left out of the
 * options, so encoding them again leaves it as the service has it.
 */
Test(aacodec, inexpressible_parts_are_left_alone)
{
	cJSON *w = parse(fixture_aa), *x;
	cJSON *flow = cJSON_GetObjectItem(w, "defaultCallFlow");
	cJSON *skipped = cj_array(), *opts;

	cj_set(flow, "greetings", parse("[{\"activeType\":\"AudioFile\","
	    "\"audioFilePrompt\":{\"id\":\"f1\",\"fileName\":\"welcome.wav\"}}]"));
	x = cJSON_GetObjectItem(cJSON_GetObjectItem(flow, "menu"), "menuOptions");
	cj_push(x, parse("{\"action\":\"TransferCallToTarget\",\"dtmfResponse\":\"Tone5\","
	    "\"callTarget\":{\"id\":\"tel:+14255550199\",\"type\":\"ExternalPstn\"}}"));
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(w, "schedules"), 1);
	cj_push(cJSON_GetObjectItem(cJSON_GetObjectItem(x, "fixedSchedule"), "dateTimeRanges"),
	    parse("{\"start\":\"2027-01-01T00:00:00\",\"end\":\"2027-01-02T00:00:00\"}"));

	opts = decode(w, skipped);
	cr_expect_null(cJSON_GetObjectItem(opts, "greeting"));
	cr_expect_null(cJSON_GetObjectItem(opts, "menu"));
	cr_expect_null(cJSON_GetObjectItem(opts, "holidays"));
	cr_expect_not_null(cJSON_GetObjectItem(opts, "business_hours"));
	cr_assert_eq(cJSON_GetArraySize(skipped), 3);
	cr_expect_str_eq(cJSON_GetArrayItem(skipped, 0)->valuestring,
	    "the greeting (not one text-to-speech prompt)");
	cr_expect_str_eq(cJSON_GetArrayItem(skipped, 1)->valuestring, "the menu");
	cr_expect_str_eq(cJSON_GetArrayItem(skipped, 2)->valuestring, "the holidays");
	cJSON_Delete(opts);
	cJSON_Delete(skipped);
	expect_wire_round_trip(w, 3);
	cJSON_Delete(w);
}

/* Fields the service adds to items the module manages survive an encode. */
Test(aacodec, service_fields_survive)
{
	cJSON *w = parse(fixture_aa), *opts, *again;
	cJSON *menu = cJSON_GetObjectItem(cJSON_GetObjectItem(w, "defaultCallFlow"), "menu");
	const cJSON *o;

	cj_set(cJSON_GetArrayItem(cJSON_GetObjectItem(menu, "menuOptions"), 1), "voiceResponses",
	    parse("[\"sales\"]"));
	opts = parse("{\"name\":\"Redmond main line\",\"menu\":["
	    "{\"key\":\"1\",\"action\":\"user\",\"target\":\"bob@contoso.com\"}]}");
	again = encode_over(opts, w);
	o = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(again,
	    "defaultCallFlow"), "menu"), "menuOptions"), 0);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(again, "defaultCallFlow"), "menu"), "menuOptions")), 1);
	cr_expect_str_eq(cj_str(cJSON_GetObjectItem(o, "callTarget"), "id"), BOB_ID);
	cr_expect(cj_has_str(cJSON_GetObjectItem(o, "voiceResponses"), "sales"));
	/* What the options do not name is as it was. */
	expect_json_eq(cJSON_GetObjectItem(again, "callFlows"), cJSON_GetObjectItem(w, "callFlows"),
	    "callFlows");
	cJSON_Delete(again);
	cJSON_Delete(opts);
	cJSON_Delete(w);
}

/* ---- refusals ---- */

static int
encode_rc(const char *opts_json, const char *have_json, char **msg)
{
	struct core_ctx ctx;
	cJSON *opts = parse(opts_json), *have = have_json ? parse(have_json) : NULL;
	cJSON *resolved = parse(resolved_json), *want = NULL;
	int rc;

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	rc = aacodec_encode(&want, &ctx, cj_str(opts, "name"), opts, have, resolved);
	cr_expect((rc == CORE_OK) == (want != NULL));
	*msg = ctx.msg ? xstrdup(ctx.msg) : NULL;
	cJSON_Delete(want);
	cJSON_Delete(resolved);
	cJSON_Delete(have);
	cJSON_Delete(opts);
	core_ctx_release(&ctx);
	return rc;
}

Test(aacodec, refusals)
{
	char *msg = NULL;

	cr_expect_eq(encode_rc("{\"name\":\"A\",\"business_hours\":[{\"days\":[\"monday\"],"
	    "\"start\":\"09:00\",\"end\":\"17:00\"}]}", NULL, &msg), CORE_EREFUSED);
	cr_expect(msg && strstr(msg, "business_hours needs after_hours"), "%s", msg);
	free(msg);
	cr_expect_eq(encode_rc("{\"name\":\"A\",\"after_hours\":{\"action\":\"disconnect\"}}",
	    NULL, &msg), CORE_EREFUSED);
	cr_expect(msg && strstr(msg, "after_hours needs business_hours"), "%s", msg);
	free(msg);
	cr_expect_eq(encode_rc("{\"name\":\"A\",\"menu\":[{\"key\":\"0\",\"action\":\"operator\"}]}",
	    NULL, &msg), CORE_EREFUSED);
	cr_expect(msg && strcmp(msg, "menu key '0' transfers to the operator, but auto attendant "
	    "'A' has none; set operator") == 0, "%s", msg);
	free(msg);
	/* An operator already set is enough. */
	cr_expect_eq(encode_rc("{\"name\":\"A\",\"menu\":[{\"key\":\"0\",\"action\":\"operator\"}]}",
	    "{\"name\":\"A\",\"operator\":{\"id\":\"" ALICE_ID "\",\"type\":\"User\"}}", &msg),
	    CORE_OK);
	free(msg);
	cr_expect_eq(encode_rc("{\"name\":\"A\",\"menu\":[{\"key\":\"1\",\"action\":\"user\","
	    "\"target\":\"nobody@contoso.com\"}]}", NULL, &msg), CORE_EARGS);
	cr_expect(msg && strstr(msg, "nobody@contoso.com"), "%s", msg);
	free(msg);
}

/* The refusals that need no account, before any is looked up. */
Test(aacodec, check_before_resolving)
{
	struct core_ctx ctx;
	cJSON *have = parse(fixture_aa);
	cJSON *hours_only = parse("{\"name\":\"A\",\"business_hours\":[{\"days\":[\"monday\"],"
	    "\"start\":\"09:00\",\"end\":\"17:00\"}]}");
	cJSON *after_only = parse("{\"name\":\"A\",\"after_hours\":{\"action\":\"user\","
	    "\"target\":\"nobody@contoso.com\"}}");
	cJSON *open = parse("{\"name\":\"A\",\"business_hours\":[]}");

	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_expect_eq(aacodec_check(&ctx, "A", open, NULL), CORE_OK);
	cr_expect_eq(aacodec_check(&ctx, "A", hours_only, have), CORE_OK);
	cr_expect_eq(aacodec_check(&ctx, "A", after_only, have), CORE_OK);
	cr_expect_null(ctx.msg);
	cr_expect_eq(aacodec_check(&ctx, "A", after_only, NULL), CORE_EREFUSED);
	cr_expect(ctx.msg && strstr(ctx.msg, "after_hours needs business_hours"), "%s", ctx.msg);
	core_ctx_release(&ctx);
	core_ctx_init(&ctx, "dialtone.teams_phone.test");
	cr_expect_eq(aacodec_check(&ctx, "A", hours_only, NULL), CORE_EREFUSED);
	cr_expect(ctx.msg && strstr(ctx.msg, "business_hours needs after_hours"), "%s", ctx.msg);
	core_ctx_release(&ctx);
	cJSON_Delete(open);
	cJSON_Delete(after_only);
	cJSON_Delete(hours_only);
	cJSON_Delete(have);
}

/* Open around the clock: business_hours [] removes the after-hours handling. */
Test(aacodec, business_hours_empty_drops_after_hours)
{
	cJSON *w = parse(fixture_aa), *opts = parse("{\"name\":\"x\",\"business_hours\":[]}");
	cJSON *again = encode_over(opts, w);
	const cJSON *assocs = cJSON_GetObjectItem(again, "callHandlingAssociations");

	cr_expect_eq(cJSON_GetArraySize(assocs), 1);
	cr_expect_str_eq(cj_str(cJSON_GetArrayItem(assocs, 0), "type"), "Holiday");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(again, "schedules")), 1);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(again, "callFlows")), 1);
	cr_expect_str_eq(cj_str(again, "name"), "Redmond main line");
	cJSON_Delete(again);
	cJSON_Delete(opts);
	cJSON_Delete(w);
}

/* ---- what people type ---- */

Test(aacodec, times_and_dates)
{
	char t[20];
	int secs = 0;

	cr_expect(aacodec_parse_time(t, "9:00", &secs));
	cr_expect_str_eq(t, "09:00:00");
	cr_expect_eq(secs, 9 * 3600);
	cr_expect(aacodec_parse_time(t, "23:59:59", &secs));
	cr_expect_not(aacodec_parse_time(t, "24:00", &secs));
	cr_expect_not(aacodec_parse_time(t, "09:60", &secs));
	cr_expect_not(aacodec_parse_time(t, "09:00 ", &secs));
	cr_expect(aacodec_parse_datetime(t, "2028-02-29"));
	cr_expect_str_eq(t, "2028-02-29T00:00:00");
	cr_expect_not(aacodec_parse_datetime(t, "2027-02-29"));
	cr_expect(aacodec_parse_datetime(t, "2026-12-25 8:30"));
	cr_expect_str_eq(t, "2026-12-25T08:30:00");
	cr_expect_not(aacodec_parse_datetime(t, "2026-12-25X08:30"));
}

Test(aacodec, keys_and_languages)
{
	cr_expect_str_eq(aacodec_dtmf_of("0"), "Tone0");
	cr_expect_str_eq(aacodec_dtmf_of("*"), "ToneStar");
	cr_expect_str_eq(aacodec_dtmf_of("#"), "TonePound");
	cr_expect_null(aacodec_dtmf_of("10"));
	cr_expect_null(aacodec_dtmf_of("a"));
	cr_expect_null(aacodec_dtmf_of(""));
	cr_expect(aacodec_is_language("en-US"));
	cr_expect(aacodec_is_language("zh-Hans-CN"));
	cr_expect_not(aacodec_is_language("english"));
	cr_expect_not(aacodec_is_language("e-US"));
	cr_expect_not(aacodec_is_language("1n-US"));
}

/* A new auto attendant's default call flow id derives from the name, whatever its case. */
Test(aacodec, new_ids_derive_from_the_name)
{
	cJSON *a = aacodec_new("Main line"), *b = aacodec_new("MAIN LINE"), *c = aacodec_new("Other");
	const char *ida = cj_str(cJSON_GetObjectItem(a, "defaultCallFlow"), "id");

	cr_expect(text_is_guid(ida));
	cr_expect_str_eq(ida, cj_str(cJSON_GetObjectItem(b, "defaultCallFlow"), "id"));
	cr_expect_str_neq(ida, cj_str(cJSON_GetObjectItem(c, "defaultCallFlow"), "id"));
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}
