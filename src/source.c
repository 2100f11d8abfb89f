/*
 * source.c: the files a scan found, opened and removed again through their
 * directories, one component at a time from the source's root (opened in
 * one openat2 call where the kernel can), never following a link. A drop
 * folder is shared with other people and programs: between the scan and
 * the copy, or the copy and a --move, a file can be replaced, grown, held
 * open by a writer that paused, or a folder swapped for a link to
 * somewhere else.
 * What is opened must be the file scanned; what is removed must be the file
 * read and verified, or it stays where it is.
 */
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "shoebox.h"
#include "scan.h"
#include "store.h"

/* How a source is opened for reading: never a link, never blocking. */
#define OPEN_FLAGS	(O_RDONLY | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | \
			    O_CLOEXEC)

/*
 * The directory holding e, opened from its root without following links.
 * Returns its fd (or the root's own, dup'ed) and the name in it, or -1
 * with err set.
 */
static int
source_dir(const struct scan *sc, const struct scan_entry *e,
    const char **name, char *err, size_t errlen)
{
	const char	*p = e->rel, *slash;
	char		 comp[NAME_MAX + 1];
	int		 dfd, fd;

	if ((dfd = dup(sc->roots[e->root].fd)) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return -1;
	}
	while ((slash = strchr(p, '/')) != NULL) {
		if ((size_t)(slash - p) >= sizeof comp) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = '\0';
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1)
			goto fail;
		close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	*name = p;
	return dfd;
fail:
	if (errno == ELOOP || errno == ENOTDIR)
		snprintf(err, errlen, "folder %.*s is no longer a folder (a "
		    "link now?); not followed, left as it is",
		    (int)(slash - e->rel), e->rel);
	else
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
	close(dfd);
	return -1;
}

/* True if a and b are the same file with the same size and mtime. */
int
source_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Is the open file fd still then: the same file, size and mtime, and the
 * same ctime (any write, chmod or link since changes it)?
 */
int
source_unchanged(int fd, const struct stat *then)
{
	struct stat	now;

	return fstat(fd, &now) == 0 && source_same(&now, then) &&
	    now.st_ctim.tv_sec == then->st_ctim.tv_sec &&
	    now.st_ctim.tv_nsec == then->st_ctim.tv_nsec;
}

/*
 * Filesystems whose leases (source_writing) are the kernel's own view of
 * who has a file open. A network filesystem answers for the server (CIFS
 * and NFS refuse a lease they hold no oplock or delegation for, with the
 * same EAGAIN), so there the question is not asked.
 */
static const unsigned long lease_fs[] = {
	0xef53,		/* ext2, ext3, ext4 */
	0x58465342,	/* xfs */
	0x9123683e,	/* btrfs */
	0x2fc12fc1,	/* zfs */
	0xf2f52010,	/* f2fs */
	0x4d44,		/* vfat, msdos: cards */
	0x2011bab0,	/* exfat: cards */
	0x7366746e,	/* ntfs3 */
	0x65735546,	/* fuse (exfat-fuse, ntfs-3g): its own writers */
	0x01021994,	/* tmpfs */
	0x794c7630,	/* overlayfs: writers through it */
};

/*
 * Take a read lease on the file open (fd, read-only, on device dev): 1 if
 * held (a program that opens the file for writing from now on breaks it,
 * and waits until it is dropped: F_GETLEASE says so), -1 if the file is
 * open for writing by some program already (the kernel refuses the lease),
 * 0 if the question cannot be asked: only where the answer is the
 * kernel's (lease_fs, looked up once for each device) and only to the
 * file's owner or a holder of CAP_LEASE. The signal that the kernel sends
 * about a break (SIGIO) is ignored.
 */
static int
source_lease(int fd, dev_t dev)
{
	static int	 ignored, leases = -1;	/* last's filesystem: lease_fs */
	static dev_t	 last;
	struct statfs	 fs;
	size_t		 i;

	/* Which filesystem: once for each device, not for every file. */
	if (leases == -1 || dev != last) {
		leases = 0;
		last = dev;
		if (fstatfs(fd, &fs) == 0)
			for (i = 0; i < sizeof lease_fs / sizeof lease_fs[0];
			    i++)
				leases |= (unsigned long)fs.f_type ==
				    lease_fs[i];
	}
	if (!leases)
		return 0;
	if (!ignored) {
		signal(SIGIO, SIG_IGN);
		ignored = 1;
	}
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		return 1;
	return errno == EAGAIN ? -1 : 0;
}

/*
 * Is the file open (fd, read-only, on device dev) still open for writing
 * by some program, whatever its mtime says (a writer paused for longer
 * than the settle time)? A read lease (source_lease), taken and dropped at
 * once; where none can be taken, 0, as if not. A writer opening the file
 * in the instant the lease is held waits for it to be dropped.
 */
