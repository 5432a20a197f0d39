/*
 * TABLE_MAP events and the table cache.
 * Layout: post-header table_id(6, or 4 when the post-header is 6 bytes)
 * flags(2); body: schema(len1 + bytes + NUL) table(len1 + bytes + NUL)
 * ncols(lenenc) types(ncols) meta_len(lenenc) meta null_bitmap
 * optional-metadata TLVs (type(1) len(lenenc) value).
 */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "binlog/decoder_int.h"

enum {
	OM_SIGNEDNESS = 1,
	OM_DEFAULT_CHARSET = 2,
	OM_COLUMN_CHARSET = 3,
	OM_COLUMN_NAME = 4,
	OM_SET_STR_VALUE = 5,
	OM_ENUM_STR_VALUE = 6,
	OM_GEOMETRY_TYPE = 7,
	OM_SIMPLE_PRIMARY_KEY = 8,
	OM_PRIMARY_KEY_WITH_PREFIX = 9,
	OM_ENUM_AND_SET_DEFAULT_CHARSET = 10,
	OM_ENUM_AND_SET_COLUMN_CHARSET = 11,
	OM_COLUMN_VISIBILITY = 12,
	OM_VECTOR_DIMENSIONALITY = 13,
};

static void table_free(struct bl_table *t)
{
	if (!t)
		return;
	arena_release(&t->mem);
	free(t);
}

void bl__tables_clear(struct bl_decoder *d)
{
	for (size_t i = 0; i < d->nslots; i++) {
		table_free(d->slots[i].t);
		free(d->slots[i].raw);
	}
	if (d->slots)
		memset(d->slots, 0, d->nslots * sizeof(*d->slots));
	d->nused = 0;
}

static size_t slot_of(const struct bl_decoder *d, uint64_t id)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ull;
	size_t mask = d->nslots - 1;
	size_t i = (size_t)(h >> 32) & mask;
	while (d->slots[i].t && d->slots[i].id != id)
		i = (i + 1) & mask;
	return i;
}

const struct bl_table *bl_decoder_table(const struct bl_decoder *d, uint64_t id)
{
	if (!d->nslots)
		return NULL;
	return d->slots[slot_of(d, id)].t;
}

static struct bl_tslot *slot_for_insert(struct bl_decoder *d, uint64_t id)
{
	if (!d->nslots || (d->nused + 1) * 2 > d->nslots) {
		size_t old_n = d->nslots;
		struct bl_tslot *old = d->slots;
		d->nslots = old_n ? old_n * 2 : 64;
		d->slots = xcalloc(d->nslots, sizeof(*d->slots));
		for (size_t i = 0; i < old_n; i++)
			if (old[i].t)
				d->slots[slot_of(d, old[i].id)] = old[i];
		free(old);
	}
	return &d->slots[slot_of(d, id)];
}

/* Bytes of TABLE_MAP metadata for each wire type. */
static int meta_size(uint8_t type)
{
	switch (type) {
	case BL_TYPE_FLOAT:
	case BL_TYPE_DOUBLE:
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
	case BL_TYPE_GEOMETRY:
	case BL_TYPE_JSON:
	case BL_TYPE_VECTOR:
	case BL_TYPE_TIMESTAMP2:
	case BL_TYPE_DATETIME2:
	case BL_TYPE_TIME2:
	case BL_TYPE_TYPED_ARRAY:
		return 1;
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING:
	case BL_TYPE_BIT:
	case BL_TYPE_NEWDECIMAL:
	case BL_TYPE_STRING:
	case BL_TYPE_ENUM:
	case BL_TYPE_SET:
		return 2;
	case BL_TYPE_DECIMAL:
	case BL_TYPE_TINY:
	case BL_TYPE_SHORT:
	case BL_TYPE_LONG:
	case BL_TYPE_NULL:
	case BL_TYPE_TIMESTAMP:
	case BL_TYPE_LONGLONG:
	case BL_TYPE_INT24:
	case BL_TYPE_DATE:
	case BL_TYPE_TIME:
	case BL_TYPE_DATETIME:
	case BL_TYPE_YEAR:
	case BL_TYPE_NEWDATE:
	case BL_TYPE_BOOL:
		return 0;
	default:
		return -1;
	}
}

