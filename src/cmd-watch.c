/*
 * cmd-watch.c: "shoebox watch [--settle DURATION] [--move] [--sync] DIR...":
 * import what is written into the DIRs as it arrives. inotify watches each
 * DIR and every folder below it (a folder made or moved in is watched as it
 * appears, and what it holds is taken); a file closed after writing or moved
 * in is imported once it has been left unchanged for the settle time, in a
 * batch with the others that settled: import_run() on their folders, so
 * sidecars find their main file and the library lock is honoured (a busy
 * library is waited for). A lost event queue (IN_Q_OVERFLOW) or SIGHUP makes
 * a full rescan. A DIR removed, made again or mounted over (a share
 * remounted) is noticed within WATCH_ROOTS seconds and looked at again:
 * its old watch sees nothing of the new folder. inotify sees only writes
 * made by this machine: a share written by others needs the nightly ingest.
 */
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shoebox.h"
#include "remote.h"
#include "scan.h"

#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | \
			 IN_MOVED_FROM | IN_ONLYDIR | IN_DONT_FOLLOW | \
			 IN_EXCL_UNLINK)
#define WATCH_DEPTH	64	/* folders below a DIR, as scan.c walks */
#define WATCH_DEBOUNCE	0.2	/* seconds: files written together, one batch */
#define WATCH_RETRY	60	/* seconds before a batch that could not run
				   (watch_retry) */
#define WATCH_ROOTS	2	/* seconds between looks at the DIRs */
#define WATCH_WRITTEN	1	/* seconds between looks at a file that
				   another program still holds open for
				   writing (watch_written) */
#define MAX_WATCHES	"/proc/sys/fs/inotify/max_user_watches"

/* The folder a DIR named when it was last looked at; gone: not there. */
struct root_id {
	dev_t		 dev;
	ino_t		 ino;
	int		 gone;
	int		 unwatched;	/* its watch ended (IN_IGNORED) */
};

/* A file that changed, and when it will have settled. */
struct pend {
	char		*path;
	double		 due;		/* CLOCK_MONOTONIC seconds */
	unsigned long	 seq;		/* the latest event wins */
	int		 ready;		/* in the batch being imported */
};

struct watch {
	struct sb_ctx		*ctx;
	struct import_opts	 o;
	int			 sync;		/* upload after each batch */
	int			 fd;		/* inotify */
	char			**wdpath;	/* folder of each watch, by wd */
	size_t			 nwd;
	struct pend		*pend;
	size_t			 npend;
	size_t			 cappend;
	unsigned long		 seq;
	char			**roots;
	int			 nroots;
	struct root_id		*rootid;	/* what each DIR was */
	double			 rootcheck;	/* when to look again */
	double			 rescan_at;	/* a rescan to retry, or 0 */
	char			**fences;	/* never watched (watch_fenced) */
	size_t			 nfences;
	unsigned		 unwatched;	/* folders refused (ENOSPC) */
	pid_t			 syncpid;	/* the upload running, or 0 */
	int			 sync_again;
};

enum walk { WALK_UNSETTLED, WALK_ALL };

static volatile sig_atomic_t	watch_stop, watch_rescan_due;

/*
 * SIGHUP asks for a rescan; SIGTERM and SIGINT for a stop, also of a
 * batch waiting for the library's lock (lock_wait reads stop_requested):
 * an import beside may hold it for hours, and systemctl stop would wait
 * for it, then kill the watch.
 */
static void
watch_signal(int sig)
{
	if (sig == SIGHUP)
		watch_rescan_due = 1;
	else
		watch_stop = stop_requested = 1;
}

/* The wall clock, in seconds: only to compare with files' times. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The clock every wait is counted on, in seconds: the date set back an
 * hour (NTP's first sync, date -s) must not hold a file an hour, nor
 * stop the looks at the DIRs.
 */
static double
mono(void)
{
	return (double)mono_ms() / 1000;
}

/*
 * When a file with these times will have settled, by import's rule: its
 * mtime and ctime both the settle time ago (a time in the future, a
 * camera's clock, does not count). At or before now: settled.
 */
