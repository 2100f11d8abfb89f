/*
 * store-hash.c: the hashes of a small copy (store_copy_start, below
 * PIPE_MIN bytes) on a second thread. The importer reads each file into a
 * slot of a ring, writes the slot to the copy and goes on with the next
 * file; the hashing thread takes the slots in order and computes, over the
 * same bytes, the SHA-256 the catalogue records and the XXH3-128 the copy
 * is checked against once read back (store_copy_check), then starts the
 * copy's writeback, also off the importer's thread. Memory stays
 * HASH_SLOTS buffers whatever the number of files in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "shoebox.h"
#include "store.h"

#define HASH_SLOTS	8	/* HASH_SLOT buffers in the ring */

/* One copy's hashes (struct store_file's hash), filled by the thread. */
struct store_hash {
	EVP_MD_CTX	*sha256;
	XXH3_state_t	*xxh;
	int		 fd;		/* the copy: writeback started at the end */
	int		 done;		/* both final */
	unsigned char	 md[EVP_MAX_MD_SIZE];	/* the SHA-256, once done */
	XXH128_hash_t	 sum;		/* the XXH3-128, once done */
};

/*
 * The ring: slots handed to the thread (filled) and hashed by it, in
 * order; a slot is reused once hashed. The thread runs from the first
 * small copy to the end of the process.
 */
static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	uint8_t		*buf;		/* HASH_SLOTS * HASH_SLOT bytes */
	struct store_hash *h[HASH_SLOTS];	/* whose bytes */
	size_t		 len[HASH_SLOTS];
	int		 last[HASH_SLOTS];	/* the copy's last slot */
	unsigned long	 filled;	/* slots handed to the thread */
	unsigned long	 hashed;	/* of those, hashed */
	int		 started;
	EVP_MD		*sha256;	/* fetched once */
} ring = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/*
 * Hash slot i into its copy's hashes; after its last slot, finish them and
 * start the copy's writeback (store_copy_finish or a syncfs() waits for it).
 */
static void
hash_slot(size_t i)
{
	struct store_hash	*h = ring.h[i];
	uint8_t			*b = ring.buf + i * (size_t)HASH_SLOT;

	EVP_DigestUpdate(h->sha256, b, ring.len[i]);
	XXH3_128bits_update(h->xxh, b, ring.len[i]);
	if (ring.last[i]) {
		EVP_DigestFinal_ex(h->sha256, h->md, NULL);
		h->sum = XXH3_128bits_digest(h->xxh);
		/* All written: start the copy's writeback, off the importer. */
		sync_file_range(h->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	}
}

/* The hashing thread: hash the slots in order as they are filled. */
static void *
hash_thread(void *arg)
{
	size_t	i;
	int	last;

	(void)arg;
	pthread_mutex_lock(&ring.mu);
	for (;;) {
		while (ring.hashed == ring.filled)
			pthread_cond_wait(&ring.cv, &ring.mu);
		i = ring.hashed % HASH_SLOTS;
		last = ring.last[i];
		pthread_mutex_unlock(&ring.mu);
		hash_slot(i);
		pthread_mutex_lock(&ring.mu);
		if (last)
			ring.h[i]->done = 1;
		ring.hashed++;
		pthread_cond_broadcast(&ring.cv);
	}
	return NULL;
}

/* Start the thread, with every signal blocked (they go to the importer). */
static void
hash_start(void)
{
	pthread_t	t;
	sigset_t	all, old;
	void		*p;

	if (posix_memalign(&p, 4096, HASH_SLOTS * (size_t)HASH_SLOT) != 0)
		fatalx("out of memory");
	ring.buf = p;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, hash_thread, NULL) != 0)
		fatalx("cannot start a thread");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_detach(t);
	ring.started = 1;
}

/*
 * New hashes for the copy fd (kept open until store_hash_free), SHA-256
 * and XXH3-128 both started.
 */
struct store_hash *
store_hash_new(int fd)
{
	struct store_hash	*h = xcalloc(1, sizeof *h);

	h->fd = fd;
	if (ring.sha256 == NULL)
		ring.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (ring.sha256 == NULL || (h->sha256 = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->sha256, ring.sha256, NULL) != 1)
		fatalx("OpenSSL SHA-256 unavailable");
	if ((h->xxh = XXH3_createState()) == NULL)
		fatalx("out of memory");
	XXH3_128bits_reset(h->xxh);
	return h;
}

/*
 * The next free slot of the ring (HASH_SLOT bytes), for the bytes of a
 * copy; once the thread is done with it. Give it back filled with
 * store_hash_push.
 */
uint8_t *
store_hash_slot(void)
{
	uint8_t	*b;

	pthread_mutex_lock(&ring.mu);
	if (!ring.started)
		hash_start();
	while (ring.filled - ring.hashed >= HASH_SLOTS)
		pthread_cond_wait(&ring.cv, &ring.mu);
	b = ring.buf + (ring.filled % HASH_SLOTS) * (size_t)HASH_SLOT;
	pthread_mutex_unlock(&ring.mu);
	return b;
}

/*
 * Hand the slot store_hash_slot gave to the thread: its first len bytes
 * are h's next, and with last its final ones (len may be 0). Every copy's
 * hashes get exactly one last slot, even a copy given up halfway.
 */
void
store_hash_push(struct store_hash *h, size_t len, int last)
{
	size_t	i;

	pthread_mutex_lock(&ring.mu);
	i = ring.filled % HASH_SLOTS;
	ring.h[i] = h;
	ring.len[i] = len;
	ring.last[i] = last;
	ring.filled++;
	pthread_cond_broadcast(&ring.cv);
	pthread_mutex_unlock(&ring.mu);
}

/* Wait until h's last slot is hashed. */
static void
hash_wait(struct store_hash *h)
{
	pthread_mutex_lock(&ring.mu);
	while (!h->done)
		pthread_cond_wait(&ring.cv, &ring.mu);
	pthread_mutex_unlock(&ring.mu);
}

/*
 * h's hashes, once its last slot is hashed (waiting for it): the SHA-256
 * as hex (65 bytes) into hex, the XXH3-128 into sum (low, high).
 */
void
store_hash_result(struct store_hash *h, char *hex, uint64_t sum[2])
{
	hash_wait(h);
	store_sha256_hex(h->md, hex);
	sum[0] = h->sum.low64;
	sum[1] = h->sum.high64;
}

/* Free h, once its last slot is hashed (waiting for it). */
void
store_hash_free(struct store_hash *h)
{
	if (h == NULL)
		return;
	hash_wait(h);
	EVP_MD_CTX_free(h->sha256);
	XXH3_freeState(h->xxh);
	free(h);
}
