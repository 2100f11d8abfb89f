/*
 * cmd-restore.c: "shoebox restore --remote NAME": bring library files back
 * from a remote. Every file the catalogue says was uploaded to NAME (its
 * upload job done, at its remote_path) and is missing from the library is
 * downloaded (remote_ops.get: straight to disk, hashed as it arrives)
 * into an unnamed file beside its place (store.c's copy, as import
 * makes), checked against its catalogued size and SHA-256 before it has a
 * name, given its catalogued mtime, fsynced and linked into place, never
 * replacing anything. A file present with other content is reported and
 * left alone; a download that is not the catalogued file is thrown away
 * and reported; the run goes on with the next file. With --to DIR the
 * catalogue is first copied into an empty DIR (VACUUM INTO), which then
 * becomes a complete library as the files come back; each file it lists
 * that was never uploaded to NAME cannot, and is named (in place: each
 * such file missing from the library). The catalogue is
 * read a page of rows at a time: memory does not grow with the library.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <json.h>

#include "shoebox.h"
#include "catalog.h"
#include "remote.h"
#include "store.h"
#include "restore.h"

#define PAGE_ROWS	64	/* catalogue rows read at a time */

static const char *const rstate_names[R_N] = {
	"restored", "present", "different", "failed", "missing", "skipped",
	"not_attempted", "not_uploaded"
};

/* Report one file: a line "STATE PATH: why" (with -v for the good), JSON. */
void
restore_report(struct restore *rs, enum rstate s, const struct rfile *f,
    const char *why)
{
	struct json_object	*o;
	char			 p[PATH_MAX * 2], w[PATH_MAX * 2];

	rs->count[s]++;
	if ((s == R_RESTORED || s == R_PRESENT || s == R_NOTTRIED) &&
	    log_verbose == 0 && !rs->json)
		return;
	meter_clear(&rs->meter);
	if (rs->json) {
		o = json_object_new_object();
		json_add_str(o, "path", f->path);
		json_add_str(o, "remote_path", f->remote_path);
		json_add_str(o, "status", rstate_names[s]);
		json_add_str(o, "sha256", f->sha256);
		json_object_object_add(o, "size",
		    json_object_new_int64(f->size));
		json_add_str(o, "error", why);
		json_print(o);
	} else
		/*
		 * why may hold a remote's names or words (a key, an error
		 * page): no control character of theirs reaches a terminal,
		 * as on stderr
		 */
		printf("%-10s %s%s%s\n", rstate_names[s],
		    log_path(f->path, p, sizeof p), why != NULL ? ": " : "",
		    why != NULL ? log_escape(why, w, sizeof w, 0) : "");
}

/* The WHERE clause every query here shares (?1 remote, ?2 since). */
#define RESTORE_SINCE \
	" AND (?2 IS NULL OR " CATALOG_UTC_TEXT("f.imported_at") " >= ?2)"
#define RESTORE_FROM	" FROM upload_jobs j JOIN files f ON f.id = j.file_id" \
	" WHERE j.remote_id = " CATALOG_REMOTE("?1") \
	" AND j.status = 'done'" RESTORE_SINCE

/* A page of files (restore_page): ?3 the last id seen, ?4 how many. */
#define RESTORE_PAGE	" AND f.id > ?3 ORDER BY f.id LIMIT ?4"
#define RESTORE_COLS	"SELECT f.id, f.path, f.sha256, f.size, f.mtime_ns, "

/* The files on the remote, at the name each has there. */
static const char restore_sent[] = RESTORE_COLS
    "coalesce(j.remote_path, f.path)" RESTORE_FROM RESTORE_PAGE;

/* The files never uploaded to it (no job done there): --to lacks them. */
static const char restore_unsent[] = RESTORE_COLS "f.path FROM files f"
    " WHERE NOT EXISTS (SELECT 1 FROM upload_jobs j WHERE j.file_id ="
    " f.id AND j.remote_id = " CATALOG_REMOTE("?1") " AND j.status ="
    " 'done')" RESTORE_SINCE RESTORE_PAGE;

/* How many files and bytes there are to look at; 0 or -1. */
static int
restore_total(struct restore *rs, uint64_t *n, uint64_t *bytes)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if ((st = catalog_prepare(rs->cat, "SELECT count(*),"
	    " coalesce(sum(f.size), 0)" RESTORE_FROM)) == NULL)
		return -1;
	catalog_bind_text(st, 1, rs->r->name);
	catalog_bind_text(st, 2, rs->since);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (uint64_t)sqlite3_column_int64(st, 0);
		*bytes = (uint64_t)sqlite3_column_int64(st, 1);
		rc = 0;
	} else
		catalog_error(rs->cat, "counting files to restore");
	sqlite3_finalize(st);
	return rc;
}

