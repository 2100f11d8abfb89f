/*
 * hook.c: an LD_PRELOAD shim that runs a shell command (and optionally
 * raises a signal) at one chosen system call, to make races with other
 * processes deterministic: a source replaced, grown or swapped for a
 * symbolic link at the exact moment between two steps of an import.
 *
 *   SB_HOOK_ON=FAMILY[:SUBSTR]	which calls count:
 *	open	open, open64, openat, openat64 (and __open_2 ...) whose path
 *		argument contains SUBSTR; and openat2 through syscall(),
 *		shoebox's way to open a source in one call, except the
 *		read-ahead's (the only openat2 asking RESOLVE_NO_XDEV: a
 *		hint to the kernel, made a few files before the source's own
 *		open)
 *	fsync	fsync, fdatasync, syncfs, sync_file_range on an fd whose
 *		path (/proc/self/fd) contains SUBSTR; the catalogue's own
 *		syncs (sqlite's, on .../.shoebox/catalog.db* and on the
 *		.shoebox directory) never count, so plain "fsync" is the
 *		first sync of a copy: after the source was read, before the
 *		catalogue commits and --move deletes
 *	syncfs	syncfs only, on an fd whose path contains SUBSTR: the
 *		first is the first batch of copies' (made durable on a
 *		thread while the next batch is copied), before any of that
 *		batch is filed, catalogued or removed with --move
 *	read	read, pread, pread64, readv, preadv on an fd whose path
 *		contains SUBSTR (the middle of a copy)
 *	stat	fstatat, fstatat64 whose path argument contains SUBSTR
 *		(a walk's look at each name its folder listed)
 *	unlink	unlink, unlinkat whose path argument contains SUBSTR
 *	rename	rename, renameat, renameat2 whose old path contains SUBSTR
 *   SB_HOOK_NTH=N		fire at the Nth counted call (default 1)
 *   SB_HOOK_WHEN=before|after	run the command before the real call
 *				(default) or after it returned
 *   SB_HOOK_CMD='sh text'	run once with /bin/sh -c, waited for; its
 *				environment is ours without LD_PRELOAD and
 *				SB_HOOK_*, so it never hooks itself
 *   SB_HOOK_SIGNAL=TERM	then raise this signal (TERM, INT, HUP, KILL,
 *				USR1 or a number) in this process
 *   SB_HOOK_LOG=FILE		append "fired FAMILY PATH" to FILE when it
 *				fires (a test checks the race really happened)
 *   SB_HOOK_NOREPLACE=EINVAL	renameat2() with RENAME_NOREPLACE fails
 *				with EINVAL, as on NFS or a FUSE server
 *				without rename2 (any call, hooked or not)
 *
 * It fires once per process, whichever thread gets there first.
 *
 *   cc -shared -fPIC -o hook.so hook.c -ldl
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

extern char	**environ;

static int	fired;		/* set once, atomically */
static long	counted;

/* The environment for the command: ours without the hook's variables. */
static char **
hook_env(void)
{
	char	**env;
	size_t	  n = 0, i, o = 0;

	while (environ[n] != NULL)
		n++;
	if ((env = calloc(n + 1, sizeof *env)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], "SB_HOOK_", 8) != 0)
			env[o++] = environ[i];
	env[o] = NULL;
	return env;
}

static int
hook_signal(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
		{ "QUIT", SIGQUIT }, { "STOP", SIGSTOP },
	};
	size_t	i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].sig;
	return atoi(s);
}

/* Run the command (waited for, EINTR and our own handlers aside). */
static void
hook_run(const char *family, const char *what)
{
	const char	*cmd = getenv("SB_HOOK_CMD");
	const char	*sig = getenv("SB_HOOK_SIGNAL");
	const char	*log = getenv("SB_HOOK_LOG");
	char		*argv[4], **env;
	pid_t		 pid;
	int		 st, saved = errno, fd;

	if (log != NULL && (fd = open(log, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) != -1) {
		dprintf(fd, "fired %s %s\n", family, what);
		close(fd);
	}
	if (cmd != NULL && (env = hook_env()) != NULL) {
		argv[0] = "sh";
		argv[1] = "-c";
		argv[2] = (char *)cmd;
		argv[3] = NULL;
		if ((pid = fork()) == 0) {
			execve("/bin/sh", argv, env);
			_exit(127);
		}
		if (pid > 0)
			while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
				continue;
		free(env);
	}
	if (sig != NULL && *sig != '\0')
		raise(hook_signal(sig));
	errno = saved;
}

/*
 * Does this call count (family and substring match)? Returns 1 exactly
 * once: for the SB_HOOK_NTH'th counted call.
 */
static int
hook_match(const char *family, const char *path)
{
	const char	*on = getenv("SB_HOOK_ON"), *sub, *nth;
	size_t		 flen;
	long		 n;

	if (on == NULL || __atomic_load_n(&fired, __ATOMIC_SEQ_CST))
		return 0;
	flen = strlen(family);
	if (strncmp(on, family, flen) != 0 ||
	    (on[flen] != '\0' && on[flen] != ':'))
		return 0;
	sub = on[flen] == ':' ? on + flen + 1 : "";
	if (path == NULL || strstr(path, sub) == NULL)
		return 0;
	nth = getenv("SB_HOOK_NTH");
	n = __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
	if (n != (nth != NULL ? atol(nth) : 1))
		return 0;
	return __atomic_exchange_n(&fired, 1, __ATOMIC_SEQ_CST) == 0;
}

static int
hook_after(void)
{
	const char	*w = getenv("SB_HOOK_WHEN");

	return w != NULL && strcmp(w, "after") == 0;
}

/* The path an fd refers to, or "" if unknown. */
static const char *
fd_path(int fd, char *buf, size_t size)
{
	char	link[64];
	ssize_t	n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, buf, size - 1)) < 0)
		n = 0;
	buf[n] = '\0';
	return buf;
}

