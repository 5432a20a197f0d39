#!/bin/sh
# make static: build/static/chameleon, linked fully statically against
# glibc, with libpq built here from Debian's postgresql-15 source package
# (without GSSAPI, LDAP, readline and ICU: Debian's libpq.a needs krb5,
# which ships no static library) and Debian's own static OpenSSL, zlib,
# libzstd and libfyaml.  Prints the stripped size.
#
# Everything downloaded or built goes under build/static-src/ (kept between
# runs; the libpq build is stamped): the PostgreSQL source comes through
# apt-get source with a private apt state made of the host's own Debian
# sources turned into deb-src entries, so the host's apt setup is left
# alone.  PG_SRC_VERSION=15.x-y pins the source version; by default the
# newest one the archive can deliver is taken.
#
# Output: build/static/chameleon (stripped), build/static/chameleon.debug
# (its symbols, for gdb), build/static/VERSIONS (what went in: rebuild when
# Debian updates any of them).
set -eu
cd "$(dirname "$0")/../.."
top=$PWD
sh test/packages.sh static

S=$top/build/static-src
mkdir -p "$S"
PGSRC=$S/postgresql
PGBLD=$S/pg-build

# ---- 1. the PostgreSQL source package ------------------------------------
if [ ! -f "$PGSRC/.stamp" ]; then
	A=$S/apt
	rm -rf "$A"
	mkdir -p "$A/etc" "$A/lists/partial" "$A/cache/archives/partial" "$S/dl"
	# the host's deb entries, as deb-src (deb822 and one-line formats)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && sed 's/^Types:.*\bdeb\b.*$/Types: deb-src/' "$f" > "$A/etc/$(basename "$f")"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] && sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f" > "$A/etc/$(basename "$f")"
	done
	set -- -o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$A/etc" \
		-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" \
		-o Debug::NoLocking=1
	echo "static: fetching the source index (deb-src of the host's Debian sources)"
	apt-get -q "$@" update > "$S/apt-update.log" 2>&1 || {
		tail -20 "$S/apt-update.log" >&2
		echo "static: apt-get update of the deb-src entries failed" >&2
		exit 1
	}
	if [ -n "${PG_SRC_VERSION:-}" ]; then
		versions=$PG_SRC_VERSION
	else
		versions=$(apt-cache "$@" showsrc postgresql-15 2>/dev/null |
			sed -n 's/^Version: //p' | sort -u -r -V)
	fi
	[ -n "$versions" ] || {
		echo "static: no source of postgresql-15 in the host's Debian archive" >&2
		exit 1
	}
	got=""
	# the newest version first; a security update's files are not always
	# on the mirror the index came from, so fall back to the next one
	for v in $versions; do
		rm -rf "$S/dl" && mkdir -p "$S/dl"
		if (cd "$S/dl" && apt-get -q "$@" source --download-only "postgresql-15=$v") \
			> "$S/apt-source.log" 2>&1; then
			got=$v
			break
		fi
		echo "static: postgresql-15 $v: source not downloadable, trying an older one"
	done
	[ -n "$got" ] || {
		tail -20 "$S/apt-source.log" >&2
		echo "static: could not download the source of postgresql-15" >&2
		exit 1
	}
	rm -rf "$PGSRC" "$PGBLD"
	dpkg-source -x "$S"/dl/postgresql-15_*.dsc "$PGSRC" > "$S/dpkg-source.log" 2>&1 || {
		tail -20 "$S/dpkg-source.log" >&2
		exit 1
	}
	echo "$got" > "$PGSRC/.stamp"
	echo "static: PostgreSQL source $got in $PGSRC"
fi
pgver=$(cat "$PGSRC/.stamp")

# ---- 2. libpq, out of tree, without what has no static library ----------
if [ ! -f "$PGBLD/.stamp" ]; then
	rm -rf "$PGBLD"
	mkdir -p "$PGBLD"
	echo "static: configuring and building libpq $pgver (about 25 s)"
	(cd "$PGBLD" && "$PGSRC/configure" --without-gssapi --without-ldap \
		--without-readline --without-icu --with-ssl=openssl) \
		> "$S/pg-configure.log" 2>&1 || {
		tail -30 "$S/pg-configure.log" >&2
		exit 1
	}
	make -j2 -C "$PGBLD/src/interfaces/libpq" all-static-lib > "$S/pg-make.log" 2>&1 || {
		tail -30 "$S/pg-make.log" >&2
		exit 1
	}
	touch "$PGBLD/.stamp"
fi

# ---- 3. chameleon, CFG=static --------------------------------------------
log=$top/build/static-link.log
mkdir -p build/static
make --no-print-directory -j2 CFG=static PGSRC="$PGSRC" PGBLD="$PGBLD" \
	WERROR="${WERROR:-1}" build/static/chameleon > "$log" 2>&1 || {
	grep -v '^  \(CC\|LD\|AR\) ' "$log" >&2
	exit 1
}
# glibc's warnings that getaddrinfo, getpwuid_r, dlopen & co. need its
# shared modules at run time: the code keeps away from them (cmd/host.h)
grep -v '^  \(CC\|LD\|AR\) ' "$log" |
	grep -v 'statically linked applications requires at runtime the shared libraries' |
	grep -v 'in function `' | grep -v '^/usr/bin/ld: .*: in function' || true

bin=build/static/chameleon
file "$bin" | grep -q 'statically linked' || {
	file "$bin" >&2
	echo "static: $bin is not statically linked" >&2
	exit 1
}
# a fresh link has its symbols: keep them aside, then strip (once)
if ! readelf -S "$bin" | grep -q gnu_debuglink; then
	objcopy --only-keep-debug "$bin" "$bin.debug"
	strip --strip-all "$bin"
	objcopy --add-gnu-debuglink="$bin.debug" "$bin"
fi

{
	echo "postgresql-15 (source) $pgver"
	for p in libc6-dev libssl-dev zlib1g-dev libzstd-dev libfyaml-dev; do
		dpkg-query -W -f='${Package} ${Version}\n' "$p" 2>/dev/null || echo "$p ?"
	done
} > build/static/VERSIONS
size=$(stat -c %s "$bin")
echo "static: $bin: $size bytes stripped ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}') MiB)"
[ "$size" -le 10485760 ] || echo "static: warning: larger than the 10 MiB target"