static bool is_numeric(uint8_t t)
{
	switch (t) {
	case BL_TYPE_TINY:
	case BL_TYPE_SHORT:
	case BL_TYPE_INT24:
	case BL_TYPE_LONG:
	case BL_TYPE_LONGLONG:
	case BL_TYPE_FLOAT:
	case BL_TYPE_DOUBLE:
	case BL_TYPE_NEWDECIMAL:
	case BL_TYPE_DECIMAL:
		return true;
	default:
		return false;
	}
}

/* Columns that carry a character set in DEFAULT/COLUMN_CHARSET. */
static bool is_character(uint8_t t)
{
	switch (t) {
	case BL_TYPE_STRING:
	case BL_TYPE_VAR_STRING:
	case BL_TYPE_VARCHAR:
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
		return true;
	default:
		return false;
	}
}

static bool is_enum_set(uint8_t t)
{
	return t == BL_TYPE_ENUM || t == BL_TYPE_SET;
}

/* Read one column's metadata into c->meta, resolving STRING's real type. */
static void read_meta(struct rd *m, struct bl_column *c)
{
	switch (c->wire_type) {
	case BL_TYPE_FLOAT:
	case BL_TYPE_DOUBLE:
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
	case BL_TYPE_GEOMETRY:
	case BL_TYPE_JSON:
	case BL_TYPE_VECTOR:
	case BL_TYPE_TIMESTAMP2:
	case BL_TYPE_DATETIME2:
	case BL_TYPE_TIME2:
	case BL_TYPE_TYPED_ARRAY:
		c->meta = rd_u8(m);
		break;
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING:
		c->meta = rd_u16le(m);
		break;
	case BL_TYPE_BIT: {
		uint8_t bits = rd_u8(m), bytes = rd_u8(m);
		c->meta = (uint16_t)(bytes << 8 | bits);
		break;
	}
	case BL_TYPE_NEWDECIMAL: {
		uint8_t prec = rd_u8(m), scale = rd_u8(m);
		c->meta = (uint16_t)(prec << 8 | scale);
		break;
	}
	case BL_TYPE_STRING:
	case BL_TYPE_ENUM:
	case BL_TYPE_SET: {
		uint8_t b0 = rd_u8(m), b1 = rd_u8(m);
		if ((b0 & 0x30) != 0x30) {
			/* CHAR longer than 255 bytes: length bits in byte 0 */
			c->type = b0 | 0x30;
			c->meta = (uint16_t)(b1 | (((b0 & 0x30) ^ 0x30) << 4));
		} else {
			c->type = b0;
			c->meta = b1;
		}
		if (c->type != BL_TYPE_STRING && c->type != BL_TYPE_ENUM &&
		    c->type != BL_TYPE_SET)
			c->type = BL_TYPE_STRING;
		break;
	}
	default:
		break;
	}
}

/* A bitmap TLV over the columns selected by pred, MSB first. */
static void apply_bitmap(struct rd *v, struct bl_table *t,
			 bool (*pred)(uint8_t), int which)
{
	unsigned bit = 0;
	uint8_t cur = 0;
	for (uint32_t i = 0; i < t->ncols && !v->err; i++) {
		struct bl_column *c = &t->cols[i];
		if (pred && !pred(c->type))
			continue;
		if (bit % 8 == 0) {
			if (!rd_left(v))
				break;
			cur = rd_u8(v);
		}
		bool set = cur & (0x80 >> (bit % 8));
		if (which == OM_SIGNEDNESS)
			c->is_unsigned = set;
		else
			c->visible = set;
		bit++;
	}
}

static bool charset_target(uint8_t t, bool enumset)
{
	return enumset ? is_enum_set(t) : is_character(t);
}

