/*
 * log.c: messages on stderr. Everything shoebox says about a file names the
 * file; log_path() makes hostile names (control bytes, invalid UTF-8) safe to
 * print without changing what they refer to. When stderr is the journal's
 * stream (a systemd unit), each line starts with its syslog priority, so the
 * journal keeps errors, warnings and information apart. The first warning
 * or error since log_problem_reset() is kept for the run's summary (run.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"

/* Syslog priorities, as sd-daemon(3) prefixes them (SD_ERR ...). */
#define PRIO_ERR	3
#define PRIO_WARNING	4
#define PRIO_INFO	6
#define PRIO_DEBUG	7

int	log_verbose;
int	log_quiet;

static int	log_journal = -1;	/* unknown yet */
static char	log_first[512];		/* the first problem of the run */

/*
 * Is stderr the journal's stream? Only if JOURNAL_STREAM names the very
 * file stderr is (systemd sets it for a unit's stdout and stderr; a
 * redirection by a script in between makes it not match), and never on a
 * terminal.
 */
int
log_to_journal(void)
{
	const char		*js;
	struct stat		 sb;
	unsigned long long	 dev, ino;

	if (log_journal != -1)
		return log_journal;
	log_journal = 0;
	if ((js = getenv("JOURNAL_STREAM")) != NULL && !isatty(STDERR_FILENO) &&
	    sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino)
		log_journal = 1;
	return log_journal;
}

/*
 * Emit one message, with ": strerror" when errnum is set. Whatever its
 * arguments held, no control or bidi character reaches stderr: the whole
 * line goes through log_escape (backslashes kept, arguments being escaped
 * already where they are names).
 */
static void
log_vemit(int prio, int errnum, const char *fmt, va_list ap)
{
	char	*msg, *full, *safe;
	size_t	 n;

	if (vasprintf(&msg, fmt, ap) == -1)
		return;
	if (errnum != 0) {
		if (asprintf(&full, "%s: %s", msg, strerror(errnum)) == -1) {
			free(msg);
			return;
		}
		free(msg);
		msg = full;
	}
	n = strlen(msg) * 6 + 1;
	safe = xmalloc(n);
	log_escape(msg, safe, n, 0);
	free(msg);
	if (prio <= PRIO_WARNING && log_first[0] == '\0')
		strlcpy_sb(log_first, safe, sizeof log_first);
	fflush(stdout);
	if (log_to_journal())
		fprintf(stderr, "<%d>", prio);
	fprintf(stderr, "shoebox: %s\n", safe);
	free(safe);
}

/* The first warning or error since log_problem_reset(), or "". */
const char *
log_problem(void)
{
	return log_first;
}

void
log_problem_reset(void)
{
	log_first[0] = '\0';
}

