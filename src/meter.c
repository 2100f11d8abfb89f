/*
 * meter.c: the progress line a long command draws on standard error when
 * it is a terminal: files and bytes done of the total, the rate, and the
 * time left. Drawn at most five times a second; cleared before any other
 * message, so lines never mix.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shoebox.h"

/* Begin: draw (if on) a line for files and bytes still to do. */
void
meter_start(struct meter *m, int on, uint64_t files, uint64_t bytes)
{
	memset(m, 0, sizeof *m);
	m->on = on;
	m->files = files;
	m->bytes = bytes;
	clock_gettime(CLOCK_MONOTONIC, &m->started);
}

static double
since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Seconds since meter_start. */
double
meter_elapsed(const struct meter *m)
{
	return since(&m->started);
}

/*
 * The time left, secs (negative: not known), as "m:ss left", from an hour
 * "h:mm:ss left"; from 100 hours, and where the estimate is no number
 * (a rate of next to nothing, early on), "--:-- left".
 */
void
meter_left(double secs, char *buf, size_t size)
{
	long	s;

	if (!(secs >= 0 && secs < 100 * 3600)) {
		snprintf(buf, size, "--:-- left");
		return;
	}
	s = (long)secs;
	if (s < 3600)
		snprintf(buf, size, "%ld:%02ld left", s / 60, s % 60);
	else
		snprintf(buf, size, "%ld:%02ld:%02ld left", s / 3600,
		    s / 60 % 60, s % 60);
}

/* Redraw with files and bytes done (unless drawn < 0.2 s ago, or force). */
void
meter_show(struct meter *m, uint64_t files, uint64_t bytes, int force)
{
	double	t, rate;
	char	b1[32], b2[32], b3[32], left[32];

	if (!m->on || (!force && m->shown && since(&m->last) < 0.2))
		return;
	clock_gettime(CLOCK_MONOTONIC, &m->last);
	t = since(&m->started);
	rate = t > 0 ? (double)bytes / t : 0;
	fmt_size(bytes, b1, sizeof b1);
	fmt_size(m->bytes, b2, sizeof b2);
	fmt_size((uint64_t)rate, b3, sizeof b3);
	meter_left(rate > 0 && m->bytes > bytes ?
	    (double)(m->bytes - bytes) / rate : -1, left, sizeof left);
	fprintf(stderr, "\r%llu/%llu files  %s/%s  %s/s  %s\033[K",
	    (unsigned long long)files, (unsigned long long)m->files, b1, b2,
	    b3, left);
	m->shown = 1;
}

/* Take the line off the screen, before a message or at the end. */
void
meter_clear(struct meter *m)
{
	if (m->on && m->shown)
		fprintf(stderr, "\r\033[K");
	m->shown = 0;
}
