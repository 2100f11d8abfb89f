/*
 * remote-sftp-list.c: reading an SFTP directory listing as curl gives it
 * (untrusted text, read within its length): one "ls -l" line per entry,
 * "-rw-r--r--    1 user  group   2 Nov 30 12:40 NAME", eight fields then
 * one space and the name, which may hold spaces. The first letter says a
 * folder (d) or a file (-); anything else (links, devices) is passed over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "remote-sftp.h"

/* Skip one field and the blanks before it; NULL at the end of the line. */
static const char *
sftp_field(const char *p, const char *eol, const char **start,
    size_t *len)
{
	while (p < eol && *p == ' ')
		p++;
	if (p == eol)
		return NULL;
	*start = p;
	while (p < eol && *p != ' ')
		p++;
	*len = (size_t)(p - *start);
	return p;
}

/* One line; 0, 1 to pass it over, or -1 if it is not a listing line. */
static int
sftp_line(const char *p, const char *eol, char *type, uint64_t *size,
    const char **name, size_t *namelen)
{
	const char	*f;
	size_t		 n, i;
	int		 k;

	for (k = 0; k < 8; k++) {
		if ((p = sftp_field(p, eol, &f, &n)) == NULL)
			return -1;
		if (k == 0)
			*type = *f;
		if (k == 4) {
			if (n == 0 || n > 19)
				return -1;
			for (*size = 0, i = 0; i < n; i++) {
				if (f[i] < '0' || f[i] > '9')
					return -1;
				*size = *size * 10 + (uint64_t)(f[i] - '0');
			}
		}
	}
	if (p >= eol - 1 || *p != ' ')
		return -1;
	*name = p + 1;
	*namelen = (size_t)(eol - p - 1);
	return *type == 'd' || *type == '-' ? 0 : 1;
}

/*
 * Read a listing (len bytes at text), calling each for every folder and
 * file in it but "." and "..". 0; -1 when a line is not understood (those
 * before it were given); 2 when each stopped it.
 */
int
sftp_list_parse(const char *text, size_t len, sftp_list_each each, void *arg)
{
	const char	*p = text, *end = text + len, *eol, *nl, *line;
	const char	*name;
	char		 type = 0, *s;
	uint64_t	 size = 0;
	size_t		 n;
	int		 rc;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl != NULL ? nl : end;
		line = p;
		p = nl != NULL ? nl + 1 : end;
		if (eol > line && eol[-1] == '\r')
			eol--;
		if (eol == line)
			continue;
		if ((rc = sftp_line(line, eol, &type, &size, &name, &n)) == -1)
			return -1;
		if (rc == 1 || (n == 1 && name[0] == '.') ||
		    (n == 2 && name[0] == '.' && name[1] == '.'))
			continue;
		if (memchr(name, '\0', n) != NULL || memchr(name, '/', n) !=
		    NULL)
			return -1;
		s = xmalloc(n + 1);
		memcpy(s, name, n);
		s[n] = '\0';
		rc = each(arg, s, type == 'd', size);
		free(s);
		if (rc == -1)
			return 2;
	}
	return 0;
}
