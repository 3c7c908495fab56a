/*
 * test_pace.c - the token-bucket rate limiter, driven by a simulated clock:
 * how many requests leave in a given time, the pause a 429 imposes on the
 * whole bucket, the rate cut and its recovery. No sleeping.
 */
#include <criterion/criterion.h>

#include <stdint.h>

#include "pace.h"

TestSuite(pace, .timeout = 10);

/* A sender that sends whenever the bucket lets it, until the clock reaches end. */
static unsigned long
send_greedily(struct pace *p, uint64_t *now, uint64_t end)
{
	unsigned long sent = 0;
	long d;

	while (*now < end) {
		d = pace_delay_ms(p, *now);
		if (d > 0) {
			*now += (uint64_t)d;
			continue;
		}
		pace_take(p, *now, 1);
		sent++;
	}
	return sent;
}

Test(pace, lets_the_configured_rate_through_and_no_more)
{
	struct pace p;
	uint64_t now = 1000;
	unsigned long sent;

	pace_init(&p, 30);
	cr_expect_float_eq(p.burst, 7.5, 1e-9, "a quarter of a second's worth");
	sent = send_greedily(&p, &now, 1000 + 60000);
	/* The burst, then 30 per second for 60 s. */
	cr_expect_geq(sent, 1800, "sent %lu", sent);
	cr_expect_leq(sent, 1808, "sent %lu", sent);
	cr_expect_eq(p.taken, sent);
}

Test(pace, spaces_requests_once_the_burst_is_spent)
{
	struct pace p;

	pace_init(&p, 4);   /* burst 1 */
	cr_expect_eq(pace_delay_ms(&p, 0), 0);
	pace_take(&p, 0, 1);
	cr_expect_eq(pace_delay_ms(&p, 0), 250);
	cr_expect_eq(pace_delay_ms(&p, 100), 150);
	cr_expect_eq(pace_delay_ms(&p, 250), 0);
}

Test(pace, a_batch_takes_as_many_tokens_as_it_carries)
{
	struct pace p;

	pace_init(&p, 40);   /* burst 10 */
	pace_take(&p, 0, 20);
	/* 10 tokens short plus the one the next request needs: 11 / 40 s. */
	cr_expect_eq(pace_delay_ms(&p, 0), 275);
	cr_expect_eq(p.taken, 20);
}

Test(pace, a_429_pauses_the_whole_bucket_for_its_retry_after)
{
	struct pace p;

	pace_init(&p, 30);
	pace_throttled(&p, 1000, 2000);
	cr_expect_eq(pace_delay_ms(&p, 1000), 2000);
	cr_expect_eq(pace_delay_ms(&p, 2500), 500);
	cr_expect_eq(pace_delay_ms(&p, 3000), 0, "the bucket refilled meanwhile");
	cr_expect_eq(p.throttled, 1);
}

Test(pace, a_429_without_retry_after_waits_one_request_at_the_cut_rate)
{
	struct pace p;

	pace_init(&p, 10);
	pace_throttled(&p, 0, -1);
	cr_expect_float_eq(p.rate, 7.0, 1e-9);
	cr_expect_eq(pace_delay_ms(&p, 0), 143);   /* ceil(1000 / 7) */
}

Test(pace, cuts_the_rate_once_per_burst_of_throttled_answers)
{
	struct pace p;
	int i;

	pace_init(&p, 30);
	for (i = 0; i < 8; i++)   /* eight requests in flight, all refused at once */
		pace_throttled(&p, 5000 + (uint64_t)i, 1000);
	cr_expect_eq(p.cuts, 1);
	cr_expect_float_eq(p.rate, 21.0, 1e-9);
	pace_throttled(&p, 6001, 1000);
	cr_expect_eq(p.cuts, 2, "a second later it counts again");
	cr_expect_float_eq(p.rate, 14.7, 1e-9);
	cr_expect_eq(p.throttled, 9);
}

Test(pace, never_drops_below_the_floor_rate)
{
	struct pace p;
	uint64_t t;

	pace_init(&p, 1);
	for (t = 0; t < 100000; t += 1000)
		pace_throttled(&p, t + 1, 0);
	cr_expect_float_eq(p.rate, PACE_MIN_RATE, 1e-9);
}

Test(pace, successes_bring_the_rate_back_to_the_configured_one)
{
	struct pace p;
	int i;

	pace_init(&p, 30);
	pace_throttled(&p, 10, 0);
	cr_expect_float_eq(p.rate, 21.0, 1e-9);
	for (i = 0; i < 14; i++)
		pace_success(&p);
	cr_expect_float_eq(p.rate, 29.4, 1e-6, "0.6 per success");
	pace_success(&p);
	pace_success(&p);
	cr_expect_float_eq(p.rate, 30.0, 1e-9, "never above the configured rate");
}

Test(pace, a_throttled_run_sends_fewer_requests_than_an_unthrottled_one)
{
	struct pace a, b;
	uint64_t na = 0, nb = 0;
	unsigned long sa, sb;

	pace_init(&a, 30);
	pace_init(&b, 30);
	sa = send_greedily(&a, &na, 10000);
	pace_throttled(&b, 0, 1000);
	sb = send_greedily(&b, &nb, 10000);
	/* One second paused, then a rate growing back only with successes. */
	cr_expect_lt(sb, sa - 30, "%lu vs %lu", sb, sa);
}

Test(pace, zero_or_null_never_waits)
{
	struct pace p;

	pace_init(&p, 0);
	pace_take(&p, 0, 1000);
	pace_throttled(&p, 0, 60000);
	cr_expect_eq(pace_delay_ms(&p, 0), 0);
	cr_expect_eq(pace_delay_ms(NULL, 0), 0);
	pace_take(NULL, 0, 1);
	pace_success(NULL);
}

Test(pace, keeps_an_absurd_pause_bounded)
{
	struct pace p;

	pace_init(&p, 30);
	pace_throttled(&p, 1, 0x7fffffffffffffffL);
	cr_expect_eq(pace_delay_ms(&p, 1), PACE_PAUSE_MAX_MS);
}
