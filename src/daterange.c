/*
 * daterange.c: the dates find --date and verify --since take. A year, a
 * month or a day ("2004", "2004-03", "2004-03-30"), or a range of them
 * ("2004-03-01..2004-03-31", "2004..", "..2003-12"), becomes the half-open
 * span [from, to) of ISO 8601 prefixes. The catalogue keeps dates as ISO
 * 8601 text ("2004-03-30T10:43:46+02:00"), so comparing them as strings
 * with the span answers "taken on that day", and an index on the column
 * answers it without reading every row.
 */
#include <stdio.h>
#include <string.h>

#include "shoebox.h"

/* Write the first len bytes of "YYYY-MM-DD" for y, m, d into out[11]. */
static void
ymd(char *out, size_t len, int y, int m, int d)
{
	char	buf[48];

	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	buf[len] = '\0';
	strlcpy_sb(out, buf, 11);
}

/*
 * Whether y-m-d is a real day, in any year of four digits: a file dated
 * by a wild mtime is filed under 1700/ or 9999/, and find reaches it
 * there. The Gregorian calendar repeats every 400 years, so the day is
 * checked in the year of 2000-2399 that falls as y does.
 */
static int
day_valid(int y, int m, int d)
{
	return y >= 0 && y <= 9999 && date_valid(2000 + y % 400, m, d, 0, 0,
	    0);
}

/*
 * One end, len bytes of s: a year, month or day. Fills start (the period's
 * first prefix) and next (the prefix of the period after it; "" after the
 * last day of 9999, as an open end). Returns 0, or -1 if it is none of
 * those or not a real date.
 */
static int
period(const char *s, size_t len, char *start, char *next)
{
	int	y, m = 1, d = 1;

	if (len != 4 && len != 7 && len != 10)
		return -1;
	if ((y = date_digits(s, 4)) == -1)
		return -1;
	if (len >= 7 && (s[4] != '-' || (m = date_digits(s + 5, 2)) == -1))
		return -1;
	if (len == 10 && (s[7] != '-' || (d = date_digits(s + 8, 2)) == -1))
		return -1;
	if (!day_valid(y, m, d))
		return -1;
	ymd(start, len, y, m, d);
	if (len == 4)
		y++;
	else if (len == 7 || !day_valid(y, m, d + 1)) {
		/* the next month (a day's: the last of its month) */
		d = 1;
		if (m++ == 12) {
			y++;
			m = 1;
		}
	} else
		d++;
	if (y > 9999)
		next[0] = '\0';
	else
		ymd(next, len, y, m, d);
	return 0;
}

/* A prefix as the full day it starts on: "2004" is "2004-01-01". */
static void
full_day(const char *prefix, char *out)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%.10s%s", prefix, strlen(prefix) == 4 ?
	    "-01-01" : strlen(prefix) == 7 ? "-01" : "");
	strlcpy_sb(out, buf, 11);
}

/*
 * Parse spec into r: a period, or FROM..TO with either end left out (but
 * not both) and TO inclusive. 0, or -1 if spec is not one, or ends before
 * it starts.
 */
int
daterange_parse(const char *spec, struct daterange *r)
{
	const char	*dots = strstr(spec, "..");
	char		 start[11], next[11], a[11], b[11];

	memset(r, 0, sizeof *r);
	if (dots == NULL)
		return period(spec, strlen(spec), r->from, r->to);
	if (dots == spec && dots[2] == '\0')
		return -1;
	if (dots > spec && period(spec, (size_t)(dots - spec), r->from,
	    next) == -1)
		return -1;
	if (dots[2] != '\0') {
		if (period(dots + 2, strlen(dots + 2), start, r->to) == -1)
			return -1;
		full_day(r->from, a);
		full_day(r->to, b);
		if (r->from[0] != '\0' && r->to[0] != '\0' &&
		    strcmp(a, b) >= 0)
			return -1;
	}
	return 0;
}