/* Copy a text column into out (size bytes); -1 if it does not fit. */
static int
restore_col(sqlite3_stmt *st, int i, char *out, size_t size)
{
	const unsigned char	*v = sqlite3_column_text(st, i);

	if (v == NULL || (size_t)snprintf(out, size, "%s", v) >= size)
		return -1;
	return 0;
}

/*
 * The next page of files of sql (restore_sent or restore_unsent) after
 * id after (at most PAGE_ROWS, in id order) into page; how many, or -1.
 */
static int
restore_page(struct restore *rs, const char *sql, int64_t after,
    struct rfile *page)
{
	sqlite3_stmt	*st;
	struct rfile	*f;
	int		 n = 0, rc;

	if ((st = catalog_prepare(rs->cat, sql)) == NULL)
		return -1;
	catalog_bind_text(st, 1, rs->r->name);
	catalog_bind_text(st, 2, rs->since);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int(st, 4, PAGE_ROWS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = &page[n];
		f->id = sqlite3_column_int64(st, 0);
		f->size = sqlite3_column_int64(st, 3);
		f->mtime_ns = sqlite3_column_int64(st, 4);
		f->has_mtime = 1;
		catalog_column_sha(st, 2, f->sha256, sizeof f->sha256);
		if (restore_col(st, 1, f->path, sizeof f->path) == -1 ||
		    f->sha256[0] == '\0' ||
		    restore_col(st, 5, f->remote_path,
		    sizeof f->remote_path) == -1) {
			log_warnx("restore: file %lld: a path too long, or no "
			    "SHA-256, in the catalogue", (long long)f->id);
			f->path[0] = '\0';
		}
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return catalog_error(rs->cat, "reading files to restore");
	return n;
}

/* Is rel a plain relative path, with no "..", "." or empty part? */
int
restore_path_ok(const char *rel)
{
	const char	*p = rel;
	size_t		 len;

	if (*rel == '\0' || *rel == '/' || strncmp(rel, ".shoebox/", 9) == 0)
		return 0;
	for (;;) {
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

/*
 * Is f at its place in the library? R_MISSING, R_PRESENT (its size and
 * mtime as catalogued, or its SHA-256), R_DIFFERENT or R_FAILED, with why.
 */
static enum rstate
restore_check(struct restore *rs, const struct rfile *f, char *why,
    size_t size)
{
	size_t	len;

	switch (store_check_at(rs->libfd, f->path, f->size, f->mtime_ns,
	    f->sha256, NULL, why, size)) {
	case CHECK_SAME:
		return R_PRESENT;
	case CHECK_MISSING:
		return R_MISSING;
	case CHECK_OTHER:
		len = strlen(why);
		snprintf(why + len, size - len, "; not replaced (see 'shoebox "
		    "verify'; move it aside and run restore again to get the "
		    "catalogued file back)");
		return R_DIFFERENT;
	default:
		return R_FAILED;
	}
}

/* Open (creating it) the directory f goes in; its descriptor, or -1. */
static int
restore_dir(struct restore *rs, const struct rfile *f, char *why,
    size_t size)
{
	char	*dir, *slash;
	int	 dfd;

	if ((slash = strrchr(f->path, '/')) == NULL)
		return dup(rs->libfd);
	dir = xstrdup(f->path);
	dir[slash - f->path] = '\0';
	dfd = store_opendirs(rs->libfd, dir, 1, "library folder", why,
	    size);
	free(dir);
	return dfd;
}

/*
 * Is what came (got) the file f? Its catalogued size and SHA-256; or,
 * rebuilding from a listing, its listed size and the SHA-256 the remote
 * keeps for it, if any. 0, or -1 with why.
 */
static int
restore_expected(struct restore *rs, const struct rfile *f,
    const struct remote_got *got, char *why, size_t size)
{
	if (f->sha256[0] != '\0') {
		if (got->size == (uint64_t)f->size &&
		    strcmp(got->sha256, f->sha256) == 0)
			return 0;
		snprintf(why, size, "the remote's copy at %s is not the "
		    "catalogued file (%llu bytes, SHA-256 %s); not restored",
		    f->remote_path, (unsigned long long)got->size,
		    got->sha256);
		return -1;
	}
	if (got->size != (uint64_t)f->size) {
		snprintf(why, size, "%llu bytes came, %lld were listed; not "
		    "restored", (unsigned long long)got->size,
		    (long long)f->size);
		return -1;
	}
	if (got->meta_sha256[0] == '\0')
		rs->unchecked++;
	else if (strcasecmp(got->meta_sha256, got->sha256) != 0) {
		snprintf(why, size, "its content (SHA-256 %s) is not what the "
		    "remote's checksum says (%.64s); not restored",
		    got->sha256, got->meta_sha256);
		return -1;
	}
	return 0;
}

/*
 * Download f into the copy sf and check it: its catalogued size and
 * SHA-256, then its mtime, fsync. R_RESTORED (not yet named), or
 * R_FAILED with why.
 */
static enum rstate
restore_fetch(struct restore *rs, const struct rfile *f,
    struct store_file *sf, char *why, size_t size)
{
	struct remote_got	got;
	struct timespec		times[2];
	int64_t			mtime;
	int			rc;

	rs->x.waited = 0;
	rs->absent = 0;
	memset(&got, 0, sizeof got);
	rc = rs->r->ops->get(&rs->x, f->remote_path, sf->fd,
	    (uint64_t)f->size, &got);
	if (rc != REMOTE_OK && got.over) {
		/* endless, or another file: not filling the library's disk */
		snprintf(why, size, "the remote sent more than the %lld bytes "
		    "%s (at %s); not restored", (long long)f->size,
		    f->sha256[0] != '\0' ? "catalogued" : "listed",
		    f->remote_path);
		return R_FAILED;
	}
	if (rc == REMOTE_ABSENT) {
		rs->absent = 1;
		snprintf(why, size, "not on remote %s at %s", rs->r->name,
		    f->remote_path);
		return R_FAILED;
	}
	if (rc != REMOTE_OK) {
		if (rc == REMOTE_STOP || rc == REMOTE_AUTH ||
		    rc == REMOTE_UNREACHABLE)
			rs->stop = 1;
		snprintf(why, size, "%s", rs->x.error);
		return R_FAILED;
	}
	rs->bytes += got.size;
	if (restore_expected(rs, f, &got, why, size) == -1)
		return R_FAILED;
	mtime = f->has_mtime ? f->mtime_ns : got.mtime_ns;
	remote_timespec(mtime, &times[0]);
	times[1] = times[0];
	if (!f->has_mtime && !got.has_mtime)
		times[0].tv_nsec = times[1].tv_nsec = UTIME_OMIT;
	if (futimens(sf->fd, times) == -1 || fsync(sf->fd) == -1) {
		snprintf(why, size, "%s", strerror(errno));
		return R_FAILED;
	}
	sf->size = got.size;
	memcpy(sf->sha256, got.sha256, sizeof sf->sha256);
	memcpy(rs->sha256, got.sha256, sizeof rs->sha256);
	return R_RESTORED;
}

/*
 * Bring f back to the library, verified, replacing nothing; or, not
 * link, only download and check it (its SHA-256 in rs->sha256), then
 * throw it away.
 */
static enum rstate
restore_copy(struct restore *rs, const struct rfile *f, int link,
    char *why, size_t size)
{
	struct store_file	 sf;
	struct store_dest	 dest;
	enum rstate		 s;
	const char		*base;

	memset(&dest, 0, sizeof dest);
	dest.tmpdir = rs->tmpdir;
	dest.dirsync = 1;
	dest.dirfd = link ? restore_dir(rs, f, why, size) : dup(rs->libfd);
	if (dest.dirfd == -1) {
		if (!link)
			snprintf(why, size, "%s", strerror(errno));
		return R_FAILED;
	}
	if (store_open_copy(dest.dirfd, rs->tmpdir, &sf, why, size) == -1) {
		close(dest.dirfd);
		return R_FAILED;
	}
	if ((s = restore_fetch(rs, f, &sf, why, size)) != R_RESTORED ||
	    !link)
		store_discard(&sf);
	else {
		base = strrchr(f->path, '/');
		base = base != NULL ? base + 1 : f->path;
		if (store_link_at(&sf, &dest, base, why, size) == -1) {
			s = errno == EEXIST ? R_DIFFERENT : R_FAILED;
			if (s == R_DIFFERENT)
				snprintf(why, size, "a file appeared there "
				    "meanwhile; not replaced");
		}
	}
	close(dest.dirfd);
	return s;
}

/*
 * Bring f back (restore_copy, link as there). A file bigger than what is
 * free on the library's disk (less room for the catalogue) is not
 * attempted (R_NOTTRIED); a folder or a write that fails for want of
 * space all the same (no inodes left, a quota) stops the run (rs->stop,
 * rs->full), as does a library gone read-only (rs->readonly).
 */
static enum rstate
restore_get(struct restore *rs, const struct rfile *f, int link, char *why,
    size_t size)
{
	uint64_t	avail;
	enum rstate	s;

	if (disk_free(rs->libfd, &avail) == 0 &&
	    avail < (uint64_t)f->size + CATALOG_ROOM) {
		snprintf(why, size, "does not fit in what is free on the "
		    "library's disk");
		rs->nofit_bytes += (uint64_t)f->size;
		return R_NOTTRIED;
	}
	if ((s = restore_copy(rs, f, link, why, size)) == R_FAILED &&
	    err_disk_full(why))
		rs->stop = rs->full = 1;
	else if (s == R_FAILED && err_read_only(why))
		rs->stop = rs->readonly = 1;
	return s;
}

/* Bring f back to its place, verified, replacing nothing (restore_get). */
enum rstate
restore_file(struct restore *rs, const struct rfile *f, char *why,
    size_t size)
{
	return restore_get(rs, f, 1, why, size);
}

/*
 * Download f and check it as restore_file does, but only to learn its
 * SHA-256 (rs->sha256): the copy is thrown away. R_RESTORED when it
 * came, else as restore_file.
 */
enum rstate
restore_peek(struct restore *rs, const struct rfile *f, char *why,
    size_t size)
{
	return restore_get(rs, f, 0, why, size);
}

/* Why the run stopped early (rs->stop), for its last message. */
const char *
restore_stopped(const struct restore *rs)
{
	return rs->full ? "stopped: the library's disk is full; make room" :
	    rs->readonly ? "stopped: the library is read-only (mounted so, "
	    "or remounted so after disk errors: see dmesg)" :
	    "stopped: the remote refused or is unreachable";
}

/* Look at one file: there already, different, or brought back. */
static void
restore_one(struct restore *rs, const struct rfile *f)
{
	enum rstate	s = R_MISSING;
	char		why[PATH_MAX + 512];

	why[0] = '\0';
	if (f->path[0] == '\0' || !restore_path_ok(f->path)) {
		if (f->path[0] != '\0')
			snprintf(why, sizeof why, "not a path inside the "
			    "library; not restored");
		restore_report(rs, R_FAILED, f, why[0] ? why : "unreadable "
		    "catalogue row");
		return;
	}
	if (!rs->fresh)
		s = restore_check(rs, f, why, sizeof why);
	if (s == R_MISSING && !rs->dry_run)
		s = restore_file(rs, f, why, sizeof why);
	if (s == R_FAILED) {
		meter_clear(&rs->meter);
		log_warnx("%s/%s: %s", rs->library, f->path, why);
	}
	restore_report(rs, s, f, why[0] != '\0' ? why : NULL);
}

/*
 * Say once that files did not fit in what is free on the library's disk
 * (they were not attempted): how many, what they need, what is free.
 */
static void
restore_nofit_say(struct restore *rs)
{
	uint64_t	avail;
	unsigned long	n = rs->count[R_NOTTRIED];
	char		a[32], b[32];

	if (n == 0)
		return;
	if (disk_free(rs->libfd, &avail) == -1)
		avail = 0;
	fmt_size(avail, a, sizeof a);
	fmt_size(rs->nofit_bytes + CATALOG_ROOM, b, sizeof b);
	meter_clear(&rs->meter);
	/*
	 * A rebuilt library's catalogue is made of the files that came: a
	 * restore there later would not know the others (and say all is
	 * there). Only a rebuild into an empty directory brings them.
	 */
	log_warnx("library %s: %s: %s free, %s needed for the %lu file%s not "
	    "attempted (with room for the catalogue): %s", rs->library,
	    strerror(ENOSPC), a, b, n, n == 1 ? "" : "s", rs->rebuild ?
	    "its catalogue will not list them, so a restore there cannot "
	    "bring them; run restore --rebuild again into an empty "
	    "directory with room for every file" :
	    "make room and run restore again");
}

/* Every file of the remote, a page at a time. 0, or -1. */
static int
restore_all(struct restore *rs)
{
	struct rfile	*page = xcalloc(PAGE_ROWS, sizeof *page);
	int64_t		 after = 0;
	int		 i, n, rc = 0;

	while (!stop_requested && !rs->stop) {
		if ((n = restore_page(rs, restore_sent, after, page)) <= 0) {
			rc = n;
			break;
		}
		for (i = 0; i < n && !stop_requested && !rs->stop; i++) {
			meter_show(&rs->meter, rs->files, rs->bytes, 0);
			restore_one(rs, &page[i]);
			rs->files++;
		}
		after = page[n - 1].id;
	}
	meter_show(&rs->meter, rs->files, rs->bytes, 1);
	meter_clear(&rs->meter);
	free(page);
	return rc;
}

/*
 * Name each file the catalogue lists that was never uploaded to the remote
 * (not synced yet, or its upload failed) and that the library lacks: with
 * --to, every one (the new library's catalogue, in to, has it; the new
 * library cannot); in place, those missing from the library (a name that
 * is there, whatever it holds, is verify's business). 0, or -1.
 */
static int
restore_unsent_say(struct restore *rs, const char *to)
{
	struct rfile	*page = xcalloc(PAGE_ROWS, sizeof *page);
	struct stat	 st;
	int64_t		 after = 0;
	unsigned long	 n;
	char		 why[160];
	int		 i, rc;

	snprintf(why, sizeof why, "%snever uploaded to remote %s (not synced "
	    "yet, or its upload failed); not restored", rs->fresh ? "" :
	    "missing from the library, and ", rs->r->name);
	while ((rc = restore_page(rs, restore_unsent, after, page)) > 0) {
		for (i = 0; i < rc; i++)
			if (rs->fresh || (page[i].path[0] != '\0' &&
			    restore_path_ok(page[i].path) &&
			    fstatat(rs->libfd, page[i].path, &st,
			    AT_SYMLINK_NOFOLLOW) == -1 && errno == ENOENT))
				restore_report(rs, R_UNSENT, &page[i], why);
		after = page[rc - 1].id;
	}
	free(page);
	if ((n = rs->count[R_UNSENT]) > 0 && rs->fresh)
		log_warnx("restore: %lu catalogued file%s never uploaded to "
		    "remote %s, so not in %s, whose catalogue lists %s: sync "
		    "the old library, then restore --to an empty directory "
		    "again", n, n == 1 ? "" : "s", rs->r->name, to,
		    n == 1 ? "it" : "them");
	else if (n > 0)
		log_warnx("restore: %lu catalogued file%s missing from the "
		    "library and never uploaded to remote %s: not restored "
		    "(another remote may hold %s)", n, n == 1 ? " is" : "s are",
		    rs->r->name, n == 1 ? "it" : "them");
	return rc;
}

/*
 * --to with --since: the files catalogued before it are not restored, yet
 * the new library's catalogue (in to) lists them: counted, said once.
 * 0, or -1.
 */
static int
restore_left_out(struct restore *rs, const char *to)
{
	sqlite3_stmt	*st;
	int		 rc = -1;

	if ((st = catalog_prepare(rs->cat, "SELECT count(*) FROM files f"
	    " WHERE " CATALOG_UTC_TEXT("f.imported_at") " < ?1")) == NULL)
		return -1;
	catalog_bind_text(st, 1, rs->since);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rs->left_out = (unsigned long)sqlite3_column_int64(st, 0);
		rc = 0;
	} else
		catalog_error(rs->cat, "counting files left out");
	sqlite3_finalize(st);
	if (rc == 0 && rs->left_out > 0)
		log_warnx("restore: %lu catalogued file%s from before %s left "
		    "out (--since), so not in %s, whose catalogue lists %s: "
		    "'shoebox -L %s restore --remote %s' brings %s too",
		    rs->left_out, rs->left_out == 1 ? "" : "s", rs->since, to,
		    rs->left_out == 1 ? "it" : "them", to, rs->r->name,
		    rs->left_out == 1 ? "it" : "them");
	return rc;
}

/* Is every file restored or present (exit 0)? */
int
restore_whole(const struct restore *rs)
{
	return rs->count[R_FAILED] + rs->count[R_DIFFERENT] +
	    rs->count[R_NOTTRIED] + rs->count[R_UNSENT] == 0;
}

void
restore_summary(struct restore *rs)
{
	struct json_object	*o, *s;
	char			 b[32], skipped[240];
	int			 i;

	restore_nofit_say(rs);
	if (rs->json) {
		o = json_object_new_object();
		s = json_object_new_object();
		json_object_object_add(s, "files",
		    json_object_new_int64((int64_t)rs->files));
		for (i = 0; i < R_N; i++)
			json_object_object_add(s, rstate_names[i],
			    json_object_new_int64((int64_t)rs->count[i]));
		json_object_object_add(s, "unchecked",
		    json_object_new_int64((int64_t)rs->unchecked));
		json_object_object_add(s, "bytes",
		    json_object_new_int64((int64_t)rs->bytes));
		json_object_object_add(s, "seconds",
		    json_object_new_double(meter_elapsed(&rs->meter)));
		json_object_object_add(o, "summary", s);
		json_print(o);
		return;
	}
	if (log_quiet)
		return;
	fmt_size(rs->bytes, b, sizeof b);
	skipped[0] = '\0';
	if (rs->count[R_SKIPPED] > 0)
		snprintf(skipped, sizeof skipped, ", %lu skipped",
		    rs->count[R_SKIPPED]);
	if (rs->count[R_NOTTRIED] > 0)
		snprintf(skipped + strlen(skipped), sizeof skipped -
		    strlen(skipped), ", %lu not attempted (the library's disk "
		    "is full)", rs->count[R_NOTTRIED]);
	if (rs->count[R_UNSENT] > 0)
		snprintf(skipped + strlen(skipped), sizeof skipped -
		    strlen(skipped), ", %lu not restored (never uploaded "
		    "there)", rs->count[R_UNSENT]);
	if (rs->dry_run)
		printf("%llu files on remote %s: %lu missing (would be "
		    "restored), %lu present, %lu different, %lu failed%s\n",
		    (unsigned long long)rs->files, rs->r->name,
		    rs->count[R_MISSING], rs->count[R_PRESENT],
		    rs->count[R_DIFFERENT], rs->count[R_FAILED], skipped);
	else
		printf("%llu files on remote %s: %lu restored, %lu present, "
		    "%lu different, %lu failed%s (%s downloaded in %.1f s)\n",
		    (unsigned long long)rs->files, rs->r->name,
		    rs->count[R_RESTORED], rs->count[R_PRESENT],
		    rs->count[R_DIFFERENT], rs->count[R_FAILED],
		    skipped, b, meter_elapsed(&rs->meter));
	if (rs->unchecked > 0)
		printf("%lu of them had no checksum on the remote: checked "
		    "against their listed size only\n", rs->unchecked);
}

/* Is dir absent or an empty directory? 1, 0, or -1 after saying why. */
static int
restore_empty(const char *dir)
{
	int	fd, empty;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 1;
		log_warn("restore: --to %s", dir);
		return -1;
	}
	if ((empty = folder_empty(fd)) == -1)
		log_warn("restore: --to %s", dir);
	close(fd);
	return empty;
}

/*
 * Can dir (--to) become the library: absent, or an empty directory? 0,
 * or -1 after saying why. A dry run asks too: it refuses what the real
 * run would. For a restore (from remote name; NULL for a rebuild), a dir
 * that holds a catalogue is most likely a restore --to stopped (killed,
 * or its disk filled): the same command again is refused there, so say
 * what finishes it.
 */
int
restore_to_empty(const char *dir, const char *name)
{
	switch (restore_empty(dir)) {
	case -1:
		return -1;
	case 1:
		return 0;
	}
	if (name != NULL && catalog_exists(dir))
		log_warnx("restore: --to %s: not empty: a library is there "
		    "already; to bring back the files it lacks (to finish a "
		    "restore --to that was stopped), run 'shoebox -L %s "
		    "restore --remote %s'", dir, dir, name);
	else
		log_warnx("restore: --to %s: not empty (a new or empty "
		    "directory becomes the library)", dir);
	return -1;
}

/*
 * Make dir a library with a copy of library's catalogue (VACUUM INTO, a
 * consistent snapshot even while another shoebox writes), for a restore
 * from remote name. 0, or -1.
 */
static int
restore_seed(const char *library, const char *dir, const char *name)
{
	struct catalog	*src;
	sqlite3_stmt	*st;
	char		*path, err[PATH_MAX + 64];
	int		 rc = -1;

	if (restore_to_empty(dir, name) == -1)
		return -1;
	if (store_mkdirs(AT_FDCWD, dir, err, sizeof err) == -1) {
		log_warnx("restore: --to: %s", err);
		return -1;
	}
	xasprintf(&path, "%s/.shoebox", dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		log_warn("restore: %s", path);
		free(path);
		return -1;
	}
	free(path);
	if ((src = catalog_open(library, CATALOG_READ)) == NULL)
		return -1;
	xasprintf(&path, "%s/.shoebox/catalog.db", dir);
	if ((st = catalog_prepare(src, "VACUUM INTO ?1")) != NULL) {
		catalog_bind_text(st, 1, path);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = 0;
		else
			catalog_error(src, "copying the catalogue");
		sqlite3_finalize(st);
	}
	free(path);
	catalog_close(src);
	return rc;
}

/* Open library's catalogue, lock and tmp for the restore. 0 or -1. */
static int
restore_library(struct restore *rs, const char *library)
{
	rs->library = library;
	if (catalog_present(library, "restore") == -1)
		return -1;
	if ((rs->cat = catalog_open(library, rs->dry_run)) == NULL)
		return -1;
	if ((rs->libfd = open(library, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		log_warn("library %s", library);
		return -1;
	}
	xasprintf(&rs->tmpdir, "%s/.shoebox/tmp", library);
	if (!rs->dry_run && mkdir(rs->tmpdir, 0700) == -1 &&
	    errno != EEXIST) {
		log_warn("%s", rs->tmpdir);
		return -1;
	}
	if (!rs->dry_run && library_dir_check(rs->tmpdir) == -1)
		return -1;
	return 0;
}

static const struct cmd_option restore_options[] = {
	{ "remote", 'r', "NAME", "the remote to bring files back from" },
	{ "since", 0, "DATE", "only files catalogued on or after DATE" },
	{ "to", 0, "DIR",
	    "restore into DIR (new or empty) as a complete library, with "
	    "a copy of the catalogue" },
	{ "rebuild", 0, NULL,
	    "without a catalogue: every file the remote lists into --to DIR, "
	    "then catalogued as adopt does" },
	{ "dry-run", 'n', NULL, "only say what would be restored" },
	{ "json", 'j', NULL, "one JSON object per file, and a summary" },
	{ "progress", 0, NULL, "show the progress line (default: on a terminal)" },
	{ "no-progress", 0, NULL, "do not show the progress line" },
	{ NULL, 0, NULL, NULL }
};

/* Parse --since into rs->since (kept in since); 0 or -1. */
static int
restore_since(struct cmd_args *args, struct daterange *since,
    struct restore *rs)
{
	const char	*opt;

	if ((opt = cmd_get(args, "since")) == NULL)
		return 0;
	if (daterange_parse(opt, since) == -1 || since->from[0] == '\0') {
		log_warnx("restore: --since %s: a day, month or year "
		    "(2024-06-01, 2024-06, 2024)", opt);
		return -1;
	}
	rs->since = since->from;
	return 0;
}

/*
 * Is dir (--to) inside the library? A library within the library
 * would hold every file twice, and a later import or adopt of the
 * library's folders would find a second catalogue. 1 after saying so.
 */
static int
restore_in_library(const char *library, const char *dir)
{
	char	*lib, *real;
	int	 inside = 0;

	if ((lib = path_real(library)) != NULL &&
	    (real = path_real(dir)) != NULL) {
		if ((inside = path_below(real, lib) && strcmp(real, lib) != 0))
			log_warnx("restore: --to %s is inside the library %s; "
			    "choose a folder outside it (a library within "
			    "the library would hold every file twice)", dir,
			    library);
		free(real);
	}
	free(lib);
	return inside;
}

/* restore --rebuild --to DIR: the remote opened, then restore_rebuild. */
static int
restore_rebuild_cmd(struct restore *rs, struct sb_ctx *ctx, const char *name,
    const char *to, int progress)
{
	int	rc;

	if (to == NULL || rs->since != NULL) {
		log_warnx("restore: --rebuild needs --to DIR (a new or empty "
		    "directory) and takes no --since");
		return EXIT_USAGE;
	}
	if ((rs->r = remote_open(ctx->cfg, name)) == NULL)
		return EXIT_USAGE;
	rs->rebuild = 1;
	rs->r->interrupted = (volatile int *)&stop_requested;
	xfer_init(&rs->x, rs->r);
	stop_catch();
	meter_start(&rs->meter, progress == -1 ? isatty(STDERR_FILENO) &&
	    !rs->json && !log_quiet : progress, 0, 0);
	rc = restore_rebuild(rs, ctx, to);
	xfer_free(&rs->x);
	remote_close(rs->r);
	if (rs->libfd != -1)
		close(rs->libfd);
	free(rs->tmpdir);
	return rc;
}

static int
cmd_restore(struct sb_ctx *ctx, struct cmd_args *args)
{
	struct restore	 rs;
	struct daterange since;
	const char	*name, *to;
	uint64_t	 n = 0, bytes = 0;
	int		 lockfd = -1, progress, rc = EXIT_USAGE;

	memset(&rs, 0, sizeof rs);
	rs.libfd = -1;
	rs.json = ctx->json;
	rs.dry_run = cmd_has(args, "dry-run") > 0;
	progress = cmd_flag(args, "progress", "no-progress", -1);
	if ((name = cmd_get(args, "remote")) == NULL) {
		log_warnx("restore: --remote NAME is needed");
		cmd_usage(args->cmd);
		return EXIT_USAGE;
	}
	if (restore_since(args, &since, &rs) == -1 ||
	    remote_configured(ctx->cfg, name, "restore") == -1)
		return EXIT_USAGE;
	to = cmd_get(args, "to");
	if (to != NULL && (restore_in_library(ctx->library, to) ||
	    remote_dir_holds(ctx->cfg, name, to)))
		return EXIT_USAGE;
	if (cmd_has(args, "rebuild"))
		return restore_rebuild_cmd(&rs, ctx, name, to, progress);
	if (to != NULL) {
		rs.fresh = 1;
		if (rs.dry_run ? restore_to_empty(to, name) == -1 :
		    restore_seed(ctx->library, to, name) == -1)
			return EXIT_USAGE;
	}
	if (restore_library(&rs, to != NULL && !rs.dry_run ? to :
	    ctx->library) == -1)
		goto out;
	if (!rs.dry_run && (lockfd = lock_library(rs.library,
	    "restore")) == -1)
		goto out;
	if (!rs.dry_run)
		store_clean_tmp(rs.tmpdir);	/* a killed run's, as import */
	if ((rs.r = remote_open(ctx->cfg, name)) == NULL)
		goto out;
	rs.r->interrupted = (volatile int *)&stop_requested;
	xfer_init(&rs.x, rs.r);
	if (restore_total(&rs, &n, &bytes) == -1)
		goto out;
	if (n > 0 && remote_emptied(rs.r, "restore")) {
		rc = EXIT_SOMEFAILED;	/* nothing there to restore from */
		goto out;
	}
	stop_catch();
	meter_start(&rs.meter, progress == -1 ? isatty(STDERR_FILENO) &&
	    !rs.json && !log_quiet : progress, n, bytes);
	rc = EXIT_SOMEFAILED;
	if (restore_all(&rs) == -1)
		goto out;
	if ((stop_requested || rs.stop) && to != NULL) {
		/* The same --to again is refused: to is no longer empty. */
		log_warnx("restore %s; what was restored stays in %s; to "
		    "finish, run 'shoebox -L %s restore --remote %s'",
		    stop_requested ? "interrupted" : restore_stopped(&rs), to,
		    to, name);
		goto out;
	}
	if (stop_requested || rs.stop) {
		log_warnx("restore %s; what was restored stays; run it again "
		    "to finish", stop_requested ? "interrupted" :
		    restore_stopped(&rs));
		goto out;
	}
	if (restore_unsent_say(&rs, to) == -1)
		goto out;
	if (rs.fresh && rs.since != NULL && restore_left_out(&rs, to) == -1)
		goto out;
	restore_summary(&rs);
	if (restore_whole(&rs) && rs.left_out == 0)
		rc = EXIT_ALLGOOD;
out:
	if (rs.r != NULL)
		xfer_free(&rs.x);
	remote_close(rs.r);
	if (lockfd != -1)
		close(lockfd);
	if (rs.libfd != -1)
		close(rs.libfd);
	free(rs.tmpdir);
	catalog_close(rs.cat);
	return rc;
}

const struct cmd_entry cmd_restore_entry = {
	"restore", "", 0, 0,
	"bring files back from a remote, each verified before it is linked",
	restore_options, CMD_LIBRARY, cmd_restore
};
