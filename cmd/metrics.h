/*
 * start_replica's metrics and health endpoint (docs/metrics.md): a small
 * HTTP/1.0 server on a thread of its own, so that no client can slow the
 * apply path, serving GET /metrics (Prometheus text format), /healthz and
 * /readyz.  The replica reports into it through the cheap calls below;
 * its committed numbers come from the sink (rp_sink_status) in the same
 * struct show_status prints, and the lags from rp_status_lags, so that
 * both say the same.  One replica per process: the state is the
 * module's.
 */
#ifndef CMD_METRICS_H
#define CMD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "replay/replay.h"

enum metrics_side {
	METRICS_SOURCE,
	METRICS_TARGET
};

/*
 * Listen on "ADDR:PORT" (IPv4 address or name of one, "[v6]:PORT", or
 * ":PORT" for every address) and serve from a new thread.  -ERR_CONFIG
 * for a malformed address, -ERR_IO when it cannot listen (in e).
 */
int metrics_start(const char *listen, const char *source, struct err *e) MUST_CHECK;
/* Stop serving and join the thread; nothing when not started. */
void metrics_stop(void);

/* The replica's reports (any of them may come before metrics_start). */
void metrics_alive(void);   /* the loop turned: /healthz */
void metrics_busy(bool on); /* a long step (a copy) that turns no loop */
void metrics_connected(enum metrics_side side, bool up);
void metrics_reconnected(enum metrics_side side);
void metrics_streaming(bool on); /* the dump runs and its events apply */
void metrics_received(uint64_t bytes);
void metrics_refused(void); /* a change PostgreSQL refused */
/*
 * The committed numbers (a copy is kept, tables included) and the inputs
 * of the lags (rp_sink_status's).
 */
void metrics_publish(const struct rp_source_status *st, double received_at,
		     double applied_at, bool caught_up);

/* What the process knows besides the committed numbers. */
struct metrics_proc {
	const char *source;
	bool source_connected, target_connected;
	uint64_t bytes_received;
	uint64_t reconnects[2]; /* by enum metrics_side */
	uint64_t errors;	/* refused changes and ERROR log lines */
};

/* The Prometheus text of st (lags computed already) and p, appended to out. */
void metrics_render(struct buf *out, const struct rp_source_status *st,
		    const struct metrics_proc *p);

#define METRICS_REQUEST_MAX 2048 /* bytes of a request, headers included */

/*
 * An HTTP request at p (n bytes received so far): 1 when it is whole
 * (request line and headers up to the empty line; a body is ignored),
 * with its method and path (NUL-terminated, cut to the sizes given) ; 0
 * when more bytes are needed; -ERR_PROTO for a malformed one (e->off: the
 * offset of the fault).
 */
int metrics_parse_request(const uint8_t *p, size_t n, char *method, size_t mn,
			  char *path, size_t pn, struct err *e);

#endif