int
source_writing(int fd, dev_t dev)
{
	int	lease = source_lease(fd, dev);

	if (lease == 1)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	return lease == -1;
}

/*
 * Open e for reading (OPEN_FLAGS) in one call below its root, where the
 * kernel can (openat2, Linux 5.6): no link followed on the way or at the
 * end, nothing outside the root; with xdev, nothing on another filesystem
 * either (a disk mounted inside the source). The fd, or -1 with errno.
 */
int
source_open_beneath(const struct scan *sc, const struct scan_entry *e,
    int xdev)
{
	struct open_how	how;

	memset(&how, 0, sizeof how);
	how.flags = OPEN_FLAGS;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS | (xdev ? RESOLVE_NO_XDEV : 0);
	return (int)syscall(SYS_openat2, sc->roots[e->root].fd, e->rel, &how,
	    sizeof how);
}

/*
 * Open the scanned file e for reading, without following links, and check
 * it is still the file scanned (device, inode, size, mtime). Returns the fd
 * with sb filled; -2 with err set for a file replaced or changed since the
 * scan (still arriving: not read, left for a later run); -3 with err set
 * for one gone since (not there to read); -1 with err set when it cannot
 * be opened, or is now a link (never followed).
 */
int
source_open(const struct scan *sc, const struct scan_entry *e,
    struct stat *sb, char *err, size_t errlen)
{
	struct stat	 then, dir;
	const char	*name;
	int		 dfd, fd, gone = 0, moved = 0, saved;

