/*
 * identify.c: what a file is. libmagic, loaded with shoebox's own magic/
 * definitions ahead of the system database, names the type as
 * shared-mime-info does; kind_of_mime() sorts types into kinds.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <magic.h>

#include "shoebox.h"

static magic_t	cookie;

/* path when it can be read, else NULL (and path is freed). */
static char *
readable(char *path)
{
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/*
 * Our compiled definitions: $SHOEBOX_MAGIC; for a binary run in the source
 * tree, the tree's magic/shoebox.mgc (beside ./shoebox, or two levels up
 * from build/asan/shoebox, build/tests/...: only below a directory called
 * build, never above an installed bin/); else the one installed in
 * SHOEBOX_DATADIR. New string, or NULL.
 */
static char *
our_magic(void)
{
	char		 exe[PATH_MAX], *slash, *p;
	const char	*env;
	ssize_t		 n;

	if ((env = getenv("SHOEBOX_MAGIC")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';		/* the binary's directory */
			xasprintf(&p, "%s/magic/shoebox.mgc", exe);
			if ((p = readable(p)) != NULL)
				return p;
		}
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';		/* the directory above */
		if (slash != NULL && (slash = strrchr(exe, '/')) != NULL &&
		    strcmp(slash, "/build") == 0) {
			*slash = '\0';		/* the tree build/ is in */
			xasprintf(&p, "%s/magic/shoebox.mgc", exe);
			if ((p = readable(p)) != NULL)
				return p;
		}
	}
	xasprintf(&p, "%s/shoebox.mgc", SHOEBOX_DATADIR);
	return readable(p);
}

/*
 * Open libmagic with our definitions (path, or found as our_magic() says)
 * ahead of libmagic's own default database (magic_getpath: $MAGIC, or
 * where the system's libmagic keeps it). Returns 0, or -1 after saying
 * why.
 */
int
identify_open(const char *path)
{
	char	*ours, *list = NULL;
	int	 flags = MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
	    MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_ELF | MAGIC_NO_CHECK_ENCODING |
	    MAGIC_NO_CHECK_JSON | MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_CDF |
	    MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_APPTYPE;

	if (cookie != NULL)
		return 0;
	if ((cookie = magic_open(flags)) == NULL) {
		log_warn("libmagic");
		return -1;
	}
	ours = path != NULL ? xstrdup(path) : our_magic();
	if (ours == NULL)
		log_warnx("shoebox.mgc not found; RAW and video types will be "
		    "generic (set SHOEBOX_MAGIC)");
	else
		xasprintf(&list, "%s:%s", ours, magic_getpath(NULL, 0));
	if (magic_load(cookie, list) == -1) {
		log_warnx("libmagic: %s", magic_error(cookie));
		free(ours);
		free(list);
		magic_close(cookie);
		cookie = NULL;
		return -1;
	}
	free(ours);
	free(list);
	return 0;
}

void
identify_close(void)
{
	if (cookie != NULL)
		magic_close(cookie);
	cookie = NULL;
}

/*
 * Sidecar extensions: metadata that travels with a main file. DJI's
 * drones write a low-resolution copy (.LRF, as GoPro's .LRV) and the
 * flight's telemetry as subtitles (.SRT) beside each clip; Adobe Camera
 * Raw keeps the edits of a HEIC or JPEG XL in .acr.
 */
static const char *sidecar_exts[] = {
	"xmp", "thm", "aae", "lrv", "lrf", "srt", "acr", "xml", "pp3", "dop",
	"on1", "json", "wav", NULL
};

/* True if name's extension is one a sidecar has. */
int
is_sidecar_name(const char *name)
{
	const char	*dot = strrchr(name, '.');
	int		 i;

	if (dot == NULL)
		return 0;
	for (i = 0; sidecar_exts[i] != NULL; i++)
		if (strcasecmp(dot + 1, sidecar_exts[i]) == 0)
			return 1;
	return 0;
}

/*
 * Extensions of the formats cameras and phones write: a file named so
 * whose content is not recognised is named in a warning on every run
 * (never remembered as skipped), or imported as damaged with
 * import_unrecognised = yes; and a sidecar's main file is one of these
 * before a file of another name (scan-group.c).
 */
static const char *const media_exts[] = {
	"jpg", "jpeg", "jpe", "heic", "heif", "hif", "avif", "webp", "jxl",
	"png", "tif", "tiff", "mpo", "dng", "cr2", "cr3", "crw", "nef", "nrw",
	"arw", "sr2", "srf", "raf", "orf", "rw2", "pef", "srw", "x3f", "mrw",
	"iiq", "3fr", "erf", "kdc", "dcr", "mos", "mef", "rwl", "gpr", "mp4",
	"mov", "m4v", "3gp", "3g2", "mts", "m2ts", "avi", "mkv", "webm", "wmv",
	"asf", "mxf", "mpg", "mpeg", "vob", "dv", "mod", "tod", "insv", "r3d",
	NULL
};

/* Does name end in the extension of a camera's or phone's format? */
int
is_media_name(const char *name)
{
	const char	*dot = strrchr(name, '.');
	int		 i;

	if (dot == NULL || dot == name)
		return 0;
	for (i = 0; media_exts[i] != NULL; i++)
		if (strcasecmp(dot + 1, media_exts[i]) == 0)
			return 1;
	return 0;
}

static const char *raw_mimes[] = {
	"image/x-canon-cr2", "image/x-canon-cr3", "image/x-canon-crw",
	"image/x-nikon-nef", "image/x-nikon-nrw", "image/x-sony-arw",
	"image/x-sony-sr2", "image/x-sony-srf", "image/x-adobe-dng",
	"image/x-olympus-orf", "image/x-panasonic-rw2", "image/x-panasonic-rw",
	"image/x-fuji-raf", "image/x-pentax-pef", "image/x-samsung-srw",
	"image/x-sigma-x3f", "image/x-minolta-mrw", "image/x-phaseone-iiq",
	"image/x-hasselblad-3fr", "image/x-epson-erf", "image/x-kodak-kdc",
	"image/x-kodak-dcr", "image/x-leaf-mos", "image/x-leica-rwl",
	"image/x-gopro-gpr", "image/x-mamiya-mef", "image/x-kyocera-raw",
	"image/x-dcraw", NULL
};

/* The kind of a MIME type. */
enum kind
kind_of_mime(const char *mime)
{
	int	i;

	for (i = 0; raw_mimes[i] != NULL; i++)
		if (strcmp(mime, raw_mimes[i]) == 0)
			return KIND_RAW;
	if (strcmp(mime, "application/rdf+xml") == 0 ||
	    strcmp(mime, "application/x-adobe-xmp") == 0)
		return KIND_SIDECAR;
	if (strncmp(mime, "image/", 6) == 0) {
		/* Icons, vector drawings and Photoshop files are not photos. */
		if (strcmp(mime, "image/svg+xml") == 0 ||
		    strcmp(mime, "image/vnd.microsoft.icon") == 0 ||
		    strcmp(mime, "image/x-icon") == 0)
			return KIND_OTHER;
		return KIND_IMAGE;
	}
	/* MXF is what professional camcorders write. */
	if (strncmp(mime, "video/", 6) == 0 ||
	    strcmp(mime, "application/mxf") == 0)
		return KIND_VIDEO;
	return KIND_OTHER;
}

const char *
kind_name(enum kind k)
{
	switch (k) {
	case KIND_IMAGE:
		return "image";
	case KIND_RAW:
		return "raw";
	case KIND_VIDEO:
		return "video";
	case KIND_SIDECAR:
		return "sidecar";
	default:
		return "other";
	}
}

/* The lower-case extension of name (without the dot), or "". */
static void
identify_ext(const char *name, char *ext, size_t size)
{
	const char	*dot, *slash;
	size_t		 i;

	ext[0] = '\0';
	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return;
	if ((slash = strrchr(name, '/')) != NULL && slash > dot)
		return;
	for (i = 0; dot[1 + i] != '\0' && i + 1 < size; i++)
		ext[i] = (char)tolower((unsigned char)dot[1 + i]);
	ext[i] = '\0';
}

/*
 * RAW types by the Make in IFD0. A file of one of these makes is that RAW
 * only if its IFDs hold raw image data (CFA, a vendor's compression or
 * private tags) or its extension says so: cameras also write plain TIFFs.
 * alt and altmime: the sibling type an extension picks where the bytes
 * cannot tell (NRW, SR2, SRF, DCR).
 */
static const struct {
	const char	*make;
	const char	*mime;
	const char	*ext;
	const char	*alt[2];
	const char	*altmime[2];
} tiff_makes[] = {
	{ "NIKON", "image/x-nikon-nef", "nef", { "nrw", NULL },
	    { "image/x-nikon-nrw", NULL } },
	{ "SONY", "image/x-sony-arw", "arw", { "sr2", "srf" },
	    { "image/x-sony-sr2", "image/x-sony-srf" } },
	{ "PENTAX", "image/x-pentax-pef", "pef", { NULL, NULL },
	    { NULL, NULL } },
	{ "RICOH", "image/x-pentax-pef", "pef", { NULL, NULL },
	    { NULL, NULL } },
	{ "SAMSUNG", "image/x-samsung-srw", "srw", { NULL, NULL },
	    { NULL, NULL } },
	{ "PHASE ONE", "image/x-phaseone-iiq", "iiq", { NULL, NULL },
	    { NULL, NULL } },
	{ "HASSELBLAD", "image/x-hasselblad-3fr", "3fr", { NULL, NULL },
	    { NULL, NULL } },
	{ "SEIKO EPSON", "image/x-epson-erf", "erf", { NULL, NULL },
	    { NULL, NULL } },
	{ "KODAK", "image/x-kodak-kdc", "kdc", { "dcr", NULL },
	    { "image/x-kodak-dcr", NULL } },
	{ "EASTMAN KODAK", "image/x-kodak-kdc", "kdc", { "dcr", NULL },
	    { "image/x-kodak-dcr", NULL } },
	{ "LEAF", "image/x-leaf-mos", "mos", { NULL, NULL },
	    { NULL, NULL } },
	{ "LEICA", "image/x-leica-rwl", "rwl", { NULL, NULL },
	    { NULL, NULL } },
	{ "OLYMPUS", "image/x-olympus-orf", "orf", { NULL, NULL },
	    { NULL, NULL } },
	{ "MAMIYA", "image/x-mamiya-mef", "mef", { NULL, NULL },
	    { NULL, NULL } },
};

/* True if make starts with prefix, ignoring case. */
static int
identify_make_is(const char *make, const char *prefix)
{
	return strncasecmp(make, prefix, strlen(prefix)) == 0;
}

/*
 * The type of a TIFF-layout file (libmagic said mime) from its IFDs, and
 * its extension ext where the bytes cannot decide.
 */
static const char *
identify_tiff(const struct sb_src *s, const char *ext, const char *mime)
{
	struct tiff_info	 ti;
	struct meta		 scratch;
	size_t			 i;
	int			 j, raw;

	memset(&scratch, 0, sizeof scratch);
	if (meta_tiff(s, 0, &scratch, &ti) == -1 && !ti.ok)
		return mime;
	if (ti.dng)
		return identify_make_is(ti.make, "GoPro") ?
		    "image/x-gopro-gpr" : "image/x-adobe-dng";
	if (ti.cr2 && ti.magic == 42)
		return "image/x-canon-cr2";
	if (ti.magic == 0x4f52 || ti.magic == 0x5352)
		return "image/x-olympus-orf";
	if (ti.magic == 0x55) {
		/* Panasonic's layout: RW2 and RAW, Leica's RWL. */
		if (identify_make_is(ti.make, "LEICA"))
			return "image/x-leica-rwl";
		if (strcmp(ext, "raw") == 0)
			return "image/x-panasonic-rw";
		if (identify_make_is(ti.make, "Panasonic") ||
		    strcmp(ext, "rw2") == 0)
			return "image/x-panasonic-rw2";
		if (strcmp(ext, "rwl") == 0)
			return "image/x-leica-rwl";
		return "image/tiff";	/* no maker: ExifTool says TIFF too */
	}
	raw = (ti.tags_seen & (TIFF_SEEN_CFA | TIFF_SEEN_RAWCOMP |
	    TIFF_SEEN_PRIVATE)) != 0;
	for (i = 0; i < sizeof tiff_makes / sizeof tiff_makes[0]; i++) {
		if (!identify_make_is(ti.make, tiff_makes[i].make))
			continue;
		for (j = 0; j < 2 && tiff_makes[i].alt[j] != NULL; j++)
			if (strcmp(ext, tiff_makes[i].alt[j]) == 0)
				return tiff_makes[i].altmime[j];
		if (strcmp(ext, tiff_makes[i].ext) == 0)
			return tiff_makes[i].mime;
		if (!raw)
			break;
		/* Kodak's DCS cameras write DCR, the others KDC. */
		if (tiff_makes[i].altmime[0] != NULL &&
		    strcmp(tiff_makes[i].alt[0], "dcr") == 0 &&
		    strstr(ti.model, "DCS") != NULL)
			return tiff_makes[i].altmime[0];
		return tiff_makes[i].mime;
	}
	return mime;
}

/* True if the first bytes of s are a TIFF header of any variant. */
static int
identify_tiff_bytes(const struct sb_src *s)
{
	static const char *const magics[] = { "II*\0", "MM\0*", "IIU\0",
	    "IIRO", "IIRS", "MMOR" };
	size_t	i;

	if (s->headlen < 8)
		return 0;
	for (i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (memcmp(s->head, magics[i], 4) == 0)
			return 1;
	return 0;
}

/*
 * Is s a JPEG as cameras and phones write it: the start of image, then an
 * Exif or a JFIF segment? libmagic names every such file image/jpeg (the
 * corpus, and every JPEG on the test machine, checked), and asking it
 * costs a tenth of the importer's time on a card of photos.
 */
static int
identify_jpeg(const struct sb_src *s)
{
	const uint8_t	*h = s->head;

	if (s->headlen < 12 || h[0] != 0xff || h[1] != 0xd8 || h[2] != 0xff)
		return 0;
	return (h[3] == 0xe1 && memcmp(h + 6, "Exif\0\0", 6) == 0) ||
	    (h[3] == 0xe0 && memcmp(h + 6, "JFIF\0", 5) == 0);
}

/*
 * Name the type of the file whose first bytes are in s->head, and set
 * m->mime and m->kind. The bytes decide; name breaks ties they cannot.
 * Returns 0, or -1 if libmagic failed (m->error says why).
 */
int
identify(const struct sb_src *s, const char *name, struct meta *m)
{
	const char	*mime, *alt;
	char		 ext[16];
	/* libmagic sees HEAD_SIZE bytes, however much was read. */
	size_t		 len = s->headlen < HEAD_SIZE ? s->headlen : HEAD_SIZE;

	if (cookie == NULL && identify_open(NULL) == -1) {
		meta_set_error(m, "libmagic is not available");
		return -1;
	}
	if (s->headlen == 0)
		mime = "application/x-empty";
	else if (identify_jpeg(s))
		mime = "image/jpeg";
	else if ((mime = magic_buffer(cookie, s->head, len)) == NULL) {
		meta_set_error(m, "libmagic: %s", magic_error(cookie));
		return -1;
	}
	identify_ext(name, ext, sizeof ext);
	if ((strcmp(mime, "image/tiff") == 0 ||
	    strcmp(mime, "image/x-panasonic-rw2") == 0 ||
	    strcmp(mime, "application/octet-stream") == 0) &&
	    identify_tiff_bytes(s))
		mime = identify_tiff(s, ext, mime);
	/* The magic looks for a video stream only so far into the header. */
	if (strcmp(mime, "video/x-ms-asf") == 0 && (alt = asf_mime(s)) != NULL)
		mime = alt;
	/* An XMP packet (sidecar or standalone) is RDF, as ExifTool says. */
	if ((strncmp(mime, "text/", 5) == 0 ||
	    strcmp(mime, "application/xml") == 0) &&
	    memmem(s->head, len, "<x:xmpmeta", 10) != NULL)
		mime = "application/rdf+xml";
	strlcpy_sb(m->mime, mime, sizeof m->mime);
	m->kind = kind_of_mime(m->mime);
	return 0;
}
