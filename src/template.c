/*
 * template.c: the library folder (the pattern key) and file name (the
 * name key) a file is filed under, from a template of strftime %-codes
 * for its capture time and placeholders: {make}, {model}, {kind}, {name},
 * {stem}, {ext} (each with :lower or :upper) and {seq} ({seq:N}: N digits
 * at least); {{ and }} are braces. Values that come from the file are made safe here: they can
 * never add or leave a folder, start a part with a dot, be empty, or hold
 * control or bidirectional-override characters. The templates come from
 * the config, so the parser checks every bound; tests/fuzz/fuzz-template.c
 * runs it on arbitrary bytes.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shoebox.h"

enum tmpl_key { TK_MAKE, TK_MODEL, TK_KIND, TK_NAME, TK_STEM, TK_EXT, TK_SEQ };
static const char *const tmpl_keys[] = {
	"make", "model", "kind", "name", "stem", "ext", "seq"
};
#define TMPL_NKEYS	(sizeof tmpl_keys / sizeof tmpl_keys[0])
#define TMPL_PHMAX	16	/* longest placeholder inside its braces */

/* A placeholder as parsed: its key, a case modifier, a {seq} width. */
struct tmpl_ph {
	int	key;
	int	mod;		/* 0, 'l' (:lower) or 'u' (:upper) */
	int	width;		/* {seq:N} */
};

/* The strftime conversions a template may use (glibc flags allowed). */
static const char tmpl_convs[] = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

/*
 * The length of the strftime conversion at s ('%'), or 0 if it is none.
 * E and O modify only some (strftime(3)); glibc writes the others as
 * they are, "%OY" a folder by that name.
 */
static size_t
tmpl_conv(const char *s)
{
	size_t	n = 1;
	char	mod = 0;

	if (s[n] != '\0' && strchr("-_0^#", s[n]) != NULL)
		n++;
	if (s[n] == 'E' || s[n] == 'O')
		mod = s[n++];
	if (s[n] == '\0' || strchr(tmpl_convs, s[n]) == NULL ||
	    (mod == 'E' && strchr("cCxXyY", s[n]) == NULL) ||
	    (mod == 'O' && strchr("deHImMSuUVwWy", s[n]) == NULL))
		return 0;
	return n + 1;
}

/*
 * Parse the placeholder at s (a '{') into ph. Returns its length, or 0
 * with the reason in err (when err is not NULL).
 */
static size_t
tmpl_placeholder(const char *s, int flags, struct tmpl_ph *ph, char *err,
    size_t errlen)
{
	char		 in[TMPL_PHMAX + 1], *mod;
	size_t		 len, k;

	for (len = 1; len <= TMPL_PHMAX + 1 && s[len] != '\0' &&
	    s[len] != '}'; len++)
		;
	if (s[len] != '}' || len > TMPL_PHMAX + 1) {
		if (err != NULL)
			snprintf(err, errlen, "a '{' with no '}' after a "
			    "placeholder name (a brace of its own is {{)");
		return 0;
	}
	memcpy(in, s + 1, len - 1);
	in[len - 1] = '\0';
	memset(ph, 0, sizeof *ph);
	if ((mod = strchr(in, ':')) != NULL)
		*mod++ = '\0';
	for (k = 0; k < TMPL_NKEYS; k++)
		if (strcmp(in, tmpl_keys[k]) == 0)
			break;
	ph->key = (int)k;
	if (k == TK_SEQ && mod != NULL && mod[0] >= '1' && mod[0] <= '9' &&
	    mod[1] == '\0')
		ph->width = mod[0] - '0';
	else if (k < TMPL_NKEYS && k != TK_SEQ && mod != NULL &&
	    (strcmp(mod, "lower") == 0 || strcmp(mod, "upper") == 0))
		ph->mod = mod[0];
	else if (k == TMPL_NKEYS || mod != NULL) {
		if (err != NULL)
			snprintf(err, errlen, "unknown placeholder {%s%s%s}",
			    in, mod != NULL ? ":" : "", mod != NULL ? mod : "");
		return 0;
	}
	if (k == TK_SEQ && (flags & TMPL_DIR)) {
		if (err != NULL)
			snprintf(err, errlen, "{seq} numbers files, not "
			    "folders: it belongs in the name template");
		return 0;
	}
	return len + 1;
}

