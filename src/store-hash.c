/*
 * store-hash.c: a small copy's hashes and read-back check (store_copy_start,
 * below PIPE_MIN bytes) on a second thread. The importer reads each file
 * into a slot of a ring, writes the slot to the copy and goes on with the
 * next file; the hashing thread takes the slots in order and computes, over
 * the same bytes, the SHA-256 the catalogue records and an XXH3-128, and
 * once the copy is whole (and its source found unchanged) starts its
 * writeback. Once the batch is durable the importer has the same thread
 * read each copy back (a slot as its buffer) and compare its XXH3-128 with
 * that of the bytes read, a few copies ahead of the one it is filing.
 * Before any of that, the thread makes the next copy's unnamed file
 * (store_hash_tmpfile), so the importer does not wait for its inode.
 * Memory stays HASH_SLOTS buffers whatever the number of files. Only the
 * importer's thread hands it work (one waiter at a time).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "shoebox.h"
#include "store.h"

#define HASH_SLOTS	8	/* HASH_SLOT buffers in the ring */
#define HASH_WAKE	4	/* wake the idle thread for this many */

/* One copy's hashes (struct store_file's hash), filled by the thread. */
struct store_hash {
	EVP_MD_CTX	*sha256;
	XXH3_state_t	*xxh;
	int		 fd;		/* the copy */
	uint64_t	 size;		/* its size, for the read-back */
	unsigned	 given;		/* slots of it handed to the thread ... */
	unsigned	 taken;		/* ... and taken by it */
	int		 check_rc;	/* the read-back's: 0, or -1 and why */
	char		 why[256];
	unsigned char	 md[EVP_MAX_MD_SIZE];	/* the SHA-256, once done */
	XXH128_hash_t	 sum;		/* the XXH3-128, once done */
	struct store_hash *next;	/* freed and kept (store_hash_free) */
};

/*
 * Hashes freed, kept for the next copies: allocating and starting two
 * hash states for every file cost 3% of the importer's time. At most as
 * many as a batch holds at once anyway; only the importer uses the list.
 */
#define HASH_KEEP	256
static struct store_hash *kept;
static size_t		 nkept;

/* What the thread does with a slot. */
enum hash_job {
	JOB_BYTES,	/* hash the copy's next bytes (the last: finish) */
	JOB_WRITEBACK,	/* start the copy's writeback */
	JOB_CHECK	/* read the copy back into the slot and compare */
};

/*
 * The ring: slots handed to the thread (filled) and taken by it, in
 * order; a slot is reused once taken. The thread runs from the first
 * small copy to the end of the process.
 */
static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* the thread waits for slots */
	pthread_cond_t	 done;		/* the importer waits for it */
	int		 idle;		/* the thread is waiting */
	int		 waiting;	/* the importer is waiting */
	uint8_t		*buf;		/* HASH_SLOTS * HASH_SLOT bytes */
	struct store_hash *h[HASH_SLOTS];	/* whose bytes */
	size_t		 len[HASH_SLOTS];
	int		 last[HASH_SLOTS];	/* the copy's last bytes */
	enum hash_job	 job[HASH_SLOTS];
	unsigned long	 filled;	/* slots handed to the thread */
	unsigned long	 hashed;	/* of those, taken */
	int		 started;
	EVP_MD		*sha256;	/* fetched once */
	XXH3_state_t	*xxh;		/* the thread's, for read-backs */
} ring = { .mu = PTHREAD_MUTEX_INITIALIZER,
    .work = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER };

/*
 * The next copy's unnamed file, made ahead on the thread (before any slot)
 * in the directory the last copy went to (store_hash_tmpfile): creating
 * an inode is a fifth of the importer's time on a card of photos. Only
 * the importer asks for it and takes it; the thread fills fd in and
 * clears want, under the ring's lock.
 */
static struct {
	int		 dirfd;		/* a dup of that directory, or -1 */
	dev_t		 dev;		/* which one it is */
	ino_t		 ino;
	int		 fd;		/* made, not taken yet; or -1 */
	int		 want;		/* asked for, not made yet */
} spare = { -1, 0, 0, -1, 0 };

/*
 * Read h's copy back into the slot b and compare its XXH3-128 with that of
 * the bytes read from the source: h->check_rc, h->why.
 */
