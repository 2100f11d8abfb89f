/*
 * catalog.h: the catalogue's internals, for the files that run SQL on it
 * (catalog.c, cmd-import.c, queue.c and the commands that read it).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <sys/stat.h>

#include <limits.h>
#include <sqlite3.h>

/* The statements catalog.c keeps prepared (catalog_stmt). */
enum catalog_st {
	CAT_SEEN_INODE, CAT_SEEN_PATH, CAT_FIND_SHA, CAT_FILE_BY_ID,
	CAT_ADD_FILE, CAT_ADD_SOURCE, CAT_NSTMT
};

struct catalog {
	sqlite3		*db;
	char		*library;
	char		*path;
	int		 netfs;		/* on a network filesystem: no WAL */
	sqlite3_stmt	*st[CAT_NSTMT];	/* prepared on first use */
};

/* A catalogued file, as the importer looks it up. */
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
	struct cat_file	 file;		/* file.id 0: none */
};

struct catalog	*catalog_open(const char *, int);
void		 catalog_close(struct catalog *);
int		 catalog_exec(struct catalog *, const char *);
int		 catalog_error(struct catalog *, const char *);
sqlite3_stmt	*catalog_prepare(struct catalog *, const char *);
int		 catalog_begin(struct catalog *);
int		 catalog_commit(struct catalog *);
int		 catalog_rollback(struct catalog *);
void		 catalog_bind_text(sqlite3_stmt *, int, const char *);
void		 catalog_now(char *, size_t);
int64_t		 catalog_ns(const struct timespec *);
int		 catalog_seen(struct catalog *, const char *,
		    const struct stat *, struct cat_seen *);
int		 catalog_find_sha(struct catalog *, const char *, uint64_t,
		    struct cat_file *);
int		 catalog_file(struct catalog *, int64_t, struct cat_file *);
int		 catalog_add_source(struct catalog *, const char *,
		    const struct stat *, int64_t, const char *);
int64_t		 catalog_add_file(struct catalog *, const char *,
		    const char *, uint64_t, int64_t, const struct meta *,
		    int64_t);
int		 catalog_netfs_type(long);

#endif /* CATALOG_H */