/* The struct tm strftime needs for the wall clock of t. */
static void
tmpl_tm(const struct sb_time *t, struct tm *tm)
{
	int64_t	days = date_days_from_civil(t->year, t->mon, t->day);

	memset(tm, 0, sizeof *tm);
	tm->tm_year = t->year - 1900;
	tm->tm_mon = t->mon - 1;
	tm->tm_mday = t->day;
	tm->tm_hour = t->hour;
	tm->tm_min = t->min;
	tm->tm_sec = t->sec;
	tm->tm_wday = (int)((days % 7 + 11) % 7);
	tm->tm_yday = (int)(days - date_days_from_civil(t->year, 1, 1));
}

/* Is the UTF-8 character at s (len bytes) a bidirectional control? */
static int
tmpl_bidi(const unsigned char *s, size_t len)
{
	if (len == 2)
		return s[0] == 0xd8 && s[1] == 0x9c;		/* U+061C */
	if (len != 3 || s[0] != 0xe2)
		return 0;
	return (s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f ||
	    (s[2] >= 0xaa && s[2] <= 0xae))) ||		/* U+200E.., U+202A.. */
	    (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9);	/* U+2066.. */
}

/*
 * A value from the file made safe to be part of a name, into out: bytes
 * that are not UTF-8, control and bidi characters, '/' and '\' become '_',
 * and so does a leading dot; spaces around it go; an empty value becomes
 * empty_word. Cut (at a character) to fit size.
 */
void
tmpl_clean(const char *v, const char *empty_word, char *out, size_t size)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 n = strlen(v), i, o = 0, len;

	while (n > 0 && isspace(s[n - 1]))
		n--;
	for (i = 0; i < n && isspace(s[i]); i++)
		;
	while (i < n) {
		len = utf8_len(s + i, n - i);
		if (o + (len ? len : 1) >= size)
			break;
		if (len == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '/' ||
		    s[i] == '\\' || tmpl_bidi(s + i, len) ||
		    (len == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f) || /* C1 */
		    (o == 0 && s[i] == '.')) {
			out[o++] = '_';
			i += len ? len : 1;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
		}
	}
	out[o] = '\0';
	if (o == 0)
		strlcpy_sb(out, empty_word, size);
}

/* The value of placeholder ph for the file v, made safe, into out. */
static void
tmpl_value(const struct tmpl_ph *ph, const struct tmpl_vals *v, char *out,
    size_t size)
{
	char		 raw[NAME_MAX * 4 + 1];
	const char	*dot = strrchr(v->name, '.');
	char		*p;

	if (dot == v->name)
		dot = NULL;		/* ".profile": a stem, no extension */
	switch (ph->key) {
	case TK_MAKE:
		tmpl_clean(v->make, TMPL_UNKNOWN, out, size);
		break;
	case TK_MODEL:
		tmpl_clean(v->model, TMPL_UNKNOWN, out, size);
		break;
	case TK_KIND:
		strlcpy_sb(out, kind_name(v->kind), size);
		break;
	case TK_NAME:
		tmpl_clean(v->name, TMPL_UNKNOWN, out, size);
		break;
	case TK_STEM:
		snprintf(raw, sizeof raw, "%.*s", dot != NULL ?
		    (int)(dot - v->name) : (int)strlen(v->name), v->name);
		tmpl_clean(raw, TMPL_UNKNOWN, out, size);
		break;
	case TK_EXT:
		tmpl_clean(dot != NULL ? dot + 1 : "", "", out, size);
		break;
	default:
		snprintf(out, size, "%0*lu", ph->width, v->seq);
		break;
	}
	for (p = out; *p != '\0'; p++)
		if (ph->mod == 'l')
			*p = (char)tolower((unsigned char)*p);
		else if (ph->mod == 'u')
			*p = (char)toupper((unsigned char)*p);
}

/*
 * Check template t (TMPL_DIR: a folder, else a file name) without a file:
 * its placeholders and %-codes. 0, or -1 with the reason in err.
 */
