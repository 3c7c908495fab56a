/*
 * callrecords.c - call records and the time formats they use (see
 * callrecords.h).
 */
#include "callrecords.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "routes.h"
#include "svc.h"

/* True when word occurs in s, ignoring ASCII case. */
static bool
contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

enum tenant_call_kind
tenant_call_kind(const char *call_type)
{
	if (!call_type || !*call_type)
		return TENANT_CALL_OTHER;
	if (contains_nocase(call_type, "ucap"))
		return TENANT_CALL_BOT;
	if (contains_nocase(call_type, "emergency"))
		return TENANT_CALL_EMERGENCY;
	if (contains_nocase(call_type, "out"))
		return TENANT_CALL_OUTBOUND;
	if (contains_nocase(call_type, "in"))
		return TENANT_CALL_INBOUND;
	return TENANT_CALL_OTHER;
}

/* Reads exactly n decimal digits at *sp into *v and advances *sp. */
static bool
read_digits(const char **sp, int n, int *v)
{
	const char *s = *sp;
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return true;
}

static bool
leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
tenant_parse_time(double *out, const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh, om, sign;
	double frac = 0, scale = 0.1;
	struct tm tm;
	time_t t;

	if (!s || !read_digits(&s, 4, &y) || *s++ != '-' || !read_digits(&s, 2, &mo) ||
	    *s++ != '-' || !read_digits(&s, 2, &d))
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
		return false;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (!read_digits(&s, 2, &h) || *s++ != ':' || !read_digits(&s, 2, &mi))
			return false;
		if (*s == ':') {
			s++;
			if (!read_digits(&s, 2, &sec))
				return false;
			if (*s == '.') {
				s++;
				if (*s < '0' || *s > '9')
					return false;
				for (; *s >= '0' && *s <= '9'; s++, scale /= 10)
					frac += (*s - '0') * scale;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (!read_digits(&s, 2, &oh))
			return false;
		if (*s == ':')
			s++;
		if (!read_digits(&s, 2, &om) || oh > 23 || om > 59)
			return false;
		t -= sign * (oh * 3600 + om * 60);
	}
	if (*s)
		return false;
	*out = (double)t + frac;
	return true;
}

void
tenant_format_time(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		BUG("cannot format time %lld", (long long)t);
}

/* One query of tenant_call_records(): a source over [from, to). */
struct call_slice {
	enum tenant_call_source src;
	time_t from, to;
	char *next;        /* the page to read next (the query, then each nextLink); NULL when done */
	unsigned long pages;  /* pages read */
};

static char *
call_slice_path(enum tenant_call_source src, time_t from, time_t to)
{
	char f[32], t[32];

	tenant_format_time(f, sizeof(f), from);
	tenant_format_time(t, sizeof(t), to);
	return route_path(RT_G_CALL_RECORDS,
	    src == TENANT_CALLS_PSTN ? "getPstnCalls" : "getDirectRoutingCalls", f, t);
}

/* Hands the rows of one page to fn; keeps the page's nextLink in sl->next. */
static int
call_slice_page(struct core_ctx *ctx, struct call_slice *sl, const cJSON *page,
    int (*fn)(void *, enum tenant_call_source, const cJSON *), void *arg,
    struct tenant_call_stats *stats)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(page, "value");
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(page, "@odata.nextLink");
	const cJSON *row, *start;
	double t;
	int rc;

	if (!cJSON_IsArray(value))
		return core_error(ctx, CORE_ESERVICE, "GET %s: graph answered without a "
		    "\"value\" list", sl->src == TENANT_CALLS_PSTN ? "getPstnCalls" :
		    "getDirectRoutingCalls");
	cJSON_ArrayForEach(row, value) {
		start = cJSON_GetObjectItemCaseSensitive(row, "startDateTime");
		/* The service's toDateTime may be inclusive: keep the slice's own rows. */
		if (cJSON_IsString(start) && tenant_parse_time(&t, start->valuestring) &&
		    (t < (double)sl->from || t >= (double)sl->to))
			continue;
		if (stats)
			stats->rows[sl->src]++;
		rc = fn(arg, sl->src, row);
		if (rc)
			return rc;
	}
	/* A link to the page just read would page forever. */
	if (cJSON_IsString(link) && sl->next && strcmp(link->valuestring, sl->next) == 0)
		return core_error(ctx, CORE_ESERVICE, "GET %s: graph's next page link "
		    "points back to the page just read", sl->src == TENANT_CALLS_PSTN ?
		    "getPstnCalls" : "getDirectRoutingCalls");
	free(sl->next);
	sl->next = NULL;
	if (cJSON_IsString(link) && *link->valuestring)
		sl->next = xstrdup(link->valuestring);
	if (sl->next && ++sl->pages >= 100000) {
		free(sl->next);
		sl->next = NULL;
		return core_error(ctx, CORE_ESERVICE, "graph kept returning call record pages "
		    "after 100000");
	}
	return CORE_OK;
}

