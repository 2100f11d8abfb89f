/*
 * lock.c: the library's lock, LIBRARY/.shoebox/lock. The commands that add
 * files to the library or its catalogue (import, adopt) and verify's look
 * for untracked files hold it, so one never sees the other's copies linked
 * but not yet catalogued. flock(2): released when its holder exits, however
 * it exits. The file says who holds it ("PID COMMAND"), for the message a
 * second shoebox prints while it waits.
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"

#define LOCK_POLL_NS	50000000	/* 50 ms between tries */

/*
 * Wait for the lock on fd: 0, or -1 (errno EINTR once a stop was asked
 * for: SIGTERM, ^C). Tried again every LOCK_POLL_NS, not one blocking
 * flock(): a signal caught between the look at stop_requested and the
 * call would be lost, and the command would wait on for a lock that
 * may never come.
 */
static int
lock_wait(int fd)
{
	const struct timespec	poll = { 0, LOCK_POLL_NS };

	for (;;) {
		if (stop_requested) {
			errno = EINTR;
			return -1;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		nanosleep(&poll, NULL);
	}
}

/*
 * Take the lock of library (whose .shoebox exists) for the command what,
 * waiting for whoever holds it and saying so. Returns the descriptor that
 * holds it (close it to release), or -1 after saying why.
 */
int
lock_library(const char *library, const char *what)
{
	char	path[PATH_MAX], who[64], *cmd;
	ssize_t	n;
	int	fd, dfd;

	/*
	 * Never through a link, at .shoebox or at the lock: the file is
	 * truncated and written below, and a link could point anywhere.
	 */
	snprintf(path, sizeof path, "%s/.shoebox", library);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		int	e = errno;

		if ((e != ELOOP && e != ENOTDIR) ||
		    library_dir_check(path) == 0) {
			errno = e;
			log_warn("library %s", path);
		}
		return -1;
	}
	snprintf(path, sizeof path, "%s/.shoebox/lock", library);
	fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	close(dfd);
	if (fd == -1) {
		if (errno == ELOOP)
			log_warnx("%s: a link; refusing to use it", path);
		else
			log_warn("%s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			log_warn("lock %s", path);
			close(fd);
			return -1;
		}
		n = pread(fd, who, sizeof who - 1, 0);
		who[n > 0 ? n : 0] = '\0';
		who[strcspn(who, "\n")] = '\0';
		/* An older shoebox wrote its pid alone: it was importing. */
		if ((cmd = strchr(who, ' ')) != NULL)
			*cmd++ = '\0';
		if (who[0] == '\0')	/* taken a moment ago, not written yet */
			log_info("another shoebox is using %s; waiting for it "
			    "to finish", library);
		else if (cmd == NULL || strcmp(cmd, "import") == 0)
			log_info("another shoebox (pid %s) is importing into "
			    "%s; waiting for it to finish", who, library);
		else
			log_info("another shoebox (pid %s) is running '%.20s' "
			    "on %s; waiting for it to finish", who, cmd,
			    library);
		if (lock_wait(fd) == -1) {
			if (errno == EINTR)	/* SIGTERM, ^C: nothing done */
				log_warnx("interrupted while waiting for the "
				    "lock on %s; nothing was done", library);
			else
				log_warn("lock %s", path);
			close(fd);
			return -1;
		}
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(who, sizeof who, "%ld %s\n", (long)getpid(), what);
		if (n > 0 && pwrite(fd, who, (size_t)n, 0) != n)
			log_debug("could not write pid to %s", path);
	}
	return fd;
}
