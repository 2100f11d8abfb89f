/*
 * skew.c: an LD_PRELOAD shim that sets this process's clock off by
 * SB_SKEW seconds (negative: behind), as on a NAS that booted without
 * NTP: time() only (and __time64, its name in a 32-bit build with a
 * 64-bit time_t), which S3 signing reads.
 *
 *   cc -shared -fPIC -o skew.so skew.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

time_t
time(time_t *t)
{
	static time_t	(*real)(time_t *);
	const char	*s = getenv("SB_SKEW");
	time_t		 now;

	if (real == NULL)
		real = (time_t (*)(time_t *))dlsym(RTLD_NEXT, "time");
	now = real(NULL) + (s != NULL ? (time_t)atol(s) : 0);
	if (t != NULL)
		*t = now;
	return now;
}

#if defined(__TIMESIZE) && __TIMESIZE == 32
/* A 32-bit build with a 64-bit time_t (make check32) calls this one. */
__time64_t
__time64(__time64_t *t)
{
	static __time64_t	(*real)(__time64_t *);
	const char		*s = getenv("SB_SKEW");
	__time64_t		 now;

	if (real == NULL)
		real = (__time64_t (*)(__time64_t *))dlsym(RTLD_NEXT,
		    "__time64");
	now = real(NULL) + (s != NULL ? (__time64_t)atol(s) : 0);
	if (t != NULL)
		*t = now;
	return now;
}
#endif
