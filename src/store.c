/*
 * store.c: an atomic, verified copy of one file into the library. The copy
 * is written to an unnamed file (O_TMPFILE) in the destination directory, or
 * to a temp file under LIBRARY/.shoebox/tmp where the filesystem has no
 * O_TMPFILE, while its SHA-256 is computed from the bytes read; it is
 * fsync'ed, read back and checked, given the source's mtime, and only then
 * linked under its name. A large file is hashed on a second thread while
 * it is copied, and read back stretch by stretch once written out,
 * compared byte for byte with what was read (store-pipe.c). link() never
 * replaces an existing file, so nothing is ever overwritten, and a crash
 * leaves no partial file under a real name.
 *
 * Every read of a file here goes through store_read(), every pass over
 * one through store_pass(), which the remotes use too.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "scan.h"
#include "catalog.h"
#include "sigv4.h"
#include "store.h"

#define WRITEBACK_CHUNK	(8 * 1024 * 1024)	/* start writeback this often */

static uint8_t	*copybuf;

/* The copy buffer, allocated once, page aligned. */
static uint8_t *
store_buf(void)
{
	void	*p;

	if (copybuf == NULL) {
		if (posix_memalign(&p, 4096, COPY_BUF) != 0)
			fatalx("out of memory");
		copybuf = p;
	}
	return copybuf;
}

/* A SHA-256 digest md as 64 lowercase hex digits and a NUL, into hex. */
void
store_sha256_hex(const unsigned char *md, char *hex)
{
	sigv4_hex(md, 32, hex);
}

/*
 * Read up to want bytes of fd at off (of size bytes in all): the one read
 * every copy and hash here makes. Returns how many, or -1 with err saying
 * why and errno set: a read error (a card pulled out), or an early end
 * (EIO: a file truncated while read).
 */
ssize_t
store_read(int fd, uint8_t *buf, size_t want, uint64_t off, uint64_t size,
    char *err, size_t errlen)
{
	ssize_t	n;
	int	e;

	while ((n = pread(fd, buf, want, (off_t)off)) < 0 && errno == EINTR)
		;
	if (n > 0)
		return n;
	e = n < 0 ? errno : EIO;
	if (n < 0)
		snprintf(err, errlen, "read error at byte %llu: %s",
		    (unsigned long long)off, strerror(e));
	else
		snprintf(err, errlen, "file ended at byte %llu of %llu"
		    " (truncated or changed while copying)",
		    (unsigned long long)off, (unsigned long long)size);
	errno = e;
	return -1;
}

/* Write all of buf; 0 or -1 with errno. */
int
store_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * fd was written up to off: once chunk bytes or more were written since
 * *flushed, start their writeback and wait for the stretch before it, so
 * the disk writes while we read and dirty pages never pile up.
 */
void
store_writeback(int fd, uint64_t off, uint64_t chunk, uint64_t *flushed)
{
	if (off - *flushed < chunk)
		return;
	if (*flushed >= chunk)
		sync_file_range(fd, (off_t)(*flushed - chunk), (off_t)chunk,
		    SYNC_FILE_RANGE_WAIT_BEFORE);
	sync_file_range(fd, (off_t)*flushed, (off_t)(off - *flushed),
	    SYNC_FILE_RANGE_WRITE);
	*flushed = off;
}

/*
 * Sleep until done bytes since t0 are no faster than speed bytes a second
 * (a signal cuts the sleep short: the pass then sees it interrupted).
 */
