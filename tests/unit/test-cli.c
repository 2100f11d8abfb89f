/*
 * test-cli.c: the command line's pieces that need no process: escaping
 * untrusted text (log.c), parsing a command's options from its table
 * (cmd.c), human sizes, the progress line's time left (meter.c), and
 * durations and seconds as the config and the options take them (config.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"

static const struct {
	const char	*in;
	int		 flags;
	const char	*want;
} escapes[] = {
	{ "IMG_0001.JPG", 0, "IMG_0001.JPG" },
	{ "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.jpg", 0,
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.jpg" },
	{ "a\tb\nc\x1b[31m\x7f", 0, "a\\x09b\\x0ac\\x1b[31m\\x7f" },
	{ "caf\xe9.jpg", 0, "caf\\xe9.jpg" },		/* not UTF-8 */
	{ "\xc2\x80\xc2\x85\xc2\x9f\xc2\xa0", 0, "\\u0080\\u0085\\u009f\xc2\xa0" },
	{ "x\xe2\x80\x8e\xe2\x80\x8fy", 0, "x\\u200e\\u200fy" },
	{ "\xd8\x9b\xd8\x9c\xd8\x9d", 0, "\xd8\x9b\\u061c\xd8\x9d" },
	{ "\xe2\x80\xaagpj.exe\xe2\x80\xae", 0, "\\u202agpj.exe\\u202e" },
	{ "\xe2\x80\xa9\xe2\x80\xab\xe2\x80\xaf", 0,
	    "\xe2\x80\xa9\\u202b\xe2\x80\xaf" },	/* 2029, 202F pass */
	{ "\xe2\x81\xa5\xe2\x81\xa6\xe2\x81\xa9\xe2\x81\xaa", 0,
	    "\xe2\x81\xa5\\u2066\\u2069\xe2\x81\xaa" },
	{ "a\\x41", 0, "a\\x41" },
	{ "a\\x41", LOG_ESC_BACKSLASH, "a\\\\x41" },
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },	/* a surrogate */
	{ "\xf0\x9f\x93\xb7", 0, "\xf0\x9f\x93\xb7" },	/* a camera */
};

static void
test_escape(void **state)
{
	char	buf[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
		log_escape(escapes[i].in, buf, sizeof buf, escapes[i].flags);
		if (strcmp(buf, escapes[i].want) != 0)
			fail_msg("escape #%zu: got '%s', want '%s'", i, buf,
			    escapes[i].want);
	}
}

/* A buffer too small never ends in half an escape or half a character. */
static void
test_escape_truncated(void **state)
{
	char	buf[8];

	(void)state;
	log_escape("ab\x1b" "cd", buf, 6, 0);
	assert_string_equal(buf, "ab");
	log_escape("ab\xe6\x97\xa5", buf, 5, 0);
	assert_string_equal(buf, "ab");
	log_escape("abc", buf, 1, 0);
	assert_string_equal(buf, "");
}

/*
 * A path too long for the buffer keeps its start and its end (the file's
 * name) around "...", cut between characters, never inside an escape:
 * what follows "..." is the escaping of some whole end of the path.
 */
static int
ends_path(const char *path, const char *tail)
{
	static char	esc[16384];
	size_t		k, n = strlen(path);

	for (k = 0; k <= n; k++)
		if (strcmp(log_escape(path + k, esc, sizeof esc,
		    LOG_ESC_BACKSLASH), tail) == 0)
			return 1;
	return 0;
}

static void
test_path_long(void **state)
{
	const char	*name = "/IMG_\\x01\xc3\xa9.JPG", *dots;
	char		 path[3000], buf[256];
	size_t		 i, n, size;

	(void)state;
	/* d, a backslash (2 bytes escaped), a byte not UTF-8 (4), x */
	for (i = 0; i < 2000; i++)
		path[i] = i % 100 == 99 ? '/' : "d\\\xe9x"[i % 4];
	snprintf(path + 2000, sizeof path - 2000, "/IMG_\x01\xc3\xa9.JPG");
	for (size = 64; size <= sizeof buf; size += 7) {
		log_path(path, buf, size);
		n = strlen(buf);
		assert_true(n < size);
		assert_non_null(dots = strstr(buf, "..."));
		assert_int_equal(strncmp(buf, "d\\\\\\xe9x", 8), 0);
		assert_true(n > strlen(name));
		assert_string_equal(buf + n - strlen(name), name);
		if (!ends_path(path, dots + 3))
			fail_msg("size %zu: cut inside an escape: %s", size,
			    dots + 3);
	}
	/* every byte escaped, the path shorter than the buffer: the end */
	memset(path, 0x01, 200);
	snprintf(path + 200, sizeof path - 200, "/a.JPG");
	log_path(path, buf, 128);
	n = strlen(buf);
	assert_true(n < 128);
	assert_string_equal(buf + n - 6, "/a.JPG");
	assert_true(ends_path(path, strstr(buf, "...") + 3));
	/* one that fits is as log_escape makes it */
	log_path("a\\b", buf, sizeof buf);
	assert_string_equal(buf, "a\\\\b");
}

static const struct cmd_option opts[] = {
	{ "dry-run", 'n', NULL, "x" },
	{ "settle", 0, "DURATION", "x" },
	{ "sync", 's', NULL, "x" },
	{ "no-sync", 0, NULL, "x" },
	{ NULL, 0, NULL, NULL }
};
static const struct cmd_entry entry = {
	"try", "FILE...", 1, 2, "a command to test with", opts, 0, NULL
};

