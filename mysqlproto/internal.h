/* mysqlproto internals shared by its .c files and tests. */
#ifndef MYSQLPROTO_INTERNAL_H
#define MYSQLPROTO_INTERNAL_H

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
	MP_COM_REGISTER_SLAVE = 0x15,
	MP_COM_BINLOG_DUMP_GTID = 0x1e,
};

/* ed25519.c: MariaDB client_ed25519 answer (R || S) to a nonce */
int mp__ed25519_sign(uint8_t sig[64], const char *password, const uint8_t *msg,
		     size_t mlen);

/* io.c */
int mp__connect_socket(struct mp_conn *c, const struct mp_opts *o);
int mp__tls_start(struct mp_conn *c, const struct mp_opts *o);
/* Read one packet (continuations joined) into c->pkt. */
int mp__read_packet(struct mp_conn *c);
/* Start a packet in c->out (header room reserved). */
void mp__begin_packet(struct mp_conn *c);
/* Fill the header(s) of c->out and send it (split at 16 MB). */
int mp__send_packet(struct mp_conn *c);
/* New command: sequence numbers restart. */
static inline void mp__reset_seq(struct mp_conn *c)
{
	c->seq = 0;
	c->cseq = 0;
}

#endif
