/*
 * test-template.c: folder and name templates (template.c): the common
 * layouts, every placeholder, hostile values from files made safe, and
 * templates the config must refuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shoebox.h"

static struct sb_time	when = { 1, 2006, 8, 2, 21, 53, 1, 0, 0, 0, 0 };

/* Values for IMG_0001.JPG from a Canon EOS 20D. */
static struct tmpl_vals
vals(const char *make, const char *model, const char *name)
{
	struct tmpl_vals	v;

	memset(&v, 0, sizeof v);
	when.year = 2006;	/* whatever a failed test before left */
	v.t = &when;
	v.make = make;
	v.model = model;
	v.kind = KIND_IMAGE;
	v.name = name;
	v.seq = 7;
	return v;
}

/* t expands (flags) to want for v, or fails when want is NULL. */
static void
expands(const char *t, int flags, const struct tmpl_vals *v,
    const char *want)
{
	char	out[PATH_MAX];
	int	rc = tmpl_expand(t, flags, v, out, sizeof out, NULL);

	if (want == NULL) {
		if (rc != -1)
			fail_msg("'%s' gave '%s', wanted a failure", t, out);
		return;
	}
	if (rc != 0)
		fail_msg("'%s' failed, wanted '%s'", t, want);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' gave '%s', wanted '%s'", t, out, want);
}

static void
test_layouts(void **state)
{
	struct tmpl_vals	v = vals("Canon", "Canon EOS 20D",
				    "IMG_0001.JPG");

	(void)state;
	expands("%Y/%m/%d", TMPL_DIR, &v, "2006/08/02");
	expands("%Y/%Y-%m-%d/", TMPL_DIR, &v, "2006/2006-08-02");
	expands("%Y//", TMPL_DIR, &v, "2006");
	expands("/", TMPL_DIR, &v, NULL);
	expands("%Y//%m", TMPL_DIR, &v, NULL);	/* an empty part */
	expands("%Y/%Y-%m-%d", TMPL_DIR, &v, "2006/2006-08-02");
	expands("{model}/%Y/%m", TMPL_DIR, &v, "Canon EOS 20D/2006/08");
	expands("{make}/{model:lower}", TMPL_DIR, &v, "Canon/canon eos 20d");
	expands("{kind}/%Y", TMPL_DIR, &v, "image/2006");
	expands("%Y%m%d-%H%M%S_{name}", 0, &v, "20060802-215301_IMG_0001.JPG");
	expands("%Y%m%d_{seq:4}", 0, &v, "20060802_0007.JPG");
	expands("{seq}", 0, &v, "7.JPG");
	expands("{stem}.{ext:lower}", 0, &v, "IMG_0001.jpg");
	expands("{stem}.", 0, &v, "IMG_0001.JPG");	/* not IMG_0001..JPG */
	expands("{stem:lower}_{ext}", 0, &v, "img_0001_JPG");
	expands("{model:upper}-{stem}", 0, &v, "CANON EOS 20D-IMG_0001.JPG");
	expands("{{%Y}}", 0, &v, "{2006}.JPG");
	expands("}{{}}}", 0, &v, "}{}}.JPG");
	expands("100%%", 0, &v, "100%.JPG");
	expands("%%Y_%F", 0, &v, "%Y_2006-08-02.JPG");
	/* A year of wild mtime is four digits too, as %F's is. */
	when.year = 999;
	expands("%Y/%m/%d", TMPL_DIR, &v, "0999/08/02");
	expands("%F", TMPL_DIR, &v, "0999-08-02");
	expands("%G-W%V", TMPL_DIR, &v, "0999-W31");
	expands("%-Y/%EY", TMPL_DIR, &v, "999/999");	/* as asked */
	expands("%OY", TMPL_DIR, &v, NULL);	/* O does not modify Y */
	expands("%Ed", TMPL_DIR, &v, NULL);
	expands("%Od/%Ey", TMPL_DIR, &v, "02/99");
	when.year = 2006;
	v.name = "README";
	expands("{stem}.{ext}", 0, &v, "README");	/* no "README." */
	expands("%Y_{name}", 0, &v, "2006_README");
	v.name = ".hidden";
	expands("{stem}", 0, &v, "_hidden");
	expands("{name}", 0, &v, "_hidden");
	v.name = "a..jpg";	/* the name's own dots stay */
	expands("{stem}", 0, &v, "a..jpg");
	expands("{stem}.", 0, &v, "a..jpg");
	expands("{stem}..", 0, &v, "a..jpg");
}

