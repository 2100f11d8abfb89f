/*
 * badcopy.c: an LD_PRELOAD shim that corrupts what store.c writes into a
 * copy, to test that the read-back check catches it. The BADCOPY_NTH'th
 * write() (counting from 1) to an unnamed file (O_TMPFILE, no links yet)
 * goes out with its last byte flipped; the caller's buffer is untouched.
 *
 *   cc -shared -fPIC -o badcopy.so badcopy.c -ldl
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long	writes;

ssize_t
write(int fd, const void *buf, size_t len)
{
	ssize_t		(*real)(int, const void *, size_t);
	struct stat	 sb;
	const char	*nth = getenv("BADCOPY_NTH");
	unsigned char	*bad;
	ssize_t		 n;

	real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT,
	    "write");
	if (nth == NULL || len == 0 || fd <= 2 || fstat(fd, &sb) == -1 ||
	    !S_ISREG(sb.st_mode) || sb.st_nlink != 0 || ++writes != atol(nth))
		return real(fd, buf, len);
	if ((bad = malloc(len)) == NULL)
		return real(fd, buf, len);
	memcpy(bad, buf, len);
	bad[len - 1] ^= 0x5a;
	n = real(fd, bad, len);
	free(bad);
	return n;
}