static void apply_default_charset(struct rd *v, struct bl_table *t,
				  bool enumset)
{
	uint64_t dflt = rd_lenenc(v, NULL);
	uint64_t idx_over = 0;
	/* exceptions: (index among target columns, collation) pairs */
	uint64_t next_idx = UINT64_MAX, next_coll = 0;
	if (rd_left(v)) {
		next_idx = rd_lenenc(v, NULL);
		next_coll = rd_lenenc(v, NULL);
	}
	for (uint32_t i = 0; i < t->ncols && !v->err; i++) {
		struct bl_column *c = &t->cols[i];
		if (!charset_target(c->type, enumset))
			continue;
		uint64_t coll = dflt;
		if (idx_over == next_idx) {
			coll = next_coll;
			next_idx = UINT64_MAX;
			if (rd_left(v)) {
				next_idx = rd_lenenc(v, NULL);
				next_coll = rd_lenenc(v, NULL);
			}
		}
		c->has_charset = true;
		c->collation = (uint16_t)coll;
		idx_over++;
	}
}

static void apply_column_charset(struct rd *v, struct bl_table *t, bool enumset)
{
	for (uint32_t i = 0; i < t->ncols && rd_left(v) && !v->err; i++) {
		struct bl_column *c = &t->cols[i];
		if (!charset_target(c->type, enumset))
			continue;
		c->has_charset = true;
		c->collation = (uint16_t)rd_lenenc(v, NULL);
	}
}

static void apply_strings(struct rd *v, struct bl_table *t, uint8_t type)
{
	for (uint32_t i = 0; i < t->ncols && rd_left(v) && !v->err; i++) {
		struct bl_column *c = &t->cols[i];
		if (c->type != type)
			continue;
		uint64_t n = rd_lenenc(v, NULL);
		if (n > rd_left(v)) {
			rd_fail(v, -ERR_PROTO);
			return;
		}
		struct bytes *s = arena_calloc(&t->mem, n ? n : 1, sizeof(*s));
		for (uint64_t k = 0; k < n && !v->err; k++) {
			struct bytes b = rd_lenstr(v);
			s[k].p = arena_memdup(&t->mem, b.p, b.n);
			s[k].n = b.n;
		}
		c->strings = s;
		c->n_strings = (uint32_t)n;
	}
}

