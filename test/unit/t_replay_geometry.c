/* MySQL geometry (SRID + WKB) to PostGIS hex EWKB: every kind, both byte
 * orders, empty and nested collections, truncated and malformed input. */
#include <stdlib.h>

#include "replay/internal.h"
#include "replay/replay.h"
#include "test/unit/test.h"

/* Bytes from hex text (spaces ignored); n set. */
static uint8_t *unhex(const char *h, size_t *n)
{
	uint8_t *p = malloc(strlen(h) / 2 + 1);
	size_t k = 0;
	int hi = -1;
	for (; *h; h++) {
		if (*h == ' ')
			continue;
		int v = *h <= '9' ? *h - '0' : (*h | 32) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			p[k++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*n = k;
	return p;
}

static char *nospace(const char *h)
{
	char *o = malloc(strlen(h) + 1);
	size_t k = 0;
	for (; *h; h++)
		if (*h != ' ')
			o[k++] = (char)(*h >= 'a' && *h <= 'f' ? *h - 32 : *h);
	o[k] = 0;
	return o;
}

/* rp_geometry_ewkb of (srid, wkb given in hex), as a string, or NULL + *rc. */
static const char *ewkb(uint32_t srid, const char *wkb_hex, int *rc, struct err *e)
{
	static struct buf out;
	buf_release(&out);
	buf_init(&out, 0);
	size_t n;
	uint8_t *w = unhex(wkb_hex, &n);
	err_clear(e);
	*rc = rp_geometry_ewkb(&out, srid, w, n, e);
	free(w);
	return *rc ? NULL : buf_cstr(&out);
}

#define P12 "000000000000F03F 0000000000000040" /* (1 2), little endian */
#define P34 "0000000000000840 0000000000001040" /* (3 4) */
#define P12BE "3FF0000000000000 4000000000000000"

/* One of each kind, little endian, with the first five bytes apart. */
static const struct {
	const char *name, *head, *body;
} kinds[] = {
	{"point", "0101000000", P12},
	{"linestring", "0102000000", "02000000" P12 P34},
	{"polygon", "0103000000",
	 "01000000 04000000" P12 P34 "0000000000000840 0000000000000040" P12},
	{"multipoint", "0104000000", "02000000 0101000000" P12 "0101000000" P34},
	{"multilinestring", "0105000000", "01000000 0102000000 02000000" P12 P34},
	{"multipolygon", "0106000000",
	 "01000000 0103000000 01000000 04000000" P12 P34
	 "0000000000000840 0000000000000040" P12},
	{"geometrycollection", "0107000000",
	 "02000000 0101000000" P12 "0102000000 02000000" P12 P34},
	{"empty collection", "0107000000", "00000000"},
	/* GEOMETRYCOLLECTION(POINT(1 2), GEOMETRYCOLLECTION EMPTY), as MariaDB
	 * stores it */
	{"nested collection", "0107000000",
	 "02000000 0101000000" P12 "0107000000 00000000"},
	{"empty linestring", "0102000000", "00000000"},
};

TEST(replay, geometry_ewkb_every_kind)
{
	struct err e = {0};
	int rc;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char wkb[1024], want[1024];
		snprintf(wkb, sizeof(wkb), "%s%s", kinds[i].head, kinds[i].body);
		/* SRID 0: the WKB itself */
		char *w = nospace(wkb);
		ASSERT_STREQ(ewkb(0, wkb, &rc, &e), w);
		free(w);
		/* SRID 4326 (E6100000): flag in the type word, SRID after it */
		snprintf(want, sizeof(want), "01%.2s000020 E6100000 %s",
			 kinds[i].head + 2, kinds[i].body);
		w = nospace(want);
		const char *got = ewkb(4326, wkb, &rc, &e);
		if (!got)
			fprintf(stderr, "%s: %s\n", kinds[i].name, e.msg);
		ASSERT_STREQ(got, w);
		free(w);
	}
}

TEST(replay, geometry_ewkb_big_endian)
{
	struct err e = {0};
	int rc;
	/* XDR: the type word 0x20000001 and the SRID big endian too */
	ASSERT_STREQ(ewkb(3857, "00 00000001" P12BE, &rc, &e),
		     "0020000001"
		     "00000F11"
		     "3FF00000000000004000000000000000");
	/* a big-endian collection of a little-endian point: each part keeps
	 * its own order, only the top-level word changes */
	char *w = nospace("00 20000007 00000F11 00000001 0101000000" P12);
	ASSERT_STREQ(ewkb(3857, "00 00000007 00000001 0101000000" P12, &rc, &e), w);
	free(w);
	ASSERT_STREQ(ewkb(0, "00 00000007 00000000", &rc, &e), "000000000700000000");
}

/* Every proper prefix of a well-formed value is refused cleanly. */
TEST(replay, geometry_truncation_sweep)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char wkb[1024];
		snprintf(wkb, sizeof(wkb), "%s%s", kinds[i].head, kinds[i].body);
		size_t n;
		uint8_t *w = unhex(wkb, &n);
		struct err e = {0};
		ASSERT_EQ(rp_geometry_check(w, n, &e), 0);
		for (size_t k = 0; k < n; k++) {
			/* a private copy of exactly k bytes: ASan sees an over-read */
			uint8_t *p = malloc(k ? k : 1);
			memcpy(p, w, k);
			err_clear(&e);
			int rc = rp_geometry_check(p, k, &e);
			ASSERT(rc == -ERR_TRUNC || rc == -ERR_PROTO);
			ASSERT(e.has_off && e.off <= k);
			free(p);
		}
		free(w);
	}
}