static double
settled_at(const struct watch *w, const struct stat *sb)
{
	double	t[2], at = 0, n = now();
	int	i;

	t[0] = (double)sb->st_mtim.tv_sec + (double)sb->st_mtim.tv_nsec / 1e9;
	t[1] = (double)sb->st_ctim.tv_sec + (double)sb->st_ctim.tv_nsec / 1e9;
	if (w->o.settle <= 0)
		return 0;
	for (i = 0; i < 2; i++)
		if (n - t[i] > -2 && t[i] + w->o.settle > at)
			at = t[i] + w->o.settle + 0.05;
	return at;
}

/* Seconds until a file with these times has settled: <= 0, it has. */
static double
settle_left(const struct watch *w, const struct stat *sb)
{
	double	at = settled_at(w, sb);

	return at > 0 ? at - now() : -1;
}

/* Remember that path changed; it is looked at again at due. */
static void
pend_add(struct watch *w, const char *path, double due)
{
	if (w->npend == w->cappend) {
		w->cappend = w->cappend ? w->cappend * 2 : 64;
		w->pend = xreallocarray(w->pend, w->cappend, sizeof *w->pend);
	}
	w->pend[w->npend].path = xstrdup(path);
	w->pend[w->npend].due = due;
	w->pend[w->npend].seq = w->seq++;
	w->pend[w->npend++].ready = 0;
}

static void
pend_drop(struct watch *w, size_t i)
{
	free(w->pend[i].path);
	w->pend[i] = w->pend[--w->npend];
}