static int apply_optional(struct bl_decoder *d, struct rd *r, struct bl_table *t)
{
	while (rd_left(r) && !r->err) {
		uint8_t type = rd_u8(r);
		uint64_t len = rd_lenenc(r, NULL);
		if (r->err)
			break;
		if (len > rd_left(r))
			return err_set_at(&d->err, ERR_TRUNC, rd_offset(r),
					  "Table_map event: optional metadata "
					  "field %u of %llu bytes is truncated",
					  type, (unsigned long long)len);
		struct rd v = rd_sub(r, (size_t)len);
		switch (type) {
		case OM_SIGNEDNESS:
			t->has_signedness = true;
			apply_bitmap(&v, t, is_numeric, OM_SIGNEDNESS);
			break;
		case OM_DEFAULT_CHARSET:
			t->has_charsets = true;
			apply_default_charset(&v, t, false);
			break;
		case OM_COLUMN_CHARSET:
			t->has_charsets = true;
			apply_column_charset(&v, t, false);
			break;
		case OM_ENUM_AND_SET_DEFAULT_CHARSET:
			apply_default_charset(&v, t, true);
			break;
		case OM_ENUM_AND_SET_COLUMN_CHARSET:
			apply_column_charset(&v, t, true);
			break;
		case OM_COLUMN_NAME: {
			uint32_t i = 0;
			for (; i < t->ncols && rd_left(&v) && !v.err; i++) {
				struct bytes b = rd_lenstr(&v);
				if (!v.err)
					t->cols[i].name = arena_strndup(
						&t->mem, (const char *)b.p, b.n);
			}
			t->has_names = i == t->ncols && !v.err;
			break;
		}
		case OM_SET_STR_VALUE:
			apply_strings(&v, t, BL_TYPE_SET);
			break;
		case OM_ENUM_STR_VALUE:
			apply_strings(&v, t, BL_TYPE_ENUM);
			break;
		case OM_GEOMETRY_TYPE:
			for (uint32_t i = 0; i < t->ncols && rd_left(&v); i++)
				if (t->cols[i].type == BL_TYPE_GEOMETRY)
					t->cols[i].geometry_type =
						(uint8_t)rd_lenenc(&v, NULL);
			break;
		case OM_SIMPLE_PRIMARY_KEY:
			while (rd_left(&v) && !v.err) {
				uint64_t k = rd_lenenc(&v, NULL);
				if (k < t->ncols)
					t->cols[k].is_pk = true;
			}
			break;
		case OM_PRIMARY_KEY_WITH_PREFIX:
			while (rd_left(&v) && !v.err) {
				uint64_t k = rd_lenenc(&v, NULL);
				rd_lenenc(&v, NULL);
				if (k < t->ncols)
					t->cols[k].is_pk = true;
			}
			break;
		case OM_COLUMN_VISIBILITY:
			apply_bitmap(&v, t, NULL, OM_COLUMN_VISIBILITY);
			break;
		case OM_VECTOR_DIMENSIONALITY:
			for (uint32_t i = 0; i < t->ncols && rd_left(&v); i++)
				if (t->cols[i].type == BL_TYPE_VECTOR)
					t->cols[i].dimensions =
						(uint32_t)rd_lenenc(&v, NULL);
			break;
		default:
			break;	/* unknown TLVs are skipped by their length */
		}
		if (v.err)
			return err_set_at(&d->err, -v.err, v.err_off,
					  "Table_map event: optional metadata "
					  "field %u is malformed",
					  type);
	}
	if (r->err)
		return err_set_at(&d->err, -r->err, r->err_off,
				  "Table_map event: optional metadata truncated");
	return 0;
}

/* Rendering helpers derived once per table map. */
static void derive(struct bl_table *t)
{
	struct buf b;
	buf_init(&b, 0);
	for (uint32_t i = 0; i < t->ncols; i++) {
		struct bl_column *c = &t->cols[i];
		c->cs_class = c->has_charset ? bl__cs_class(c->collation)
					     : BL_CS_UNKNOWN;
		buf_reset(&b);
		if (t->has_names && c->name) {
			bl__json_escape(&b, (const uint8_t *)c->name,
					strlen(c->name));
		} else {
			buf_putl(&b, "\"@");
			buf_put_u64dec(&b, i + 1);
			buf_putc(&b, '"');
		}
		buf_putc(&b, ':');
		c->json_key = arena_strndup(&t->mem, (const char *)b.p, b.n);
		c->json_key_len = (uint16_t)(b.n > 65535 ? 65535 : b.n);
		buf_reset(&b);
		buf_putl(&b, "###   @");
		buf_put_u64dec(&b, i + 1);
		buf_putc(&b, '=');
		c->text_key = arena_strndup(&t->mem, (const char *)b.p, b.n);
		c->text_key_len = (uint32_t)b.n;
		buf_reset(&b);
		if (c->name) {
			buf_putl(&b, " /* ");
			buf_puts(&b, c->name);
			buf_putl(&b, " */");
		}
		buf_putc(&b, '\n');
		c->text_note = arena_strndup(&t->mem, (const char *)b.p, b.n);
		c->text_note_len = (uint32_t)b.n;
	}
	buf_release(&b);
}

