#!/bin/sh
# Run libFuzzer targets for a while each and print TAP.
# Usage: sh test/fuzz/run.sh BUILD_DIR SECONDS TARGET...
# SECONDS may be "runs:N": a fixed number of runs with a fixed seed, the
# same work on every machine (used by make check's smoke run).
# Each target is seeded from fixtures/ (binlog files for event parsers,
# the DDL corpus's statements for fuzz_ddl, test/fuzz/corpus/<target>/
# when present) and replays fixtures/regress/.
dir=$1
secs=$2
shift 2
n=0
fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	corpus="$work/$t"
	mkdir -p "$corpus"
	[ -d "test/fuzz/corpus/$t" ] && cp test/fuzz/corpus/$t/* "$corpus/" 2>/dev/null
	case $t in
	fuzz_event)
		# seeds: the small real binlogs
		for f in fixtures/binlog/*/*; do
			case $f in *.txt|*.json|*.md|*README*) continue ;; esac
			[ "$(wc -c < "$f")" -lt 65536 ] && cp "$f" "$corpus/"
		done ;;
	fuzz_ddl)
		# seeds: every statement of the DDL corpus (format in
		# fixtures/ddl/README.md), its ANSI_QUOTES bit as first byte
		awk -v dir="$corpus" '
		function flush() {
			if (body != "") {
				n++
				f = dir "/ddl-" n
				printf "%s%s", (ansi ? "1" : "0"), body > f
				close(f)
			}
			body = ""; ansi = 0; head = 1
		}
		FNR == 1 { flush(); skip = 1 }
		/^;;$/ { if (!skip) flush(); skip = 0; body = ""; ansi = 0; head = 1; next }
		skip { next }
		head && /^-- (expect|from|unsupported):/ { next }
		head && /^-- ansi_quotes$/ { ansi = 1; next }
		{ head = 0; body = (body == "" ? $0 : body "\n" $0) }
		END { flush() }' fixtures/ddl/*.sql ;;
	esac
	regress=""
	[ -d "fixtures/regress/$t" ] && regress=$(ls "fixtures/regress/$t"/* 2>/dev/null)
	if [ -n "$regress" ] && ! "$dir/$t" $regress > "$work/$t.regress.log" 2>&1; then
		echo "not ok $n - $t regressions"
		tail -20 "$work/$t.regress.log" | sed 's/^/# /'
		fail=1
		continue
	fi
	case $secs in
	runs:*) limit="-runs=${secs#runs:} -seed=1" ;;
	*) limit="-max_total_time=$secs" ;;
	esac
	if "$dir/$t" $limit -max_len=65536 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=0 "$corpus" \
		> "$work/$t.log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
		echo "ok $n - $t ($secs${runs:+, $runs runs})"
	else
		echo "not ok $n - $t"
		grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$work/$t.log" | head -20 | sed 's/^/# /'
		mkdir -p build/fuzz-crashes
		cp crash-* leak-* timeout-* oom-* build/fuzz-crashes/ 2>/dev/null
		rm -f crash-* leak-* timeout-* oom-*
		fail=1
	fi
done
exit $fail