static void
store_pace(const struct timespec *t0, uint64_t done, long long speed)
{
	struct timespec	now, d;
	double		due, spent;

	clock_gettime(CLOCK_MONOTONIC, &now);
	due = (double)done / (double)speed;
	spent = (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	if (due <= spent)
		return;
	d.tv_sec = (time_t)(due - spent);
	d.tv_nsec = (long)((due - spent - (double)d.tv_sec) * 1e9);
	nanosleep(&d, NULL);
}

/*
 * One pass over a region of a file with a fixed buffer (struct store_pass
 * says what each chunk read goes through: hashes, a copy, a progress
 * count). Returns 0; -1 when reading failed, ended early or was
 * interrupted (EINTR); STORE_EWRITE when writing failed. err says why and
 * errno is kept either way.
 */
int
store_pass(struct store_pass *p, char *err, size_t errlen)
{
	uint8_t		*buf = p->buf;
	size_t		 bufsize = p->buf != NULL ? p->bufsize : STORE_PASS_BUF;
	size_t		 want;
	uint64_t	 off = p->off, end = p->off + p->len;
	uint64_t	 size = p->size != 0 ? p->size : end;
	ssize_t		 n;
	int		 rc = -1, e;
	struct timespec	 t0;

	if (buf == NULL)
		buf = xmalloc(bufsize);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off < end) {
		if (p->interrupted != NULL && *p->interrupted) {
			snprintf(err, errlen, "interrupted");
			errno = EINTR;
			goto out;
		}
		want = end - off < bufsize ? (size_t)(end - off) : bufsize;
		if ((n = store_read(p->fd, buf, want, off, size, err, errlen)) ==
		    -1)
			goto out;
		if (p->sha256 != NULL)
			EVP_DigestUpdate(p->sha256, buf, (size_t)n);
		if (p->md5 != NULL)
			EVP_DigestUpdate(p->md5, buf, (size_t)n);
		if (p->whole != NULL)
			EVP_DigestUpdate(p->whole, buf, (size_t)n);
		if (p->out != -1 && store_write_all(p->out, buf, (size_t)n) == -1) {
			e = errno;
			snprintf(err, errlen, "write failed: %s", strerror(e));
			errno = e;
			rc = STORE_EWRITE;
			goto out;
		}
		off += (uint64_t)n;
		if (p->progress != NULL)
			__atomic_fetch_add(p->progress, (uint64_t)n,
			    __ATOMIC_RELAXED);
		if (p->writeback > 0)
			store_writeback(p->out, off, p->writeback, &p->flushed);
		if (p->speed > 0)
			store_pace(&t0, off - p->off, p->speed);
	}
	rc = 0;
out:
	if (buf != p->buf)
		free(buf);
	return rc;
}

/*
 * Open the folder of rel below dirfd ("" for dirfd itself) never through
 * a link, as store_opendirs does; *base is rel's last name. The folder's
 * descriptor, or -1 with err and errno set.
 */
static int
store_openparent(int dirfd, const char *rel, const char **base, char *err,
    size_t errlen)
{
	const char	*slash = strrchr(rel, '/');
	char		*dir;
	int		 dfd, e;

	*base = slash != NULL ? slash + 1 : rel;
	dir = xstrndup(rel, slash != NULL ? (size_t)(slash - rel) : 0);
	dfd = store_opendirs(dirfd, dir, 0, "folder", err, errlen);
	e = errno;
	free(dir);
	errno = e;
	return dfd;
}

/*
 * Is path (below dirfd, never through a link, in its folders either) still
 * the file of the given size and SHA-256? Taken as the same without
 * reading it when mtime_ns (-1: always read) matches too. *read (or NULL)
 * adds the bytes read; why says what differs, or why it could not be
 * read. Read once, sequentially, and dropped from the page cache after: a
 * whole library read should not push everything else out.
 */
enum store_check
store_check_at(int dirfd, const char *path, int64_t size, int64_t mtime_ns,
    const char *sha256, uint64_t *read, char *why, size_t whylen)
{
	const char	*base;
	struct stat	 sb;
	char		 hex[65], err[256];
	int		 dfd, fd, rc, e;

	dfd = store_openparent(dirfd, path, &base, err, sizeof err);
	e = errno;
	if (dfd == -1) {
		if (e == ENOENT || e == ENOTDIR)
			return CHECK_MISSING;
		snprintf(why, whylen, "%s", err);
		return CHECK_FAILED;
	}
	if (fstatat(dfd, base, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		e = errno;
		close(dfd);
		if (e == ENOENT || e == ENOTDIR)
			return CHECK_MISSING;
		snprintf(why, whylen, "%s", strerror(e));
		return CHECK_FAILED;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(dfd);
		snprintf(why, whylen, "no longer a regular file%s",
		    S_ISLNK(sb.st_mode) ? " (a symbolic link)" : "");
		return CHECK_OTHER;
	}
	if (sb.st_size != size) {
		close(dfd);
		snprintf(why, whylen, "%lld bytes, catalogued with %lld",
		    (long long)sb.st_size, (long long)size);
		return CHECK_OTHER;
	}
	if (mtime_ns != -1 && catalog_ns(&sb.st_mtim) == mtime_ns) {
		close(dfd);
		return CHECK_SAME;
	}
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	close(dfd);
	if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(why, whylen, "%s", fd == -1 ? (e == ELOOP ?
		    "is a symbolic link; not followed" : strerror(e)) :
		    "not a regular file");
		if (fd != -1)
			close(fd);
		return CHECK_FAILED;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = store_hash_fd(fd, (uint64_t)size, hex, err, sizeof err);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	if (read != NULL)
		*read += (uint64_t)size;
	if (rc == -1) {
		snprintf(why, whylen, "%s", err);
		return CHECK_FAILED;
	}
	if (strcmp(hex, sha256) != 0) {
		snprintf(why, whylen, "content differs (SHA-256 %s, catalogued "
		    "%s)", hex, sha256);
		return CHECK_OTHER;
	}
	return CHECK_SAME;
}

/*
 * SHA-256 of the first size bytes of fd, read with pread from offset 0
 * (through the importer's buffer: not for other threads). Returns 0 and
 * hex, or -1 with err set.
 */
int
store_hash_fd(int fd, uint64_t size, char *hex, char *err, size_t errlen)
{
	struct store_pass p;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	int		 rc;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.len = p.size = size;
	p.out = -1;
	p.buf = store_buf();
	p.bufsize = COPY_BUF;
	if ((p.sha256 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p.sha256, EVP_sha256(), NULL) != 1)
		fatalx("OpenSSL SHA-256 unavailable");
	if ((rc = store_pass(&p, err, errlen)) == 0) {
		EVP_DigestFinal_ex(p.sha256, md, NULL);
		store_sha256_hex(md, hex);
	}
	EVP_MD_CTX_free(p.sha256);
	return rc;
}

/*
 * A new unnamed file (O_TMPFILE, mode 0644) in dirfd: its descriptor; -2
 * when the filesystem has no O_TMPFILE (FAT, some network filesystems);
 * or -1 with errno.
 */
int
store_tmpfile(int dirfd)
{
	int	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0644);

	if (fd == -1 && (errno == EOPNOTSUPP || errno == EISDIR ||
	    errno == EINVAL || errno == ENOENT))
		return -2;
	return fd;
}

