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
#include <stddef.h>
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
 * daemon_log_open, then a first line written into it: a log that cannot
 * be opened or written fails now, before detaching (the caller's exit
 * status says it), with the message on the command's stderr ending with
 * "then AGAIN".  Returns 0 or -1.
 */
int daemon_log_start(const char *dir, const char *name, int keep_days, const char *again);
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

/*
 * A log that cannot be written is a failure, never a silent loss: after
 * daemon_log_guard(), the first line that cannot be written (its file
 * system full, an I/O error, stderr gone), and a reopening (rotation,
 * SIGHUP, the file or its directory removed) that fails, ask the command
 * to stop (daemon_stop_requested: what is complete is committed) and are
 * kept for daemon_log_failure.
 */
void daemon_log_guard(void);
/*
 * Whether the log failed; if so the message for it into out (n bytes):
 * the path, the system's error and the fix, ending with what to run
 * (again, e.g. "start_replica").
 */
bool daemon_log_failure(char *out, size_t n, const char *again);
/*
 * "chameleon: MESSAGE" on the stderr the command was started with, when
 * the log took it over (the background): where a message about the log
 * itself can still be read.  Nothing otherwise.
 */
void daemon_say(const char *msg);

#endif
