/*
 * test-daterange.c: the dates find --date and verify --since take, as the
 * half-open spans of ISO 8601 prefixes the catalogue is queried with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"

/* spec parses, to [from, to). */
static void
ok(const char *spec, const char *from, const char *to)
{
	struct daterange	r;

	if (daterange_parse(spec, &r) != 0)
		fail_msg("'%s' refused", spec);
	if (strcmp(r.from, from) != 0 || strcmp(r.to, to) != 0)
		fail_msg("'%s' gave [%s, %s), expected [%s, %s)", spec, r.from,
		    r.to, from, to);
}

static void
bad(const char *spec)
{
	struct daterange	r;

	if (daterange_parse(spec, &r) != -1)
		fail_msg("'%s' accepted as [%s, %s)", spec, r.from, r.to);
}

static void
test_periods(void **state)
{
	(void)state;
	ok("2004", "2004", "2005");
	ok("2004-03", "2004-03", "2004-04");
	ok("2004-12", "2004-12", "2005-01");
	ok("2004-03-30", "2004-03-30", "2004-03-31");
	ok("2004-03-31", "2004-03-31", "2004-04-01");
	ok("2004-02-28", "2004-02-28", "2004-02-29");	/* leap year */
	ok("2004-02-29", "2004-02-29", "2004-03-01");
	ok("2003-02-28", "2003-02-28", "2003-03-01");
	ok("2004-12-31", "2004-12-31", "2005-01-01");
	/* Any year of four digits: a wild mtime files a photo there. */
	ok("1700", "1700", "1701");
	ok("1900-02-28", "1900-02-28", "1900-03-01");	/* not a leap year */
	ok("1600-02-29", "1600-02-29", "1600-03-01");
	ok("0000-01-01", "0000-01-01", "0000-01-02");
	ok("9999", "9999", "");		/* the last: an open end */
	ok("9999-12", "9999-12", "");
	ok("9999-12-31", "9999-12-31", "");
	ok("9999-12-30", "9999-12-30", "9999-12-31");
}

static void
test_ranges(void **state)
{
	(void)state;
	ok("2004-03-01..2004-03-31", "2004-03-01", "2004-04-01");
	ok("2004-03-30..2004-03-30", "2004-03-30", "2004-03-31");
	ok("2003..2004", "2003", "2005");
	ok("2005..2005", "2005", "2006");
	ok("2004-03-15..2004-03", "2004-03-15", "2004-04");
	ok("2004..2004-06", "2004", "2004-07");
	ok("2004-03..", "2004-03", "");
	ok("..2003-12", "", "2004-01");
	ok("..2003-12-31", "", "2004-01-01");
	ok("2000..9999", "2000", "");
	ok("1700..1799", "1700", "1800");
}

static void
test_refused(void **state)
{
	(void)state;
	bad("");
	bad("..");
	bad("04");
	bad("2004-3");
	bad("2004-03-1");
	bad("2004/03/30");
	bad("2004-13");
	bad("2004-00");
	bad("2003-02-29");
	bad("2004-04-31");
	bad("2004-03-30T10:00");
	bad("2004-03-30x");
	bad("abcd");
	bad("1900-02-29");
	bad("9999-12-31..2000");
	bad("2004-03-31..2004-03-01");	/* ends before it starts */
	bad("2005..2004-12");
	bad("2004...2005");
	bad("2004..2005..2006");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
