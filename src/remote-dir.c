/*
 * remote-dir.c: a directory as a remote (a mounted backup disk). The same
 * atomic, verified copy as import: a temporary file in the destination
 * directory, fsync, the modification time kept, its SHA-256 checked against
 * the catalogue by reading it back, then renameat2(RENAME_NOREPLACE) into
 * place and the directory fsynced.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"
#include "remote.h"
#include "sigv4.h"

struct dir_priv {
	char	*root;		/* path [+ prefix] */
};

#define COPY_BUF	(256 * 1024)

static int
dir_open(struct remote *r)
{
	struct dir_priv	*d;
	const char	*path, *prefix;
	struct stat	 sb;

	if ((path = remote_get(r, "path")) == NULL) {
		log_warnx("remote %s: type dir needs 'path ='", r->name);
		return -1;
	}
	if (stat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_warnx("remote %s: %s is not a directory (is the disk "
		    "mounted?)", r->name, path);
		return -1;
	}
	d = xcalloc(1, sizeof *d);
	prefix = remote_get(r, "prefix");
	d->root = remote_join(path, prefix ? prefix : "");
	r->priv = d;
	return 0;
}

static void
dir_close(struct remote *r)
{
	struct dir_priv	*d = r->priv;

	free(d->root);
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

/* 1 when the same file (size and SHA-256) is there, 0 when not, or -1. */
static int
dir_exists(struct xfer *x, const struct upload *up)
{
	struct dir_priv	*d = x->remote->priv;
	struct stat	 sb;
	char		*dst, hex[65];
	int		 fd, rc = 0;

	dst = remote_join(d->root, up->relpath);
	if ((fd = open(dst, O_RDONLY | O_CLOEXEC)) == -1) {
		free(dst);
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		xfer_error(x, "%s", strerror(errno));
		return REMOTE_FAIL;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (uint64_t)sb.st_size == up->size &&
	    dir_hash(fd, up->size, hex, x->remote->interrupted) == 0 &&
	    strcmp(hex, up->sha256) == 0)
		rc = 1;
	close(fd);
	free(dst);
	return rc;
}

/* mkdir -p for the parents of path; 0 or -1. */
static int
dir_mkparents(char *path)
{
	char	*p;

	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Copy fd to out with a fixed buffer, counting progress; 0 or -1. */
static int
dir_copy(struct xfer *x, int fd, int out, uint64_t size)
{
	extern uint64_t	 remote_bytes_sent;
	char		*buf = xmalloc(COPY_BUF);
	uint64_t	 off = 0;
	ssize_t		 n, w;
	size_t		 done;

	while (off < size) {
		if (x->remote->interrupted && *x->remote->interrupted) {
			errno = EINTR;
			goto fail;
		}
		n = pread(fd, buf, size - off < COPY_BUF ?
		    (size_t)(size - off) : COPY_BUF, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		for (done = 0; done < (size_t)n; done += (size_t)w)
			if ((w = write(out, buf + done, (size_t)n - done)) ==
			    -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				goto fail;
			}
		off += (uint64_t)n;
		__atomic_fetch_add(&remote_bytes_sent, (uint64_t)n,
		    __ATOMIC_RELAXED);
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

/* The verified, atomic copy. */
static int
dir_put(struct xfer *x, const struct upload *up)
{
	struct dir_priv	*d = x->remote->priv;
	struct timespec	 times[2];
	char		*dst, *tmp = NULL, *slash, hex[65];
	int		 fd = -1, out = -1, dfd = -1, rc = REMOTE_FAIL;

	dst = remote_join(d->root, up->relpath);
	if (dir_mkparents(dst) == -1) {
		xfer_error(x, "creating the directories of %s: %s", dst,
		    strerror(errno));
		goto out;
	}
	slash = strrchr(dst, '/');
	xasprintf(&tmp, "%.*s/.%s.shoebox-XXXXXX", (int)(slash - dst), dst,
	    slash + 1);
	if ((fd = remote_open_file(x, up)) == -1)
		goto out;
	if ((out = mkostemp(tmp, O_CLOEXEC)) == -1) {
		xfer_error(x, "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (dir_copy(x, fd, out, up->size) == -1) {
		xfer_error(x, "copying: %s", strerror(errno));
		goto out;
	}
	times[0].tv_sec = times[1].tv_sec = up->mtime_ns / 1000000000;
	times[0].tv_nsec = times[1].tv_nsec = up->mtime_ns % 1000000000;
	if (fchmod(out, 0644) == -1 || futimens(out, times) == -1 ||
	    fsync(out) == -1) {
		xfer_error(x, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (dir_hash(out, up->size, hex, x->remote->interrupted) == -1 ||
	    strcmp(hex, up->sha256) != 0) {
		xfer_error(x, "the copy's SHA-256 differs from the catalogue's "
		    "(bad disk, or the file changed since import)");
		goto out;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == -1) {
		/* A different file by that name: the library's copy wins. */
		if ((errno != EEXIST && errno != EINVAL) ||
		    rename(tmp, dst) == -1) {
			xfer_error(x, "%s: %s", dst, strerror(errno));
			goto out;
		}
	}
	free(tmp);
	tmp = NULL;
	*slash = '\0';
	if ((dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1) {
		xfer_error(x, "%s: %s", dst, strerror(errno));
		goto out;
	}
	rc = REMOTE_OK;
out:
	if (tmp != NULL)
		unlink(tmp);
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

const struct remote_ops remote_dir_ops = {
	"dir", dir_open, dir_exists, dir_put, dir_close
};
