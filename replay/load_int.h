/* replay: what the files of the snapshot load (load.c, catalog_init.c) share. */
#ifndef REPLAY_LOAD_INT_H
#define REPLAY_LOAD_INT_H

#include <libpq-fe.h>

struct rp_load {
	PGconn *pg;	/* owned; used by one thread at a time */
};

#endif