static int parse_table(struct bl_decoder *d, struct rd *r, struct bl_table *t)
{
	uint8_t n = rd_u8(r);
	struct bytes schema = rd_bytes(r, n);
	rd_skip(r, 1);
	n = rd_u8(r);
	struct bytes table = rd_bytes(r, n);
	rd_skip(r, 1);
	uint64_t ncols = rd_lenenc(r, NULL);
	if (r->err)
		goto trunc;
	if (ncols > rd_left(r) || ncols > 4096)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
				  "Table_map event: %llu columns is impossible here",
				  (unsigned long long)ncols);
	t->schema = arena_strndup(&t->mem, (const char *)schema.p, schema.n);
	t->name = arena_strndup(&t->mem, (const char *)table.p, table.n);
	t->ncols = (uint32_t)ncols;
	t->cols = arena_calloc(&t->mem, ncols ? ncols : 1, sizeof(*t->cols));
	struct bytes types = rd_bytes(r, (size_t)ncols);
	uint64_t meta_len = rd_lenenc(r, NULL);
	if (r->err)
		goto trunc;
	if (meta_len > rd_left(r))
		return err_set_at(&d->err, ERR_TRUNC, rd_offset(r),
				  "Table_map event: metadata of %llu bytes truncated",
				  (unsigned long long)meta_len);
	uint64_t want = 0;
	for (uint32_t i = 0; i < t->ncols; i++) {
		struct bl_column *c = &t->cols[i];
		c->wire_type = types.p[i];
		c->type = types.p[i];
		c->visible = true;
		int ms = meta_size(c->type);
		if (ms < 0)
			return err_set_at(&d->err, ERR_UNSUPPORTED, rd_offset(r),
					  "Table_map event for `%s`.`%s`: column %u "
					  "has unknown type %u",
					  t->schema, t->name, i + 1, c->type);
		want += (uint64_t)ms;
	}
	if (want != meta_len)
		return err_set_at(&d->err, ERR_PROTO, rd_offset(r),
				  "Table_map event for `%s`.`%s`: %llu metadata "
				  "bytes, expected %llu for its column types",
				  t->schema, t->name, (unsigned long long)meta_len,
				  (unsigned long long)want);
	struct rd m = rd_sub(r, (size_t)meta_len);
	for (uint32_t i = 0; i < t->ncols; i++)
		read_meta(&m, &t->cols[i]);
	if (m.err)
		goto trunc;
	struct bytes nulls = rd_bytes(r, (t->ncols + 7) / 8);
	if (r->err)
		goto trunc;
	for (uint32_t i = 0; i < t->ncols; i++)
		t->cols[i].nullable = nulls.p[i / 8] & (1u << (i % 8));
	return apply_optional(d, r, t);
trunc:
	return err_set_at(&d->err, ERR_TRUNC, r->err ? r->err_off : rd_offset(r),
			  "Table_map event: truncated");
}

int bl__tablemap_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	uint8_t phl = d->have_fde && d->post_header[BL_TABLE_MAP_EVENT]
			      ? d->post_header[BL_TABLE_MAP_EVENT] : 8;
	uint64_t id = phl == 6 ? rd_u32le(r) : rd_u48le(r);
	uint16_t flags = rd_u16le(r);
	if (r->err)
		return err_set_at(&d->err, ERR_TRUNC, r->err_off,
				  "Table_map event: truncated");
	struct bytes raw = {r->p, rd_left(r)};
	struct bl_tslot *s = slot_for_insert(d, id);
	if (s->t && s->raw_n == raw.n && !memcmp(s->raw, raw.p, raw.n)) {
		/* the same map again (every transaction repeats it) */
		rd_rest(r);
		ev->table_map.table = s->t;
		return 0;
	}
	struct bl_table *t = xcalloc(1, sizeof(*t));
	arena_init(&t->mem, 4096);
	t->table_id = id;
	t->flags = flags;
	int rc = parse_table(d, r, t);
	if (rc) {
		table_free(t);
		return rc;
	}
	derive(t);
	if (!s->t)
		d->nused++;
	table_free(s->t);
	free(s->raw);
	s->id = id;
	s->t = t;
	s->raw = xmalloc(raw.n ? raw.n : 1);
	memcpy(s->raw, raw.p, raw.n);
	s->raw_n = raw.n;
	ev->table_map.table = t;
	return 0;
}