static int
pend_cmp(const void *a, const void *b)
{
	const struct pend	*x = a, *y = b;
	int			 c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One entry per path, the latest event's. */
static void
pend_dedupe(struct watch *w)
{
	size_t	i, o = 0;

	if (w->npend == 0)
		return;
	qsort(w->pend, w->npend, sizeof *w->pend, pend_cmp);
	for (i = 0; i < w->npend; i++) {
		if (i + 1 < w->npend && strcmp(w->pend[i].path,
		    w->pend[i + 1].path) == 0) {
			free(w->pend[i].path);
			continue;
		}
		w->pend[o++] = w->pend[i];
	}
	w->npend = o;
}

/* Remember the folder a watch descriptor stands for. */
static void
wd_set(struct watch *w, int wd, const char *path)
{
	size_t	n;

	if ((size_t)wd >= w->nwd) {
		n = (size_t)wd + 64;
		w->wdpath = xreallocarray(w->wdpath, n, sizeof *w->wdpath);
		memset(w->wdpath + w->nwd, 0, (n - w->nwd) * sizeof *w->wdpath);
		w->nwd = n;
	}
	free(w->wdpath[wd]);
	w->wdpath[wd] = xstrdup(path);
}

/*
 * Whether the folder sb is one never watched: the library, a dir remote's
 * folder (as import never walks them). Looked up each time, since watch
 * runs for months: the library its first batch makes, a backup disk
 * mounted later.
 */
static int
watch_fenced(struct watch *w, const struct stat *sb)
{
	struct stat	fsb;
	size_t		i;

	for (i = 0; i < w->nfences; i++)
		if (stat(w->fences[i], &fsb) == 0 &&
		    sb->st_dev == fsb.st_dev && sb->st_ino == fsb.st_ino)
			return 1;
	return 0;
}

/*
 * Is root (a folder to watch) the library or inside it, or, with --move, a
 * dir remote's folder or inside it? Import refuses those as sources, so
 * watching one would import nothing, ever. 1 after saying so.
 */
static int
watch_refused(struct watch *w, const char *root)
{
	char	*real, *f, buf[PATH_MAX * 2];
	size_t	 i;
	int	 refused = 0;

	if ((real = realpath(root, NULL)) == NULL)
		return 0;
	/* fences[0] is the library (cmd_watch), the others dir remotes'. */
	for (i = 0; i < w->nfences && !refused; i++) {
		if ((i > 0 && !w->o.move) ||
		    (f = realpath(w->fences[i], NULL)) == NULL)
			continue;
		if (path_below(real, f)) {
			log_warnx("watch: %s: is %s or inside it, not a "
			    "source%s (nothing there would ever be imported)",
			    log_path(root, buf, sizeof buf), i == 0 ?
			    "the library" : "a dir remote's folder", i == 0 ?
			    "" : " with --move");
			refused = 1;
		}
		free(f);
	}
	free(real);
	return refused;
}

/* Is path one of the DIRs watched? */
static int
watch_is_root(const struct watch *w, const char *path)
{
	int	k;

	for (k = 0; k < w->nroots; k++)
		if (strcmp(w->roots[k], path) == 0)
			return 1;
	return 0;
}

/*
 * Is the folder dir, or one it is in below its DIR, another shoebox
 * library (scan_is_library)? Import never walks into one (its files are
 * its catalogue's; --move would empty it), and a file written in one,
 * its folder imported on its own, must not be taken either: a library
 * made in a DIR after its folders were watched (shoebox -L DIR/old
 * import ...) has its own files written there.
 */
static int
watch_in_library(const struct watch *w, const char *dir)
{
	char	p[PATH_MAX], *slash;

	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		return 0;
	while (!watch_is_root(w, p) && p[0] != '\0') {
		if (scan_is_library(AT_FDCWD, p))
			return 1;
		if ((slash = strrchr(p, '/')) == NULL)
			break;
		*slash = '\0';
	}
	return 0;
}

/* Never watch path (watch_fenced); path is taken. */
static void
watch_fence(struct watch *w, char *path)
{
	w->fences = xreallocarray(w->fences, w->nfences + 1,
	    sizeof *w->fences);
	w->fences[w->nfences++] = path;
}

/*
 * Watch the folder path and every folder below it, then list them: with
 * WALK_ALL every file found is pending (a folder just moved in), with
 * WALK_UNSETTLED only those still arriving (a rescan imports the rest).
 * The folder is opened from / down, never through a link: a folder of the
 * path swapped for one, or a watch's path gone stale (its folder renamed
 * to a dot-name, and a link put at the old name), never leads outside the
 * DIRs. The watch is made through that descriptor, and before the list,
 * so nothing slips in between unseen.
 */
static void
watch_dir(struct watch *w, const char *path, int depth, enum walk walk)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		*sub, buf[PATH_MAX * 2], err[PATH_MAX + 128];
	char		 self[64];
	int		 wd, fd;
	double		 left;

	if ((fd = scan_open_real(path, err, sizeof err)) == -1) {
		if (errno != ENOENT)
			log_warnx("%s: %s", log_path(path, buf, sizeof buf),
			    err);
		return;
	}
	if (!watch_is_root(w, path) && scan_is_library(fd, NULL)) {
		log_info("%s: is another shoebox library, not watched",
		    log_path(path, buf, sizeof buf));
		close(fd);
		return;
	}
	/* Through /proc (followed: no IN_DONT_FOLLOW), else by its path. */
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	if ((wd = inotify_add_watch(w->fd, self, WATCH_MASK &
	    ~IN_DONT_FOLLOW)) == -1 && errno == ENOENT)
		wd = inotify_add_watch(w->fd, path, WATCH_MASK);
	if (wd == -1) {
		if (errno == ENOSPC)
			w->unwatched++;
		else if (errno != ENOENT)
			log_warn("%s: cannot watch", log_path(path, buf,
			    sizeof buf));
	} else
		wd_set(w, wd, path);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") ==
		    0 || fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		if (scan_ignored_name(de->d_name, S_ISDIR(sb.st_mode)))
			continue;
		xasprintf(&sub, "%s/%s", path, de->d_name);
		if (S_ISDIR(sb.st_mode) && depth < WATCH_DEPTH &&
		    !watch_fenced(w, &sb))
			watch_dir(w, sub, depth + 1, walk);
		else if (S_ISREG(sb.st_mode)) {
			left = settle_left(w, &sb);
			if (walk == WALK_ALL || left > 0)
				pend_add(w, sub, mono() + (left > 0 ? left :
				    0));
		}
		free(sub);
	}
	closedir(d);
}

