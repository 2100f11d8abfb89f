/*
 * date.c: capture times. Parses the date strings cameras write, rejects the
 * blank and impossible ones, and turns a UTC instant into the wall-clock time
 * of the right zone: one stored in the file, else the camera's or library's
 * zone from the config, else the machine's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "shoebox.h"

static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* True for a real calendar date and time in the years cameras can mean. */
int
date_valid(int y, int mo, int d, int h, int mi, int s)
{
	int	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int	dim;

	if (y < 1800 || y > 2999 || mo < 1 || mo > 12 || d < 1)
		return 0;
	dim = mdays[mo - 1] + (mo == 2 && leap);
	if (d > dim)
		return 0;
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return 0;
	return 1;
}

/* The n characters at s as a number, or -1 unless all are digits 0-9. */
int
date_digits(const char *s, size_t n)
{
	size_t	i;
	int	v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t
date_days_from_civil(int y, int m, int d)
{
	int64_t	yy = y - (m <= 2);
	int64_t	era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t	yoe = yy - era * 400;
	int64_t	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* Break seconds since the epoch into a civil date and time (UTC). */
static void
civil_from_secs(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	int64_t	days = t / 86400, rem = t % 86400;
	int64_t	era, doe, yoe, doy, mp, yy;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*mo <= 2));
	*h = (int)(rem / 3600);
	*mi = (int)(rem % 3600 / 60);
	*s = (int)(rem % 60);
}

/*
 * Set t to the wall-clock time y-mo-d h:mi:s, nothing else known. A leap
 * second counts as :59. Returns 0, or -1 (t untouched) for an impossible
 * date.
 */
int
date_set_wall(struct sb_time *t, int y, int mo, int d, int h, int mi, int s)
{
	if (!date_valid(y, mo, d, h, mi, s))
		return -1;
	memset(t, 0, sizeof *t);
	t->has_wall = 1;
	t->year = y;
	t->mon = mo;
	t->day = d;
	t->hour = h;
	t->min = mi;
	t->sec = s > 59 ? 59 : s;
	return 0;
}

/* Read exactly n digits at *p (bounded by end) into *v. */
static int
digits(const char **p, const char *end, int n, int *v)
{
	if (end - *p < n || (*v = date_digits(*p, (size_t)n)) == -1)
		return -1;
	*p += n;
	return 0;
}

/*
 * Read a two-digit field at *p (bounded by end) into *v: its first digit
 * may be a space, as some cameras pad an hour ("2019:08:24  9:12:33") and
 * HP's scanners a second.
 */
static int
digits2(const char **p, const char *end, int *v)
{
	char	b[2];

	if (end - *p < 2)
		return -1;
	b[0] = (*p)[0] == ' ' ? '0' : (*p)[0];
	b[1] = (*p)[1];
	if ((*v = date_digits(b, 2)) == -1)
		return -1;
	*p += 2;
	return 0;
}

/* True for a separator of a date's fields: EXIF's, ISO's, or another's. */
static int
date_sep(char c)
{
	return c == ':' || c == '-' || c == '/' || c == '.';
}

/* Parse "+HH:MM", "-HHMM", "+HH" or "Z" into minutes east of UTC. */
int
date_parse_offset(const char *s, size_t n, int *min)
{
	const char	*p = s, *end = s + n;
	int		 sign, h, m = 0;

	while (p < end && *p == ' ')
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\0'))
		end--;
	if (end - p == 1 && (*p == 'Z' || *p == 'z')) {
		*min = 0;
		return 0;
	}
	if (p >= end || (*p != '+' && *p != '-'))
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, end, 2, &h) == -1)
		return -1;
	if (p < end && *p == ':')
		p++;
	if (p < end && digits(&p, end, 2, &m) == -1)
		return -1;
	if (p != end || h * 60 + m > 14 * 60 || m > 59)
		return -1;	/* no zone is past 14 h from UTC */
	*min = sign * (h * 60 + m);
	return 0;
}

/* Give the wall clock in t the zone off minutes east of UTC: an instant. */
static void
date_zone(struct sb_time *t, int off)
{
	t->has_offset = 1;
	t->offset_min = off;
	t->has_utc = 1;
	t->utc = date_days_from_civil(t->year, t->mon, t->day) * 86400 +
	    t->hour * 3600 + t->min * 60 + t->sec - off * 60;
}

