/*
 * import-library.c: the library side of import: opening it (its lock
 * taken with lock.c, .shoebox/tmp cleaned of partial copies), its
 * directories created and kept open while copies are filed in them, and
 * checking that a catalogued copy is still there and intact.
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
#include "import.h"

#define REHASH_MAX	(64LL * 1024 * 1024)	/* library copies re-read */

/*
 * What import keeps of the library it opened: its device, to tell a disk
 * mounted inside it (lib_dir); and that it is never walked as a source, as
 * the library made by this run inside a source it walks (shoebox -L
 * share/library import share) was not there when the sources were opened.
 */
static void
library_fence(struct import *imp)
{
	struct stat	sb;

	if (fstat(imp->libfd, &sb) == -1)
		return;		/* every folder then fsync'ed (lib_dir) */
	imp->lib_dev = sb.st_dev;
	imp->lib_dev_known = 1;
	if (imp->sc != NULL)
		scan_fence(imp->sc, &sb, "the library", 1);
}

/* Open the library (or, in a dry run, whatever of it exists). */
int
import_open(struct import *imp)
{
	char	path[PATH_MAX];

	xasprintf(&imp->tmpdir, "%s/.shoebox/tmp", imp->library);
	if (imp->dry_run) {
		if (catalog_exists(imp->library) &&
		    (imp->cat = catalog_open(imp->library, 1)) == NULL)
			return -1;
		imp->libfd = open(imp->library, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	} else {
		if (catalog_new_refused(imp->library))
			return -1;
		if (mkdir(imp->library, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", imp->library);
			return -1;
		}
		snprintf(path, sizeof path, "%s/.shoebox", imp->library);
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			log_warn("library %s", path);
			return -1;
		}
		if ((imp->lockfd = lock_library(imp->library, "import")) ==
		    -1)
			return -1;
		if ((imp->cat = catalog_open(imp->library, 0)) == NULL)
			return -1;
		if (imp->move)
			catalog_exec(imp->cat, "PRAGMA synchronous = FULL");
		if (mkdir(imp->tmpdir, 0700) == -1 && errno != EEXIST) {
			log_warn("%s", imp->tmpdir);
			return -1;
		}
		if (library_dir_check(imp->tmpdir) == -1)
			return -1;
		store_clean_tmp(imp->tmpdir);	/* under the lock */
		if ((imp->libfd = open(imp->library, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			log_warn("library %s", imp->library);
			return -1;
		}
		library_fence(imp);
	}
	return 0;
}

/* Close every cached library directory (none may be dirty). */
static void
lib_dirs_close(struct import *imp)
{
	size_t	i;

	for (i = 0; i < imp->ndirs; i++) {
		close(imp->dirs[i].fd);
		free(imp->dirs[i].dir);
	}
	imp->ndirs = 0;
}

/* Close what import_open() opened, and free what the run kept. */
void
import_close(struct import *imp)
{
	size_t	i;

	read_end(imp);
	catalog_close(imp->cat);
	imp->cat = NULL;
	if (imp->libfd != -1)
		close(imp->libfd);
	if (imp->lockfd != -1)
		close(imp->lockfd);
	for (i = 0; i < imp->capplanned; i++)
		free(imp->planned[i]);
	free(imp->planned);
	seq_free(imp);
	for (i = 0; i < imp->nmoves; i++)
		free(imp->moves[i].e);
	for (i = 0; i < imp->ngmoves; i++)
		free(imp->gmoves[i].e);
	free(imp->moves);
	free(imp->gmoves);
	free(imp->filed);
	free(imp->pending);
	free(imp->sealed);
	lib_dirs_close(imp);
	free(imp->tmpdir);
	free(imp->head);
}

/*
 * The library directory dir (relative), created if need be and kept open
 * for the rest of the run. Returns its fd (owned by the cache), or -1 with
 * err set.
 */
int
lib_dir(struct import *imp, const char *dir, char *err, size_t errlen)
{
	struct stat	 sb;
	struct libdir	*d;
	size_t		 i;
	int		 fd;

	/* Not one moved away meanwhile: its name is opened again. */
	for (i = imp->ndirs; i > 0; i--)
		if (!imp->dirs[i - 1].moved &&
		    strcmp(imp->dirs[i - 1].dir, dir) == 0)
			return imp->dirs[i - 1].fd;
	if (imp->ndirs == DIRCACHE) {
		batch_flush(imp);	/* pending copies borrow these fds */
		/*
		 * So do the copies linked in the transaction still open (a
		 * group's, filed one by one), should it be taken back
		 * (txn_settle): committed first, each name is durable.
		 */
		if (imp->nfiled > 0)
			txn_commit(imp);
		lib_dirs_close(imp);
	}
	if ((fd = store_opendirs(imp->libfd, dir, 1, "library folder",
	    err, errlen)) == -1)
		return -1;
	d = &imp->dirs[imp->ndirs++];
	d->dir = xstrdup(dir);
	d->fd = fd;
	d->dirty = 0;
	d->moved = 0;
	d->checked = imp->dircheck;
	/*
	 * A disk mounted inside the library (LIBRARY/2025 when the first
	 * filled up): the library's syncfs() does not reach it, so its copies
	 * and names are fsync'ed one by one (batch_file).
	 */
	if (fstat(fd, &sb) == -1)
		memset(&sb, 0, sizeof sb);
	d->dev = sb.st_dev;
	d->ino = sb.st_ino;
	d->foreign = !imp->lib_dev_known || sb.st_ino == 0 ||
	    sb.st_dev != imp->lib_dev;
	return fd;
}

/*
 * Is the cached library folder fd (lib_dir) still the folder at its name
 * in the library? Kept open for the run, it goes wherever it is renamed
 * to: a LIBRARY/2025 moved out of the library (or aside, and a link to
 * anywhere put at its name) would have copies filed in it, outside the
 * library, catalogued at a name that does not hold them, and their
 * sources removed. Looked at again once each imp->dircheck (a batch's
 * turn). 1 (and err saying so) if it moved, then for good; 0 if not.
 */
int
lib_dir_moved(struct import *imp, int fd, char *err, size_t errlen)
{
	struct stat	 sb;
	struct libdir	*d = NULL;
	char		 why[256];
	size_t		 i;
	int		 now;

	for (i = 0; i < imp->ndirs; i++)
		if (imp->dirs[i].fd == fd)
			d = &imp->dirs[i];
	if (d == NULL)
		return 0;
	if (!d->moved && d->checked != imp->dircheck) {
		d->checked = imp->dircheck;
		why[0] = '\0';
		if ((now = store_opendirs(imp->libfd, d->dir, 0,
		    "library folder", why, sizeof why)) == -1 ||
		    fstat(now, &sb) == -1 || sb.st_dev != d->dev ||
		    sb.st_ino != d->ino)
			d->moved = 1;
		if (now != -1)
			close(now);
		if (d->moved)
			snprintf(d->why, sizeof d->why, "%s", why);
	}
	if (d->moved)
		snprintf(err, errlen, "library folder %s was moved or replaced "
		    "during the run%s%s%s",
		    d->dir, d->why[0] != '\0' ? " (" : "", d->why,
		    d->why[0] != '\0' ? ")" : "");
	return d->moved;
}

/* Is the cached library folder fd on another filesystem (lib_dir)? */
int
lib_dir_foreign(const struct import *imp, int fd)
{
	size_t	i;

	for (i = 0; i < imp->ndirs; i++)
		if (imp->dirs[i].fd == fd)
			return imp->dirs[i].foreign;
	return 1;
}

/*
 * Is the library copy f (as catalogued) there and intact? Its size, and its
 * SHA-256 read again when that is cheap (else its mtime, set from the
 * source's). 0 intact, 1 missing, -1 there but not what was catalogued or
 * not to be read, with why saying which.
 */
int
lib_check(struct import *imp, const struct cat_file *f, char *why,
    size_t whylen)
{
	struct stat	 sb;
	char		 hex[65], err[256];
	int		 fd, rc;

	/*
	 * Never through a link, in its folders either: a large file's size
	 * and mtime looked at through LIBRARY/2025 made a link to elsewhere
	 * are not the library's copy, and its source would go (--move).
	 */
	if ((fd = store_open_below(imp->libfd, f->path, err, sizeof err)) ==
	    -1) {
		if (errno == ENOENT)
			return 1;
		snprintf(why, whylen, "cannot be read (%s)", err);
		return -1;
	}
	snprintf(why, whylen, "does not match the catalogue (damaged or "
	    "replaced?)");
	if (fstat(fd, &sb) == -1 || sb.st_size != f->size)
		rc = -1;
	else if (sb.st_size > REHASH_MAX)
		rc = catalog_ns(&sb.st_mtim) == f->mtime_ns ? 0 : -1;
	else
		rc = store_hash_fd(fd, (uint64_t)f->size, hex, err,
		    sizeof err) == 0 && strcmp(hex, f->sha256) == 0 ? 0 : -1;
	close(fd);
	return rc;
}
