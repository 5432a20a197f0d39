/*
 * binlog: the MySQL/MariaDB binary log decoder.  Bytes in, structs out;
 * no I/O except the file reader (binlog/file.c).  Covers binlog v4 as
 * written by MySQL 5.1-9.x and MariaDB 5.5-11.x: see docs/binlog.md.
 *
 * Lifetimes: everything a decoded struct bl_event points to (rows,
 * values, strings) lives in the decoder's event arena and stays valid
 * until the next bl_decode()/bl_decoder_next_inner() call.  Tables
 * (struct bl_table) live until the table id is remapped or the decoder
 * is released.
 */
#ifndef BINLOG_BINLOG_H
#define BINLOG_BINLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/rd.h"

#define BL_MAGIC "\xfe" "bin"
#define BL_HEADER_LEN 19	/* v4 common header */
#define BL_MAX_EVENT (1u << 30)	/* server's max_allowed_packet cap */

enum bl_event_type {
	BL_UNKNOWN_EVENT = 0,
	BL_START_EVENT_V3 = 1,
	BL_QUERY_EVENT = 2,
	BL_STOP_EVENT = 3,
	BL_ROTATE_EVENT = 4,
	BL_INTVAR_EVENT = 5,
	BL_LOAD_EVENT = 6,
	BL_SLAVE_EVENT = 7,
	BL_CREATE_FILE_EVENT = 8,
	BL_APPEND_BLOCK_EVENT = 9,
	BL_EXEC_LOAD_EVENT = 10,
	BL_DELETE_FILE_EVENT = 11,
	BL_NEW_LOAD_EVENT = 12,
	BL_RAND_EVENT = 13,
	BL_USER_VAR_EVENT = 14,
	BL_FORMAT_DESCRIPTION_EVENT = 15,
	BL_XID_EVENT = 16,
	BL_BEGIN_LOAD_QUERY_EVENT = 17,
	BL_EXECUTE_LOAD_QUERY_EVENT = 18,
	BL_TABLE_MAP_EVENT = 19,
	BL_PRE_GA_WRITE_ROWS_EVENT = 20,	/* rows v0 */
	BL_PRE_GA_UPDATE_ROWS_EVENT = 21,
	BL_PRE_GA_DELETE_ROWS_EVENT = 22,
	BL_WRITE_ROWS_EVENT_V1 = 23,
	BL_UPDATE_ROWS_EVENT_V1 = 24,
	BL_DELETE_ROWS_EVENT_V1 = 25,
	BL_INCIDENT_EVENT = 26,
	BL_HEARTBEAT_LOG_EVENT = 27,
	BL_IGNORABLE_LOG_EVENT = 28,
	BL_ROWS_QUERY_LOG_EVENT = 29,
	BL_WRITE_ROWS_EVENT = 30,	/* rows v2 */
	BL_UPDATE_ROWS_EVENT = 31,
	BL_DELETE_ROWS_EVENT = 32,
	BL_GTID_LOG_EVENT = 33,
	BL_ANONYMOUS_GTID_LOG_EVENT = 34,
	BL_PREVIOUS_GTIDS_LOG_EVENT = 35,
	BL_TRANSACTION_CONTEXT_EVENT = 36,
	BL_VIEW_CHANGE_EVENT = 37,
	BL_XA_PREPARE_LOG_EVENT = 38,
	BL_PARTIAL_UPDATE_ROWS_EVENT = 39,
	BL_TRANSACTION_PAYLOAD_EVENT = 40,
	BL_HEARTBEAT_LOG_EVENT_V2 = 41,
	BL_GTID_TAGGED_LOG_EVENT = 42,
	/* MariaDB */
	BL_MARIA_ANNOTATE_ROWS_EVENT = 160,
	BL_MARIA_BINLOG_CHECKPOINT_EVENT = 161,
	BL_MARIA_GTID_EVENT = 162,
	BL_MARIA_GTID_LIST_EVENT = 163,
	BL_MARIA_START_ENCRYPTION_EVENT = 164,
	BL_MARIA_QUERY_COMPRESSED_EVENT = 165,
	BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT_V1 = 166,
	BL_MARIA_UPDATE_ROWS_COMPRESSED_EVENT_V1 = 167,
	BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT_V1 = 168,
	BL_MARIA_WRITE_ROWS_COMPRESSED_EVENT = 169,
	BL_MARIA_UPDATE_ROWS_COMPRESSED_EVENT = 170,
	BL_MARIA_DELETE_ROWS_COMPRESSED_EVENT = 171,
};

