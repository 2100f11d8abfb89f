/*
 * shoebox.h: types shared across shoebox and the prototypes of every module,
 * grouped under a line naming the file that defines them.
 */
#ifndef SHOEBOX_H
#define SHOEBOX_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define SHOEBOX_VERSION "0.1.0"

/* The Makefile asks for it: sizes and offsets of videos over 2 GB. */
_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

/* Exit status: what happened, as documented in shoebox(1). */
#define EXIT_ALLGOOD	0
#define EXIT_SOMEFAILED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3	/* sync: a remote could not be reached */

enum kind {
	KIND_OTHER = 0,
	KIND_IMAGE,
	KIND_RAW,
	KIND_VIDEO,
	KIND_SIDECAR
};

/*
 * A capture time. A parser sets the wall clock (what the camera's clock
 * showed), a UTC instant, or both. date_resolve() fills in the wall clock
 * from UTC when only UTC is known.
 */
struct sb_time {
	int		 has_wall;
	int		 year, mon, day, hour, min, sec;
	int		 has_offset;	/* offset_min is meaningful */
	int		 offset_min;	/* minutes east of UTC */
	int		 has_utc;
	int64_t		 utc;		/* seconds since 1970-01-01T00:00:00Z */
};

/* A date a file offered, taken or not: probe -v shows them all. */
struct meta_candidate {
	char		 source[24];		/* as date_source */
	struct sb_time	 t;
};
#define META_CANDIDATES	8

/* What shoebox learns about one file. */
struct meta {
	char		 mime[80];
	enum kind	 kind;
	char		 make[64];
	char		 model[64];
	struct sb_time	 taken;
	char		 date_source[24];	/* exif, quicktime, matroska, ... */
	char		 error[200];		/* why a parser gave up, or "" */
	int		 ncand;			/* the dates seen, best first */
	struct meta_candidate cand[META_CANDIDATES];
};

/*
 * A bounded, read-only view of a file. The first headlen bytes are held in
 * head; anything else is read with pread() on fd. A memory-only source
 * (fuzzers, embedded blocks) has fd == -1 and head covering all size bytes.
 */
struct sb_src {
	int		 fd;
	const char	*path;
	uint64_t	 size;
	const uint8_t	*head;
	size_t		 headlen;
};

/* Bytes read at the start of every file for libmagic and the parsers. */
#define HEAD_SIZE	(64 * 1024)

/* Settings from the command line, the environment and the config file. */
struct config;

/* What every command gets from main(). */
struct sb_ctx {
	struct config	*cfg;
	const char	*library;	/* -L, $SHOEBOX_LIBRARY or config */
	const char	*library_from;	/* which of those: "-L" ... */
	int		 json;		/* --json given (before or after) */
	int		 rebuild;	/* adopt run by restore --rebuild:
					   a sidecar that pairs with no file
					   is catalogued on its own */
	int		 locked;	/* the caller holds the library's
					   lock (restore --rebuild's adopt) */
};

/*
 * One option of a command, declared in its table entry: from these come
 * the parsing, the usage line and --help (cmd.c).
 */
struct cmd_option {
	const char	*name;		/* --name */
	int		 letter;	/* -l, or 0 */
	const char	*arg;		/* its argument ("DURATION"), or NULL */
	const char	*help;		/* one line for --help */
};
#define CMD_MAXOPTS	32

/* A command line as cmd_parse() leaves it; cmd_has() and co. read it. */
struct cmd_args {
	const struct cmd_entry *cmd;
	int		 argc;			/* the operands */
	char		**argv;
	int		 given[CMD_MAXOPTS];	/* times each option was given */
	int		 order[CMD_MAXOPTS];	/* when it last was: 1, 2 ... */
	const char	*value[CMD_MAXOPTS];	/* its last argument */
};

/*
 * A command: one table entry each (see main.c), in its own cmd-*.c. The
 * flags say what main() prepares before running it.
 */
