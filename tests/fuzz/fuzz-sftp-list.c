/*
 * fuzz-sftp-list.c: sftp_list_parse() on arbitrary bytes, as an SFTP
 * server's listing may come. Every name given must be a non-empty,
 * NUL-terminated string with no '/', no longer than the input.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-sftp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
each(void *arg, const char *name, int folder, uint64_t size)
{
	(void)folder;
	(void)size;
	if (name[0] == '\0' || strlen(name) > *(size_t *)arg ||
	    strchr(name, '/') != NULL)
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
	sftp_list_parse(buf, size, each, &size);
	free(buf);
	return 0;
}
