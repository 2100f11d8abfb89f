/*
 * badsync.c: an LD_PRELOAD shim that makes syncfs() fail with EIO, as it
 * does after a writeback error anywhere on the filesystem, to test that
 * the importer then makes each copy durable with its own fsync instead.
 * BADSYNC_NTH=N fails the Nth call only (counting from 1); unset or 0,
 * every call. Each failed call appends "syncfs failed" to BADSYNC_LOG, if
 * set, and each fsync() of an unnamed file (a copy not linked yet) "fsync".
 *
 *   cc -shared -fPIC -o badsync.so badsync.c -ldl
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_long	calls;

static void
say(const char *what)
{
	const char	*log = getenv("BADSYNC_LOG");
	int		 fd;

	if (log != NULL && (fd = open(log, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) != -1) {
		(void)write(fd, what, strlen(what));
		close(fd);
	}
}

int
fsync(int fd)
{
	int		(*real)(int);
	struct stat	 sb;

	real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_nlink == 0)
		say("fsync\n");
	return real(fd);
}

int
syncfs(int fd)
{
	int		(*real)(int);
	const char	*nth = getenv("BADSYNC_NTH");
	long		 n = atomic_fetch_add(&calls, 1) + 1;

	real = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	if (nth != NULL && atol(nth) > 0 && n != atol(nth))
		return real(fd);
	say("syncfs failed\n");
	errno = EIO;
	return -1;
}
