/*
 * fatlike.c: an LD_PRELOAD shim that makes any filesystem look like FAT to
 * store.c, for tests on kernels without vfat: O_TMPFILE is not supported
 * and hard links are refused (EPERM), so copies go through a named temp
 * file under LIBRARY/.shoebox/tmp and are renamed into place. With
 * FATLIKE_NORENAME2=1, renameat2(RENAME_NOREPLACE) fails with EINVAL too
 * (as on some network filesystems), leaving check-then-rename.
 *
 *   cc -shared -fPIC -o fatlike.so fatlike.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int
fatlike_openat(const char *sym, int dirfd, const char *path, int flags,
    mode_t mode)
{
	int	(*real)(int, const char *, int, ...);

	if ((flags & O_TMPFILE) == O_TMPFILE) {
		errno = EOPNOTSUPP;
		return -1;
	}
	real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, sym);
	return real(dirfd, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fatlike_openat("openat", dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fatlike_openat("openat64", dirfd, path, flags, mode);
}

int
linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    int flags)
{
	(void)olddirfd;
	(void)oldpath;
	(void)newdirfd;
	(void)newpath;
	(void)flags;
	errno = EPERM;
	return -1;
}

int
link(const char *oldpath, const char *newpath)
{
	(void)oldpath;
	(void)newpath;
	errno = EPERM;
	return -1;
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd,
    const char *newpath, unsigned int flags)
{
	int	(*real)(int, const char *, int, const char *, unsigned int);
	const char *e = getenv("FATLIKE_NORENAME2");

	if (flags != 0 && e != NULL && *e == '1') {
		errno = EINVAL;
		return -1;
	}
	real = (int (*)(int, const char *, int, const char *,
	    unsigned int))dlsym(RTLD_NEXT, "renameat2");
	return real(olddirfd, oldpath, newdirfd, newpath, flags);
}
