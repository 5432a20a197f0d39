#!/bin/sh
# Golden tests: decode every binlog under fixtures/binlog/*/ and compare
# with the expected output checked in beside it (NAME.expected.json and
# NAME.expected.txt: stdout, then "# exit N" and stderr lines).
# Usage: sh test/golden.sh [--update] CHAMELEON
update=0
if [ "$1" = "--update" ]; then
	update=1
	shift
fi
bin=${1:?usage: golden.sh [--update] CHAMELEON}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
list=$(for f in fixtures/binlog/*/*; do
	case $f in
	*.txt|*.json|*.md|*README*|*.sh|*.sql) continue ;;
	esac
	# the big files are covered value by value by test/crosscheck.py
	[ -f "$f" ] && [ "$(wc -c < "$f")" -le 300000 ] && echo "$f"
done)
total=$(( $(echo "$list" | wc -l) * 2 ))
echo "1..$total"
n=0
fail=0
for f in $list; do
	for fmt in json text; do
		n=$((n + 1))
		ext=$fmt
		[ $fmt = text ] && ext=txt
		want="$f.expected.$ext"
		got="$tmp/out"
		"$bin" decode_binlog --format $fmt "$f" > "$got" 2> "$tmp/err"
		echo "# exit $?" >> "$got"
		sed 's/^/# stderr: /' "$tmp/err" >> "$got"
		if [ $update = 1 ]; then
			cp "$got" "$want"
			echo "ok $n - $f ($fmt) updated"
		elif [ ! -f "$want" ]; then
			echo "not ok $n - $f ($fmt): no expected output $want (run make fixtures-update)"
			fail=1
		elif cmp -s "$got" "$want"; then
			echo "ok $n - $f ($fmt)"
		else
			echo "not ok $n - $f ($fmt) differs from $want"
			diff "$want" "$got" | head -10 | sed 's/^/# /'
			fail=1
		fi
	done
done
exit $fail