/*
 * Parse a camera date: "YYYY:MM:DD HH:MM:SS" as EXIF writes it, or with '-'
 * and 'T' as ISO 8601 does, optionally with fractional seconds and a zone
 * ("Z", "+02:00"). As ExifTool does, the date's fields may be separated
 * by '/' or '.' too (Rollei's, ImpressCam's), the time follow the date
 * after a ':' (Polaroid's, Sanyo's), a field be padded with a space
 * instead of a zero ("2019:08:24  9:12:33"), and trailing junk after the
 * seconds is ignored. Returns 0 and fills t, or -1 for blank, zero and
 * impossible dates.
 */
int
date_parse_exif(const char *s, size_t n, struct sb_time *t)
{
	const char	*p = s, *end, *z, *day;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, off, bad;

	end = memchr(s, '\0', n);
	if (end == NULL)
		end = s + n;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (digits(&p, end, 4, &y) == -1 || p >= end || !date_sep(*p))
		return -1;
	p++;
	if (digits2(&p, end, &mo) == -1 || p >= end || !date_sep(*p))
		return -1;
	p++;
	if (digits2(&p, end, &d) == -1)
		return -1;
	if (p < end && (*p == ' ' || *p == 'T' || *p == ':')) {
		day = p++;
		bad = digits2(&p, end, &h) == -1 || p >= end || *p++ != ':' ||
		    digits2(&p, end, &mi) == -1;
		if (!bad && p < end && *p == ':') {
			p++;
			bad = digits2(&p, end, &sec) == -1;
		}
		if (bad && *day != ':')
			return -1;
		if (bad) {	/* "2019:08:24:" (no time after it): the day */
			p = day + 1;
			h = mi = sec = 0;
		}
	}
	if (date_set_wall(t, y, mo, d, h, mi, sec) == -1)
		return -1;
	if (p < end && *p == '.') {
		p++;
		while (p < end && isdigit((unsigned char)*p))
			p++;
	}
	/* The zone is the token right after the time: Z, +HH:MM, -HHMM. */
	z = p;
	if (z < end && (*z == '+' || *z == '-')) {
		z++;
		while (z < end && z - p < 6 && (isdigit((unsigned char)*z) ||
		    *z == ':'))
			z++;
	} else if (z < end && (*z == 'Z' || *z == 'z'))
		z++;
	if (z > p && date_parse_offset(p, (size_t)(z - p), &off) == 0)
		date_zone(t, off);
	return 0;
}

/*
 * An Internet date as RFC 1123 and RFC 2822 write it, the form the PNG
 * specification suggests for "Creation Time": "Wed, 12 May 2021 12:21:21
 * +0545"; the day's name and the seconds may be left out, and the zone is
 * a number, GMT, UT, UTC, Z or one of RFC 822's North American names (none:
 * a wall clock only). Returns 0 and fills t, or -1.
 */
int
date_parse_rfc1123(const char *s, size_t n, struct sb_time *t)
{
	static const char *mons[] = { "jan", "feb", "mar", "apr", "may",
	    "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	static const struct {
		const char	*name;
		int		 min;
	} zones[] = {
		{ "GMT", 0 }, { "UT", 0 }, { "UTC", 0 }, { "Z", 0 },
		{ "EST", -300 }, { "EDT", -240 }, { "CST", -360 },
		{ "CDT", -300 }, { "MST", -420 }, { "MDT", -360 },
		{ "PST", -480 }, { "PDT", -420 },
	};
	char		 buf[80], mon[4], zone[8];
	const char	*p = buf;
	int		 y, mo = 0, d, h, mi, sec = 0, off, used;
	size_t		 i;

	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (isalpha((unsigned char)*p)) {	/* the day's name */
		while (isalpha((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
	}
	if (!isspace((unsigned char)*p) && !isdigit((unsigned char)*p))
		return -1;
	if (sscanf(p, "%2d %3s %4d %2d:%2d%n", &d, mon, &y, &h, &mi,
	    &used) != 5)
		return -1;
	p += used;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &sec, &used) != 1)
			return -1;
		p += used;
	}
	for (i = 0; i < sizeof mons / sizeof mons[0]; i++)
		if (strcasecmp(mon, mons[i]) == 0)
			mo = (int)i + 1;
	if (mo == 0 || y < 1000 || date_set_wall(t, y, mo, d, h, mi, sec) ==
	    -1)
		return -1;
	if (sscanf(p, " %7s", zone) != 1)
		return 0;
	if ((zone[0] == '+' || zone[0] == '-') &&
	    date_parse_offset(zone, strlen(zone), &off) == 0)
		date_zone(t, off);
	else
		for (i = 0; i < sizeof zones / sizeof zones[0]; i++)
			if (strcasecmp(zone, zones[i].name) == 0)
				date_zone(t, zones[i].min);
	return 0;
}

/* ISO 8601 as QuickTime and XMP write it; same rules as date_parse_exif. */
int
date_parse_iso(const char *s, size_t n, struct sb_time *t)
{
	return date_parse_exif(s, n, t);
}