static void
hash_check(struct store_hash *h, uint8_t *b)
{
	XXH128_hash_t	got;
	uint64_t	off = 0;
	ssize_t		n;

	XXH3_128bits_reset(ring.xxh);
	h->check_rc = -1;
	while (off < h->size) {
		if ((n = store_read(h->fd, b, h->size - off < HASH_SLOT ?
		    (size_t)(h->size - off) : HASH_SLOT, off, h->size, h->why,
		    sizeof h->why)) == -1)
			return;
		XXH3_128bits_update(ring.xxh, b, (size_t)n);
		off += (uint64_t)n;
	}
	got = XXH3_128bits_digest(ring.xxh);
	if (XXH128_isEqual(got, h->sum)) {
		h->check_rc = 0;
		return;
	}
	snprintf(h->why, sizeof h->why, "the copy reads back different from "
	    "the source (XXH3-128 %016llx%016llx, expected %016llx%016llx)",
	    (unsigned long long)got.high64, (unsigned long long)got.low64,
	    (unsigned long long)h->sum.high64,
	    (unsigned long long)h->sum.low64);
}

/* Do slot i's job (enum hash_job). */
static void
hash_slot(size_t i)
{
	struct store_hash	*h = ring.h[i];
	uint8_t			*b = ring.buf + i * (size_t)HASH_SLOT;

	switch (ring.job[i]) {
	case JOB_BYTES:
		EVP_DigestUpdate(h->sha256, b, ring.len[i]);
		XXH3_128bits_update(h->xxh, b, ring.len[i]);
		if (ring.last[i]) {
			EVP_DigestFinal_ex(h->sha256, h->md, NULL);
			h->sum = XXH3_128bits_digest(h->xxh);
		}
		break;
	case JOB_WRITEBACK:
		sync_file_range(h->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		break;
	case JOB_CHECK:
		hash_check(h, b);
		break;
	}
}

/*
 * Wake the importer if it waits for the thread; with the lock, dropped
 * around the signal (as in hash_give).
 */
static void
hash_wake_importer(void)
{
	if (!ring.waiting)
		return;
	pthread_mutex_unlock(&ring.mu);
	pthread_cond_signal(&ring.done);
	pthread_mutex_lock(&ring.mu);
}

/* Make the spare unnamed file asked for; with the lock, dropped meanwhile. */
static void
hash_spare(void)
{
	int	fd;

	pthread_mutex_unlock(&ring.mu);
	fd = store_tmpfile(spare.dirfd);
	pthread_mutex_lock(&ring.mu);
	if (spare.fd >= 0)
		close(spare.fd);	/* never two: spare_ask asks for one */
	spare.fd = fd;
	spare.want = 0;
	hash_wake_importer();
}

/*
 * The hashing thread: take the slots in order as they are filled. Woken
 * only for HASH_WAKE slots or when the importer waits (hash_nudge), not
 * for every slot: each wake-up is a context switch on both sides.
 */
static void *
hash_thread(void *arg)
{
	size_t	i;

	(void)arg;
	pthread_mutex_lock(&ring.mu);
	for (;;) {
		while (ring.hashed == ring.filled && !spare.want) {
			ring.idle = 1;
			pthread_cond_wait(&ring.work, &ring.mu);
			ring.idle = 0;
		}
		if (spare.want) {
			hash_spare();
			continue;
		}
		i = ring.hashed % HASH_SLOTS;
		pthread_mutex_unlock(&ring.mu);
		hash_slot(i);
		pthread_mutex_lock(&ring.mu);
		ring.h[i]->taken++;
		ring.hashed++;
		hash_wake_importer();
	}
	return NULL;
}

/* The importer is about to wait for the thread: wake it if idle. */
static void
hash_nudge(void)
{
	if (ring.idle && ring.filled != ring.hashed)
		pthread_cond_signal(&ring.work);
}

/* Wait (the importer) for the thread to take a slot; with the lock. */
static void
hash_sleep(void)
{
	hash_nudge();
	ring.waiting = 1;
	pthread_cond_wait(&ring.done, &ring.mu);
	ring.waiting = 0;
}

/* Start the thread, with every signal blocked (they go to the importer). */
static void
hash_start(void)
{
	pthread_t	t;
	sigset_t	all, old;
	void		*p;

	if (posix_memalign(&p, 4096, HASH_SLOTS * (size_t)HASH_SLOT) != 0 ||
	    (ring.xxh = XXH3_createState()) == NULL)
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
	struct store_hash	*h = kept;
	EVP_MD_CTX		*sha256 = NULL;
	XXH3_state_t		*xxh = NULL;

	if (h != NULL) {
		/* One freed before: its hashes' states, started again. */
		kept = h->next;
		nkept--;
		sha256 = h->sha256;
		xxh = h->xxh;
		memset(h, 0, sizeof *h);
	} else
		h = xcalloc(1, sizeof *h);
	h->fd = fd;
	if (ring.sha256 == NULL)
		ring.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha256 == NULL)
		sha256 = EVP_MD_CTX_new();
	if ((h->sha256 = sha256) == NULL || ring.sha256 == NULL ||
	    EVP_DigestInit_ex(h->sha256, ring.sha256, NULL) != 1)
		fatalx("OpenSSL SHA-256 unavailable");
	if (xxh == NULL && (xxh = XXH3_createState()) == NULL)
		fatalx("out of memory");
	h->xxh = xxh;
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
		hash_sleep();
	b = ring.buf + (ring.filled % HASH_SLOTS) * (size_t)HASH_SLOT;
	pthread_mutex_unlock(&ring.mu);
	return b;
}

