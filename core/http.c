/*
 * http.c - libcurl transport with the retry policy (see http.h).
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HTTP_USER_AGENT CORE_COLLECTION " (libcurl)"
/* Longest single wait between two polls of the multi handle. */
#define HTTP_POLL_MAX_MS 1000

struct http {
	CURLSH *share;         /* connections, DNS, TLS sessions */
	CURL *easy;            /* http_send() */
	CURLM *multi;          /* http_send_many() */
	CURL **pool;           /* easy handles for the multi */
	bool *pool_busy;
	int npool;
	struct http_opts o;
	char *ca_path;         /* owned copy of o.ca_path */
	bool ca_is_dir;
	struct http_rng rng;
	unsigned long nrequests;
	unsigned long nconnects;
	uint64_t started_ms;   /* http_new(): the task's retry budget counts from here */
};

/* One request in progress, for http_send() and http_send_many() alike. */
struct xfer {
	struct http_req *req;
	struct http_resp *resp;
	CURL *easy;            /* set while an attempt is prepared or running */
	int retries;           /* retries made */
	bool reauthed;         /* the last answer was a 401 already answered by reauth */
	bool too_large;        /* the body passed the limit */
	bool headers_too_large;  /* the header block passed HTTP_HEADERS_MAX */
	bool done;
	int rc;
	enum http_transport last_t;
	uint64_t ready_at;     /* monotonic ms before which it waits */
	uint64_t started_at;
	uint64_t first_at;     /* first attempt (0: none yet) */
	uint64_t virt_ms;      /* waits as decided minus waits as slept (test scale) */
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- process-wide state ---- */

static bool curl_ready;
static bool scale_read;
static double backoff_scale = 1.0;

static void
global_init(void)
{
	if (curl_ready)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		BUG("curl_global_init failed");
	curl_ready = true;
}

static double
test_scale(void)
{
	const char *s;
	char *end;
	double v;

	if (scale_read)
		return backoff_scale;
	scale_read = true;
	s = getenv("DIALTONE_TEST_BACKOFF_SCALE");
	if (!s || !*s)
		return backoff_scale;
	errno = 0;
	v = strtod(s, &end);
	if (errno == 0 && *end == '\0' && v >= 0.0 && v <= 1.0)
		backoff_scale = v;
	return backoff_scale;
}

long
http_scaled_ms(long ms)
{
	return (long)((double)ms * test_scale());
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t
http_mono_ms(void)
{
	return mono_ms();
}

static void
sleep_ms(long ms)
{
	struct timespec ts, rem;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
}

void
http_wait_ms(long ms)
{
	sleep_ms(http_scaled_ms(ms));
}

static uint64_t
entropy_seed(void)
{
	uint64_t seed = 0;
	struct timespec ts;

	if (getentropy(&seed, sizeof(seed)) == 0 && seed)
		return seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	    ((uint64_t)getpid() << 40);
}

/* ---- retry policy ---- */

void
http_rng_seed(struct http_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t
http_rng_next(struct http_rng *rng)
{
	uint64_t z;

	/* splitmix64 */
	rng->state += 0x9e3779b97f4a7c15ULL;
	z = rng->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long
http_backoff_ms(struct http_rng *rng, int retry)
{
	long limit = HTTP_BACKOFF_CAP_MS;

	if (retry < 0)
		retry = 0;
	/* base * 2^retry passes the cap from retry 6 on. */
	if (retry < 6 && (HTTP_BACKOFF_BASE_MS << retry) < limit)
		limit = HTTP_BACKOFF_BASE_MS << retry;
	return (long)(http_rng_next(rng) % (uint64_t)(limit + 1));
}

long
http_retry_after_ms(const char *value, time_t now)
{
	const char *p, *end;
	long secs = 0;
	time_t t;

	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == value)
		return -1;
	if (*value >= '0' && *value <= '9') {
		/* delta-seconds = 1*DIGIT */
		for (p = value; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			if (secs > (LONG_MAX / 1000 - 9) / 10)
				return LONG_MAX;   /* far above any max_wait */
			secs = secs * 10 + (*p - '0');
		}
		return secs * 1000;
	}
	/* Every HTTP-date form starts with a day name. */
	if (!((*value >= 'A' && *value <= 'Z') || (*value >= 'a' && *value <= 'z')))
		return -1;
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	if (t <= now)
		return 0;
	if ((double)(t - now) > (double)(LONG_MAX / 1000))
		return LONG_MAX;
	return (long)(t - now) * 1000;
}

bool
http_status_retryable(long status, bool idempotent)
{
	switch (status) {
	case 429:
	case 503:
		return true;
	case 500:
	case 502:
	case 504:
		return idempotent;
	default:
		return false;
	}
}

enum http_transport
http_transport_class(CURLcode code, bool sent)
{
	switch (code) {
	case CURLE_OK:
		return HTTP_T_ANSWER;
	case CURLE_COULDNT_CONNECT:
		return HTTP_T_UNSENT;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_BAD_CONTENT_ENCODING:
		return sent ? HTTP_T_NOANSWER : HTTP_T_UNSENT;
	default:
		return HTTP_T_FATAL;
	}
}

enum http_action
http_decide(long *delay_ms, const struct http_policy *p, struct http_rng *rng,
    enum http_transport t, long status, bool idempotent, int retries,
    long retry_after_ms)
{
	long d;

	*delay_ms = 0;
	switch (t) {
	case HTTP_T_FATAL:
		return HTTP_FAILED;
	case HTTP_T_NOANSWER:
		if (!idempotent)
			return HTTP_AMBIGUOUS;
		retry_after_ms = -1;
		break;
	case HTTP_T_UNSENT:
		retry_after_ms = -1;
		break;
	case HTTP_T_ANSWER:
		if (status == 401)
			return HTTP_REAUTH;
		if (!http_status_retryable(status, idempotent))
			return HTTP_DONE;
		break;
	default:
		return HTTP_FAILED;
	}
	if (retries >= p->max_retries || p->left_ms < 0)
		return HTTP_GIVE_UP;
	if (retry_after_ms >= 0) {
		*delay_ms = retry_after_ms;
		if (retry_after_ms > p->max_wait_ms)
			return HTTP_TOO_LONG;
		if (p->left_ms > 0 && retry_after_ms > p->left_ms) {
			*delay_ms = 0;
			return HTTP_GIVE_UP;
		}
		return HTTP_RETRY;
	}
	d = http_backoff_ms(rng, retries);
	if (d > p->max_wait_ms)
		d = p->max_wait_ms > 0 ? p->max_wait_ms : 0;
	if (p->left_ms > 0 && d > p->left_ms)
		d = p->left_ms;
	*delay_ms = d;
	return HTTP_RETRY;
}

/* ---- URLs ---- */

static bool
host_is_loopback(const char *host)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	unsigned char a[16];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		if (n - 2 >= sizeof(tmp))
			return false;
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	if (inet_pton(AF_INET6, host, a) == 1) {
		static const unsigned char lo[16] = { [15] = 1 };
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

		if (memcmp(a, lo, 16) == 0)
			return true;
		return memcmp(a, mapped, 12) == 0 && a[12] == 127;
	}
	return false;
}

/* Scheme and host of url, lower-cased scheme; false when not a URL. */
static bool
url_parts(const char *url, char **scheme, char **host)
{
	CURLU *u;
	bool ok = false;

	*scheme = NULL;
	*host = NULL;
	global_init();
	u = curl_url();
	if (!u)
		BUG("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK)
		goto out;
	ok = **host != '\0';
out:
	curl_url_cleanup(u);
	if (!ok) {
		curl_free(*scheme);
		curl_free(*host);
		*scheme = NULL;
		*host = NULL;
	}
	return ok;
}

bool
http_url_is_loopback(const char *url)
{
	char *scheme, *host;
	bool lo;

	if (!url || !url_parts(url, &scheme, &host))
		return false;
	lo = host_is_loopback(host);
	curl_free(scheme);
	curl_free(host);
	return lo;
}

int
http_url_check(struct core_ctx *ctx, const char *url, const char *option)
{
	char *scheme = NULL, *host = NULL;
	int rc = CORE_OK;

	if (!url || !*url)
		return core_error(ctx, CORE_EARGS, "%s is empty", option);
	/* curl would guess a scheme for "host/path"; a base URL names it. */
	if (!strstr(url, "://") || !url_parts(url, &scheme, &host))
		return core_error(ctx, CORE_EARGS,
		    "%s '%s' is not a URL: expected https://host[/path]", option, url);
	if (strcasecmp(scheme, "https") == 0)
		goto out;
	if (strcasecmp(scheme, "http") != 0) {
		rc = core_error(ctx, CORE_EARGS,
		    "%s '%s' must use https, not %s", option, url, scheme);
		goto out;
	}
	if (!host_is_loopback(host))
		rc = core_error(ctx, CORE_EARGS,
		    "%s '%s' uses plain http, which is only allowed to loopback "
		    "addresses (127.0.0.0/8, ::1, localhost): use https", option, url);
out:
	curl_free(scheme);
	curl_free(host);
	return rc;
}

/* ---- responses ---- */

void
http_resp_init(struct http_resp *r, const struct http *h)
{
	size_t max = h && h->o.max_body ? h->o.max_body : BUF_DEFAULT_MAX;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, max);
	buf_init(&r->headers, HTTP_HEADERS_MAX);
	r->retry_after_ms = -1;
}

void
http_resp_release(struct http_resp *r)
{
	buf_release(&r->body);
	buf_release(&r->headers);
}

char *
http_resp_header(const struct http_resp *r, const char *name)
{
	const char *p, *eol, *v, *ve;
	size_t nlen = strlen(name);
	char *found = NULL;

	if (!r->headers.data)
		return NULL;
	for (p = r->headers.data; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		if ((size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		v = p + nlen + 1;
		ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		free(found);
		found = xmalloc((size_t)(ve - v) + 1);
		memcpy(found, v, (size_t)(ve - v));
		found[ve - v] = '\0';
	}
	return found;
}

static size_t
on_body(char *p, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;

	if (buf_add(&x->resp->body, p, size * n)) {
		x->too_large = true;
		return 0;               /* libcurl reports CURLE_WRITE_ERROR */
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *userp)
{
	struct xfer *x = userp;
	size_t len = size * n;

	/* A new status line (after 1xx) starts a new header block. */
	if (len >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(&x->resp->headers);
	if (buf_add(&x->resp->headers, p, len)) {
		x->headers_too_large = true;
		return 0;
	}
	return len;
}

/* ---- handles ---- */

static CURL *
easy_new(void)
{
	CURL *e = curl_easy_init();

	if (!e)
		BUG("curl_easy_init failed");
	return e;
}

struct http *
http_new(struct core_ctx *ctx, const struct http_opts *o)
{
	struct http *h;
	struct stat st;

	global_init();
	h = xcalloc(1, sizeof(*h));
	h->o = *o;
	if (h->o.timeout_s <= 0)
		h->o.timeout_s = 30;
	if (h->o.connect_timeout_s <= 0)
		h->o.connect_timeout_s = h->o.timeout_s < 10 ? h->o.timeout_s : 10;
	if (h->o.max_retries < 0)
		h->o.max_retries = 0;
	if (h->o.max_wait_ms < 0)
		h->o.max_wait_ms = 0;
	if (h->o.retry_timeout_ms < 0)
		h->o.retry_timeout_ms = 0;
	if (h->o.task_timeout_ms < 0)
		h->o.task_timeout_ms = 0;
	h->started_ms = mono_ms();
	if (!h->o.max_body)
		h->o.max_body = BUF_DEFAULT_MAX;
	if (o->ca_path && *o->ca_path) {
		h->ca_path = xstrdup(o->ca_path);
		h->ca_is_dir = stat(h->ca_path, &st) == 0 && S_ISDIR(st.st_mode);
	}
	h->o.ca_path = h->ca_path;
	h->share = curl_share_init();
	if (!h->share)
		BUG("curl_share_init failed");
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	h->easy = easy_new();
	http_rng_seed(&h->rng, entropy_seed());
	if (!h->o.validate_certs)
		core_warn(ctx, "validate_certs is false: the TLS certificates of "
		    "the services are not verified");
	return h;
}

void
http_free(struct http *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < h->npool; i++)
		curl_easy_cleanup(h->pool[i]);
	free(h->pool);
	free(h->pool_busy);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	curl_easy_cleanup(h->easy);
	curl_share_cleanup(h->share);
	free(h->ca_path);
	free(h);
}

unsigned long
http_request_count(const struct http *h)
{
	return h ? h->nrequests : 0;
}

unsigned long
http_connect_count(const struct http *h)
{
	return h ? h->nconnects : 0;
}

static void
xfer_init(struct xfer *x, struct http_req *req, struct http_resp *resp)
{
	memset(x, 0, sizeof(*x));
	x->req = req;
	x->resp = resp;
}

/* Prepares x->easy for one attempt of x->req. */
static void
xfer_setup(struct http *h, struct xfer *x)
{
	CURL *e = x->easy;
	const struct http_req *req = x->req;
	const char *m = req->method;

	curl_easy_reset(e);
	buf_reset(&x->resp->body);
	buf_reset(&x->resp->headers);
	x->resp->status = 0;
	x->resp->retry_after_ms = -1;
	x->resp->ambiguous = false;
	x->resp->attempts++;
	if (!x->first_at)
		x->first_at = mono_ms();
	x->too_large = false;
	x->headers_too_large = false;
	x->errbuf[0] = '\0';
	h->nrequests++;
	if (x->req->refresh)
		(void)x->req->refresh(x->req, x->req->userp);

	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_SHARE, h->share);
	curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 0L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->o.timeout_s * 1000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_s * 1000L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, (void *)x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, (void *)x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
	/*
	 * libcurl silently sends a request again when a reused connection
	 * closes without a byte of answer (a stale keep-alive). That is only
	 * safe for idempotent requests: the others get a connection of their
	 * own, so a lost answer stays visible and is never repeated.
	 */
	if (!req->idempotent)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	if (!h->o.validate_certs) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (h->ca_path) {
		if (h->ca_is_dir)
			curl_easy_setopt(e, CURLOPT_CAPATH, h->ca_path);
		else
			curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_path);
	}

	if (strcmp(m, "GET") == 0 && !req->body) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(m, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		return;
	}
	if (req->body || strcmp(m, "DELETE") != 0) {
		/* POST/PUT/PATCH always carry a length, even without a body. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body ? req->body_len : 0));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	}
	if (strcmp(m, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
}

static const char *
curl_text(const struct xfer *x, CURLcode code)
{
	/* libcurl says "Out of memory" for a header line above its own limit too. */
	if (x->headers_too_large)
		return "the response headers are larger than the 256 KiB limit";
	if (code == CURLE_OUT_OF_MEMORY)
		return "the response has a header larger than libcurl accepts "
		    "(or memory ran out)";
	return x->errbuf[0] ? x->errbuf : curl_easy_strerror(code);
}

static const char *
svc_prefix(const struct http_req *req)
{
	return req->service ? req->service : "http";
}

static const char *
tls_hint(CURLcode code)
{
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return " (set ca_path to trust a private CA)";
	default:
		return "";
	}
}

/*
 * Retry time left for x at now: the smaller of its own budget (counted from
 * its first attempt, waits counted as decided, not as scaled for tests) and
 * the task's; 0 when neither is limited, -1 when one is spent.
 */
static long
retry_left_ms(const struct http *h, const struct xfer *x, uint64_t now)
{
	uint64_t used;
	long left = 0, tleft;

	if (h->o.retry_timeout_ms > 0) {
		used = now - x->first_at + x->virt_ms;
		left = used >= (uint64_t)h->o.retry_timeout_ms ? -1 :
		    h->o.retry_timeout_ms - (long)used;
	}
	if (h->o.task_timeout_ms > 0 && left >= 0) {
		used = now - h->started_ms;
		tleft = used >= (uint64_t)h->o.task_timeout_ms ? -1 :
		    h->o.task_timeout_ms - (long)used;
		if (tleft < 0 || left == 0 || tleft < left)
			left = tleft;
	}
	return left;
}

/*
 * After one attempt of x: records what happened and decides.
 * @return true to send again after *wait_ms; false when x->rc is final
 */
static bool
xfer_after(struct http *h, struct core_ctx *ctx, struct xfer *x, CURLcode code,
    long *wait_ms)
{
	struct http_req *req = x->req;
	struct http_resp *resp = x->resp;
	struct http_policy pol;
	enum http_transport t;
	enum http_action act;
	curl_off_t pre = 0;
	long status = 0, reqsize = 0, nconn = 0, delay = 0, pause;
	uint64_t now;
	char *ra;

	*wait_ms = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &reqsize);
	curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &nconn);
	if (nconn > 0)
		h->nconnects += (unsigned long)nconn;

	if (x->too_large || x->headers_too_large || code == CURLE_OUT_OF_MEMORY)
		t = HTTP_T_FATAL;
	else
		t = http_transport_class(code, pre > 0 || reqsize > 0);
	x->last_t = t;
	if (t == HTTP_T_ANSWER) {
		resp->status = status;
		ra = http_resp_header(resp, "Retry-After");
		resp->retry_after_ms = http_retry_after_ms(ra, time(NULL));
		free(ra);
	} else {
		resp->status = 0;
		buf_reset(&resp->body);
	}
	if (t != HTTP_T_ANSWER || resp->status != 401)
		x->reauthed = false;

	now = mono_ms();
	if (t == HTTP_T_ANSWER && (resp->status == 429 || resp->status == 503)) {
		pause = resp->retry_after_ms;
		if (pause > h->o.max_wait_ms)
			pause = h->o.max_wait_ms;
		pace_throttled(req->pace, now, pause >= 0 ? http_scaled_ms(pause) : -1);
	} else if (t == HTTP_T_ANSWER) {
		pace_success(req->pace);
	}

	pol.max_retries = req->no_retry ? 0 : h->o.max_retries;
	pol.max_wait_ms = h->o.max_wait_ms;
	pol.left_ms = retry_left_ms(h, x, now);
	act = http_decide(&delay, &pol, &h->rng, t, resp->status, req->idempotent,
	    x->retries, resp->retry_after_ms);

	switch (act) {
	case HTTP_DONE:
		x->rc = CORE_OK;
		return false;
	case HTTP_RETRY:
		x->retries++;
		*wait_ms = delay;
		x->virt_ms += (uint64_t)(delay - http_scaled_ms(delay));
		return true;
	case HTTP_REAUTH:
		if (!req->reauth || x->reauthed) {
			x->rc = CORE_OK;
			return false;
		}
		req->reauth_shared = false;
		x->rc = req->reauth(req, req->userp);
		x->reauthed = !req->reauth_shared;
		return x->rc == CORE_OK;
	case HTTP_GIVE_UP:
		if (t == HTTP_T_ANSWER) {
			x->rc = CORE_OK;   /* the caller decodes the status */
			return false;
		}
		if (t == HTTP_T_UNSENT)
			x->rc = core_error(ctx, CORE_EHTTP,
			    "%s: %s: could not reach the service after %d attempts: %s",
			    svc_prefix(req), req->label, resp->attempts, curl_text(x, code));
		else
			x->rc = core_error(ctx, CORE_EHTTP,
			    "%s: %s: no answer after %d attempts: %s",
			    svc_prefix(req), req->label, resp->attempts, curl_text(x, code));
		return false;
	case HTTP_TOO_LONG:
		x->rc = core_error(ctx, CORE_EHTTP,
		    "%s: '%s' asked for a %lds wait, above retry_max_wait (%lds)",
		    svc_prefix(req), req->label, delay / 1000 + (delay % 1000 != 0),
		    h->o.max_wait_ms / 1000);
		return false;
	case HTTP_AMBIGUOUS:
		resp->ambiguous = true;
		x->rc = core_error(ctx, CORE_EHTTP,
		    "%s: %s: no answer (%s); the request may have been processed, "
		    "so it is not repeated", svc_prefix(req), req->label,
		    curl_text(x, code));
		return false;
	case HTTP_FAILED:
		if (x->too_large)
			x->rc = core_error(ctx, CORE_EHTTP,
			    "%s: %s: the response from '%s' is larger than the "
			    "%zu-byte limit", svc_prefix(req), req->label, req->url,
			    resp->body.max);
		else
			x->rc = core_error(ctx, CORE_EHTTP, "%s: %s: %s%s",
			    svc_prefix(req), req->label, curl_text(x, code),
			    tls_hint(code));
		return false;
	}
	BUG("unknown http action %d", (int)act);
}

int
http_send(struct http_resp *resp, struct http *h, struct core_ctx *ctx,
    struct http_req *req)
{
	struct xfer x;
	CURLcode code;
	long wait;