/* Event header flag: a reader that does not know the event may skip it. */
#define BL_LOG_EVENT_IGNORABLE_F 0x80

/* Column types as they appear in TABLE_MAP (enum_field_types). */
enum bl_col_type {
	BL_TYPE_DECIMAL = 0,
	BL_TYPE_TINY = 1,
	BL_TYPE_SHORT = 2,
	BL_TYPE_LONG = 3,
	BL_TYPE_FLOAT = 4,
	BL_TYPE_DOUBLE = 5,
	BL_TYPE_NULL = 6,
	BL_TYPE_TIMESTAMP = 7,
	BL_TYPE_LONGLONG = 8,
	BL_TYPE_INT24 = 9,
	BL_TYPE_DATE = 10,
	BL_TYPE_TIME = 11,
	BL_TYPE_DATETIME = 12,
	BL_TYPE_YEAR = 13,
	BL_TYPE_NEWDATE = 14,
	BL_TYPE_VARCHAR = 15,
	BL_TYPE_BIT = 16,
	BL_TYPE_TIMESTAMP2 = 17,
	BL_TYPE_DATETIME2 = 18,
	BL_TYPE_TIME2 = 19,
	BL_TYPE_TYPED_ARRAY = 20,
	BL_TYPE_VECTOR = 242,
	BL_TYPE_INVALID = 243,
	BL_TYPE_BOOL = 244,
	BL_TYPE_JSON = 245,
	BL_TYPE_NEWDECIMAL = 246,
	BL_TYPE_ENUM = 247,
	BL_TYPE_SET = 248,
	BL_TYPE_TINY_BLOB = 249,
	BL_TYPE_MEDIUM_BLOB = 250,
	BL_TYPE_LONG_BLOB = 251,
	BL_TYPE_BLOB = 252,
	BL_TYPE_VAR_STRING = 253,
	BL_TYPE_STRING = 254,
	BL_TYPE_GEOMETRY = 255,
};

#define BL_COLLATION_BINARY 63

/*
 * One column of a TABLE_MAP.  'meta' holds the type metadata decoded
 * into one number; its meaning depends on 'type' (the real type):
 *   FLOAT, DOUBLE                 pack length in bytes (4 or 8)
 *   VARCHAR, VAR_STRING           maximum length in bytes (prefix is 1
 *                                 byte when < 256, else 2)
 *   STRING (CHAR, BINARY)         maximum length in bytes (same rule)
 *   ENUM                          pack length (1 or 2)
 *   SET                           pack length (1..8)
 *   NEWDECIMAL                    precision << 8 | scale
 *   BIT                           bytes << 8 | bits, total bits = bytes*8+bits
 *   BLOB, TEXT, JSON, GEOMETRY,
 *   VECTOR                        length-prefix size in bytes (1..4)
 *   TIMESTAMP2, DATETIME2, TIME2  fractional seconds precision (0..6)
 *   TIME, DATETIME, TIMESTAMP     0 (MySQL); MariaDB hi-res: decimals
 *   others                        0
 */