/* Values from the file never leave the library or hide in .shoebox. */
static void
test_hostile(void **state)
{
	struct tmpl_vals	v = vals("../../etc", ".shoebox", "IMG_0001.JPG");

	(void)state;
	expands("{make}", TMPL_DIR, &v, "_._.._etc");
	expands("{model}/%Y", TMPL_DIR, &v, "_shoebox/2006");
	expands("{make}{model}", TMPL_DIR, &v, "_._.._etc_shoebox");
	v.make = "..";
	expands("{make}/x", TMPL_DIR, &v, "_./x");
	v.make = "/";
	expands("{make}", TMPL_DIR, &v, "_");
	v.make = "a\\b\x01\n\x7f";
	expands("{make}", TMPL_DIR, &v, "a_b___");
	v.make = "  \t ";
	expands("{make}", TMPL_DIR, &v, "Unknown");
	v.make = "";
	v.model = "";
	expands("{make}/{model}", TMPL_DIR, &v, "Unknown/Unknown");
	v.make = "EVIL\xe2\x80\xaeGPJ.exe";	/* U+202E */
	expands("{make}", TMPL_DIR, &v, "EVIL_GPJ.exe");
	v.make = "a\xe2\x81\xa6" "b\xd8\x9c" "c\xe2\x80\x8f" "d";
	expands("{make}", TMPL_DIR, &v, "a_b_c_d");
	v.make = "nel\xc2\x85" "x\xc2\xa0y";	/* C1 control; NBSP kept */
	expands("{make}", TMPL_DIR, &v, "nel_x\xc2\xa0y");
	v.make = "caf\xc3\xa9 \xff\xfe";		/* good UTF-8 kept, bad not */
	expands("{make}", TMPL_DIR, &v, "caf\xc3\xa9 __");
	v.make = "Nikon";
	v.name = "../../x/.y.JPG";
	expands("{name}", 0, &v, "_._.._x_.y.JPG");
	expands("{stem}", 0, &v, "_._.._x_.y.JPG");
	v.name = "IMG.a/b";
	expands("{stem}", 0, &v, "IMG.a_b");
}

/* A name too long for the file system is cut before its extension. */
static void
test_long(void **state)
{
	char			 name[NAME_MAX + 1], big[NAME_MAX + 2];
	char			 out[PATH_MAX];
	size_t			 i;
	struct tmpl_vals	 v;

	(void)state;
	memset(name, 'a', sizeof name);
	memcpy(name + NAME_MAX - 4, ".JPG", 5);
	v = vals("", "", name);
	assert_int_equal(tmpl_expand("%Y%m%d-%H%M%S_{name}", 0, &v, out,
	    sizeof out, NULL), 0);
	assert_int_equal(strlen(out), NAME_MAX - TMPL_NAME_ROOM);
	assert_string_equal(out + strlen(out) - 4, ".JPG");
	assert_memory_equal(out, "20060802-215301_aaa", 19);
	/* cut at a character, never inside one */
	memset(name, 0, sizeof name);
	for (i = 0; i + 2 < NAME_MAX - 4; i += 2)
		memcpy(name + i, "\xc3\xa9", 2);
	strcat(name, ".JPG");
	v.name = name;
	assert_int_equal(tmpl_expand("x{name}", 0, &v, out, sizeof out,
	    NULL), 0);
	assert_true(strlen(out) <= NAME_MAX - TMPL_NAME_ROOM);
	assert_string_equal(out + strlen(out) - 4, ".JPG");
	assert_true((unsigned char)out[strlen(out) - 5] == 0xa9);
	/* a folder part of NAME_MAX bytes is fine, one more is not */
	v.name = "IMG_0001.JPG";
	memset(big, 'b', NAME_MAX);
	big[NAME_MAX] = '\0';
	assert_int_equal(tmpl_expand(big, TMPL_DIR, &v, out, sizeof out,
	    NULL), 0);
	strcat(big, "b");
	assert_int_equal(tmpl_expand(big, TMPL_DIR, &v, out, sizeof out,
	    NULL), -1);
	/* so does one made too long by its conversions */
	big[0] = '\0';
	for (i = 0; i < 60; i++)
		strcat(big, "%c");
	assert_int_equal(tmpl_expand(big, TMPL_DIR, &v, out, sizeof out,
	    NULL), -1);
	/* a value is not a conversion */
	v.make = "50%Y";
	expands("{make}", TMPL_DIR, &v, "50%Y");
	/* an output buffer too small fails */
	assert_int_equal(tmpl_expand("%Y", TMPL_DIR, &v, out, 4, NULL), -1);
	assert_int_equal(tmpl_expand("{make}", TMPL_DIR, &v, out, 4, NULL),
	    -1);
}

