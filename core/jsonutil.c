/*
 * jsonutil.c - a strict JSON reader building cJSON items, and Python's
 * str()/repr()/type()/== over them (see jsonutil.h).
 */
#include "jsonutil.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Deeper documents are refused rather than risking the stack. */
#define JSON_MAX_DEPTH 512

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	unsigned flags;
	int depth;
	char *err;      /* first error, owned */
};

static int parse_value(struct parser *p, cJSON **out);

/* Appends or aborts: our buffers have no practical limit. */
static void
put(struct buf *b, const void *s, size_t n)
{
	if (buf_add(b, s, n))
		BUG("out of memory");
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A copy of n bytes of s; the caller free()s it. */
static char *
dupn(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* A copy of n bytes of s made with cJSON's allocator, for cJSON-owned fields. */
static char *
cjson_strndup(const char *s, size_t n)
{
	char *p = cJSON_malloc(n + 1);

	if (!p)
		BUG("out of memory");
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Decodes one UTF-8 sequence of at most n bytes at s. Returns its length,
 * or 0 for an invalid sequence (overlong, surrogate, above U+10FFFF).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		len = 2;
		c &= 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		c &= 0x0F;
	} else if (c < 0xF5) {
		len = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

static size_t
utf8_encode(char *out, unsigned long c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

bool
json_utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	size_t i = 0, k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(u + i, n - i, &cp);
		if (!k) {
			if (bad)
				*bad = i;
			return false;
		}
		i += k;
	}
	return true;
}

char *
json_utf8_fix(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	unsigned long cp;
	size_t n = strlen(s), i = 0, k;

	if (json_utf8_valid(s, n, NULL))
		return NULL;
	while (i < n) {
		k = u[i] < 0x80 ? 1 : utf8_decode(u + i, n - i, &cp);
		if (k) {
			put(&b, s + i, k);
			i += k;
		} else {
			put_str(&b, "\xEF\xBF\xBD");
			i++;
		}
	}
	return buf_detach(&b, NULL);
}

/* Python's str.isspace() for one code point. */
static bool
py_isspace(unsigned long c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ||
	    c == 0x85 || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202F || c == 0x205F || c == 0x3000;
}

char *
json_py_strip(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k, start, end;
	unsigned long cp;
	bool seen = false;

	start = end = n;
	while (i < n) {
		k = utf8_decode(u + i, n - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
		}
		if (!py_isspace(cp)) {
			if (!seen)
				start = i;
			seen = true;
			end = i + k;
		}
		i += k;
	}
	if (!seen)
		return xstrdup("");
	return dupn(s + start, end - start);
}

/* --- the reader ------------------------------------------------------- */

/* Records the first error at byte offset at, with Python's position suffix. */
static int PRINTF(3, 4)
perr(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t i, line = 1, chars = 0, col_chars = 0;
	bool nl = false;

	if (p->err)
		return -1;
	if (at > p->len)
		at = p->len;
	for (i = 0; i < at; i++) {
		if ((p->s[i] & 0xC0) == 0x80)
			continue;       /* a continuation byte: same character */
		if (p->s[i] == '\n') {
			line++;
			nl = true;
			col_chars = 0;
		} else {
			col_chars++;
		}
		chars++;
	}
	va_start(ap, fmt);
	if (buf_vaddf(&b, fmt, ap))
		BUG("out of memory");
	va_end(ap);
	/* Python: colno is pos - rindex('\n') when a newline precedes, else pos + 1. */
	if (buf_addf(&b, ": line %zu column %zu (char %zu)", line,
	    nl ? col_chars + 1 : chars + 1, chars))
		BUG("out of memory");
	p->err = buf_detach(&b, NULL);
	return -1;
}

static bool
at_end(const struct parser *p)
{
	return p->pos >= p->len;
}

static int
peek(const struct parser *p)
{
	return at_end(p) ? -1 : p->s[p->pos];
}

static bool
starts(const struct parser *p, size_t at, const char *word)
{
	size_t n = strlen(word);

	return at <= p->len && p->len - at >= n && memcmp(p->s + at, word, n) == 0;
}

static void
skip_ws(struct parser *p)
{
	while (!at_end(p)) {
		int c = p->s[p->pos];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    ((p->flags & JSON_PY_LITERAL) && c == '\f'))
			p->pos++;
		else
			break;
	}
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads n hex digits at offset at; -1 when they are not all there. */
static long
hexn(const struct parser *p, size_t at, int n)
{
	long v = 0;
	int i, h;

	if (at > p->len || p->len - at < (size_t)n)
		return -1;
	for (i = 0; i < n; i++) {
		h = hexval(p->s[at + (size_t)i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * Decodes \uXXXX (and a following low surrogate) at p->pos, the backslash.
 * Appends the character to b and advances past the escape.
 */
static int
parse_u_escape(struct parser *p, struct buf *b)
{
	size_t at = p->pos;
	long hi, lo;
	char enc[4];

	hi = hexn(p, at + 2, 4);
	if (hi < 0)
		return perr(p, at + 1, "Invalid \\uXXXX escape");
	p->pos += 6;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return perr(p, at, "lone surrogate \\u%04lx is not a character", hi);
	if (hi >= 0xD800 && hi <= 0xDBFF) {
		lo = starts(p, p->pos, "\\u") ? hexn(p, p->pos + 2, 4) : -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return perr(p, at, "lone surrogate \\u%04lx is not a character",
			    hi);
		p->pos += 6;
		hi = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (hi == 0)
		return perr(p, at, "\\u0000 is not allowed: a NUL character "
		    "cannot be passed to a compiled module");
	put(b, enc, utf8_encode(enc, (unsigned long)hi));
	return 0;
}

/* A Python literal string's escape at p->pos (the backslash). */
static int
parse_py_escape(struct parser *p, struct buf *b)
{
	size_t at = p->pos;
	int e = p->pos + 1 < p->len ? p->s[p->pos + 1] : -1;
	static const char from[] = "abfnrtv", to[] = "\a\b\f\n\r\t\v";
	const char *hit;
	long v;
	char enc[4];
	int n;

	if (e == '\n') {
		p->pos += 2;
		return 0;
	}
	if (e == '\\' || e == '\'' || e == '"') {
		put(b, &p->s[p->pos + 1], 1);
		p->pos += 2;
		return 0;
	}
	hit = e > 0 ? strchr(from, e) : NULL;
	if (hit) {
		put(b, &to[hit - from], 1);
		p->pos += 2;
		return 0;
	}
	if (e == 'u')
		return parse_u_escape(p, b);
	if (e == 'x' || e == 'U') {
		n = e == 'x' ? 2 : 8;
		v = hexn(p, at + 2, n);
		if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return perr(p, at, "Invalid \\%c escape", e);
		if (v == 0)
			return perr(p, at, "NUL is not allowed");
		put(b, enc, utf8_encode(enc, (unsigned long)v));
		p->pos += 2 + (size_t)n;
		return 0;
	}
	if (e >= '0' && e <= '7') {
		v = 0;
		p->pos++;
		for (n = 0; n < 3 && !at_end(p) && p->s[p->pos] >= '0' &&
		    p->s[p->pos] <= '7'; n++)
			v = v * 8 + (p->s[p->pos++] - '0');
		if (v == 0)
			return perr(p, at, "NUL is not allowed");
		put(b, enc, utf8_encode(enc, (unsigned long)v));
		return 0;
	}
	/* Python keeps an unknown escape as it is written. */
	put(b, "\\", 1);
	p->pos++;
	return 0;
}

static int
parse_string(struct parser *p, char **out)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t start = p->pos;
	bool py = (p->flags & JSON_PY_LITERAL) != 0;
	unsigned char quote = p->s[p->pos];
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	int rc = -1;

	p->pos++;
	put(&b, "", 0);
	for (;;) {
		unsigned char c;
		size_t run = p->pos;

		/* Copy a run of plain bytes at once. */
		while (run < p->len && p->s[run] != quote && p->s[run] != '\\' &&
		    p->s[run] >= 0x20)
			run++;
		put(&b, p->s + p->pos, run - p->pos);
		p->pos = run;
		if (at_end(p)) {
			perr(p, start, "Unterminated string starting at");
			goto out;
		}
		c = p->s[p->pos];
		if (c == quote) {
			p->pos++;
			break;
		}
		if (c < 0x20 && (!py || c == '\n' || c == '\r')) {
			if (py)
				perr(p, start, "Unterminated string starting at");
			else
				perr(p, p->pos, "Invalid control character at");
			goto out;
		}
		if (c != '\\') {
			put(&b, &p->s[p->pos], 1);
			p->pos++;
			continue;
		}
		if (p->pos + 1 >= p->len) {
			perr(p, start, "Unterminated string starting at");
			goto out;
		}
		if (py) {
			if (parse_py_escape(p, &b))
				goto out;
			continue;
		}
		if (p->s[p->pos + 1] == 'u') {
			if (parse_u_escape(p, &b))
				goto out;
			continue;
		}
		hit = strchr(from, p->s[p->pos + 1]);
		if (!p->s[p->pos + 1] || !hit) {
			perr(p, p->pos, "Invalid \\escape");
			goto out;
		}
		put(&b, &to[hit - from], 1);
		p->pos += 2;
	}
	*out = buf_detach(&b, NULL);
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

static cJSON *
number_with_text(double v, const char *text)
{
	cJSON *item = cJSON_CreateNumber(v);

	if (!item)
		BUG("out of memory");
	item->valuestring = cjson_strndup(text, strlen(text));
	return item;
}

cJSON *
json_new_int(long long v)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", v);
	return number_with_text((double)v, text);
}

cJSON *
json_new_float(double v)
{
	char text[40];

	json_float_repr(text, sizeof(text), v);
	return number_with_text(v, text);
}

cJSON *
json_new_int_text(const char *digits, double v)
{
	return number_with_text(v, digits);
}

/*
 * Canonical int text: no sign for zero, no '+', no leading zeros, no
 * underscores (tok holds digits, an optional sign and underscores).
 */
static char *
int_canonical(const char *tok, size_t n)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t i = 0;
	bool neg = false, any = false;

	while (i < n && (tok[i] == '-' || tok[i] == '+')) {
		if (tok[i] == '-')
			neg = !neg;
		i++;
	}
	for (; i < n; i++) {
		if (tok[i] == '_' || (tok[i] == '0' && !any))
			continue;
		if (!any && neg)
			put(&b, "-", 1);
		any = true;
		put(&b, &tok[i], 1);
	}
	if (!any)
		put(&b, "0", 1);
	return buf_detach(&b, NULL);
}

/* Reads a JSON number (or, with JSON_PY_LITERAL, a Python int/float literal). */
static int
parse_number(struct parser *p, cJSON **out)
{
	size_t start = p->pos, i;
	bool py = (p->flags & JSON_PY_LITERAL) != 0;
	bool is_float = false;
	struct buf clean = BUF_INIT(SIZE_MAX / 2);
	char *text = NULL;
	double v;
	int rc = -1;

	if (py) {
		while (peek(p) == '-' || peek(p) == '+' || peek(p) == ' ')
			p->pos++;
		if (!is_digit(peek(p)) && !(peek(p) == '.' &&
		    p->pos + 1 < p->len && is_digit(p->s[p->pos + 1]))) {
			perr(p, start, "Expecting value");
			goto out;
		}
		while (is_digit(peek(p)) || peek(p) == '_')
			p->pos++;
		if (peek(p) == '.') {
			is_float = true;
			p->pos++;
			while (is_digit(peek(p)) || peek(p) == '_')
				p->pos++;
		}
		if (peek(p) == 'e' || peek(p) == 'E') {
			size_t q = p->pos + 1;

			if (q < p->len && (p->s[q] == '+' || p->s[q] == '-'))
				q++;
			if (q < p->len && is_digit(p->s[q])) {
				is_float = true;
				p->pos = q;
				while (is_digit(peek(p)) || peek(p) == '_')
					p->pos++;
			}
		}
		if (!at_end(p) && (isalpha(p->s[p->pos]) || p->s[p->pos] == '_')) {
			perr(p, p->pos, "invalid number literal");
			goto out;
		}
	} else {
		if (peek(p) == '-')
			p->pos++;
		if (starts(p, p->pos, "Infinity")) {
			perr(p, start, "-Infinity is not allowed: YAML .inf "
			    "cannot be passed to a compiled module");
			goto out;
		}
		if (peek(p) == '0') {
			p->pos++;
		} else if (is_digit(peek(p))) {
			while (is_digit(peek(p)))
				p->pos++;
		} else {
			perr(p, start, "Expecting value");
			goto out;
		}
		if (peek(p) == '.' && p->pos + 1 < p->len &&
		    is_digit(p->s[p->pos + 1])) {
			is_float = true;
			p->pos++;
			while (is_digit(peek(p)))
				p->pos++;
		}
		if (peek(p) == 'e' || peek(p) == 'E') {
			size_t q = p->pos + 1;

			if (q < p->len && (p->s[q] == '+' || p->s[q] == '-'))
				q++;
			if (q < p->len && is_digit(p->s[q])) {
				is_float = true;
				p->pos = q;
				while (is_digit(peek(p)))
					p->pos++;
			}
		}
	}
	for (i = start; i < p->pos; i++)
		if (p->s[i] != '_' && p->s[i] != ' ')
			put(&clean, &p->s[i], 1);
	put(&clean, "", 0);
	if (is_float) {
		char *sign = clean.data;
		bool neg = false;

		/* strtod takes one sign; Python literals may stack them. */
		while (*sign == '-' || *sign == '+') {
			if (*sign == '-')
				neg = !neg;
			sign++;
		}
		v = strtod(sign, NULL);
		if (neg)
			v = -v;
		if (!isfinite(v)) {
			perr(p, start, "number %s is out of range", clean.data);
			goto out;
		}
		*out = json_new_float(v);
	} else {
		text = int_canonical(clean.data, clean.len);
		v = strtod(text, NULL);
		if (!isfinite(v)) {
			perr(p, start, "number %s is out of range", text);
			goto out;
		}
		*out = number_with_text(v, text);
	}
	rc = 0;
out:
	free(text);
	buf_release(&clean);
	return rc;
}

static bool
is_ident(int c)
{
	return c == '_' || isalnum(c) || c >= 0x80;
}

/* A keyword at p->pos; in Python literal mode it must end a name. */
static bool
keyword(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (!starts(p, p->pos, word))
		return false;
	if ((p->flags & JSON_PY_LITERAL) && p->pos + n < p->len &&
	    is_ident(p->s[p->pos + n]))
		return false;
	p->pos += n;
	return true;
}

/* Adds key: value to obj; a repeated key keeps its place and takes the new value. */
static void
object_set(cJSON *obj, const char *key, cJSON *val)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
		if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, key, val))
			BUG("out of memory");
	} else if (!cJSON_AddItemToObject(obj, key, val)) {
		BUG("out of memory");
	}
}

/* A Python dict key as json.dumps() would write it. */
static char *
py_key_text(const cJSON *k)
{
	if (cJSON_IsString(k))
		return xstrdup(k->valuestring);
	if (cJSON_IsTrue(k))
		return xstrdup("true");
	if (cJSON_IsFalse(k))
		return xstrdup("false");
	if (cJSON_IsNull(k))
		return xstrdup("null");
	if (cJSON_IsNumber(k))
		return json_py_str(k);
	return NULL;
}

/*
 * After an item of an object or array that close ends: 0 after a ',' with
 * another item to come, 1 at close (not consumed), -1 (recorded) at anything
 * else. JSON wants an item after a comma (expecting says which); Python
 * allows a trailing one.
 */
static int
after_item(struct parser *p, int close, const char *expecting)
{
	skip_ws(p);
	if (peek(p) == close)
		return 1;
	if (peek(p) != ',')
		return perr(p, p->pos, "Expecting ',' delimiter");
	p->pos++;
	skip_ws(p);
	if (!(p->flags & JSON_PY_LITERAL) && peek(p) == close)
		return perr(p, p->pos, "%s", expecting);
	return 0;
}

static int
parse_object(struct parser *p, cJSON **out)
{
	bool py = (p->flags & JSON_PY_LITERAL) != 0;
	cJSON *obj = cJSON_CreateObject(), *val = NULL, *kitem = NULL;
	char *key = NULL;
	size_t at;
	int next, rc = -1;

	if (!obj)
		BUG("out of memory");
	p->pos++;
	skip_ws(p);
	while (peek(p) != '}') {
		at = p->pos;
		if (py) {
			if (parse_value(p, &kitem))
				goto out;
			key = py_key_text(kitem);
			cJSON_Delete(kitem);
			kitem = NULL;
			if (!key) {
				perr(p, at, "unsupported dict key");
				goto out;
			}
		} else {
			if (peek(p) != '"') {
				perr(p, at, "Expecting property name enclosed in "
				    "double quotes");
				goto out;
			}
			if (parse_string(p, &key))
				goto out;
		}
		skip_ws(p);
		if (peek(p) != ':') {
			perr(p, p->pos, py ? "not a dict" : "Expecting ':' delimiter");
			goto out;
		}
		p->pos++;
		skip_ws(p);
		if (parse_value(p, &val))
			goto out;
		object_set(obj, key, val);
		val = NULL;
		free(key);
		key = NULL;
		next = after_item(p, '}', "Expecting property name enclosed in double quotes");
		if (next < 0)
			goto out;
		if (next)
			break;
	}
	p->pos++;
	rc = 0;
out:
	free(key);
	cJSON_Delete(val);
	if (rc) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	*out = obj;
	return rc;
}

/* '[' ... ']', or with JSON_PY_LITERAL also a tuple '(' ... ')'. */
static int
parse_array(struct parser *p, cJSON **out)
{
	int close = p->s[p->pos] == '(' ? ')' : ']';
	cJSON *arr = cJSON_CreateArray(), *val = NULL;
	bool comma = false;
	int n = 0, next, rc = -1;

	if (!arr)
		BUG("out of memory");
	p->pos++;
	skip_ws(p);
	while (peek(p) != close) {
		if (parse_value(p, &val))
			goto out;
		if (!cJSON_AddItemToArray(arr, val))
			BUG("out of memory");
		val = NULL;
		n++;
		next = after_item(p, close, "Expecting value");
		if (next < 0)
			goto out;
		if (next)
			break;
		comma = true;
	}
	p->pos++;
	rc = 0;
	/* "(x)" is x itself, not a tuple. */
	if (close == ')' && n == 1 && !comma) {
		val = cJSON_DetachItemFromArray(arr, 0);
		cJSON_Delete(arr);
		arr = val;
	}
out:
	if (rc) {
		cJSON_Delete(arr);
		arr = NULL;
	}
	*out = arr;
	return rc;
}

static int
parse_value(struct parser *p, cJSON **out)
{
	bool py = (p->flags & JSON_PY_LITERAL) != 0;
	size_t at = p->pos;
	char *s = NULL;
	int c, rc;

	*out = NULL;
	c = peek(p);
	if (c == '{' || c == '[' || (py && c == '(')) {
		if (p->depth >= JSON_MAX_DEPTH)
			return perr(p, at, "nested more than %d levels deep",
			    JSON_MAX_DEPTH);
		p->depth++;
		rc = c == '{' ? parse_object(p, out) : parse_array(p, out);
		p->depth--;
		return rc;
	}
	if (c == '"' || (py && c == '\'')) {
		if (parse_string(p, &s))
			return -1;
		*out = cJSON_CreateString(s);
		free(s);
		if (!*out)
			BUG("out of memory");
		return 0;
	}
	if (c == '-' || is_digit(c) || (py && (c == '+' || c == '.')))
		return parse_number(p, out);
	if (keyword(p, py ? "True" : "true"))
		*out = cJSON_CreateTrue();
	else if (keyword(p, py ? "False" : "false"))
		*out = cJSON_CreateFalse();
	else if (keyword(p, py ? "None" : "null"))
		*out = cJSON_CreateNull();
	else if (starts(p, at, "NaN"))
		return perr(p, at, "NaN is not allowed: YAML .nan cannot be "
		    "passed to a compiled module");
	else if (starts(p, at, "Infinity"))
		return perr(p, at, "Infinity is not allowed: YAML .inf cannot "
		    "be passed to a compiled module");
	else
		return perr(p, at, "Expecting value");
	if (!*out)
		BUG("out of memory");
	return 0;
}

int
json_parse(cJSON **out, char **errp, const char *text, size_t len,
    unsigned flags)
{
	struct parser p = { (const unsigned char *)text, len, 0, flags, 0, NULL };
	cJSON *v = NULL;
	size_t bad;
	int rc = -1;

	*out = NULL;
	if (!json_utf8_valid(text, len, &bad)) {
		perr(&p, bad, "invalid UTF-8 byte 0x%02x", p.s[bad]);
		goto out;
	}
	if (starts(&p, 0, "\xEF\xBB\xBF")) {
		perr(&p, 0, "Unexpected UTF-8 BOM (decode using utf-8-sig)");
		goto out;
	}
	skip_ws(&p);
	if (parse_value(&p, &v))
		goto out;
	skip_ws(&p);
	if (!at_end(&p)) {
		perr(&p, p.pos, "Extra data");
		goto out;
	}
	*out = v;
	v = NULL;
	rc = 0;
out:
	cJSON_Delete(v);
	if (errp)
		*errp = p.err;
	else
		free(p.err);
	return rc;
}

/* --- Python views --------------------------------------------------- */

void
json_float_repr(char *out, size_t size, double v)
{
	char tmp[40], digits[24];
	int prec, exp10, decpt, nd = 0, i;
	const char *q;
	struct buf b = BUF_INIT(64);
	char *s;

	if (isnan(v)) {
		snprintf(out, size, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(out, size, v < 0 ? "-inf" : "inf");
		return;
	}
	if (v == 0) {
		snprintf(out, size, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	/* The shortest precision that reads back as v, as Python's repr(). */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	q = tmp;
	if (*q == '-') {
		put(&b, "-", 1);
		q++;
	}
	for (; *q && *q != 'e'; q++)
		if (is_digit(*q) && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *q;
	digits[nd] = '\0';
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	exp10 = *q == 'e' ? (int)strtol(q + 1, NULL, 10) : 0;
	decpt = exp10 + 1;
	if (decpt <= -4 || decpt > 16) {
		put(&b, digits, 1);
		if (nd > 1) {
			put(&b, ".", 1);
			put(&b, digits + 1, (size_t)nd - 1);
		}
		if (buf_addf(&b, "e%c%02d", exp10 < 0 ? '-' : '+',
		    exp10 < 0 ? -exp10 : exp10))
			BUG("out of memory");
	} else if (decpt <= 0) {
		put_str(&b, "0.");
		for (i = 0; i < -decpt; i++)
			put(&b, "0", 1);
		put(&b, digits, (size_t)nd);
	} else if (decpt >= nd) {
		put(&b, digits, (size_t)nd);
		for (i = nd; i < decpt; i++)
			put(&b, "0", 1);
		put_str(&b, ".0");
	} else {
		put(&b, digits, (size_t)decpt);
		put(&b, ".", 1);
		put(&b, digits + decpt, (size_t)(nd - decpt));
	}
	s = buf_detach(&b, NULL);
	snprintf(out, size, "%s", s);
	free(s);
}

const char *
json_number_text(const cJSON *item)
{
	if (!cJSON_IsNumber(item))
		return NULL;
	return item->valuestring;
}

static bool
text_is_int(const char *t)
{
	return !strpbrk(t, ".eEinfa");
}

bool
json_is_int(const cJSON *item)
{
	double v;

	if (!cJSON_IsNumber(item))
		return false;
	if (item->valuestring)
		return text_is_int(item->valuestring);
	v = item->valuedouble;
	return isfinite(v) && v == floor(v) && fabs(v) <= (double)JSON_INT_MAX;
}

/* The number's Python text into out. */
static void
number_text(char *out, size_t size, const cJSON *item)
{
	if (item->valuestring)
		snprintf(out, size, "%s", item->valuestring);
	else if (json_is_int(item))
		snprintf(out, size, "%lld", (long long)item->valuedouble);
	else
		json_float_repr(out, size, item->valuedouble);
}

/* Python's repr() of a str. */
static void
repr_string(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	unsigned long c;
	char q = '\'', enc[4];

	if (strchr(s, '\'') && !strchr(s, '"'))
		q = '"';
	put(b, &q, 1);
	while (i < n) {
		k = utf8_decode(u + i, n - i, &c);
		if (!k) {
			/* Python would hold this byte as a surrogate escape. */
			if (buf_addf(b, "\\udc%02x", u[i]))
				BUG("out of memory");
			i++;
			continue;
		}
		i += k;
		if (c == (unsigned long)q || c == '\\') {
			put(b, "\\", 1);
			put(b, enc, utf8_encode(enc, c));
		} else if (c == '\t') {
			put_str(b, "\\t");
		} else if (c == '\n') {
			put_str(b, "\\n");
		} else if (c == '\r') {
			put_str(b, "\\r");
		} else if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD) {
			if (buf_addf(b, "\\x%02lx", c))
				BUG("out of memory");
		} else if ((c >= 0x2000 && c <= 0x200F) || c == 0x2028 ||
		    c == 0x2029 || c == 0x202F || c == 0x205F ||
		    (c >= 0x2060 && c <= 0x2064) || c == 0x3000 || c == 0xFEFF ||
		    (c >= 0xE000 && c <= 0xF8FF)) {
			if (buf_addf(b, "\\u%04lx", c))
				BUG("out of memory");
		} else {
			put(b, enc, utf8_encode(enc, c));
		}
	}
	put(b, &q, 1);
}

static void
repr_value(struct buf *b, const cJSON *item, bool top_str)
{
	char num[64];
	const cJSON *c;
	bool first = true;

	if (!item || cJSON_IsNull(item)) {
		put_str(b, "None");
	} else if (cJSON_IsTrue(item)) {
		put_str(b, "True");
	} else if (cJSON_IsFalse(item)) {
		put_str(b, "False");
	} else if (cJSON_IsNumber(item)) {
		number_text(num, sizeof(num), item);
		put_str(b, num);
	} else if (cJSON_IsString(item)) {
		if (top_str)
			put_str(b, item->valuestring);
		else
			repr_string(b, item->valuestring);
	} else if (cJSON_IsArray(item)) {
		put(b, "[", 1);
		cJSON_ArrayForEach(c, item) {
			if (!first)
				put_str(b, ", ");
			first = false;
			repr_value(b, c, false);
		}
		put(b, "]", 1);
	} else if (cJSON_IsObject(item)) {
		put(b, "{", 1);
		cJSON_ArrayForEach(c, item) {
			if (!first)
				put_str(b, ", ");
			first = false;
			repr_string(b, c->string ? c->string : "");
			put_str(b, ": ");
			repr_value(b, c, false);
		}
		put(b, "}", 1);
	} else if (cJSON_IsRaw(item) && item->valuestring) {
		put_str(b, item->valuestring);
	} else {
		put_str(b, "None");
	}
}

char *
json_py_str(const cJSON *item)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);

	repr_value(&b, item, true);
	return buf_detach(&b, NULL);
}

char *
json_py_repr(const cJSON *item)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);

	repr_value(&b, item, false);
	return buf_detach(&b, NULL);
}

