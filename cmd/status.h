/* cmd/status.c: what show_status and show_errors print. */
#ifndef CMD_STATUS_H
#define CMD_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "replay/replay.h"

/* show_status: the n sources of v as text, or as one JSON object. */
void cmd_status_text(FILE *f, const struct rp_source_status *v, size_t n);
void cmd_status_json(FILE *f, const struct rp_source_status *v, size_t n);
/* show_errors: one line per entry (n may be 0), or one entry in full. */
void cmd_error_list(FILE *f, const struct rp_error_entry *v, size_t n);
void cmd_error_entry(FILE *f, const struct rp_error_entry *r);

#endif
