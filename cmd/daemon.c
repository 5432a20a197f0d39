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

static int mkdirs(const char *dir, struct err *e)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return err_set(e, ERR_CONFIG, "path too long: '%s'", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return err_set(e, ERR_IO, "cannot create '%s': %s", tmp,
				       strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "cannot create '%s': %s", tmp,
			       strerror(errno));
	return 0;
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
	int rc = mkdirs(dir, e);
	if (rc)
		return rc;
	snprintf(pf->path, sizeof(pf->path), "%s/%s.pid", dir, name);
	int fd = open(pf->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, ERR_IO, "cannot open '%s': %s", pf->path,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		pid_t other = pidfile_owner(dir, name);
		close(fd);
		return err_set(e, ERR_USAGE,
			       "already running (pid %ld holds '%s')",
			       (long)other, pf->path);
	}
	if (write_pid(fd) < 0) {
		close(fd);
		return err_set(e, ERR_IO, "cannot write '%s': %s", pf->path,
			       strerror(errno));
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
} lg = {NULL, "", "", 10, ""};

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

static int reopen(struct err *e)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s.log", lg.dir, lg.name);
	FILE *f = fopen(path, "a");
	if (!f)
		return err_set(e, ERR_IO, "cannot open log '%s': %s", path,
			       strerror(errno));
	setvbuf(f, NULL, _IOLBF, 0);
	/* the new stream first: a thread logging meanwhile (metrics,
	 * notifications) never writes to the closed one */
	log_set_stream(f);
	if (lg.f)
		fclose(lg.f);
	lg.f = f;
	/* stray writes of libraries go to the log as well */
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	return 0;
}

int daemon_log_open(const char *dir, const char *name, int keep_days,
		    struct err *e)
{
	if (!dir)
		return err_set(e, ERR_CONFIG, "log_dir is not set and HOME is not in the "
			       "environment: set log_dir in the configuration");
	int rc = mkdirs(dir, e);
	if (rc)
		return rc;
	snprintf(lg.dir, sizeof(lg.dir), "%s", dir);
	snprintf(lg.name, sizeof(lg.name), "%s", name);
	lg.keep_days = keep_days > 0 ? keep_days : 1;
	time_t now = log_clock();
	day_of(now, lg.day, sizeof(lg.day));
	rc = reopen(e);
	if (rc)
		return rc;
	remove_old_logs(now);
	return 0;
}

void daemon_log_tick_at(time_t now)
{
	if (!lg.f)
		return;
	char today[16];
	day_of(now, today, sizeof(today));
	bool new_day = strcmp(today, lg.day) != 0;
	if (!new_day && !daemon_reopen_logs)
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
		/* the old file stays open: lines still go somewhere */
		log_warn("log", "%s", e.msg);
		return;
	}
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
	}
}
