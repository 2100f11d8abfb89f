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

/* Emit one message, with ": strerror" when errnum is set. */
static void
log_vemit(int prio, int errnum, const char *fmt, va_list ap)
{
	va_list	ap2;
	size_t	n;

	if (prio <= PRIO_WARNING && log_first[0] == '\0') {
		va_copy(ap2, ap);
		vsnprintf(log_first, sizeof log_first, fmt, ap2);
		va_end(ap2);
		n = strlen(log_first);
		if (errnum != 0 && n < sizeof log_first)
			snprintf(log_first + n, sizeof log_first - n, ": %s",
			    strerror(errnum));
	}
	fflush(stdout);
	if (log_to_journal())
		fprintf(stderr, "<%d>", prio);
	fputs("shoebox: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
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
 * Copy path into buf for printing: valid UTF-8 passes through, control
 * characters and invalid bytes become \xNN. Returns buf.
 */
const char *
log_path(const char *path, char *buf, size_t size)
{
	const unsigned char	*s = (const unsigned char *)path;
	size_t			 n = strlen(path), o = 0, l;

	if (size == 0)
		return "";
	while (n > 0 && o + 5 < size) {
		l = utf8_len(s, n);
		if (l == 1 && (*s < 0x20 || *s == 0x7f || *s == '\\'))
			l = 0;
		if (l == 0) {
			if (*s == '\\')
				o += (size_t)snprintf(buf + o, size - o, "\\\\");
			else
				o += (size_t)snprintf(buf + o, size - o,
				    "\\x%02x", *s);
			s++;
			n--;
			continue;
		}
		if (o + l >= size)
			break;
		memcpy(buf + o, s, l);
		o += l;
		s += l;
		n -= l;
	}
	buf[o] = '\0';
	return buf;
}