	xfer_init(&x, req, resp);
	x.easy = h->easy;
	for (;;) {
		while ((wait = pace_delay_ms(req->pace, mono_ms())) > 0)
			sleep_ms(wait);
		pace_take(req->pace, mono_ms(), req->pace_cost);
		xfer_setup(h, &x);
		code = curl_easy_perform(h->easy);
		if (!xfer_after(h, ctx, &x, code, &wait))
			break;
		sleep_ms(http_scaled_ms(wait));
	}
	/* Drop the borrowed header list and body from the handle. */
	curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, NULL);
	return x.rc;
}

/* ---- many requests at once ---- */

static void
pool_reserve(struct http *h, int n)
{
	int i;

	if (n <= h->npool)
		return;
	h->pool = xrealloc(h->pool, (size_t)n * sizeof(*h->pool));
	h->pool_busy = xrealloc(h->pool_busy, (size_t)n * sizeof(*h->pool_busy));
	for (i = h->npool; i < n; i++) {
		h->pool[i] = easy_new();
		h->pool_busy[i] = false;
	}
	h->npool = n;
}

static CURL *
pool_get(struct http *h)
{
	int i;

	for (i = 0; i < h->npool; i++) {
		if (!h->pool_busy[i]) {
			h->pool_busy[i] = true;
			return h->pool[i];
		}
	}
	BUG("no free easy handle in a pool of %d", h->npool);
}

