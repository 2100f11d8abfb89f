/*
 * store.h: the atomic, verified copy of one file into a library directory
 * (store.c), shared by import and the local-disk remote.
 */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>

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
int	 store_mkdirs(int, const char *, char *, size_t);
int	 store_hash_fd(int, uint64_t, char *, char *, size_t);
void	 store_sha256_hex(const unsigned char *, char *);

#endif /* STORE_H */
