#!/bin/sh
# make check-tsan: the initial copy's worker threads under ThreadSanitizer.
# Runs test/integ/t_init.sh with a CFG=tsan binary; every race TSan
# reports (any process of the test) is printed and fails the run, even
# when the test's own checks passed.
bin=${1:?usage: check-tsan.sh build/tsan/chameleon}
cd "$(dirname "$0")/.." || exit 1
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT INT TERM
TSAN_OPTIONS="log_path=$logs/tsan halt_on_error=0 exitcode=66 second_deadlock_stack=1"
export TSAN_OPTIONS
sh test/integ/t_init.sh "$bin"
rc=$?
reports=$(cat "$logs"/tsan* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')
if [ "$reports" -gt 0 ]; then
	cat "$logs"/tsan* | sed 's/^/# /'
	echo "not ok - ThreadSanitizer: $reports report(s)"
	exit 1
fi
[ $rc = 0 ] && echo "ok - ThreadSanitizer: no report" || echo "not ok - t_init.sh under ThreadSanitizer"
exit $rc
