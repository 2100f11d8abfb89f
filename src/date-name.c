/*
 * date-name.c: capture dates read from names, for files that carry none of
 * their own: the names phones, messengers, cameras and apps write
 * (IMG_20190824_121233.jpg, IMG-20200101-WA0001.jpg, Screenshot 2020-01-01
 * at 10.10.10.png ...), and folders named for a day (2019-08-24 Holiday/,
 * 2019/08/24/). A name date is a wall-clock time with no zone. Only
 * plausible dates are taken: a real calendar date from 1990 to tomorrow.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "shoebox.h"

/*
 * The names, tried in order: a literal prefix (either case), then the
 * shape of the date. In a shape Y is a 4-digit year, y a 2-digit one
 * (20yy); M, D, h, m and s take 2 digits each; H takes 1 or 2 (a 12-hour
 * clock when P follows); P is an optional AM or PM (after a space, a
 * no-break space or macOS's narrow no-break space); # is one or more
 * digits, ~ any number of digits; anything else stands for itself. What
 * follows a match must not be a digit, so a longer number is never cut
 * into a date.
 */
static const struct {
	const char	*prefix;
	const char	*shape;
	const char	*who;		/* who writes such names */
} name_patterns[] = {
	{ "IMG_",		"YMD_hms",	"Android cameras" },
	{ "VID_",		"YMD_hms",	"Android cameras" },
	{ "PXL_",		"YMD_hms~",	"Pixel (milliseconds after)" },
	{ "PANO_",		"YMD_hms",	"Android panoramas" },
	{ "MVIMG_",		"YMD_hms",	"Pixel motion photos" },
	{ "SVID_",		"YMD_hms",	"Huawei screen recordings" },
	{ "InShot_",		"YMD_hms~",	"InShot" },
	{ "VideoCapture_",	"YMD-hms",	"Samsung frame grabs" },
	{ "IMG-",		"YMD-WA#",	"WhatsApp (day only)" },
	{ "VID-",		"YMD-WA#",	"WhatsApp (day only)" },
	{ "WhatsApp Image ",	"Y-M-D at H.m.sP", "WhatsApp desktop and web" },
	{ "WhatsApp Video ",	"Y-M-D at H.m.sP", "WhatsApp desktop and web" },
	{ "Screenshot_",	"Y-M-D-h-m-s",	"Android screenshots, up to 9" },
	{ "Screenshot_",	"YMD-hms",	"Android screenshots, 10 on" },
	{ "Screenshot_",	"YMD_hms",	"Android screenshots (some makers)" },
	{ "Screen_Recording_",	"YMD-hms",	"Samsung screen recordings" },
	{ "Screenshot ",	"Y-M-D at H.m.sP", "macOS screenshots" },
	{ "Screen Shot ",	"Y-M-D at H.m.sP", "macOS screenshots, up to 12" },
	{ "Screen Recording ",	"Y-M-D at H.m.sP", "macOS screen recordings" },
	{ "Screenshot from ",	"Y-M-D h-m-s",	"GNOME screenshots" },
	{ "Screenshot from ",	"Y-M-D h:m:s",	"GNOME screenshots, older" },
	{ "Screenshot ",	"Y-M-D hms",	"Windows 11 Snipping Tool" },
	{ "signal-",		"Y-M-D-hms",	"Signal" },
	{ "signal-",		"Y-M-D-h-m-s",	"Signal, newer" },
	{ "photo_",		"Y-M-D_h-m-s",	"Telegram desktop" },
	{ "video_",		"Y-M-D_h-m-s",	"Telegram desktop" },
	{ "DJI_",		"YMDhms",	"DJI drones, newer" },
	{ "WP_",		"YMD_h_m_s",	"Windows Phone" },
	{ "WP_",		"YMD_#",	"Windows Phone (day only)" },
	{ "FILE",		"yMD-hms",	"dashcams" },
	{ "",			"Y_MD_hms",	"dashcams (Viofo and kin)" },
	{ "",			"YMDhms",	"dashcams, cameras" },
	{ "",			"YMD_hms",	"Samsung, LG, BlackVue" },
	{ "",			"YMD-hms",	"various" },
	{ "",			"Y-M-D h.m.s",	"Dropbox camera uploads" },
	{ "",			"Y-M-D h-m-s",	"various" },
	{ "",			"Y-M-D_h-m-s",	"various" },
	{ "",			"Y-M-D-h-m-s",	"various" },
	{ "",			"Y-M-DTh-m-s",	"ISO 8601 with dashes" },
	{ "",			"Y-M-D",	"people (day only)" },
};

