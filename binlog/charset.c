/*
 * Charsets: MySQL/MariaDB collation ids to charsets, and text to UTF-8.
 * UTF-8 is validated (no overlongs, no surrogates, nothing above
 * U+10FFFF); MySQL's latin1 is Windows-1252 with the five undefined
 * bytes kept as the C1 controls of the same value, as the server does;
 * other charsets go through iconv(3) with cached descriptors.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <string.h>

#include "base/utf8.h"
#include "binlog/internal.h"

struct cs_range {
	uint16_t lo, hi;
	const char *name;
};

/* Single ids (MySQL 5.x/8.x and MariaDB share them below 256). */
static const char *const cs_small[] = {
	[1] = "big5", [2] = "latin2", [3] = "dec8", [4] = "cp850",
	[5] = "latin1", [6] = "hp8", [7] = "koi8r", [8] = "latin1",
	[9] = "latin2", [10] = "swe7", [11] = "ascii", [12] = "ujis",
	[13] = "sjis", [14] = "cp1251", [15] = "latin1", [16] = "hebrew",
	[18] = "tis620", [19] = "euckr", [20] = "latin7", [21] = "latin2",
	[22] = "koi8u", [23] = "cp1251", [24] = "gb2312", [25] = "greek",
	[26] = "cp1250", [27] = "latin2", [28] = "gbk", [29] = "cp1257",
	[30] = "latin5", [31] = "latin1", [32] = "armscii8", [33] = "utf8mb3",
	[34] = "cp1250", [35] = "ucs2", [36] = "cp866", [37] = "keybcs2",
	[38] = "macce", [39] = "macroman", [40] = "cp852", [41] = "latin7",
	[42] = "latin7", [43] = "macce", [44] = "cp1250", [45] = "utf8mb4",
	[46] = "utf8mb4", [47] = "latin1", [48] = "latin1", [49] = "latin1",
	[50] = "cp1251", [51] = "cp1251", [52] = "cp1251", [53] = "macroman",
	[54] = "utf16", [55] = "utf16", [56] = "utf16le", [57] = "cp1256",
	[58] = "cp1257", [59] = "cp1257", [60] = "utf32", [61] = "utf32",
	[62] = "utf16le", [63] = "binary", [64] = "armscii8", [65] = "ascii",
	[66] = "cp1250", [67] = "cp1256", [68] = "cp866", [69] = "dec8",
	[70] = "greek", [71] = "hebrew", [72] = "hp8", [73] = "keybcs2",
	[74] = "koi8r", [75] = "koi8u", [76] = "utf8mb3", [77] = "latin2",
	[78] = "latin5", [79] = "latin7", [80] = "cp850", [81] = "cp852",
	[82] = "swe7", [83] = "utf8mb3", [84] = "big5", [85] = "euckr",
	[86] = "gb2312", [87] = "gbk", [88] = "sjis", [89] = "tis620",
	[90] = "ucs2", [91] = "ujis", [92] = "geostd8", [93] = "geostd8",
	[94] = "latin1", [95] = "cp932", [96] = "cp932", [97] = "eucjpms",
	[98] = "eucjpms", [99] = "cp1250",
};

/* Ranges of the Unicode collation families. */
static const struct cs_range cs_ranges[] = {
	{101, 124, "utf16"},	{128, 159, "ucs2"},	{160, 183, "utf32"},
	{192, 215, "utf8mb3"},	{224, 247, "utf8mb4"},	{248, 250, "gb18030"},
	{255, 323, "utf8mb4"},	/* MySQL 8 utf8mb4_0900_* and friends */
	{576, 607, "utf8mb3"},	{608, 639, "utf8mb4"},	/* MariaDB extra UCA */
	{640, 671, "ucs2"},	{672, 703, "utf16"},	{736, 767, "utf32"},
	/* MariaDB 11 UCA 14.0.0: 256 ids per charset */
	{2048, 2303, "utf8mb3"}, {2304, 2559, "utf8mb4"}, {2560, 2815, "ucs2"},
	{2816, 3071, "utf16"},	{3072, 3327, "utf32"},
};

const char *bl_collation_charset(uint16_t coll)
{
	/* MariaDB's NOPAD collations are the PAD ones plus 1024 */
	if (coll >= 1024 && coll < 2048)
		coll = (uint16_t)(coll - 1024);
	if (coll < sizeof(cs_small) / sizeof(cs_small[0]) && cs_small[coll])
		return cs_small[coll];
	for (size_t i = 0; i < sizeof(cs_ranges) / sizeof(cs_ranges[0]); i++)
		if (coll >= cs_ranges[i].lo && coll <= cs_ranges[i].hi)
			return cs_ranges[i].name;
	return NULL;
}

/* Windows-1252 0x80..0x9f; undefined bytes stay C1 controls (as MySQL). */
static const uint16_t cp1252_hi[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static void put_cp(struct buf *out, uint32_t cp)
{
	uint8_t t[3];
	if (cp < 0x80) {
		buf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		t[0] = (uint8_t)(0xc0 | cp >> 6);
		t[1] = (uint8_t)(0x80 | (cp & 0x3f));
		buf_put(out, t, 2);
	} else {
		t[0] = (uint8_t)(0xe0 | cp >> 12);
		t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (uint8_t)(0x80 | (cp & 0x3f));
		buf_put(out, t, 3);
	}
}

static void latin1_to_utf8(struct buf *out, const uint8_t *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		buf_put(out, p + run, i - run);
		run = i + 1;
		put_cp(out, p[i] < 0xa0 ? cp1252_hi[p[i] - 0x80] : p[i]);
	}
	buf_put(out, p + run, n - run);
}