/* A sync of the catalogue (sqlite's) or of its directory: never counted. */
static int
catalogue_sync(const char *p)
{
	size_t	n = strlen(p);

	return strstr(p, "/.shoebox/catalog.db") != NULL ||
	    (n >= 9 && strcmp(p + n - 9, "/.shoebox") == 0);
}

#define REAL(type, name, args) \
	((type (*)args)dlsym(RTLD_NEXT, name))

/* One hooked call: before or after the real one, as SB_HOOK_WHEN says. */
#define HOOKED(family, path, type, call)				\
	do {								\
		type	 r_;						\
		int	 hit_ = hook_match(family, path);		\
		if (hit_ && !hook_after())				\
			hook_run(family, path);				\
		r_ = call;						\
		if (hit_ && hook_after())				\
			hook_run(family, path);				\
		return r_;						\
	} while (0)

static mode_t
open_mode(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return va_arg(ap, mode_t);
	return 0;
}

int
open(const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	HOOKED("open", path, int,
	    REAL(int, "open", (const char *, int, ...))(path, flags, mode));
}

int
open64(const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	HOOKED("open", path, int,
	    REAL(int, "open64", (const char *, int, ...))(path, flags, mode));
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	HOOKED("open", path, int, REAL(int, "openat",
	    (int, const char *, int, ...))(dirfd, path, flags, mode));
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list	ap;
	mode_t	mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	HOOKED("open", path, int, REAL(int, "openat64",
	    (int, const char *, int, ...))(dirfd, path, flags, mode));
}

int
__open_2(const char *path, int flags)
{
	HOOKED("open", path, int,
	    REAL(int, "__open_2", (const char *, int))(path, flags));
}

int
__open64_2(const char *path, int flags)
{
	HOOKED("open", path, int,
	    REAL(int, "__open64_2", (const char *, int))(path, flags));
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	HOOKED("open", path, int, REAL(int, "__openat_2",
	    (int, const char *, int))(dirfd, path, flags));
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	HOOKED("open", path, int, REAL(int, "__openat64_2",
	    (int, const char *, int))(dirfd, path, flags));
}

/*
 * syscall(): openat2 counts as an open (see the top), every other call
 * passes through. Six arguments are passed on whatever the call takes, as
 * the C library's own syscall() does with its registers.
 */
long
syscall(long nr, ...)
{
	const struct open_how	*how;
	va_list			 ap;
	long			 a[6];
	int			 i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
#define REAL_SYSCALL \
	REAL(long, "syscall", (long, ...))(nr, a[0], a[1], a[2], a[3], a[4], \
	    a[5])
	how = (const struct open_how *)a[2];
	if (nr == SYS_openat2 && how != NULL &&
	    !(how->resolve & RESOLVE_NO_XDEV))
		HOOKED("open", (const char *)a[1], long, REAL_SYSCALL);
	return REAL_SYSCALL;
#undef REAL_SYSCALL
}

/* The fsync family: counted unless it is the catalogue's. */
static const char *
sync_path(int fd, char *buf, size_t size)
{
	const char	*p;

	if (getenv("SB_HOOK_ON") == NULL ||
	    strncmp(getenv("SB_HOOK_ON"), "fsync", 5) != 0)
		return NULL;
	p = fd_path(fd, buf, size);
	return catalogue_sync(p) ? NULL : p;
}

int
fsync(int fd)
{
	char	buf[PATH_MAX];

	HOOKED("fsync", sync_path(fd, buf, sizeof buf), int,
	    REAL(int, "fsync", (int))(fd));
}

int
fdatasync(int fd)
{
	char	buf[PATH_MAX];

	HOOKED("fsync", sync_path(fd, buf, sizeof buf), int,
	    REAL(int, "fdatasync", (int))(fd));
}

