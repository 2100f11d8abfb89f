/*
 * catalog.h: the catalogue's internals, for the files that run SQL on it
 * (catalog.c, cmd-import.c, queue.c and the commands that read it).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <sys/stat.h>

#include <limits.h>
#include <sqlite3.h>

/* Free space kept on a library's disk for the catalogue to grow into. */
#define CATALOG_ROOM	(512 * 1024)

/* The statements catalog.c keeps prepared (catalog_stmt). */
enum catalog_st {
	CAT_SEEN_INODE, CAT_SEEN_PATH, CAT_FIND_SHA, CAT_FILE_BY_ID,
	CAT_ADD_FILE, CAT_ADD_SOURCE, CAT_FILE_BY_PATH, CAT_VERIFIED,
	CAT_ADD_DIR,
	CAT_SEEN_DIR, CAT_LATE_MAIN,
	CAT_ADD_TYPE, CAT_ADD_CAMERA, CAT_ADD_REMOTE,
	CAT_NSTMT
};

struct catalog {
	sqlite3		*db;
	char		*library;
	char		*path;
	int		 netfs;		/* on a network filesystem: no WAL */
	int		 version;	/* schema (user_version) once open */
	int		 damaged;	/* sqlite found it corrupt: stop writing */
	const char	*stopped;	/* why damaged is set, as said */
	int		 immutable;	/* read as a file none changes */
	struct stat	 read_sb;	/* then: its file when opened */
	int		 busy_ms;	/* how long to wait for another writer */
	int		 busy_said;	/* "waiting" said (catalog_busy) */
	long long	 busy_start;	/* that wait's start, in ms */
	sqlite3_stmt	*st[CAT_NSTMT];	/* prepared on first use */
};

/*
 * SQL for a file's SHA-256 as lowercase hex: a 32-byte BLOB since schema
 * 9, TEXT before (a catalogue read-only before its migration) and in
 * rows that were not a lowercase hex digest. col is a column reference.
 * CASE, not iif(): the views must read in an older sqlite3 shell too.
 */
#define CATALOG_SHA_HEX(col)						\
	"CASE WHEN typeof(" col ") = 'blob' THEN lower(hex(" col ")) ELSE "	\
	col " END"

/*
 * SQL for a UTC time as ISO 8601 text (2024-05-01T10:00:00Z): seconds
 * since the epoch since schema 9, TEXT before and where not whole seconds.
 */
#define CATALOG_UTC_TEXT(col)						\
	"CASE WHEN typeof(" col ") = 'integer' THEN strftime("		\
	"'%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch') ELSE " col " END"

/*
 * SQL for a capture time (taken) as text, the wall clock with its offset
 * when known (2024-05-01T10:00:00+02:00): since schema 11 an integer, the
 * wall clock's seconds since the epoch as if it were UTC times 2048, plus
 * 1024 + the offset in minutes where there is one (catalog_taken_key);
 * TEXT before, and where that would not give the same text back.
 */
#define CATALOG_TAKEN_TEXT(col)						\
	"CASE WHEN typeof(" col ") = 'integer' THEN strftime("		\
	"'%Y-%m-%dT%H:%M:%S', " col " >> 11, 'unixepoch') || CASE"	\
	" WHEN (" col " & 2047) = 0 THEN '' ELSE printf("		\
	"'%s%02d:%02d', CASE WHEN (" col " & 2047) < 1024 THEN '-'"	\
	" ELSE '+' END, abs((" col " & 2047) - 1024) / 60, abs(("	\
	col " & 2047) - 1024) % 60) END ELSE " col " END"

/* SQL for the year of a capture time (as above), '' for none. */
#define CATALOG_TAKEN_YEAR(col)						\
	"CASE WHEN typeof(" col ") = 'integer' THEN strftime('%Y', "	\
	col " >> 11, 'unixepoch') ELSE coalesce(substr(" col ", 1, 4),"	\
	" '') END"

/*
 * SQL for the number of the remote named p (a parameter, "?1"): upload
 * jobs keep it (remote_id) since schema 11. A catalogue read before its
 * migration is given temporary views of the same names (catalog_open).
 */
#define CATALOG_REMOTE(p)						\
	"(SELECT id FROM remotes WHERE name = " p ")"

/* A catalogued file, as the importer looks it up. */
/* Where verify's walk through the catalogue is (catalog_verify_next). */
struct catalog_vcursor {
	const char	*since;		/* catalogued at or after; NULL: any */
	int64_t		 before;	/* verified before the walk began */
	int		 verified;	/* past the never verified */
	int64_t		 at;		/* the last one given: its verified_at */
	int64_t		 id;		/* and its id (0: none yet) */
};

struct cat_file {
	int64_t		 id;
	char		 path[PATH_MAX];	/* relative to the library */
	char		 sha256[65];
	int64_t		 size;
	int64_t		 mtime_ns;
};

/* What an earlier run recorded of a source (catalog_seen). */
struct cat_seen {
	int		 skipped;	/* recorded as not media */
	int		 forgotten;	/* its file was (shoebox forget) */
	struct cat_file	 file;		/* file.id 0: none */
};