/* Earliest year taken from a name: before it, a clock was never set. */
#define NAME_MIN_YEAR	1990

/* Read n digits (n == 0: one or two) at *p into *v. */
static int
name_digits(const char **p, int n, int *v)
{
	int	r = 0, i, max = n ? n : 2;

	for (i = 0; i < max && isdigit((unsigned char)(*p)[i]); i++)
		r = r * 10 + ((*p)[i] - '0');
	if (i < (n ? n : 1))
		return -1;
	*p += i;
	*v = r;
	return 0;
}

/* An optional " AM" / " PM" at *p: 1 for PM, 0 for AM, -1 for none. */
static int
name_ampm(const char **p)
{
	const char	*q = *p;

	if (*q == ' ')
		q++;
	else if (strncmp(q, "\xc2\xa0", 2) == 0)		/* U+00A0 */
		q += 2;
	else if (strncmp(q, "\xe2\x80\xaf", 3) == 0)	/* U+202F */
		q += 3;
	if ((q[0] == 'A' || q[0] == 'a' || q[0] == 'P' || q[0] == 'p') &&
	    (q[1] == 'M' || q[1] == 'm')) {
		*p = q + 2;
		return q[0] == 'P' || q[0] == 'p';
	}
	return -1;
}

/*
 * Match prefix, then the date shape pat, at the start of name. Returns 0
 * with the fields in f[] (year, month, day, hour, minute, second; -1 where
 * the shape has none), or -1.
 */
static int
name_match(const char *prefix, const char *pat, const char *name, int f[6])
{
	static const char fields[] = "YMDhms";
	size_t		 plen = strlen(prefix);
	const char	*p = name + plen;
	int		 pm = -1, twelve = 0, v;

	if (strncasecmp(name, prefix, plen) != 0)
		return -1;
	for (v = 0; v < 6; v++)
		f[v] = -1;
	for (; *pat != '\0'; pat++) {
		switch (*pat) {
		case 'Y':
			if (name_digits(&p, 4, &f[0]) == -1)
				return -1;
			break;
		case 'y':
			if (name_digits(&p, 2, &v) == -1)
				return -1;
			f[0] = 2000 + v;
			break;
		case 'M':
		case 'D':
		case 'h':
		case 'm':
		case 's':
			if (name_digits(&p, 2,
			    &f[strchr(fields, *pat) - fields]) == -1)
				return -1;
			break;
		case 'H':
			if (name_digits(&p, 0, &f[3]) == -1)
				return -1;
			break;
		case 'P':
			pm = name_ampm(&p);
			twelve = pm != -1;
			break;
		case '#':
			if (!isdigit((unsigned char)*p))
				return -1;
			/* FALLTHROUGH */
		case '~':
			while (isdigit((unsigned char)*p))
				p++;
			break;
		default:
			if (tolower((unsigned char)*p) !=
			    tolower((unsigned char)*pat))
				return -1;
			p++;
			break;
		}
	}
	if (isdigit((unsigned char)*p))
		return -1;
	if (twelve) {
		if (f[3] < 1 || f[3] > 12)
			return -1;
		f[3] = f[3] % 12 + (pm ? 12 : 0);
	}
	return 0;
}

/*
 * Is y-mo-d h:mi:s a date a name may mean: a real one, from 1990, and not
 * after now (UTC seconds) by more than a day (the name's zone is unknown).
 */
static int
name_plausible(int y, int mo, int d, int h, int mi, int s, int64_t now)
{
	int64_t	when;

	if (!date_valid(y, mo, d, h, mi, s) || s > 59 || y < NAME_MIN_YEAR)
		return 0;
	when = date_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return when <= now + 86400;
}

