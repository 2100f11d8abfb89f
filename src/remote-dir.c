/*
 * remote-dir.c: a directory as a remote (a mounted backup disk). Built
 * from store.c's pieces (the copy pass, O_TMPFILE, mkdir -p) but not its
 * naming, which relies on the library's lock: here another sync may write
 * at the same time. The copy goes to an unnamed file (O_TMPFILE) in the
 * destination directory; it is fsynced, given the catalogued modification
 * time, read back and checked against the catalogue's SHA-256, then
 * link()ed into place and the directory fsynced; link() never replaces a
 * file, and a kill leaves nothing behind. Where O_TMPFILE is missing (FAT,
 * some network filesystems) the copy is a named temporary (.shoebox-tmp.*,
 * recorded in the catalogue before it is made, so that the next sync
 * removes it after a kill) renamed with RENAME_NOREPLACE, else
 * hard-linked; where neither exists the upload is refused rather than
 * risk replacing a file. Below the configured path nothing is reached
 * through a symbolic link, by an upload or by a read (sync's "already
 * there", verify, restore): each path is opened a folder at a time.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "shoebox.h"
#include "catalog.h"
#include "remote.h"
#include "sigv4.h"
#include "store.h"

struct dir_priv {
	char	*root;		/* path [+ prefix] */
	char	*path;		/* the disk's folder, as configured */
	char	*prefix;	/* below it, or "" */
	dev_t	 dev;		/* path's device and inode when opened */
	ino_t	 ino;
};

static char	*dir_unescape(char *);

/*
 * The mount point of /etc/fstab that real (a real path) is at or below
 * while nothing is mounted there now, or NULL. A backup disk not mounted
 * leaves its mount point an empty folder on the system's disk, and the
 * first sync to it, with no copies there yet to find missing, would fill
 * it unseen (and later syncs after it). The deepest mount point above
 * real (/proc/self/mountinfo) must be that one or one below it.
 */
static char *
dir_fstab_unmounted(const char *real)
{
	struct mntent	 me;
	FILE		*f;
	char		 buf[4096], *line = NULL, *fl[5], *s, *m = NULL;
	char		*t, *out = NULL;
	size_t		 cap = 0;
	int		 i;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return NULL;
	while (getline(&line, &cap, f) != -1) {
		for (i = 0, s = line; i < 5; i++)
			fl[i] = strsep(&s, " ");
		if (fl[4] == NULL || !path_below(real, dir_unescape(fl[4])) ||
		    (m != NULL && strlen(m) >= strlen(fl[4])))
			continue;
		free(m);
		m = xstrdup(fl[4]);
	}
	free(line);
	fclose(f);
	if (m == NULL || (f = setmntent("/etc/fstab", "re")) == NULL) {
		free(m);
		return NULL;
	}
	while (out == NULL && getmntent_r(f, &me, buf, sizeof buf) != NULL) {
		if (me.mnt_dir[0] != '/' || strcmp(me.mnt_type, "swap") == 0)
			continue;
		if ((t = realpath(me.mnt_dir, NULL)) == NULL)
			t = xstrdup(me.mnt_dir);
		if (path_below(real, t) && path_below(t, m) &&
		    strcmp(t, m) != 0)
			out = t;
		else
			free(t);
	}
	endmntent(f);
	free(m);
	return out;
}

/*
 * Does errno e, from opening a dir remote's path, say that what holds it
 * is not there now, like a mount point's folder gone (ENOENT)? A disk
 * unplugged under systemd's automount (ENODEV), a card out of its reader
 * (ENOMEDIUM), a FUSE mount whose program ended (sshfs, rclone mount:
 * ENOTCONN), a network share whose server is gone (EHOSTDOWN, ESTALE).
 * Such a remote is left out of a sync and the others go on; an error of
 * the setup (EACCES) still stops it.
 */
static int
dir_gone(int e)
{
	return e == ENODEV || e == ENXIO || e == ENOMEDIUM || e == ENOTCONN ||
	    e == EHOSTDOWN || e == ESTALE;
}

