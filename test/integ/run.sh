#!/bin/sh
# Run every integration test script test/integ/t_*.sh with the chameleon
# binary; each prints TAP lines.  Exit status non-zero if any failed.
#
# The scripts wait on servers most of the time, so they run in
# INTEG_JOBS lanes at once (default 3; 1 runs them one after another).
# Each has its own servers, ports and directory.  A lane takes the
# longest scripts first, by the seconds each took last time
# (test/integ/durations.txt, "SECONDS NAME" lines; a script missing
# there counts 30 s), and the outputs are printed in the scripts' order.
# The seconds each took in this run go to $INTEG_TIMES when it is set.
bin=${1:?usage: run.sh /abs/path/to/chameleon}
export CHAMELEON="$bin"
jobs=${INTEG_JOBS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT INT TERM

# "SECONDS NAME", longest first
for t in test/integ/t_*.sh; do
	n=${t##*/}
	s=$(awk -v n="$n" '$2 == n { print $1 }' test/integ/durations.txt 2>/dev/null)
	echo "${s:-30} $n"
done | sort -rn > "$out/plan"

# greedy: each script to the lane with the least work so far
awk -v jobs="$jobs" '{
	best = 0
	for (i = 1; i < jobs; i++) if (load[i] < load[best]) best = i
	load[best] += $1
	print best, $2
}' "$out/plan" > "$out/lanes"

lane() {
	for n in $(awk -v l="$1" '$1 == l { print $2 }' "$out/lanes"); do
		t0=$(date +%s)
		sh "test/integ/$n" "$bin" > "$out/$n.tap" 2> "$out/$n.err"
		echo $? > "$out/$n.rc"
		echo "$(($(date +%s) - t0)) $n" >> "$out/times"
	done
}
i=0
while [ $i -lt "$jobs" ]; do
	lane $i &
	i=$((i + 1))
done
wait

status=0
for t in test/integ/t_*.sh; do
	n=${t##*/}
	echo "# $t"
	cat "$out/$n.tap" 2>/dev/null
	cat "$out/$n.err" >&2 2>/dev/null
	[ "$(cat "$out/$n.rc" 2>/dev/null)" = 0 ] || status=1
done
[ -n "${INTEG_TIMES:-}" ] && sort -rn "$out/times" > "$INTEG_TIMES"
exit $status
