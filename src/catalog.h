/*
 * catalog.h: the catalogue's internals, for the files that run SQL on it
 * (catalog.c, cmd-import.c, queue.c and the commands that read it).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <sqlite3.h>

struct catalog {
	sqlite3		*db;
	char		*library;
	char		*path;
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

/* queue.c: the durable upload queue (one job per file and remote) */
int		 queue_enqueue(struct catalog *, const struct config *,
		    int64_t);

#endif /* CATALOG_H */
