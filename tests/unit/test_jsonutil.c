/*
 * test_jsonutil.c - the strict JSON reader and the Python views of a value
 * (str, repr, type, ==) that AnsibleModule's messages are written in.
 * Expected texts are what Python 3.11 prints for the same values.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "jsonutil.h"

TestSuite(jsonutil, .timeout = 30);

static cJSON *
parse(const char *text, unsigned flags)
{
	cJSON *v = NULL;
	char *err = NULL;

	cr_assert_eq(json_parse(&v, &err, text, strlen(text), flags), 0,
	    "%s: %s", text, err ? err : "");
	return v;
}

Test(jsonutil, keeps_the_python_text_of_each_number)
{
	static const struct {
		const char *in, *text;
		bool is_int;
	} cases[] = {
		{ "3", "3", true },
		{ "-0", "0", true },
		{ "12345678901234567890", "12345678901234567890", true },
		{ "3.0", "3.0", false },
		{ "1.50", "1.5", false },
		{ "-0.0", "-0.0", false },
		{ "1E5", "100000.0", false },
		{ "1e16", "1e+16", false },
		{ "1e-5", "1e-05", false },
		{ "0.0001", "0.0001", false },
		{ "123456789.123", "123456789.123", false },
		{ "1e15", "1000000000000000.0", false },
		{ "0.1", "0.1", false },
		{ "2.5e-300", "2.5e-300", false },
	};
	cJSON *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = parse(cases[i].in, 0);
		cr_expect_str_eq(json_number_text(v), cases[i].text, "input %s",
		    cases[i].in);
		cr_expect_eq(json_is_int(v), cases[i].is_int, "input %s", cases[i].in);
		cJSON_Delete(v);
	}
}

Test(jsonutil, formats_floats_as_python_repr_does)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 1.5, "1.5" }, { 3.0, "3.0" }, { 1e16, "1e+16" }, { 1e-05, "1e-05" },
		{ 0.0001, "0.0001" }, { -2.5, "-2.5" }, { 1e22, "1e+22" },
		{ 123456789012345678.0, "1.2345678901234568e+17" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" }, { 5e-324, "5e-324" },
	};
	char out[40];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		json_float_repr(out, sizeof(out), cases[i].v);
		cr_expect_str_eq(out, cases[i].want);
	}
	json_float_repr(out, sizeof(out), INFINITY);
	cr_expect_str_eq(out, "inf");
}

Test(jsonutil, gives_python_str_repr_and_type)
{
	static const struct {
		const char *in, *str, *repr, *type;
	} cases[] = {
		{ "\"it's\"", "it's", "\"it's\"", "<class 'str'>" },
		{ "\"a\\\"b'c\"", "a\"b'c", "'a\"b\\'c'", "<class 'str'>" },
		{ "\"tab\\there\\u0001\\u007f\\u00e9\"", "tab\there\x01\x7f\xc3\xa9",
		    "'tab\\there\\x01\\x7f\xc3\xa9'", "<class 'str'>" },
		{ "null", "None", "None", "<class 'NoneType'>" },
		{ "true", "True", "True", "<class 'bool'>" },
		{ "7", "7", "7", "<class 'int'>" },
		{ "7.0", "7.0", "7.0", "<class 'float'>" },
		{ "[1, \"a\", null, [true]]", "[1, 'a', None, [True]]",
		    "[1, 'a', None, [True]]", "<class 'list'>" },
		{ "{\"a\": 1, \"b\": {\"c\": \"d\"}}", "{'a': 1, 'b': {'c': 'd'}}",
		    "{'a': 1, 'b': {'c': 'd'}}", "<class 'dict'>" },
	};
	cJSON *v;
	char *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = parse(cases[i].in, 0);
		s = json_py_str(v);
		cr_expect_str_eq(s, cases[i].str, "str of %s", cases[i].in);
		free(s);
		s = json_py_repr(v);
		cr_expect_str_eq(s, cases[i].repr, "repr of %s", cases[i].in);
		free(s);
		cr_expect_str_eq(json_py_type(v), cases[i].type, "type of %s", cases[i].in);
		cJSON_Delete(v);
	}
}

Test(jsonutil, compares_values_as_python_does)
{
	static const struct {
		const char *a, *b;
		bool equal;
	} cases[] = {
		{ "1", "1.0", true },
		{ "1", "true", true },
		{ "0", "false", true },
		{ "\"1\"", "1", false },
		{ "null", "null", true },
		{ "null", "false", false },
		{ "[1, 2]", "[1, 2]", true },
		{ "[1, 2]", "[2, 1]", false },
		{ "{\"a\": 1, \"b\": 2}", "{\"b\": 2, \"a\": 1.0}", true },
		{ "{\"a\": 1}", "{\"a\": 1, \"b\": 2}", false },
		{ "12345678901234567890", "12345678901234567891", false },
	};
	cJSON *a, *b;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		a = parse(cases[i].a, 0);
		b = parse(cases[i].b, 0);
		cr_expect_eq(json_py_equal(a, b), cases[i].equal, "%s == %s",
		    cases[i].a, cases[i].b);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
}

Test(jsonutil, reads_python_literals_for_dict_strings)
{
	cJSON *v;
	char *s;

	v = parse("{'a': 1, \"b\": (1, 2), 'c': None, 'd': True, 'e': [1,], "
	    "'f': -1.5, 'g': 'x\\'y\\n', 1: 'int key', 'h': (3), 'i': ()}",
	    JSON_PY_LITERAL);
	s = json_py_repr(v);
	cr_expect_str_eq(s, "{'a': 1, 'b': [1, 2], 'c': None, 'd': True, "
	    "'e': [1], 'f': -1.5, 'g': \"x'y\\n\", '1': 'int key', 'h': 3, 'i': []}");
	free(s);
	cJSON_Delete(v);
	cr_expect_eq(json_parse(&v, NULL, "{1, 2}", 6, JSON_PY_LITERAL), -1);
	cr_expect_eq(json_parse(&v, NULL, "{'a': os.system('x')}", 21,
	    JSON_PY_LITERAL), -1);
	cr_expect_eq(json_parse(&v, NULL, "{'a': 1}", 8, 0), -1, "not JSON");
}

Test(jsonutil, refuses_what_json_loads_refuses_and_more)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "01", "1.", ".5", "+1", "\"\\x\"", "\"a\nb\"",
		"NaN", "-Infinity", "\"\\ud800\"", "\"\\u0000\"", "1e400", "\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"", "tru", "[1] [2]", "{\"a\" 1}",
	};
	cJSON *v;
	char *err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = NULL;
		cr_expect_eq(json_parse(&v, &err, bad[i], strlen(bad[i]), 0), -1,
		    "input %s", bad[i]);
		cr_expect_null(v);
		cr_expect_not_null(err, "input %s", bad[i]);
		free(err);
	}
}

Test(jsonutil, names_what_is_missing_after_an_item_as_python_does)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)" },
		{ "[1,]", "Expecting value: line 1 column 4 (char 3)" },
		{ "{\"a\": 1 \"b\": 2}", "Expecting ',' delimiter: line 1 column 9 (char 8)" },
		{ "{\"a\": 1,}", "Expecting property name enclosed in double quotes: "
		    "line 1 column 9 (char 8)" },
	};
	cJSON *v;
	char *err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err = NULL;
		cr_expect_eq(json_parse(&v, &err, cases[i].in, strlen(cases[i].in), 0), -1);
		cr_expect_str_eq(err, cases[i].err, "input %s", cases[i].in);
		free(err);
	}
	/* A trailing comma is Python; "(x,)" is a tuple, "(x)" is x. */
	v = parse("{'a': [1, 2,], 'b': (3,), 'c': (4)}", JSON_PY_LITERAL);
	err = json_py_repr(v);
	cr_expect_str_eq(err, "{'a': [1, 2], 'b': [3], 'c': 4}");
	free(err);
	cJSON_Delete(v);
}