/*
 * Give the unnamed file fd (store_tmpfile) the name name in dirfd; a link
 * never replaces anything. 0, or -1 with errno (EEXIST: the name is taken).
 */
int
store_link_tmpfile(int fd, int dirfd, const char *name)
{
	char	proc[64];

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* No /proc: needs CAP_DAC_READ_SEARCH, but try. */
	return linkat(fd, "", dirfd, name, AT_EMPTY_PATH);
}

/*
 * Open the file the copy goes into: unnamed if the filesystem allows;
 * with ahead, the one the hashing thread made ahead (store_hash_tmpfile).
 */
static int
store_open_tmp(int dirfd, const char *tmpdir, int ahead,
    struct store_file *f, char *err, size_t errlen)
{
	f->tmppath = NULL;
	if ((f->fd = ahead ? store_hash_tmpfile(dirfd) :
	    store_tmpfile(dirfd)) >= 0)
		return 0;
	if (f->fd == -1) {
		snprintf(err, errlen, "cannot create the copy: %s",
		    strerror(errno));
		return -1;
	}
	xasprintf(&f->tmppath, "%s/partial.XXXXXX", tmpdir);
	if ((f->fd = mkostemp(f->tmppath, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", f->tmppath,
		    strerror(errno));
		free(f->tmppath);
		f->tmppath = NULL;
		return -1;
	}
	fchmod(f->fd, 0644);
	return 0;
}

/*
 * Remove the named copies (partial.*) a killed import or restore left in
 * tmpdir (LIBRARY/.shoebox/tmp). Only under the library's lock: every
 * run that makes them (import, watch, restore) holds it while they
 * live, so none of them is a live run's.
 */
void
store_clean_tmp(const char *tmpdir)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	if ((fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "partial.", 8) == 0 &&
		    unlinkat(fd, de->d_name, 0) == 0)
			log_debug("%s/%s: left by a run killed meanwhile; "
			    "removed", tmpdir, de->d_name);
	closedir(d);
}

/*
 * A new, empty copy in f to be filed in dirfd (store_link_at): unnamed
 * where the filesystem allows, else a temporary in tmpdir. 0, or -1 with
 * err set.
 */
int
store_open_copy(int dirfd, const char *tmpdir, struct store_file *f,
    char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	return store_open_tmp(dirfd, tmpdir, 0, f, err, errlen);
}

/* Throw away a copy that will not be filed. */
void
store_discard(struct store_file *f)
{
	store_hash_free(f->hash);
	f->hash = NULL;
	if (f->fd != -1)
		close(f->fd);
	if (f->tmppath != NULL) {
		unlink(f->tmppath);
		free(f->tmppath);
	}
	f->fd = -1;
	f->tmppath = NULL;
}

/*
 * Fill slot (HASH_SLOT bytes) with the next bytes of src from off (of size
 * bytes in all; the head already read comes from src->head). Returns how
 * many, or -1 with err set.
 */