TEST(replay, geometry_malformed)
{
	struct err e = {0};
	int rc;
	ASSERT(!ewkb(0, "02 01000000" P12, &rc, &e));
	ASSERT_ERR(rc, ERR_PROTO);
	ASSERT_EQ(e.off, 0);
	/* a type MySQL does not have: 8, and ISO's POINT Z (1001) */
	ASSERT(!ewkb(0, "01 08000000 00000000", &rc, &e));
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	ASSERT_EQ(e.off, 1);
	ASSERT(!ewkb(0, "01 E9030000" P12 "0000000000000000", &rc, &e));
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	/* EWKB already (the SRID flag set) is not MySQL's */
	ASSERT(!ewkb(0, "01 01000020 E6100000" P12, &rc, &e));
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	/* a multipoint holding a linestring; the part's offset */
	ASSERT(!ewkb(0, "01 04000000 01000000 0102000000 00000000", &rc, &e));
	ASSERT_ERR(rc, ERR_PROTO);
	ASSERT_EQ(e.off, 10);
	/* bytes after the value */
	ASSERT(!ewkb(0, "01 01000000" P12 "00", &rc, &e));
	ASSERT_ERR(rc, ERR_PROTO);
	ASSERT_EQ(e.off, 21);
	/* counts larger than the bytes: refused before any loop */
	ASSERT(!ewkb(0, "01 02000000 FFFFFFFF" P12, &rc, &e));
	ASSERT_ERR(rc, ERR_TRUNC);
	ASSERT(!ewkb(0, "01 07000000 FFFFFF7F", &rc, &e));
	ASSERT_ERR(rc, ERR_TRUNC);
	ASSERT(!ewkb(0, "01 03000000 02000000 00000000", &rc, &e));
	ASSERT_ERR(rc, ERR_TRUNC);
	ASSERT(!ewkb(0, "", &rc, &e));
	ASSERT_ERR(rc, ERR_TRUNC);
	/* collections nested deeper than RP_GEOMETRY_MAX_DEPTH */
	struct buf deep;
	buf_init(&deep, 0);
	for (int i = 0; i <= RP_GEOMETRY_MAX_DEPTH + 1; i++)
		buf_putl(&deep, "010700000001000000");
	buf_putl(&deep, "0101000000" P12);
	char *d = nospace(buf_cstr(&deep));
	ASSERT(!ewkb(0, d, &rc, &e));
	ASSERT_ERR(rc, ERR_UNSUPPORTED);
	free(d);
	buf_release(&deep);
}