static void
test_parse(void **state)
{
	struct cmd_args	 a;
	char		*argv[] = { "try", "one", "-n", "--settle", "5m", "-s",
			    "--no-sync", "-v", "-L", "/lib", "two", "--sync",
			    "-v", NULL };

	(void)state;
	assert_int_equal(cmd_parse(&entry, 13, argv, 0, &a), 0);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "one");
	assert_string_equal(a.argv[1], "two");
	assert_int_equal(cmd_has(&a, "dry-run"), 1);
	assert_string_equal(cmd_get(&a, "settle"), "5m");
	assert_int_equal(cmd_flag(&a, "sync", "no-sync", -1), 1);
	assert_int_equal(cmd_has(&a, "verbose"), 2);	/* a global one */
	assert_string_equal(cmd_get(&a, "library"), "/lib");
	assert_int_equal(cmd_has(&a, "json"), 0);	/* not an option here */
	assert_int_equal(cmd_declares(&entry, "settle"), 1);
	assert_int_equal(cmd_declares(&entry, "library"), 0);
}

static void
test_parse_errors(void **state)
{
	struct cmd_args	 a;
	char		*none[] = { "try", "-n", NULL };
	char		*three[] = { "try", "a", "b", "c", NULL };
	char		*unknown[] = { "try", "--frob", "a", NULL };
	char		*noarg[] = { "try", "a", "--settle", NULL };
	char		*help[] = { "try", "--help", NULL };
	char		*prefix[] = { "try", "--dry", "a", NULL };
	char		*dashdash[] = { "try", "--", "-n", NULL };

	(void)state;
	assert_int_equal(cmd_parse(&entry, 2, none, 0, &a), -1);
	assert_int_equal(cmd_parse(&entry, 4, three, 0, &a), -1);
	assert_int_equal(cmd_parse(&entry, 3, unknown, 0, &a), -1);
	assert_int_equal(cmd_parse(&entry, 3, noarg, 0, &a), -1);
	assert_int_equal(cmd_parse(&entry, 2, help, 0, &a), 0);
	assert_int_equal(cmd_has(&a, "help"), 1);
	assert_int_equal(cmd_parse(&entry, 3, prefix, 0, &a), 0);
	assert_int_equal(cmd_has(&a, "dry-run"), 1);
	assert_int_equal(cmd_parse(&entry, 3, dashdash, 0, &a), 0);
	assert_int_equal(cmd_has(&a, "dry-run"), 0);
	assert_string_equal(a.argv[0], "-n");
	assert_int_equal(cmd_flag(&a, "sync", "no-sync", 7), 7);
}

static void
test_size(void **state)
{
	char	buf[32];

	(void)state;
	fmt_size(0, buf, sizeof buf);
	assert_string_equal(buf, "0 B");
	fmt_size(999, buf, sizeof buf);
	assert_string_equal(buf, "999 B");
	fmt_size(38400, buf, sizeof buf);
	assert_string_equal(buf, "38.4 kB");
	fmt_size(999960, buf, sizeof buf);
	assert_string_equal(buf, "1.0 MB");
	fmt_size(3000000000ULL, buf, sizeof buf);
	assert_string_equal(buf, "3.0 GB");
}

/* The progress line's time left, short and long, and past any estimate. */
static void
test_time_left(void **state)
{
	static const struct {
		double		 secs;
		const char	*want;
	} t[] = {
		{ 0, "0:00 left" }, { 59.9, "0:59 left" },
		{ 3599, "59:59 left" }, { 3600, "1:00:00 left" },
		{ 86399 + 3600, "24:59:59 left" },
		{ 100 * 3600, "--:-- left" },
		{ 1e30, "--:-- left" },	/* a rate of 1 byte in hours */
		{ -1, "--:-- left" },
	};
	char	buf[32];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		meter_left(t[i].secs, buf, sizeof buf);
		assert_string_equal(buf, t[i].want);
	}
}

/* A value as written, and what its parser makes of it (-1: refused). */
struct parsed {
	const char	*in;
	double		 want;
};

/* Each of t[0..n) through parse (what names it): as wanted. */
static void
check_parsed(const char *what, int (*parse)(const char *, double *),
    const struct parsed *t, size_t n)
{
	double	d;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (parse(t[i].in, &d) == -1)
			d = -1;
		if (d != t[i].want)
			fail_msg("%s '%s': %g, want %g", what, t[i].in, d,
			    t[i].want);
	}
}

/* Durations (settle) and seconds (a remote's timeouts): plain decimals. */
static void
test_durations(void **state)
{
	static const struct parsed dur[] = {
		{ "0", 0 }, { "45", 45 }, { "30s", 30 }, { "1.5m", 90 },
		{ ".5h", 1800 }, { "1d", 86400 }, { "5 s", 5 }, { "2min", 120 },
		{ "366d", 366 * 86400.0 }, { "367d", -1 }, { "inf", -1 },
		{ "nan", -1 }, { "1e3", -1 }, { "0x10", -1 }, { "-5s", -1 },
		{ "+5", -1 }, { "", -1 }, { "s", -1 }, { ".", -1 },
		{ "99999999999999999999d", -1 }, { "5w", -1 },
	};
	static const struct parsed sec[] = {
		{ "30", 30 }, { "1.5", 1.5 }, { "500ms", 0.5 }, { "2m", 120 },
		{ "86400s", 86400 }, { "86401", -1 }, { "1e308", -1 },
		{ "infinity", -1 }, { "0x1p3", -1 }, { "-1", -1 }, { "5h", -1 },
	};

	(void)state;
	check_parsed("duration", config_parse_duration, dur,
	    sizeof dur / sizeof dur[0]);
	check_parsed("seconds", config_parse_seconds, sec,
	    sizeof sec / sizeof sec[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncated),
		cmocka_unit_test(test_path_long),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_time_left),
		cmocka_unit_test(test_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
