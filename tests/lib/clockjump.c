/*
 * clockjump.c: an LD_PRELOAD shim that sets this process's wall clock
 * (CLOCK_REALTIME, as clock_gettime, gettimeofday and time read it) off by
 * the number of seconds written in the file $CLOCKJUMP, read again at each
 * call: a test writes -3600 there to have the date set back an hour while
 * the process runs, as NTP or an admin would. The monotonic clock and the
 * times the kernel gives files are left alone.
 *
 *   cc -shared -fPIC -o clockjump.so clockjump.c -ldl
 */
#define _GNU_SOURCE
#include <sys/time.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The offset in seconds, from $CLOCKJUMP; 0 if none. */
static long
jump(void)
{
	const char	*path = getenv("CLOCKJUMP");
	char		 buf[32];
	ssize_t		 n;
	int		 fd;

	if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return atol(buf);
}

int
clock_gettime(clockid_t clk, struct timespec *ts)
{
	static int	(*real)(clockid_t, struct timespec *);
	int		 rc;

	if (real == NULL)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT,
		    "clock_gettime");
	rc = real(clk, ts);
	if (rc == 0 && (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE))
		ts->tv_sec += jump();
	return rc;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec	ts;

	(void)tz;
	if (tv == NULL)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