struct bl_column {
	uint8_t type;		/* real type: STRING metadata resolves ENUM/SET */
	uint8_t wire_type;	/* type byte as written in the TABLE_MAP */
	uint16_t meta;		/* see above */
	bool nullable;		/* from the TABLE_MAP null bitmap */
	bool is_unsigned;	/* SIGNEDNESS metadata (numeric columns) */
	bool has_charset;	/* charset known from optional metadata */
	bool is_pk;		/* SIMPLE/PREFIX_PRIMARY_KEY metadata */
	bool visible;		/* COLUMN_VISIBILITY metadata (default true) */
	uint16_t collation;	/* collation id when has_charset; 63 = binary */
	uint8_t geometry_type;	/* GEOMETRY_TYPE metadata */
	uint32_t dimensions;	/* VECTOR_DIMENSIONALITY metadata */
	const char *name;	/* COLUMN_NAME metadata, or NULL */
	uint32_t n_strings;	/* ENUM/SET labels from optional metadata */
	const struct bytes *strings;	/* labels (in column charset) */
	/* derived once per TABLE_MAP, for rendering */
	uint8_t cs_class;	/* enum bl_cs_class of the collation */
	uint16_t json_key_len;
	const char *json_key;	/* "name": or "@N": escaped, with the colon */
	/* the text format's line around the value: "###   @N=" before it,
	 * the name in a comment (when known) and the newline after it;
	 * NULL when not derived */
	const char *text_key, *text_note;
	uint32_t text_key_len, text_note_len;
	/* set by a consumer, never by the decoder: replay's structure check
	 * found a PostGIS geometry column in PostgreSQL for this GEOMETRY */
	bool pg_geometry;
};

/* How text of a column converts to UTF-8. */
enum bl_cs_class {
	BL_CS_UNKNOWN = 0,	/* no charset metadata */
	BL_CS_UTF8,		/* utf8mb3 / utf8mb4: validate */
	BL_CS_LATIN1,		/* Windows-1252 */
	BL_CS_BINARY,		/* bytes */
	BL_CS_OTHER,		/* iconv */
};

/* A table as described by its latest TABLE_MAP event. */
struct bl_table {
	uint64_t table_id;
	uint16_t flags;
	const char *schema;	/* NUL-terminated copies */
	const char *name;
	uint32_t ncols;
	struct bl_column *cols;
	bool has_names;		/* every column has a COLUMN_NAME */
	bool has_signedness;	/* SIGNEDNESS metadata was present */
	bool has_charsets;	/* charset metadata was present */
	struct arena mem;	/* owns everything above */
};

/* Value kinds of a decoded column. */
enum bl_vkind {
	BLV_ABSENT = 0,	/* not in this row image (MINIMAL/NOBLOB) */
	BLV_NULL,
	BLV_INT,	/* i: TINY..LONGLONG signed */
	BLV_UINT,	/* u: TINY..LONGLONG unsigned */
	BLV_FLOAT,	/* d: FLOAT (render with float precision) */
	BLV_DOUBLE,	/* d */
	BLV_DECIMAL,	/* s: exact decimal text, e.g. "-12345.6700" */
	BLV_YEAR,	/* i: 0 or 1901..2155 */
	BLV_DATE,	/* t: year/month/day, zero parts kept */
	BLV_DATETIME,	/* t: + hour..usec, fsp digits */
	BLV_TIMESTAMP,	/* i: seconds since epoch (UTC), t.usec, fsp */
	BLV_TIME,	/* t: neg, hour (0..838), minute, second, usec, fsp */
	BLV_STRING,	/* s: raw bytes in the column's charset */
	BLV_BINARY,	/* s: raw bytes (binary charset / BLOB / BINARY) */
	BLV_ENUM,	/* u: 1-based index, 0 = '' (invalid value) */
	BLV_SET,	/* u: bit mask */
	BLV_BIT,	/* u */
	BLV_JSON,	/* s: JSON text (UTF-8), rendered from MySQL binary JSON */
	BLV_JSON_DIFF,	/* s: JSON array of partial-update operations */
	BLV_GEOMETRY,	/* u: SRID, s: WKB bytes */
	BLV_VECTOR,	/* s: little-endian float32 array */
};

