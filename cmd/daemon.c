/* Process plumbing for long-running commands (see daemon.h). */
#include "cmd/daemon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

volatile sig_atomic_t daemon_stop_requested;
volatile sig_atomic_t daemon_reopen_logs;

static void on_stop(int sig)
{
	(void)sig;
	daemon_stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	daemon_reopen_logs = 1;
}

void daemon_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * What to do about errnum on a file of dir, the directory of key
 * ("pid_dir", "log_dir"): free space, fix the permissions, create it.
 */
static void fix_for(int errnum, const char *dir, const char *key, char *out, size_t n)
{
	switch (errnum) {
	case ENOSPC:
	case EDQUOT:
		snprintf(out, n, "free space on the file system of '%s' (or raise the "
			 "user's quota), or set %s to another file system", dir, key);
		break;
	case EACCES:
	case EPERM:
	case EROFS:
		snprintf(out, n, "make '%s' writable by this user (its owner and mode, "
			 "or a read-only mount), or set %s to a writable directory",
			 dir, key);
		break;
	case ENOENT:
	case ENOTDIR:
		snprintf(out, n, "create '%s' again, writable by this user, or set %s "
			 "to another directory", dir, key);
		break;
	default:
		snprintf(out, n, "check the device of '%s' (dmesg), or set %s to "
			 "another file system", dir, key);
	}
}

/* "cannot WHAT 'path': ERROR: FIX" for errnum on path in dir (key's). */
static int path_err(struct err *e, int errnum, const char *what, const char *path,
		    const char *dir, const char *key)
{
	char fix[1024];
	fix_for(errnum, dir, key, fix, sizeof(fix));
	return err_set(e, ERR_IO, "cannot %s '%s': %s: %s", what, path, strerror(errnum),
		       fix);
}

/* dir and its parents; errno set on failure, *failed the one refused */
static int mkdirs(const char *dir, char *failed, size_t n)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		snprintf(failed, n, "%s", dir);
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
			snprintf(failed, n, "%s", tmp);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
		snprintf(failed, n, "%s", tmp);
		return -1;
	}
	return 0;
}

/* The directory key names (dir), created when missing. */
static int make_dir(const char *dir, const char *key, struct err *e)
{
	char failed[4096];
	if (mkdirs(dir, failed, sizeof(failed)) == 0)
		return 0;
	int errnum = errno;
	/* the parent refused the new directory: the fix is the parent's */
	char parent[4096];
	snprintf(parent, sizeof(parent), "%s", failed);
	char *slash = strrchr(parent, '/');
	if (slash)
		slash[slash == parent] = 0;
	char what[64];
	snprintf(what, sizeof(what), "create %s", key);
	return path_err(e, errnum, what, failed, slash ? parent : ".", key);
}

static int write_pid(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	return 0;
}

int pidfile_acquire(struct pidfile *pf, const char *dir, const char *name,
		    struct err *e)
{
	pf->fd = -1;
	if (!dir)
		return err_set(e, ERR_CONFIG, "pid_dir is not set and HOME is not in the "
			       "environment: set pid_dir in the configuration");
	int rc = make_dir(dir, "pid_dir", e);
	if (rc)
		return rc;
	snprintf(pf->path, sizeof(pf->path), "%s/%s.pid", dir, name);
	int fd = open(pf->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return path_err(e, errno, "create the pid file", pf->path, dir, "pid_dir");
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		pid_t other = pidfile_owner(dir, name);
		close(fd);
		return err_set(e, ERR_USAGE,
			       "already running (pid %ld holds '%s')",
			       (long)other, pf->path);
	}
	if (write_pid(fd) < 0) {
		int errnum = errno;
		unlink(pf->path);
		close(fd);
		return path_err(e, errnum, "write the pid file", pf->path, dir, "pid_dir");
	}
	pf->fd = fd;
	return 0;
}

int pidfile_update(struct pidfile *pf, struct err *e)
{
	if (pf->fd >= 0 && write_pid(pf->fd) < 0)
		return err_set(e, ERR_IO, "cannot write '%s': %s", pf->path,
			       strerror(errno));
	return 0;
}

void pidfile_release(struct pidfile *pf)
{
	if (pf->fd < 0)
		return;
	unlink(pf->path);
	close(pf->fd);
	pf->fd = -1;
}

