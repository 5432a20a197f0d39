#!/bin/sh
# Make sure the Debian packages the build, the tests, the demo and the
# benchmarks need are installed: install them when running as root,
# otherwise name the missing ones and fail.
# Usage: sh test/packages.sh [build|test|all|bench|static|image]
PKGS_BUILD="build-essential pkg-config libssl-dev zlib1g-dev libzstd-dev libpq-dev libfyaml-dev"
PKGS_BENCH="sysbench"	# bench/lag.sh
# make static (test/static/build.sh): the static libraries, dpkg-source and
# bzip2 to unpack the PostgreSQL source package, file to check the result
PKGS_STATIC="build-essential pkg-config dpkg-dev bzip2 file libssl-dev zlib1g-dev libzstd-dev libfyaml-dev"
# percona-toolkit, libdbd-mysql-perl: pt-online-schema-change in t_ddl_replication.sh
# postgresql-15-postgis-3: the PostGIS extension in t_postgis.sh
PKGS_TEST="clang libclang-rt-14-dev mariadb-server mariadb-client postgresql postgresql-client python3 xz-utils time openssl percona-toolkit libdbd-mysql-perl postgresql-15-postgis-3"
case "${1:-all}" in
build) want="$PKGS_BUILD" ;;
bench) want="$PKGS_BUILD $PKGS_TEST $PKGS_BENCH" ;;
static) want="$PKGS_STATIC" ;;
image) want="$PKGS_STATIC podman ca-certificates" ;;	# make image (optional)
*) want="$PKGS_BUILD $PKGS_TEST" ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "installing missing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || exit 1
	apt-get install -y -q $missing >/dev/null || {
		echo "error: apt-get install failed for:$missing" >&2
		exit 1
	}
	exit 0
fi
echo "error: missing Debian packages:$missing" >&2
echo "install them with: sudo apt-get install -y$missing" >&2
exit 1
