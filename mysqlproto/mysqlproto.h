/*
 * mysqlproto: the client side of the MySQL/MariaDB client/server protocol,
 * written from the protocol documentation: TCP or Unix socket with
 * timeouts, handshake v10, authentication (mysql_native_password,
 * caching_sha2_password, sha256_password, mysql_clear_password), TLS with
 * OpenSSL, zlib protocol compression, text queries with streamed result
 * sets, and replication (COM_REGISTER_SLAVE, COM_BINLOG_DUMP,
 * COM_BINLOG_DUMP_GTID).  It yields binlog events as bytes; it never
 * decodes them.  Blocking I/O bounded by poll() timeouts.
 * Every function returns 0 or -ERR_x with the detail in c->err; the
 * password never appears in an error.
 */
#ifndef MYSQLPROTO_MYSQLPROTO_H
#define MYSQLPROTO_MYSQLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/rd.h"

enum mp_ssl_mode {
	MP_SSL_DISABLED,
	MP_SSL_PREFERRED,	/* TLS when the server offers it */
	MP_SSL_REQUIRED,	/* TLS or fail; the certificate is not checked */
	MP_SSL_VERIFY_CA,	/* and the certificate chains to ssl_ca */
	MP_SSL_VERIFY_IDENTITY,	/* and names the host */
};

/*
 * Initialise OpenSSL once, before anything else uses it (libpq included),
 * without reading any OpenSSL configuration file: openssl.cnf and
 * OPENSSL_CONF are never read, so no provider or engine module is loaded
 * and the same defaults hold on every host.  -ERR_TLS when OpenSSL cannot
 * start.
 */
int mp_library_init(void) MUST_CHECK;

/* Parse "disabled", "preferred", ...; -ERR_CONFIG when unknown. */
int mp_ssl_mode_parse(const char *s, enum mp_ssl_mode *out);

struct mp_opts {
	const char *host;	/* name or address; a path (with '/') = Unix socket */
	int port;		/* default 3306 */
	const char *user;
	const char *password;	/* never logged */
	const char *database;	/* may be NULL */
	int connect_timeout_ms;	/* default 10000 */
	int read_timeout_ms;	/* default 60000; 0 = none */
	enum mp_ssl_mode ssl_mode;
	const char *ssl_ca, *ssl_cert, *ssl_key;
	const char *server_public_key;	/* PEM file for RSA password exchange */
	bool compress;		/* zlib protocol compression when offered */
	uint8_t collation;	/* handshake collation, default 45 (utf8mb4) */
};

#define MP_MAX_PACKET (1u << 30)

/* The connection's buffers, transport and TLS state: mysqlproto/internal.h. */
struct mp_io;

struct mp_conn {
	struct err err;		/* the first failure of the last call */
	/* when set and non-zero, an interrupted wait (EINTR) ends with
	 * -ERR_IO "interrupted" instead of waiting again */
	const volatile int *cancel;
	/* the server, from its greeting */
	char server_version[64];
	bool is_mariadb;
	uint32_t connection_id;
	uint64_t caps;		/* negotiated capabilities (MariaDB's in the top 32 bits) */
	char auth_plugin[64];	/* the plugin that authenticated us */
	char tls_version[32], tls_cipher[64];	/* empty without TLS */
	struct mp_io *io;	/* owned; NULL until mp_connect, and after mp_close */
};

/* Prepare an unconnected handle; allocates nothing, so calling it twice
 * or mp_close() right after it is harmless. */
void mp_conn_init(struct mp_conn *c);
/* Connect and authenticate (on a handle after mp_conn_init or mp_close). */
int mp_connect(struct mp_conn *c, const struct mp_opts *o) MUST_CHECK;
/* Send COM_QUIT (best effort) and release everything; idempotent, and
 * safe after a failed mp_connect. */
void mp_close(struct mp_conn *c);

/* ---- text protocol ---------------------------------------------------- */

struct mp_column {
	struct bytes schema, table, name;
	uint16_t charset;
	uint32_t length;
	uint8_t type;
	uint16_t flags;
	uint8_t decimals;
};

struct mp_result {
	uint32_t ncols;
	struct mp_column *cols;	/* valid until mp_result_release */
	bool done;		/* all rows read */
	uint64_t affected_rows;
	void *mem;		/* owned */
	struct bytes *vals;	/* row views (owned) */
	bool *nulls;
	bool binary;		/* rows in the binary protocol (mp_stmt_query) */
	bool has_stmt;		/* stmt_id is prepared: closed by mp_result_release */
	uint32_t stmt_id;
};

/* One row: values[i] is a view into the connection's packet buffer,
 * valid until the next read on the connection; is_null[i] marks NULL. */
struct mp_row {
	uint32_t n;
	struct bytes *values;
	bool *is_null;
};

