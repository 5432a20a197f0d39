#!/bin/sh
# make check: build with -Werror, run every test stage, then print one
# summary line "N passed, N failed".  Stages print TAP; their outputs are
# kept in build/results/.
set -u
R=build/results
rm -rf "$R"
mkdir -p "$R"
MAKE=${MAKE:-make}
sh test/packages.sh all || exit 1
status=0

stage() {	# stage NAME COMMAND...: run, keep TAP output in $R/NAME.tap
	name=$1
	shift
	echo "== $name"
	"$@" > "$R/$name.tap" 2>"$R/$name.err"
	rc=$?
	cat "$R/$name.tap"
	if [ $rc -ne 0 ]; then
		tail -40 "$R/$name.err" >&2
		if ! grep -q '^not ok' "$R/$name.tap"; then
			# a stage that failed without reporting a failed test
			echo "not ok - $name exited with status $rc" >> "$R/$name.tap"
			echo "not ok - $name exited with status $rc"
		fi
		status=1
	fi
}

build() {
	$MAKE --no-print-directory -j"$(nproc)" WERROR=1 "$@" >"$R/build.log" 2>&1 ||
		{ cat "$R/build.log"; echo "not ok - build $*"; return 1; }
	echo "ok - build $*"
}

stage check-deps sh test/check-deps.sh
stage build-release build CFG=release
stage unit build/release/unit-tests
stage build-asan build CFG=asan build/asan/unit-tests build/asan/chameleon
stage build-clang build CC=clang CFG=debug
stage unit-asan env ASAN_OPTIONS=detect_leaks=1 build/asan/unit-tests
ls fixtures/binlog/*/*.expected.json >/dev/null 2>&1 && stage golden sh test/golden.sh build/release/chameleon
ls fixtures/binlog/*/*.expected.json >/dev/null 2>&1 && stage golden-asan sh test/golden.sh build/asan/chameleon
[ -f test/crosscheck.py ] && stage crosscheck python3 test/crosscheck.py build/release/chameleon
# integration tests run the sanitizer build against the real servers
[ -f test/integ/run.sh ] && stage integ env INTEG_TIMES="$R/integ-times.txt" sh test/integ/run.sh "$PWD/build/asan/chameleon"
[ -f test/fuzz/run.sh ] && stage fuzz-smoke $MAKE --no-print-directory fuzz-smoke

pass=$(cat "$R"/*.tap | grep -c '^ok ' )
fail=$(cat "$R"/*.tap | grep -c '^not ok')
skip=$(cat "$R"/*.tap | grep -c '^ok .*# SKIP')
pass=$((pass - skip))
[ "$fail" -gt 0 ] && status=1
echo "check: $pass passed, $fail failed, $skip skipped"
exit $status
