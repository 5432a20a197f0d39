/*
 * Statement events: QUERY (and MariaDB's compressed QUERY) with its status
 * variables, and USER_VAR, whose value is rendered as text.  The query
 * text is a view into the event; it is not parsed here (replay/ classifies
 * DDL).  Layouts: docs/binlog.md, Events.
 */
#include <stdio.h>
#include <string.h>

#include "binlog/decoder_int.h"

/*
 * QUERY post-header: thread_id(4) exec_time(4) db_len(1) error_code(2)
 * status_vars_len(2); body: status vars, db NUL, query (rest).
 */
static int decode_status_vars(struct bl_decoder *d, struct rd *s,
			      struct bl_event *ev)
{
	while (rd_left(s) && !s->err) {
		uint8_t key = rd_u8(s);
		switch (key) {
		case 0: /* Q_FLAGS2_CODE */
			ev->query.has_flags2 = true;
			ev->query.flags2 = rd_u32le(s);
			break;
		case 1: /* Q_SQL_MODE_CODE */
			ev->query.has_sql_mode = true;
			ev->query.sql_mode = rd_u64le(s);
			break;
		case 2: { /* Q_CATALOG_CODE (old): len, bytes, NUL */
			uint8_t n = rd_u8(s);
			ev->query.has_catalog = true;
			ev->query.catalog = rd_bytes(s, n);
			rd_skip(s, 1);
			break;
		}
		case 3: /* Q_AUTO_INCREMENT */
			ev->query.has_auto_inc = true;
			ev->query.auto_inc_increment = rd_u16le(s);
			ev->query.auto_inc_offset = rd_u16le(s);
			break;
		case 4: /* Q_CHARSET_CODE */
			ev->query.has_charset = true;
			ev->query.charset_client = rd_u16le(s);
			ev->query.collation_connection = rd_u16le(s);
			ev->query.collation_server = rd_u16le(s);
			break;
		case 5: { /* Q_TIME_ZONE_CODE */
			uint8_t n = rd_u8(s);
			ev->query.has_time_zone = true;
			ev->query.time_zone = rd_bytes(s, n);
			break;
		}
		case 6: { /* Q_CATALOG_NZ_CODE */
			uint8_t n = rd_u8(s);
			ev->query.has_catalog = true;
			ev->query.catalog = rd_bytes(s, n);
			break;
		}
		case 7: /* Q_LC_TIME_NAMES_CODE */
			ev->query.has_lc_time = true;
			ev->query.lc_time_names = rd_u16le(s);
			break;
		case 8: /* Q_CHARSET_DATABASE_CODE */
			ev->query.has_collation_database = true;
			ev->query.collation_database = rd_u16le(s);
			break;
		case 9: /* Q_TABLE_MAP_FOR_UPDATE_CODE */
			ev->query.has_table_map_for_update = true;
			rd_skip(s, 8);
			break;
		case 10: /* Q_MASTER_DATA_WRITTEN_CODE */
			rd_skip(s, 4);
			break;
		case 11: { /* Q_INVOKER: user, host (1-byte lengths) */
			uint8_t n = rd_u8(s);
			ev->query.user = rd_bytes(s, n);
			n = rd_u8(s);
			ev->query.host = rd_bytes(s, n);
			break;
		}
		case 12: { /* Q_UPDATED_DB_NAMES */
			uint8_t n = rd_u8(s);
			if (n == 254) /* OVER_MAX_DBS_IN_EVENT_MTS */
				break;
			for (unsigned i = 0; i < n && !s->err; i++)
				rd_cstr(s);
			break;
		}
		case 13: /* Q_MICROSECONDS */
			rd_skip(s, 3);
			break;
		case 14: /* Q_COMMIT_TS */
		case 15: /* Q_COMMIT_TS2 */
			rd_skip(s, 8);
			break;
		case 16: /* Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP */
			rd_skip(s, 1);
			break;
		case 17: /* Q_DDL_LOGGED_WITH_XID */
			ev->query.has_ddl_xid = true;
			ev->query.ddl_xid = rd_u64le(s);
			break;
		case 18: /* Q_DEFAULT_COLLATION_FOR_UTF8MB4 */
			rd_skip(s, 2);
			break;
		case 19: /* Q_SQL_REQUIRE_PRIMARY_KEY */
		case 20: /* Q_DEFAULT_TABLE_ENCRYPTION */
			rd_skip(s, 1);
			break;
		case 128: /* MariaDB Q_HRNOW */
			rd_skip(s, 3);
			break;
		case 129: /* MariaDB Q_XID */
			ev->query.has_ddl_xid = true;
			ev->query.ddl_xid = rd_u64le(s);
			break;
		case 130: /* MariaDB Q_GTID_FLAGS3 */
			rd_skip(s, 1);
			break;
		default:
			/*
			 * Unknown status variable: its length is unknown, so
			 * the rest of the block cannot be interpreted.  The
			 * block has its own length, so the query text is
			 * still found; stop here.
			 */
			return 0;
		}
	}
	if (s->err)
		return bl__rd_error(d, s, "Query event status variables");
	return 0;
}

