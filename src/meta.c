/*
 * meta.c: pick the parser for a file's type and run it. Each parser fills
 * struct meta from the few header bytes it needs; a parser that gives up
 * leaves its reason in m->error and returns -1. When the file holds no
 * date, the fallbacks settle one: its name, its folder's name, its mtime.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shoebox.h"

typedef int (*meta_fn)(const struct sb_src *, struct meta *);

/* The TIFF walker has a richer signature; adapt it to the table's. */
static int
meta_tiff_file(const struct sb_src *s, struct meta *m)
{
	return meta_tiff(s, 0, m, NULL);
}

static const struct {
	const char	*mime;
	meta_fn		 fn;
} parsers[] = {
	{ "image/jpeg",			meta_jpeg },
	{ "image/tiff",			meta_tiff_file },
	{ "image/x-canon-cr2",		meta_tiff_file },
	{ "image/x-nikon-nef",		meta_tiff_file },
	{ "image/x-nikon-nrw",		meta_tiff_file },
	{ "image/x-sony-arw",		meta_tiff_file },
	{ "image/x-sony-sr2",		meta_tiff_file },
	{ "image/x-sony-srf",		meta_tiff_file },
	{ "image/x-adobe-dng",		meta_tiff_file },
	{ "image/x-olympus-orf",	meta_tiff_file },
	{ "image/x-panasonic-rw2",	meta_tiff_file },
	{ "image/x-panasonic-rw",	meta_tiff_file },
	{ "image/x-pentax-pef",		meta_tiff_file },
	{ "image/x-samsung-srw",	meta_tiff_file },
	{ "image/x-phaseone-iiq",	meta_tiff_file },
	{ "image/x-hasselblad-3fr",	meta_tiff_file },
	{ "image/x-epson-erf",		meta_tiff_file },
	{ "image/x-kodak-kdc",		meta_tiff_file },
	{ "image/x-kodak-dcr",		meta_tiff_file },
	{ "image/x-leaf-mos",		meta_tiff_file },
	{ "image/x-leica-rwl",		meta_tiff_file },
	{ "image/x-gopro-gpr",		meta_tiff_file },
	{ "image/x-mamiya-mef",		meta_tiff_file },
	{ "image/x-canon-crw",		meta_crw },
	{ "image/x-minolta-mrw",	meta_mrw },
	{ "image/x-sigma-x3f",		meta_x3f },
	{ "image/x-fuji-raf",		meta_raf },
	{ "image/x-kyocera-raw",	meta_kyocera },
	{ "image/x-sony-pmp",		meta_pmp },
	{ "image/x-canon-cr3",		meta_bmff },
	{ "image/heic",			meta_bmff },
	{ "image/heif",			meta_bmff },
	{ "image/heic-sequence",	meta_bmff },
	{ "image/heif-sequence",	meta_bmff },
	{ "image/avif",			meta_bmff },
	{ "image/jxl",			meta_bmff },
	{ "video/mp4",			meta_bmff },
	{ "video/quicktime",		meta_bmff },
	{ "video/3gpp",			meta_bmff },
	{ "video/3gpp2",		meta_bmff },
	{ "video/x-m4v",		meta_bmff },
	{ "image/webp",			meta_riff },
	{ "video/x-msvideo",		meta_riff },
	{ "image/png",			meta_png },
	{ "video/x-matroska",		meta_mkv },
	{ "video/webm",			meta_mkv },
	{ "video/mp2t",			meta_mpegts },
	{ "video/m2ts",			meta_mpegts },	/* ExifTool's name */
	{ "video/vnd.dlna.mpeg-tts",	meta_mpegts },	/* Windows' name */
	{ "video/dv",			meta_dv },
	{ "video/x-dv",			meta_dv },
	{ "video/x-ms-wmv",		meta_asf },
	{ "video/x-ms-asf",		meta_asf },
	{ "application/vnd.ms-asf",	meta_asf },
	{ "application/mxf",		meta_mxf },
	{ "video/x-red-r3d",		meta_red },
};

/*
 * Read what the file's own headers say (make, model, capture time) into m,
 * whose mime is already set. Returns 0, or -1 with m->error set.
 */