	/*
	 * One call where the kernel can, as the walk below: no link
	 * followed, nothing outside the root, into a disk mounted inside
	 * it. Anything it refuses (a link on the way, no such file) goes the
	 * slow way, which says which part failed. The walk's six calls a
	 * file were 8% of an import's CPU on a card of photos.
	 */
	scan_entry_stat(e, &then);
	if ((fd = source_open_beneath(sc, e, 0)) == -1) {
		if ((dfd = source_dir(sc, e, &name, err, errlen)) == -1)
			return -1;
		fd = openat(dfd, name, OPEN_FLAGS);
		/*
		 * Not there, in its folder still on the disk the walk saw
		 * it on: moved or deleted since. A folder now on another
		 * disk is a card or share unmounted under the walk: an
		 * error, as any folder gone.
		 */
		saved = errno;
		if (fd == -1 && saved == ENOENT && fstat(dfd, &dir) == 0) {
			gone = dir.st_dev == then.st_dev;
			moved = !gone;
		}
		close(dfd);
		errno = saved;
	}
	if (fd == -1) {
		if (errno == EWOULDBLOCK) {
			/* A lease another program holds (Samba's oplocks). */
			snprintf(err, errlen, "in use by another program (it "
			    "holds a lease on it); left for the next run");
			return -2;
		}
		if (errno == ELOOP)
			snprintf(err, errlen, "now a symbolic link; not "
			    "followed, left as it is");
		else if (errno == ENXIO)	/* a socket: open(2) says so */
			snprintf(err, errlen, "no longer a regular file");
		else if (gone) {
			snprintf(err, errlen, "gone since the walk saw it "
			    "(moved or deleted)");
			return -3;
		} else if (moved)
			snprintf(err, errlen, "cannot open: its folder is on "
			    "another disk than when the walk saw it (the card "
			    "or disk it was on unmounted?)");
		else
			snprintf(err, errlen, "cannot open: %s",
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, sb) == -1) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb->st_mode)) {
		snprintf(err, errlen, "no longer a regular file");
		goto fail;
	}
	if (!source_same(sb, &then)) {
		snprintf(err, errlen, "changed since the scan (%s); left for "
		    "the next run", sb->st_ino != then.st_ino ||
		    sb->st_dev != then.st_dev ? "replaced by another file" :
		    sb->st_size != then.st_size ? "its size changed" :
		    "modified");
		close(fd);
		return -2;
	}
	if (source_writing(fd, sb->st_dev)) {
		snprintf(err, errlen, "still open for writing by another "
		    "program; left for the next run");
		close(fd);
		return -2;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Is the scanned file e no longer at its name, its folder still on the
 * disk the walk saw it on (moved or deleted since it was opened: another
 * --move took it while it was read)? 1 if so, 0 if it is there or that
 * cannot be told.
 */
int
source_gone(const struct scan *sc, const struct scan_entry *e)
{
	struct stat	 then, sb, dir;
	const char	*name;
	char		 err[PATH_MAX + 128];
	int		 dfd, gone;

	scan_entry_stat(e, &then);
	if ((dfd = source_dir(sc, e, &name, err, sizeof err)) == -1)
		return 0;
	gone = fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT && fstat(dfd, &dir) == 0 &&
	    dir.st_dev == then.st_dev;
	close(dfd);
	return gone;
}

/*
 * The mount the open file fd is reached through (statx's mount id), to
 * tell at its removal whether its folder still is that mount's; 0 where
 * the kernel does not say (before Linux 5.8).
 */
uint64_t
source_mount(int fd)
{
	struct statx	stx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == -1 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/*
 * Is the folder of a source to remove (dfd, reached by its path from the
 * source's root) still on the mount the file was read through (mnt)? If
 * something was mounted over it or a folder above it since (a disk, or a
 * bind mount of another folder, which may even show the same file by a
 * hard link of its own), or the disk it was on was unmounted, the name
 * found there is not the source's: -1 with err saying so (kept, said).
 * A folder that was a mount's top when the file was read (a card mounted
 * inside the source) still is that mount. Without mnt (before Linux 5.8)
 * this is judged only once the file is missing (missing): a folder now on
 * another device than the file, or at a mount's top. 0 otherwise.
 */
static int
source_elsewhere(int dfd, const struct scan_entry *e, const struct stat *id,
    uint64_t mnt, int missing, char *err, size_t errlen)
{
	struct statx	dir;
	int		moved;

	if (strchr(e->rel, '/') == NULL ||	/* dfd is the root's own */
	    (mnt == 0 && !missing) ||
	    statx(dfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID,
	    &dir) == -1)
		return 0;
	if (mnt != 0 && (dir.stx_mask & STATX_MNT_ID))
		moved = dir.stx_mnt_id != mnt;
	else if (missing)
		moved = makedev(dir.stx_dev_major, dir.stx_dev_minor) !=
		    id->st_dev || (dir.stx_attributes_mask &
		    dir.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	else
		moved = 0;
	if (!moved)
		return 0;
	snprintf(err, errlen, "its folder is on another mount than when the "
	    "file was read (something mounted over it, or its disk "
	    "unmounted); kept");
	return -1;
}

/*
 * Was name put aside by a --move killed before it could unlink it
 * (source_remove: STEM~shoebox-PID.EXT)? Then its own name (STEM.EXT) into
 * out, and 1; else 0.
 */
int
source_aside_name(const char *name, char *out, size_t size)
{
	const char	*at = NULL, *p, *q;
	int		 n;

	for (p = name; (p = strstr(p, "~shoebox-")) != NULL; p++)
		at = p;
	if (at == NULL || at == name)
		return 0;
	for (q = at + 9; *q >= '0' && *q <= '9'; q++)
		;
	if (q == at + 9 || (*q != '\0' && (*q != '.' || strchr(q + 1, '.') !=
	    NULL)))
		return 0;
	n = snprintf(out, size, "%.*s%s", (int)(at - name), name, q);
	return n > 0 && (size_t)n < size;
}

/*
 * Rename from to to in dfd, never replacing a file at to: RENAME_NOREPLACE,
 * or where the filesystem has none (NFS, a FUSE server without rename2) a
 * plain rename once to is seen free; that leaves an instant in which a
 * file made at to is replaced. 0, or -1 with errno (EEXIST: to is taken).
 */
static int
source_rename(int dfd, const char *from, const char *to)
{
	struct stat	sb;

	if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (fstatat(dfd, to, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (errno != ENOENT)
		return -1;
	return renameat(dfd, from, dfd, to);
}

/*
 * Remove the source e (--move) if it is still exactly the file that was
 * read and verified: same device, inode, size and mtime as id, and the
 * same ctime too, or else the same content (sha256) read again (a hard
 * link removed first, a chmod). It is opened and leased first
 * (source_lease), so that a program that opens it for writing from then
 * on is seen, and its ctime read under the lease is its last change
 * (changed, its content is read again); then renamed aside in its own
 * directory, and unlinked only once that name is seen to hold it still,
 * so a file put at its name meanwhile is never the one removed. Anything
 * that does not match is put back and kept, and so is each whose folder
 * is no longer on the mount it was read through (mnt, source_mount:
 * something mounted over it since); one no longer at its name is gone
 * already. Where no lease can be taken (a network filesystem, a file of
 * another user), a writer is seen by what it changed: its size and mtime
 * just before the unlink, its ctime just before the rename; one that
 * restores the mtime in the instant between that ctime's check and the
 * rename is not seen. Where the filesystem has no RENAME_NOREPLACE, a
 * file made at the aside name in the instant between its check and the
 * rename is replaced (source_rename).
 * Returns 0, or -1 with err saying why the source was kept.
 */
int
source_remove(const struct scan *sc, const struct scan_entry *e,
    const struct stat *id, uint64_t mnt, const char *sha256, char *err,
    size_t errlen)
{
	struct stat	 now, at;
	const char	*name, *dot, *when = "since it was copied";
	char		 aside[NAME_MAX + 64], hex[65], herr[256];
	size_t		 stem;
	int		 dfd, fd = -1, rc = -1, lease, tries = 0;

	if ((dfd = source_dir(sc, e, &name, err, errlen)) == -1)
		return -1;
	if (source_elsewhere(dfd, e, id, mnt, 0, err, errlen) == -1)
		goto out;
again:
	if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT) {
			rc = source_elsewhere(dfd, e, id, mnt, 1, err, errlen);
			goto out;
		}
		snprintf(err, errlen, "cannot remove: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(now.st_mode) || !source_same(&now, id)) {
		snprintf(err, errlen, "changed %s; kept", when);
		goto out;
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			rc = source_elsewhere(dfd, e, id, mnt, 1, err, errlen);
		else
			snprintf(err, errlen, "cannot remove: %s",
			    strerror(errno));
		goto out;
	}
	if ((lease = source_lease(fd, now.st_dev)) == -1) {
		snprintf(err, errlen, "open for writing by another program "
		    "since it was copied; kept");
		goto out;
	}
	if (fstat(fd, &now) == -1 || !S_ISREG(now.st_mode) ||
	    !source_same(&now, id)) {
		snprintf(err, errlen, "changed %s; kept", when);
		goto out;
	}
	/*
	 * A changed ctime (a chmod, a hard link removed): the content read
	 * again, through fd, before the name is touched, so that what the
	 * name holds is checked last, just before the unlink.
	 */
	if ((now.st_ctim.tv_sec != id->st_ctim.tv_sec ||
	    now.st_ctim.tv_nsec != id->st_ctim.tv_nsec) &&
	    (store_hash_fd(fd, (uint64_t)now.st_size, hex, herr,
	    sizeof herr) == -1 || strcmp(hex, sha256) != 0)) {
		snprintf(err, errlen, "changed since it was copied (its "
		    "content differs); kept");
		goto out;
	}

	/*
	 * Nothing written meanwhile (the rename aside changes the ctime).
	 * Looked at again from its name: another --move renaming it away
	 * (from this drop folder into another library) moves its ctime a
	 * moment before its name goes, and leaves nothing to keep (gone); a
	 * chmod has its content read again.
	 */
	if (!source_unchanged(fd, &now)) {
		if (++tries < 3) {
			close(fd);
			fd = -1;
			when = "as it was being removed";
			goto again;
		}
		snprintf(err, errlen, "changed as it was being removed; kept");
		goto out;
	}

	/* Aside, under a name that keeps the extension (found by a re-run). */
	if ((dot = strrchr(name, '.')) == NULL || dot == name)
		dot = name + strlen(name);
	stem = (size_t)(dot - name) > 200 ? 200 : (size_t)(dot - name);
	snprintf(aside, sizeof aside, "%.*s~shoebox-%ld%.40s", (int)stem,
	    name, (long)getpid(), dot);
	if (source_rename(dfd, name, aside) == -1) {
		if (errno == ENOENT)
			rc = source_elsewhere(dfd, e, id, mnt, 1, err, errlen);
		else if (errno == EEXIST)
			snprintf(err, errlen, "cannot remove: %s is taken; "
			    "kept", aside);
		else
			snprintf(err, errlen, "cannot remove: %s",
			    strerror(errno));
		goto out;
	}
	if (lease == 1 && fcntl(fd, F_GETLEASE) != F_RDLCK) {
		snprintf(err, errlen, "opened for writing by another program "
		    "as it was being removed; kept");
		goto back;
	}
	/*
	 * Last, the name aside is fd's (a file renamed over it meanwhile is
	 * never the one unlinked), and fd is still what was read: without
	 * a lease a writer is seen only by what it changed (its size or
	 * mtime here, its ctime before the rename), even one that wrote while
	 * the content was read again.
	 */
	if (fstatat(dfd, aside, &at, AT_SYMLINK_NOFOLLOW) == -1 ||
	    at.st_dev != now.st_dev || at.st_ino != now.st_ino) {
		snprintf(err, errlen, "replaced at its name as it was being "
		    "removed; kept");
		goto back;
	}
	if (fstat(fd, &at) == -1 || !source_same(&at, id)) {
		snprintf(err, errlen, "changed as it was being removed; kept");
		goto back;
	}
	if (unlinkat(dfd, aside, 0) == -1) {
		snprintf(err, errlen, "cannot remove: %s", strerror(errno));
		goto back;
	}
	rc = 0;
	goto out;
back:
	if (source_rename(dfd, aside, name) == -1) {
		size_t	n = strlen(err);

		snprintf(err + n, errlen - n, " as %s (its name was taken "
		    "meanwhile)", aside);
	}
out:
	if (fd != -1)
		close(fd);	/* and its lease: a writer waiting goes on */
	close(dfd);
	return rc;
}
