/*
 * nowatch.c: an LD_PRELOAD shim for "shoebox watch" tests: inotify_add_watch
 * fails with ENOSPC (the watch limit reached) for every folder whose path
 * contains $NOWATCH, so what arrives there makes no event and only a rescan
 * finds it.
 *
 *   cc -shared -fPIC -o nowatch.so nowatch.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	static int	(*real)(int, const char *, uint32_t);
	const char	*sub = getenv("NOWATCH");

	if (sub != NULL && *sub != '\0' && strstr(path, sub) != NULL) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, const char *, uint32_t))dlsym(RTLD_NEXT,
		    "inotify_add_watch");
	return real(fd, path, mask);
}
