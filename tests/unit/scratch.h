/*
 * scratch.h: a scratch library directory for a unit test of the catalogue:
 * libdir, made before the tests (scratch_setup) and removed with all in it
 * after them (scratch_teardown). Included by one test's .c, after cmocka.h.
 */
static char	libdir[] = "/tmp/shoebox-unit.XXXXXX";

static int
scratch_setup(void **state)
{
	(void)state;
	return mkdtemp(libdir) == NULL ? -1 : 0;
}

static int
scratch_teardown(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", libdir);
	return system(cmd) == 0 ? 0 : -1;
}
