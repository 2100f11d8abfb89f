/*
 * test-store.c: the pieces of store.c that import and the remotes share:
 * the names tried when one is taken (store_name_candidate), and the one
 * read, hash and copy pass (store_pass): the bytes copied, hashed and
 * counted once each, a region, an early end, an interruption; and the
 * read-ahead of the files to come (store_ahead), in and out of order;
 * and which messages say a disk is full (err_disk_full).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shoebox.h"
#include "scan.h"
#include "store.h"
#include "remote.h"

#define SIZE	(3 * 1024 * 1024 + 12345)	/* several buffers, and a tail */

static char	dir[] = "/tmp/shoebox-test-store.XXXXXX";
static char	src[64], dst[64];

static int
setup(void **state)
{
	uint8_t	*buf;
	size_t	 i;
	int	 fd;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(src, sizeof src, "%s/src", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	buf = malloc(SIZE);
	for (i = 0; i < SIZE; i++)
		buf[i] = (uint8_t)(i * 7 + i / 4096);
	fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1 || write(fd, buf, SIZE) != SIZE)
		return -1;
	close(fd);
	free(buf);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(src);
	unlink(dst);
	return rmdir(dir);
}

static void
test_name_candidate(void **state)
{
	static const char *cases[][3] = {
		{ "IMG_0001.JPG", "IMG_0001.JPG", "IMG_0001-3.JPG" },
		{ "IMG_1.CR2.xmp", "IMG_1.CR2.xmp", "IMG_1.CR2-3.xmp" },
		{ "noext", "noext", "noext-3" },
		{ ".hidden", ".hidden", ".hidden-3" },
		{ "d.x/noext", "d.x/noext", "d.x/noext-3" },
		{ "2019/07/04/a.jpg", "2019/07/04/a.jpg", "2019/07/04/a-3.jpg" },
	};
	char	out[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(store_name_candidate(cases[i][0], 0, out,
		    sizeof out), 0);
		assert_string_equal(out, cases[i][1]);
		assert_int_equal(store_name_candidate(cases[i][0], 3, out,
		    sizeof out), 0);
		assert_string_equal(out, cases[i][2]);
	}
	/* A name that does not fit is refused, not cut short. */
	assert_int_equal(store_name_candidate("abc.jpg", 10, out, 9), -1);
	assert_int_equal(store_name_candidate("abc.jpg", 10, out, 11), 0);
	assert_string_equal(out, "abc-10.jpg");
}

/*
 * A file name of NAME_MAX bytes loses the end of its stem to its -N, never
 * half a UTF-8 character; the folder and the extension stay whole.
 */
static void
test_name_candidate_long(void **state)
{
	char	name[300], want[600], out[600];
	size_t	i;

	(void)state;
	memset(name, 'x', 251);
	strcpy(name + 251, ".jpg");
	assert_int_equal(store_name_candidate(name, 1, out, sizeof out), 0);
	memset(want, 'x', 249);
	strcpy(want + 249, "-1.jpg");
	assert_string_equal(out, want);
	assert_int_equal(store_name_candidate(name, 123, out, sizeof out), 0);
	assert_int_equal(strlen(out), 255);
	/* in a folder: only the file name counts */
	snprintf(want, sizeof want, "2004/03/30/%s", name);
	assert_int_equal(store_name_candidate(want, 1, out, sizeof out), 0);
	assert_int_equal(strlen(out), 11 + 255);
	assert_memory_equal(out, "2004/03/30/xxx", 14);
	/* 125 e-acutes, then "x.jpg": the cut takes the x and a whole one */
	for (i = 0; i < 125; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	strcpy(name + 250, "x.jpg");
	assert_int_equal(store_name_candidate(name, 1, out, sizeof out), 0);
	assert_int_equal(strlen(out), 248 + 6);
	assert_string_equal(out + 248, "-1.jpg");
	assert_memory_equal(out, name, 248);
	/* no stem to cut: refused */
	memset(name, 'x', 1);
	memset(name + 1, 'j', 254);
	name[1] = '.';
	name[255] = '\0';
	assert_int_equal(store_name_candidate(name, 1, out, sizeof out), -1);
}

/* SHA-256 of what store_hash_fd reads from path. */
static void
hash_path(const char *path, uint64_t size, char *hex)
{
	char	err[256];
	int	fd = open(path, O_RDONLY);

	assert_true(fd != -1);
	assert_int_equal(store_hash_fd(fd, size, hex, err, sizeof err), 0);
	close(fd);
}

static void
test_pass_copy(void **state)
{
	struct store_pass p;
	unsigned char	  md[32];
	char		  hex[65], want[65], err[256];
	uint64_t	  progress = 0;
	int		  in, out;

	(void)state;
	in = open(src, O_RDONLY);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(in != -1 && out != -1);
	memset(&p, 0, sizeof p);
	p.fd = in;
	p.len = p.size = SIZE;
	p.out = out;
	p.sha256 = EVP_MD_CTX_new();
	EVP_DigestInit_ex(p.sha256, EVP_sha256(), NULL);
	p.progress = &progress;
	assert_int_equal(store_pass(&p, err, sizeof err), 0);
	EVP_DigestFinal_ex(p.sha256, md, NULL);
	EVP_MD_CTX_free(p.sha256);
	store_sha256_hex(md, hex);
	close(in);
	close(out);
	assert_int_equal(progress, SIZE);
	hash_path(src, SIZE, want);
	assert_string_equal(hex, want);
	hash_path(dst, SIZE, hex);
	assert_string_equal(hex, want);
}

static void
test_pass_region_and_errors(void **state)
{
	struct store_pass p;
	volatile int	  stop = 1;
	char		  err[256];
	uint8_t		  buf[1000];
	int		  in;

	(void)state;
	in = open(src, O_RDONLY);
	assert_true(in != -1);
	memset(&p, 0, sizeof p);
	p.fd = in;
	p.out = -1;
	p.buf = buf;			/* the caller's small buffer */
	p.bufsize = sizeof buf;
	p.off = SIZE - 5000;
	p.len = 5000;
	assert_int_equal(store_pass(&p, err, sizeof err), 0);

	p.len = 5001;			/* one byte past the end */
	errno = 0;
	assert_int_equal(store_pass(&p, err, sizeof err), -1);
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(err, "file ended at byte"));

	p.off = 0;
	p.len = SIZE;
	p.interrupted = &stop;
	assert_int_equal(store_pass(&p, err, sizeof err), -1);
	assert_int_equal(errno, EINTR);
	close(in);
}