int
tenant_call_records(struct core_ctx *ctx, const bool sources[TENANT_CALLS_SOURCES],
    time_t from, time_t to, long slice_s, int max_concurrency,
    int (*fn)(void *arg, enum tenant_call_source src, const cJSON *row), void *arg,
    struct tenant_call_stats *stats)
{
	struct call_slice *slices = NULL;
	struct svc_req *reqs = NULL;
	struct svc_resp *resps = NULL;
	size_t *which = NULL, nslices = 0, cap = 0, i, n, k, next_open = 0;
	int *rcs = NULL, rc = CORE_OK, src;
	time_t t, e;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (slice_s <= 0 || slice_s > TENANT_CALLS_MAX_SPAN)
		slice_s = TENANT_CALLS_MAX_SPAN;
	for (src = 0; src < TENANT_CALLS_SOURCES; src++) {
		if (!sources[src])
			continue;
		for (t = from; t < to; t = e) {
			e = to - t > slice_s ? t + slice_s : to;
			if (nslices == cap) {
				cap = cap ? cap * 2 : 16;
				slices = xrealloc(slices, cap * sizeof(*slices));
			}
			slices[nslices].src = (enum tenant_call_source)src;
			slices[nslices].from = t;
			slices[nslices].to = e;
			slices[nslices].next = call_slice_path((enum tenant_call_source)src, t, e);
			slices[nslices].pages = 0;
			nslices++;
			if (stats)
				stats->slices[src]++;
		}
	}
	reqs = xcalloc((size_t)max_concurrency, sizeof(*reqs));
	resps = xcalloc((size_t)max_concurrency, sizeof(*resps));
	rcs = xcalloc((size_t)max_concurrency, sizeof(*rcs));
	which = xcalloc((size_t)max_concurrency, sizeof(*which));
	for (;;) {
		/*
		 * The pages to read: the next page of every slice already started
		 * (slices below next_open), then the first page of new slices. At
		 * most max_concurrency slices are ever open at once.
		 */
		n = 0;
		for (i = 0; i < next_open && n < (size_t)max_concurrency; i++)
			if (slices[i].next)
				which[n++] = i;
		while (next_open < nslices && n < (size_t)max_concurrency)
			which[n++] = next_open++;
		if (n == 0)
			break;
		for (k = 0; k < n; k++) {
			memset(&reqs[k], 0, sizeof(reqs[k]));
			reqs[k].svc = SVC_GRAPH;
			reqs[k].method = "GET";
			reqs[k].path = slices[which[k]].next;
			if (stats)
				stats->requests[slices[which[k]].src]++;
		}
		rc = svc_call_many(resps, rcs, ctx, reqs, n);
		for (k = 0; rc == CORE_OK && k < n; k++) {
			rc = rcs[k];
			if (rc == CORE_OK)
				rc = call_slice_page(ctx, &slices[which[k]], resps[k].json, fn, arg,
				    stats);
		}
		for (k = 0; k < n; k++)
			svc_resp_release(&resps[k]);
		if (rc)
			goto out;
	}
out:
	for (i = 0; i < nslices; i++)
		free(slices[i].next);
	free(slices);
	free(reqs);
	free(resps);
	free(rcs);
	free(which);
	return rc;
}