/* After a walk: say so if the inotify watch limit left folders unwatched. */
static void
watch_limit(struct watch *w)
{
	char	max[32] = "?";
	FILE	*f;

	if (w->unwatched == 0)
		return;
	if ((f = fopen(MAX_WATCHES, "r")) != NULL) {
		if (fgets(max, sizeof max, f) == NULL)
			snprintf(max, sizeof max, "?");
		max[strcspn(max, "\n")] = '\0';
		fclose(f);
	}
	log_errorx("inotify watch limit reached: %u folders are not watched "
	    "(fs.inotify.max_user_watches is %s, %s); raise it, e.g. 'sysctl "
	    "fs.inotify.max_user_watches=524288' and the same line in a file "
	    "in /etc/sysctl.d/ to keep it, then send SIGHUP or restart; until "
	    "then files arriving there are taken only by a rescan",
	    w->unwatched, max, MAX_WATCHES);
	w->unwatched = 0;
}

/* Upload in a child process, so that a long upload holds no import. */
static void
watch_sync_start(struct watch *w)
{
	sigset_t	none;
	pid_t		pid;

	if (w->syncpid > 0) {
		w->sync_again = 1;
		return;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("watch: cannot start the upload");
		return;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close(w->fd);
		int rc = sync_run(w->ctx, NULL, 0);
		fflush(NULL);
		_exit(rc);
	}
	w->syncpid = pid;
	w->sync_again = 0;
}

/* Collect a finished upload; start another if files came meanwhile. */
static void
watch_sync_reap(struct watch *w, int block)
{
	int	status;

	if (w->syncpid <= 0 || waitpid(w->syncpid, &status, block ? 0 :
	    WNOHANG) != w->syncpid)
		return;
	w->syncpid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_warnx("watch: upload exited %d; the files stay queued for "
		    "the next sync", WEXITSTATUS(status));
	if (w->sync_again && !watch_stop)
		watch_sync_start(w);
}

/* Seconds before files the library could not take are tried again. */
static double
watch_retry(void)
{
	const char	*env;
	long		 v;

	/* A test's knob: it cannot wait a minute. */
	if ((env = getenv("SHOEBOX_WATCH_RETRY")) != NULL &&
	    (v = strtol(env, NULL, 10)) >= 1)
		return (double)v;
	return WATCH_RETRY;
}

/*
 * Did the import of r leave files for want of the library (not there, its
 * disk full or read-only)? They are not the files' fault, and no event
 * will come for them once the library has room again: try again later.
 */
static int
watch_unfinished(int rc, const struct run_result *r)
{
	return !r->interrupted && (rc >= EXIT_USAGE || r->nottried > 0);
}

/*
 * Import paths (folders) now. SIGTERM and SIGINT reach the import, which
 * stops cleanly between files; SIGHUP waits for the next rescan. Returns
 * the exit status; r gets the counts.
 */
static int
watch_import(struct watch *w, char **paths, int n, struct run_result *r)
{
	sigset_t	termint;
	int		rc;

	sigemptyset(&termint);
	sigaddset(&termint, SIGTERM);
	sigaddset(&termint, SIGINT);
	w->o.result = r;
	sigprocmask(SIG_UNBLOCK, &termint, NULL);
	rc = import_run(w->ctx, &w->o, n, paths);
	sigprocmask(SIG_BLOCK, &termint, NULL);
	w->o.result = NULL;
	if (r->interrupted)
		watch_stop = 1;
	if (w->sync && r->imported + r->duplicates + r->sidecars > 0)
		watch_sync_start(w);
	return rc;
}

