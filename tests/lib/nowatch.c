/*
 * nowatch.c: an LD_PRELOAD shim for "shoebox watch" tests: inotify_add_watch
 * fails with ENOSPC (the watch limit reached) for every folder whose path
 * (or, for /proc/self/fd/N, the path of that descriptor) contains
 * $NOWATCH, so what arrives there makes no event and only a rescan finds
 * it.
 *
 *   cc -shared -fPIC -o nowatch.so nowatch.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	static int	(*real)(int, const char *, uint32_t);
	const char	*sub = getenv("NOWATCH");
	char		 real_path[4096];
	ssize_t		 n;

	/* A folder watched through its descriptor: the path it has. */
	if (strncmp(path, "/proc/self/fd/", 14) == 0 &&
	    (n = readlink(path, real_path, sizeof real_path - 1)) > 0) {
		real_path[n] = '\0';
		path = real_path;
	}
	if (sub != NULL && *sub != '\0' && strstr(path, sub) != NULL) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(int, const char *, uint32_t))dlsym(RTLD_NEXT,
		    "inotify_add_watch");
	return real(fd, path, mask);
}