int bl__query_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev,
		     bool compressed)
{
	uint8_t phl = bl__post_header_len(d, ev->h.type, 13);
	struct rd ph = rd_sub(r, phl);
	ev->query.thread_id = rd_u32le(&ph);
	ev->query.exec_time = rd_u32le(&ph);
	uint8_t dblen = rd_u8(&ph);
	ev->query.error_code = rd_u16le(&ph);
	uint16_t svlen = phl >= 13 ? rd_u16le(&ph) : 0;
	if (ph.err || r->err)
		return bl__rd_error(d, ph.err ? &ph : r, "Query event");
	struct rd sv = rd_sub(r, svlen);
	if (r->err)
		return bl__rd_error(d, r, "Query event");
	int rc = decode_status_vars(d, &sv, ev);
	if (rc)
		return rc;
	ev->query.schema = rd_bytes(r, dblen);
	rd_skip(r, 1); /* NUL */
	if (r->err)
		return bl__rd_error(d, r, "Query event");
	ev->query.compressed = compressed;
	if (!compressed) {
		ev->query.query = rd_rest(r);
		return 0;
	}
	buf_reset(&d->scratch);
	rc = bl__maria_uncompress(d, r, &d->scratch);
	if (rc)
		return rc;
	ev->query.query.p = arena_memdup(&d->ev, d->scratch.p, d->scratch.n);
	ev->query.query.n = d->scratch.n;
	return 0;
}

/* USER_VAR: name_len(4) name is_null(1) [type(1) charset(4) len(4) value] [flags(1)] */
int bl__user_var_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev)
{
	uint32_t n = rd_u32le(r);
	ev->user_var.name = rd_bytes(r, n);
	ev->user_var.is_null = rd_u8(r) != 0;
	if (!ev->user_var.is_null) {
		ev->user_var.type = rd_u8(r);
		ev->user_var.charset = rd_u32le(r);
		uint32_t vl = rd_u32le(r);
		ev->user_var.value = rd_bytes(r, vl);
		if (rd_left(r))
			ev->user_var.flags = rd_u8(r);
	}
	if (r->err)
		return bl__rd_error(d, r, "User_var event");
	struct buf b;
	buf_init(&b, 0);
	struct bytes v = ev->user_var.value;
	struct rd vr;
	rd_init(&vr, v.p, v.n);
	if (ev->user_var.is_null) {
		buf_puts(&b, "NULL");
	} else if (ev->user_var.type == 1 && v.n == 8) { /* REAL_RESULT */
		uint64_t bits = rd_u64le(&vr);
		double dv;
		memcpy(&dv, &bits, 8);
		buf_printf(&b, "%.17g", dv);
	} else if (ev->user_var.type == 2 && v.n == 8) { /* INT_RESULT */
		uint64_t u = rd_u64le(&vr);
		if (ev->user_var.flags & 1)
			buf_put_u64dec(&b, u);
		else
			buf_put_i64dec(&b, (int64_t)u);
	} else if (ev->user_var.type == 4 && v.n >= 2) { /* DECIMAL_RESULT */
		uint8_t prec = rd_u8(&vr), scale = rd_u8(&vr);
		struct bl_column c = {0};
		c.type = BL_TYPE_NEWDECIMAL;
		c.meta = (uint16_t)(prec << 8 | scale);
		struct bl_value val;
		struct err e = {0};
		memset(&val, 0, sizeof(val));
		if (bl__value_decode(&vr, &c, &val, &d->ev, &e) == 0)
			buf_put(&b, val.s.p, val.s.n);
		else
			buf_puts(&b, "(bad decimal)");
	} else {
		/* STRING_RESULT: charset-converted text, hex when not valid */
		if (bl_text_to_utf8(&b, (uint16_t)ev->user_var.charset, v.p,
				    v.n) != 0) {
			buf_reset(&b);
			buf_puts(&b, "0x");
			for (size_t i = 0; i < v.n; i++)
				buf_printf(&b, "%02x", v.p[i]);
		}
	}
	bl__set_text(d, &ev->user_var.text, &b);
	buf_release(&b);
	return 0;
}