struct bl_time {
	int32_t year;
	uint8_t month, day;
	uint16_t hour;		/* TIME: up to 838 */
	uint8_t minute, second;
	uint32_t usec;
	bool neg;		/* TIME only */
};

struct bl_value {
	uint8_t kind;		/* enum bl_vkind */
	uint8_t fsp;		/* fractional digits to print (temporal types) */
	union {
		int64_t i;
		uint64_t u;
		double d;
	};
	struct bytes s;
	struct bl_time t;
};

/* One row change; before/after are arrays of table->ncols or NULL. */
struct bl_row {
	struct bl_value *before;
	struct bl_value *after;
};

enum bl_row_op { BL_OP_INSERT, BL_OP_UPDATE, BL_OP_DELETE };

/* Checksum algorithms of the FORMAT_DESCRIPTION event. */
enum bl_checksum { BL_CHECKSUM_OFF = 0, BL_CHECKSUM_CRC32 = 1,
		   BL_CHECKSUM_UNDEF = 255 };

struct bl_header {
	uint32_t timestamp;
	uint8_t type;
	uint32_t server_id;
	uint32_t event_size;	/* whole event, header and checksum included */
	uint32_t log_pos;	/* end position as written (0 inside payloads) */
	uint16_t flags;
};

struct bl_gtid {
	uint8_t uuid[16];
	char tag[33];		/* MySQL 8.4+ tagged GTID, "" when none */
	uint64_t gno;
};

struct bl_event {
	struct bl_header h;
	uint64_t pos;		/* offset of the event (outer event inside payloads) */
	uint64_t end_pos;	/* position after the event (outer event's end inside payloads) */
	bool in_payload;	/* decoded from a TRANSACTION_PAYLOAD */
	bool checksum_ok;	/* false when the checksum was not verified */
	union {
		struct {
			uint16_t binlog_version;
			char server_version[51];
			uint32_t created;
			uint8_t header_len;
			uint8_t checksum_alg;	/* enum bl_checksum */
			bool is_mariadb;
		} fde;
		struct {
			uint64_t pos;
			struct bytes file;
			bool fake;	/* timestamp 0 / log_pos 0: not a real rotation */
		} rotate;
		struct {
			uint32_t thread_id;
			uint32_t exec_time;
			uint16_t error_code;
			struct bytes schema;
			struct bytes query;
			bool compressed;	/* MariaDB QUERY_COMPRESSED */
			/* status variables (has_* says which were present) */
			bool has_flags2, has_sql_mode, has_charset;
			bool has_catalog, has_auto_inc, has_time_zone;
			bool has_lc_time, has_table_map_for_update;
			bool has_ddl_xid;
			uint32_t flags2;
			uint64_t sql_mode;
			uint16_t charset_client, collation_connection,
				collation_server;
			uint16_t auto_inc_increment, auto_inc_offset;
			uint16_t lc_time_names;
			uint16_t collation_database;
			bool has_collation_database;
			uint64_t ddl_xid;
			struct bytes catalog, time_zone, user, host;
		} query;
		struct {
			uint64_t xid;
		} xid;
		struct {
			uint8_t type;	/* 1 LAST_INSERT_ID, 2 INSERT_ID */
			uint64_t value;
		} intvar;
		struct {
			uint64_t seed1, seed2;
		} rand;
		struct {
			struct bytes name;
			bool is_null;
			uint8_t type;	/* STRING_RESULT=0, REAL=1, INT=2, ROW=3, DECIMAL=4 */
			uint32_t charset;
			struct bytes value;	/* raw */
			uint8_t flags;	/* 1 = unsigned */
			const char *text;	/* rendered value (SQL-ish) */
		} user_var;
		struct {
			const struct bl_table *table;
		} table_map;
		struct {
			const struct bl_table *table;	/* NULL when unmapped */
			uint64_t table_id;
			enum bl_row_op op;
			uint16_t flags;
			uint8_t version;	/* 0, 1 or 2 */
			bool compressed;	/* MariaDB compressed rows */
			bool partial;		/* PARTIAL_UPDATE_ROWS */
			uint32_t nrows;
			struct bl_row *rows;
		} rows;
		struct {
			struct bytes query;	/* ROWS_QUERY and ANNOTATE_ROWS */
		} rows_query;
		struct {
			bool anonymous;
			bool tagged;
			uint8_t flags;
			struct bl_gtid gtid;
			bool has_logical_ts;
			int64_t last_committed, sequence_number;
			bool has_commit_ts;
			uint64_t immediate_commit_ts, original_commit_ts;
			bool has_tx_length;
			uint64_t tx_length;
			bool has_server_version;
			uint32_t immediate_server_version, original_server_version;
			const char *text;	/* "uuid:gno" / "uuid:tag:gno" */
		} gtid;
		struct {
			const char *text;	/* GTID set "uuid:1-5:7,uuid2:tag:1-3" */
		} gtid_set;	/* PREVIOUS_GTIDS */
		struct {
			uint64_t seq_no;
			uint32_t domain_id;
			uint8_t flags;
			uint64_t commit_id;	/* when flags & FL_GROUP_COMMIT_ID */
			bool has_commit_id;
			bool standalone;	/* FL_STANDALONE: no BEGIN follows */
			const char *text;	/* "domain-server-seq" */
		} maria_gtid;
		struct {
			uint32_t count;
			uint8_t flags;
			const char *text;	/* "0-1-100,1-2-5" */
		} maria_gtid_list;
		struct {
			struct bytes file;
		} checkpoint;
		struct {
			uint64_t pos;
			struct bytes file;
		} heartbeat;
		struct {
			uint16_t type;
			struct bytes message;
		} incident;
		struct {
			uint64_t uncompressed_size;
			uint32_t compression;	/* 0 zstd, 255 none */
			uint64_t size;
		} payload;
		struct {
			uint32_t scheme;
			uint32_t key_version;
		} encryption;
	};
};

