/*
 * src.c: bounded reads from a file or memory, and byte-order helpers. Every
 * parser reads through src_read(), which refuses anything past the end.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"

/* Read exactly len bytes at off; 0 on success, -1 if out of bounds or I/O. */
int
src_read(const struct sb_src *s, uint64_t off, void *buf, size_t len)
{
	uint8_t	*p = buf;
	ssize_t	 n;

	if (off > s->size || len > s->size - off)
		return -1;
	if (len == 0)
		return 0;
	if (s->head != NULL && off < s->headlen) {
		size_t	c = s->headlen - off < len ? s->headlen - off : len;

		memcpy(p, s->head + off, c);
		p += c;
		off += c;
		len -= c;
	}
	while (len > 0) {
		if (s->fd < 0)
			return -1;
		n = pread(s->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make s a memory-only source over buf. */
void
src_mem(struct sb_src *s, const uint8_t *buf, size_t len)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->path = "(memory)";
	s->size = len;
	s->head = buf;
	s->headlen = len;
}

uint16_t
get16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint16_t
get16le(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t
get32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint32_t
get32le(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

uint64_t
get64be(const uint8_t *p)
{
	return (uint64_t)get32be(p) << 32 | get32be(p + 4);
}

uint64_t
get64le(const uint8_t *p)
{
	return (uint64_t)get32le(p + 4) << 32 | get32le(p);
}
