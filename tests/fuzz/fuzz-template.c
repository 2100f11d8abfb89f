/*
 * fuzz-template.c: the pattern and name templates (template.c) on arbitrary
 * config text and arbitrary values from a file (make, model, name). The
 * input is TEMPLATE NUL NAME NUL MAKE NUL MODEL; its first byte chooses a
 * folder or a name. Whatever comes out must stay inside the library: a
 * relative path, no empty part, no part starting with a dot, no control
 * byte, no part longer than NAME_MAX, and a name has one part.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The next NUL-ended field of the input, or "" when it has run out. */
static const char *
field(char **p, char *end)
{
	char	*f = *p;

	if (f >= end)
		return "";
	*p = f + strlen(f) + 1;
	return f;
}

/* Trap unless out is a path that stays inside the library. */
static void
check(const char *out, int flags)
{
	const char	*p, *e;

	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			__builtin_trap();
	for (p = out; ; p = e + 1) {
		if ((e = strchr(p, '/')) == NULL)
			e = p + strlen(p);
		if (e == p || *p == '.' || e - p > NAME_MAX)
			__builtin_trap();
		if (*e == '\0')
			break;
		if (!(flags & TMPL_DIR))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_time		 t = { 1, 2004, 3, 30, 10, 11, 12, 0, 0, 0, 0 };
	struct tmpl_vals	 v;
	char			*buf, *p, err[200], out[PATH_MAX];
	const char		*tmpl;
	int			 flags;
	size_t			 at;

	if (size < 1 || size > 8192)
		return 0;
	flags = data[0] & 1 ? TMPL_DIR : 0;
	buf = xmalloc(size + 1);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	p = buf;
	tmpl = field(&p, buf + size - 1);
	memset(&v, 0, sizeof v);
	v.t = &t;
	v.name = field(&p, buf + size - 1);
	v.make = field(&p, buf + size - 1);
	v.model = field(&p, buf + size - 1);
	v.kind = (enum kind)(data[0] >> 1) % (KIND_SIDECAR + 1);
	v.seq = data[0];
	if (tmpl_check(tmpl, flags, err, sizeof err) == 0 &&
	    tmpl_expand(tmpl, flags, &v, out, sizeof out, &at) == 0) {
		check(out, flags);
		/* {seq} is in what came out, unless the name was cut */
		if (at != (size_t)-1 && at >= strlen(out) &&
		    strlen(out) < NAME_MAX - TMPL_NAME_ROOM - 3)
			__builtin_trap();
	}
	/* The values alone, as {make} puts them in a folder. */
	if (tmpl_expand("{make}/{model}/{name}", TMPL_DIR, &v, out,
	    sizeof out, NULL) == 0)
		check(out, TMPL_DIR);
	if (tmpl_expand("%Y{stem}_{ext:upper}", 0, &v, out, sizeof out,
	    NULL) == 0)
		check(out, 0);
	free(buf);
	return 0;
}