int
syncfs(int fd)
{
	const char	*on = getenv("SB_HOOK_ON");
	char		 buf[PATH_MAX];

	if (on != NULL && strncmp(on, "syncfs", 6) == 0)
		HOOKED("syncfs", fd_path(fd, buf, sizeof buf), int,
		    REAL(int, "syncfs", (int))(fd));
	HOOKED("fsync", sync_path(fd, buf, sizeof buf), int,
	    REAL(int, "syncfs", (int))(fd));
}

int
sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags)
{
	char	buf[PATH_MAX];

	HOOKED("fsync", sync_path(fd, buf, sizeof buf), int,
	    REAL(int, "sync_file_range", (int, off64_t, off64_t,
	    unsigned int))(fd, off, n, flags));
}

/* The read family: the path is looked up only when reads are hooked. */
static const char *
read_path(int fd, char *buf, size_t size)
{
	if (getenv("SB_HOOK_ON") == NULL ||
	    strncmp(getenv("SB_HOOK_ON"), "read", 4) != 0 ||
	    __atomic_load_n(&fired, __ATOMIC_SEQ_CST))
		return NULL;
	return fd_path(fd, buf, size);
}

ssize_t
read(int fd, void *b, size_t len)
{
	char	buf[PATH_MAX];

	HOOKED("read", read_path(fd, buf, sizeof buf), ssize_t,
	    REAL(ssize_t, "read", (int, void *, size_t))(fd, b, len));
}

ssize_t
pread(int fd, void *b, size_t len, off_t off)
{
	char	buf[PATH_MAX];

	HOOKED("read", read_path(fd, buf, sizeof buf), ssize_t,
	    REAL(ssize_t, "pread", (int, void *, size_t, off_t))(fd, b, len,
	    off));
}

ssize_t
pread64(int fd, void *b, size_t len, off64_t off)
{
	char	buf[PATH_MAX];

	HOOKED("read", read_path(fd, buf, sizeof buf), ssize_t,
	    REAL(ssize_t, "pread64", (int, void *, size_t, off64_t))(fd, b,
	    len, off));
}

ssize_t
readv(int fd, const struct iovec *iov, int n)
{
	char	buf[PATH_MAX];

	HOOKED("read", read_path(fd, buf, sizeof buf), ssize_t,
	    REAL(ssize_t, "readv", (int, const struct iovec *, int))(fd, iov,
	    n));
}

ssize_t
preadv(int fd, const struct iovec *iov, int n, off_t off)
{
	char	buf[PATH_MAX];

	HOOKED("read", read_path(fd, buf, sizeof buf), ssize_t,
	    REAL(ssize_t, "preadv", (int, const struct iovec *, int, off_t))(
	    fd, iov, n, off));
}

int
fstatat(int dirfd, const char *path, struct stat *sb, int flags)
{
	HOOKED("stat", path, int, REAL(int, "fstatat",
	    (int, const char *, struct stat *, int))(dirfd, path, sb, flags));
}

int
fstatat64(int dirfd, const char *path, struct stat64 *sb, int flags)
{
	HOOKED("stat", path, int, REAL(int, "fstatat64",
	    (int, const char *, struct stat64 *, int))(dirfd, path, sb,
	    flags));
}

#if defined(__TIMESIZE) && __TIMESIZE == 32
/* A 32-bit build with a 64-bit time_t (make check32) calls this one. */
int
__fstatat64_time64(int dirfd, const char *path, void *sb, int flags)
{
	HOOKED("stat", path, int, REAL(int, "__fstatat64_time64",
	    (int, const char *, void *, int))(dirfd, path, sb, flags));
}
#endif

int
unlink(const char *path)
{
	HOOKED("unlink", path, int, REAL(int, "unlink", (const char *))(path));
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	HOOKED("unlink", path, int, REAL(int, "unlinkat",
	    (int, const char *, int))(dirfd, path, flags));
}

int
rename(const char *from, const char *to)
{
	HOOKED("rename", from, int, REAL(int, "rename",
	    (const char *, const char *))(from, to));
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	HOOKED("rename", from, int, REAL(int, "renameat",
	    (int, const char *, int, const char *))(fromfd, from, tofd, to));
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
    unsigned int flags)
{
	const char	*nr = getenv("SB_HOOK_NOREPLACE");

	if (nr != NULL && strcmp(nr, "EINVAL") == 0 && (flags & 1)) {
		errno = EINVAL;	/* RENAME_NOREPLACE, as NFS and FUSE */
		return -1;
	}
	HOOKED("rename", from, int, REAL(int, "renameat2",
	    (int, const char *, int, const char *, unsigned int))(fromfd,
	    from, tofd, to, flags));
}