static ssize_t
store_fill(const struct sb_src *src, uint8_t *slot, uint64_t off,
    uint64_t size, char *err, size_t errlen)
{
	size_t	len = 0, want;
	ssize_t	n;

	if (off < src->headlen) {
		len = src->headlen - off < HASH_SLOT ?
		    (size_t)(src->headlen - off) : HASH_SLOT;
		if (len > size - off)
			len = (size_t)(size - off);
		memcpy(slot, src->head + off, len);
	}
	while (len < HASH_SLOT && off + len < size) {
		want = size - off - len < HASH_SLOT - len ?
		    (size_t)(size - off - len) : HASH_SLOT - len;
		if ((n = store_read(src->fd, slot + len, want, off + len, size,
		    err, errlen)) == -1)
			return -1;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/*
 * The bytes of a small copy: src (size bytes) into f->fd a slot at a time,
 * each slot handed to the hashing thread (store-hash.c) into f->hash,
 * which gets its last slot whatever happens. *flushed says how far
 * writeback was started. Returns 0; -1 with err set; or STORE_EWRITE with
 * errno set.
 */
static int
store_copy_small(const struct sb_src *src, uint64_t size,
    struct store_file *f, uint64_t *flushed, char *err, size_t errlen)
{
	uint8_t	*slot;
	uint64_t off = 0;
	ssize_t	 n;
	int	 e;

	do {
		slot = store_hash_slot();
		if ((n = store_fill(src, slot, off, size, err, errlen)) == -1) {
			store_hash_push(f->hash, 0, 1);
			return -1;
		}
		if (store_write_all(f->fd, slot, (size_t)n) == -1) {
			e = errno;
			store_hash_push(f->hash, 0, 1);
			errno = e;
			return STORE_EWRITE;
		}
		off += (uint64_t)n;
		store_hash_push(f->hash, (size_t)n, off >= size);
		store_writeback(f->fd, off, WRITEBACK_CHUNK, flushed);
	} while (off < size);
	return 0;
}

/*
 * The bytes of the copy: src (size bytes, its head already read) into
 * f->fd; a small file through the hashing thread (store_copy_small), a
 * large one (ctx not NULL) through store_pipe, hashed into ctx and, with verify,
 * checked as it goes. *flushed says how far writeback was started.
 * Returns 0; -1 with err set; or STORE_EWRITE with errno set.
 */
static int
store_copy_bytes(const struct sb_src *src, uint64_t size, int verify,
    struct store_file *f, EVP_MD_CTX *ctx, uint64_t *flushed, char *err,
    size_t errlen)
{
	if (ctx == NULL) {
		f->hash = store_hash_new(f->fd);
		return store_copy_small(src, size, f, flushed, err, errlen);
	}
	if (store_pipe(src->fd, src->head, src->headlen < size ?
	    src->headlen : (size_t)size, f->fd, size, ctx, verify, err,
	    errlen) == -1)
		return -1;
	f->checked = verify;
	return 0;
}

/*
 * Is the source still as scanned (sb)? A file still growing or rewritten
 * while read is not a copy: its size, mtime or ctime (which no one can
 * set back) moved.
 */
static int
store_unchanged(int fd, const struct stat *sb)
{
	struct stat	after;

	return fstat(fd, &after) == 0 && after.st_size == sb->st_size &&
	    after.st_mtim.tv_sec == sb->st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == sb->st_mtim.tv_nsec &&
	    after.st_ctim.tv_sec == sb->st_ctim.tv_sec &&
	    after.st_ctim.tv_nsec == sb->st_ctim.tv_nsec;
}

/*
 * Copy the open source src (its first src->headlen bytes already read into
 * src->head; sb its stat when scanned) into a new unnamed file for
 * dest->dirfd, hashing while reading. Writeback is started as the copy
 * goes (so the disk works while we read) but not waited for:
 * store_copy_finish() makes the copy durable and checks it. A large file
 * goes through store_pipe, which with dest->verify checks the copy
 * already (f->checked). Returns 0 with f filled in, or -1 with err set
 * (nothing left): STORE_CHANGED when the source was written to, grown,
 * cut or replaced meanwhile (to be taken once it has settled).
 */
int
store_copy_start(const struct sb_src *src, const struct stat *sb,
    const struct store_dest *dest, struct store_file *f, char *err,
    size_t errlen)
{
	EVP_MD_CTX	*ctx = NULL;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	uint64_t	 flushed = 0, size = (uint64_t)sb->st_size;
	size_t		 headlen = src->headlen < size ? src->headlen :
			    (size_t)size;
	struct timespec	 times[2];
	struct stat	 after;
	int		 rc;

	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->verify = dest->verify;
	if (store_open_tmp(dest->dirfd, dest->tmpdir, 1, f, err, errlen) == -1)
		return -1;
	/* A small copy is allocated at writeback, in one piece anyway. */
	if (size - headlen >= PIPE_MIN) {
		if ((ctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
			fatalx("OpenSSL SHA-256 unavailable");
		posix_fallocate(f->fd, 0, (off_t)size);
	}
	if (size > src->headlen)
		posix_fadvise(src->fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	if ((rc = store_copy_bytes(src, size, dest->verify, f, ctx, &flushed,
	    err, errlen)) == STORE_EWRITE)
		goto write_error;
	if (rc == -1 && fstat(src->fd, &after) == 0 &&
	    !store_unchanged(src->fd, sb))
		goto changed;	/* cut short while read, say (not unreadable) */
	if (rc == -1)
		goto fail;
	if (!store_unchanged(src->fd, sb))
		goto changed;
	if (ctx != NULL) {
		EVP_DigestFinal_ex(ctx, md, NULL);
		store_sha256_hex(md, f->sha256);
		EVP_MD_CTX_free(ctx);
		ctx = NULL;
	}
	f->size = size;
	/* Only if it is not that long already: some FUSE filesystems refuse. */
	if (fstat(f->fd, &after) == -1 || (after.st_size != (off_t)size &&
	    ftruncate(f->fd, (off_t)size) == -1))
		goto write_error;

	times[0] = sb->st_atim;
	times[1] = sb->st_mtim;
	if (futimens(f->fd, times) == -1)
		goto write_error;
	/*
	 * Start writing the rest now (a small copy's, on the hashing
	 * thread); store_copy_finish() waits for it.
	 */
	if (f->hash != NULL)
		store_hash_writeback(f->hash);
	else
		sync_file_range(f->fd, (off_t)flushed, 0, SYNC_FILE_RANGE_WRITE);
	return 0;

changed:
	snprintf(err, errlen, "changed while being copied; left for the next "
	    "run");
	rc = STORE_CHANGED;
	goto out;
write_error:
	snprintf(err, errlen, "write to library failed: %s",
	    strerror(errno));
fail:
	rc = -1;
out:
	if (ctx != NULL)
		EVP_MD_CTX_free(ctx);
	store_discard(f);
	return rc;
}

/*
 * Make a copy from store_copy_start() durable (fsync) and, if its
 * destination asked to verify, read it back and check its hash. Returns
 * 0, or -1 with err set and the copy discarded. After store_copy_start()
 * on many files, calling this on each in turn costs about one journal
 * commit in all, not one per file.
 */
int
store_copy_finish(struct store_file *f, char *err, size_t errlen)
{
	if (fsync(f->fd) == -1) {
		snprintf(err, errlen, "write to library failed: %s",
		    strerror(errno));
		store_discard(f);
		return -1;
	}
	return store_copy_check(f, err, errlen);
}

/*
 * Once a copy is durable (by fsync, or by one syncfs() for many) and it is
 * to be verified: have the hashing thread read it back and check it
 * meanwhile (store-hash.c); store_copy_check takes the outcome.
 */
void
store_copy_check_start(struct store_file *f)
{
	if (f->hash != NULL && f->verify && !f->checked && !f->checking) {
		store_hash_check(f->hash, f->size);
		f->checking = 1;
	}
}

/*
 * Once a copy is durable: its SHA-256 from the hashing thread, and, if its
 * destination asked to verify, the copy read back and its XXH3-128
 * compared with that of the bytes read from the source (on the hashing
 * thread: store_copy_check_start). A large copy (no f->hash) was hashed
 * and, with verify, compared byte for byte as it was written. Returns 0,
 * or -1 with err set and the copy discarded.
 */
int
store_copy_check(struct store_file *f, char *err, size_t errlen)
{
	int	rc = 0;

	if (f->hash == NULL)
		return 0;
	store_copy_check_start(f);
	if (f->checking) {
		rc = store_hash_checked(f->hash, err, errlen);
		f->checking = 0;
		f->checked = rc == 0;
	}
	store_hash_result(f->hash, f->sha256);
	store_hash_free(f->hash);
	f->hash = NULL;
	if (rc == -1)
		store_discard(f);
	return rc;
}

/* Give the copy the name name in dirfd; -1 with errno, EEXIST if taken. */
static int
store_name(struct store_file *f, int dirfd, const char *name)
{
	if (f->tmppath == NULL)
		return store_link_tmpfile(f->fd, dirfd, name);
	if (linkat(AT_FDCWD, f->tmppath, dirfd, name, 0) == 0)
		return unlink(f->tmppath), 0;
	if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS)
		return -1;
	/* Filesystems without hard links (FAT): rename, never replacing. */
	if (renameat2(AT_FDCWD, f->tmppath, dirfd, name, RENAME_NOREPLACE) ==
	    0)
		return 0;	/* not errno == 0: success leaves linkat's EPERM */
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/*
	 * Nor RENAME_NOREPLACE (some network filesystems): check, then
	 * rename. Only shoebox, holding the library's lock, writes here.
	 */
	if (faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(AT_FDCWD, f->tmppath, dirfd, name);
}

/* True if the file name in dirfd holds exactly the bytes of f. */
static int
store_same(struct store_file *f, int dirfd, const char *name)
{
	struct stat	 sb;
	char		 hex[65], err[128];
	int		 fd, same = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return 0;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size == f->size &&
	    store_hash_fd(fd, f->size, hex, err, sizeof err) == 0 &&
	    strcmp(hex, f->sha256) == 0)
		same = 1;
	close(fd);
	return same;
}

/*
 * How much of name (a path's) to keep before "-N.EXT" so that its file
 * name stays within NAME_MAX bytes: stem (where its extension begins),
 * less what the name is too long by, never ending in half a UTF-8
 * character; 0 when the stem cannot give enough.
 */
static size_t
store_stem_fit(const char *name, const char *base, size_t stem, size_t add)
{
	size_t	at = (size_t)(base - name), keep;

	if (stem - at + add <= NAME_MAX)
		return stem;
	if (add >= NAME_MAX)
		return 0;
	keep = at + NAME_MAX - add;	/* stem less what is too much */
	while (keep > at && ((unsigned char)name[keep] & 0xc0) == 0x80)
		keep--;
	return keep > at ? keep : 0;
}

/*
 * The i-th name tried for a file called name (or for a path ending in
 * one): name itself for 0, else STEM-i.EXT, the extension being what
 * follows the last dot of the file name (none for ".hidden"); a stem cut
 * short where that would be longer than NAME_MAX bytes (a name of 255
 * bytes taken by another file). Into out; -1 when it does not fit.
 */
int
store_name_candidate(const char *name, int i, char *out, size_t size)
{
	const char	*base, *dot;
	char		 num[16];
	size_t		 stem, keep;
	int		 n;

	if (i == 0)
		n = snprintf(out, size, "%s", name);
	else {
		base = (base = strrchr(name, '/')) != NULL ? base + 1 : name;
		dot = strrchr(base, '.');
		stem = dot != NULL && dot != base ? (size_t)(dot - name) :
		    strlen(name);
		snprintf(num, sizeof num, "-%d", i);
		if ((keep = store_stem_fit(name, base, stem, strlen(num) +
		    strlen(name + stem))) == 0)
			return -1;
		n = snprintf(out, size, "%.*s%s%s", (int)keep, name, num,
		    name + stem);
	}
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

/*
 * The i-th name tried for a file called name whose later names come from
 * alt (a sidecar's, IMG_0001.JPG.XMP: store_link_sync): name, then alt,
 * then IMG_0001.JPG.1.XMP, IMG_0001.JPG.2.XMP ..., all of which pair with
 * IMG_0001.JPG alone (scan-group.c); where those would be too long a
 * name, name's own NAME-1.EXT forms (store_name_candidate, as with alt
 * NULL). Into out; -1 when it does not fit.
 */
int
store_name_nth(const char *name, const char *alt, int i, char *out,
    size_t size)
{
	const char	*base, *dot;
	int		 n;

	if (alt == NULL || i == 0)
		return store_name_candidate(name, i, out, size);
	if (strcmp(alt, name) != 0)
		i--;			/* alt itself comes first */
	if (i == 0)
		return store_name_candidate(alt, 0, out, size);
	base = (base = strrchr(alt, '/')) != NULL ? base + 1 : alt;
	if ((dot = strrchr(base, '.')) == NULL || dot == base ||
	    strlen(base) + 12 > NAME_MAX)
		return store_name_candidate(name, i, out, size);
	n = snprintf(out, size, "%.*s.%d%s", (int)(dot - alt), alt, i, dot);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

/*
 * File the copy in dest->dirfd as name, or as name-1.ext, name-2.ext ...
 * (store_name_candidate; dest->alt and its own forms if given:
 * store_name_nth) when the name is taken by a different file;
 * fsync the directory afterwards only with dest->dirsync (a caller filing
 * many copies fsyncs each directory once, before it catalogues them); a
 * name dest->name_ok refuses is passed over (its sidecars' are taken). The
 * chosen name goes to f->name. Returns STORE_LINKED; STORE_EXISTS when an
 * identical file already had the name (a copy filed by an earlier,
 * interrupted run); -1 with err set. The copy is gone either way.
 */
int
store_link_sync(struct store_file *f, const struct store_dest *dest,
    const char *name, char *err, size_t errlen)
{
	int	i;

	for (i = 0; i < STORE_NAMES; i++) {
		if (store_name_nth(name, dest->alt, i, f->name,
		    sizeof f->name) == -1)
			break;
		if (dest->name_ok != NULL && !dest->name_ok(dest->name_arg,
		    dest->dirfd, f->name))
			continue;
		if (store_name(f, dest->dirfd, f->name) == 0) {
			store_discard(f);
			if (dest->dirsync && fsync(dest->dirfd) == -1 &&
			    errno != EINVAL) {
				snprintf(err, errlen, "fsync of directory: %s",
				    strerror(errno));
				return -1;
			}
			return STORE_LINKED;
		}
		if (errno != EEXIST) {
			snprintf(err, errlen, "cannot name the copy (%s): %s",
			    strerror(errno), f->name);
			store_discard(f);
			return -1;
		}
		if (store_same(f, dest->dirfd, f->name)) {
			store_discard(f);
			return STORE_EXISTS;
		}
	}
	snprintf(err, errlen, "no free name for %s", name);
	store_discard(f);
	return -1;
}

/*
 * File the copy in dest->dirfd under exactly name, never replacing
 * anything (a catalogued file that went missing, restored); fsync the
 * directory with dest->dirsync. Returns 0, or -1 with err set (EEXIST if
 * the name is taken); the copy is gone either way.
 */
int
store_link_at(struct store_file *f, const struct store_dest *dest,
    const char *name, char *err, size_t errlen)
{
	int	rc = store_name(f, dest->dirfd, name);

	if (rc == -1)
		snprintf(err, errlen, "cannot name the copy (%s): %s",
		    strerror(errno), name);
	else if (dest->dirsync && fsync(dest->dirfd) == -1 &&
	    errno != EINVAL) {
		snprintf(err, errlen, "fsync of directory: %s",
		    strerror(errno));
		rc = -1;
	}
	store_discard(f);
	return rc;
}

/*
 * Open the directory rel under dirfd, creating what is missing of it with
 * create, one component at a time and never through a symbolic link (in
 * a library or on a dir remote, whose folders a link could send anywhere:
 * a shoebox run by root would file copies there). what names the tree in
 * messages ("library folder"). Returns its descriptor, or -1 with err set
 * and errno ELOOP for a link on the way, ENOTDIR for a file in the way,
 * ENOENT when a folder is not there.
 */
int
store_opendirs(int dirfd, const char *rel, int create, const char *what,
    char *err, size_t errlen)
{
	const char	*p = rel, *end;
	char		 comp[NAME_MAX + 1];
	size_t		 n;
	int		 fd, cur;

	if ((cur = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open the library: %s",
		    strerror(errno));
		return -1;
	}
	for (; *p != '\0'; p = *end == '/' ? end + 1 : end) {
		end = p + strcspn(p, "/");
		if ((n = (size_t)(end - p)) == 0 || (n == 1 && *p == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			snprintf(err, errlen, "%s %.*s: a '..' is not followed",
			    what, (int)(end - rel), rel);
			close(cur);
			errno = EINVAL;
			return -1;
		}
		if (n >= sizeof comp) {
			snprintf(err, errlen, "cannot open %.200s: %s", rel,
			    strerror(ENAMETOOLONG));
			close(cur);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (create && mkdirat(cur, comp, 0755) == -1 &&
		    errno != EEXIST) {
			int	e = errno;

			snprintf(err, errlen, "cannot create %.*s: %s",
			    (int)(end - rel), rel, strerror(e));
			close(cur);
			errno = e;
			return -1;
		}
		fd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1) {
			struct stat	sb;
			int		e = errno;

			if ((e == ELOOP || e == ENOTDIR) && fstatat(cur, comp,
			    &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISDIR(sb.st_mode)) {
				/* ELOOP: a link; ENOTDIR: anything else */
				e = S_ISLNK(sb.st_mode) ? ELOOP : ENOTDIR;
				snprintf(err, errlen, "%s %.*s is %s", what,
				    (int)(end - rel), rel, e == ELOOP ?
				    "a symbolic link; not followed" :
				    "a file, not a folder");
			} else
				snprintf(err, errlen, "cannot open %s %.*s: %s",
				    what, (int)(end - rel), rel, strerror(e));
			close(cur);
			errno = e;	/* ENOENT: not there */
			return -1;
		}
		close(cur);
		cur = fd;
	}
	return cur;
}

/*
 * Open the regular file rel below the folder dirfd for reading, never
 * through a symbolic link: a link in a library could point at any file,
 * and a shoebox run by root would read it (and, syncing, send it away).
 * Returns its descriptor, or -1 with err set and errno ENOENT when it is
 * not there.
 */
int
store_open_below(int dirfd, const char *rel, char *err, size_t errlen)
{
	const char	*base;
	struct stat	 sb;
	int		 dfd, fd, e;

	if ((dfd = store_openparent(dirfd, rel, &base, err, errlen)) == -1)
		return -1;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	e = errno;
	close(dfd);
	if (fd == -1) {
		snprintf(err, errlen, "%s", e == ELOOP ? "is a symbolic link; "
		    "not followed" : strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* store_open_below, below the folder top (itself maybe reached by a link). */
int
store_open_file(const char *top, const char *rel, char *err, size_t errlen)
{
	int	dfd, fd, e;

	if ((dfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", top, strerror(e));
		errno = e;
		return -1;
	}
	fd = store_open_below(dfd, rel, err, errlen);
	e = errno;
	close(dfd);
	errno = e;
	return fd;
}

/*
 * Create the directories of relative path rel under dirfd (like mkdir -p).
 * Returns 0, or -1 with err set.
 */
int
store_mkdirs(int dirfd, const char *rel, char *err, size_t errlen)
{
	char	*p, *s = xstrdup(rel);

	for (p = s; ; p++) {
		if (*p == '/' || *p == '\0') {
			char	c = *p;

			*p = '\0';
			if (*s != '\0' && mkdirat(dirfd, s, 0755) == -1 &&
			    errno != EEXIST) {
				snprintf(err, errlen, "cannot create %s: %s", s,
				    strerror(errno));
				free(s);
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(s);
	return 0;
}

/*
 * Read-ahead of the files to come (store_ahead): while one file is probed,
 * copied, read back and catalogued, the card is already reading the next
 * ones, up to AHEAD_BYTES of them (at most that much of any one file; a
 * large file's own sequential read-ahead does the rest). Only a hint to
 * the kernel: each file is still opened, read, hashed and checked in its
 * turn, whatever is in the page cache.
 */
#define AHEAD_BYTES	(8 * 1024 * 1024)

static struct {
	const struct scan	*sc;
	const struct scan_entry	*e;	/* the directory in hand's files */
	size_t			 at;	/* the entry being read */
	size_t			 next;	/* the first one not asked for yet */
	uint64_t		 asked;	/* bytes asked for beyond at */
} ahead;

static uint64_t
ahead_len(const struct scan_entry *e)
{
	return e->size < AHEAD_BYTES ? (uint64_t)e->size : AHEAD_BYTES;
}

/*
 * Ask the kernel to start reading e's first len bytes; errors ignored.
 * Opened below its root without following any link on the way (a folder
 * of a shared drop may have become a link to anywhere since the walk), and
 * only a regular file that is still the one scanned is asked for: where
 * the kernel has no openat2 (before Linux 5.6) nothing is read ahead.
 */
static void
ahead_file(const struct scan *sc, const struct scan_entry *e, uint64_t len)
{
	struct stat	sb;
	int		fd;

	if (len == 0 || (fd = source_open_beneath(sc, e, 1)) == -1)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_dev == e->dev &&
	    sb.st_ino == e->ino)
		posix_fadvise(fd, 0, (off_t)len, POSIX_FADV_WILLNEED);
	close(fd);
}

/*
 * Entry e of sc (of the directory in hand) is being read for a copy: have
 * the entries after it in that directory read ahead, AHEAD_BYTES' worth. Called only for files actually read, so a
 * re-run that reads nothing asks for nothing.
 */
void
store_ahead(const struct scan *sc, const struct scan_entry *e)
{
	size_t	i = (size_t)(e - sc->e), k;

	if (ahead.sc != sc || ahead.e != sc->e || i < ahead.at ||
	    i >= ahead.next) {
		ahead.sc = sc;
		ahead.e = sc->e;
		ahead.at = i;
		ahead.next = i + 1;
		ahead.asked = 0;
	}
	for (k = ahead.at + 1; k <= i && ahead.asked > 0; k++)
		ahead.asked -= ahead_len(&sc->e[k]) < ahead.asked ?
		    ahead_len(&sc->e[k]) : ahead.asked;
	ahead.at = i;
	while (ahead.next < sc->n && ahead.asked < AHEAD_BYTES) {
		e = &sc->e[ahead.next++];
		ahead_file(sc, e, ahead_len(e));
		ahead.asked += ahead_len(e);
	}
}