/* A full rescan: watch every folder again and import every DIR there. */
static void
watch_rescan(struct watch *w, const char *why)
{
	struct run_result	 r;
	struct stat		 sb;
	double			 t = now();
	size_t			 i;
	char			**present;
	int			 k, n = 0, rc;

	log_info("watch: %s: looking at every file in the watched folders",
	    why);
	w->rescan_at = 0;
	present = xcalloc((size_t)w->nroots, sizeof *present);
	for (k = 0; k < w->nroots; k++)
		if (!w->rootid[k].gone) {
			watch_dir(w, w->roots[k], 0, WALK_UNSETTLED);
			present[n++] = w->roots[k];
		}
	watch_limit(w);
	rc = n > 0 ? watch_import(w, present, n, &r) : EXIT_ALLGOOD;
	free(present);
	if (n > 0 && watch_unfinished(rc, &r)) {
		/* What it found settled is pending nowhere: look again. */
		w->rescan_at = mono() + watch_retry();
		return;
	}
	if (n == 0 || r.interrupted)
		return;
	/* What had settled before the rescan began, it took. */
	for (i = 0; i < w->npend; )
		if (lstat(w->pend[i].path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
		    settled_at(w, &sb) <= t)
			pend_drop(w, i);
		else
			i++;
}

/*
 * Look at each DIR itself: gone (removed, or its share unmounted under a
 * mount point that went with it) is said once; back, or another folder at
 * its name (made again, or a mount over it or gone from it), is watched
 * and looked at again, since the old watch sees nothing of it. 1 if any
 * DIR must be looked at again.
 */
static int
watch_roots(struct watch *w, int quiet)
{
	struct stat	 sb;
	struct root_id	*id;
	char		 buf[PATH_MAX * 2], err[PATH_MAX + 128];
	int		 k, fd, st, again = 0;

	for (k = 0; k < w->nroots; k++) {
		id = &w->rootid[k];
		/* From / down, as its import opens it: never through a link. */
		if ((fd = scan_open_real(w->roots[k], err, sizeof err)) != -1) {
			st = fstat(fd, &sb);
			close(fd);
		}
		if (fd == -1 || st == -1) {
			if (!id->gone && !quiet && fd == -1 && errno == ELOOP)
				log_warnx("watch: %s: %s; it is looked at "
				    "again when it is a folder again",
				    log_path(w->roots[k], buf, sizeof buf),
				    err);
			else if (!id->gone && !quiet)
				log_warnx("watch: %s is gone (removed, or its "
				    "disk unmounted); it is looked at again "
				    "when it is back", log_path(w->roots[k],
				    buf, sizeof buf));
			id->gone = 1;
			continue;
		}
		if (!quiet && (id->gone || id->unwatched ||
		    sb.st_dev != id->dev || sb.st_ino != id->ino)) {
			log_info("watch: %s %s", log_path(w->roots[k], buf,
			    sizeof buf), id->gone ? "is back" : "is another "
			    "folder now (made again, or a mount over it)");
			again = 1;
		}
		id->dev = sb.st_dev;
		id->ino = sb.st_ino;
		id->gone = id->unwatched = 0;
	}
	w->rootcheck = mono() + WATCH_ROOTS;
	return again;
}

/*
 * Is the file at path open for writing by some program (source_writing)?
 * A hard link made in a DIR to a file still written elsewhere is closed
 * there: no event comes here, so it is looked at again until it is not.
 */
static int
watch_written(const char *path)
{
	struct stat	 sb;
	const char	*name = strrchr(path, '/');
	char		 dir[PATH_MAX], err[PATH_MAX + 128];
	int		 dfd, fd, rc;

	/* Its folder from / down, never through a link (watch_dir). */
	if (name == NULL || (size_t)(name - path) >= sizeof dir)
		return 0;
	snprintf(dir, sizeof dir, "%.*s", (int)(name - path), path);
	if ((dfd = scan_open_real(*dir != '\0' ? dir : "/", err,
	    sizeof err)) == -1)
		return 0;
	fd = openat(dfd, name + 1, O_RDONLY | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd == -1)
		return 0;
	rc = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    source_writing(fd, sb.st_dev);
	close(fd);
	return rc;
}

/*
 * Import the files that have settled, through their folders (each once,
 * none below another: a folder is walked whole). A file not settled yet
 * waits for its time.
 */
static void
watch_batch(struct watch *w)
{
	struct run_result	 r;
	struct stat		 sb;
	char			**dirs, *slash, buf[PATH_MAX * 2];
	double			 t = mono(), left;
	size_t			 i, j, n = 0, k;
	int			 rc;

	if (w->npend == 0)
		return;
	pend_dedupe(w);
	dirs = xcalloc(w->npend + 1, sizeof *dirs);
	for (i = 0; i < w->npend; ) {
		struct pend *p = &w->pend[i];

		if (p->due > t) {
			i++;
			continue;
		}
		if (lstat(p->path, &sb) == -1 || !S_ISREG(sb.st_mode)) {
			pend_drop(w, i);	/* gone, or not a file */
			continue;
		}
		if ((left = settle_left(w, &sb)) > 0) {
			p->due = t + left;
			i++;
			continue;
		}
		if (watch_written(p->path)) {
			p->due = t + WATCH_WRITTEN;
			i++;
			continue;
		}
		dirs[n] = xstrdup(p->path);
		if ((slash = strrchr(dirs[n], '/')) != NULL)
			*slash = '\0';
		if (watch_in_library(w, dirs[n])) {
			log_info("%s: in another shoebox library, not "
			    "imported", log_path(p->path, buf, sizeof buf));
			free(dirs[n]);
			pend_drop(w, i);
			continue;
		}
		p->ready = 1;
		n++;
		i++;
	}
	if (n == 0) {
		free(dirs);
		return;
	}
	qsort(dirs, n, sizeof *dirs, strp_cmp);
	for (i = 0, k = 0; i < n; i++) {
		for (j = 0; j < k && !path_below(dirs[i], dirs[j]); j++)
			;
		if (j < k)
			free(dirs[i]);
		else
			dirs[k++] = dirs[i];
	}
	rc = watch_import(w, dirs, (int)k, &r);
	t = mono();
	for (i = 0; i < w->npend; ) {
		struct pend *p = &w->pend[i];

		if (!p->ready) {
			i++;
			continue;
		}
		p->ready = 0;
		if (watch_unfinished(rc, &r)) {
			p->due = t + watch_retry();	/* library full, gone */
			i++;
		} else if (lstat(p->path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (left = settle_left(w, &sb)) > 0) {
			p->due = t + left;	/* changed again meanwhile */
			i++;
		} else if (watch_written(p->path)) {
			p->due = t + WATCH_WRITTEN;	/* opened meanwhile */
			i++;
		} else
			pend_drop(w, i);
	}
	for (i = 0; i < k; i++)
		free(dirs[i]);
	free(dirs);
}

/*
 * The watch of the folder path ended: if it is a DIR's, the next look at
 * the DIRs watches it again, even where a folder made again at its name
 * has the same inode number (ext4 hands the freed one out again).
 */
static void
watch_root_lost(struct watch *w, const char *path)
{
	int	k;

	for (k = 0; k < w->nroots; k++)
		if (strcmp(path, w->roots[k]) == 0)
			w->rootid[k].unwatched = 1;
}

/*
 * The folder path was moved away: out of the DIRs, or renamed (its new
 * name comes as IN_MOVED_TO and is watched again, with what it holds, or
 * is a dot-name, never watched). End its watches and those below it:
 * kept, they would name it by a path that no longer leads to it, and
 * spend max_user_watches for as long as the folder lives elsewhere (a
 * user's albums moved out of a drop share, for months).
 */
static void
watch_moved_away(struct watch *w, const char *path)
{
	size_t	i;

	for (i = 0; i < w->nwd; i++)
		if (w->wdpath[i] != NULL && path_below(w->wdpath[i], path)) {
			watch_root_lost(w, w->wdpath[i]);
			inotify_rm_watch(w->fd, (int)i);
			free(w->wdpath[i]);
			w->wdpath[i] = NULL;	/* its IN_IGNORED is skipped */
		}
}

/* Read what inotify has to say; a lost queue means a rescan. */
static void
watch_read(struct watch *w)
{
	char				 buf[64 * 1024]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	struct stat			 sb;
	char				*path, *p;
	ssize_t				 n;
	int				 overflow = 0, isdir;

	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				overflow = 1;
				continue;
			}
			if (ev->wd < 0 || (size_t)ev->wd >= w->nwd ||
			    w->wdpath[ev->wd] == NULL)
				continue;
			if (ev->mask & IN_IGNORED) {	/* folder gone */
				watch_root_lost(w, w->wdpath[ev->wd]);
				free(w->wdpath[ev->wd]);
				w->wdpath[ev->wd] = NULL;
				continue;
			}
			isdir = (ev->mask & IN_ISDIR) != 0;
			if (ev->len == 0 || scan_ignored_name(ev->name, isdir))
				continue;
			xasprintf(&path, "%s/%s", w->wdpath[ev->wd], ev->name);
			if (isdir && (ev->mask & IN_MOVED_FROM))
				watch_moved_away(w, path);
			else if (isdir && (ev->mask & (IN_CREATE |
			    IN_MOVED_TO))) {
				if (lstat(path, &sb) == -1 ||
				    !watch_fenced(w, &sb))
					watch_dir(w, path, 0, WALK_ALL);
			} else if (!isdir && (ev->mask & (IN_CLOSE_WRITE |
			    IN_MOVED_TO | IN_CREATE)))
				/*
				 * IN_CREATE: a hard link made there (ln,
				 * cp -l, rsync --link-dest) has no other
				 * event; one to a file still written
				 * elsewhere waits (watch_written).
				 */
				pend_add(w, path, mono() + (w->o.settle >
				    WATCH_DEBOUNCE ? w->o.settle :
				    WATCH_DEBOUNCE));
			free(path);
		}
	}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_warn("watch: inotify");
	watch_limit(w);
	if (overflow)
		watch_rescan(w, "inotify's event queue overflowed "
		    "(fs.inotify.max_queued_events)");
}