static void
pool_put(struct http *h, CURL *e)
{
	int i;

	for (i = 0; i < h->npool; i++) {
		if (h->pool[i] == e) {
			curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
			h->pool_busy[i] = false;
			return;
		}
	}
	BUG("easy handle not from the pool");
}

int
http_send_many(struct http_resp *resps, int *rcs, struct http *h,
    struct core_ctx *ctx, struct http_req *reqs, size_t n, int max_concurrency,
    struct http_many_stats *stats)
{
	struct xfer *xs = NULL, *x;
	struct http_many_stats st;
	struct CURLMsg *msg;
	char *priv;
	uint64_t now, last_cut = 0, next;
	size_t i, ndone = 0;
	int win, in_flight = 0, running, left, first = CORE_OK;
	long wait, timeout;
	CURLcode code;

	if (max_concurrency < 1)
		BUG("max_concurrency %d: svc_open() checks it", max_concurrency);
	st.peak_in_flight = 0;
	st.min_window = max_concurrency;
	st.throttled = 0;
	win = max_concurrency;
	if (n == 0)
		goto out;
	if (!h->multi) {
		h->multi = curl_multi_init();
		if (!h->multi)
			BUG("curl_multi_init failed");
	}
	pool_reserve(h, max_concurrency);
	xs = xcalloc(n, sizeof(*xs));
	for (i = 0; i < n; i++) {
		xfer_init(&xs[i], &reqs[i], &resps[i]);
		rcs[i] = CORE_OK;
	}

