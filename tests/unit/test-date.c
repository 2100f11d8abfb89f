/*
 * test-date.c: the date and EXIF code: parsing camera dates, rejecting
 * blank and impossible ones, zones, and libexif on real JPEGs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "shoebox.h"

static int
parse(const char *s, struct sb_time *t)
{
	return date_parse_exif(s, strlen(s) + 1, t);
}

static void
test_exif_dates(void **state)
{
	struct sb_time	t;

	(void)state;
	assert_int_equal(parse("2021:05:12 12:21:21", &t), 0);
	assert_int_equal(t.year, 2021);
	assert_int_equal(t.mon, 5);
	assert_int_equal(t.day, 12);
	assert_int_equal(t.hour, 12);
	assert_int_equal(t.min, 21);
	assert_int_equal(t.sec, 21);
	assert_false(t.has_offset);
	assert_false(t.has_utc);

	/* ISO form, fractional seconds and a zone */
	assert_int_equal(parse("2019-12-31T15:59:58.123-0800", &t), 0);
	assert_int_equal(t.hour, 15);
	assert_true(t.has_offset);
	assert_int_equal(t.offset_min, -480);
	assert_true(t.has_utc);
	assert_int_equal(t.utc, 1577836798);	/* 2019-12-31T23:59:58Z */

	/* trailing junk after the seconds is ignored, as ExifTool does */
	assert_int_equal(parse("2021:08:19 18:48:53A", &t), 0);
	assert_int_equal(t.sec, 53);
	assert_int_equal(parse("2002:07:13 15:58:28Z", &t), 0);
	assert_true(t.has_offset);
	assert_int_equal(t.offset_min, 0);

	/* a date with no time */
	assert_int_equal(parse("2005:09:29", &t), 0);
	assert_int_equal(t.hour, 0);

	/* other cameras' separators and padding, as ExifTool reads them */
	assert_int_equal(parse("2019/08/24 12:12:33", &t), 0);
	assert_int_equal(t.year, 2019);
	assert_int_equal(t.mon, 8);
	assert_int_equal(t.day, 24);
	assert_int_equal(t.hour, 12);
	assert_int_equal(parse("2019.08.24 12:12:33", &t), 0);
	assert_int_equal(t.day, 24);
	assert_int_equal(t.sec, 33);
	assert_int_equal(parse("2019:08:24  9:12:33", &t), 0);
	assert_int_equal(t.hour, 9);
	assert_int_equal(t.min, 12);
	assert_int_equal(parse("2004:03:30 10:43: 6", &t), 0);
	assert_int_equal(t.sec, 6);
	assert_int_equal(parse("2019: 8: 4 09:12:33", &t), 0);
	assert_int_equal(t.mon, 8);
	assert_int_equal(t.day, 4);
	assert_int_equal(parse("2019:08:24:09:12:33", &t), 0);
	assert_int_equal(t.hour, 9);
	assert_int_equal(t.sec, 33);
	/* a ':' after the day with no time after it: the day, as before */
	assert_int_equal(parse("2019:08:24:", &t), 0);
	assert_int_equal(t.day, 24);
	assert_int_equal(t.hour, 0);
	assert_int_equal(parse("2019:08:24:--", &t), 0);
	assert_int_equal(t.day, 24);
}

static void
test_no_dates(void **state)
{
	struct sb_time	t;

	(void)state;
	assert_int_equal(parse("0000:00:00 00:00:00", &t), -1);
	assert_int_equal(parse("", &t), -1);
	assert_int_equal(parse("    :  :     :  :  ", &t), -1);
	assert_int_equal(parse("    /  /     :  :  ", &t), -1);
	assert_int_equal(parse("0000/00/00 00:00:00", &t), -1);
	assert_int_equal(parse("0000.00.00  0:00:00", &t), -1);
	assert_int_equal(parse("2019/  /24 12:12:33", &t), -1);
	assert_int_equal(parse("2019:08:24    :  :  ", &t), -1);
	assert_int_equal(parse("2019|08|24 12:12:33", &t), -1);
	assert_int_equal(parse("2021:13:01 00:00:00", &t), -1);
	assert_int_equal(parse("2021:02:29 00:00:00", &t), -1);
	assert_int_equal(parse("2020:02:29 00:00:00", &t), 0);
	assert_int_equal(parse("2021:04:31 10:00:00", &t), -1);
	assert_int_equal(parse("2021:01:01 24:00:00", &t), -1);
	assert_int_equal(parse("2021:01:01 23:60:00", &t), -1);
	assert_int_equal(parse("1066:10:14 09:00:00", &t), -1);
	/* bounded: no read past n even without a NUL */
	assert_int_equal(date_parse_exif("2021:05:1", 9, &t), -1);
	/* epoch instants are no date */
	memset(&t, 0, sizeof t);
	assert_int_equal(date_set_utc(&t, 0), -1);
	assert_int_equal(date_set_utc(&t, -2082844800), -1);
	assert_false(t.has_utc);
}