/* Wait for events, signals or the next file to settle; import; repeat. */
static void
watch_loop(struct watch *w, const sigset_t *waitmask)
{
	struct pollfd	 pfd;
	struct timespec	 ts;
	double		 next, t;
	size_t		 i;

	while (!watch_stop) {
		if (watch_rescan_due) {
			watch_rescan_due = 0;
			watch_rescan(w, "SIGHUP");
			continue;
		}
		if (mono() >= w->rootcheck && watch_roots(w, 0)) {
			watch_rescan(w, "a watched folder changed");
			continue;
		}
		if (w->rescan_at > 0 && mono() >= w->rescan_at) {
			watch_rescan(w, "the last look left files (the library "
			    "was not there, or full)");
			continue;
		}
		next = w->rootcheck;
		if (w->rescan_at > 0 && w->rescan_at < next)
			next = w->rescan_at;
		for (i = 0; i < w->npend; i++)
			if (w->pend[i].due < next)
				next = w->pend[i].due;
		t = next - mono();
		if (t < 0.01)
			t = 0.01;
		if (w->syncpid > 0 && t > 1)
			t = 1;
		ts.tv_sec = (time_t)t;
		ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
		pfd.fd = w->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (ppoll(&pfd, 1, &ts, waitmask) == -1 && errno != EINTR) {
			log_warn("watch: poll");
			break;
		}
		if (watch_stop)
			break;
		if (pfd.revents & POLLIN)
			watch_read(w);
		watch_sync_reap(w, 0);
		if (!watch_stop && !watch_rescan_due)
			watch_batch(w);
	}
}

