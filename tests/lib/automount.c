/*
 * automount.c: an LD_PRELOAD shim that makes the folder AUTOMOUNT_AT act
 * as an automount point not yet mounted (systemd's x-systemd.automount,
 * autofs): stat(2) does not mount it (the kernel's stat acts as though
 * AT_NO_AUTOMOUNT were set) and says what AUTOMOUNT_STUB is, the autofs
 * folder, until an open of AUTOMOUNT_AT mounts the disk there.
 *
 *   cc -shared -fPIC -o automount.so automount.c -ldl
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int	mounted;

static int
automount_is(const char *path)
{
	const char	*at = getenv("AUTOMOUNT_AT");

	return at != NULL && *at != '\0' && strcmp(path, at) == 0;
}

int
stat(const char *path, struct stat *sb)
{
	int	(*real)(const char *, struct stat *);
	char	*stub;

	real = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
	if (!mounted && automount_is(path) &&
	    (stub = getenv("AUTOMOUNT_STUB")) != NULL)
		return real(stub, sb);
	return real(path, sb);
}

int
open(const char *path, int flags, ...)
{
	int	(*real)(const char *, int, ...);
	va_list	ap;
	mode_t	mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (automount_is(path))
		mounted = 1;
	real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return real(path, flags, mode);
}
