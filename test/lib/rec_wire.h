/*
 * A recording wire for replay's pipe (replay/internal.h, struct
 * rp__wire): what would be sent to PostgreSQL is written to a log, one
 * line per call, and every statement succeeds unless told otherwise.
 * Log lines:
 *   Q: <sql> <- 'p1', NULL      an unnamed statement and its parameters
 *   P chm_0: <sql>              a statement prepared
 *   E chm_0: 'p1', NULL         a prepared statement executed
 *   S                           a sync point
 *   C: <sql> / D: <data> / .    COPY started, data, ended
 */
#ifndef TEST_LIB_REC_WIRE_H
#define TEST_LIB_REC_WIRE_H

#include "replay/internal.h"

struct rec_wire {
	struct buf log;
	struct rp__res *queue;	/* results not yet read */
	size_t qhead, qn, qcap;
	int nsent;		/* statements sent (prepares included) */
	int fail_at;		/* refuse the fail_at-th statement (1-based), 0: none */
	const char *fail_msg;
	const char *fail_state;	/* the refusal's SQLSTATE, NULL: none */
	bool aborted;		/* a statement was refused: the rest of the segment is skipped */
	/* rows answered to a statement, or false: none */
	bool (*answer)(void *arg, const char *sql, struct rp__res *rows);
	void *answer_arg;
};

extern const struct rp__wire rec_wire_ops;

void rec_wire_init(struct rec_wire *r);
void rec_wire_release(struct rec_wire *r);

#endif