pid_t pidfile_owner(const char *dir, const char *name)
{
	if (!dir)	/* no pid_dir: nothing can run with a pid file there */
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.pid", dir, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* a lock we can take means nobody holds the file */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	char buf[32] = {0};
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return 0;
	long pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : 0;
}

int daemon_detach(struct err *e)
{
	pid_t pid = fork();
	if (pid < 0)
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return err_set(e, ERR_IO, "setsid: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

/*
 * The log file: NAME.log in dir, holding the lines of one local day
 * (day, "YYYY-MM-DD"); at the first tick of another day it is renamed
 * NAME.log.<day> and a new NAME.log is opened.
 */
static struct {
	FILE *f;
	char dir[4096];
	char name[256];
	int keep_days;
	char day[16];
	int errnum;	/* why the last opening failed */
} lg = {NULL, "", "", 10, "", 0};

/*
 * The clock of the log's days.  An integration test cannot wait for
 * midnight: when CHAMELEON_TEST_LOG_CLOCK names a file, its content (a
 * Unix time) is the time instead.  Nothing but the tests sets it.
 */
static time_t log_clock(void)
{
	const char *path = getenv("CHAMELEON_TEST_LOG_CLOCK");
	if (path && *path) {
		FILE *f = fopen(path, "r");
		long long t = 0;
		int got = f ? fscanf(f, "%lld", &t) : 0;
		if (f)
			fclose(f);
		if (got == 1)
			return (time_t)t;
	}
	return time(NULL);
}

static void day_of(time_t t, char *out, size_t n)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d", &tm);
}

static void remove_old_logs(time_t now)
{
	DIR *d = opendir(lg.dir);
	if (!d)
		return;
	time_t limit = now - (time_t)lg.keep_days * 86400;
	size_t nlen = strlen(lg.name);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, lg.name, nlen) != 0 ||
		    strncmp(de->d_name + nlen, ".log.", 5) != 0)
			continue;
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s", lg.dir, de->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && st.st_mtime < limit)
			unlink(path);
	}
	closedir(d);
}

/*
 * What broke the log, after daemon_log_guard: the first failure only.
 * Set by the log's hook (any thread, under the log's lock) or by a
 * reopening; read by the main thread once the command stopped.
 */
static bool guarded;
static struct {
	volatile sig_atomic_t failed;
	int errnum;
	bool opening;		/* opening the file failed, not a line */
	char path[4400];	/* the log file, or what stderr leads to */
} lf;
static int saved_stderr = -1;	/* the command's own stderr, once the log
				   file took fd 2 over */

static void log_broke(int errnum, bool opening)
{
	if (lf.failed)
		return;
	lf.errnum = errnum;
	lf.opening = opening;
	if (lg.dir[0]) {
		snprintf(lf.path, sizeof(lf.path), "%s/%s.log", lg.dir, lg.name);
	} else {
		/* in the foreground the log is stderr, whatever it leads to */
		ssize_t k = readlink("/proc/self/fd/2", lf.path, sizeof(lf.path) - 1);
		if (k > 0 && lf.path[0] == '/')
			lf.path[k] = 0;
		else
			snprintf(lf.path, sizeof(lf.path), "stderr");
	}
	lf.failed = 1;
	daemon_stop_requested = 1;
}

static void on_log_fail(int errnum)
{
	log_broke(errnum, false);
}

void daemon_log_guard(void)
{
	guarded = true;
	log_set_fail_hook(on_log_fail);
}

bool daemon_log_failure(char *out, size_t n, const char *again)
{
	if (!lf.failed)
		return false;
	char fix[1200];
	if (!strcmp(lf.path, "stderr")) {
		snprintf(fix, sizeof(fix), "check what reads chameleon's stderr (a closed "
			 "pipe, a full disk)");
	} else {
		char dir[4400];
		snprintf(dir, sizeof(dir), "%s", lf.path);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = 0;
		fix_for(lf.errnum, dir, "log_dir", fix, sizeof(fix));
	}
	snprintf(out, n, "cannot %s the log '%s': %s: %s; then %s",
		 lf.opening ? "open" : "write", lf.path, strerror(lf.errnum), fix, again);
	return true;
}

void daemon_say(const char *msg)
{
	if (saved_stderr < 0)
		return;
	char line[2200];
	int k = snprintf(line, sizeof(line), "chameleon: %s\n", msg);
	if (k > (int)sizeof(line) - 1)
		k = (int)sizeof(line) - 1;
	if (write(saved_stderr, line, (size_t)k) < 0) {
		/* nowhere left to say it: the catalog has it */
	}
}

