/*
 * MySQL geometry values for PostGIS (docs/types.md, "Geometry"): MySQL's
 * internal format (SRID, 4 bytes little endian, then OGC WKB) becomes
 * hex EWKB, which PostGIS reads in COPY text input and as a text
 * parameter.  The WKB is walked with the bounded reader first, so a
 * malformed value is an error with its offset, never a crash; the bytes
 * themselves are copied unchanged (no axis swap: MySQL stores x first,
 * longitude for geographic SRSs, as PostGIS does).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/rd.h"
#include "replay/replay.h"

/* MySQL's geometry kinds: OGC WKB type codes 1..7, 2D only. */
enum {
	WKB_POINT = 1,
	WKB_LINESTRING,
	WKB_POLYGON,
	WKB_MULTIPOINT,
	WKB_MULTILINESTRING,
	WKB_MULTIPOLYGON,
	WKB_COLLECTION,
};

#define EWKB_SRID_FLAG 0x20000000u
#define POINT_BYTES 16u /* x, y: two IEEE 754 doubles */
#define MIN_NESTED 9u	/* order(1) type(4) count(4): the smallest part */

static uint32_t u32_in(struct rd *r, bool le)
{
	return le ? rd_u32le(r) : rd_u32be(r);
}

static int bad(struct err *e, const struct rd *r, int code, const char *what)
{
	return err_set_at(e, code, rd_offset(r), "malformed geometry: %s", what);
}

/* A count of parts of at least 'each' bytes, checked against what is left. */
static int count(struct rd *r, bool le, size_t each, uint32_t *n, struct err *e)
{
	*n = u32_in(r, le);
	if (r->err)
		return bad(e, r, ERR_TRUNC, "a count is cut short");
	if (*n > rd_left(r) / each)
		return bad(e, r, ERR_TRUNC, "more parts than bytes");
	return 0;
}

static int points(struct rd *r, bool le, struct err *e)
{
	uint32_t n;
	int rc = count(r, le, POINT_BYTES, &n, e);
	if (!rc)
		rd_skip(r, (size_t)n * POINT_BYTES);
	return rc;
}

/* One WKB geometry (of kind 'want', or any when 0), nested 'depth' deep. */
static int walk(struct rd *r, uint32_t want, unsigned depth, struct err *e)
{
	if (depth > RP_GEOMETRY_MAX_DEPTH)
		return bad(e, r, ERR_UNSUPPORTED, "collections nested too deep");
	uint64_t at = rd_offset(r);
	uint8_t order = rd_u8(r);
	if (r->err)
		return bad(e, r, ERR_TRUNC, "no byte order");
	if (order > 1)
		return err_set_at(e, ERR_PROTO, at,
				  "malformed geometry: byte order %u", order);
	bool le = order == 1;
	uint32_t type = u32_in(r, le);
	if (r->err)
		return bad(e, r, ERR_TRUNC, "no type");
	if (type < WKB_POINT || type > WKB_COLLECTION)
		return err_set_at(e, ERR_UNSUPPORTED, at + 1,
				  "malformed geometry: WKB type %u (MySQL has 1..7)",
				  type);
	if (want && type != want)
		return err_set_at(e, ERR_PROTO, at + 1,
				  "malformed geometry: a part of type %u in a "
				  "collection of type %u",
				  type, want + 3);
	uint32_t n;
	int rc = 0;
	switch (type) {
	case WKB_POINT:
		if (!rd_need(r, POINT_BYTES))
			return bad(e, r, ERR_TRUNC, "a point is cut short");
		rd_skip(r, POINT_BYTES);
		return 0;
	case WKB_LINESTRING:
		return points(r, le, e);
	case WKB_POLYGON:
		rc = count(r, le, 4, &n, e);
		for (uint32_t i = 0; !rc && i < n; i++)
			rc = points(r, le, e);
		return rc;
	default:
		/* multi kinds hold parts of kind type - 3; a collection any */
		rc = count(r, le, MIN_NESTED, &n, e);
		for (uint32_t i = 0; !rc && i < n; i++)
			rc = walk(r, type == WKB_COLLECTION ? 0 : type - 3,
				  depth + 1, e);
		return rc;
	}
}

