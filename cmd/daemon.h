/*
 * Process plumbing for long-running commands: pid files (locked, so a
 * second instance and stop_replica can tell a live process from a stale
 * file), detaching into the background, signal flags, and the log
 * destination (stdout, or a daily file in log_dir with log_days_keep).
 */
#ifndef CMD_DAEMON_H
#define CMD_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "base/err.h"

/* Set by SIGINT/SIGTERM (stop after committing) and SIGHUP (reopen logs). */
extern volatile sig_atomic_t daemon_stop_requested;
extern volatile sig_atomic_t daemon_reopen_logs;

/* Install the handlers above; SIGPIPE is ignored. */
void daemon_signals_install(void);

struct pidfile {
	int fd;
	char path[4096];
};

/*
 * Create and lock DIR/NAME.pid holding our pid.  Fails with a clear
 * message when another live process holds it.
 */
int pidfile_acquire(struct pidfile *pf, const char *dir, const char *name,
		    struct err *e) MUST_CHECK;
/* Rewrite the pid (after detaching). */
int pidfile_update(struct pidfile *pf, struct err *e) MUST_CHECK;
void pidfile_release(struct pidfile *pf);
/* The pid of the live process holding DIR/NAME.pid, or 0 (none or stale). */
pid_t pidfile_owner(const char *dir, const char *name);

/* Fork into the background, new session, stdin from /dev/null. */
int daemon_detach(struct err *e) MUST_CHECK;

/*
 * Log to DIR/NAME.log, switching to a new file each day
 * (NAME.log.YYYY-MM-DD for the old ones) and removing those older than
 * keep_days.  Call daemon_log_tick() periodically to rotate.
 */
int daemon_log_open(const char *dir, const char *name, int keep_days,
		    struct err *e) MUST_CHECK;
/*
 * Rotate when the local date changed since the file was opened (the old
 * file is renamed NAME.log.YYYY-MM-DD of its day), and open NAME.log
 * again when SIGHUP asked for it (after logrotate moved it); then remove
 * the files older than keep_days.  Cheap when there is nothing to do;
 * nothing at all when logging to stdout.  The stream loop calls it about
 * once a second.
 */
void daemon_log_tick(void);
/* The same at time now (tests). */
void daemon_log_tick_at(time_t now);
void daemon_log_close(void);

#endif