static int
dir_open(struct remote *r)
{
	struct dir_priv	*d;
	const char	*path, *prefix;
	struct stat	 sb;
	char		*real, *mp;
	int		 fd, e;

	if ((path = remote_get(r, "path")) == NULL) {
		log_warnx("remote %s: type dir needs 'path ='", r->name);
		return -1;
	}
	/*
	 * Opened, as dir_opendir opens it for each file, not looked at with
	 * stat(2): a disk mounted on demand (x-systemd.automount, autofs) is
	 * not mounted by stat, which gave the automount point's device and
	 * inode, and the disk the first file's open mounted was taken for
	 * another folder, the remote stopped (t0638).
	 */
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		e = errno;
		if (fd != -1)
			close(fd);
		remote_open_absent = e == ENOENT || e == ENOTDIR ||
		    dir_gone(e);
		if (e == ENOENT || e == ENOTDIR)
			log_warnx("remote %s: %s is not a directory (is the "
			    "disk mounted?)", r->name, path);
		else
			log_warnx("remote %s: %s: %s%s", r->name, path,
			    strerror(e), remote_open_absent ? " (is the disk "
			    "or the share there?)" : "");
		return -1;
	}
	close(fd);
	mp = (real = realpath(path, NULL)) != NULL ?
	    dir_fstab_unmounted(real) : NULL;
	free(real);
	if (mp != NULL) {
		log_warnx("remote %s: nothing is mounted at %s (a mount point "
		    "in /etc/fstab): is the disk mounted?", r->name, mp);
		remote_open_absent = 1;
		free(mp);
		return -1;
	}
	d = xcalloc(1, sizeof *d);
	d->dev = sb.st_dev;
	d->ino = sb.st_ino;
	prefix = remote_get(r, "prefix");
	d->root = remote_join(path, prefix ? prefix : "");
	d->path = xstrdup(path);
	d->prefix = remote_join("", prefix ? prefix : "");
	r->priv = d;
	return 0;
}

static void
dir_close(struct remote *r)
{
	struct dir_priv	*d = r->priv;

	free(d->root);
	free(d->path);
	free(d->prefix);
	free(d);
	r->priv = NULL;
}

/* The SHA-256 (hex) of an open file, streamed; 0 or -1. */
static int
dir_hash(int fd, uint64_t size, char *hex, volatile int *intr)
{
	unsigned char	md[32];

	if (remote_hash_region(fd, 0, size, NULL, md, intr) == -1)
		return -1;
	sigv4_hex(md, sizeof md, hex);
	return 0;
}

/* Remove a temporary file a killed upload left; REMOTE_OK or an error. */
static int
dir_discard(struct xfer *x, const char *tmp)
{
	if (unlink(tmp) == -1 && errno != ENOENT) {
		xfer_error(x, "%s: %s", tmp, strerror(errno));
		return REMOTE_FAIL;
	}
	return REMOTE_OK;
}

/* Copy fd to out (store_pass), counting progress; 0, or -1 with err set. */
static int
dir_copy(struct xfer *x, int fd, int out, uint64_t size, char *err,
    size_t errlen)
{
	struct store_pass	p;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.len = p.size = size;
	p.out = out;
	p.interrupted = x->remote->interrupted;
	p.progress = &remote_bytes_sent;
	p.speed = x->speed;
	return store_pass(&p, err, errlen) == 0 ? 0 : -1;
}

/*
 * The file at base in dirfd, made from the open copy out without ever
 * replacing anything: 0, or -1 with errno (EEXIST: the name is taken).
 * tmp is the copy's temporary name, or NULL for an unnamed one. Unlike
 * the library's store_name(), never check-then-rename: another sync may
 * be writing here.
 */