/* An error worth the journal's error priority (a run that failed). */
void
log_errorx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(PRIO_ERR, 0, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(PRIO_WARNING, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vemit(PRIO_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_vemit(PRIO_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vemit(PRIO_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vemit(PRIO_ERR, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vemit(PRIO_ERR, saved, fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && s[0] == 0xe0 && s[1] < 0xa0)
		return 0;
	if (len == 3 && s[0] == 0xed && s[1] >= 0xa0)
		return 0;
	if (len == 4 && s[0] == 0xf0 && s[1] < 0x90)
		return 0;
	if (len == 4 && s[0] == 0xf4 && s[1] >= 0x90)
		return 0;
	return len;
}

/*
 * The code point of the valid UTF-8 sequence of length len at s.
 */
static unsigned
utf8_code(const unsigned char *s, size_t len)
{
	switch (len) {
	case 1:
		return s[0];
	case 2:
		return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	case 3:
		return (unsigned)(s[0] & 0x0f) << 12 |
		    (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	default:
		return (unsigned)(s[0] & 0x07) << 18 |
		    (unsigned)(s[1] & 0x3f) << 12 |
		    (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
}

/*
 * Is code point c one that must not reach a terminal or a reader as is?
 * C0 controls, DEL, C1 controls (U+0080-U+009F), and the bidi controls
 * that make text read in another order than it is (Unicode's Bidi_Control:
 * U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), as tmpl_bidi.
 */
static int
log_unsafe(unsigned c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069);
}

/*
 * The one escaping of untrusted text (file names, server answers, EXIF
 * strings) for messages, listings and JSON: valid, harmless UTF-8 passes
 * through; bytes that are not UTF-8 and C0 controls and DEL become \xNN,
 * C1 and bidi controls \uNNNN. With LOG_ESC_BACKSLASH a backslash becomes
 * \\, so that the escaped text names one string only (names); without, it
 * stays (a message whose parts are escaped already). Writes at most size
 * bytes with the NUL, never a partial escape or character. escape()
 * returns how many bytes of s that took (all of them unless cut short);
 * log_escape() returns buf.
 */
static size_t
escape(const char *s, char *buf, size_t size, int flags)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), o = 0, l;
	unsigned		 c;
	char			 esc[8];
	int			 e;

	if (size == 0)
		return 0;
	while (n > 0) {
		l = utf8_len(p, n);
		c = l > 0 ? utf8_code(p, l) : 0;
		e = 0;
		if (l == 0 || (l == 1 && log_unsafe(c))) {
			e = snprintf(esc, sizeof esc, "\\x%02x", *p);
			l = 1;
		} else if (log_unsafe(c))
			e = snprintf(esc, sizeof esc, "\\u%04x", c);
		else if (c == '\\' && (flags & LOG_ESC_BACKSLASH))
			e = snprintf(esc, sizeof esc, "\\\\");
		if (e > 0) {
			if (o + (size_t)e >= size)
				break;
			memcpy(buf + o, esc, (size_t)e);
			o += (size_t)e;
		} else {
			if (o + l >= size)
				break;
			memcpy(buf + o, p, l);
			o += l;
		}
		p += l;
		n -= l;
	}
	buf[o] = '\0';
	return (size_t)((const char *)p - s);
}

const char *
log_escape(const char *s, char *buf, size_t size, int flags)
{
	if (size == 0)
		return "";
	escape(s, buf, size, flags);
	return buf;
}

/*
 * A path (or any name) made safe to print: log_escape with backslashes.
 * One too long for buf keeps its start (a quarter of buf) and as much of
 * its end as fits, the file's own name, around "...": each part cut
 * between two characters, never inside one or inside an escape.
 */
const char *
log_path(const char *path, char *buf, size_t size)
{
	size_t	n = strlen(path), k, hl, tail, took;

	if (size == 0)
		return "";
	if (escape(path, buf, size, LOG_ESC_BACKSLASH) == n || size < 64)
		return buf;
	escape(path, buf, size / 4, LOG_ESC_BACKSLASH);
	hl = strlen(buf);
	memcpy(buf + hl, "...", 3);
	tail = size - hl - 3;		/* with the NUL */
	/* An input byte is at least one byte escaped: start that far back. */
	k = n > tail - 1 ? n - (tail - 1) : 0;
	for (;;) {
		while (k < n && ((unsigned char)path[k] & 0xc0) == 0x80)
			k++;		/* not in the middle of a character */
		took = escape(path + k, buf + hl + 3, tail, LOG_ESC_BACKSLASH);
		if (took == n - k)
			return buf;
		k += n - k - took;	/* as many bytes fewer as did not fit */
	}
}

/*
 * Untrusted text made safe to print, in one of a few buffers of this
 * thread's that are reused in turn: valid until LOG_ESC_RING more calls.
 * For a message's arguments: log_warnx("%s: %s", log_esc(a), log_esc(b)).
 */
const char *
log_esc(const char *s)
{
	static _Thread_local char	ring[LOG_ESC_RING][2048];
	static _Thread_local unsigned	next;

	if (s == NULL)
		return "(null)";
	next = (next + 1) % LOG_ESC_RING;
	return log_escape(s, ring[next], sizeof ring[next], LOG_ESC_BACKSLASH);
}