enum bl_decoder_flags {
	BL_NO_VERIFY_CHECKSUM = 1 << 0,
};

struct bl_decoder;

/* Allocate a decoder; release with bl_decoder_free. */
struct bl_decoder *bl_decoder_new(unsigned flags);
void bl_decoder_free(struct bl_decoder *d);
/*
 * Decode one whole event (header, body and checksum) at absolute
 * position 'pos' of the current file.  Returns 0 and fills *ev, or
 * -ERR_x with the detail in bl_decoder_err(d) (offset included).
 * A TRANSACTION_PAYLOAD event is returned as such; its inner events are
 * then fetched with bl_decoder_next_inner() before the next bl_decode().
 */
int bl_decode(struct bl_decoder *d, const uint8_t *p, size_t n, uint64_t pos,
	      struct bl_event *ev) MUST_CHECK;
/* 1 and *ev filled while inner payload events remain, 0 at the end, <0 error */
int bl_decoder_next_inner(struct bl_decoder *d, struct bl_event *ev) MUST_CHECK;
const struct err *bl_decoder_err(const struct bl_decoder *d);
/* The checksum algorithm in force (from the last FORMAT_DESCRIPTION). */
enum bl_checksum bl_decoder_checksum(const struct bl_decoder *d);
/* Tell the decoder the checksum algorithm without an FDE (live streams). */
void bl_decoder_set_checksum(struct bl_decoder *d, enum bl_checksum alg);
/* Known table by id, or NULL. */
const struct bl_table *bl_decoder_table(const struct bl_decoder *d, uint64_t id);
/* Current GTID text of the transaction being decoded ("" when none). */
const char *bl_decoder_gtid(const struct bl_decoder *d);

/* Names */
/* ---- framing and transaction boundaries (binlog/frame.c) ----------------
 * The only reading of the common header outside the decoder: whoever
 * moves event bytes (file reader, capture, live stream) frames them here.
 */
