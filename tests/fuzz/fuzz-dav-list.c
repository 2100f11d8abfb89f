/*
 * fuzz-dav-list.c: dav_list_parse() on arbitrary bytes, as a WebDAV server
 * may answer a PROPFIND. Every href given must be a NUL-terminated string
 * no longer than the input.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-dav.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
each(void *arg, const char *href, int collection, uint64_t size,
    int has_size)
{
	(void)collection;
	(void)size;
	(void)has_size;
	if (strlen(href) > *(size_t *)arg)
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*buf;

	/* not NUL-terminated: the parser must keep to the length */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	dav_list_parse(buf, size, each, &size);
	free(buf);
	return 0;
}
