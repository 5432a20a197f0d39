/*
 * pid files: a second acquire fails while the first holder lives; the
 * daily log files and their reopening on SIGHUP.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "cmd/daemon.h"
#include "test/unit/test.h"

TEST(cmd, pidfile_lock)
{
	char dir[] = "/tmp/chameleon-pid-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	struct pidfile a, b;
	struct err e = {0};
	ASSERT_EQ(pidfile_acquire(&a, dir, "src", &e), 0);
	ASSERT_EQ(pidfile_owner(dir, "src"), getpid());
	/* another process cannot take it */
	pid_t child = fork();
	if (child == 0) {
		struct err e2 = {0};
		int rc = pidfile_acquire(&b, dir, "src", &e2);
		_exit(rc == -ERR_USAGE && strstr(e2.msg, "already running") ? 0 : 1);
	}
	int st;
	waitpid(child, &st, 0);
	ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pidfile_release(&a);
	ASSERT_EQ(pidfile_owner(dir, "src"), 0);
	rmdir(dir);
}

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

/*
 * Daily log files: a tick on the next day renames the file of the day
 * that ended NAME.log.YYYY-MM-DD and opens a new NAME.log; SIGHUP (the
 * flag) opens NAME.log again after logrotate moved it; files older than
 * log_days_keep go.
 */
TEST(cmd, log_rotation)
{
	char dir[] = "/tmp/chameleon-log-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	int saved = dup(STDERR_FILENO);	/* the log takes stderr over */
	struct err e = {0};
	ASSERT_EQ(daemon_log_open(dir, "src", 3, &e), 0);
	time_t now = time(NULL);
	char day[16], path[512], old[512];
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(path, sizeof(path), "%s/src.log", dir);
	log_warn("test", "line of day one");
	/* an old file that log_days_keep no longer keeps */
	snprintf(old, sizeof(old), "%s/src.log.2001-01-01", dir);
	fclose(fopen(old, "w"));
	struct timeval tv[2] = {{now - 10 * 86400, 0}, {now - 10 * 86400, 0}};
	ASSERT_EQ(utimes(old, tv), 0);

	daemon_log_tick_at(now);	/* same day: nothing */
	ASSERT(file_has(path, "line of day one"));
	daemon_log_tick_at(now + 86400);
	log_warn("test", "line of day two");
	char rotated[600];
	snprintf(rotated, sizeof(rotated), "%s.%s", path, day);
	ASSERT(file_has(rotated, "line of day one"));
	ASSERT(!file_has(rotated, "line of day two"));
	ASSERT(file_has(path, "line of day two"));
	ASSERT(access(old, F_OK) != 0);

	/* logrotate moves the file and sends SIGHUP */
	char moved[600];
	snprintf(moved, sizeof(moved), "%s.1", path);
	ASSERT_EQ(rename(path, moved), 0);
	daemon_reopen_logs = 1;
	daemon_log_tick_at(now + 86400);
	ASSERT_EQ(daemon_reopen_logs, 0);
	log_warn("test", "line after SIGHUP");
	ASSERT(file_has(path, "line after SIGHUP"));
	ASSERT(!file_has(moved, "line after SIGHUP"));
	/* removed without SIGHUP: noticed at the next tick, opened again */
	ASSERT_EQ(unlink(path), 0);
	daemon_log_tick_at(now + 86400);
	log_warn("test", "line after removal");
	ASSERT(file_has(path, "removed or moved away: opened again"));
	ASSERT(file_has(path, "line after removal"));
	daemon_log_close();
	dup2(saved, STDERR_FILENO);
	close(saved);
	unlink(path);
	unlink(moved);
	unlink(rotated);
	rmdir(dir);
}

/*
 * A log that cannot be written (here: the file replaced by a link to
 * /dev/full, opened again at the tick) asks the command to stop, and the
 * message names the path, the error and the fix.  In a child: the state
 * it leaves (a stop requested) is the process's.
 */
TEST(cmd, log_failure)
{
	char dir[] = "/tmp/chameleon-logfail-XXXXXX";
	ASSERT(mkdtemp(dir) != NULL);
	char path[512];
	snprintf(path, sizeof(path), "%s/src.log", dir);
	pid_t child = fork();
	if (child == 0) {
		struct err e = {0};
		daemon_log_guard();
		if (daemon_log_open(dir, "src", 3, &e))
			_exit(2);
		log_warn("test", "a line written");
		char msg[2048];
		if (daemon_stop_requested || daemon_log_failure(msg, sizeof(msg), "x"))
			_exit(3);
		if (unlink(path) || symlink("/dev/full", path))
			_exit(4);
		daemon_log_tick_at(time(NULL));
		if (!daemon_stop_requested || log_failed() != ENOSPC)
			_exit(5);
		if (!daemon_log_failure(msg, sizeof(msg), "start_replica again"))
			_exit(6);
		char want[1024];
		snprintf(want, sizeof(want), "cannot write the log '%s': No space left on "
			 "device: free space on the file system of '%s'", path, dir);
		if (strncmp(msg, want, strlen(want)) ||
		    !strstr(msg, "; then start_replica again"))
			_exit(7);
		daemon_log_close();
		_exit(0);
	}
	int st;
	waitpid(child, &st, 0);
	ASSERT(WIFEXITED(st));
	ASSERT_EQ(WEXITSTATUS(st), 0);
	unlink(path);
	rmdir(dir);
}
