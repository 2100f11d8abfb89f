/*
 * meta-asf.c: ASF (WMV, WMA; Microsoft's Advanced Systems Format). The file
 * opens with a Header Object whose children are objects of their own: a
 * 16-byte GUID, a 64-bit little-endian size, then the body. Two matter
 * here: the File Properties Object, whose Creation Date is a FILETIME
 * (100 ns ticks since 1601, UTC), and the Stream Properties Objects, whose
 * stream type says whether the file holds video. Only the Header Object is
 * read, and at most ASF_MAXBYTES of it.
 */
#include <stdio.h>
#include <string.h>

#include "shoebox.h"

#define ASF_MAXBYTES	(4 * 1024 * 1024)
#define ASF_MAXOBJECTS	4096
#define ASF_OBJHDR	24
/* Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01. */
#define ASF_EPOCH_DIFF	11644473600LL

static const uint8_t asf_header[16] = { 0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66,
    0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c };
static const uint8_t asf_file_props[16] = { 0xa1, 0xdc, 0xab, 0x8c, 0x47,
    0xa9, 0xcf, 0x11, 0x8e, 0xe4, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65 };
static const uint8_t asf_stream_props[16] = { 0x91, 0x07, 0xdc, 0xb7, 0xb7,
    0xa9, 0xcf, 0x11, 0x8e, 0xe6, 0x00, 0xc0, 0x0c, 0x20, 0x53, 0x65 };
static const uint8_t asf_video[16] = { 0xc0, 0xef, 0x19, 0xbc, 0x4d, 0x5b,
    0xcf, 0x11, 0xa8, 0xfd, 0x00, 0x80, 0x5f, 0x5c, 0x44, 0x2b };
static const uint8_t asf_audio[16] = { 0x40, 0x9e, 0x69, 0xf8, 0x4d, 0x5b,
    0xcf, 0x11, 0xa8, 0xfd, 0x00, 0x80, 0x5f, 0x5c, 0x44, 0x2b };

/*
 * Walk the Header Object of s into ai. Returns 0, or -1 with err set when
 * s is not ASF or its header cannot be read.
 */
int
asf_walk(const struct sb_src *s, struct asf_info *ai, char *err, size_t errlen)
{
	uint8_t		 h[ASF_OBJHDR + 16];
	uint64_t	 end, off, size, ft;
	uint32_t	 count, i;

	memset(ai, 0, sizeof *ai);
	if (s->size < 30 || src_read(s, 0, h, 30) == -1 ||
	    memcmp(h, asf_header, 16) != 0) {
		snprintf(err, errlen, "ASF: no header object at the start");
		return -1;
	}
	end = get64le(h + 16);
	if (end < 30 || end > s->size) {
		snprintf(err, errlen, "ASF: header object size %llu does not "
		    "fit in the file", (unsigned long long)end);
		return -1;
	}
	if (end > ASF_MAXBYTES)
		end = ASF_MAXBYTES;
	count = get32le(h + 24);
	for (off = 30, i = 0; i < count && i < ASF_MAXOBJECTS &&
	    off + ASF_OBJHDR <= end; i++, off += size) {
		if (src_read(s, off, h, ASF_OBJHDR) == -1) {
			snprintf(err, errlen, "ASF: read error at byte %llu",
			    (unsigned long long)off);
			return -1;
		}
		size = get64le(h + 16);
		if (size < ASF_OBJHDR || size > end - off) {
			snprintf(err, errlen, "ASF: object at byte %llu has "
			    "size %llu, past the header's end",
			    (unsigned long long)off, (unsigned long long)size);
			return -1;
		}
		if (memcmp(h, asf_file_props, 16) == 0 &&
		    size >= ASF_OBJHDR + 40 &&
		    src_read(s, off + ASF_OBJHDR + 24, h, 8) == 0) {
			ft = get64le(h);
			if (ft / 10000000 > (uint64_t)ASF_EPOCH_DIFF) {
				ai->created = (int64_t)(ft / 10000000) -
				    ASF_EPOCH_DIFF;
				ai->has_created = 1;
			}
		} else if (memcmp(h, asf_stream_props, 16) == 0 &&
		    size >= ASF_OBJHDR + 16 &&
		    src_read(s, off + ASF_OBJHDR, h, 16) == 0) {
			if (memcmp(h, asf_video, 16) == 0)
				ai->video = 1;
			else if (memcmp(h, asf_audio, 16) == 0)
				ai->audio = 1;
		}
	}
	return 0;
}

/* The type of an ASF file by its streams: WMV, WMA, or ASF when unsure. */
const char *
asf_mime(const struct sb_src *s)
{
	struct asf_info	 ai;
	char		 err[8];

	if (asf_walk(s, &ai, err, sizeof err) == -1)
		return NULL;
	if (ai.video)
		return "video/x-ms-wmv";
	if (ai.audio)
		return "audio/x-ms-wma";
	return NULL;
}

/*
 * ASF: the File Properties Object's creation date, a UTC instant. Returns
 * 0, or -1 with m->error set.
 */
int
meta_asf(const struct sb_src *s, struct meta *m)
{
	struct asf_info	ai;
	int		rc;

	rc = asf_walk(s, &ai, m->error, sizeof m->error);
	if (ai.has_created && date_set_utc(&m->taken, ai.created) == 0)
		strlcpy_sb(m->date_source, "asf", sizeof m->date_source);
	return rc;
}