static int
dir_name(int dirfd, int out, const char *tmp, const char *base)
{
	if (tmp == NULL)
		return store_link_tmpfile(out, dirfd, base);
	if (renameat2(dirfd, tmp, dirfd, base, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* no RENAME_NOREPLACE here: a hard link refuses to replace too */
	if (linkat(dirfd, tmp, dirfd, base, 0) == -1)
		return -1;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

/*
 * Open the folder rel below the remote's prefix ("" for the prefix
 * itself), creating what is missing of it with create, from the
 * configured path down one folder at a time and never through a symbolic
 * link below it: a link put on the disk could send a shoebox run by root
 * anywhere, or pass a file elsewhere off as the remote's copy. Returns its
 * descriptor, or -1 with err set and errno (store_opendirs: ELOOP for a
 * link on the way, ENOTDIR for a file, ENOENT when it is not there;
 * ESTALE when path is not the folder it was when the remote was opened).
 */
static int
dir_opendir(const struct dir_priv *d, const char *rel, int create,
    char *err, size_t errlen)
{
	struct stat	 sb;
	char		*full;
	size_t		 n;
	int		 top, fd, e = 0, stale = 0;

	/*
	 * The backup disk unmounted while the run goes on (ejected, or
	 * unplugged and cleaned up by udisks): path is then the empty mount
	 * point on the disk beneath, or gone. Copies made there would be
	 * counted sent, then hidden when the disk is mounted again, and
	 * could fill the system's disk.
	 */
	if ((top = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", d->path, strerror(e));
		stale = e == ENOENT || e == ENOTDIR;
	} else if (fstat(top, &sb) == -1 || sb.st_dev != d->dev ||
	    sb.st_ino != d->ino) {
		close(top);
		top = -1;
		snprintf(err, errlen, "%s is not the folder it was when this "
		    "run began", d->path);
		stale = 1;
	}
	if (stale) {
		n = strlen(err);
		snprintf(err + n, errlen - n, " (was its disk unmounted?)");
		e = ESTALE;
	}
	if (top == -1) {
		errno = e;
		return -1;
	}
	full = remote_join(d->prefix, rel);
	fd = store_opendirs(top, full, create, "folder", err, errlen);
	e = errno;
	free(full);
	close(top);
	errno = e;
	return fd;
}

/* dir_opendir of the folder the file name is in; *base is its last name. */
static int
dir_openparent(const struct dir_priv *d, const char *name, int create,
    const char **base, char *err, size_t errlen)
{
	const char	*slash = strrchr(name, '/');
	char		*rel;
	int		 fd, e;

	rel = xstrndup(name, slash != NULL ? (size_t)(slash - name) : 0);
	*base = slash != NULL ? slash + 1 : name;
	fd = dir_opendir(d, rel, create, err, errlen);
	e = errno;
	free(rel);
	errno = e;
	return fd;
}

/*
 * Open the folder the file name goes in on the remote, creating it (and
 * its parents) first (dir_opendir). dst is the file's full path, for
 * messages. Returns its descriptor, or -1 with x->error set.
 */
static int
dir_parent(struct xfer *x, const struct dir_priv *d, const char *name,
    const char *dst)
{
	const char	*base;
	char		 err[PATH_MAX + 128];
	int		 dfd, e;

	if ((dfd = dir_openparent(d, name, 1, &base, err, sizeof err)) ==
	    -1) {
		e = errno;
		if (e == ESTALE)	/* the remote's, not the file's */
			xfer_error(x, "%s; nothing more is sent there, the "
			    "files left stay queued", err);
		else
			xfer_error(x, "%s: %s", dst, err);
		errno = e;
	}
	return dfd;
}

/*
 * The file the copy to dst is written to: unnamed (O_TMPFILE) in dfd, or,
 * where the filesystem has none, a temporary beside dst (*tmp), recorded
 * in the catalogue before it is made. Its descriptor, or -1 with x->error
 * set (*tmp is then NULL).
 */
static int
dir_tmp(struct xfer *x, const struct upload *up, int dfd, const char *dst,
    char **tmp)
{
	int	out;

	*tmp = NULL;
	if ((out = store_tmpfile(dfd)) != -2) {
		if (out == -1)
			xfer_error(x, "%.*s: %s", (int)(strrchr(dst, '/') - dst),
			    dst, strerror(errno));
		return out;
	}
	*tmp = remote_tmp_name(dst);
	if (remote_note_tmp(x, up, *tmp) != REMOTE_OK) {
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	if ((out = openat(dfd, strrchr(*tmp, '/') + 1, O_CREAT | O_EXCL |
	    O_RDWR | O_CLOEXEC, 0644)) == -1)
		xfer_error(x, "%s: %s", *tmp, strerror(errno));
	return out;
}

/*
 * Fill the copy out from fd (up's file in the library): the bytes, its
 * mode and modification time, fsync, then read back and checked against
 * the catalogue's SHA-256. 0, or -1 with x->error set.
 */
static int
dir_fill(struct xfer *x, const struct upload *up, int fd, int out,
    const char *name)
{
	struct timespec	times[2];
	char		hex[65], err[256];

	if (dir_copy(x, fd, out, up->size, err, sizeof err) == -1) {
		xfer_error(x, "copying: %s", err);
		return -1;
	}
	remote_timespec(up->mtime_ns, &times[0]);
	times[1] = times[0];
	if (fchmod(out, 0644) == -1 || futimens(out, times) == -1 ||
	    fsync(out) == -1) {
		xfer_error(x, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (dir_hash(out, up->size, hex, x->remote->interrupted) == -1 ||
	    strcmp(hex, up->sha256) != 0) {
		xfer_error(x, "the copy's SHA-256 differs from the catalogue's "
		    "(bad disk, or the file changed since import)");
		return -1;
	}
	return 0;
}

/*
 * Does the file fit in what is free on the disk of folder dfd? 1, or 0
 * with x->error saying so and x->full XFER_NOFIT.
 */
static int
dir_fits(struct xfer *x, const struct upload *up, int dfd)
{
	uint64_t	avail;
	char		a[32], n[32];

	if (disk_free(dfd, &avail) == -1 || avail >= up->size)
		return 1;
	fmt_size(up->size, n, sizeof n);
	fmt_size(avail, a, sizeof a);
	xfer_error(x, "does not fit: %s, and %s free on the disk", n, a);
	x->full = XFER_NOFIT;
	return 0;
}

/*
 * The verified, atomic copy to name; REMOTE_EXISTS when name was taken
 * meanwhile (nothing replaced). A file bigger than what is free on the
 * disk is not tried, or, when the disk filled while it was written (by
 * another transfer), given up: REMOTE_FAIL, x->full XFER_NOFIT, smaller
 * ones may still fit. A disk full in another way (no inodes left, a
 * quota) stops the remote for the run: REMOTE_STOP, x->full XFER_FULL,
 * as does a disk mounted read-only. Either way the files left stay queued.
 */
static int
dir_put(struct xfer *x, const struct upload *up, const char *name)
{
	struct dir_priv	*d = x->remote->priv;
	char		*dst, *tmp = NULL;
	int		 fd = -1, out = -1, dfd;
	int		 rc = REMOTE_FAIL;

	dst = remote_join(d->root, name);
	if ((dfd = dir_parent(x, d, name, dst)) == -1) {
		if (errno == ESTALE)
			rc = REMOTE_STOP;	/* no file can go now */
		goto out;
	}
	if (!dir_fits(x, up, dfd))
		goto out;
	if ((fd = remote_open_file(x, up)) == -1)
		goto out;
	if ((out = dir_tmp(x, up, dfd, dst, &tmp)) == -1)
		goto out;
	if (dir_fill(x, up, fd, out, tmp ? tmp : dst) == -1)
		goto out;
	if (dir_name(dfd, out, tmp ? strrchr(tmp, '/') + 1 : NULL,
	    strrchr(dst, '/') + 1) == -1) {
		if (errno == EEXIST)
			rc = REMOTE_EXISTS;
		else if (errno == EPERM || errno == EOPNOTSUPP ||
		    errno == ENOSYS || errno == EMLINK)
			xfer_error(x, "%s: this filesystem can neither rename "
			    "without replacing nor make hard links, so nothing "
			    "is stored on it (that could replace a file)", dst);
		else
			xfer_error(x, "%s: %s", dst, strerror(errno));
		goto out;
	}
	if (fsync(dfd) == -1 && errno != EINVAL) {
		xfer_error(x, "%s: %s", dst, strerror(errno));
		goto out;
	}
	rc = REMOTE_OK;
out:
	if (rc == REMOTE_FAIL && x->full == 0 && err_disk_full(x->error) &&
	    dir_fits(x, up, dfd)) {
		char		why[sizeof x->error];
		uint64_t	inodes;
		int		vfd = dfd, none;

		/* A folder that could not be made: ask of the disk's root. */
		if (vfd == -1)
			vfd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		none = disk_no_inodes(vfd, &inodes);
		if (vfd != dfd && vfd != -1)
			close(vfd);
		snprintf(why, sizeof why, "%s", x->error);
		xfer_error(x, "%s%s%s%s: make room there; the files left stay "
		    "queued", strstr(why, dst) == NULL ? dst : "",
		    strstr(why, dst) == NULL ? ": " : "", why, none ?
		    " (no inodes left, though bytes are free)" : "");
		x->full = XFER_FULL;
		rc = REMOTE_STOP;
	} else if (rc == REMOTE_FAIL && err_read_only(x->error)) {
		/* Mounted read-only: no file can go, none is to blame. */
		xfer_error(x, "%s is on a read-only filesystem (mounted "
		    "read-only, or remounted so after disk errors); the files "
		    "stay queued", d->path);
		rc = REMOTE_STOP;
	}
	if (tmp != NULL) {	/* recorded: removed, and forgotten */
		if (rc != REMOTE_OK)
			unlink(tmp);
		remote_note_tmp(x, up, NULL);
	}
	if (fd != -1)
		close(fd);
	if (out != -1)
		close(out);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	free(dst);
	return rc;
}

/*
 * Is the remote's folder (path, then prefix) empty or not there? 1 or 0.
 * Files sent there before and none left: the disk is not mounted (its
 * mount point is an empty folder), or was wiped.
 */
static int
dir_empty(struct remote *r)
{
	struct dir_priv	*d = r->priv;
	char		 err[PATH_MAX + 128];
	int		 fd, empty;

	/* a link at the prefix is not empty: each file then says why */
	if ((fd = dir_opendir(d, "", 0, err, sizeof err)) == -1)
		return errno == ENOENT || errno == ENOTDIR || errno == ESTALE;
	empty = folder_empty(fd) == 1;
	close(fd);
	return empty;
}

/*
 * Is the remote's folder (or the nearest folder above it that is there)
 * not the top of a mounted filesystem? An empty one is then most likely
 * the mount point of a backup disk unplugged, or what lies beneath it,
 * not a new disk: that would be mounted there. 1, else 0.
 */
static int
dir_unmounted(struct remote *r)
{
	struct dir_priv	*d = r->priv;
	struct statx	 sx;
	struct stat	 sb, up;
	char		*p, *slash;
	int		 rc = 0;

	p = xstrdup(d->root);
	for (;;) {
		if (stat(p, &sb) == 0)
			break;
		if ((slash = strrchr(p, '/')) == NULL || slash == p) {
			free(p);
			return 0;
		}
		*slash = '\0';
	}
	if (statx(AT_FDCWD, p, 0, STATX_BASIC_STATS, &sx) == 0 &&
	    (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		rc = !(sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	else {
		/* Before Linux 5.8: on the same device as the folder above. */
		xasprintf(&slash, "%s/..", p);
		rc = stat(slash, &up) == 0 && up.st_dev == sb.st_dev;
		free(slash);
	}
	free(p);
	return rc;
}

/*
 * The folder the dir remote name of cfg copies to (path, then prefix), or
 * NULL for a remote of another type, or none. With real, path's real place
 * (NULL when it is not there), then the prefix, which may not be made yet.
 */
static char *
dir_folder(const struct config *cfg, const char *name, int real)
{
	const char	*type, *path, *prefix;
	char		*section, *top, *folder = NULL;

	xasprintf(&section, "remote %s", name);
	type = config_get(cfg, section, "type");
	path = config_get(cfg, section, "path");
	if ((prefix = config_get(cfg, section, "prefix")) == NULL)
		prefix = "";
	if (type != NULL && strcasecmp(type, "dir") == 0 && path != NULL) {
		if (!real)
			folder = remote_join(path, prefix);
		else if ((top = realpath(path, NULL)) != NULL) {
			folder = remote_join(top, prefix);
			free(top);
		}
	}
	free(section);
	return folder;
}

/* The folder a dir remote of cfg copies to: import never walks it. */
char *
remote_dir_folder(const struct config *cfg, const char *name)
{
	return dir_folder(cfg, name, 0);
}

/* How a dir remote's folder and another folder lie (dir_overlap). */
enum overlap {
	APART,
	SAME,
	REMOTE_INSIDE,	/* the remote's folder is inside the other */
	INSIDE_REMOTE	/* the other is inside the remote's folder */
};

/* A field of /proc/self/mountinfo with its \ooo escapes undone, in place. */
static char *
dir_unescape(char *f)
{
	char	*i = f, *o = f;

	while (*i != '\0') {
		if (i[0] == '\\' && i[1] >= '0' && i[1] <= '3' && i[2] >= '0' &&
		    i[2] <= '7' && i[3] >= '0' && i[3] <= '7') {
			*o++ = (char)((i[1] - '0') * 64 + (i[2] - '0') * 8 +
			    (i[3] - '0'));
			i += 4;
		} else
			*o++ = *i++;
	}
	*o = '\0';
	return f;
}

/*
 * The folder real (a real path, maybe not made yet below some folder)
 * as a path inside its filesystem, and that filesystem's device: the
 * mount's root there (/proc/self/mountinfo) and the rest of the path
 * below its mount point. A bind mount of LIBRARY/2006 at /mnt/disk gives
 * /mnt/disk the path of LIBRARY/2006. NULL where it cannot be told.
 */
static char *
dir_fs_path(const char *real, dev_t *dev)
{
	struct statx	 sx;
	char		*p, *line = NULL, *f[5], *out = NULL, *s;
	const char	*rest, *tail;
	size_t		 cap = 0, n;
	FILE		*mi;
	int		 i;

	p = xstrdup(real);
	while (statx(AT_FDCWD, p, 0, STATX_MNT_ID | STATX_BASIC_STATS,
	    &sx) == -1) {
		if (errno != ENOENT || (s = strrchr(p, '/')) == NULL ||
		    s == p) {
			free(p);
			return NULL;
		}
		*s = '\0';
	}
	if (!(sx.stx_mask & STATX_MNT_ID)) {
		free(p);
		return NULL;
	}
	tail = real + strlen(p);		/* the part not made yet */
	*dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	if ((mi = fopen("/proc/self/mountinfo", "re")) == NULL) {
		free(p);
		return NULL;
	}
	while (out == NULL && getline(&line, &cap, mi) != -1) {
		for (i = 0, s = line; i < 5; i++)
			f[i] = strsep(&s, " ");
		if (f[4] == NULL || strtoull(f[0], NULL, 10) != sx.stx_mnt_id)
			continue;
		dir_unescape(f[3]);
		dir_unescape(f[4]);
		n = strlen(f[4]);
		if (strcmp(f[4], "/") == 0)
			rest = p;
		else if (strncmp(p, f[4], n) == 0 && (p[n] == '\0' ||
		    p[n] == '/'))
			rest = p + n;
		else
			break;
		xasprintf(&out, "%s%s%s", strcmp(f[3], "/") == 0 &&
		    *rest != '\0' ? "" : f[3], rest, tail);
		if (*out == '\0') {
			free(out);
			out = xstrdup("/");
		}
	}
	free(line);
	fclose(mi);
	free(p);
	return out;
}

/*
 * Where the folder a lies from the folder b (both real paths): by path,
 * then by their paths inside their filesystem, which tell apart what bind
 * mounts show at other paths (the library, or LIBRARY/2006, mounted as
 * the backup disk's folder, or the library a bind of a folder inside that
 * disk's).
 */
static enum overlap
dir_apart(const char *a, const char *b)
{
	enum overlap	 o = APART;
	char		*fa, *fb;
	dev_t		 da, db;

	if (strcmp(a, b) == 0)
		return SAME;
	if (path_below(a, b))
		return REMOTE_INSIDE;
	if (path_below(b, a))
		return INSIDE_REMOTE;
	fa = dir_fs_path(a, &da);
	fb = dir_fs_path(b, &db);
	if (fa != NULL && fb != NULL && da == db)
		o = strcmp(fa, fb) == 0 ? SAME : path_below(fa, fb) ?
		    REMOTE_INSIDE : path_below(fb, fa) ? INSIDE_REMOTE : APART;
	free(fa);
	free(fb);
	return o;
}

/*
 * Where the dir remote name's folder (path, then prefix, which may not be
 * made yet) lies from the folder dir (which may not be made yet either).
 */
static enum overlap
dir_overlap(const struct config *cfg, const char *name, const char *dir)
{
	char		*real, *root;
	enum overlap	 o = APART;

	if ((root = dir_folder(cfg, name, 1)) == NULL)
		return APART;
	if ((real = path_real(dir)) != NULL)
		o = dir_apart(root, real);
	free(real);
	free(root);
	return o;
}

/*
 * Does the dir remote r copy to the folder of a dir remote before it in
 * the config (cfg), or inside or around it? Its copies would count as a
 * second backup where there is one. 1 after saying so, else 0.
 */
int
remote_dir_shared(struct remote *r, const struct config *cfg)
{
	struct dir_priv	 *d = r->priv;
	const char	**names;
	char		 *root, *other;
	enum overlap	  o;
	int		  i, n, shared = 0;

	if ((root = dir_folder(cfg, r->name, 1)) == NULL)
		return 0;
	n = config_sections(cfg, "remote", &names);
	for (i = 0; i < n && !shared && strcmp(names[i], r->name) != 0; i++) {
		if ((other = dir_folder(cfg, names[i], 1)) == NULL)
			continue;
		if ((o = dir_apart(root, other)) != APART) {
			log_warnx("remote %s: %s %s remote %s's folder: its "
			    "copies would count as a second backup where there "
			    "is one; nothing sent (point path = at another "
			    "disk)", r->name, d->root, o == SAME ? "is" :
			    o == REMOTE_INSIDE ? "is inside" : "holds",
			    names[i]);
			shared = 1;
		}
		free(other);
	}
	free(root);
	return shared;
}

/*
 * Is a dir remote's folder the library itself, inside it, or around it?
 * Copies there are no backup (the same disk), and would show up in the
 * library as untracked, or the library's own files would be taken for
 * the remote's (restore --rebuild lists them). 1 after saying so, else 0.
 */
int
remote_dir_in_library(struct remote *r, const char *library)
{
	struct dir_priv	*d = r->priv;
	enum overlap	 o = dir_overlap(r->cfg, r->name, library);

	if (o == SAME || o == REMOTE_INSIDE)
		log_warnx("remote %s: %s is %sthe library %s: copies there "
		    "would be no backup; nothing sent (point path = at another "
		    "disk)", r->name, d->root, o == SAME ? "" : "inside ",
		    library);
	else if (o == INSIDE_REMOTE)
		log_warnx("remote %s: %s holds the library %s: copies there "
		    "would be no backup, and the library's own files would be "
		    "taken for the remote's; nothing sent (point path = at "
		    "another disk)", r->name, d->root, library);
	return o != APART;
}

/*
 * Is dir (restore's --to) the folder of the dir remote name of cfg, or
 * inside it? What is restored there would be mixed with the copies it
 * comes from (and, with --rebuild, listed and restored again below
 * itself). 1 after saying so.
 */
int
remote_dir_holds(const struct config *cfg, const char *name, const char *dir)
{
	enum overlap	 o = dir_overlap(cfg, name, dir);
	char		*root;

	if (o != SAME && o != INSIDE_REMOTE)
		return 0;
	root = dir_folder(cfg, name, 0);
	log_warnx("restore: %s is %sremote %s's folder %s: what is restored "
	    "would be mixed with the copies it comes from; choose a folder "
	    "outside it", dir, o == SAME ? "" : "inside ", name, root);
	free(root);
	return 1;
}

/* Is sb (a file on the remote) up's own file in the library, by inode? */
static int
dir_is_library_file(const struct upload *up, const struct stat *sb)
{
	struct stat	lib;

	return up->path != NULL && stat(up->path, &lib) == 0 &&
	    lib.st_dev == sb->st_dev && lib.st_ino == sb->st_ino;
}

static int	dir_stat(struct xfer *, const struct upload *, const char *,
	    int, struct remote_stat *);
static int	dir_get(struct xfer *, const char *, int, uint64_t,
		    struct remote_got *);
static int	dir_list(struct xfer *, remote_each, void *);

const struct remote_ops remote_dir_ops = {
	"dir", dir_open, remote_probe_stat, dir_put, dir_discard, dir_close,
	.stat = dir_stat,
	.get = dir_get, .list = dir_list, .empty = dir_empty,
	.unmounted = dir_unmounted
};

/*
 * Open the file name on the remote for reading (dir_opendir, then the
 * file): a link at its name is not followed (ELOOP), nor one on the way,
 * which is an error. Its descriptor; or -1 with errno ENOENT (not there,
 * or a file where a folder is), ELOOP, or another with x->error set
 * (ESTALE: the remote's folder is not the one opened, dir_opendir).
 */
static int
dir_open_file(struct xfer *x, const struct dir_priv *d, const char *name,
    const char *dst)
{
	const char	*base;
	char		 err[PATH_MAX + 128];
	int		 dfd, fd, e;

	if ((dfd = dir_openparent(d, name, 0, &base, err, sizeof err)) == -1) {
		if ((e = errno) == ENOTDIR)
			e = ENOENT;
		else if (e == ESTALE)	/* the remote's, not the file's */
			xfer_error(x, "%s", err);
		else if (e != ENOENT) {
			xfer_error(x, "%s: %s", dst, err);
			e = EIO;
		}
		errno = e;
		return -1;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	close(dfd);
	if (fd == -1 && e == ENOTDIR)
		e = ENOENT;
	else if (fd == -1 && e != ENOENT && e != ELOOP) {
		xfer_error(x, "%s: %s", dst, strerror(e));
		e = EIO;
	}
	errno = e;
	return fd;
}

/*
 * verify --remote: what stat(2) says of the file at name (its size and
 * modification time); with full, the file read and hashed too when its
 * size agrees. REMOTE_OK, REMOTE_ABSENT, REMOTE_OTHER (not a regular
 * file), or an error (a symbolic link on the way among them).
 */
static int
dir_stat(struct xfer *x, const struct upload *up, const char *name, int full,
    struct remote_stat *st)
{
	struct dir_priv	*d = x->remote->priv;
	struct stat	 sb;
	char		*dst, hex[65];
	int		 fd, rc = REMOTE_OK;

	dst = remote_join(d->root, name);
	if ((fd = dir_open_file(x, d, name, dst)) == -1) {
		rc = errno == ENOENT ? REMOTE_ABSENT : errno == ELOOP ?
		    REMOTE_OTHER : errno == ESTALE ? REMOTE_STOP : REMOTE_FAIL;
		free(dst);
		return rc;
	}
	if (fstat(fd, &sb) == -1) {
		xfer_error(x, "%s: %s", dst, strerror(errno));
		rc = REMOTE_FAIL;
	} else if (!S_ISREG(sb.st_mode))
		rc = REMOTE_OTHER;
	else if (dir_is_library_file(up, &sb)) {
		/* A hard link to the library's own file: no copy at all. */
		log_warnx("remote %s: %s is the library's own file %s (a hard "
		    "link to it), not a copy; passed over", x->remote->name,
		    dst, up->relpath);
		rc = REMOTE_OTHER;
	} else {
		st->size = sb.st_size;
		st->mtime = sb.st_mtim.tv_sec;
	}
	if (rc == REMOTE_OK && full && (uint64_t)sb.st_size == up->size) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		if (dir_hash(fd, (uint64_t)sb.st_size, hex,
		    x->remote->interrupted) == -1) {
			xfer_error(x, "reading %s: %s", dst, strerror(errno));
			rc = REMOTE_FAIL;
		} else
			st->read = strcmp(hex, up->sha256) == 0 ?
			    REMOTE_SAME : REMOTE_OTHER;
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	close(fd);
	free(dst);
	return rc;
}

/*
 * Copy the file name into fd (remote_ops.get), hashing it on the way;
 * a link at the name, or on the way to it, is not followed. The bytes
 * copied are those its size says when opened, at most max.
 */
static int
dir_get(struct xfer *x, const char *name, int fd, uint64_t max,
    struct remote_got *got)
{
	struct dir_priv		*d = x->remote->priv;
	struct store_pass	 p;
	struct stat		 sb;
	unsigned char		 md[32];
	char			*src, err[256];
	int			 in, rc = REMOTE_FAIL;

	memset(got, 0, sizeof *got);
	src = remote_join(d->root, name);
	if ((in = dir_open_file(x, d, name, src)) == -1) {
		if (errno == ENOENT)
			rc = REMOTE_ABSENT;
		else if (errno == ESTALE)
			rc = REMOTE_STOP;
		else if (errno == ELOOP)
			xfer_error(x, "%s: is a symbolic link; not followed",
			    src);
		free(src);
		return rc;
	}
	memset(&p, 0, sizeof p);
	if (fstat(in, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		xfer_error(x, "%s: not a regular file", src);
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		got->over = 1;
		xfer_error(x, "%s: %lld bytes, more than the %llu expected",
		    src, (long long)sb.st_size, (unsigned long long)max);
		goto out;
	}
	p.fd = in;
	p.len = p.size = (uint64_t)sb.st_size;
	p.out = fd;
	p.interrupted = x->remote->interrupted;
	if ((p.sha256 = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory");
	EVP_DigestInit_ex(p.sha256, EVP_sha256(), NULL);
	if (store_pass(&p, err, sizeof err) != 0) {
		xfer_error(x, "%s: %s", src, err);
		goto out;
	}
	EVP_DigestFinal_ex(p.sha256, md, NULL);
	sigv4_hex(md, sizeof md, got->sha256);
	got->size = p.len;
	got->mtime_ns = catalog_ns(&sb.st_mtim);
	got->has_mtime = 1;
	rc = REMOTE_OK;
out:
	if (p.sha256 != NULL)
		EVP_MD_CTX_free(p.sha256);
	close(in);
	free(src);
	return rc;
}

#define DIR_LIST_DEPTH	64	/* folders below folders, at most */

/*
 * List the folder dfd (path, of plen bytes in a buffer of size) and those
 * below it, calling each for every regular file (dot-names, shoebox's
 * temporaries among them, and links left out). Takes dfd.
 */
static int
dir_list_at(struct xfer *x, int dfd, char *path, size_t plen, size_t size,
    int depth, remote_each each, void *arg)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 sb;
	size_t		 n;
	int		 fd, rc = REMOTE_OK;

	if ((d = fdopendir(dfd)) == NULL) {
		xfer_error(x, "%s: %s", path, strerror(errno));
		close(dfd);
		return REMOTE_FAIL;
	}
	while (rc == REMOTE_OK && (errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n = strlen(e->d_name);
		if (plen + n + 2 > size) {
			/* path is the folder, whose name leaves no room */
			if (REMOTE_UNLISTED(each, arg, path, "a name in it "
			    "makes a path too long; not listed") == -1)
				rc = REMOTE_FAIL;
			continue;
		}
		snprintf(path + plen, size - plen, "%s%s", plen ? "/" : "",
		    e->d_name);
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			;	/* gone meanwhile */
		else if (S_ISREG(sb.st_mode)) {
			struct remote_entry	re = { path, NULL,
			    (uint64_t)sb.st_size, NULL };

			if (each(arg, &re) == -1)
				rc = REMOTE_FAIL;
		} else if (S_ISDIR(sb.st_mode) && depth >= DIR_LIST_DEPTH) {
			if (REMOTE_UNLISTED(each, arg, path, "folders too deep "
			    "(over 64); not listed") == -1)
				rc = REMOTE_FAIL;
		} else if (S_ISDIR(sb.st_mode)) {
			if ((fd = openat(dirfd(d), e->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
				if (REMOTE_UNLISTED(each, arg, path,
				    strerror(errno)) == -1)
					rc = REMOTE_FAIL;
			} else
				rc = dir_list_at(x, fd, path, plen + (plen ?
				    1 : 0) + n, size, depth + 1, each, arg);
		}
		path[plen] = '\0';
	}
	if (rc == REMOTE_OK && errno != 0) {
		xfer_error(x, "%s: %s", path, strerror(errno));
		rc = REMOTE_FAIL;
	}
	closedir(d);
	return rc;
}

/* Every regular file under the remote's folder (remote_ops.list). */
static int
dir_list(struct xfer *x, remote_each each, void *arg)
{
	struct dir_priv	*d = x->remote->priv;
	char		*path = xmalloc(PATH_MAX), err[PATH_MAX + 128];
	int		 fd, rc;

	path[0] = '\0';
	if ((fd = dir_opendir(d, "", 0, err, sizeof err)) == -1) {
		xfer_error(x, "%s: %s", d->root, err);
		free(path);
		return REMOTE_FAIL;
	}
	rc = dir_list_at(x, fd, path, 0, PATH_MAX, 0, each, arg);
	free(path);
	return rc;
}