static int reopen(struct err *e)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s.log", lg.dir, lg.name);
	FILE *f = fopen(path, "a");
	if (!f) {
		lg.errnum = errno;
		return path_err(e, lg.errnum, "open the log", path, lg.dir, "log_dir");
	}
	setvbuf(f, NULL, _IOLBF, 0);
	/* the new stream first: a thread logging meanwhile (metrics,
	 * notifications) never writes to the closed one */
	log_set_stream(f);
	if (lg.f)
		fclose(lg.f);
	lg.f = f;
	/* stray writes of libraries go to the log as well; the command's
	 * own stderr is kept for what cannot go to the log (daemon_say) */
	fflush(stderr);
	if (saved_stderr < 0)
		saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	dup2(fileno(f), STDERR_FILENO);
	return 0;
}

int daemon_log_open(const char *dir, const char *name, int keep_days,
		    struct err *e)
{
	if (!dir)
		return err_set(e, ERR_CONFIG, "log_dir is not set and HOME is not in the "
			       "environment: set log_dir in the configuration");
	int rc = make_dir(dir, "log_dir", e);
	if (rc)
		return rc;
	snprintf(lg.dir, sizeof(lg.dir), "%s", dir);
	snprintf(lg.name, sizeof(lg.name), "%s", name);
	lg.keep_days = keep_days > 0 ? keep_days : 1;
	time_t now = log_clock();
	day_of(now, lg.day, sizeof(lg.day));
	rc = reopen(e);
	if (rc) {
		lg.dir[0] = 0;
		return rc;
	}
	remove_old_logs(now);
	return 0;
}

int daemon_log_start(const char *dir, const char *name, int keep_days, const char *again)
{
	struct err e = {0};
	if (daemon_log_open(dir, name, keep_days, &e)) {
		/* fd 2 is still the command's own */
		fprintf(stderr, "chameleon: %s; then %s\n", e.msg, again);
		return -1;
	}
	/* whatever the log level: the test that lines can be written */
	log_write(LOG_INFO, "log", "%s: log opened by pid %ld", name, (long)getpid());
	char why[2048];
	if (daemon_log_failure(why, sizeof(why), again)) {
		daemon_say(why);
		return -1;
	}
	return 0;
}

/* The file was removed (its directory too, perhaps) or moved away
 * (logrotate without SIGHUP): lines would go where nobody reads them. */
static bool log_gone(void)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s.log", lg.dir, lg.name);
	struct stat open_st, path_st;
	if (fstat(fileno(lg.f), &open_st) < 0)
		return false;
	if (stat(path, &path_st) < 0)
		return true;
	return open_st.st_ino != path_st.st_ino || open_st.st_dev != path_st.st_dev;
}

void daemon_log_tick_at(time_t now)
{
	if (!lg.f)
		return;
	char today[16];
	day_of(now, today, sizeof(today));
	bool new_day = strcmp(today, lg.day) != 0;
	bool gone = !new_day && !daemon_reopen_logs && log_gone();
	if (!new_day && !daemon_reopen_logs && !gone)
		return;
	daemon_reopen_logs = 0;
	if (new_day) {
		/* the file of the day that ended gets that day's name */
		char from[4400], to[4500];
		snprintf(from, sizeof(from), "%s/%s.log", lg.dir, lg.name);
		snprintf(to, sizeof(to), "%s.%s", from, lg.day);
		fflush(lg.f);
		if (rename(from, to) < 0)
			log_warn("log", "cannot rename '%s': %s", from, strerror(errno));
		snprintf(lg.day, sizeof(lg.day), "%s", today);
	}
	struct err e = {0};
	if (reopen(&e)) {
		/* the old file stays open: this line still goes somewhere */
		if (!guarded) {
			log_warn("log", "%s", e.msg);
			return;
		}
		log_broke(lg.errnum, true);
		log_error("log", "%s; stopping", e.msg);
		return;
	}
	if (gone)
		log_warn("log", "the log file was removed or moved away: opened again");
	remove_old_logs(now);
}

void daemon_log_tick(void)
{
	if (lg.f)
		daemon_log_tick_at(log_clock());
}

void daemon_log_close(void)
{
	if (lg.f) {
		log_set_stream(NULL);
		fclose(lg.f);
		lg.f = NULL;
		lg.dir[0] = 0;
	}
}
