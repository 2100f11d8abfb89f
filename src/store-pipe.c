/*
 * store-pipe.c: the copy of a large file (store_copy_start, from
 * PIPE_MIN bytes): the calling thread reads the source into a ring of
 * slots and writes each out, a second thread hashes the slots in order
 * meanwhile, and with verify each stretch of the copy is read back once
 * its writeback completed and compared with the slot it came from. SHA-256
 * is computed once, off the main thread; memory stays PIPE_SLOTS + 1
 * buffers whatever the size of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "store.h"

#define PIPE_SLOTS	8	/* COPY_BUF buffers in flight */
#define PIPE_FLUSH	(2 * 1024 * 1024)	/* its writeback stretch */

static uint8_t	*pipebuf;	/* PIPE_SLOTS + 1 buffers, for store_pipe */

/*
 * A large copy in flight (store_pipe): the calling thread reads the source
 * into a ring of slots, writes each slot to the copy and, with verify,
 * reads the copy back once written out and compares it with the slot; a
 * second thread hashes the slots in order meanwhile. A slot is reused only
 * when both are done with it, so memory stays PIPE_SLOTS buffers.
 */
struct pipe {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	EVP_MD_CTX	*ctx;
	uint8_t		*slot[PIPE_SLOTS];
	size_t		 len[PIPE_SLOTS];
	uint64_t	 at[PIPE_SLOTS];	/* where it goes in the copy */
	unsigned long	 filled;	/* slots handed to the hasher */
	unsigned long	 hashed;	/* of those, hashed */
	int		 stop;
};