static int
tmpl_parse(const char *t, int flags, char *err, size_t errlen)
{
	struct tmpl_ph	 ph;
	size_t		 n;

	if (*t == '\0') {
		snprintf(err, errlen, "empty");
		return -1;
	}
	while (*t != '\0') {
		if ((t[0] == '{' || t[0] == '}') && t[1] == t[0])
			n = 2;
		else if (*t == '{') {
			if ((n = tmpl_placeholder(t, flags, &ph, err,
			    errlen)) == 0)
				return -1;
		} else if (*t == '%') {
			if ((n = tmpl_conv(t)) == 0) {
				snprintf(err, errlen, "'%.3s' is no strftime "
				    "conversion (%%%% for a percent sign)", t);
				return -1;
			}
		} else if (*t == '/' && !(flags & TMPL_DIR)) {
			snprintf(err, errlen, "a name holds no '/' (folders "
			    "are the pattern's)");
			return -1;
		} else
			n = 1;
		t += n;
	}
	return 0;
}

/* Append text to out (size bytes, *o used). -1 if it does not fit. */
static int
tmpl_put(char *out, size_t size, size_t *o, const char *text)
{
	size_t	n = strlen(text);

	if (*o + n >= size)
		return -1;
	memcpy(out + *o, text, n + 1);
	*o += n;
	return 0;
}

/*
 * Literal text lit (len bytes, with %-codes) through strftime onto out. A
 * year is always four digits (%Y and %F as %04Y, %G as %04G: a file dated
 * by a wild mtime goes to 0999/, not 999/, beside the other years). %EY
 * stays as the locale writes an era's year.
 */
static int
tmpl_literal(const char *lit, size_t len, const struct tm *tm, char *out,
    size_t size, size_t *o)
{
	char		 fmt[PATH_MAX], buf[PATH_MAX * 2];
	const char	*wide;
	size_t		 n, i, f = 0;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		wide = NULL;
		if (lit[i] == '%' && i + 1 < len)
			wide = lit[i + 1] == 'Y' ? "%04Y" : lit[i + 1] == 'F' ?
			    "%04Y-%m-%d" : lit[i + 1] == 'G' ? "%04G" : NULL;
		n = wide != NULL ? strlen(wide) : lit[i] == '%' && i + 1 < len ?
		    2 : 1;
		if (f + n + 1 >= sizeof fmt)
			return -1;
		memcpy(fmt + f, wide != NULL ? wide : lit + i, n);
		f += n;
		i += n > 1 ? 1 : 0;	/* a %-code is two bytes of lit */
	}
	/* A last 'x', so that 0 from strftime means too long, never empty. */
	fmt[f] = 'x';
	fmt[f + 1] = '\0';
	if ((n = strftime(buf, sizeof buf, fmt, tm)) == 0)
		return -1;
	buf[n - 1] = '\0';
	return tmpl_put(out, size, o, buf);
}

/*
 * Is the expansion out usable: relative, no empty part, no part starting
 * with a dot, none longer than NAME_MAX; a name has one part only.
 * Control characters (from %n, %t) become '_'.
 */
static int
tmpl_usable(char *out, int flags)
{
	char	*p, *end;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			*p = '_';
	for (p = out; ; p = end + 1) {
		if ((end = strchr(p, '/')) == NULL)
			end = p + strlen(p);
		if (end == p || *p == '.' || end - p > NAME_MAX)
			return -1;
		if (*end == '\0')
			return 0;
		if (!(flags & TMPL_DIR))
			return -1;
	}
}

/*
 * A name too long for the file system: its stem cut (at a character) so
 * that it keeps room for a -NNNN of a collision and a sidecar's longer
 * extension.
 */
static void
tmpl_shorten(char *out)
{
	char	*dot = strrchr(out, '.');
	size_t	 ext = dot != NULL && dot != out ? strlen(dot) : 0;
	size_t	 room = NAME_MAX - TMPL_NAME_ROOM, n = strlen(out), cut, i;

	if (n <= room)
		return;
	if (ext > room / 2)
		ext = 0;		/* a long "extension": cut it all */
	cut = room - ext;
	for (i = 0; i < 3 && cut > 0 &&
	    ((unsigned char)out[cut] & 0xc0) == 0x80; i++)
		cut--;			/* a character is 4 bytes at most */
	memmove(out + cut, out + n - ext, ext + 1);
}