/* Where {seq} goes, for numbering per folder. */
static void
test_seqat(void **state)
{
	struct tmpl_vals	 v = vals("Canon", "X", "IMG_0001.JPG");
	char			 out[PATH_MAX];
	size_t			 at;

	(void)state;
	assert_int_equal(tmpl_expand("%Y%m%d_{seq:3}", 0, &v, out, sizeof out,
	    &at), 0);
	assert_string_equal(out, "20060802_007.JPG");
	assert_int_equal(at, 9);
	assert_int_equal(tmpl_expand("{name}", 0, &v, out, sizeof out, &at),
	    0);
	assert_true(at == (size_t)-1);
	v.seq = 123456;
	assert_int_equal(tmpl_expand("{model}{seq:2}", 0, &v, out, sizeof out,
	    &at), 0);
	assert_string_equal(out, "X123456.JPG");
	assert_int_equal(at, 1);
}

/* check t: refused (rc -1 or -2) with a reason containing why. */
static void
refused(const char *t, int flags, int want, const char *why)
{
	char	err[200] = "";
	int	rc = tmpl_check(t, flags, err, sizeof err);

	if (rc != want)
		fail_msg("'%s': %d (%s), wanted %d", t, rc, err, want);
	if (why != NULL && strstr(err, why) == NULL)
		fail_msg("'%s': '%s' does not say '%s'", t, err, why);
}

static void
test_check(void **state)
{
	char	err[200];

	(void)state;
	assert_int_equal(tmpl_check("%Y/%m/%d", TMPL_DIR, err, sizeof err), 0);
	assert_int_equal(tmpl_check("{model}/%Y/%m", TMPL_DIR, err,
	    sizeof err), 0);
	assert_int_equal(tmpl_check("%Y%m%d-%H%M%S_{name}", 0, err,
	    sizeof err), 0);
	assert_int_equal(tmpl_check("{seq:9}{{x}}%%%-d%Ey", 0, err,
	    sizeof err), 0);
	refused("{foo}", 0, -1, "unknown placeholder {foo}");
	refused("{make:title}", 0, -1, "unknown placeholder {make:title}");
	refused("{seq:0}", 0, -1, "unknown placeholder {seq:0}");
	refused("{seq:10}", 0, -1, "unknown placeholder {seq:10}");
	refused("{seq:lower}", 0, -1, "unknown placeholder");
	refused("%Y/{seq}", TMPL_DIR, -1, "{seq}");
	refused("%Y/{name", TMPL_DIR, -1, "no '}'");
	refused("{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", 0, -1, "no '}'");
	refused("{", 0, -1, "no '}'");
	refused("%Q", 0, -1, "no strftime conversion");
	refused("abc%", 0, -1, "no strftime conversion");
	refused("a/b", 0, -1, "no '/'");
	refused("", 0, -1, "empty");
	refused("../%Y", TMPL_DIR, -2, "no usable folder");
	refused(".shoebox/%Y", TMPL_DIR, -2, NULL);
	refused("%Y//%m", TMPL_DIR, -2, NULL);
	refused("/%Y", TMPL_DIR, -2, NULL);
	refused(".{name}", 0, -2, "no usable name");
	refused("%D", 0, -2, NULL);			/* 08/02/06 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_seqat),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