/* The hashing thread of store_pipe: hash slots in order until stopped. */
static void *
pipe_hasher(void *arg)
{
	struct pipe	*pp = arg;
	unsigned long	 seq;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		while (pp->hashed == pp->filled && !pp->stop)
			pthread_cond_wait(&pp->cv, &pp->mu);
		if (pp->hashed == pp->filled)
			break;
		seq = pp->hashed % PIPE_SLOTS;
		pthread_mutex_unlock(&pp->mu);
		EVP_DigestUpdate(pp->ctx, pp->slot[seq], pp->len[seq]);
		pthread_mutex_lock(&pp->mu);
		pp->hashed++;
		pthread_cond_broadcast(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/* Wait until the hasher has hashed more than n slots. */
static void
pipe_wait(struct pipe *pp, unsigned long n)
{
	pthread_mutex_lock(&pp->mu);
	while (pp->hashed <= n)
		pthread_cond_wait(&pp->cv, &pp->mu);
	pthread_mutex_unlock(&pp->mu);
}

/*
 * Read back slot seq's stretch of the copy fd once it is on disk (waiting
 * for its writeback) and compare it with the slot, into vbuf. Returns 0, or
 * -1 with err set.
 */
static int
pipe_check(struct pipe *pp, unsigned long seq, int fd, uint8_t *vbuf,
    char *err, size_t errlen)
{
	size_t		 i = seq % PIPE_SLOTS, got = 0;
	uint64_t	 at = pp->at[i];
	ssize_t		 n;

	if (sync_file_range(fd, (off_t)at, (off_t)pp->len[i],
	    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	    SYNC_FILE_RANGE_WAIT_AFTER) == -1) {
		snprintf(err, errlen, "write to library failed: %s",
		    strerror(errno));
		return -1;
	}
	while (got < pp->len[i]) {
		n = pread(fd, vbuf + got, pp->len[i] - got, (off_t)(at + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "reading the copy back: %s",
			    n == 0 ? "it is short" : strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	if (memcmp(vbuf, pp->slot[i], pp->len[i]) != 0) {
		snprintf(err, errlen, "the copy reads back different from the "
		    "source between bytes %llu and %llu",
		    (unsigned long long)at,
		    (unsigned long long)(at + pp->len[i]));
		return -1;
	}
	return 0;
}

/* Set up pp over the pipe buffers and start its hashing thread. */
static void
pipe_start(struct pipe *pp, EVP_MD_CTX *ctx, pthread_t *thread)
{
	void	*p;
	size_t	 i;

	if (pipebuf == NULL) {
		if (posix_memalign(&p, 4096, (PIPE_SLOTS + 1) *
		    (size_t)COPY_BUF) != 0)
			fatalx("out of memory");
		pipebuf = p;
	}
	memset(pp, 0, sizeof *pp);
	pp->ctx = ctx;
	for (i = 0; i < PIPE_SLOTS; i++)
		pp->slot[i] = pipebuf + i * (size_t)COPY_BUF;
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	if (pthread_create(thread, NULL, pipe_hasher, pp) != 0)
		fatalx("cannot start a thread");
}

/* Stop the hashing thread (once it has hashed what it was given). */
static void
pipe_stop(struct pipe *pp, pthread_t thread)
{
	pthread_mutex_lock(&pp->mu);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
	pthread_join(thread, NULL);
	pthread_cond_destroy(&pp->cv);
	pthread_mutex_destroy(&pp->mu);
}

/* Hand the slots up to seq to the hasher. */
static void
pipe_fill(struct pipe *pp, unsigned long seq)
{
	pthread_mutex_lock(&pp->mu);
	pp->filled = seq;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mu);
}

/*
 * Copy srcfd (size bytes, the first headlen of them already read into head)
 * into fd, hashing into ctx on a second thread, and with verify checking
 * each stretch of the copy, the head too, against what was read once it is
 * written out (see struct pipe). Returns 0, or -1 with err set; the thread
 * is gone either way.
 */
int
store_pipe(int srcfd, const uint8_t *head, size_t headlen, int fd,
    uint64_t size, EVP_MD_CTX *ctx, int verify, char *err, size_t errlen)
{
	struct pipe	 pp;
	pthread_t	 thread;
	uint8_t		*buf, *vbuf;
	uint64_t	 off = 0, flushed = 0;
	unsigned long	 seq = 0, checked = 0;
	size_t		 want;
	ssize_t		 n;
	int		 rc = -1;

	pipe_start(&pp, ctx, &thread);
	vbuf = pipebuf + PIPE_SLOTS * (size_t)COPY_BUF;	/* for read-back */
	while (off < size) {
		buf = pp.slot[seq % PIPE_SLOTS];
		/* The slot's last use is hashed and checked: reuse it. */
		if (seq >= PIPE_SLOTS)
			pipe_wait(&pp, seq - PIPE_SLOTS);
		while (verify && checked + PIPE_SLOTS <= seq)
			if (pipe_check(&pp, checked++, fd, vbuf, err,
			    errlen) == -1)
				goto out;
		want = size - off < COPY_BUF ? (size_t)(size - off) :
		    COPY_BUF;
		if (off == 0 && headlen > 0) {
			memcpy(buf, head, headlen);	/* read already */
			n = (ssize_t)headlen;
		} else if ((n = store_read(srcfd, buf, want, off, size, err,
		    errlen)) == -1)
			goto out;
		pp.len[seq % PIPE_SLOTS] = (size_t)n;
		pp.at[seq % PIPE_SLOTS] = off;
		pipe_fill(&pp, ++seq);
		if (store_write_all(fd, buf, (size_t)n) == -1) {
			snprintf(err, errlen, "write to library failed: %s",
			    strerror(errno));
			goto out;
		}
		off += (uint64_t)n;
		store_writeback(fd, off, PIPE_FLUSH, &flushed);
	}
	if (seq > 0)
		pipe_wait(&pp, seq - 1);
	while (verify && checked < seq)
		if (pipe_check(&pp, checked++, fd, vbuf, err, errlen) == -1)
			goto out;
	rc = 0;
out:
	pipe_stop(&pp, thread);
	return rc;
}
