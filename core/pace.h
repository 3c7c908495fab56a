/*
 * pace.h - a token-bucket rate limiter: how fast one service may be called.
 *
 * One struct pace per service (and per throttling class of a service) lives
 * in the connection, so every request of a module run takes its tokens from
 * the same bucket, whether it goes alone (http_send) or with others
 * (http_send_many). A module run talks to one tenant, so a bucket is per
 * service and tenant, as Microsoft counts.
 *
 * The bucket refills at `rate` tokens per second up to `burst` tokens; a
 * request leaves when a token is there and takes it. `rate` starts at the
 * configured rate and adapts:
 *   - a 429 or 503 answer empties the bucket, pauses it for the Retry-After
 *     the service sent (for every request, not only the one that got it),
 *     and cuts the rate by PACE_CUT (at most once per PACE_CUT_GAP_MS, so a
 *     burst of answers to requests already in flight counts once);
 *   - each success brings the rate back up by PACE_GROW of the configured
 *     rate, never above it.
 * The burst is a quarter of a second's worth of requests (at least one): a
 * service whose own bucket holds a second's worth keeps a margin, so requests
 * that arrive bunched by network jitter are not refused.
 *
 * Pure: the caller passes the time (monotonic milliseconds), so tests drive
 * it without sleeping. Not thread-safe (a module is one thread).
 */
#ifndef DIALTONE_PACE_H
#define DIALTONE_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_CUT 0.7          /* rate multiplier on a throttled answer */
#define PACE_GROW 0.02        /* share of the configured rate regained per success */
#define PACE_MIN_RATE 0.5     /* never slower than one request per 2 s */
#define PACE_CUT_GAP_MS 1000  /* one cut per this many ms at most */
#define PACE_PAUSE_MAX_MS 86400000L  /* longest pause kept (a day) */

struct pace {
	double rate_max;        /* configured requests per second; 0: unpaced */
	double rate;            /* current requests per second */
	double burst;           /* bucket size, in requests */
	double tokens;          /* tokens in the bucket */
	uint64_t last_ms;       /* time of the last refill */
	uint64_t paused_until;  /* no request leaves before this time */
	uint64_t last_cut;      /* time of the last rate cut (0: none) */
	bool started;           /* last_ms is set */
	unsigned long taken;    /* requests that left */
	unsigned long throttled;  /* 429/503 answers seen */
	unsigned long cuts;     /* rate cuts made */
};

/* A full bucket at rps requests per second; rps <= 0: never waits. */
void pace_init(struct pace *p, double rps);

/*
 * How long a request must wait before it may leave at time now, in ms;
 * 0 when it may leave (then call pace_take()). Always 0 for p == NULL.
 */
long pace_delay_ms(struct pace *p, uint64_t now);

/*
 * A request leaves at time now: takes cost tokens (a $batch counts as the
 * requests it carries; cost < 1 counts as 1). The bucket may go negative:
 * the requests after it wait until it refills.
 */
void pace_take(struct pace *p, uint64_t now, int cost);

/*
 * The service answered 429 or 503 at time now. pause_ms is how long every
 * request must wait (the Retry-After, already scaled for tests; < 0 when
 * the answer had none: then one token's time at the cut rate).
 */
void pace_throttled(struct pace *p, uint64_t now, long pause_ms);

/* The service answered a request that left through p (any non-throttled status). */
void pace_success(struct pace *p);

#endif