/*
 * The common header of the event at p (n bytes available) into h:
 * timestamp, type, server id, size and log_pos (the end offset in the
 * server's file; 0 for artificial events).  Returns 0, -ERR_TRUNC when
 * fewer than BL_HEADER_LEN bytes are there, -ERR_PROTO for a size below
 * the header's or above BL_MAX_EVENT.  The size may exceed n: the caller
 * decides whether that is a truncation or more bytes to read.
 */
int bl_frame(const uint8_t *p, size_t n, struct bl_header *h) MUST_CHECK;
/* The offset where the event starts in the server's file: log_pos minus
 * the size, or 0 when unknown (artificial events, log_pos 0). */
uint64_t bl_frame_start(const struct bl_header *h);

enum bl_tx_mark {
	BL_TX_NONE = 0,		/* inside or outside a transaction, changes nothing */
	BL_TX_BEGIN,		/* QUERY BEGIN / XA START, a MariaDB GTID of a transaction */
	BL_TX_COMMIT,		/* XID, XA_PREPARE, QUERY COMMIT / ROLLBACK / XA COMMIT / XA ROLLBACK
				   (non-transactional engines log COMMIT and ROLLBACK) */
	BL_TX_STATEMENT,	/* any other QUERY: a statement of its own (DDL
				   commits implicitly) */
};
/*
 * What a decoded event does to the source transaction.  SAVEPOINT,
 * ROLLBACK TO, RELEASE SAVEPOINT and XA END stay inside their
 * transaction (BL_TX_NONE).  Comments and blanks before the keyword are skipped.
 */
enum bl_tx_mark bl_event_tx_mark(const struct bl_event *ev);

/* ---- positions (binlog/pos.c) -------------------------------------------
 * A position in a server's binary log: a file name and the offset of the
 * next byte to read.  Positions order by file, then offset; files of one
 * binlog order by the number after their last dot, compared as a number
 * (mysql-bin.999999 comes before mysql-bin.1000000, which strcmp gets
 * wrong), and "" (no position yet) before any file.
 */
#define BL_FILE_MAX 256	/* bytes for a binlog file name, NUL included */

struct bl_pos {
	char file[BL_FILE_MAX];	/* "" when unknown */
	uint64_t pos;		/* offset in file */
};

/* <0, 0 or >0 as position (fa, pa) is before, at or after (fb, pb). */
int bl_pos_cmp(const char *fa, uint64_t pa, const char *fb, uint64_t pb);
/* The same order on file names alone. */
int bl_file_cmp(const char *fa, const char *fb);
/* Set p to (file, pos); a name too long for BL_FILE_MAX is cut. */
void bl_pos_set(struct bl_pos *p, const char *file, uint64_t pos);

const char *bl_event_type_name(unsigned type);	/* "Write_rows_v2" */
const char *bl_col_type_name(unsigned type);	/* "LONGLONG" */
/* true for every WRITE/UPDATE/DELETE rows event type (all versions) */
bool bl_event_is_rows(unsigned type);

/* Values (binlog/value.c) */

/* UTF-8 rendering of text in a MySQL collation; 0, or -ERR_PROTO if the
 * bytes are not valid in that charset (nothing appended then). */
int bl_text_to_utf8(struct buf *out, uint16_t collation, const uint8_t *p,
		    size_t n);
/* Charset name of a collation id ("utf8mb4", "latin1", "binary"), or NULL. */
const char *bl_collation_charset(uint16_t collation);
/* Release the calling thread's charset converters (before a thread ends). */
void bl_charset_thread_done(void);
/* Append the JSON rendering of a value (contract in docs/decode_binlog.md). */
void bl_value_json(struct buf *out, const struct bl_column *c,
		   const struct bl_value *v);