static void
test_offsets(void **state)
{
	int	min;

	(void)state;
	assert_int_equal(date_parse_offset("+02:00", 6, &min), 0);
	assert_int_equal(min, 120);
	assert_int_equal(date_parse_offset("-05:30", 6, &min), 0);
	assert_int_equal(min, -330);
	assert_int_equal(date_parse_offset("+0545", 5, &min), 0);
	assert_int_equal(min, 345);
	assert_int_equal(date_parse_offset("Z", 1, &min), 0);
	assert_int_equal(min, 0);
	assert_int_equal(date_parse_offset("   :  ", 6, &min), -1);
	assert_int_equal(date_parse_offset("+25:00", 6, &min), -1);
	assert_int_equal(date_parse_offset("+14:00", 6, &min), 0);
	assert_int_equal(min, 840);
	assert_int_equal(date_parse_offset("+14:01", 6, &min), -1);
	assert_int_equal(date_parse_offset("-14:30", 6, &min), -1);
}

static void
test_zones(void **state)
{
	struct sb_time	t;
	char		buf[64];

	(void)state;
	memset(&t, 0, sizeof t);
	/* 2021-07-04T18:30:15Z in New York (EDT, -04:00) */
	assert_int_equal(date_set_utc(&t, 1625423415), 0);
	assert_int_equal(date_utc_to_wall(&t, "America/New_York"), 0);
	date_format(&t, buf, sizeof buf);
	assert_string_equal(buf, "2021-07-04T14:30:15-04:00");
	date_format_utc(&t, buf, sizeof buf);
	assert_string_equal(buf, "2021-07-04T18:30:15Z");

	/* an offset stored in the file wins over any zone */
	memset(&t, 0, sizeof t);
	assert_int_equal(date_set_utc(&t, 1625423415), 0);
	t.has_offset = 1;
	t.offset_min = 540;
	assert_int_equal(date_utc_to_wall(&t, "America/New_York"), 0);
	date_format(&t, buf, sizeof buf);
	assert_string_equal(buf, "2021-07-05T03:30:15+09:00");
}

static void
test_resolve_camera_zone(void **state)
{
	struct config	*cfg = config_new();
	struct meta	 m;
	char		 buf[64];

	(void)state;
	config_set(cfg, "", "timezone", "Europe/Paris");
	config_set(cfg, "camera \"Canon EOS R6\"", "timezone", "Asia/Tokyo");
	memset(&m, 0, sizeof m);
	date_set_utc(&m.taken, 1625423415);
	date_resolve(&m, cfg);
	date_format(&m.taken, buf, sizeof buf);
	assert_string_equal(buf, "2021-07-04T20:30:15+02:00");

	memset(&m, 0, sizeof m);
	strcpy(m.make, "Canon");
	strcpy(m.model, "Canon EOS R6");
	date_set_utc(&m.taken, 1625423415);
	date_resolve(&m, cfg);
	date_format(&m.taken, buf, sizeof buf);
	assert_string_equal(buf, "2021-07-05T03:30:15+09:00");
	config_free(cfg);
}