static const struct {
	const char *mysql, *iconv;
} iconv_names[] = {
	{"latin2", "ISO-8859-2"},	{"cp1250", "CP1250"},
	{"cp1251", "CP1251"},		{"cp1256", "CP1256"},
	{"cp1257", "CP1257"},		{"greek", "ISO-8859-7"},
	{"hebrew", "ISO-8859-8"},	{"latin5", "ISO-8859-9"},
	{"latin7", "ISO-8859-13"},	{"koi8r", "KOI8-R"},
	{"koi8u", "KOI8-U"},		{"cp850", "CP850"},
	{"cp852", "CP852"},		{"cp866", "CP866"},
	{"macce", "MAC-CENTRALEUROPE"},	{"macroman", "MACINTOSH"},
	{"tis620", "TIS-620"},		{"armscii8", "ARMSCII-8"},
	{"hp8", "HP-ROMAN8"},		{"geostd8", "GEORGIAN-PS"},
	{"sjis", "SHIFT_JIS"},		{"cp932", "CP932"},
	{"ujis", "EUC-JP"},		{"eucjpms", "EUC-JP-MS"},
	{"euckr", "EUC-KR"},		{"gb2312", "GB2312"},
	{"gbk", "GBK"},			{"gb18030", "GB18030"},
	{"big5", "BIG5"},		{"ucs2", "UCS-2BE"},
	{"utf16", "UTF-16BE"},		{"utf16le", "UTF-16LE"},
	{"utf32", "UTF-32BE"},
};

#define NCONV (sizeof(iconv_names) / sizeof(iconv_names[0]))
/* per thread: init_replica converts text in several threads at once */
static _Thread_local iconv_t conv_cache[NCONV];
static _Thread_local bool conv_tried[NCONV];

void bl_charset_thread_done(void)
{
	for (size_t k = 0; k < NCONV; k++) {
		if (conv_tried[k] && conv_cache[k] != (iconv_t)-1)
			iconv_close(conv_cache[k]);
		conv_tried[k] = false;
	}
}

static int via_iconv(struct buf *out, const char *cs, const uint8_t *p,
		     size_t n)
{
	size_t k = 0;
	while (k < NCONV && strcmp(iconv_names[k].mysql, cs) != 0)
		k++;
	if (k == NCONV)
		return -ERR_UNSUPPORTED;
	if (!conv_tried[k]) {
		conv_tried[k] = true;
		conv_cache[k] = iconv_open("UTF-8", iconv_names[k].iconv);
	}
	iconv_t cd = conv_cache[k];
	if (cd == (iconv_t)-1)
		return -ERR_UNSUPPORTED;
	iconv(cd, NULL, NULL, NULL, NULL);
	size_t mark = out->n;
	char *in = (char *)(uintptr_t)p;
	size_t inleft = n;
	while (inleft) {
		size_t room = inleft * 4 + 16;
		uint8_t *dst = buf_reserve(out, room);
		if (!dst) {
			out->n = mark;
			return -ERR_TOOBIG;
		}
		char *o = (char *)dst;
		size_t oleft = room;
		size_t rc = iconv(cd, &in, &inleft, &o, &oleft);
		out->n += room - oleft;
		if (rc == (size_t)-1 && errno != E2BIG) {
			out->n = mark;
			return -ERR_PROTO;
		}
	}
	/* flush shift state */
	uint8_t *dst = buf_reserve(out, 16);
	if (dst) {
		char *o = (char *)dst;
		size_t oleft = 16;
		iconv(cd, NULL, NULL, &o, &oleft);
		out->n += 16 - oleft;
	}
	return 0;
}

/* Two classes more than enum bl_cs_class's, for this file only. */
enum { CS_NONE = 100, CS_ASCII };

/* The class of a charset name; BL_CS_OTHER for every other one. */
static uint8_t class_of(const char *cs)
{
	if (!cs)
		return CS_NONE;
	if (!strcmp(cs, "utf8mb4") || !strcmp(cs, "utf8mb3"))
		return BL_CS_UTF8;
	if (!strcmp(cs, "latin1"))
		return BL_CS_LATIN1;
	if (!strcmp(cs, "ascii"))
		return CS_ASCII;
	if (!strcmp(cs, "binary"))
		return BL_CS_BINARY;
	return BL_CS_OTHER;
}

/* Every collation id's class, computed once (the decoder asks per value). */
static uint8_t cs_class[2048];
static pthread_once_t cs_class_once = PTHREAD_ONCE_INIT;

static void cs_class_init(void)
{
	for (unsigned i = 0; i < 2048; i++)
		cs_class[i] = class_of(bl_collation_charset((uint16_t)i));
}

static uint8_t collation_class(uint16_t collation)
{
	if (collation >= 2048)
		return class_of(bl_collation_charset(collation));
	pthread_once(&cs_class_once, cs_class_init);
	return cs_class[collation];
}

int bl_text_to_utf8(struct buf *out, uint16_t collation, const uint8_t *p,
		    size_t n)
{
	switch (collation_class(collation)) {
	case CS_NONE:
		return -ERR_UNSUPPORTED;
	case BL_CS_UTF8:
		if (!utf8_valid(p, n))
			return -ERR_PROTO;
		buf_put(out, p, n);
		return 0;
	case BL_CS_LATIN1:
		latin1_to_utf8(out, p, n);
		return 0;
	case CS_ASCII:
		for (size_t i = 0; i < n; i++)
			if (p[i] >= 0x80)
				return -ERR_PROTO;
		buf_put(out, p, n);
		return 0;
	case BL_CS_BINARY:
		return -ERR_PROTO;
	default:
		return via_iconv(out, bl_collation_charset(collation), p, n);
	}
}

uint8_t bl__cs_class(uint16_t collation)
{
	uint8_t c = collation_class(collation);
	return c == CS_NONE || c == CS_ASCII ? BL_CS_OTHER : c;
}