	while (ndone < n) {
		now = mono_ms();
		for (i = 0; i < n && in_flight < win; i++) {
			x = &xs[i];
			if (x->done || x->easy || x->ready_at > now ||
			    pace_delay_ms(x->req->pace, now) > 0)
				continue;
			pace_take(x->req->pace, now, x->req->pace_cost);
			x->easy = pool_get(h);
			xfer_setup(h, x);
			x->started_at = now;
			if (curl_multi_add_handle(h->multi, x->easy) != CURLM_OK)
				BUG("curl_multi_add_handle failed");
			in_flight++;
			if (in_flight > st.peak_in_flight)
				st.peak_in_flight = in_flight;
		}

		curl_multi_perform(h->multi, &running);
		while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
			bool again;

			if (msg->msg != CURLMSG_DONE)
				continue;
			priv = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			x = (struct xfer *)(void *)priv;
			if (!x)
				BUG("transfer without its state");
			code = msg->data.result;
			curl_multi_remove_handle(h->multi, x->easy);
			again = xfer_after(h, ctx, x, code, &wait);
			pool_put(h, x->easy);
			x->easy = NULL;
			in_flight--;

			if (x->last_t == HTTP_T_ANSWER &&
			    (x->resp->status == 429 || x->resp->status == 503)) {
				st.throttled++;
				if (x->started_at >= last_cut) {
					win = win / 2 > 1 ? win / 2 : 1;
					last_cut = mono_ms();
					if (win < st.min_window)
						st.min_window = win;
				}
			} else if (x->last_t == HTTP_T_ANSWER &&
			    x->resp->status >= 200 && x->resp->status < 300 &&
			    win < max_concurrency) {
				win++;
			}

			if (again) {
				x->ready_at = mono_ms() + (uint64_t)http_scaled_ms(wait);
				continue;
			}
			x->done = true;
			ndone++;
			rcs[x - xs] = x->rc;
			if (x->rc && first == CORE_OK)
				first = x->rc;
		}
		if (ndone == n)
			break;

		/* Wait for traffic, or for the next request due to start. */
		now = mono_ms();
		timeout = HTTP_POLL_MAX_MS;
		if (in_flight < win) {
			for (i = 0; i < n; i++) {
				x = &xs[i];
				if (x->done || x->easy)
					continue;
				next = x->ready_at > now ? x->ready_at - now :
				    (uint64_t)pace_delay_ms(x->req->pace, now);
				if ((long)next < timeout)
					timeout = (long)next;
			}
		}
		if (in_flight > 0)
			curl_multi_poll(h->multi, NULL, 0, (int)timeout, NULL);
		else
			sleep_ms(timeout);
	}
out:
	free(xs);
	if (stats)
		*stats = st;
	return first;
}