#define CMD_LIBRARY	0x1	/* needs a library */
#define CMD_NOCONFIG	0x4	/* runs without reading the config */
struct cmd_entry {
	const char	*name;
	const char	*args;		/* operands, as usage shows them */
	int		 lower, upper;	/* how many operands (-1: any) */
	const char	*summary;
	const struct cmd_option *options;	/* ends with { NULL } */
	int		 flags;
	int		(*exec)(struct sb_ctx *, struct cmd_args *);
};

extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_probe_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_find_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_adopt_entry;
extern const struct cmd_entry cmd_forget_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_help_entry;

/* log.c */
extern int	 log_verbose;	/* -v count */
extern int	 log_quiet;	/* -q */
void		 log_warnx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_warn(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_info(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
void		 fatalx(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
void		 fatal(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
void		 log_errorx(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
const char	*log_problem(void);
int		 log_to_journal(void);
void		 log_problem_reset(void);
#define LOG_ESC_BACKSLASH	0x1	/* log_escape: \\ for a backslash too */
#define LOG_ESC_RING		8	/* log_esc results alive at once */
const char	*log_escape(const char *, char *, size_t, int);
const char	*log_path(const char *, char *, size_t);
const char	*log_esc(const char *);
size_t		 utf8_len(const unsigned char *, size_t);

/* cmd.c */
extern const struct cmd_option cmd_global_options[];
int		 cmd_parse(const struct cmd_entry *, int, char **, int,
		    struct cmd_args *);
int		 cmd_declares(const struct cmd_entry *, const char *);
int		 cmd_has(const struct cmd_args *, const char *);
const char	*cmd_get(const struct cmd_args *, const char *);
int		 cmd_flag(const struct cmd_args *, const char *, const char *,
		    int);
void		 cmd_usage(const struct cmd_entry *);
void		 cmd_help(const struct cmd_entry *);
void		 cmd_help_globals(FILE *);

/* lock.c: the library's lock (.shoebox/lock) */
int		 lock_library(const char *, const char *);

/* meter.c: the progress line on a terminal (files, bytes, rate, time left) */
struct meter {
	int		 on;		/* draw it at all */
	int		 shown;		/* a line is on the screen */
	uint64_t	 files;		/* totals, when known */
	uint64_t	 bytes;
	struct timespec	 started;
	struct timespec	 last;
};
void		 meter_start(struct meter *, int, uint64_t, uint64_t);
void		 meter_show(struct meter *, uint64_t, uint64_t, int);
void		 meter_clear(struct meter *);
void		 meter_left(double, char *, size_t);
double		 meter_elapsed(const struct meter *);

/*
 * daterange.c: "2004", "2004-03", "2004-03-30" and ranges of them
 * ("2004-03-01..2004-03-31", open at either end), as the half-open span
 * [from, to) of ISO 8601 prefixes that the catalogue's dates compare with.
 */
struct daterange {
	char		 from[11];	/* "" when open */
	char		 to[11];	/* exclusive; "" when open */
};
int		 daterange_parse(const char *, struct daterange *);

/* xmalloc.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *s, size_t n);
int		 xasprintf(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
size_t		 strlcpy_sb(char *, const char *, size_t);

/* template.c: a file's folder (pattern) and name (name) from templates */
#define TMPL_DIR	0x1	/* a folder: '/' separates parts, no {seq} */
#define TMPL_UNKNOWN	"Unknown"	/* a value the file does not have */
#define TMPL_NAME_ROOM	24	/* kept free in a name: -N, a sidecar's */
struct tmpl_vals {
	const struct sb_time *t;	/* the capture time, wall clock */
	const char	*make;		/* "" when unknown */
	const char	*model;
	enum kind	 kind;
	const char	*name;		/* its own name */
	unsigned long	 seq;		/* {seq} */
};
void		 tmpl_clean(const char *, const char *, char *, size_t);
int		 tmpl_expand(const char *, int, const struct tmpl_vals *,
		    char *, size_t, size_t *);
int		 tmpl_check(const char *, int, char *, size_t);

/* util.c */
extern volatile sig_atomic_t stop_requested;
void		 stop_catch(void);
void		 fmt_size(uint64_t n, char *buf, size_t size);
int		 library_dir_check(const char *path);
int		 disk_free(int fd, uint64_t *avail);
int		 disk_no_inodes(int fd, uint64_t *total);
int		 disk_frozen(int fd);
int		 disk_wall_mtime(int fd);
void		 sidecar_rename(const char *, const char *, const char *,
		    char *, size_t);
char		*path_real(const char *);
int		 path_below(const char *path, const char *top);
int		 folder_empty(int fd);
long long	 mono_ms(void);
int		 strp_cmp(const void *, const void *);
int		 err_disk_full(const char *err);
int		 err_read_only(const char *err);

/* config.c */
#define CONFIG_GLOBAL	0	/* sections a key belongs to */
#define CONFIG_REMOTE	1
#define CONFIG_CAMERA	2
enum config_type {
	CONFIG_STRING, CONFIG_PATH, CONFIG_COMMAND, CONFIG_SECRET,
	CONFIG_BOOL, CONFIG_SIZE, CONFIG_DURATION, CONFIG_SECONDS,
	CONFIG_ZONE, CONFIG_COUNT, CONFIG_RATE, CONFIG_CHOICE, CONFIG_URL,
	CONFIG_PATTERN, CONFIG_PREFIX
};
/* A key shoebox knows: one row of config_keys[] each. */
struct config_key {
	const char	*name;
	int		 scope;		/* CONFIG_GLOBAL ... */
	const char	*kinds;		/* remote types ("s3 sftp"); NULL: all */
	enum config_type type;
	long long	 min, max;	/* CONFIG_COUNT, CONFIG_SIZE, _SECONDS */
	const char	*choices;	/* CONFIG_CHOICE values, URL schemes */
	const char	*def;		/* default, or NULL */
	const char	*doc;		/* one line */
};
extern const struct config_key config_keys[];
const struct config_key *config_key_find(const char *, int, const char *,
		    const struct config_key **);
int		 config_bool(const char *);
int		 config_check_zone(const char *);
const char	*config_url_password(const char *, size_t *);
struct config	*config_new(void);
void		 config_free(struct config *);
int		 config_load(struct config *, const char *, int);
const char	*config_get(const struct config *, const char *,
		    const char *);
int		 config_parse_duration(const char *, double *);
int		 config_parse_seconds(const char *, double *);
long long	 config_parse_rate(const char *);
int		 config_settle(const char *, const char *, double *);
int		 config_get_bool(const struct config *, const char *,
		    const char *, int);
long long	 config_get_size(const struct config *, const char *,
		    const char *, long long);
int		 config_sections(const struct config *, const char *,
		    const char ***);
void		 config_set(struct config *, const char *, const char *,
		    const char *);
const char	*config_path(const struct config *);

/* src.c */
int		 src_read(const struct sb_src *, uint64_t, void *, size_t);
void		 src_mem(struct sb_src *, const uint8_t *, size_t);
uint16_t	 get16be(const uint8_t *);
uint16_t	 get16le(const uint8_t *);
uint32_t	 get32be(const uint8_t *);
uint32_t	 get32le(const uint8_t *);
uint64_t	 get64be(const uint8_t *);
uint64_t	 get64le(const uint8_t *);

/* date.c */
int		 date_valid(int, int, int, int, int, int);
int		 date_digits(const char *, size_t);
int		 date_set_wall(struct sb_time *, int, int, int, int, int, int);
int		 date_parse_exif(const char *, size_t, struct sb_time *);
int		 date_parse_iso(const char *, size_t, struct sb_time *);
int		 date_parse_rfc1123(const char *, size_t, struct sb_time *);
int		 date_parse_offset(const char *, size_t, int *);
int		 date_set_utc(struct sb_time *, int64_t);
int		 date_utc_to_wall(struct sb_time *, const char *);
void		 date_resolve(struct meta *, const struct config *);
void		 date_resolve_time(struct sb_time *, const struct meta *,
		    const struct config *);
int64_t		 date_days_from_civil(int, int, int);
size_t		 date_format(const struct sb_time *, char *, size_t);
size_t		 date_format_utc(const struct sb_time *, char *, size_t);

/* date-name.c: dates in file and folder names */
#define DATE_NAME_NONE		0
#define DATE_NAME_DAY		1	/* the day only: 00:00:00 */
#define DATE_NAME_SECOND	2
int		 date_from_name(const char *, int64_t, struct sb_time *);
int		 date_from_folder(const char *, int64_t, struct sb_time *);

/* identify.c */
int		 identify_open(const char *);
void		 identify_close(void);
int		 identify(const struct sb_src *, const char *, struct meta *);
enum kind	 kind_of_mime(const char *);
const char	*kind_name(enum kind);
int		 is_sidecar_name(const char *);
int		 is_media_name(const char *);

/* meta.c */
int		 meta_read(const struct sb_src *, struct meta *);
int		 meta_probe(int, const char *, const struct stat *,
		    const struct config *, uint8_t *, struct sb_src *,
		    struct meta *);
int		 meta_probe_head(int, const char *, const struct stat *,
		    const struct config *, uint8_t *, size_t, struct sb_src *,
		    struct meta *);
void		 meta_fallback_mtime(struct meta *, const struct stat *);
int		 meta_date_weak(const struct meta *);
int		 meta_take_date(struct meta *, const char *, size_t,
		    const char *, const char *);
void		 meta_set_error(struct meta *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 meta_set_text(char *, size_t, const void *, size_t);
void		 meta_candidate(struct meta *, const char *,
		    const struct sb_time *);

/* cmd-sync.c: upload what the queue holds; used by import --sync too */
int		 sync_run(struct sb_ctx *, char **, int);

/* run.c: each import run recorded (the runs table), reported, announced */
struct run_result {
	const char	*command;	/* "import", "watch" */
	int		 nsrc;
	char		**src;
	time_t		 started;
	struct timespec	 t0;		/* CLOCK_MONOTONIC at the start */
	unsigned long	 seen, imported, duplicates, sidecars, already,
			 skipped, waiting, failed, warnings;
	unsigned long	 nottried;	/* not attempted, not for their
					   own fault (a full disk ...) */
	uint64_t	 bytes;		/* copied */
	int		 dry_run;
	int		 interrupted;
	int		 exit_status;
	int		 cat_stopped;	/* its catalogue found damaged or
					   read-only (said): not recorded */
};
struct catalog;
void		 run_begin(struct run_result *, const char *, int, char **);
int		 run_finish(struct sb_ctx *, const struct run_result *);
int		 run_status(struct catalog *, int, int);

/* cmd-import.c: import, for the commands that import unattended */
struct import_opts {
	int		 dry_run;
	int		 move;
	int		 json;
	int		 progress;	/* 1, 0, or -1: on a terminal */
	int		 sync;		/* upload at the end */
	double		 settle;	/* seconds unchanged before taken */
	const char	*origin;	/* the run's command: NULL for "import" */
	struct run_result *result;	/* filled in at the end, if not NULL */
	char		**beneath;	/* watch's DIRs: a source below one */
	int		 nbeneath;	/* is reached from it through no link */
	int		 arriving_quiet; /* files still arriving said at -v only
					   (watch takes each once settled) */
};
int		 import_opts_init(struct sb_ctx *, struct import_opts *);
int		 import_run(struct sb_ctx *, const struct import_opts *, int,
		    char **);

/*
 * json.c: JSON output shared by the commands (declared here: a src/json.h
 * would be mistaken for json-c's <json.h>)
 */
struct json_object;
void		 json_add_str(struct json_object *obj, const char *key,
		    const char *value);
void		 json_print(struct json_object *obj);
struct json_object *meta_json(const char *path, const struct meta *m);

/* meta-exif.c: libexif on JPEG APP1 and any embedded TIFF/Exif block */
int		 meta_jpeg(const struct sb_src *, struct meta *);
size_t		 exif_header_len(const uint8_t *, size_t);
int		 meta_exif_blob(const uint8_t *, size_t, struct meta *);
int		 meta_jpeg_exif(const struct sb_src *, uint64_t, uint64_t,
		    struct meta *);
void		 meta_xmp_date(const uint8_t *, size_t, struct meta *);

/* meta-vendor.c: dates in vendors' blocks libexif does not read */
#define FLIR_MAXCHUNKS	256
struct flir_chunks {
	int		 n;			/* chunks seen */
	uint64_t	 off[FLIR_MAXCHUNKS];	/* their data, by number */
	uint32_t	 len[FLIR_MAXCHUNKS];	/* 0: not seen */
};
void		 flir_chunk(struct flir_chunks *, const uint8_t *, uint64_t,
		    size_t);
int		 flir_date(const struct sb_src *, const struct flir_chunks *,
		    struct sb_time *);
int		 reconyx_date(const uint8_t *, size_t, const char *,
		    struct sb_time *);

/* meta-tiff.c: TIFF-based files (TIFF, CR2, NEF, ARW, DNG, ORF, RW2 ...) */
struct tiff_info {
	int		 ok;
	char		 make[64];
	char		 model[64];
	int		 dng;		/* DNGVersion present */
	uint16_t	 magic;		/* 42, or ORF/RW2's own */
	int		 cr2;		/* "CR" at offset 8 */
	int		 tags_seen;	/* IFD0 had these notable tags */
};
/* Bits of tiff_info.tags_seen (any IFD walked, not just IFD0). */
#define TIFF_SEEN_EXIF		0x01	/* ExifIFD pointer */
#define TIFF_SEEN_SUBIFDS	0x02	/* SubIFDs */
#define TIFF_SEEN_CFA		0x04	/* CFA or LinearRaw photometric */
#define TIFF_SEEN_RAWCOMP	0x08	/* a vendor's raw compression */
#define TIFF_SEEN_PRIVATE	0x10	/* DNGPrivateData, Leaf, Kodak IFD */
#define TIFF_SEEN_DATE		0x20	/* a date tag */
int		 meta_tiff(const struct sb_src *, uint64_t, struct meta *,
		    struct tiff_info *);

/* meta-raw.c: CRW (CIFF), MRW, X3F, RAF, Kyocera RAW, Sony PMP */
int		 meta_crw(const struct sb_src *, struct meta *);
int		 meta_mrw(const struct sb_src *, struct meta *);
int		 meta_x3f(const struct sb_src *, struct meta *);
int		 meta_raf(const struct sb_src *, struct meta *);
int		 meta_kyocera(const struct sb_src *, struct meta *);
int		 meta_pmp(const struct sb_src *, struct meta *);

/* meta-bmff.c: ISO-BMFF and QuickTime (MP4, MOV, 3GP, HEIC, AVIF, CR3) */
int		 meta_bmff(const struct sb_src *, struct meta *);

/* meta-riff.c: AVI and WebP */
int		 meta_riff(const struct sb_src *, struct meta *);

/* meta-png.c */
int		 meta_png(const struct sb_src *, struct meta *);

/* meta-mkv.c: Matroska and WebM */
int		 meta_mkv(const struct sb_src *, struct meta *);

/* meta-mpegts.c: MPEG-2 TS and AVCHD M2TS */
int		 meta_mpegts(const struct sb_src *, struct meta *);

/* meta-dv.c */
int		 meta_dv(const struct sb_src *, struct meta *);

/* meta-asf.c: ASF (WMV, WMA) */
struct asf_info {
	int		 video, audio;	/* stream types present */
	int		 has_created;
	int64_t		 created;	/* UTC */
};
int		 asf_walk(const struct sb_src *, struct asf_info *, char *,
		    size_t);
const char	*asf_mime(const struct sb_src *);
int		 meta_asf(const struct sb_src *, struct meta *);

/* meta-mxf.c: MXF (SMPTE 377M) */
int		 meta_mxf(const struct sb_src *, struct meta *);

/* meta-red.c */
int		 meta_red(const struct sb_src *, struct meta *);

#endif /* SHOEBOX_H */
