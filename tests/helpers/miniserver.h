/*
 * miniserver.h - a scripted HTTP/1.1 server on a loopback port, for unit
 * tests of the transport (http.c) that need exact bytes on the wire: an
 * oversized body, a Retry-After, a connection dropped after the request,
 * a gzip body. No simulator, no Python.
 *
 * mini_start() forks a child that answers the n-th request it reads with
 * replies[n] (the last reply repeats once the script runs out), counting
 * requests across connections (each connection is served by a process of
 * its own, so an idle kept-alive connection never blocks a new one). The
 * server dies with the test process (PR_SET_PDEATHSIG) and with mini_stop().
 * Counters live in shared memory, so the test reads how many requests the
 * server saw and the text of the last one.
 */
#ifndef DIALTONE_TEST_MINISERVER_H
#define DIALTONE_TEST_MINISERVER_H

#include <stddef.h>
#include <sys/types.h>

enum mini_after {
	MINI_KEEP = 0,  /* answer and keep the connection open */
	MINI_CLOSE,     /* answer, then close */
	MINI_DROP,      /* read the request, close without answering */
};

struct mini_reply {
	const char *raw;     /* status line, headers, blank line, body */
	size_t len;          /* 0: strlen(raw) */
	enum mini_after after;
};

#define MINI_LAST_MAX 8192
#define MINI_LOG_MAX 65536

struct mini_shared {
	int next;                    /* index of the next reply */
	int requests;                /* requests read */
	int connections;             /* connections accepted */
	char last[MINI_LAST_MAX];    /* the last request's head and body */
	char log[MINI_LOG_MAX];      /* every request, in order, while it fits */
	size_t loglen;
};

struct miniserver {
	pid_t pid;
	int port;
	char url[64];                /* "http://127.0.0.1:PORT" */
	struct mini_shared *shared;  /* mmap'd, shared with the child */
};

/* @return 0, or -1 when the server could not start */
int mini_start(struct miniserver *m, const struct mini_reply *replies, size_t n);
void mini_stop(struct miniserver *m);

#endif
