#!/bin/sh
# make check-deps: every #include against the module rules of
# docs/architecture.md.  The direction is
#   cmd -> {snapshot, replay, mysqlproto, binlog} -> base,
#   snapshot -> {replay, mysqlproto, binlog},  replay -> binlog,
# through public headers only (<mod>/<mod>.h; every base/*.h is public);
# libc and POSIX anywhere (iconv is glibc's); third-party headers only in
# the module that owns the library, never in a public header.  Prints one
# line per violation and TAP; exits 1 when there is any.
cd "$(dirname "$0")/.." || exit 1
bad=0
n=0
# what a module may include of ours (besides its own files)
ours() {
	case $1 in
	base) echo "" ;;
	binlog) echo "base" ;;
	mysqlproto) echo "base" ;;
	replay) echo "base binlog" ;;
	snapshot) echo "base binlog mysqlproto replay" ;;
	cmd) echo "base binlog mysqlproto replay snapshot" ;;
	esac
}
# third-party headers a module may include (shell patterns)
third() {
	case $1 in
	base) echo "" ;;
	binlog) echo "zlib.h zstd.h" ;;
	mysqlproto) echo "zlib.h zstd.h openssl/*" ;;
	replay) echo "libpq-fe.h" ;;
	snapshot) echo "" ;;
	cmd) echo "libfyaml.h" ;;
	esac
}
is_third() {	# a system header that is not libc/POSIX
	case $1 in
	libpq-fe.h|libpq/*|libfyaml.h|zlib.h|zstd.h|openssl/*) return 0 ;;
	esac
	return 1
}
violation() {
	echo "$1: $2"
	bad=$((bad + 1))
}
for m in base binlog mysqlproto replay snapshot cmd; do
	[ -d "$m" ] || continue
	for f in "$m"/*.c "$m"/*.h; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		public=false
		[ "$f" = "$m/$m.h" ] && public=true
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$f" |
		while read -r inc; do
			name=$(echo "$inc" | sed 's/^[<"]//; s/[>"]$//')
			case $inc in
			\"*)
				dir=${name%%/*}
				[ "$dir" = "$name" ] && { echo "$f: include \"$name\" without its module folder"; continue; }
				[ "$dir" = "$m" ] && continue
				case " $(ours "$m") " in
				*" $dir "*) ;;
				*) echo "$f: $m must not include $name"; continue ;;
				esac
				# base is a set of small headers, all public
				[ "$dir" = base ] || [ "$name" = "$dir/$dir.h" ] ||
					echo "$f: $name is not $dir's public header ($dir/$dir.h)"
				;;
			\<*)
				is_third "$name" || continue
				if $public; then
					echo "$f: a public header includes the third-party $name"
					continue
				fi
				ok=false
				for pat in $(third "$m"); do
					# shellcheck disable=SC2254
					case $name in $pat) ok=true ;; esac
				done
				$ok || echo "$f: $m must not include $name"
				[ "$name" = libfyaml.h ] && [ "$f" != cmd/config.c ] &&
					echo "$f: libfyaml is for cmd/config.c only"
				;;
			esac
		done > build-deps.$$.tmp
		if [ -s build-deps.$$.tmp ]; then
			while read -r line; do violation "${line%%: *}" "${line#*: }"; done < build-deps.$$.tmp
		fi
		rm -f build-deps.$$.tmp
	done
done
if [ "$bad" -gt 0 ]; then
	echo "not ok - check-deps: $bad include(s) against the module rules ($n files)"
	exit 1
fi
echo "ok - check-deps: $n files follow the module rules"