int
meta_read(const struct sb_src *s, struct meta *m)
{
	size_t	i;

	for (i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
		if (strcmp(parsers[i].mime, m->mime) == 0)
			return parsers[i].fn(s, m);
	return 0;
}

/*
 * Take the date string date (at most len bytes) as m's capture time, with
 * the offset string off (OffsetTimeOriginal and the like; NULL or "" for
 * none) unless the date carries its own. Returns 0, or -1 if it is no date.
 */
int
meta_take_date(struct meta *m, const char *date, size_t len, const char *off,
    const char *source)
{
	struct sb_time	t;
	int		min;

	if (date_parse_exif(date, len, &t) == -1)
		return -1;
	if (!t.has_offset && off != NULL && *off != '\0' &&
	    date_parse_offset(off, strlen(off), &min) == 0) {
		t.has_offset = 1;
		t.offset_min = min;
	}
	m->taken = t;
	strlcpy_sb(m->date_source, source, sizeof m->date_source);
	return 0;
}

/*
 * True if m has no date yet, or only EXIF's DateTime (the file's last
 * change, "exif-datetime", under whatever prefix): a creation date found
 * elsewhere in the file (XMP, IPTC, a vendor's block) is better.
 */
int
meta_date_weak(const struct meta *m)
{
	size_t	n = strlen(m->date_source), k = sizeof "exif-datetime" - 1;

	return (!m->taken.has_wall && !m->taken.has_utc) ||
	    (n >= k && strcmp(m->date_source + n - k, "exif-datetime") == 0);
}

void
meta_set_error(struct meta *m, const char *fmt, ...)
{
	va_list	ap;

	if (m->error[0] != '\0')
		return;		/* the first reason is the useful one */
	va_start(ap, fmt);
	vsnprintf(m->error, sizeof m->error, fmt, ap);
	va_end(ap);
}

/*
 * Copy a text field from a file into dst: stops at NUL, drops trailing
 * blanks, and turns control characters and bytes that are not UTF-8 into
 * '?', so that every text shoebox prints or stores is valid UTF-8.
 */
void
meta_set_text(char *dst, size_t size, const void *src, size_t len)
{
	const unsigned char	*p = src;
	size_t			 n = 0, i;

	if (size == 0)
		return;
	while (n < len && p[n] != '\0')
		n++;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	i = 0;
	while (i < len && i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	p += i;
	n -= i;
	if (n > size - 1)
		n = size - 1;
	/* Whole UTF-8 sequences only: anything else becomes '?'. */
	for (i = 0; i < n; ) {
		size_t	l = utf8_len(p + i, n - i);

		if (l == 0 || (l == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			dst[i++] = '?';
			continue;
		}
		memcpy(dst + i, p + i, l);
		i += l;
	}
	dst[n] = '\0';
}

/*
 * Note t, a date the file offers under source, among m's candidates: the
 * first of each source only, as many as there is room for.
 */
void
meta_candidate(struct meta *m, const char *source, const struct sb_time *t)
{
	int	i;

	if (!t->has_wall && !t->has_utc)
		return;
	for (i = 0; i < m->ncand; i++)
		if (strcmp(m->cand[i].source, source) == 0)
			return;
	if (m->ncand == META_CANDIDATES)
		return;
	strlcpy_sb(m->cand[i].source, source, sizeof m->cand[i].source);
	m->cand[i].t = *t;
	m->ncand++;
}

/* Make the date m has taken the first of its candidates. */
static void
meta_candidate_first(struct meta *m)
{
	int	i;

	for (i = 0; i < m->ncand; i++)
		if (strcmp(m->cand[i].source, m->date_source) == 0)
			break;
	if (i == m->ncand) {
		if (m->ncand == META_CANDIDATES)
			m->ncand--;
		i = m->ncand++;
	}
	memmove(&m->cand[1], &m->cand[0], (size_t)i * sizeof m->cand[0]);
	strlcpy_sb(m->cand[0].source, m->date_source,
	    sizeof m->cand[0].source);
	m->cand[0].t = m->taken;
}

/* Offer t as a date of m under source; take it if m has none yet. */
static void
meta_offer(struct meta *m, const char *source, const struct sb_time *t)
{
	meta_candidate(m, source, t);
	if (!m->taken.has_wall && !m->taken.has_utc) {
		m->taken = *t;
		strlcpy_sb(m->date_source, source, sizeof m->date_source);
	}
}

/*
 * The file's mtime as a date: within years 1 to 9999 (a filesystem such as
 * tmpfs keeps any 64-bit time; the library's folders have four-digit
 * years), the nearest end for a time beyond.
 */
static int64_t
meta_mtime(const struct stat *sb)
{
	/* as int64_t: a 32-bit time_t (glibc before 2.34) warns otherwise */
	int64_t	s = sb->st_mtim.tv_sec;

	if (s < -62135596800LL)		/* 0001-01-01 */
		return -62135596800LL;
	if (s > 253402300799LL)		/* 9999-12-31 */
		return 253402300799LL;
	return s;
}

/* The day the folders holding path are named for (see date_from_folder). */
static int
meta_folder_date(const char *path, int64_t now, struct sb_time *t)
{
	char	cwd[PATH_MAX], buf[PATH_MAX * 2];

	if (path[0] != '/' && getcwd(cwd, sizeof cwd) != NULL) {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		snprintf(buf, sizeof buf, "%s/%s", cwd, path);
		path = buf;
	}
	return date_from_folder(path, now, t);
}

/*
 * The dates a file has besides its own, in the order they are taken when
 * it has none: its name (date_from_name = yes), its folder's name
 * (date_from_folder = yes), its mtime. Each is a candidate; the first
 * found is taken if the headers gave no date. The mtime of a FAT card
 * mounted with tz=UTC is the camera's wall clock (disk_wall_mtime), and
 * is offered as one, for the camera's zone to place.
 */
static void
meta_fallbacks(struct meta *m, int fd, const char *path,
    const struct stat *sb, const struct config *cfg)
{
	struct sb_time	t;
	struct tm	tm;
	time_t		secs;
	int64_t		now = (int64_t)time(NULL);
	int		prec;

	memset(&t, 0, sizeof t);
	if (config_get_bool(cfg, "", "date_from_name", 1) &&
	    (prec = date_from_name(path, now, &t)) != DATE_NAME_NONE)
		meta_offer(m, prec == DATE_NAME_DAY ? "filename-day" :
		    "filename", &t);
	if (config_get_bool(cfg, "", "date_from_folder", 0) &&
	    meta_folder_date(path, now, &t) == DATE_NAME_DAY)
		meta_offer(m, "folder-day", &t);
	memset(&t, 0, sizeof t);
	if (fd != -1 && disk_wall_mtime(fd)) {
		/* The camera's clock as it read, in no zone: as Exif's. */
		secs = (time_t)meta_mtime(sb);
		if (gmtime_r(&secs, &tm) != NULL) {
			t.has_wall = 1;
			t.year = tm.tm_year + 1900;
			t.mon = tm.tm_mon + 1;
			t.day = tm.tm_mday;
			t.hour = tm.tm_hour;
			t.min = tm.tm_min;
			t.sec = tm.tm_sec;
		}
	}
	if (!t.has_wall) {
		t.has_utc = 1;
		t.utc = meta_mtime(sb);
	}
	meta_offer(m, "mtime", &t);
}

/* Date m by the file's modification time, the last resort. */
void
meta_fallback_mtime(struct meta *m, const struct stat *sb)
{
	memset(&m->taken, 0, sizeof m->taken);
	m->taken.has_utc = 1;
	m->taken.utc = meta_mtime(sb);
	strlcpy_sb(m->date_source, "mtime", sizeof m->date_source);
}

/*
 * Everything shoebox learns about the open file fd: read its first bytes
 * into head (HEAD_SIZE), name its type, read its headers, and settle its
 * date, noting every date seen among m's candidates. s is left describing the file for further reads. Returns 0; 1 when
 * the headers were damaged (m->error says how; the date falls back to the
 * mtime); -1 when the file could not be read at all.
 */
int
meta_probe(int fd, const char *path, const struct stat *sb,
    const struct config *cfg, uint8_t *head, struct sb_src *s,
    struct meta *m)
{
	return meta_probe_head(fd, path, sb, cfg, head, HEAD_SIZE, s, m);
}

/*
 * meta_probe, reading the first headsize bytes (HEAD_SIZE or more) into
 * head: the importer reads a photo whole, so that neither the parsers nor
 * its copy read it again.
 */
int
meta_probe_head(int fd, const char *path, const struct stat *sb,
    const struct config *cfg, uint8_t *head, size_t headsize,
    struct sb_src *s, struct meta *m)
{
	ssize_t	n;
	size_t	got = 0;
	int	rc = 0, i;

	memset(m, 0, sizeof *m);
	while (got < headsize && got < (uint64_t)sb->st_size) {
		n = pread(fd, head + got, headsize - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			meta_set_error(m, "read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	s->fd = fd;
	s->path = path;
	s->size = (uint64_t)sb->st_size;
	s->head = head;
	s->headlen = got;
	if (got < headsize && got < (uint64_t)sb->st_size) {
		meta_set_error(m, "file shrank while being read (%zu of %lld "
		    "bytes)", got, (long long)sb->st_size);
		return -1;
	}
	if (identify(s, path, m) == -1)
		return -1;
	if (m->kind != KIND_OTHER && m->kind != KIND_SIDECAR &&
	    meta_read(s, m) == -1) {
		if (m->error[0] == '\0')
			meta_set_error(m, "unreadable %s headers", m->mime);
		rc = 1;
	}
	if (m->taken.has_wall || m->taken.has_utc)
		meta_candidate_first(m);
	if (m->kind != KIND_OTHER && m->kind != KIND_SIDECAR)
		meta_fallbacks(m, fd, path, sb, cfg);
	else if (!m->taken.has_wall && !m->taken.has_utc)
		meta_fallback_mtime(m, sb);
	date_resolve(m, cfg);
	for (i = 0; i < m->ncand; i++)
		date_resolve_time(&m->cand[i].t, m, cfg);
	return rc;
}