/*
 * Expand template t (TMPL_DIR: a folder, else a file name) for the file v
 * into out. A folder's trailing '/' goes. A name template with neither
 * {ext} nor {name} gets the file's own extension; a name is cut to fit the file system. With seqat, the
 * offset in out where {seq} went (or (size_t)-1). 0, or -1 if t is bad or
 * gives no usable folder or name.
 */
int
tmpl_expand(const char *t, int flags, const struct tmpl_vals *v, char *out,
    size_t size, size_t *seqat)
{
	struct tm	 tm;
	struct tmpl_ph	 ph;
	char		 val[NAME_MAX * 4 + 1];
	const char	*lit = t, *dot;
	size_t		 o = 0, n, dots;
	int		 has_ext = 0;

	if (size == 0)
		return -1;
	out[0] = '\0';
	if (seqat != NULL)
		*seqat = (size_t)-1;
	if (tmpl_parse(t, flags, val, sizeof val) == -1)
		return -1;
	tmpl_tm(v->t, &tm);
	while (*t != '\0') {
		if (*t == '%') {
			t += tmpl_conv(t);
			continue;
		}
		if (*t != '{' && (t[0] != '}' || t[1] != '}')) {
			t++;
			continue;
		}
		if (tmpl_literal(lit, (size_t)(t - lit), &tm, out, size,
		    &o) == -1)
			return -1;
		if (t[1] == t[0]) {		/* {{ or }}: a brace */
			if (tmpl_put(out, size, &o, *t == '{' ? "{" : "}") ==
			    -1)
				return -1;
			lit = t += 2;
			continue;
		}
		n = tmpl_placeholder(t, flags, &ph, NULL, 0);
		has_ext |= ph.key == TK_EXT || ph.key == TK_NAME;
		if (ph.key == TK_SEQ && seqat != NULL)
			*seqat = o;
		tmpl_value(&ph, v, val, sizeof val);
		if (tmpl_put(out, size, &o, val) == -1)
			return -1;
		lit = t += n;
	}
	/* The template's own dots at its end ({stem}.): dropped below. */
	for (dots = 0; t - dots > lit && t[-1 - (ptrdiff_t)dots] == '.';
	    dots++)
		;
	if (tmpl_literal(lit, (size_t)(t - lit), &tm, out, size, &o) == -1)
		return -1;
	while ((flags & TMPL_DIR) && o > 1 && out[o - 1] == '/')
		out[--o] = '\0';	/* %Y/%Y-%m-%d/ is %Y/%Y-%m-%d */
	if (!(flags & TMPL_DIR)) {
		dot = strrchr(v->name, '.');
		if (!has_ext && dot != NULL && dot != v->name) {
			while (dots-- > 0 && o > 0 && out[o - 1] == '.')
				out[--o] = '\0';	/* {stem}. is {stem} */
			tmpl_clean(dot + 1, "", val, sizeof val);
			if (tmpl_put(out, size, &o, ".") == -1 ||
			    tmpl_put(out, size, &o, val) == -1)
				return -1;
		}
		while (o > 0 && out[o - 1] == '.')
			out[--o] = '\0';	/* {stem}.{ext} without one */
		tmpl_shorten(out);
	}
	return tmpl_usable(out, flags);
}

/*
 * Check template t (TMPL_DIR: a folder, else a file name) as the config
 * loads it: its placeholders, its %-codes, and that it gives a usable
 * folder or name. 0; -1 for a bad template, -2 for one that gives no usable
 * folder or name; the reason in err.
 */
int
tmpl_check(const char *t, int flags, char *err, size_t errlen)
{
	struct sb_time		 t0;
	struct tmpl_vals	 v;
	char			 out[PATH_MAX];

	if (tmpl_parse(t, flags, err, errlen) == -1)
		return -1;
	memset(&t0, 0, sizeof t0);
	t0.year = 2001;
	t0.mon = t0.day = 1;
	memset(&v, 0, sizeof v);
	v.t = &t0;
	v.make = v.model = "";
	v.kind = KIND_IMAGE;
	v.name = "IMG_0001.JPG";
	v.seq = 1;
	if (tmpl_expand(t, flags, &v, out, sizeof out, NULL) == -1) {
		snprintf(err, errlen, "it gives no usable %s",
		    flags & TMPL_DIR ? "folder" : "name");
		return -2;
	}
	return 0;
}
