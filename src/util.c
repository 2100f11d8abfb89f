/*
 * util.c: small helpers more than one command shares.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "shoebox.h"

/*
 * A byte count for people, in decimal units: "980 B", "12.3 MB" (powers
 * of 1000, as df -H; 999960 is "1.0 MB", not "1000.0 kB").
 */
void
fmt_size(uint64_t n, char *buf, size_t size)
{
	static const char *units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	double		   v = (double)n;
	int		   u = 0;

	while (v >= 999.95 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

/* Set by SIGINT, SIGTERM or SIGHUP once stop_catch() is called. */
volatile sig_atomic_t stop_requested;

static void
stop_on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/*
 * Make SIGINT, SIGTERM and SIGHUP ask the run to stop between two files
 * (stop_requested), keeping what it did, instead of killing it.
 */
void
stop_catch(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stop_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * What is free on the disk of the open file or folder fd, to an ordinary
 * user, in *avail: 0, or -1 when it cannot be told. (fstatfs: fstatvfs
 * would stat fd too, and this is asked before every copy.)
 */
int
disk_free(int fd, uint64_t *avail)
{
	struct statfs	fs;

	if (fd == -1 || fstatfs(fd, &fs) == -1 || fs.f_frsize <= 0)
		return -1;
	*avail = (uint64_t)fs.f_bavail * (uint64_t)fs.f_frsize;
	return 0;
}

/*
 * Has the disk of fd run out of inodes, with bytes still free? 1 with
 * *total how many inodes it has, or 0 (also for a filesystem that does
 * not count them, as btrfs). A disk "full" with megabytes free is this.
 * Asked after a write failed for want of space: by then other writers
 * may have given some inodes back (the temporary files of the transfers
 * that failed beside it), so a few dozen free still count as none; a
 * megabyte free says it is not the bytes.
 */
int
disk_no_inodes(int fd, uint64_t *total)
{
	struct statfs	fs;

	if (fd == -1 || fstatfs(fd, &fs) == -1 || fs.f_files == 0 ||
	    fs.f_ffree > 64 || fs.f_frsize <= 0 ||
	    (uint64_t)fs.f_bavail * (uint64_t)fs.f_frsize < 1024 * 1024)
		return 0;
	*total = (uint64_t)fs.f_files;
	return 1;
}

/*
 * The type and the superblock's options of the filesystem fd is on, from
 * /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTIONS ... - TYPE
 * SOURCE SUPER-OPTIONS". 0, or -1 if it is not found there.
 */
static int
disk_mount(int fd, char *type, size_t tsize, char *opts, size_t osize)
{
	struct stat	 sb;
	FILE		*f;
	char		 line[4096], want[32], dev[32], t[64], o[1024], *p;
	int		 rc = -1;

	if (fstat(fd, &sb) == -1 || (f = fopen("/proc/self/mountinfo",
	    "re")) == NULL)
		return -1;
	snprintf(want, sizeof want, "%u:%u", major(sb.st_dev),
	    minor(sb.st_dev));
	while (rc == -1 && fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%*s %*s %31s", dev) != 1 ||
		    strcmp(dev, want) != 0 || (p = strstr(line, " - ")) == NULL ||
		    sscanf(p, " - %63s %*s %1023s", t, o) != 2)
			continue;
		snprintf(type, tsize, "%s", t);
		snprintf(opts, osize, "%s", o);
		rc = 0;
	}
	fclose(f);
	return rc;
}

/*
 * Is the filesystem fd is on read-only as a whole (its superblock, not
 * only this mount: a write-protected card, a card the unit mounted
 * read-only) and local, so that no program anywhere can be writing to it?
 * A read-only bind mount of a share others write to, or a network
 * filesystem, is not.
 */
int
disk_frozen(int fd)
{
	static const char *local[] = { "vfat", "msdos", "exfat", "ext2",
	    "ext3", "ext4", "xfs", "btrfs", "f2fs", "ntfs3", "iso9660",
	    "udf", "hfsplus", "tmpfs" };
	char		 type[64], opts[1024];
	size_t		 i;

	if (disk_mount(fd, type, sizeof type, opts, sizeof opts) == -1)
		return 0;
	for (i = 0; i < sizeof local / sizeof local[0]; i++)
		if (strcmp(type, local[i]) == 0)
			return strcmp(opts, "ro") == 0 ||
			    strncmp(opts, "ro,", 3) == 0;
	return 0;
}

/*
 * Are the mtimes of the filesystem fd is on a camera's wall clock rather
 * than instants? FAT keeps a local time with no zone; mounted with tz=UTC
 * (as shoebox-card mounts a card) the kernel hands it over unchanged, as
 * if it were UTC. Asked once for each device (by each thread).
 */
int
disk_wall_mtime(int fd)
{
	static _Thread_local dev_t	last;
	static _Thread_local int	known, wall;
	struct stat			sb;
	char				type[64], opts[1024], *p, *save;

	if (fstat(fd, &sb) == -1)
		return 0;
	if (known && sb.st_dev == last)
		return wall;
	known = 1;
	last = sb.st_dev;
	wall = 0;
	if (disk_mount(fd, type, sizeof type, opts, sizeof opts) == -1 ||
	    (strcmp(type, "vfat") != 0 && strcmp(type, "msdos") != 0))
		return 0;
	for (p = strtok_r(opts, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		if (strcasecmp(p, "tz=UTC") == 0)
			wall = 1;
	return wall;
}

/*
 * The name of the sidecar sc of a main file named orig, once that file is
 * named name instead (IMG_0001-1.JPG takes IMG_0001-1.XMP and
 * IMG_0001-1.JPG.xmp; a duplicate filed as IMG_5555.JPG takes
 * IMG_5555.XMP): the new stem replaces the old one at the start of sc.
 * Names only, no folders; out holds size bytes.
 */
void
sidecar_rename(const char *sc, const char *orig, const char *name, char *out,
    size_t size)
{
	const char	*odot = strrchr(orig, '.');
	const char	*ndot = strrchr(name, '.');
	size_t		 ostem, nstem, olen = strlen(orig);

	if (strcmp(orig, name) == 0 || odot == NULL || ndot == NULL) {
		strlcpy_sb(out, sc, size);
		return;
	}
	ostem = (size_t)(odot - orig);
	nstem = (size_t)(ndot - name);
	if (strncasecmp(sc, orig, olen) == 0 && sc[olen] == '.')
		snprintf(out, size, "%.900s%.100s", name, sc + olen);
	else if (strlen(sc) > ostem)
		snprintf(out, size, "%.*s%.100s", (int)nstem, name,
		    sc + ostem);
	else
		strlcpy_sb(out, sc, size);
}

/*
 * The real place of path (realpath), or, where it is not there yet, of
 * its nearest folder that is, with the names still to be made after it
 * ("new/day" under a real "/srv" is "/srv/new/day"; "new/../x" is
 * "/srv/x", as the folders made will be); NULL when none is there. Free
 * it.
 */
char *
path_real(const char *path)
{
	char	*p = xstrdup(path), *tail = xstrdup(""), *real, *slash, *t;
	char	*name, *out, *c;
	size_t	 n, len, cap;
	int	 dots = 0;

	for (;;) {
		while ((n = strlen(p)) > 1 && p[n - 1] == '/')
			p[n - 1] = '\0';
		if ((real = realpath(*p != '\0' ? p : ".", NULL)) != NULL)
			break;
		slash = strrchr(p, '/');
		name = slash != NULL ? slash + 1 : p;
		if (errno != ENOENT || *name == '\0') {
			free(p);
			free(tail);
			return NULL;
		}
		xasprintf(&t, "%s%s%s", name, *tail != '\0' ? "/" : "", tail);
		free(tail);
		tail = t;
		if (slash == NULL)
			*p = '\0';
		else if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	/* The names to be made, in order: "." stays, ".." goes up one. */
	cap = strlen(real) + strlen(tail) + 2;
	out = xmalloc(cap);
	strlcpy_sb(out, real, cap);
	for (c = strtok_r(tail, "/", &name); c != NULL;
	    c = strtok_r(NULL, "/", &name)) {
		len = strlen(out);
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0) {
			dots = 1;
			if (c[1] == '.' && (slash = strrchr(out, '/')) != NULL)
				slash[slash == out ? 1 : 0] = '\0';
			continue;
		}
		snprintf(out + len, cap - len, "%s%s", len > 0 &&
		    out[len - 1] == '/' ? "" : "/", c);
	}
	free(real);
	free(p);
	free(tail);
	if (dots) {
		/* "new/../link/r": link is there, and may be one */
		t = path_real(out);
		free(out);
		return t;
	}
	return out;
}

/* Is the path path top itself or below it (both as written, no "..")? */
int
path_below(const char *path, const char *top)
{
	size_t	n = strlen(top);

	return strcmp(top, "/") == 0 || (strncmp(path, top, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/'));
}

/*
 * Does the folder fd hold nothing (no name but . and ..)? 1, 0, or -1
 * with errno. fd stays open, its offset shared with the read.
 */
int
folder_empty(int fd)
{
	struct dirent	*de;
	DIR		*d;
	int		 dfd, empty = 1, e;

	if ((dfd = dup(fd)) == -1)
		return -1;
	if ((d = fdopendir(dfd)) == NULL) {
		e = errno;
		close(dfd);
		errno = e;
		return -1;
	}
	rewinddir(d);
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Does err end with the text of error e (as "...: TEXT", or be it)? */
static int
err_ends_with(const char *err, int e)
{
	const char	*text = strerror(e);
	size_t		 n = strlen(err), t = strlen(text);

	return n >= t && strcmp(err + n - t, text) == 0 &&
	    (n == t || (n >= t + 2 && memcmp(err + n - t - 2, ": ", 2) == 0));
}

/*
 * Does the message err say a disk is full (or a quota reached)? Only as
 * its cause, at its end: a file name in the message could hold the same
 * words (a hostile name must not stop a run for everyone).
 */
int
err_disk_full(const char *err)
{
	return err_ends_with(err, ENOSPC) || err_ends_with(err, EDQUOT);
}

/* Does the message err end by saying a filesystem is read-only? */
int
err_read_only(const char *err)
{
	return err_ends_with(err, EROFS);
}

/*
 * A folder of a library's own (.shoebox, its tmp) must be a folder itself,
 * not a symbolic link: its owner could point one anywhere, and a shoebox
 * run by root would write there. 0 (also when path is not there: what
 * opens it says so), or -1 after saying why.
 */
int
library_dir_check(const char *path)
{
	struct stat	sb;

	if (lstat(path, &sb) == -1 || S_ISDIR(sb.st_mode))
		return 0;
	log_warnx("library %s: %s; refusing to use it (shoebox follows no "
	    "link inside a library's .shoebox)", path, S_ISLNK(sb.st_mode) ?
	    "is a symbolic link" : "is not a folder");
	return -1;
}

/*
 * Milliseconds on CLOCK_MONOTONIC: for waits that the date set back
 * cannot stretch.
 */
long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* qsort(3) of an array of strings, by strcmp. */
int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