/* Record a UTC instant; -1 (and t untouched) for an epoch or absurd one. */
int
date_set_utc(struct sb_time *t, int64_t utc)
{
	int	y, mo, d, h, mi, s;

	/* Not after 9999-12-31T23:59:59Z: a year civil_from_secs can hold. */
	if (utc <= 0 || utc > 253402300799LL)
		return -1;
	civil_from_secs(utc, &y, &mo, &d, &h, &mi, &s);
	if (!date_valid(y, mo, d, h, mi, s) || y < 1971)
		return -1;
	t->has_utc = 1;
	t->utc = utc;
	return 0;
}

/*
 * Fill the wall clock of t from its UTC instant: with the offset already in
 * t, else in zone tz ("Europe/Paris"; NULL or "" for the machine's zone).
 */
int
date_utc_to_wall(struct sb_time *t, const char *tz)
{
	struct tm	 tm;
	time_t		 when;
	char		*saved = NULL;
	const char	*old;
	int64_t		 local;

	if (!t->has_utc)
		return -1;
	if (!t->has_offset) {
		if (tz != NULL && *tz != '\0') {
			if ((old = getenv("TZ")) != NULL)
				saved = xstrdup(old);
			setenv("TZ", tz, 1);
			tzset();
		}
		when = (time_t)t->utc;
		if (localtime_r(&when, &tm) == NULL) {
			memset(&tm, 0, sizeof tm);
			tm.tm_gmtoff = 0;
		}
		if (tz != NULL && *tz != '\0') {
			if (saved != NULL) {
				setenv("TZ", saved, 1);
				free(saved);
			} else
				unsetenv("TZ");
			tzset();
		}
		t->has_offset = 1;
		t->offset_min = (int)(tm.tm_gmtoff / 60);
	}
	local = t->utc + (int64_t)t->offset_min * 60;
	civil_from_secs(local, &t->year, &t->mon, &t->day, &t->hour,
	    &t->min, &t->sec);
	t->has_wall = 1;
	return 0;
}

/* The zone for a camera's UTC times: [camera MODEL], then the library's. */
static const char *
zone_for(const struct meta *m, const struct config *cfg)
{
	const char	*tz;
	char		 sect[200];

	if (cfg == NULL)
		return NULL;
	if (m->model[0] != '\0') {
		snprintf(sect, sizeof sect, "camera %s %s", m->make, m->model);
		if ((tz = config_get(cfg, sect, "timezone")) != NULL)
			return tz;
		snprintf(sect, sizeof sect, "camera %s", m->model);
		if ((tz = config_get(cfg, sect, "timezone")) != NULL)
			return tz;
	}
	return config_get(cfg, "", "timezone");
}

/* Complete m->taken: wall clock from UTC, UTC from wall clock and offset. */
void
date_resolve(struct meta *m, const struct config *cfg)
{
	date_resolve_time(&m->taken, m, cfg);
}

/* Complete t, a date of the file m describes, as date_resolve does. */
void
date_resolve_time(struct sb_time *t, const struct meta *m,
    const struct config *cfg)
{
	if (!t->has_wall && t->has_utc)
		date_utc_to_wall(t, zone_for(m, cfg));
	else if (t->has_wall && t->has_offset && !t->has_utc) {
		t->utc = date_days_from_civil(t->year, t->mon, t->day) * 86400 +
		    t->hour * 3600 + t->min * 60 + t->sec -
		    (int64_t)t->offset_min * 60;
		t->has_utc = 1;
	}
}

/* "2021-05-12T12:21:21+02:00" (offset only when known); "" if no date. */
size_t
date_format(const struct sb_time *t, char *buf, size_t size)
{
	int	n, off;

	if (!t->has_wall) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d", t->year,
	    t->mon, t->day, t->hour, t->min, t->sec);
	if (t->has_offset && n > 0 && (size_t)n < size) {
		off = t->offset_min < 0 ? -t->offset_min : t->offset_min;
		n += snprintf(buf + n, size - (size_t)n, "%c%02d:%02d",
		    t->offset_min < 0 ? '-' : '+', off / 60, off % 60);
	}
	return n < 0 ? 0 : (size_t)n;
}

/* "2021-05-12T10:21:21Z", or "" when the instant is not known. */
size_t
date_format_utc(const struct sb_time *t, char *buf, size_t size)
{
	int	y, mo, d, h, mi, s, n;

	if (!t->has_utc) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	civil_from_secs(t->utc, &y, &mo, &d, &h, &mi, &s);
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h,
	    mi, s);
	return n < 0 ? 0 : (size_t)n;
}