/*
 * The walk's callback for test_ahead: store_ahead over the directory's
 * files in order, backwards, after one is removed, and between the two
 * scans' (the other one given as arg).
 */
static int
ahead_fn(struct scan *sc, size_t from, size_t to, void *arg)
{
	struct scan	*other = arg;
	char		 path[96];
	size_t		 i;

	(void)from;
	(void)to;
	for (i = 0; i < sc->n; i++)
		store_ahead(sc, &sc->e[i]);
	for (i = sc->n; i-- > 0;)
		store_ahead(sc, &sc->e[i]);
	if (other == NULL)
		return 0;
	snprintf(path, sizeof path, "%s/ahead3", dir);
	unlink(path);
	store_ahead(sc, &sc->e[0]);
	store_ahead(sc, &sc->e[sc->n - 1]);
	assert_int_equal(scan_add(other, dir), 0);
	store_ahead(sc, &sc->e[1]);
	return 0;
}

/*
 * store_ahead is a hint: whatever the order it is called in, over files
 * gone since the scan or over a second scan, it reads nothing out of
 * bounds (ASan) and leaves the files as they were.
 */
static void
test_ahead(void **state)
{
	struct scan	*sc, *sc2;
	char		 path[96];
	int		 fd, k;

	(void)state;
	for (k = 0; k < 5; k++) {
		snprintf(path, sizeof path, "%s/ahead%d", dir, k);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd != -1);
		assert_int_equal(write(fd, path, (size_t)k * 7), k * 7);
		close(fd);
	}
	sc2 = scan_new(ahead_fn, NULL);
	sc = scan_new(ahead_fn, sc2);
	assert_int_equal(scan_add(sc, dir), 0);
	assert_true(sc->files >= 5);
	scan_free(sc2);
	scan_free(sc);
	for (k = 0; k < 5; k++) {
		snprintf(path, sizeof path, "%s/ahead%d", dir, k);
		unlink(path);
	}
}

/*
 * A full disk is the cause at a message's end, never words in a file name
 * inside it: a hostile name must not stop a run.
 */
static void
test_disk_full(void **state)
{
	char	msg[256];

	(void)state;
	snprintf(msg, sizeof msg, "write to library failed: %s",
	    strerror(ENOSPC));
	assert_true(err_disk_full(msg));
	snprintf(msg, sizeof msg, "/mnt/usb/2024/01/01/a.jpg: %s",
	    strerror(EDQUOT));
	assert_true(err_disk_full(msg));
	assert_true(err_disk_full(strerror(ENOSPC)));
	snprintf(msg, sizeof msg, "/mnt/usb/%s.JPG: %s", strerror(ENOSPC),
	    strerror(EACCES));
	assert_false(err_disk_full(msg));
	snprintf(msg, sizeof msg, "/mnt/usb/x: %s.JPG", strerror(ENOSPC));
	assert_false(err_disk_full(msg));
	snprintf(msg, sizeof msg, "/mnt/usb/x%s", strerror(ENOSPC));
	assert_false(err_disk_full(msg));
	assert_false(err_disk_full(""));
}

/* rclone's mtime text, both ways, before 1970 too (a '-' and a fraction). */
static void
test_remote_mtime(void **state)
{
	static const struct {
		int64_t		 ns;
		const char	*text;
	} t[] = {
		{ 0, "0.000000000" },
		{ 1577836798123456789LL, "1577836798.123456789" },
		{ -500000000, "-0.500000000" },
		{ -1, "-0.000000001" },
		{ -86400000000000LL, "-86400.000000000" },
		{ -86399500000000LL, "-86399.500000000" },
	};
	char	buf[64];
	int64_t	ns;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		remote_mtime_str(t[i].ns, buf, sizeof buf);
		assert_string_equal(buf, t[i].text);
		assert_int_equal(remote_mtime_parse(buf, &ns), 0);
		assert_true(ns == t[i].ns);
	}
	assert_int_equal(remote_mtime_parse("-", &ns), -1);
	assert_int_equal(remote_mtime_parse("--1", &ns), -1);
	assert_int_equal(remote_mtime_parse("1.5x", &ns), -1);
	assert_int_equal(remote_mtime_parse("-1.5", &ns), 0);
	assert_true(ns == -1500000000LL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_candidate),
		cmocka_unit_test(test_name_candidate_long),
		cmocka_unit_test(test_pass_copy),
		cmocka_unit_test(test_pass_region_and_errors),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_remote_mtime),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
