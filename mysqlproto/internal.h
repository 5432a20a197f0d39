/*
 * mysqlproto internals shared by its .c files, unit tests and fuzz
 * targets: the connection's private state (buffers, transport, TLS
 * handles, the in-memory test transport), wire constants, and the
 * functions between the files.  Nothing outside mysqlproto/ and test/
 * includes it.
 */
#ifndef MYSQLPROTO_INTERNAL_H
#define MYSQLPROTO_INTERNAL_H

#include "base/arena.h"
#include "mysqlproto/mysqlproto.h"

enum {
	MP_CLIENT_LONG_PASSWORD = 1u << 0,
	MP_CLIENT_FOUND_ROWS = 1u << 1,
	MP_CLIENT_LONG_FLAG = 1u << 2,
	MP_CLIENT_CONNECT_WITH_DB = 1u << 3,
	MP_CLIENT_COMPRESS = 1u << 5,
	MP_CLIENT_LOCAL_FILES = 1u << 7,
	MP_CLIENT_PROTOCOL_41 = 1u << 9,
	MP_CLIENT_SSL = 1u << 11,
	MP_CLIENT_TRANSACTIONS = 1u << 13,
	MP_CLIENT_SECURE_CONNECTION = 1u << 15,
	MP_CLIENT_MULTI_RESULTS = 1u << 17,
	MP_CLIENT_PLUGIN_AUTH = 1u << 19,
	MP_CLIENT_CONNECT_ATTRS = 1u << 20,
	MP_CLIENT_PLUGIN_AUTH_LENENC = 1u << 21,
	MP_CLIENT_DEPRECATE_EOF = 1u << 24,
};

enum {
	MP_COM_QUIT = 0x01,
	MP_COM_QUERY = 0x03,
	MP_COM_BINLOG_DUMP = 0x12,
	MP_COM_STMT_PREPARE = 0x16,
	MP_COM_STMT_EXECUTE = 0x17,
	MP_COM_STMT_CLOSE = 0x19,
	MP_COM_REGISTER_SLAVE = 0x15,
	MP_COM_BINLOG_DUMP_GTID = 0x1e,
};

/* The private half of struct mp_conn, allocated by mp_connect (or
 * mp__io_get) and freed by mp_close. */
struct mp_io {
	int fd;			/* -1 when not connected */
	void *ssl;		/* SSL*, owned */
	void *ssl_ctx;		/* SSL_CTX*, owned */
	char cert_subject[96];	/* the server certificate that failed
				   verification, for the message */
	char cert_issuer[96];
	uint8_t seq;		/* next expected/sent packet sequence */
	uint8_t cseq;		/* compressed-packet sequence */
	bool compressed;	/* compression negotiated */
	bool is_unix;
	bool raw;		/* a byte stream (mp_stream_open): no COM_QUIT */
	int read_timeout_ms;	/* 0 = none */
	uint8_t scramble[20];	/* the greeting's nonce */
	struct buf pkt;		/* the last packet read (continuations joined) */
	struct buf out;		/* packet being written */
	struct buf zin;		/* decompressed bytes not yet consumed */
	size_t zin_off;
	uint8_t rbuf[16384];	/* transport read buffer */
	size_t rlo, rhi;	/* unread bytes of rbuf */
	/* in-memory transport (tests, fuzzing): when mem_in is set, reads
	 * come from it (at most mem_chunk bytes at a time when non-zero; the
	 * end is a closed connection) and writes go to mem_out (if set) */
	const uint8_t *mem_in;
	size_t mem_len, mem_off, mem_chunk;
	struct buf *mem_out;
};

/* conn.c: the private state, allocated on first use (never NULL after). */
struct mp_io *mp__io_get(struct mp_conn *c);
/* Read from in[0..len) (chunk bytes at a time when non-zero) and write
 * to out (when set) instead of a socket; before mp_connect. */
void mp__mem_transport(struct mp_conn *c, const uint8_t *in, size_t len,
		       size_t chunk, struct buf *out);
/* -ERR_IO "not connected" (in c->err) when there is nothing to talk to. */
int mp__check_connected(struct mp_conn *c);
/* Scrambles (auth responses). out: 20 bytes (native) / 32 bytes (sha2).
 * -ERR_TLS when OpenSSL fails. */
int mp_scramble_native(uint8_t out[20], const char *password,
		       const uint8_t scramble[20]) MUST_CHECK;
int mp_scramble_sha2(uint8_t out[32], const char *password,
		     const uint8_t *nonce, size_t nonce_len) MUST_CHECK;
/* Parse a server greeting (for tests and fuzzing). */
int mp__parse_greeting(struct mp_conn *c, const uint8_t *p, size_t n) MUST_CHECK;
/* Parse an ERR packet into c->err (code, state, message). */
int mp__err_packet(struct mp_conn *c, const uint8_t *p, size_t n);

/* query.c: a command packet (sequence restarted). */
int mp__send_command(struct mp_conn *c, uint8_t cmd, const void *p, size_t n);
/* The column definitions of a result set whose first packet (the column
 * count) is in c->io->pkt, and the EOF after them; r->mem allocated. */
int mp__read_columns(struct mp_conn *c, struct mp_result *r);
/* One column definition packet into col (names copied into a, or left
 * empty when a is NULL). */
int mp__read_column(struct mp_conn *c, struct mp_column *col, struct arena *a);
/* The EOF packet after definitions, unless CLIENT_DEPRECATE_EOF. */
int mp__read_eof(struct mp_conn *c, const char *what);
void mp__result_free(struct mp_result *r);

/* stmt.c: one binary result set row packet p[0..n) (its 0x00 header
 * included) of the columns cols into views of each value (mp_stmt_query)
 * and NULL flags; -ERR_PROTO with the column and the byte offset in e. */
int mp__binary_row(const struct mp_column *cols, uint32_t ncols, const uint8_t *p, size_t n,
		   struct bytes *vals, bool *nulls, struct err *e);

/* ed25519.c: MariaDB client_ed25519 answer (R || S) to a nonce */
int mp__ed25519_sign(uint8_t sig[64], const char *password, const uint8_t *msg,
		     size_t mlen);

/* io.c */
int mp__connect_socket(struct mp_conn *c, const struct mp_opts *o);
int mp__tls_start(struct mp_conn *c, const struct mp_opts *o);
/* Read one packet (continuations joined) into c->io->pkt. */
int mp__read_packet(struct mp_conn *c);
/* Start a packet in c->io->out (header room reserved). */
void mp__begin_packet(struct mp_conn *c);
/* Fill the header(s) of c->io->out and send it (split at 16 MB). */
int mp__send_packet(struct mp_conn *c);
/* New command: sequence numbers restart. */
static inline void mp__reset_seq(struct mp_conn *c)
{
	c->io->seq = 0;
	c->io->cseq = 0;
}

#endif
