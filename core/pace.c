/*
 * pace.c - token-bucket rate limiter (see pace.h).
 */
#include "pace.h"

#include <math.h>

void
pace_init(struct pace *p, double rps)
{
	*p = (struct pace){ 0 };
	if (rps <= 0)
		return;
	p->rate_max = rps;
	p->rate = rps;
	p->burst = rps / 4 >= 1 ? rps / 4 : 1;
	p->tokens = p->burst;
}

static void
refill(struct pace *p, uint64_t now)
{
	if (!p->started) {
		p->started = true;
		p->last_ms = now;
		return;
	}
	if (now <= p->last_ms)
		return;
	p->tokens += (double)(now - p->last_ms) * p->rate / 1000.0;
	if (p->tokens > p->burst)
		p->tokens = p->burst;
	p->last_ms = now;
}

long
pace_delay_ms(struct pace *p, uint64_t now)
{
	double need;

	if (!p || p->rate_max <= 0)
		return 0;
	refill(p, now);
	if (now < p->paused_until)
		return (long)(p->paused_until - now);
	if (p->tokens >= 1)
		return 0;
	need = (1 - p->tokens) * 1000.0 / p->rate;
	return need < 1 ? 1 : (long)ceil(need);
}

void
pace_take(struct pace *p, uint64_t now, int cost)
{
	if (!p || p->rate_max <= 0)
		return;
	if (cost < 1)
		cost = 1;
	refill(p, now);
	p->tokens -= cost;
	p->taken += (unsigned long)cost;
}

void
pace_throttled(struct pace *p, uint64_t now, long pause_ms)
{
	uint64_t until;

	if (!p || p->rate_max <= 0)
		return;
	refill(p, now);
	p->throttled++;
	if (!p->last_cut || now >= p->last_cut + PACE_CUT_GAP_MS) {
		p->rate *= PACE_CUT;
		if (p->rate < PACE_MIN_RATE)
			p->rate = PACE_MIN_RATE;
		p->last_cut = now ? now : 1;
		p->cuts++;
	}
	if (p->tokens > 0)
		p->tokens = 0;
	if (pause_ms < 0)
		pause_ms = (long)ceil(1000.0 / p->rate);
	if (pause_ms > PACE_PAUSE_MAX_MS)
		pause_ms = PACE_PAUSE_MAX_MS;
	until = now + (uint64_t)pause_ms;
	if (until > p->paused_until)
		p->paused_until = until;
}

void
pace_success(struct pace *p)
{
	if (!p || p->rate_max <= 0 || p->rate >= p->rate_max)
		return;
	p->rate += p->rate_max * PACE_GROW;
	if (p->rate > p->rate_max)
		p->rate = p->rate_max;
}
