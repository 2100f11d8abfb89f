/*
 * fuzz-s3-list.c: s3_list_parse() on arbitrary bytes, as a server may
 * answer a bucket listing. Every key given must be a NUL-terminated string
 * no longer than the input, and the marker the last key given.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-s3.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct seen {
	size_t	 max;
	char	*last;
};

static int
each(void *arg, const char *key, const char *alt, uint64_t size)
{
	struct seen	*s = arg;

	(void)size;
	if (strlen(key) > s->max || (alt != NULL && strlen(alt) > s->max))
		__builtin_trap();
	free(s->last);
	s->last = strdup(key);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen	 s = { size, NULL };
	char		*last, *buf;
	int		 more, rc;

	/* not NUL-terminated: the parser must keep to the length */
	buf = xmalloc(size ? size : 1);
	memcpy(buf, data, size);
	rc = s3_list_parse(buf, size, each, &s, &more, &last);
	if (rc == 0 && (last == NULL) != (s.last == NULL))
		__builtin_trap();
	if (last != NULL && s.last != NULL && strcmp(last, s.last) != 0)
		__builtin_trap();
	free(last);
	free(s.last);
	free(buf);
	return 0;
}