/*
 * Hand the next slot to the thread and drop the lock (held); then wake the
 * thread if it is idle with HASH_WAKE slots to take. Woken under the lock,
 * it would only wait for the lock: one more context switch a copy.
 */
static void
hash_give(struct store_hash *h, size_t len, int last, enum hash_job job)
{
	size_t	i = ring.filled % HASH_SLOTS;
	int	wake;

	ring.h[i] = h;
	ring.len[i] = len;
	ring.last[i] = last;
	ring.job[i] = job;
	ring.filled++;
	h->given++;
	wake = ring.idle && ring.filled - ring.hashed >= HASH_WAKE;
	pthread_mutex_unlock(&ring.mu);
	if (wake)
		pthread_cond_signal(&ring.work);
}

/*
 * Hand the slot store_hash_slot gave to the thread: its first len bytes
 * are h's next, and with last its final ones (len may be 0). Every copy's
 * hashes get exactly one last slot, even a copy given up halfway.
 */
void
store_hash_push(struct store_hash *h, size_t len, int last)
{
	pthread_mutex_lock(&ring.mu);
	hash_give(h, len, last, JOB_BYTES);
}

/*
 * Have the thread start the writeback of h's copy, all of it written (and
 * its source found unchanged) by now: after h's last slot.
 */
void
store_hash_writeback(struct store_hash *h)
{
	store_hash_slot();
	pthread_mutex_lock(&ring.mu);
	hash_give(h, 0, 0, JOB_WRITEBACK);
}

/*
 * Wait until the thread took every slot of h handed to it: its hashes are
 * final (its last bytes were handed first), and any writeback or read-back
 * asked for is done.
 */
static void
hash_wait(struct store_hash *h)
{
	pthread_mutex_lock(&ring.mu);
	while (h->taken < h->given)
		hash_sleep();
	pthread_mutex_unlock(&ring.mu);
}

/*
 * Have the thread read h's copy (size bytes, durable by now) back and
 * compare it with the bytes read from the source (store_hash_checked says
 * how that went). After h's last slot.
 */
void
store_hash_check(struct store_hash *h, uint64_t size)
{
	store_hash_slot();
	pthread_mutex_lock(&ring.mu);
	h->size = size;
	hash_give(h, 0, 0, JOB_CHECK);
}

/*
 * How the read-back store_hash_check asked for went, once done (waiting
 * for it): 0, or -1 with why in err.
 */
int
store_hash_checked(struct store_hash *h, char *err, size_t errlen)
{
	hash_wait(h);
	if (h->check_rc == -1)
		snprintf(err, errlen, "%s", h->why);
	return h->check_rc;
}

/*
 * h's SHA-256, once its last slot is hashed (waiting for it), as hex (65
 * bytes) into hex.
 */
void
store_hash_result(struct store_hash *h, char *hex)
{
	hash_wait(h);
	store_sha256_hex(h->md, hex);
}