int		 catalog_exists(const char *library);
int		 catalog_present(const char *library, const char *who);
/* catalog_open's mode: 0 read and write, 1 read only, or: */
#define CATALOG_NEW	2	/* a new library, whatever SHOEBOX_NEW_LIBRARY */
#define CATALOG_READ	3	/* read only, whole beside a writer */
struct catalog	*catalog_open(const char *library, int mode);
int		 catalog_open_failed(const char *library);
const char	*catalog_stopped(const struct catalog *);
extern int	 catalog_open_damaged;	/* why it failed: exit 1, not 2 */
int		 catalog_new_refused(const char *library);
extern int	 catalog_stepwise;	/* tests: make a new one by migrating */
void		 catalog_close(struct catalog *cat);
int		 catalog_exec(struct catalog *cat, const char *sql);
int		 catalog_cache_small(struct catalog *cat);
int		 catalog_error(struct catalog *cat, const char *what);
int		 catalog_check(struct catalog *cat,
		    void (*problem)(void *, const char *), void *arg);
sqlite3_stmt	*catalog_prepare(struct catalog *cat, const char *sql);
int		 catalog_begin(struct catalog *cat);
int		 catalog_commit(struct catalog *cat);
int		 catalog_rollback(struct catalog *cat);
void		 catalog_bind_text(sqlite3_stmt *st, int i, const char *s);
void		 catalog_column_sha(sqlite3_stmt *st, int i, char *hex,
		    size_t size);
void		 catalog_now(char *buf, size_t size);
int64_t		 catalog_ns(const struct timespec *ts);
int		 catalog_seen(struct catalog *cat, const char *abspath,
		    const struct stat *sb, struct cat_seen *seen);
struct cat_folder *catalog_folder_new(void);
void		 catalog_folder_free(struct cat_folder *fo);
int		 catalog_seen_folder(struct catalog *cat, struct cat_folder *fo,
		    const char *abspath, const struct stat *sb,
		    struct cat_seen *seen);
int		 catalog_late_main(struct catalog *cat, const char *abspath,
		    size_t plen, int (*rank)(const char *, const char *),
		    struct cat_file *f, char *source, size_t size);
int		 catalog_find_sha(struct catalog *cat, const char *sha,
		    uint64_t size, int64_t main_id, struct cat_file *f);
int		 catalog_file(struct catalog *cat, int64_t id,
		    struct cat_file *f);
int		 catalog_add_source(struct catalog *cat, const char *abspath,
		    const struct stat *sb, int64_t file_id, const char *status);
int64_t		 catalog_add_file(struct catalog *cat, const char *rel,
		    const char *sha, uint64_t size, int64_t mtime_ns,
		    const struct meta *m, int64_t main_id);
int		 catalog_netfs_type(long type);
int		 catalog_add_remote(struct catalog *cat, const char *name);

/* What shoebox find looks for (catalog_find). NULL: any. */
struct cat_query {
	const struct daterange *taken;	/* captured in this span */
	const char	*make;		/* substrings, in any case */
	const char	*model;
	const char	*camera;	/* make, model or both contain it */
	const char	*kind;		/* image, raw, video, sidecar */
	const char	*mime;		/* sqlite GLOB */
	const char	*name;		/* fnmatch(3) on the file's name */
	const char	*source;	/* GLOB on a path it came from */
	const char	*remote;	/* has an upload job for it ... */
	const char	*job_status;	/* ... (or any remote) in this state */
	int		 all_columns;	/* source and sidecar_of too */
};

/* The columns catalog_find gives, those of the catalog view. */
#define CAT_NCOLUMNS	13
extern const char *const catalog_columns[CAT_NCOLUMNS];

int		 catalog_find(struct catalog *cat, const struct cat_query *q,
		    int (*row)(void *arg, const char *const *cols), void *arg);
int		 catalog_file_at(struct catalog *cat, const char *rel,
		    struct cat_file *f);
int64_t		 catalog_count(struct catalog *cat, const char *since);
int		 catalog_verify_size(struct catalog *cat, const char *since,
		    int64_t limit, uint64_t *n, uint64_t *bytes);
int		 catalog_verify_start(struct catalog *cat,
		    struct catalog_vcursor *c, const char *since);
int		 catalog_verify_next(struct catalog *cat,
		    struct catalog_vcursor *c, int64_t *ids, size_t max,
		    size_t *n);
int		 catalog_verified(struct catalog *cat, int64_t id,
		    const char *status);

/* Files and bytes of one capture year, kind and camera ("": none). */
struct cat_tally {
	const char	*year;
	const char	*kind;
	const char	*make;
	const char	*model;
	int64_t		 files;
	int64_t		 bytes;
};

int		 catalog_has_table(struct catalog *cat, const char *name);
int		 catalog_tally(struct catalog *cat,
		    int (*fn)(void *arg, const struct cat_tally *t), void *arg);

#endif /* CATALOG_H */