const char *
json_py_type(const cJSON *item)
{
	if (!item || cJSON_IsNull(item))
		return "<class 'NoneType'>";
	if (cJSON_IsBool(item))
		return "<class 'bool'>";
	if (cJSON_IsNumber(item))
		return json_is_int(item) ? "<class 'int'>" : "<class 'float'>";
	if (cJSON_IsArray(item))
		return "<class 'list'>";
	if (cJSON_IsObject(item))
		return "<class 'dict'>";
	return "<class 'str'>";
}

/* Numbers and booleans compare by value in Python (True == 1 == 1.0). */
static bool
numeric(const cJSON *x, double *v)
{
	if (cJSON_IsBool(x)) {
		*v = cJSON_IsTrue(x) ? 1.0 : 0.0;
		return true;
	}
	if (cJSON_IsNumber(x)) {
		*v = x->valuedouble;
		return true;
	}
	return false;
}

bool
json_py_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *c, *d;
	double x, y;

	if (!a || !b)
		return a == b;
	if (numeric(a, &x) && numeric(b, &y)) {
		if (cJSON_IsNumber(a) && cJSON_IsNumber(b) && a->valuestring &&
		    b->valuestring && text_is_int(a->valuestring) &&
		    text_is_int(b->valuestring))
			return strcmp(a->valuestring, b->valuestring) == 0;
		return x == y;
	}
	if (cJSON_IsNull(a) || cJSON_IsNull(b))
		return cJSON_IsNull(a) && cJSON_IsNull(b);
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		for (c = a->child, d = b->child; c && d; c = c->next, d = d->next)
			if (!json_py_equal(c, d))
				return false;
		return true;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return false;
		cJSON_ArrayForEach(c, a) {
			d = cJSON_GetObjectItemCaseSensitive(b, c->string);
			if (!d || !json_py_equal(c, d))
				return false;
		}
		return true;
	}
	return false;
}