/* Set t from fields f (hour -1: the day only); the precision, or 0. */
static int
name_take(const int f[6], int64_t now, struct sb_time *t)
{
	int	day = f[3] == -1;

	if (!name_plausible(f[0], f[1], f[2], day ? 0 : f[3],
	    day ? 0 : f[4], day ? 0 : f[5], now))
		return DATE_NAME_NONE;
	date_set_wall(t, f[0], f[1], f[2], day ? 0 : f[3], day ? 0 : f[4],
	    day ? 0 : f[5]);
	return day ? DATE_NAME_DAY : DATE_NAME_SECOND;
}

/*
 * The date a file's name says (path may be a whole path: its last
 * component is read), as a wall clock with no zone in t. now is the
 * current time (UTC seconds), to refuse dates in the future. The first
 * pattern the name has the shape of decides: if its numbers are no date,
 * the name has none. Returns DATE_NAME_SECOND, DATE_NAME_DAY (time left
 * 00:00:00), or DATE_NAME_NONE (t untouched).
 */
int
date_from_name(const char *path, int64_t now, struct sb_time *t)
{
	const char	*name = strrchr(path, '/');
	int		 f[6];
	size_t		 i;

	name = name != NULL ? name + 1 : path;
	for (i = 0; i < sizeof name_patterns / sizeof name_patterns[0]; i++)
		if (name_match(name_patterns[i].prefix, name_patterns[i].shape,
		    name, f) == 0)
			return name_take(f, now, t);
	return DATE_NAME_NONE;
}

/* A folder name that starts with a day: Y-M-D, Y_M_D, Y.M.D or YMD. */
static int
folder_day(const char *dir, size_t len, int f[6])
{
	static const char *const pats[] = { "Y-M-D", "Y_M_D", "Y.M.D", "YMD" };
	char	buf[64];
	size_t	i;

	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, dir, len);
	buf[len] = '\0';
	for (i = 0; i < sizeof pats / sizeof pats[0]; i++)
		if (name_match("", pats[i], buf, f) == 0)
			return 0;
	return -1;
}

/* Exactly n digits, then the end of the component (or, if text, a non-digit). */
static int
folder_num(const char *c, size_t len, int n, int text, int *v)
{
	int	i;

	if (len < (size_t)n || (len > (size_t)n && !text))
		return -1;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)c[i]))
			return -1;
		*v = *v * 10 + (c[i] - '0');
	}
	return len > (size_t)n && isdigit((unsigned char)c[n]) ? -1 : 0;
}

/*
 * The day the folders holding path say: its own folder named for a day
 * ("2019-08-24 Holiday", "20190824"), or the three folders holding it
 * being YYYY/MM/DD (the last may go on with text: "24 Beach"). Nothing
 * further up is read: a dated folder above the source is no one's answer.
 * Returns DATE_NAME_DAY with t set (00:00:00, no zone), or DATE_NAME_NONE.
 */
int
date_from_folder(const char *path, int64_t now, struct sb_time *t)
{
	const char	*c[3] = { NULL, NULL, NULL }, *end, *p;
	size_t		 l[3] = { 0, 0, 0 };
	int		 f[6], i;

	/* The last three folder names, nearest first. */
	if ((end = strrchr(path, '/')) == NULL)
		return DATE_NAME_NONE;
	for (i = 0; i < 3 && end > path; i++) {
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		c[i] = p;
		l[i] = (size_t)(end - p);
		end = p > path ? p - 1 : path;
	}
	if (c[0] != NULL && l[0] > 0 && folder_day(c[0], l[0], f) == 0 &&
	    name_take(f, now, t) == DATE_NAME_DAY)
		return DATE_NAME_DAY;
	for (i = 0; i < 6; i++)
		f[i] = -1;
	if (c[2] != NULL && folder_num(c[2], l[2], 4, 0, &f[0]) == 0 &&
	    folder_num(c[1], l[1], 2, 0, &f[1]) == 0 &&
	    folder_num(c[0], l[0], 2, 1, &f[2]) == 0 &&
	    name_take(f, now, t) == DATE_NAME_DAY)
		return DATE_NAME_DAY;
	return DATE_NAME_NONE;
}
