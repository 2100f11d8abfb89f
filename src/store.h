/*
 * store.h: the atomic, verified copy of one file into a library directory
 * (store.c) for the importer, and the pieces of it the remotes share: the
 * read, hash and copy pass (store_pass), unnamed files (store_tmpfile),
 * mkdir -p (store_mkdirs).
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>

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
	uint64_t	 writeback;	/* start out's writeback this often, or 0 */
	uint64_t	 flushed;	/* out's writeback started up to here */
	volatile int	*interrupted;	/* stop (EINTR) once this is set */
	uint64_t	*progress;	/* bytes read added (atomically), or NULL */
	uint8_t		*buf;		/* the caller's buffer, or NULL: one of */
	size_t		 bufsize;	/* STORE_PASS_BUF bytes for the pass */
};
#define STORE_PASS_BUF	(256 * 1024)
#define STORE_EWRITE	(-2)	/* store_pass: writing failed */

struct store_file {
	int		 fd;		/* the copy, not yet named */
	char		*tmppath;	/* named temp file, or NULL (O_TMPFILE) */
	uint64_t	 size;
	char		 sha256[65];	/* of the bytes read from the source */
	int		 checked;	/* read back and compared already */
};

/* What store_link_sync did. */
#define STORE_LINKED	0	/* filed under a new name */
#define STORE_EXISTS	1	/* an identical file was already there */

int	 store_copy_start(int, const uint8_t *, size_t, const struct stat *,
	    int, const char *, int, struct store_file *, char *, size_t);
int	 store_copy_finish(struct store_file *, int, char *, size_t);
int	 store_copy_check(struct store_file *, int, char *, size_t);
int	 store_link_sync(struct store_file *, int, const char *, char *,
	    size_t, int, char *, size_t);
int	 store_link_at(struct store_file *, int, const char *, int, char *,
	    size_t);
void	 store_discard(struct store_file *);
int	 store_tmpfile(int dirfd);
int	 store_link_tmpfile(int fd, int dirfd, const char *name);
int	 store_mkdirs(int, const char *, char *, size_t);
ssize_t	 store_read(int fd, uint8_t *buf, size_t want, uint64_t off,
	    uint64_t size, char *err, size_t errlen);
int	 store_pass(struct store_pass *p, char *err, size_t errlen);
int	 store_hash_fd(int, uint64_t, char *, char *, size_t);
void	 store_sha256_hex(const unsigned char *, char *);

#endif /* STORE_H */
