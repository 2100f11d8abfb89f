/*
 * test-date-name.c: dates from file and folder names (date-name.c), one
 * table row per name: the names phones, messengers, cameras, dashcams and
 * apps write, and the names that look like them but hold no date.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"

/* "Now" for every row: 2024-06-01T00:00:00Z. */
#define NOW	((int64_t)19875 * 86400)

static const struct {
	const char	*name;
	const char	*want;		/* wall clock, or NULL: no date */
	int		 prec;
} names[] = {
	/* Phones' cameras */
	{ "IMG_20190824_121233.jpg", "2019-08-24T12:12:33", DATE_NAME_SECOND },
	{ "IMG_20190824_121233_1.jpg", "2019-08-24T12:12:33", DATE_NAME_SECOND },
	{ "IMG_20190824_121233~2.jpg", "2019-08-24T12:12:33", DATE_NAME_SECOND },
	{ "IMG_20190824_121233_HDR.jpg", "2019-08-24T12:12:33",
	    DATE_NAME_SECOND },
	{ "img_20190824_121233.JPG", "2019-08-24T12:12:33", DATE_NAME_SECOND },
	{ "IMG_20200229_000000.jpg", "2020-02-29T00:00:00", DATE_NAME_SECOND },
	{ "PXL_20210101_123456789.jpg", "2021-01-01T12:34:56",
	    DATE_NAME_SECOND },
	{ "PXL_20210101_123456789.PORTRAIT.jpg", "2021-01-01T12:34:56",
	    DATE_NAME_SECOND },
	{ "PXL_20210101_123456789.MP.jpg", "2021-01-01T12:34:56",
	    DATE_NAME_SECOND },
	{ "VID_20200101_101010.mp4", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "PANO_20200101_101010.jpg", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "20200101_101010.jpg", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "20200101_101010(0).jpg", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "WP_20140101_10_10_10_Pro.jpg", "2014-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "WP_20140101_001.jpg", "2014-01-01T00:00:00", DATE_NAME_DAY },
	{ "DJI_20230101101010_0001_D.JPG", "2023-01-01T10:10:10",
	    DATE_NAME_SECOND },
	/* Messengers */
	{ "IMG-20200101-WA0001.jpg", "2020-01-01T00:00:00", DATE_NAME_DAY },
	{ "VID-20200101-WA0001.mp4", "2020-01-01T00:00:00", DATE_NAME_DAY },
	{ "IMG-20200101-WA0001 (1).jpg", "2020-01-01T00:00:00", DATE_NAME_DAY },
	{ "WhatsApp Image 2020-01-01 at 10.10.10.jpeg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "WhatsApp Video 2020-01-01 at 1.10.10 PM (1).mp4",
	    "2020-01-01T13:10:10", DATE_NAME_SECOND },
	{ "signal-2020-01-01-101010.jpg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "signal-2020-01-01-10-10-10-123.jpg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "photo_2020-01-01_10-10-10.jpg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "video_2020-01-01_10-10-10.mp4", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	/* Screenshots and screen recordings */
	{ "Screenshot_2020-01-01-10-10-10.png", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screenshot_2020-01-01-10-10-10-123_com.android.chrome.png",
	    "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "Screenshot_20200101-101010.png", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screenshot_20200101-101010_Chrome.jpg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screenshot 2020-01-01 at 10.10.10.png", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screen Shot 2020-01-01 at 1.02.03 PM.png", "2020-01-01T13:02:03",
	    DATE_NAME_SECOND },
	{ "Screenshot 2023-01-01 at 12.02.03\xe2\x80\xaf" "AM.png",
	    "2023-01-01T00:02:03", DATE_NAME_SECOND },
	{ "Screen Recording 2020-01-01 at 10.10.10.mov", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screenshot from 2020-01-01 10-10-10.png", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "Screenshot 2023-01-01 101010.png", "2023-01-01T10:10:10",
	    DATE_NAME_SECOND },
	/* Dashcams, uploads, people */
	{ "2020_0101_101010_001.MP4", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "2020_0101_101010_001F.MP4", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "20200101101010_0001.MP4", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "FILE200101-101010F.MP4", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "FILE200101-101010R.MP4", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "2020-01-01 10.10.10.jpg", "2020-01-01T10:10:10", DATE_NAME_SECOND },
	{ "2020-01-01 10.10.10-1.jpg", "2020-01-01T10:10:10",
	    DATE_NAME_SECOND },
	{ "2020-01-01 Birthday.jpg", "2020-01-01T00:00:00", DATE_NAME_DAY },
	{ "/srv/share/Phone/IMG_20190824_121233.jpg", "2019-08-24T12:12:33",
	    DATE_NAME_SECOND },
	{ "IMG_20240601_120000.jpg", "2024-06-01T12:00:00", DATE_NAME_SECOND },

	/* Sequence numbers, counters and names with no date */
	{ "IMG_2019.jpg", NULL, 0 },
	{ "IMG_0001.JPG", NULL, 0 },
	{ "DSC_1990.JPG", NULL, 0 },
	{ "IMG_20190824.jpg", NULL, 0 },
	{ "IMG_2019082_121233.jpg", NULL, 0 },
	{ "IMG-20200101-WA.jpg", NULL, 0 },
	{ "2020010110101.jpg", NULL, 0 },
	{ "202001011010101.jpg", NULL, 0 },
	{ "1234567890.jpg", NULL, 0 },
	{ "12345678_123456.jpg", NULL, 0 },
	{ "2020-1-1.jpg", NULL, 0 },
	{ "GOPR0001.MP4", NULL, 0 },
	{ "", NULL, 0 },
	{ "/srv/share/", NULL, 0 },
	{ "/srv/2019-08-24/", NULL, 0 },
	/* Impossible dates and times */
	{ "IMG_20191324_121233.jpg", NULL, 0 },
	{ "IMG_20190230_121233.jpg", NULL, 0 },
	{ "IMG_20190229_121233.jpg", NULL, 0 },
	{ "IMG_20190824_251233.jpg", NULL, 0 },
	{ "IMG_20190824_126033.jpg", NULL, 0 },
	{ "IMG_20190824_121260.jpg", NULL, 0 },
	{ "IMG_20190800_121233.jpg", NULL, 0 },
	{ "Screenshot_2020-02-30-10-10-10.png", NULL, 0 },
	{ "Screen Shot 2020-01-01 at 13.02.03 PM.png", NULL, 0 },
	{ "Screen Shot 2020-01-01 at 0.02.03 AM.png", NULL, 0 },
	{ "FILE201301-101010F.MP4", NULL, 0 },
	{ "2020-01-01 25.10.10.jpg", NULL, 0 },
	{ "IMG-20201301-WA0001.jpg", NULL, 0 },
	/* Before 1990, or in the future */
	{ "IMG_19890824_121233.jpg", NULL, 0 },
	{ "19800101_000000.jpg", NULL, 0 },
	{ "IMG_20990824_121233.jpg", NULL, 0 },
	{ "IMG_20240603_000000.jpg", NULL, 0 },
	{ "IMG-20240610-WA0001.jpg", NULL, 0 },
};

static void
test_name_table(void **state)
{
	struct sb_time	t;
	char		got[64];
	size_t		i;
	int		prec;

	(void)state;
	assert_true(sizeof names / sizeof names[0] >= 40);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		memset(&t, 0, sizeof t);
		prec = date_from_name(names[i].name, NOW, &t);
		date_format(&t, got, sizeof got);
		if (names[i].want == NULL) {
			if (prec != DATE_NAME_NONE || t.has_wall)
				fail_msg("'%s': want no date, got %s",
				    names[i].name, got);
			continue;
		}
		if (prec != names[i].prec || strcmp(got, names[i].want) != 0)
			fail_msg("'%s': want %s (%d), got '%s' (%d)",
			    names[i].name, names[i].want, names[i].prec, got,
			    prec);
		/* a wall clock with no zone */
		assert_false(t.has_offset);
		assert_false(t.has_utc);
	}
}

static const struct {
	const char	*path;
	const char	*want;		/* wall clock, or NULL */
} folders[] = {
	{ "/share/2019-08-24 Holiday/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/2019/08/24/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/2019/08/24 Beach/x.jpg", "2019-08-24T00:00:00" },
	{ "/2019/08/24/x.jpg", "2019-08-24T00:00:00" },
	{ "2019/08/24/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/20190824/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/2019_08_24/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/2019.08.24 Party/x.jpg", "2019-08-24T00:00:00" },
	{ "/share/2019-08-24 Holiday/Day 1/x.jpg", NULL },
	{ "/share/2019/08/x.jpg", NULL },
	{ "/share/2019/13/01/x.jpg", NULL },
	{ "/share/2019/08/245/x.jpg", NULL },
	{ "/share/19/08/24/x.jpg", NULL },
	{ "/2019-02-30/x.jpg", NULL },
	{ "/1985-02-03/x.jpg", NULL },
	{ "/2030-02-03/x.jpg", NULL },
	{ "/share/100CANON/IMG_0001.JPG", NULL },
	{ "/share/10010824/IMG_0001.JPG", NULL },
	{ "x.jpg", NULL },
	{ "/x.jpg", NULL },
	{ "", NULL },
	{ "//", NULL },
};

static void
test_folder_table(void **state)
{
	struct sb_time	t;
	char		got[64];
	size_t		i;
	int		prec;

	(void)state;
	for (i = 0; i < sizeof folders / sizeof folders[0]; i++) {
		memset(&t, 0, sizeof t);
		prec = date_from_folder(folders[i].path, NOW, &t);
		date_format(&t, got, sizeof got);
		if (folders[i].want == NULL) {
			if (prec != DATE_NAME_NONE || t.has_wall)
				fail_msg("'%s': want no date, got %s",
				    folders[i].path, got);
			continue;
		}
		if (prec != DATE_NAME_DAY || strcmp(got, folders[i].want) != 0)
			fail_msg("'%s': want %s, got '%s' (%d)",
			    folders[i].path, folders[i].want, got, prec);
	}
}

/* Every prefix of every name: no read past its end, no crash. */
static void
test_name_prefixes(void **state)
{
	struct sb_time	t;
	char		buf[128];
	size_t		i, n;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		for (n = 0; n <= strlen(names[i].name) && n < sizeof buf;
		    n++) {
			memcpy(buf, names[i].name, n);
			buf[n] = '\0';
			date_from_name(buf, NOW, &t);
			date_from_folder(buf, NOW, &t);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_table),
		cmocka_unit_test(test_folder_table),
		cmocka_unit_test(test_name_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
