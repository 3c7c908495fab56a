/*
 * miniserver.c - scripted HTTP/1.1 server for transport tests (see
 * miniserver.h).
 */
#include "miniserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* Reads one request (head and Content-Length body); -1 at end of stream. */
static int
read_request(int fd, struct mini_shared *sh)
{
	char buf[65536];
	size_t len = 0;
	ssize_t n;
	char *end;
	const char *cl;
	size_t need, at;

	for (;;) {
		if (len == sizeof(buf) - 1)
			return -1;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		need = (size_t)(end + 4 - buf);
		cl = find_ci(buf, "\r\ncontent-length:");
		if (cl && cl < end)
			need += strtoul(cl + 17, NULL, 10);
		if (len >= need)
			break;
	}
	if (len >= MINI_LAST_MAX)
		len = MINI_LAST_MAX - 1;
	memcpy(sh->last, buf, len);
	sh->last[len] = '\0';
	at = __atomic_fetch_add(&sh->loglen, len + 2, __ATOMIC_SEQ_CST);
	if (at + len + 2 < MINI_LOG_MAX) {
		memcpy(sh->log + at, buf, len);
		memcpy(sh->log + at + len, "\n\n", 2);
	}
	/* Counted last: a test that sees the count sees the text. */
	__atomic_fetch_add(&sh->requests, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static _Noreturn void
serve_conn(int fd, const struct mini_reply *replies, size_t n, struct mini_shared *sh)
{
	const struct mini_reply *r;
	size_t next;

	while (read_request(fd, sh) == 0) {
		next = (size_t)__atomic_fetch_add(&sh->next, 1, __ATOMIC_SEQ_CST);
		r = &replies[next < n ? next : n - 1];
		if (r->after == MINI_DROP)
			break;
		write_all(fd, r->raw, r->len ? r->len : strlen(r->raw));
		if (r->after == MINI_CLOSE)
			break;
	}
	close(fd);
	_exit(0);
}

static _Noreturn void
serve(int lfd, const struct mini_reply *replies, size_t n, struct mini_shared *sh)
{
	pid_t server = getpid();
	int fd;

	signal(SIGCHLD, SIG_IGN);   /* no zombies */
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			_exit(0);
		}
		__atomic_fetch_add(&sh->connections, 1, __ATOMIC_SEQ_CST);
		switch (fork()) {
		case 0:
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != server)
				_exit(0);
			close(lfd);
			serve_conn(fd, replies, n, sh);
		default:
			close(fd);
		}
	}
}

int
mini_start(struct miniserver *m, const struct mini_reply *replies, size_t n)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int lfd, one = 1;
	pid_t parent = getpid();

	memset(m, 0, sizeof(*m));
	m->pid = -1;
	if (n == 0)
		return -1;
	m->shared = mmap(NULL, sizeof(*m->shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m->shared == MAP_FAILED) {
		m->shared = NULL;
		return -1;
	}
	memset(m->shared, 0, sizeof(*m->shared));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
		close(lfd);
		return -1;
	}
	m->port = ntohs(sa.sin_port);
	snprintf(m->url, sizeof(m->url), "http://127.0.0.1:%d", m->port);
	m->pid = fork();
	if (m->pid < 0) {
		close(lfd);
		return -1;
	}
	if (m->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		serve(lfd, replies, n, m->shared);
	}
	close(lfd);
	return 0;
}

void
mini_stop(struct miniserver *m)
{
	if (m->pid > 0) {
		kill(m->pid, SIGKILL);
		waitpid(m->pid, NULL, 0);
		m->pid = -1;
	}
	if (m->shared) {
		munmap(m->shared, sizeof(*m->shared));
		m->shared = NULL;
	}
}
