/*
 * config.c: the INI config file (parsed by inih), plus settings made on the
 * command line. Section names are normalised so that [remote "nas"] and
 * [remote nas] are the same section; keys before any section are global ("").
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "shoebox.h"

struct config_item {
	char	*section;
	char	*key;
	char	*value;
	int	 line;
};

struct config {
	struct config_item	*items;
	size_t			 n;
	size_t			 cap;
	char			*path;
	char			*error;
	const char		**names;	/* scratch for config_sections */
	int			 secret;	/* file holds a secret */
};

/* Keys whose values are secrets: never printed, and the file must be private. */
static const char *secret_keys[] = {
	"secret_access_key", "secret_key", "password", "pass", "session_token",
	NULL
};

struct config *
config_new(void)
{
	return xcalloc(1, sizeof(struct config));
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->items[i].section);
		free(cfg->items[i].key);
		free(cfg->items[i].value);
	}
	free(cfg->items);
	free(cfg->path);
	free(cfg->error);
	free(cfg->names);
	free(cfg);
}

/* Normalise a section name: quotes dropped, spaces collapsed. */
static char *
section_name(const char *s)
{
	char	*out = xmalloc(strlen(s) + 1), *o = out;
	int	 space = 0;

	while (isspace((unsigned char)*s))
		s++;
	for (; *s != '\0'; s++) {
		if (*s == '"')
			continue;
		if (isspace((unsigned char)*s)) {
			space = 1;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* Set section.key = value, replacing an earlier value. */
void
config_set(struct config *cfg, const char *section, const char *key,
    const char *value)
{
	struct config_item	*it;
	char			*sect = section_name(section);
	size_t			 i;

	for (i = 0; i < cfg->n; i++) {
		it = &cfg->items[i];
		if (strcmp(it->section, sect) == 0 &&
		    strcasecmp(it->key, key) == 0) {
			free(it->value);
			it->value = xstrdup(value);
			free(sect);
			return;
		}
	}
	if (cfg->n == cfg->cap) {
		cfg->cap = cfg->cap ? cfg->cap * 2 : 16;
		cfg->items = xreallocarray(cfg->items, cfg->cap,
		    sizeof *cfg->items);
	}
	it = &cfg->items[cfg->n++];
	it->section = sect;
	it->key = xstrdup(key);
	it->value = xstrdup(value);
	it->line = 0;
}

static int
config_handler(void *arg, const char *section, const char *key,
    const char *value)
{
	struct config	*cfg = arg;
	size_t		 i;

	if (key == NULL)	/* a section with no keys yet */
		return 1;
	for (i = 0; secret_keys[i] != NULL; i++)
		if (strcasecmp(key, secret_keys[i]) == 0 && *value != '\0')
			cfg->secret = 1;
	config_set(cfg, section, key, value);
	return 1;
}

/*
 * Load an INI file. A missing file is an error only when must_exist is set.
 * Returns 0, or -1 after printing what is wrong and how to fix it.
 */
int
config_load(struct config *cfg, const char *path, int must_exist)
{
	struct stat	 sb;
	FILE		*f;
	int		 line;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return 0;
		log_warn("config %s", path);
		return -1;
	}
	cfg->secret = 0;
	line = ini_parse_file(f, config_handler, cfg);
	if (line != 0) {
		fclose(f);
		if (line > 0)
			log_warnx("config %s: line %d: not understood", path,
			    line);
		else
			log_warnx("config %s: could not be read", path);
		return -1;
	}
	if (cfg->secret && fstat(fileno(f), &sb) == 0 &&
	    (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		fclose(f);
		log_warnx("config %s holds a secret but others can read it "
		    "(mode %04o); run: chmod 600 %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
		return -1;
	}
	fclose(f);
	free(cfg->path);
	cfg->path = xstrdup(path);
	return 0;
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path;
}

/* The value of section.key, or NULL. */
const char *
config_get(const struct config *cfg, const char *section, const char *key)
{
	char	*sect;
	size_t	 i;
	const char *v = NULL;

	if (cfg == NULL)
		return NULL;
	sect = section_name(section);
	for (i = 0; i < cfg->n; i++) {
		if (strcasecmp(cfg->items[i].section, sect) == 0 &&
		    strcasecmp(cfg->items[i].key, key) == 0) {
			v = cfg->items[i].value;
			break;
		}
	}
	free(sect);
	return v;
}

/* yes/no/true/false/on/off/1/0; def when unset or not understood. */
int
config_get_bool(const struct config *cfg, const char *section,
    const char *key, int def)
{
	const char	*v = config_get(cfg, section, key);

	if (v == NULL)
		return def;
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return 0;
	return def;
}

/* A size such as 8M, 64MiB, 1G or 4096; def when unset, -1 when invalid. */
long long
config_get_size(const struct config *cfg, const char *section,
    const char *key, long long def)
{
	const char	*v = config_get(cfg, section, key);
	char		*end;
	long long	 n, mul = 1;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || n < 0)
		return -1;
	while (*end == ' ')
		end++;
	switch (toupper((unsigned char)*end)) {
	case '\0':
	case 'B':
		break;
	case 'K':
		mul = 1024LL;
		break;
	case 'M':
		mul = 1024LL * 1024;
		break;
	case 'G':
		mul = 1024LL * 1024 * 1024;
		break;
	case 'T':
		mul = 1024LL * 1024 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (n > (long long)(INT64_MAX / mul))
		return -1;
	return n * mul;
}

/*
 * A duration such as 0, 45, 30s, 10m, 2h or 1d (seconds without a unit).
 * 0 and *secs, or -1 when it is not one.
 */
int
config_parse_duration(const char *v, double *secs)
{
	char	*end;
	double	 n;

	errno = 0;
	n = strtod(v, &end);
	if (errno != 0 || end == v || n < 0 || n != n)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '\0' || strcmp(end, "s") == 0)
		;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		n *= 60;
	else if (strcmp(end, "h") == 0)
		n *= 3600;
	else if (strcmp(end, "d") == 0)
		n *= 86400;
	else
		return -1;
	*secs = n;
	return 0;
}

/*
 * Names of the sections "PREFIX NAME" (e.g. every [remote NAME]), in file
 * order. *names stays valid until the next call. Returns the count.
 */
int
config_sections(const struct config *cfg, const char *prefix,
    const char ***names)
{
	struct config	*c = (struct config *)cfg;
	size_t		 i, j, plen = strlen(prefix);
	int		 n = 0;
	const char	*name;

	free(c->names);
	c->names = xcalloc(c->n + 1, sizeof *c->names);
	for (i = 0; i < c->n; i++) {
		if (strncasecmp(c->items[i].section, prefix, plen) != 0 ||
		    c->items[i].section[plen] != ' ')
			continue;
		name = c->items[i].section + plen + 1;
		for (j = 0; j < (size_t)n; j++)
			if (strcmp(c->names[j], name) == 0)
				break;
		if (j == (size_t)n)
			c->names[n++] = name;
	}
	*names = c->names;
	return n;
}
