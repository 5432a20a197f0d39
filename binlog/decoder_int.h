/*
 * The decoder handle, shared by decoder.c, tablemap.c and rows.c.
 */
#ifndef BINLOG_DECODER_INT_H
#define BINLOG_DECODER_INT_H

#include "binlog/internal.h"

struct bl_tslot {
	uint64_t id;
	struct bl_table *t;	/* NULL = empty slot */
	uint8_t *raw;		/* TABLE_MAP body copy, to reuse identical maps */
	size_t raw_n;
};

struct bl_decoder {
	unsigned flags;
	struct err err;
	struct arena ev;		/* event arena, reset per event */
	/* format description in force */
	bool have_fde;
	uint8_t checksum;		/* enum bl_checksum */
	uint16_t binlog_version;
	uint8_t post_header[256];	/* post-header length per event type */
	uint32_t n_post_header;
	bool is_mariadb;
	/* table map cache (open addressing, power-of-two size) */
	struct bl_tslot *slots;
	size_t nslots, nused;
	/* current transaction GTID text */
	char gtid[128];
	/* TRANSACTION_PAYLOAD inner events */
	struct buf payload;
	size_t payload_off;
	bool in_payload;
	uint64_t payload_pos, payload_end;
	/* scratch for decompression (MariaDB compressed events) */
	struct buf scratch;
	/* rows vector reused across events */
	struct bl_row *rowv;
	size_t rowv_cap;
	/* after START_ENCRYPTION: everything else is ciphertext */
	bool encrypted;
};

int bl__tablemap_decode(struct bl_decoder *d, struct rd *r,
			struct bl_event *ev);
int bl__rows_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev);
void bl__tables_clear(struct bl_decoder *d);
/* MariaDB compressed record: header byte, big-endian length, zlib data. */
int bl__maria_uncompress(struct bl_decoder *d, struct rd *r, struct buf *out);

#endif