/* Run the JPEG/EXIF reader on a corpus file. */
static int
jpeg_file(const char *name, struct meta *m)
{
	static uint8_t	 head[HEAD_SIZE];
	struct sb_src	 s;
	char		 path[1024];
	const char	*corpus = getenv("CORPUS");
	ssize_t		 n;
	int		 fd, rc;

	snprintf(path, sizeof path, "%s/exiv2/%s",
	    corpus ? corpus : "../shared/corpus", name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -2;
	memset(m, 0, sizeof *m);
	memset(&s, 0, sizeof s);
	n = read(fd, head, sizeof head);
	s.fd = fd;
	s.path = path;
	s.size = (uint64_t)lseek(fd, 0, SEEK_END);
	s.head = head;
	s.headlen = n > 0 ? (size_t)n : 0;
	rc = meta_jpeg(&s, m);
	close(fd);
	return rc;
}

static void
test_libexif_real_files(void **state)
{
	struct meta	m;
	char		buf[64];

	(void)state;
	if (jpeg_file("exiv2-canon-eos-20d.jpg", &m) == -2)
		skip();
	date_format(&m.taken, buf, sizeof buf);
	assert_string_equal(buf, "2006-08-02T21:53:01");
	assert_string_equal(m.date_source, "exif");
	assert_string_equal(m.make, "Canon");
	assert_string_equal(m.model, "Canon EOS 20D");

	assert_int_equal(jpeg_file("exiv2-bug540.jpg", &m), 0);
	assert_int_equal(m.taken.day, 13);

	/* no EXIF at all: no date, no error */
	assert_int_equal(jpeg_file("exiv2-empty.jpg", &m), 0);
	assert_false(m.taken.has_wall);

	/* truncated: an error, never a crash */
	assert_int_equal(jpeg_file("exiv2-bug1247.jpg", &m), -1);
	assert_true(m.error[0] != '\0');

	/* XMP CreateDate when there is no EXIF date */
	assert_int_equal(jpeg_file("iptc-psAPP13-noIPTC.jpg", &m), 0);
	date_format(&m.taken, buf, sizeof buf);
	assert_string_equal(buf, "2009-06-03T17:02:22+02:00");
	assert_string_equal(m.date_source, "xmp");
}

static void
test_exif_blob_bounds(void **state)
{
	/* A TIFF header whose IFD0 offset points far past the end. */
	static const uint8_t bad[] = { 'I', 'I', 42, 0, 0xff, 0xff, 0xff, 0x7f,
	    0, 0 };
	struct meta	m;

	(void)state;
	memset(&m, 0, sizeof m);
	assert_int_equal(meta_exif_blob(bad, sizeof bad, &m), 0);
	assert_false(m.taken.has_wall);
	assert_int_equal(meta_exif_blob(bad, 4, &m), -1);
}

static void
test_casio_qvci(void **state)
{
	/* SOI, a QVCI APP1 block with its date at byte 0x4d, SOS. */
	uint8_t		 jpg[2 + 4 + 0x86 + 2];
	uint8_t		*q = jpg + 6;
	struct sb_src	 s;
	struct meta	 m;

	(void)state;
	memset(jpg, 0, sizeof jpg);
	memcpy(jpg, "\xff\xd8\xff\xe1\x00\x88", 6);
	memcpy(q, "QVCI", 4);
	memcpy(q + 0x4d, "1998.10.24.12.08.57", 19);
	memcpy(jpg + sizeof jpg - 2, "\xff\xda", 2);
	src_mem(&s, jpg, sizeof jpg);
	memset(&m, 0, sizeof m);
	assert_int_equal(meta_jpeg(&s, &m), 0);
	assert_true(m.taken.has_wall);
	assert_int_equal(m.taken.year, 1998);
	assert_int_equal(m.taken.day, 24);
	assert_int_equal(m.taken.sec, 57);
	assert_string_equal(m.date_source, "casio-qvci");

	/* A block too short for the date is left alone. */
	jpg[5] = 0x50;
	memcpy(jpg + 6 + 0x4e, "\xff\xda", 2);
	src_mem(&s, jpg, 6 + 0x4e + 4);
	memset(&m, 0, sizeof m);
	assert_int_equal(meta_jpeg(&s, &m), 0);
	assert_false(m.taken.has_wall);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exif_dates),
		cmocka_unit_test(test_no_dates),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_resolve_camera_zone),
		cmocka_unit_test(test_libexif_real_files),
		cmocka_unit_test(test_exif_blob_bounds),
		cmocka_unit_test(test_casio_qvci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