/*
 * Free h, once the thread is done with it (waiting for that): kept for a
 * next copy (store_hash_new), up to a batch's worth.
 */
void
store_hash_free(struct store_hash *h)
{
	if (h == NULL)
		return;
	hash_wait(h);
	if (nkept < HASH_KEEP) {
		h->next = kept;
		kept = h;
		nkept++;
		return;
	}
	EVP_MD_CTX_free(h->sha256);
	XXH3_freeState(h->xxh);
	free(h);
}

/* Wait until the thread made the spare asked for, if any; with the lock. */
static void
spare_wait(void)
{
	while (spare.want) {
		ring.waiting = 1;
		pthread_cond_wait(&ring.done, &ring.mu);
		ring.waiting = 0;
	}
}

/*
 * Take the spare unnamed file, if the thread made one in the directory
 * dev, ino; one made elsewhere is closed (so freed). Never waits: a spare
 * not made yet (the thread busy, or without a core) stays asked for, and
 * the copy makes its own. Returns its descriptor, or -1.
 */
static int
spare_take(dev_t dev, ino_t ino)
{
	int	fd = -1, other = -1;

	pthread_mutex_lock(&ring.mu);
	if (spare.want) {
		pthread_mutex_unlock(&ring.mu);
		return -1;
	}
	if (spare.fd >= 0 && spare.dev == dev && spare.ino == ino)
		fd = spare.fd;
	else
		other = spare.fd;
	spare.fd = -1;
	pthread_mutex_unlock(&ring.mu);
	if (other >= 0)
		close(other);
	return fd;
}

/*
 * Have the thread make a spare unnamed file in dirfd (dev, ino), unless
 * one is still being made or is made and not taken: spare_take gives up
 * on a spare still being made, and the thread may finish it before this
 * asks for the next one. Asking again then made a second spare over the
 * first, whose descriptor was lost, open for the rest of the run: with a
 * busy hashing thread, hundreds in an import of a few hundred files, until
 * every copy failed with "Too many open files".
 */
static void
spare_ask(int dirfd, dev_t dev, ino_t ino)
{
	int	busy, wake;

	pthread_mutex_lock(&ring.mu);
	busy = spare.want || spare.fd >= 0;	/* only the thread clears want */
	pthread_mutex_unlock(&ring.mu);
	if (busy)
		return;
	if (spare.dirfd == -1 || spare.dev != dev || spare.ino != ino) {
		if (spare.dirfd != -1)
			close(spare.dirfd);
		/* The thread's own descriptor: the importer may close its. */
		if ((spare.dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) == -1)
			return;
		spare.dev = dev;
		spare.ino = ino;
	}
	pthread_mutex_lock(&ring.mu);
	if (!ring.started)
		hash_start();
	spare.want = 1;
	wake = ring.idle;	/* now: it is wanted before the next copy */
	pthread_mutex_unlock(&ring.mu);
	if (wake)		/* outside the lock, as in hash_give */
		pthread_cond_signal(&ring.work);
}

/*
 * A new unnamed file (mode 0644) in the directory dirfd, for a copy: the
 * one the thread made ahead if it is ready and there, else made now; the
 * thread then makes the next one there. Returns its descriptor;
 * -2 when the filesystem has no O_TMPFILE; or -1 with errno
 * (store_tmpfile).
 */
int
store_hash_tmpfile(int dirfd)
{
	struct stat	sb;
	int		fd;

	if (fstat(dirfd, &sb) == -1)
		return -1;
	if ((fd = spare_take(sb.st_dev, sb.st_ino)) == -1 &&
	    (fd = store_tmpfile(dirfd)) < 0)
		return fd;
	spare_ask(dirfd, sb.st_dev, sb.st_ino);
	return fd;
}

/*
 * The run is over: close the spare unnamed file (freeing it) and the
 * thread's directory, so nothing is held between runs (watch).
 */
void
store_hash_end(void)
{
	int	fd;

	if (!ring.started)
		return;
	pthread_mutex_lock(&ring.mu);
	spare_wait();
	fd = spare.fd;
	spare.fd = -1;
	pthread_mutex_unlock(&ring.mu);
	if (fd >= 0)
		close(fd);
	if (spare.dirfd != -1)
		close(spare.dirfd);
	spare.dirfd = -1;
}
