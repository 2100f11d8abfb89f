/*
 * fuzz-name.c: date_from_name() and date_from_folder() on arbitrary names
 * and paths. Whatever they take must be a real date in the range they
 * promise. And the names a sidecar takes when its own is taken
 * (plan_sidecar_alt, store_name_nth), the input split at its first
 * newline into the main file's name and the sidecar's: each must fit, and
 * each made from the main file's name must pair with it (scan_sidecar_of).
 * And the name a file is filed under (clean_name): as long as its own
 * (sidecar names are made from their main file's by length), and nothing
 * in it that a message would have to escape.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "shoebox.h"
#include "scan.h"
#include "store.h"
#include "import.h"

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

/* A name as filed: as long, and printable as it is. */
static void
clean_check(const char *name)
{
	char	out[NAME_MAX + 1], esc[NAME_MAX * 4 + 1];

	if (strlen(name) > NAME_MAX)
		return;
	clean_name(name, out, sizeof out);
	log_escape(out, esc, sizeof esc, 0);
	if (strlen(out) != strlen(name) || strcmp(esc, out) != 0)
		__builtin_trap();
}

/* The sidecar named sc of the main file named main, its names taken. */
static void
sidecar_names(const char *main, const char *sc)
{
	char	 out[STORE_NAME_MAX];
	char	*alt;
	int	 i, pair;

	alt = plan_sidecar_alt(main, sc);
	/* Whether alt's forms are the ones store_name_nth gives. */
	pair = alt != NULL && strchr(main, '/') == NULL &&
	    strchr(main, '.') != NULL && strchr(sc, '/') == NULL &&
	    !is_sidecar_name(main) && strlen(alt) + 12 <= NAME_MAX;
	for (i = 0; i < 6; i++) {
		if (store_name_nth(sc, alt, i, out, sizeof out) == -1)
			break;
		if (strlen(out) >= sizeof out)
			__builtin_trap();
		if (pair && i > 0 && !scan_sidecar_of(out, main))
			__builtin_trap();
	}
	free(alt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_time	 t;
	char		*name, *nl;

	if (size > 4096)
		return 0;
	name = xmalloc(size + 1);
	memcpy(name, data, size);
	name[size] = '\0';
	memset(&t, 0, sizeof t);
	check(date_from_name(name, NOW, &t), &t);
	memset(&t, 0, sizeof t);
	check(date_from_folder(name, NOW, &t), &t);
	clean_check(name);
	if ((nl = strchr(name, '\n')) != NULL) {
		*nl = '\0';
		sidecar_names(name, nl + 1);
	}
	free(name);
	return 0;
}