int rp_geometry_check(const uint8_t *wkb, size_t n, struct err *e)
{
	struct rd r;
	rd_init(&r, wkb, n);
	int rc = walk(&r, 0, 0, e);
	if (rc)
		return rc;
	if (rd_left(&r))
		return err_set_at(e, ERR_PROTO, rd_offset(&r),
				  "malformed geometry: %zu bytes after its end",
				  rd_left(&r));
	return 0;
}

static void hex(struct buf *out, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789ABCDEF";
	uint8_t *o = buf_reserve(out, n * 2);
	if (!o)
		return;
	for (size_t i = 0; i < n; i++) {
		o[2 * i] = (uint8_t)d[p[i] >> 4];
		o[2 * i + 1] = (uint8_t)d[p[i] & 15];
	}
	out->n += n * 2;
}

int rp_geometry_ewkb(struct buf *out, uint32_t srid, const uint8_t *wkb, size_t n,
		     struct err *e)
{
	int rc = rp_geometry_check(wkb, n, e);
	if (rc)
		return rc;
	if (!srid) {
		hex(out, wkb, n);
		return buf_failed(out) ? err_set(e, ERR_TOOBIG, "value too big") : 0;
	}
	/* the type word gets the SRID flag, and the SRID follows it, both
	 * in the value's own byte order */
	bool le = wkb[0] == 1;
	uint32_t type = le ? (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 |
					(uint32_t)wkb[3] << 16 |
					(uint32_t)wkb[4] << 24
			   : (uint32_t)wkb[4] | (uint32_t)wkb[3] << 8 |
					(uint32_t)wkb[2] << 16 |
					(uint32_t)wkb[1] << 24;
	type |= EWKB_SRID_FLAG;
	uint8_t head[9];
	head[0] = wkb[0];
	for (int i = 0; i < 4; i++) {
		int sh = le ? 8 * i : 8 * (3 - i);
		head[1 + i] = (uint8_t)(type >> sh);
		head[5 + i] = (uint8_t)(srid >> sh);
	}
	hex(out, head, sizeof(head));
	hex(out, wkb + 5, n - 5);
	return buf_failed(out) ? err_set(e, ERR_TOOBIG, "value too big") : 0;
}

/* MySQL's spellings (MariaDB says GEOMETRYCOLLECTION, MySQL 8
 * GEOMCOLLECTION) and PostGIS's type modifier. */
static const struct {
	const char *mysql, *postgis;
} kinds[] = {
	{"geometry", NULL},
	{"point", "Point"},
	{"linestring", "LineString"},
	{"polygon", "Polygon"},
	{"multipoint", "MultiPoint"},
	{"multilinestring", "MultiLineString"},
	{"multipolygon", "MultiPolygon"},
	{"geometrycollection", "GeometryCollection"},
	{"geomcollection", "GeometryCollection"},
};

static int kind_of(const char *dt)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcasecmp(dt, kinds[i].mysql))
			return (int)i;
	return -1;
}

bool rp_is_geometry_type(const char *dt)
{
	return dt && kind_of(dt) >= 0;
}

int rp_geometry_type(const char *dt, bool has_srid, uint32_t srid,
		     struct rp_pg_type *t)
{
	memset(t, 0, sizeof(*t));
	int k = dt ? kind_of(dt) : -1;
	if (k < 0)
		return -ERR_UNSUPPORTED;
	const char *sub = kinds[k].postgis;
	if (has_srid)
		snprintf(t->name, sizeof(t->name), "geometry(%s,%u)",
			 sub ? sub : "Geometry", srid);
	else if (sub)
		snprintf(t->name, sizeof(t->name), "geometry(%s)", sub);
	else
		snprintf(t->name, sizeof(t->name), "geometry");
	return 0;
}