/* Append the mysqlbinlog -v style rendering of a value. */
void bl_value_text(struct buf *out, const struct bl_column *c,
		   const struct bl_value *v);
/* Shortest decimal text that reads back to the same double (or float);
 * NaN, Infinity, -Infinity for non-finite values. */
void bl_put_float(struct buf *out, double d, bool single);
/*
 * Dates and times as text (value_time.c), shared by the renderings above
 * and replay: YYYY-MM-DD; HH:MM:SS (hours take 3 digits and more when
 * they need them, TIME reaches 838); '.' and the first fsp digits (at
 * most 6) of usec, nothing when fsp is 0; seconds since the epoch as UTC
 * "YYYY-MM-DD HH:MM:SS".  Zeros are written as zeros.
 */
void bl_put_date(struct buf *out, unsigned year, unsigned month, unsigned day);
void bl_put_time(struct buf *out, unsigned hour, unsigned minute,
		 unsigned second);
void bl_put_frac(struct buf *out, uint32_t usec, unsigned fsp);
void bl_put_utc(struct buf *out, int64_t secs);
/* A VECTOR value as its float32 elements: open, comma-separated, close. */
void bl_put_vector(struct buf *out, const struct bl_value *v, char open,
		   char close);
/* Render MySQL binary JSON as JSON text; 0 or -ERR_PROTO/-ERR_TRUNC. */
int bl_json_to_text(struct buf *out, const uint8_t *p, size_t n,
		    struct err *e) MUST_CHECK;

/* Output of whole events (binlog/render.c) */
struct bl_render_ctx {
	const char *file;	/* file name shown in output */
	const char *gtid;	/* current transaction GTID, or NULL */
};
void bl_render_json(struct buf *out, const struct bl_event *ev,
		    const struct bl_render_ctx *ctx);
void bl_render_text(struct buf *out, const struct bl_event *ev,
		    const struct bl_render_ctx *ctx);

/* Binlog files (binlog/file.c): sequential event reader with a bounded buffer. */
struct bl_file;
/* Open and check the magic; 0 or -ERR_x with detail in *e. */
int bl_file_open(struct bl_file **f, const char *path, struct err *e) MUST_CHECK;
/* 1 and an event view (valid until the next call), 0 at a clean end,
 * <0 on error (truncated event, bad length) with detail in *e. */
int bl_file_next(struct bl_file *f, const uint8_t **p, size_t *n, uint64_t *pos,
		 struct err *e) MUST_CHECK;
/* Reposition to an absolute offset (>= 4). */
int bl_file_seek(struct bl_file *f, uint64_t pos, struct err *e) MUST_CHECK;
void bl_file_close(struct bl_file *f);

/*
 * Capture (binlog/capture.c): write a live stream into files named and
 * split like the server's, byte-identical to them.  Feed every raw event
 * (status byte removed) in order.  Artificial events (the fake ROTATE
 * naming the file, the FORMAT_DESCRIPTION re-sent past position 4,
 * heartbeats) are not written.
 */
struct bl_capture;
int bl_capture_open(struct bl_capture **c, const char *dir, struct err *e)
	MUST_CHECK;
/* Events carry a CRC32 trailer (default on: chameleon always asks for it). */
void bl_capture_set_checksum(struct bl_capture *c, bool on);
/*
 * Where to resume: the newest file in the directory and the end of its
 * last whole event (a partly written event is cut off); "" and 0 when
 * the directory holds no capture yet.
 */
int bl_capture_resume_point(struct bl_capture *c, char *file, size_t n,
			    uint64_t *pos, struct err *e) MUST_CHECK;
int bl_capture_event(struct bl_capture *c, const uint8_t *p, size_t n,
		     struct err *e) MUST_CHECK;
int bl_capture_sync(struct bl_capture *c, struct err *e) MUST_CHECK;
/* Current file name and size. */
const char *bl_capture_file(const struct bl_capture *c, uint64_t *pos);
void bl_capture_close(struct bl_capture *c);

#endif