/*
 * Send a query.  For statements without a result set, r->ncols is 0 and
 * r->done is true.  Otherwise read rows with mp_result_next() and end
 * with mp_result_release().  On failure nothing is left to release.
 */
int mp_query(struct mp_conn *c, const char *sql, struct mp_result *r) MUST_CHECK;
/* 1 and a row, 0 at the end of the result, <0 on error.  Streams: one
 * packet at a time, the result set is never held in memory. */
int mp_result_next(struct mp_conn *c, struct mp_result *r, struct mp_row *row)
	MUST_CHECK;
/* Read and drop the remaining rows; free the result. */
void mp_result_release(struct mp_conn *c, struct mp_result *r);
/* Run a statement that returns no rows (or whose rows are dropped). */
int mp_exec(struct mp_conn *c, const char *sql) MUST_CHECK;
/* First column of the first row as a NUL-terminated string ("" for NULL,
 * *found false when there is no row). */
int mp_query_value(struct mp_conn *c, const char *sql, char *out, size_t n,
		   bool *found) MUST_CHECK;
/* The source's current binlog position. */
struct mp_position {
	char file[256];		/* binlog file name */
	uint64_t pos;		/* offset of the next event */
	char gtid[4096];	/* MariaDB @@gtid_binlog_pos or MySQL's
				   Executed_Gtid_Set; "" when none */
};
/*
 * SHOW MASTER STATUS (SHOW BINARY LOG STATUS on MySQL 8.4 and later),
 * and the GTID state.  Returns 0, -ERR_CONFIG when the server reports no
 * position (binary log off, or REPLICATION CLIENT / BINLOG MONITOR
 * missing), or the query's error; the detail in c->err.
 */
int mp_source_position(struct mp_conn *c, struct mp_position *out) MUST_CHECK;
/*
 * The identity of the server: @@server_id, and MySQL's @@server_uuid
 * into uuid (n bytes; "" on MariaDB, which has none).  A binlog position
 * means something on this server only.
 */
int mp_server_identity(struct mp_conn *c, uint64_t *server_id, char *uuid, size_t n)
	MUST_CHECK;
/* Quote a string literal for SQL ('...' with escapes) into out. */
void mp_quote(struct buf *out, const char *s);

/* ---- binary protocol (prepared statements) ---------------------------- */

/* Column types of the protocol (mp_column.type). */
enum {
	MP_TYPE_DECIMAL = 0, MP_TYPE_TINY = 1, MP_TYPE_SHORT = 2, MP_TYPE_LONG = 3,
	MP_TYPE_FLOAT = 4, MP_TYPE_DOUBLE = 5, MP_TYPE_NULL = 6, MP_TYPE_TIMESTAMP = 7,
	MP_TYPE_LONGLONG = 8, MP_TYPE_INT24 = 9, MP_TYPE_DATE = 10, MP_TYPE_TIME = 11,
	MP_TYPE_DATETIME = 12, MP_TYPE_YEAR = 13, MP_TYPE_NEWDATE = 14,
	MP_TYPE_VARCHAR = 15, MP_TYPE_BIT = 16, MP_TYPE_VECTOR = 242, MP_TYPE_JSON = 245,
	MP_TYPE_NEWDECIMAL = 246, MP_TYPE_ENUM = 247, MP_TYPE_SET = 248,
	MP_TYPE_TINY_BLOB = 249, MP_TYPE_MEDIUM_BLOB = 250, MP_TYPE_LONG_BLOB = 251,
	MP_TYPE_BLOB = 252, MP_TYPE_VAR_STRING = 253, MP_TYPE_STRING = 254,
	MP_TYPE_GEOMETRY = 255,
};
/* Column flags (mp_column.flags) */
enum { MP_FLAG_UNSIGNED = 0x20, MP_FLAG_ZEROFILL = 0x40 };

/*
 * How a binary row holds a value of a column type: MP_BIN_FIXED (width
 * bytes, little-endian: integers, FLOAT, DOUBLE), MP_BIN_TEMPORAL (a
 * length byte, then that many bytes: DATE, DATETIME, TIMESTAMP, TIME),
 * MP_BIN_STRING (length-encoded bytes: DECIMAL as text, strings, BLOBs,
 * BIT, ENUM, SET, JSON, GEOMETRY), MP_BIN_NONE (NULL type: no value), or
 * MP_BIN_UNKNOWN (a type this client does not decode).
 */
enum mp_bin_form { MP_BIN_UNKNOWN, MP_BIN_FIXED, MP_BIN_TEMPORAL, MP_BIN_STRING, MP_BIN_NONE };
enum mp_bin_form mp_bin_form(uint8_t type, unsigned *width);