static void
watch_free(struct watch *w)
{
	size_t	i;
	int	k;

	for (i = 0; i < w->nwd; i++)
		free(w->wdpath[i]);
	free(w->wdpath);
	for (i = 0; i < w->npend; i++)
		free(w->pend[i].path);
	free(w->pend);
	for (k = 0; k < w->nroots; k++)
		free(w->roots[k]);
	free(w->roots);
	free(w->rootid);
	for (i = 0; i < w->nfences; i++)
		free(w->fences[i]);
	free(w->fences);
	if (w->fd != -1)
		close(w->fd);
}

static int
cmd_watch(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct watch		 w;
	struct sigaction	 sa;
	struct stat		 sb;
	sigset_t		 block, waitmask;
	const char		**names, *v;
	char			 buf[PATH_MAX * 2], **argv = args->argv;
	char			*folder;
	size_t			 n;
	int			 i, k, nremotes, argc = args->argc;

	memset(&w, 0, sizeof w);
	w.ctx = ctx;
	w.fd = -1;
	if (import_opts_init(ctx, &w.o) == -1)
		return EXIT_USAGE;
	if ((v = cmd_get(args, "settle")) != NULL &&
	    config_settle("watch", v, &w.o.settle) == -1)
		return EXIT_USAGE;
	w.o.move = cmd_has(args, "move") > 0;
	w.sync = cmd_flag(args, "sync", "no-sync", w.o.sync);
	w.o.sync = 0;		/* uploads run beside the imports (--sync) */
	w.o.progress = 0;
	w.o.origin = "watch";
	w.o.arriving_quiet = 1;	/* its own batch takes each, once settled */
	if (w.sync && config_sections(ctx->cfg, "remote", &names) == 0) {
		log_info("watch: no [remote] in the config: nothing to upload");
		w.sync = 0;
	}
	for (i = 0; i < argc; i++) {
		if (stat(argv[i], &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			if (errno == 0 || S_ISDIR(sb.st_mode) == 0)
				errno = ENOTDIR;
			log_warn("watch: %s", log_path(argv[i], buf,
			    sizeof buf));
			watch_free(&w);
			return EXIT_USAGE;
		}
		w.roots = xreallocarray(w.roots, (size_t)w.nroots + 1,
		    sizeof *w.roots);
		/*
		 * Its real path: a link given is followed now, once; one put
		 * at its name later (by whoever can write its parent) is not.
		 */
		if ((w.roots[w.nroots] = realpath(argv[i], NULL)) == NULL)
			w.roots[w.nroots] = xstrdup(argv[i]);
		n = strlen(w.roots[w.nroots]);
		while (n > 1 && w.roots[w.nroots][n - 1] == '/')
			w.roots[w.nroots][--n] = '\0';
		for (k = 0; k < w.nroots && strcmp(w.roots[k],
		    w.roots[w.nroots]) != 0; k++)
			;
		if (k < w.nroots)	/* the same folder given twice */
			free(w.roots[w.nroots]);
		else
			w.nroots++;
	}
	/* Folders below a DIR are imported as found, never through a link. */
	w.o.beneath = w.roots;
	w.o.nbeneath = w.nroots;
	watch_fence(&w, xstrdup(ctx->library));
	nremotes = config_sections(ctx->cfg, "remote", &names);
	for (i = 0; i < nremotes; i++)
		if ((folder = remote_dir_folder(ctx->cfg, names[i])) != NULL)
			watch_fence(&w, folder);
	for (i = 0; i < w.nroots; i++)
		if (watch_refused(&w, w.roots[i])) {
			watch_free(&w);
			return EXIT_USAGE;
		}
	if ((w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("watch: inotify%s", errno == EMFILE ? " (too many "
		    "inotify instances: fs.inotify.max_user_instances)" : "");
		watch_free(&w);
		return EXIT_USAGE;
	}

	/* Signals only while waiting (ppoll) or importing (watch_import). */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = watch_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	log_info("watch: watching %d folder%s (settle %.0f s)", w.nroots,
	    w.nroots == 1 ? "" : "s", w.o.settle);
	w.rootid = xcalloc((size_t)w.nroots, sizeof *w.rootid);
	watch_roots(&w, 1);
	watch_rescan(&w, "start");
	watch_loop(&w, &waitmask);

	log_info("watch: stopping");
	if (w.syncpid > 0) {
		kill(w.syncpid, SIGTERM);
		w.sync_again = 0;
		watch_sync_reap(&w, 1);
	}
	watch_free(&w);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	return EXIT_ALLGOOD;
}

static const struct cmd_option watch_options[] = {
	{ "settle", 0, "DURATION",
	    "import a file once unchanged this long (default: settle =, 30s)" },
	{ "move", 'm', NULL, "delete each source once its copy is filed" },
	{ "sync", 's', NULL,
	    "upload after each batch, beside the watch (default: auto_sync =)" },
	{ "no-sync", 0, NULL, "do not upload, whatever auto_sync says" },
	{ NULL, 0, NULL, NULL }
};

const struct cmd_entry cmd_watch_entry = {
	"watch", "DIR...", 1, -1,
	"import what is written into folders as it arrives (inotify)",
	watch_options, CMD_LIBRARY, cmd_watch
};
