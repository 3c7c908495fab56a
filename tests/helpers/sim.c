/*
 * sim.c - the tenant simulator from a Criterion test (see sim.h).
 */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "svc.h"
#include "testcert.h"

#define SIM_SCRIPT "tests/tenantsim/tenantsim.py"
#define SIM_PYTHON "/usr/bin/python3"
#define SIM_START_TIMEOUT_MS 20000

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The simulator script: from the working directory, else from the binary. */
static bool
find_script(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (access(SIM_SCRIPT, R_OK) == 0) {
		snprintf(out, size, "%s", SIM_SCRIPT);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';   /* .../build/tests */
	if ((size_t)snprintf(out, size, "%.*s/../../%s", (int)(size / 2), exe,
	    SIM_SCRIPT) >= size)
		return false;
	return access(out, R_OK) == 0;
}

static bool
read_url(struct sim *s, const char *path)
{
	char *text = testfile_read(path);
	size_t n;

	if (!text)
		return false;
	n = strcspn(text, "\r\n");
	text[n] = '\0';
	if (strncmp(text, "http", 4) != 0 || n >= sizeof(s->url)) {
		free(text);
		return false;
	}
	memcpy(s->url, text, n + 1);
	free(text);
	return true;
}

int
sim_start(struct sim *s, const char *const *extra_args, const char *cafile)
{
	char script[PATH_MAX], urlfile[512], logfile[512];
	const char *argv[40];
	size_t argc = 0, i;
	pid_t parent = getpid();
	int waited, status, fd;

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	if (cafile)
		snprintf(s->cafile, sizeof(s->cafile), "%s", cafile);
	if (!find_script(script, sizeof(script)))
		return -1;
	if (testdir_make(s->dir, sizeof(s->dir)))
		return -1;
	snprintf(urlfile, sizeof(urlfile), "%s/sim.url", s->dir);
	snprintf(logfile, sizeof(logfile), "%s/sim.log", s->dir);

	argv[argc++] = SIM_PYTHON;
	argv[argc++] = script;
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--url-file";
	argv[argc++] = urlfile;
	for (i = 0; extra_args && extra_args[i] && argc < sizeof(argv) / sizeof(argv[0]) - 1; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;

	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		testdir_remove(s->dir);
		return -1;
	}
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execv(SIM_PYTHON, (char *const *)argv);
		_exit(127);
	}
	for (waited = 0; waited < SIM_START_TIMEOUT_MS; waited += 20) {
		if (read_url(s, urlfile))
			return 0;
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = -1;
			break;
		}
		nap_ms(20);
	}
	sim_stop(s);
	return -1;
}

void
sim_stop(struct sim *s)
{
	int status, i;

	if (s->pid > 0) {
		/* A short grace period: the simulator keeps nothing worth saving. */
		kill(s->pid, SIGTERM);
		for (i = 0; i < 5; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid)
				break;
			nap_ms(20);
		}
		if (i == 5) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
		s->pid = -1;
	}
	if (s->dir[0]) {
		testdir_remove(s->dir);
		s->dir[0] = '\0';
	}
}

struct body {
	char *data;
	size_t len;
};

static size_t
on_data(char *p, size_t size, size_t n, void *userp)
{
	struct body *b = userp;
	char *d = realloc(b->data, b->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + b->len, p, size * n);
	b->data = d;
	b->len += size * n;
	d[b->len] = '\0';
	return size * n;
}

long
sim_control(cJSON **out, const struct sim *s, const char *method,
    const char *path, const char *json)
{
	struct curl_slist *h = NULL;
	struct body b = { NULL, 0 };
	char url[1024];
	long status = -1;
	CURL *e;

	if (out)
		*out = NULL;
	e = curl_easy_init();
	if (!e)
		return -1;
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	if (s->cafile[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, s->cafile);
	if (json) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, json);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	}
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (out && b.data)
		*out = cJSON_Parse(b.data);
	free(b.data);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return status;
}

cJSON *
sim_requests(const struct sim *s)
{
	cJSON *doc = NULL, *reqs;

	if (sim_control(&doc, s, "GET", "/_sim/requests", NULL) != 200) {
		cJSON_Delete(doc);
		return NULL;
	}
	reqs = cJSON_DetachItemFromObject(doc, "requests");
	cJSON_Delete(doc);
	return reqs;
}

int
sim_count(const cJSON *requests, const char *service, const char *method,
    const char *prefix, long status)
{
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach(e, requests) {
		const char *sv = cJSON_GetStringValue(cJSON_GetObjectItem(e, "service"));
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(e, "method"));
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(e, "path"));
		const cJSON *st = cJSON_GetObjectItem(e, "status");

		if (service && (!sv || strcmp(sv, service) != 0))
			continue;
		if (method && (!m || strcmp(m, method) != 0))
			continue;
		if (prefix && (!p || strncmp(p, prefix, strlen(prefix)) != 0))
			continue;
		if (status >= 0 && (!cJSON_IsNumber(st) || (long)st->valuedouble != status))
			continue;
		n++;
	}
	return n;
}

cJSON *
sim_params(const struct sim *s, bool with_secret)
{
	cJSON *p = cJSON_CreateObject();
	char url[512];

	cJSON_AddStringToObject(p, "tenant_id", SIM_TENANT_ID);
	cJSON_AddStringToObject(p, "client_id", SIM_CLIENT_ID);
	if (with_secret)
		cJSON_AddStringToObject(p, "client_secret", SIM_SECRET);
	snprintf(url, sizeof(url), "%s/login", s->url);
	cJSON_AddStringToObject(p, "login_endpoint", url);
	snprintf(url, sizeof(url), "%s/graph", s->url);
	cJSON_AddStringToObject(p, "graph_endpoint", url);
	snprintf(url, sizeof(url), "%s/teams", s->url);
	cJSON_AddStringToObject(p, "teams_endpoint", url);
	sim_conn_defaults(p);
	return p;
}

void
sim_conn_defaults(cJSON *params)
{
	static const struct arg_spec conn[] = { ARGS_CONN, ARG_END };
	const struct arg_spec *a;

	for (a = conn; a->name; a++)
		if (a->def && !cJSON_HasObjectItem(params, a->name))
			cJSON_AddItemToObject(params, a->name, cJSON_Parse(a->def));
}
