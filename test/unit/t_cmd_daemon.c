/* pid files: a second acquire fails while the first holder lives. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
