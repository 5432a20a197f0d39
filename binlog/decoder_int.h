/*
 * The decoder handle and the per-family decoders, shared by decoder.c
 * (dispatch, FORMAT_DESCRIPTION, small events), decode_query.c,
 * decode_gtid.c, decode_payload.c, tablemap.c and rows.c.  Each family
 * decoder reads the event body from r (exactly the body: no header, no
 * checksum), fills its part of ev and returns 0 or -ERR_x with d->err set.
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

/* decoder.c: shared helpers */
/* A reader failure as d->err, with the event type (what) and offset. */
int bl__rd_error(struct bl_decoder *d, struct rd *r, const char *what);
/* The post-header length the FDE gives for type, else dflt. */
uint8_t bl__post_header_len(const struct bl_decoder *d, uint8_t type,
			    uint8_t dflt);
/* Copy b's bytes as a NUL-terminated string into the event arena. */
void bl__set_text(struct bl_decoder *d, const char **dst, const struct buf *b);

/* tablemap.c */
int bl__tablemap_decode(struct bl_decoder *d, struct rd *r,
			struct bl_event *ev);
void bl__tables_clear(struct bl_decoder *d);
/* rows.c */
int bl__rows_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev);
/* decode_query.c: compressed is MariaDB's QUERY_COMPRESSED */
int bl__query_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev,
		     bool compressed);
int bl__user_var_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev);
/* decode_gtid.c */
int bl__gtid_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev);
int bl__gtid_tagged_decode(struct bl_decoder *d, struct rd *r,
			   struct bl_event *ev);
int bl__previous_gtids_decode(struct bl_decoder *d, struct rd *r,
			      struct bl_event *ev);
int bl__maria_gtid_decode(struct bl_decoder *d, struct rd *r,
			  struct bl_event *ev);
int bl__maria_gtid_list_decode(struct bl_decoder *d, struct rd *r,
			       struct bl_event *ev);
/* decode_payload.c */
int bl__payload_decode(struct bl_decoder *d, struct rd *r, struct bl_event *ev);
/* MariaDB compressed record: header byte, big-endian length, zlib data. */
int bl__maria_uncompress(struct bl_decoder *d, struct rd *r, struct buf *out);

#endif
