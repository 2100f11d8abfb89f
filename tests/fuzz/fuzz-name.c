/*
 * fuzz-name.c: date_from_name() and date_from_folder() on arbitrary names
 * and paths. Whatever they take must be a real date in the range they
 * promise.
 */
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 2024-06-01T00:00:00Z: a fixed now, so that a crash replays. */
#define NOW	((int64_t)19875 * 86400)

static void
check(int prec, const struct sb_time *t)
{
	if (prec == DATE_NAME_NONE)
		return;
	if (!t->has_wall || t->has_utc || t->has_offset ||
	    t->year < 1990 || t->year > 2024 ||
	    !date_valid(t->year, t->mon, t->day, t->hour, t->min, t->sec) ||
	    (prec == DATE_NAME_DAY && (t->hour || t->min || t->sec)))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_time	 t;
	char		*name;

	if (size > 4096)
		return 0;
	name = xmalloc(size + 1);
	memcpy(name, data, size);
	name[size] = '\0';
	memset(&t, 0, sizeof t);
	check(date_from_name(name, NOW, &t), &t);
	memset(&t, 0, sizeof t);
	check(date_from_folder(name, NOW, &t), &t);
	free(name);
	return 0;
}
