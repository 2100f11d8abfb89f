/*
 * fuzz-headers.c: xreq_header_line() on arbitrary bytes, as a server's
 * answer headers (or the block curl's SFTP statvfs command writes) may
 * come: the input whole, then a line at a time. What it keeps stays
 * NUL-terminated within its fields, and a statvfs figure is -1 or not
 * negative.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "shoebox.h"
#include "remote.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const struct xreq *rq)
{
	if (memchr(rq->etag, '\0', sizeof rq->etag) == NULL ||
	    memchr(rq->meta_sha256, '\0', sizeof rq->meta_sha256) == NULL ||
	    memchr(rq->meta_mtime, '\0', sizeof rq->meta_mtime) == NULL ||
	    rq->vfs_bavail < -1 || rq->vfs_frsize < -1 || rq->vfs_favail < -1)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xreq	 rq;
	const char	*p, *end, *eol;
	char		*buf;

	/* not NUL-terminated: the parser must keep to the length */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	xreq_init(&rq, "GET");
	xreq_header_line(&rq, buf, size);
	check(&rq);
	for (p = buf, end = buf + size; p < end; p = eol) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		else
			eol++;
		xreq_header_line(&rq, p, (size_t)(eol - p));
		check(&rq);
	}
	xreq_free(&rq);
	free(buf);
	return 0;
}
