/*
 * config.c: the INI config file, plus settings made on the command line.
 * Every key shoebox knows is one row of config_keys[] (its section, type,
 * default and one line of documentation): loading checks each key and
 * value against it and says what is accepted, "shoebox config" prints the
 * effective settings from it, and a test keeps shoebox.conf(5) and
 * scripts/shoebox.conf.example in step with it. Section names are
 * normalised so that [remote "nas"] and [remote nas] are the same section;
 * keys before any section are global (""). The parser is our own: lines of
 * any length, and one comment rule (a '#' or ';' starting a line, or
 * following a space or tab, starts a comment).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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

#define G	CONFIG_GLOBAL
#define R	CONFIG_REMOTE
#define C	CONFIG_CAMERA

/* Every key, by section; for remotes, the types that read it (NULL: all). */
const struct config_key config_keys[] = {
	{ "library", G, NULL, CONFIG_PATH, 0, 0, NULL, NULL,
	    "the library, when neither -L nor SHOEBOX_LIBRARY gives one" },
	{ "pattern", G, NULL, CONFIG_PATTERN, 0, 0, NULL, "%Y/%m/%d",
	    "folders under the library for a capture time (strftime)" },
	{ "name", G, NULL, CONFIG_PATTERN, 0, 0, NULL, NULL,
	    "a file's name in its folder, such as %Y%m%d-%H%M%S_{name} "
	    "(default: its own)" },
	{ "settle", G, NULL, CONFIG_DURATION, 0, 0, NULL, "30s",
	    "how long a file must be left unchanged before it is taken" },
	{ "timezone", G, NULL, CONFIG_ZONE, 0, 0, NULL, NULL,
	    "zone for videos' UTC times without an offset (default: the "
	    "machine's)" },
	{ "date_from_name", G, NULL, CONFIG_BOOL, 0, 0, NULL, "yes",
	    "date a file without a date of its own by its name" },
	{ "date_from_folder", G, NULL, CONFIG_BOOL, 0, 0, NULL, "no",
	    "then by its folder's name (2019-08-24 Holiday/, 2019/08/24/)" },
	{ "verify", G, NULL, CONFIG_BOOL, 0, 0, NULL, "yes",
	    "read each copy back and check it against the source" },
	{ "import_unrecognised", G, NULL, CONFIG_BOOL, 0, 0, NULL, "no",
	    "import a file named as media whose content is not recognised, "
	    "as damaged" },
	{ "auto_sync", G, NULL, CONFIG_BOOL, 0, 0, NULL, "no",
	    "upload new files at the end of every import" },
	{ "transfers", G, NULL, CONFIG_COUNT, 1, 64, NULL, "4",
	    "files uploaded at once by shoebox sync" },
	{ "bwlimit", G, NULL, CONFIG_RATE, 0, 0, NULL, NULL,
	    "most bytes per second a sync sends, such as 10M (default: no "
	    "limit)" },
	{ "on_complete", G, NULL, CONFIG_COMMAND, 0, 0, NULL, NULL,
	    "command run after an import that went well" },
	{ "on_error", G, NULL, CONFIG_COMMAND, 0, 0, NULL, NULL,
	    "command run after an import where files failed or that could "
	    "not run" },

	{ "timezone", C, NULL, CONFIG_ZONE, 0, 0, NULL, NULL,
	    "zone for this camera's videos" },

	{ "type", R, NULL, CONFIG_CHOICE, 0, 0, "s3 webdav sftp dir", NULL,
	    "the kind of remote (required)" },
	{ "prefix", R, NULL, CONFIG_PREFIX, 0, 0, NULL, NULL,
	    "a directory (or key prefix) below the remote's root" },
	{ "retries", R, NULL, CONFIG_COUNT, 0, 100, NULL, "5",
	    "times a request is tried again after a 5xx, 429 or timeout" },
	{ "retry_delay", R, NULL, CONFIG_SECONDS, 0, 0, NULL, "1",
	    "seconds before the first retry (doubling each time)" },
	{ "timeout", R, NULL, CONFIG_SECONDS, 1, 0, NULL, "60",
	    "seconds without a byte moving before a transfer is abandoned" },
	{ "connect_timeout", R, NULL, CONFIG_SECONDS, 1, 0, NULL, "30",
	    "seconds to connect" },
	{ "tls_verify", R, NULL, CONFIG_BOOL, 0, 0, NULL, "yes",
	    "check the server's certificate" },
	{ "ca_file", R, NULL, CONFIG_PATH, 0, 0, NULL, NULL,
	    "a CA certificate (or the server's own) to trust" },
	{ "secret_file", R, NULL, CONFIG_PATH, 0, 0, NULL, NULL,
	    "a private file holding this remote's secrets" },
	{ "bucket", R, "s3", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the bucket (required)" },
	{ "region", R, "s3", CONFIG_STRING, 0, 0, NULL, "us-east-1",
	    "the signing region" },
	{ "endpoint", R, "s3", CONFIG_URL, 0, 0, "http:// https://", NULL,
	    "the service (default: AWS in the region)" },
	{ "url_style", R, "s3", CONFIG_CHOICE, 0, 0, "path virtual", NULL,
	    "bucket in the path or in the host name (default: virtual on "
	    "AWS)" },
	{ "access_key_id", R, "s3", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the access key (else secret_file, else AWS_ACCESS_KEY_ID)" },
	{ "secret_access_key", R, "s3", CONFIG_SECRET, 0, 0, NULL, NULL,
	    "the secret key (better in secret_file)" },
	{ "session_token", R, "s3", CONFIG_SECRET, 0, 0, NULL, NULL,
	    "a session token, with temporary credentials" },
	{ "storage_class", R, "s3", CONFIG_STRING, 0, 0, NULL, NULL,
	    "such as STANDARD_IA (default: the bucket's)" },
	{ "multipart_threshold", R, "s3", CONFIG_SIZE, 1, 0, NULL, "64M",
	    "files this large or larger go up in parts" },
	{ "part_size", R, "s3", CONFIG_SIZE, 5LL << 20, 5LL << 30, NULL, "16M",
	    "the size of a part" },
	{ "upload_concurrency", R, "s3", CONFIG_COUNT, 1, 32, NULL, "4",
	    "parts of one file sent at once" },
	{ "url", R, "webdav", CONFIG_URL, 0, 0, "http:// https://", NULL,
	    "the WebDAV root (required)" },
	{ "url", R, "sftp", CONFIG_URL, 0, 0, "sftp://", NULL,
	    "sftp://HOST[:PORT]/PATH (or host, port and path)" },
	{ "host", R, "sftp", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the SSH server, without url" },
	{ "port", R, "sftp", CONFIG_COUNT, 1, 65535, NULL, "22",
	    "its port" },
	{ "path", R, "sftp", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the folder on the server (relative: to the home directory)" },
	{ "path", R, "dir", CONFIG_PATH, 0, 0, NULL, NULL,
	    "the folder on the mounted disk (required)" },
	{ "user", R, "webdav sftp", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the user name" },
	{ "password", R, "webdav sftp", CONFIG_SECRET, 0, 0, NULL, NULL,
	    "the password (better in secret_file)" },
	{ "key_file", R, "sftp", CONFIG_PATH, 0, 0, NULL, NULL,
	    "the SSH private key" },
	{ "known_hosts", R, "sftp", CONFIG_PATH, 0, 0, NULL,
	    "~/.ssh/known_hosts", "the server's host key is checked against it" },
	{ "host_key_check", R, "sftp", CONFIG_BOOL, 0, 0, NULL, "yes",
	    "check the server's host key (no: unsafe)" },
	{ "host_key_sha256", R, "sftp", CONFIG_STRING, 0, 0, NULL, NULL,
	    "the server's host key fingerprints (SHA256:..., several "
	    "allowed), instead of known_hosts" },
	{ NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

#undef G
#undef R
#undef C

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

/* Set section.key = value (from line, or 0), replacing an earlier value. */
static void
config_set_line(struct config *cfg, const char *section, const char *key,
    const char *value, int line)
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
			it->line = line;
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
	it->line = line;
}

/* The line of the file that set section.key, or 0. */
static int
config_line_of(const struct config *cfg, const char *section,
    const char *key)
{
	char	*sect = section_name(section);
	size_t	 i;
	int	 line = 0;

	for (i = 0; i < cfg->n && line == 0; i++)
		if (strcasecmp(cfg->items[i].section, sect) == 0 &&
		    strcasecmp(cfg->items[i].key, key) == 0)
			line = cfg->items[i].line;
	free(sect);
	return line;
}

/* Set section.key = value, replacing an earlier value. */
void
config_set(struct config *cfg, const char *section, const char *key,
    const char *value)
{
	config_set_line(cfg, section, key, value, 0);
}

/* Complaints about the file being loaded, printed in line order. */
struct config_errors {
	struct config_error {
		int	 line;
		char	*msg;
	}	*e;
	int	 n;
};

static void
config_error(struct config_errors *errs, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
config_error(struct config_errors *errs, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = xstrdup(fmt);
	va_end(ap);
	errs->e = xreallocarray(errs->e, (size_t)errs->n + 1, sizeof *errs->e);
	errs->e[errs->n].line = line;
	errs->e[errs->n++].msg = msg;
}

static int
config_error_cmp(const void *a, const void *b)
{
	const struct config_error *x = a, *y = b;

	return x->line != y->line ? (x->line > y->line) - (x->line < y->line) :
	    (x > y) - (x < y);
}

/* Print each complaint, "config FILE: line N: ...", by line; free them. */
static int
config_errors_print(struct config_errors *errs, const char *path)
{
	int	i, n = errs->n;

	if (n > 0)
		qsort(errs->e, (size_t)n, sizeof *errs->e, config_error_cmp);
	for (i = 0; i < n; i++) {
		if (errs->e[i].line > 0)
			log_warnx("config %s: line %d: %s", log_esc(path),
			    errs->e[i].line, errs->e[i].msg);
		else
			log_warnx("config %s: %s", log_esc(path),
			    errs->e[i].msg);
		free(errs->e[i].msg);
	}
	free(errs->e);
	errs->e = NULL;
	errs->n = 0;
	return n;
}

/* Strip blanks from both ends of s, in place. */
static char *
config_trim(char *s)
{
	size_t	n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * Cut a comment off line: '#' or ';' at its start (after blanks), or
 * right after a space or tab. Nowhere else is either special: a '#' inside
 * a word (a URL's fragment) stays.
 */
static void
config_uncomment(char *line)
{
	char	*p;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '#' || *p == ';') {
		*line = '\0';
		return;
	}
	for (; *p != '\0'; p++)
		if ((*p == '#' || *p == ';') && p > line &&
		    (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

/* The kind of a section: "", "remote NAME", "camera MODEL"; -1 if none. */
static int
config_scope(const char *section)
{
	if (*section == '\0')
		return CONFIG_GLOBAL;
	if (strncasecmp(section, "remote ", 7) == 0 && section[7] != '\0')
		return CONFIG_REMOTE;
	if (strncasecmp(section, "camera ", 7) == 0 && section[7] != '\0')
		return CONFIG_CAMERA;
	return -1;
}

/*
 * Read the INI text of f into cfg: "[section]" lines, "key = value" lines
 * (and inih's "key: value"), blank lines and comments. A line that is
 * none of these is named in errs.
 */
static void
config_parse(struct config *cfg, FILE *f, struct config_errors *errs)
{
	char	*buf = NULL, *line, *sep, *key, *value, *end, *sect;
	char	*section = xstrdup("");
	size_t	 cap = 0;
	int	 lineno = 0, skip = 0, prev;

	while (getline(&buf, &cap, f) != -1) {
		line = buf;
		if (++lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3;	/* a byte order mark */
		config_uncomment(line);
		line = config_trim(line);
		if (*line == '\0')
			continue;
		if (*line == '[') {
			if ((end = strrchr(line, ']')) == NULL ||
			    end[1] != '\0') {
				config_error(errs, lineno, "a section "
				    "line is [remote NAME] or [camera MODEL]");
				skip = 1;
				continue;
			}
			*end = '\0';
			sect = section_name(line + 1);
			skip = config_scope(sect) == -1;
			if (skip)
				config_error(errs, lineno, "[%s]: "
				    "unknown section; sections are [remote "
				    "NAME] and [camera MODEL], and global keys "
				    "go before the first one", log_esc(sect));
			free(section);
			section = sect;
			continue;
		}
		if ((sep = strpbrk(line, "=:")) == NULL || sep == line) {
			config_error(errs, lineno, "not a 'key = value' "
			    "line: %s", log_esc(line));
			continue;
		}
		*sep = '\0';
		key = config_trim(line);
		value = config_trim(sep + 1);
		if (!skip && (prev = config_line_of(cfg, section, key)) > 0)
			config_error(errs, lineno, "%s: given again (line %d "
			    "sets it%s%s%s); keep one", log_esc(key), prev,
			    *section != '\0' ? " in the same [" : "",
			    *section != '\0' ? log_esc(section) : "",
			    *section != '\0' ? "]" : "");
		else if (!skip)
			config_set_line(cfg, section, key, value, lineno);
	}
	if (ferror(f))
		config_error(errs, 0, "%s", strerror(errno));
	free(buf);
	free(section);
}

/* Damerau-Levenshtein distance of two short words, case folded. */
static int
config_distance(const char *a, const char *b)
{
	int	d[40][40], i, j, c;
	int	la = (int)strlen(a), lb = (int)strlen(b);

	if (la >= 40 || lb >= 40)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			d[i][j] = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < d[i][j])
				d[i][j] = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + c < d[i][j])
				d[i][j] = d[i - 1][j - 1] + c;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

/* Is word one of the space-separated words of list (case folded)? */
static int
config_in_list(const char *list, const char *word)
{
	size_t		 n = strlen(word), len;
	const char	*p;

	for (p = list; *p != '\0'; p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		if (len == n && strncasecmp(p, word, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * The row of config_keys for key in a section of scope (for a remote, of
 * type type, or NULL when the type is unknown), or NULL. *other (if not
 * NULL) gets the row when the key is for other types of remote only.
 */
const struct config_key *
config_key_find(const char *key, int scope, const char *type,
    const struct config_key **other)
{
	const struct config_key	*k;

	if (other != NULL)
		*other = NULL;
	for (k = config_keys; k->name != NULL; k++) {
		if (k->scope != scope || strcasecmp(k->name, key) != 0)
			continue;
		if (k->kinds == NULL || type == NULL ||
		    config_in_list(k->kinds, type))
			return k;
		if (other != NULL)
			*other = k;
	}
	return NULL;
}

static const char *const scope_names[] = {
	"the global section", "[remote NAME] sections",
	"[camera MODEL] sections"
};

/* Say that key (in a section of scope) is unknown, and what was meant. */
static void
config_unknown(struct config_errors *errs, int line, const char *key,
    int scope, const char *type)
{
	const struct config_key	*k, *best = NULL, *other;
	int			 d, bestd = 99, s;

	if (config_key_find(key, scope, type, &other) == NULL &&
	    other != NULL) {
		config_error(errs, line, "%s: a key of %s remotes, not "
		    "of type %s", log_esc(key), other->kinds, type);
		return;
	}
	for (s = 0; s < 3; s++)
		if (s != scope && config_key_find(key, s, NULL, NULL) != NULL) {
			config_error(errs, line, "%s: not a key of %s "
			    "but of %s%s", log_esc(key), scope_names[scope],
			    scope_names[s], s == CONFIG_GLOBAL ? " (global keys "
			    "go before the first [section])" : "");
			return;
		}
	for (k = config_keys; k->name != NULL; k++)
		if (k->scope == scope &&
		    (d = config_distance(key, k->name)) < bestd) {
			bestd = d;
			best = k;
		}
	if (best != NULL && bestd <= 1 + (int)strlen(key) / 4)
		config_error(errs, line, "%s: unknown key; did you mean "
		    "%s?", log_esc(key), best->name);
	else
		config_error(errs, line, "%s: unknown key in %s (see "
		    "'shoebox config keys' or shoebox.conf(5))", log_esc(key),
		    scope_names[scope]);
}

/* A size: digits, then nothing, B, or K, M, G, T (alone, with B or iB). */
static int
config_check_size(const char *v, long long *out)
{
	const char	*p = v, *units = "KMGT", *u;
	long long	 n = 0, mul = 1;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > INT64_MAX / 10 - 9)
			return -1;
		n = n * 10 + (*p - '0');
	}
	while (*p == ' ')
		p++;
	if (*p != '\0' && (u = strchr(units, toupper((unsigned char)*p))) !=
	    NULL) {
		mul = 1LL << (10 * (u - units + 1));
		p++;
		if (strcasecmp(p, "B") == 0 || strcasecmp(p, "iB") == 0)
			p += strlen(p);
	} else if (strcasecmp(p, "B") == 0)
		p++;
	if (*p != '\0' || n > INT64_MAX / mul)
		return -1;
	*out = n * mul;
	return 0;
}

/*
 * A plain decimal number at the start of v: digits with at most one point
 * (no sign, exponent, hex, inf or nan, which strtod would take). Its value
 * and where it ends, or -1 when v does not start with one.
 */
static int
config_number(const char *v, double *n, char **end)
{
	const char	*p = v;
	int		 digits = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (digits == 0)
		return -1;
	*n = strtod(v, end);
	return *end == p ? 0 : -1;
}

/*
 * Seconds as a remote reads them (timeout, connect_timeout, retry_delay):
 * 30, 1.5, 30s, 500ms, 2m; at most a day. 0 and *out, or -1.
 */
int
config_parse_seconds(const char *v, double *out)
{
	char	*end;
	double	 d;

	if (config_number(v, &d, &end) == -1)
		return -1;
	if (strcmp(end, "ms") == 0)
		d /= 1000;
	else if (strcmp(end, "m") == 0)
		d *= 60;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -1;
	if (d > 86400)
		return -1;
	*out = d;
	return 0;
}

/*
 * A rate as sync reads it (bwlimit, --bwlimit): a plain number (no sign,
 * exponent, hex, inf or nan, which strtod would take: "0x10" was 16 bytes
 * a second, "1e999" passed config check and then failed sync), then k, M
 * or G (binary), then B or iB; at most 1 PiB a second. Bytes a second
 * (0 for no limit), or -1.
 */
long long
config_parse_rate(const char *v)
{
	char	*end;
	double	 d;

	if (config_number(v, &d, &end) == -1)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		d *= 1024;
		break;
	case 'm': case 'M':
		d *= 1024 * 1024;
		break;
	case 'g': case 'G':
		d *= 1024.0 * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0' && strcasecmp(end + 1, "iB") != 0 &&
	    strcasecmp(end + 1, "B") != 0)
		return -1;
	if (d > 1125899906842624.0)	/* 1 PiB */
		return -1;
	return (long long)d;
}

/* A number of at most digits digits at *p, in lo..hi; -1 if none. */
static int
config_zone_num(const char **p, int digits, int lo, int hi)
{
	int	n = 0, i;

	for (i = 0; i < digits && isdigit((unsigned char)**p); i++)
		n = n * 10 + *(*p)++ - '0';
	if (i == 0 || isdigit((unsigned char)**p) || n < lo || n > hi)
		return -1;
	return n;
}

/*
 * A time at *p, hh[:mm[:ss]]: hours up to hours (three digits if it has
 * three), minutes and seconds below 60. 0, or -1.
 */
static int
config_zone_time(const char **p, int hours)
{
	int	i, max;

	for (i = 0; i < 3; i++) {
		if (i > 0 && **p != ':')
			break;
		if (i > 0)
			(*p)++;
		max = i == 0 ? hours : 59;
		if (config_zone_num(p, max > 99 ? 3 : 2, 0, max) == -1)
			return -1;
	}
	return 0;
}

/*
 * The summer time's rules at p: ",start[/time],end[/time]", each Jn (1 to
 * 365), n (0 to 365) or Mm.w.d (month 1 to 12, week 1 to 5, day 0 to 6),
 * a time of at most 167 hours either way. glibc drops a rule it cannot
 * read and with it the summer time, silently: an hour off half the year.
 * 0, or -1.
 */
static int
config_zone_rules(const char *p)
{
	int	i;

	for (i = 0; i < 2; i++) {
		if (*p++ != ',')
			return -1;
		if (*p == 'J') {
			p++;
			if (config_zone_num(&p, 3, 1, 365) == -1)
				return -1;
		} else if (*p == 'M') {
			p++;
			if (config_zone_num(&p, 2, 1, 12) == -1 ||
			    *p++ != '.' || config_zone_num(&p, 1, 1, 5) == -1 ||
			    *p++ != '.' || config_zone_num(&p, 1, 0, 6) == -1)
				return -1;
		} else if (config_zone_num(&p, 3, 0, 365) == -1)
			return -1;
		if (*p != '/')
			continue;
		if (*++p == '+' || *p == '-')
			p++;
		if (config_zone_time(&p, 167) == -1)
			return -1;
	}
	return *p == '\0' ? 0 : -1;
}

/*
 * A POSIX TZ offset at p: hh[:mm[:ss]], hours 0 to 24, minutes and seconds
 * below 60 (glibc takes UTC+25 and clamps it to a day), then nothing or a
 * summer time's name, its offset if any (the same), and its rules if any.
 * 0, or -1.
 */
static int
config_zone_offset(const char *p)
{
	int	dst = 0;

again:
	if (config_zone_time(&p, 24) == -1)
		return -1;
	if (dst || (!isalpha((unsigned char)*p) && *p != '<'))
		return *p == '\0' ? 0 : *p == ',' && dst ?
		    config_zone_rules(p) : -1;
	/* The summer time's name, then its offset if any, then its rule. */
	if (*p == '<' && (p = strchr(p, '>')) != NULL)
		p++;
	else
		while (p != NULL && isalpha((unsigned char)*p))
			p++;
	if (p == NULL)
		return -1;
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return *p == '\0' ? 0 : *p == ',' ? config_zone_rules(p) : -1;
	dst = 1;
	goto again;
}

/*
 * A zone: a TZif file of the tz database under $TZDIR or
 * /usr/share/zoneinfo ("Europe/Paris", "UTC"), or a POSIX TZ string with
 * an offset ("CET-1CEST,M3.5.0,M10.5.0/3"). 0, or -1.
 */
int
config_check_zone(const char *v)
{
	const char	*dir = getenv("TZDIR"), *p;
	char		*path, magic[4];
	int		 fd, ok = 0;

	if (*v == ':')
		v++;
	if (*v == '\0' || *v == '/' || strstr(v, "..") != NULL)
		return -1;
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	xasprintf(&path, "%s/%s", dir, v);
	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) != -1) {
		ok = read(fd, magic, sizeof magic) == sizeof magic &&
		    memcmp(magic, "TZif", 4) == 0;
		close(fd);
	}
	free(path);
	if (ok)
		return 0;
	/* std name (three letters or more, or <...>), then an offset */
	p = v;
	if (*p == '<') {
		if ((p = strchr(p, '>')) == NULL)
			return -1;
		p++;
	} else {
		while (isalpha((unsigned char)*p))
			p++;
		if (p - v < 3)
			return -1;
	}
	if (*p == '+' || *p == '-')
		p++;
	return config_zone_offset(p);
}

/*
 * A folder (pattern) or name template: its placeholders and what it
 * gives (template.c). 0, or -1 with what is accepted in ex.
 */
static int
config_check_template(const struct config_key *k, const char *v, char *ex,
    size_t size)
{
	char	why[120];
	int	dir = strcmp(k->name, "pattern") == 0;

	switch (tmpl_check(v, dir ? TMPL_DIR : 0, why, sizeof why)) {
	case 0:
		return 0;
	case -2:
		snprintf(ex, size, "a relative %s with strftime conversions, "
		    "such as %s (no '..', no empty part, no part starting with "
		    "'.')", dir ? "folder" : "file name", dir ? "%Y/%m/%d" :
		    "%Y%m%d-%H%M%S_{name}");
		return -1;
	}
	snprintf(ex, size, "a %s template: %s; it takes strftime %%-codes, "
	    "{make} {model} {kind} {name} {stem} {ext}%s (each with :lower or "
	    ":upper), {{ and }} for braces; such as %s", dir ? "folder" : "name",
	    why, dir ? "" : " {seq} {seq:N}",
	    dir ? "%Y/%m/%d or {model}/%Y/%m" : "%Y%m%d-%H%M%S_{name}");
	return -1;
}

/* ~ or ~user at the start of a path made the home folder. New, or NULL. */
static char *
config_tilde(const char *v)
{
	const struct passwd	*pw;
	const char		*rest, *home = NULL;
	char			*user, *out;

	if (v[0] != '~')
		return xstrdup(v);
	rest = v + 1 + strcspn(v + 1, "/");
	if (rest == v + 1) {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			pw = getpwuid(getuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
	} else {
		user = xmalloc((size_t)(rest - v));
		memcpy(user, v + 1, (size_t)(rest - v - 1));
		user[rest - v - 1] = '\0';
		pw = getpwnam(user);
		home = pw != NULL ? pw->pw_dir : NULL;
		free(user);
	}
	if (home == NULL)
		return NULL;
	xasprintf(&out, "%s%s", home, rest);
	return out;
}

/*
 * The password in a URL (scheme://user:password@host/...): where it
 * starts, its length in *len; NULL when there is none.
 */
const char *
config_url_password(const char *v, size_t *len)
{
	const char	*p = strstr(v, "://"), *at, *colon;

	if (p == NULL)
		return NULL;
	p += 3;
	at = p + strcspn(p, "/@");
	if (*at != '@' || (colon = memchr(p, ':', (size_t)(at - p))) == NULL)
		return NULL;
	*len = (size_t)(at - colon - 1);
	return colon + 1;
}

/* Does v start with one of the space-separated prefixes of list? */
static int
config_prefixed(const char *list, const char *v)
{
	const char	*p;
	size_t		 len;

	for (p = list; *p != '\0'; p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		if (strncasecmp(v, p, len) == 0 && v[len] != '\0')
			return 1;
	}
	return 0;
}

/*
 * A remote's prefix as folders: without a '/' at either end or two in a
 * row, which S3 keeps in its keys ("/photos" would put every key under
 * an empty folder, "a//b" one in the middle, and some servers refuse
 * such keys), so that it names the same place on every kind of remote.
 * A new string, or NULL for a "." or ".." in it, which no kind can take
 * as a folder: a dir remote's would climb out of its disk.
 */
static char *
config_prefix(const char *v)
{
	const char	*p = v;
	char		*out, *o;
	size_t		 len;

	o = out = xmalloc(strlen(v) + 1);
	while (*p != '\0') {
		if ((len = strcspn(p, "/")) == 0) {
			p++;
			continue;
		}
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			free(out);
			return NULL;
		}
		if (o != out)
			*o++ = '/';
		memcpy(o, p, len);
		o += len;
		p += len;
	}
	*o = '\0';
	return out;
}

/*
 * Check the value of one item against its row: 0, or -1 after saying what
 * is accepted. A path gets its ~ expanded here, a prefix its extra '/'
 * taken off.
 */
static int
config_check_value(struct config *cfg, struct config_item *it,
    const struct config_key *k, struct config_errors *errs)
{
	const char	*v = it->value, *what = NULL;
	char		*x, *end, ex[512];
	long long	 n;
	double		 d;
	size_t		 len;

	switch (k->type) {
	case CONFIG_BOOL:
		if (config_bool(v) == -1)
			what = "yes or no (yes, no, true, false, on, off, 1, 0)";
		break;
	case CONFIG_SIZE:
		if (config_check_size(v, &n) == -1)
			what = "a size, such as 4096, 512k, 16M or 1G";
		else if (n < k->min || (k->max > 0 && n > k->max)) {
			snprintf(ex, sizeof ex, "a size from %lldM to %lldG",
			    k->min >> 20, k->max >> 30);
			what = ex;
		}
		break;
	case CONFIG_DURATION:
		if (config_parse_duration(v, &d) == -1)
			what = "a duration up to a year, such as 0, 45, 30s, "
			    "10m, 2h or 1d";
		break;
	case CONFIG_SECONDS:
		if (config_parse_seconds(v, &d) == -1 || d < (double)k->min) {
			snprintf(ex, sizeof ex, "seconds, %lld to a day (such "
			    "as 30, 1.5, 500ms or 2m)", k->min);
			what = ex;
		}
		break;
	case CONFIG_COUNT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < k->min ||
		    n > k->max) {
			snprintf(ex, sizeof ex, "a whole number from %lld to "
			    "%lld", k->min, k->max);
			what = ex;
		}
		break;
	case CONFIG_RATE:
		if (config_parse_rate(v) == -1)
			what = "bytes per second, such as 512k, 10M or 1G";
		break;
	case CONFIG_ZONE:
		if (config_check_zone(v) == -1)
			what = "a zone of the tz database, such as Europe/Paris "
			    "or UTC (see /usr/share/zoneinfo)";
		break;
	case CONFIG_CHOICE:
		if (!config_in_list(k->choices, v)) {
			snprintf(ex, sizeof ex, "one of: %s", k->choices);
			what = ex;
		}
		break;
	case CONFIG_URL:
		if (!config_prefixed(k->choices, v)) {
			snprintf(ex, sizeof ex, "a URL starting with %s",
			    k->choices);
			what = ex;
		}
		if (config_url_password(v, &len) != NULL && len > 0)
			cfg->secret = 1;
		break;
	case CONFIG_PATTERN:
		if (config_check_template(k, v, ex, sizeof ex) == -1)
			what = ex;
		break;
	case CONFIG_PATH:
		if (*v == '\0')
			what = "a path";
		else if ((x = config_tilde(v)) == NULL)
			what = "a path (~ names no user here)";
		else {
			free(it->value);
			it->value = x;
		}
		break;
	case CONFIG_PREFIX:
		if ((x = config_prefix(v)) == NULL)
			what = "folders below the remote's root, without "
			    "'.' or '..' (such as photos or backup/photos)";
		else {
			free(it->value);
			it->value = x;
		}
		break;
	case CONFIG_SECRET:
		if (*v != '\0')
			cfg->secret = 1;
		break;
	default:
		break;
	}
	if (what == NULL)
		return 0;
	if (k->type == CONFIG_URL)	/* it may hold a password */
		config_error(errs, it->line, "%s: not %s", k->name,
		    what);
	else
		config_error(errs, it->line, "%s: '%s' is not %s",
		    k->name, log_esc(v), what);
	return -1;
}

/*
 * Check every item read against config_keys: unknown keys (and
 * the nearest known one), values, remotes without a type; into errs.
 */
static void
config_validate(struct config *cfg, struct config_errors *errs)
{
	const struct config_key	*k;
	struct config_item	*it;
	const char		*type, **names;
	char			*sect;
	int			 i, n, line, scope;
	size_t			 j;

	for (j = 0; j < cfg->n; j++) {
		it = &cfg->items[j];
		if (it->line == 0)
			continue;	/* set by the program */
		scope = config_scope(it->section);
		type = NULL;
		if (scope == CONFIG_REMOTE) {
			type = config_get(cfg, it->section, "type");
			if (type != NULL && !config_in_list("s3 webdav sftp dir",
			    type))
				type = NULL;
		}
		if ((k = config_key_find(it->key, scope, type, NULL)) == NULL)
			config_unknown(errs, it->line, it->key, scope,
			    type);
		else
			config_check_value(cfg, it, k, errs);
	}
	n = config_sections(cfg, "remote", &names);
	for (i = 0; i < n; i++) {
		xasprintf(&sect, "remote %s", names[i]);
		if (config_get(cfg, sect, "type") == NULL) {
			line = 0;
			for (j = 0; j < cfg->n && line == 0; j++)
				if (strcmp(cfg->items[j].section, sect) == 0)
					line = cfg->items[j].line;
			config_error(errs, line, "[%s] has no 'type =' "
			    "(s3, webdav, sftp or dir)", log_esc(sect));
		}
		free(sect);
	}
}

/*
 * Load an INI file. A missing file is an error only when must_exist is set.
 * Returns 0, or -1 after printing every error and how to fix it.
 */
int
config_load(struct config *cfg, const char *path, int must_exist)
{
	struct stat	 sb;
	FILE		*f;
	struct config_errors errs = { NULL, 0 };
	int		 errors;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return 0;
		log_warn("config %s", log_esc(path));
		return -1;
	}
	cfg->secret = 0;
	config_parse(cfg, f, &errs);
	config_validate(cfg, &errs);
	errors = config_errors_print(&errs, path);
	if (errors > 0) {
		fclose(f);
		log_warnx("config %s: %d error%s (shoebox.conf(5) and 'shoebox "
		    "config keys' list every key)", log_esc(path), errors,
		    errors == 1 ? "" : "s");
		return -1;
	}
	if (cfg->secret && fstat(fileno(f), &sb) == 0 &&
	    (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		fclose(f);
		log_warnx("config %s holds a secret but others can read it "
		    "(mode %04o); run: chmod 600 %s", log_esc(path),
		    (unsigned)(sb.st_mode & 07777), log_esc(path));
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

/* yes/no/true/false/on/off/1/0 as 1 or 0; -1 for anything else. */
int
config_bool(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

/* A boolean; def when unset (a bad value was refused by config_load). */
int
config_get_bool(const struct config *cfg, const char *section,
    const char *key, int def)
{
	const char	*v = config_get(cfg, section, key);
	int		 b;

	if (v == NULL || (b = config_bool(v)) == -1)
		return def;
	return b;
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
 * A duration such as 0, 45, 30s, 10m, 2h or 1d (seconds without a unit),
 * up to a year. 0 and *secs, or -1 when it is not one.
 */
int
config_parse_duration(const char *v, double *secs)
{
	char	*end;
	double	 n;

	if (config_number(v, &n, &end) == -1)
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
	if (n > 366 * 86400.0)
		return -1;
	*secs = n;
	return 0;
}

/*
 * A settle time given to who (a command, or the config): 0 and *secs, or
 * -1 after saying it is not a duration.
 */
int
config_settle(const char *who, const char *v, double *secs)
{
	if (config_parse_duration(v, secs) == 0)
		return 0;
	log_warnx("%s: settle time '%s' is not a duration up to a year (such "
	    "as 0, 30s, 10m or 1h)", who, log_esc(v));
	return -1;
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