Test(jsonutil, refuses_a_nul_byte_in_the_text)
{
	static const char text[] = "{\"a\": \"x\0y\"}";
	cJSON *v;
	char *err = NULL;

	cr_expect_eq(json_parse(&v, &err, text, sizeof(text) - 1, 0), -1);
	cr_expect_str_eq(err, "Invalid control character at: line 1 column 9 (char 8)");
	free(err);
}

Test(jsonutil, refuses_documents_nested_too_deep)
{
	char text[2100];
	cJSON *v;
	char *err = NULL;

	memset(text, '[', 1000);
	memset(text + 1000, ']', 1000);
	text[2000] = '\0';
	cr_expect_eq(json_parse(&v, &err, text, 2000, 0), -1);
	cr_expect_str_eq(err, "nested more than 512 levels deep: line 1 column 513 "
	    "(char 512)");
	free(err);
	memset(text, '[', 200);
	memset(text + 200, ']', 200);
	text[400] = '\0';
	v = parse(text, 0);
	cJSON_Delete(v);
}

Test(jsonutil, strips_python_whitespace_and_checks_utf8)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "  a b \t\n", "a b" },
		{ "\xc2\xa0" "7" "\xe2\x80\x83", "7" },
		{ "\x1f" "x" "\x1c", "x" },
		{ "   ", "" },
		{ "", "" },
	};
	char *s;
	size_t i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		s = json_py_strip(cases[i].in);
		cr_expect_str_eq(s, cases[i].want);
		free(s);
	}
	cr_expect(json_utf8_valid("Zo\xc3\xab \xf0\x9f\x98\x80", 9, NULL));
	cr_expect(!json_utf8_valid("ab\xc3", 3, &bad));
	cr_expect_eq(bad, 2);
	cr_expect_null(json_utf8_fix("fine \xc3\xa9"));
	s = json_utf8_fix("a\xff" "b");
	cr_expect_str_eq(s, "a\xef\xbf\xbd" "b");
	free(s);
}

Test(jsonutil, makes_numbers_that_carry_their_text)
{
	cJSON *i = json_new_int(-42), *f = json_new_float(2.0), *d;

	cr_expect_str_eq(json_number_text(i), "-42");
	cr_expect(json_is_int(i));
	cr_expect_str_eq(json_number_text(f), "2.0");
	cr_expect(!json_is_int(f));
	/* cJSON_Duplicate() copies the text with the number. */
	d = cJSON_Duplicate(f, true);
	cr_expect_str_eq(json_number_text(d), "2.0");
	cJSON_Delete(d);
	cJSON_Delete(i);
	cJSON_Delete(f);
	/* A plain cJSON number is an int when integral and exact. */
	d = cJSON_CreateNumber(5);
	cr_expect(json_is_int(d));
	cr_expect_str_eq(json_py_type(d), "<class 'int'>");
	cJSON_Delete(d);
	d = cJSON_CreateNumber(0.5);
	cr_expect(!json_is_int(d));
	cJSON_Delete(d);
}
