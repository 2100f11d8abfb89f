/*
 * store.h: the atomic, verified copy of one file into a library directory
 * (store.c) for the importer, and the pieces of it the remotes share: the
 * read, hash and copy pass (store_pass), unnamed files (store_tmpfile),
 * mkdir -p (store_mkdirs).
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * One pass over a region of a file (store_pass): every byte read once,
 * through a fixed buffer, into whichever of these are set.
 */
struct store_pass {
	int		 fd;		/* read with pread: any offset */
	uint64_t	 off;		/* the region: from here ... */
	uint64_t	 len;		/* ... this many bytes */
	uint64_t	 size;		/* the whole file's, for messages (or 0) */
	int		 out;		/* written here (write()), or -1 */
	EVP_MD_CTX	*sha256;	/* updated, or NULL */
	EVP_MD_CTX	*md5;		/* updated, or NULL */
	EVP_MD_CTX	*whole;		/* a SHA-256 of more than the region
					   (the whole file an S3 part is
					   of), updated too, or NULL */
	uint64_t	 writeback;	/* start out's writeback this often, or 0 */
	uint64_t	 flushed;	/* out's writeback started up to here */
	volatile int	*interrupted;	/* stop (EINTR) once this is set */
	uint64_t	*progress;	/* bytes read added (atomically), or NULL */
	long long	 speed;		/* at most this many bytes a second, or 0
					   (--bwlimit where curl is not) */
	uint8_t		*buf;		/* the caller's buffer, or NULL: one of */
	size_t		 bufsize;	/* STORE_PASS_BUF bytes for the pass */
};
#define STORE_PASS_BUF	(256 * 1024)
#define COPY_BUF	(1024 * 1024)	/* the importer's copy buffer */
#define PIPE_MIN	(16 * 1024 * 1024)	/* copies this big: store_pipe */
#define STORE_EWRITE	(-2)	/* store_pass: writing failed */
#define STORE_CHANGED	(-3)	/* store_copy_start: the source changed
				   while it was copied (not a failure) */
#define HASH_SLOT	(256 * 1024)	/* store-hash.c's slots */

/* Where a copy is filed, and how (store_copy_start, store_link_*). */
struct store_dest {
	int		 dirfd;		/* the library directory */
	const char	*tmpdir;	/* named copies go here without O_TMPFILE */
	int		 verify;	/* read the copy back and compare */
	int		 dirsync;	/* fsync dirfd once the copy is named */
	/* store_link_sync: may a name be taken (1), or is it passed (0)? */
	int		(*name_ok)(void *, int, const char *);
	void		*name_arg;
	/* store_link_sync: after the name, alt, alt.1 ... (store_name_nth) */
	const char	*alt;
};

/* Room for a file name with a -N suffix (store_name_candidate). */
#define STORE_NAME_MAX	(NAME_MAX * 4 + 16)
#define STORE_NAMES	10000	/* NAME, NAME-1.EXT ... NAME-9999.EXT */

struct store_hash;

/* A copy on its way into the library. */
struct store_file {
	int		 fd;		/* the copy, not yet named */
	char		*tmppath;	/* named temp file, or NULL (O_TMPFILE) */
	uint64_t	 size;
	char		 sha256[65];	/* of the bytes read from the source */
	struct store_hash *hash;	/* computing sha256 (and checking): or NULL */
	int		 verify;	/* read back before it is filed */
	int		 checked;	/* read back and compared already */
	int		 checking;	/* being read back (store_copy_check_start) */
	char		 name[STORE_NAME_MAX];	/* store_link_sync: its name */
};

/* What store_link_sync did. */
#define STORE_LINKED	0	/* filed under a new name */
#define STORE_EXISTS	1	/* an identical file was already there */

struct sb_src;

int	 store_copy_start(const struct sb_src *src, const struct stat *sb,
	    const struct store_dest *dest, struct store_file *f, char *err,
	    size_t errlen);
int	 store_copy_finish(struct store_file *f, char *err, size_t errlen);
int	 store_copy_check(struct store_file *f, char *err, size_t errlen);
void	 store_copy_check_start(struct store_file *f);
int	 store_name_candidate(const char *name, int i, char *out,
	    size_t size);
int	 store_name_nth(const char *name, const char *alt, int i, char *out,
	    size_t size);
int	 store_link_sync(struct store_file *f, const struct store_dest *dest,
	    const char *name, char *err, size_t errlen);
int	 store_link_at(struct store_file *f, const struct store_dest *dest,
	    const char *name, char *err, size_t errlen);
void	 store_discard(struct store_file *f);
int	 store_open_copy(int dirfd, const char *tmpdir, struct store_file *f,
	    char *err, size_t errlen);
void	 store_clean_tmp(const char *tmpdir);
int	 store_tmpfile(int dirfd);
int	 store_link_tmpfile(int fd, int dirfd, const char *name);
int	 store_mkdirs(int dirfd, const char *rel, char *err, size_t errlen);
int	 store_open_below(int dirfd, const char *rel, char *err,
	    size_t errlen);
int	 store_open_file(const char *top, const char *rel, char *err,
	    size_t errlen);
int	 store_opendirs(int dirfd, const char *rel, int create,
	    const char *what, char *err, size_t errlen);
int	 store_pass(struct store_pass *p, char *err, size_t errlen);
ssize_t	 store_read(int fd, uint8_t *buf, size_t want, uint64_t off,
	    uint64_t size, char *err, size_t errlen);
int	 store_write_all(int fd, const uint8_t *buf, size_t len);
void	 store_writeback(int fd, uint64_t off, uint64_t chunk,
	    uint64_t *flushed);
int	 store_hash_fd(int fd, uint64_t size, char *hex, char *err,
	    size_t errlen);
void	 store_sha256_hex(const unsigned char *md, char *hex);

/* What store_check_at found of a library file against its record. */
enum store_check {
	CHECK_SAME,	/* its size and SHA-256 (or size and mtime) */
	CHECK_MISSING,	/* nothing at its name */
	CHECK_OTHER,	/* a link, another size, other bytes: why says */
	CHECK_FAILED	/* it could not be read: why says */
};
enum store_check store_check_at(int dirfd, const char *path, int64_t size,
	    int64_t mtime_ns, const char *sha256, uint64_t *read, char *why,
	    size_t whylen);

struct scan;
struct scan_entry;
void	 store_ahead(const struct scan *sc, const struct scan_entry *e);

/* store-hash.c: a small copy's hashes on a second thread */
struct store_hash *store_hash_new(int fd);
uint8_t	*store_hash_slot(void);
void	 store_hash_push(struct store_hash *h, size_t len, int last);
void	 store_hash_writeback(struct store_hash *h);
void	 store_hash_check(struct store_hash *h, uint64_t size);
int	 store_hash_checked(struct store_hash *h, char *err, size_t errlen);
void	 store_hash_result(struct store_hash *h, char *hex);
void	 store_hash_free(struct store_hash *h);
int	 store_hash_tmpfile(int dirfd);
void	 store_hash_end(void);

/* store-pipe.c: large copies, for store_copy_start */
int	 store_pipe(int srcfd, const uint8_t *head, size_t headlen, int fd,
	    uint64_t size, EVP_MD_CTX *ctx, int verify, char *err,
	    size_t errlen);

#endif /* STORE_H */