/* The two writers: a replicated value, and a field of the initial copy. */
TEST(replay, geometry_values_and_copy_fields)
{
	size_t n;
	uint8_t *w = unhex("0101000000" P12, &n);
	struct bl_column c;
	memset(&c, 0, sizeof(c));
	c.type = BL_TYPE_GEOMETRY;
	struct bl_value v;
	memset(&v, 0, sizeof(v));
	v.kind = BLV_GEOMETRY;
	v.u = 4326;
	v.s = (struct bytes){w, n};
	struct buf out;
	buf_init(&out, 0);
	bool isnull;
	struct err e = {0};
	/* into bytea: MySQL's bytes, SRID first */
	ASSERT_EQ(rp_value_text(&out, &c, &v, NULL, &isnull, &e), 0);
	ASSERT_STREQ(buf_cstr(&out),
		     "\\xe61000000101000000000000000000f03f0000000000000040");
	/* into PostGIS geometry */
	c.pg_geometry = true;
	buf_reset(&out);
	ASSERT_EQ(rp_value_text(&out, &c, &v, NULL, &isnull, &e), 0);
	ASSERT_STREQ(buf_cstr(&out),
		     "0101000020E6100000000000000000F03F0000000000000040");
	/* malformed: an error, not a value */
	v.s.n = n - 1;
	buf_reset(&out);
	ASSERT_ERR(rp_value_text(&out, &c, &v, NULL, &isnull, &e), ERR_TRUNC);
	/* the text protocol's value: SRID then WKB */
	uint8_t *m = unhex("E6100000 0101000000" P12, &n);
	struct rp_copy_col cc;
	memset(&cc, 0, sizeof(cc));
	cc.kind = RP_CV_GEOMETRY;
	struct buf tmp;
	buf_init(&tmp, 0);
	buf_reset(&out);
	ASSERT_EQ(rp_copy_field(&out, &tmp, &cc, m, n, false, NULL, &e), 0);
	ASSERT_STREQ(buf_cstr(&out),
		     "0101000020E6100000000000000000F03F0000000000000040");
	buf_reset(&out);
	ASSERT_ERR(rp_copy_field(&out, &tmp, &cc, m, 3, false, NULL, &e), ERR_PROTO);
	buf_reset(&out);
	ASSERT_ERR(rp_copy_field(&out, &tmp, &cc, m, n - 2, false, NULL, &e),
		   ERR_TRUNC);
	free(m);
	free(w);
	buf_release(&tmp);
	buf_release(&out);
}

TEST(replay, geometry_types)
{
	struct rp_pg_type t;
	ASSERT_EQ(rp_geometry_type("geometry", false, 0, &t), 0);
	ASSERT_STREQ(t.name, "geometry");
	ASSERT_EQ(rp_geometry_type("GEOMETRY", true, 4326, &t), 0);
	ASSERT_STREQ(t.name, "geometry(Geometry,4326)");
	ASSERT_EQ(rp_geometry_type("point", true, 4326, &t), 0);
	ASSERT_STREQ(t.name, "geometry(Point,4326)");
	ASSERT_EQ(rp_geometry_type("multipolygon", false, 0, &t), 0);
	ASSERT_STREQ(t.name, "geometry(MultiPolygon)");
	ASSERT_EQ(rp_geometry_type("geomcollection", false, 0, &t), 0);
	ASSERT_STREQ(t.name, "geometry(GeometryCollection)");
	ASSERT_EQ(rp_geometry_type("geometrycollection", true, 3857, &t), 0);
	ASSERT_STREQ(t.name, "geometry(GeometryCollection,3857)");
	ASSERT_ERR(rp_geometry_type("blob", false, 0, &t), ERR_UNSUPPORTED);
	ASSERT(rp_is_geometry_type("LineString"));
	ASSERT(!rp_is_geometry_type("text"));
}

/* --create-tables: the kind from the table map's GEOMETRY_TYPE. */
TEST(replay, geometry_create_tables)
{
	struct bl_column cols[3];
	memset(cols, 0, sizeof(cols));
	cols[0].type = BL_TYPE_LONG;
	cols[0].name = "id";
	cols[0].is_pk = true;
	cols[1].type = BL_TYPE_GEOMETRY;
	cols[1].meta = 4;
	cols[1].geometry_type = 1;
	cols[1].name = "p";
	cols[2].type = BL_TYPE_GEOMETRY;
	cols[2].meta = 4;
	cols[2].geometry_type = 7;
	cols[2].name = "gc";
	struct bl_table t;
	memset(&t, 0, sizeof(t));
	t.schema = "geo";
	t.name = "t";
	t.ncols = 3;
	t.cols = cols;
	t.has_names = true;
	struct buf b;
	buf_init(&b, 0);
	struct err e = {0};
	ASSERT_EQ(rp__sql_create_table(&b, "geo_pg", &t, true, &e), 0);
	ASSERT_STREQ(buf_cstr(&b), "CREATE TABLE IF NOT EXISTS \"geo_pg\".\"t\" (\"id\" integer, "
				   "\"p\" geometry(Point), \"gc\" geometry(GeometryCollection), "
				   "PRIMARY KEY (\"id\"))");
	buf_reset(&b);
	ASSERT_EQ(rp__sql_create_table(&b, "geo_pg", &t, false, &e), 0);
	ASSERT_STREQ(buf_cstr(&b), "CREATE TABLE IF NOT EXISTS \"geo_pg\".\"t\" (\"id\" integer, "
				   "\"p\" bytea, \"gc\" bytea, PRIMARY KEY (\"id\"))");
	buf_release(&b);
}