/*
 * A SELECT through the binary protocol: COM_STMT_PREPARE, then
 * COM_STMT_EXECUTE without a cursor, so that the server streams the rows
 * as for a text query (nothing is held on either side).  Read with
 * mp_result_next and end with mp_result_release, which closes the
 * statement (COM_STMT_CLOSE).  Rows of r->binary results hold each value
 * in its binary form (mp_bin_form): values[i] is the value's bytes
 * (integers and floats little-endian; for a temporal type its 0, 4, 7,
 * 8, 11 or 12 bytes without the length byte; strings as they are).
 * -ERR_UNSUPPORTED when a column has a type mp_bin_form does not know,
 * or the statement has parameters: nothing is left on the connection, a
 * text query can follow.  On failure nothing is left to release.
 */
int mp_stmt_query(struct mp_conn *c, const char *sql, struct mp_result *r) MUST_CHECK;

/* ---- replication ------------------------------------------------------- */

struct mp_dump {
	uint32_t server_id;	/* our replica id, unique in the topology */
	const char *file;	/* start file ("" = first / GTID positioning) */
	uint64_t pos;		/* start position (>= 4) */
	bool stop_at_end;	/* BINLOG_DUMP_NON_BLOCK: EOF at the end */
	bool annotate_rows;	/* MariaDB: send ANNOTATE_ROWS events */
	const char *maria_gtid;	/* MariaDB GTID position "0-1-100,1-2-5" */
	const uint8_t *mysql_gtid_set;	/* encoded SID block for COM_BINLOG_DUMP_GTID */
	size_t mysql_gtid_set_len;
	uint32_t heartbeat_ms;	/* 0 = server default */
};

/*
 * A MySQL GTID set in text ("uuid:1-5:7,uuid2:1-3") as the SID block of
 * COM_BINLOG_DUMP_GTID (n_sids, then per UUID its intervals as [start,
 * end+1)), appended to out for mysql_gtid_set.  Returns 0, or -1 when the
 * text is not such a set (tagged GTIDs of MySQL 8.3+ included); out is
 * then partly written.
 */
int mp_gtid_set_encode(const char *text, struct buf *out) MUST_CHECK;
/*
 * Prepare the session (checksums, MariaDB capability and GTID state,
 * heartbeat), register as a replica and start the dump.
 */
int mp_binlog_dump(struct mp_conn *c, const struct mp_dump *d) MUST_CHECK;
/*
 * Next event: 1 and a view of the event bytes (header included, status
 * byte removed; valid until the next read), 0 at the end of the stream
 * (stop_at_end), <0 on error (server error 1236 and friends reported with
 * their text).
 */
int mp_binlog_next(struct mp_conn *c, const uint8_t **ev, size_t *n) MUST_CHECK;
/* Whether bytes are waiting (buffered, or readable now): false means the
 * next read would wait for the server. */
bool mp_input_pending(struct mp_conn *c);

/* ---- byte stream (HTTPS for notifications) ----------------------------- */

/*
 * A plain byte stream over the same transport as a MySQL connection: TCP
 * to o->host:o->port with connect_timeout_ms, then, unless o->ssl_mode is
 * MP_SSL_DISABLED, TLS from the first byte with the same OpenSSL setup
 * as a MySQL connection (MP_SSL_VERIFY_IDENTITY: the certificate chains
 * to o->ssl_ca, or to the system CA bundle when it is NULL, and names
 * o->host).  No MySQL protocol at all: no greeting, no COM_QUIT at
 * mp_close.  Every wait is bounded by read_timeout_ms (0 = none) and ends
 * early when *c->cancel is set and a signal interrupts it.  Returns 0, or
 * -ERR_IO / -ERR_TIMEOUT / -ERR_TLS with the detail in c->err (a refused
 * certificate says "server certificate rejected: ..."); mp_close
 * releases it either way.
 */
int mp_stream_open(struct mp_conn *c, const struct mp_opts *o) MUST_CHECK;
/* Write all n bytes; 0 or -ERR_x. */
int mp_stream_write(struct mp_conn *c, const void *p, size_t n) MUST_CHECK;
/* Read at most n (> 0) bytes: 0 with *got > 0, 0 with *got == 0 when the
 * peer closed the stream, or -ERR_x. */
int mp_stream_read(struct mp_conn *c, void *p, size_t n, size_t *got) MUST_CHECK;

/* ---- source checks (check_source) --------------------------------------- */

struct mp_check {
	char name[48];
	bool ok;
	bool warning;		/* not fatal */
	char detail[256];	/* what was found */
	char fix[256];		/* how to fix it ("" when ok) */
};

/*
 * Inspect the server for replication: version, log_bin, binlog_format,
 * binlog_row_image, binlog_row_metadata, binlog_checksum, GTID settings,
 * the current binlog position and the account's privileges.  Fills up to
 * max checks; returns their number, or <0 when the queries fail.
 */
int mp_check_source(struct mp_conn *c, struct mp_check *out, int max);

#endif
