#!/bin/sh
# make image: the container image of Dockerfile (FROM scratch: the static
# binary and a CA bundle), built with podman or docker, whichever works,
# tagged chameleon:VERSION and chameleon:latest, then run once
# (--version, and decode_binlog of a mounted fixture) to show that it
# starts.  Where no container can be built or run here, it says so and
# exits 0: make static-check runs the same binary in an empty chroot.
cd "$(dirname "$0")/../.." || exit 1
engine=""
for e in podman docker; do
	if command -v $e > /dev/null 2>&1 && $e info > /dev/null 2>&1; then
		engine=$e
		break
	fi
done
if [ -z "$engine" ]; then
	echo "image: neither podman nor docker can reach a container engine here"
	echo "image: (Debian: sh test/packages.sh image installs podman); make static-check runs the"
	echo "image: static binary in an empty chroot instead"
	exit 0
fi
sh test/static/build.sh || exit 1
ctx=build/image
rm -rf "$ctx"
mkdir -p "$ctx"
cp build/static/chameleon "$ctx/chameleon"
ca=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
	[ -s "$f" ] && { ca=$f; break; }
done
[ -n "$ca" ] || {
	echo "image: no CA bundle on this host (Debian: apt-get install ca-certificates)" >&2
	exit 1
}
cp "$ca" "$ctx/ca-certificates.crt"
version=$("$ctx/chameleon" --version | awk '{print $2}')
echo "image: building chameleon:$version with $engine"
$engine build -t "chameleon:$version" -t chameleon:latest -f Dockerfile "$ctx" > "$ctx/build.log" 2>&1 || {
	tail -20 "$ctx/build.log" >&2
	echo "image: $engine could not build the image (log above); make static-check" \
		"tests the static binary in an empty chroot instead"
	exit 0
}
echo "image: built chameleon:$version ($($engine image inspect chameleon:latest --format '{{.Size}}') bytes)"
fixture=$PWD/fixtures/binlog/mariadb-plain/binlog.000002
if out=$($engine run --rm chameleon:latest --version 2>&1) &&
	$engine run --rm -v "$fixture:/data/binlog.000002:ro" chameleon:latest \
		decode_binlog /data/binlog.000002 > "$ctx/decode.out" 2>&1; then
	echo "image: the container runs: $out; decode_binlog printed $(wc -l < "$ctx/decode.out") lines"
else
	echo "image: the image is built, but $engine cannot run containers here:"
	echo "$out" | tail -3 | sed 's/^/image:   /'
	# the next best thing: the image's own files, its user and its
	# entrypoint, in a chroot
	if [ "$(id -u)" = 0 ] && id=$($engine create chameleon:latest 2>/dev/null); then
		rm -rf "$ctx/rootfs"
		mkdir -p "$ctx/rootfs"
		$engine export "$id" | tar -x -C "$ctx/rootfs"
		$engine rm "$id" > /dev/null
		user=$($engine image inspect chameleon:latest --format '{{.Config.User}}')
		echo "image: its filesystem ($(cd "$ctx/rootfs" && find . -type f | sort | tr '\n' ' '))" \
			"in a chroot as user $user, with a binlog file:"
		cp "$fixture" "$ctx/rootfs/binlog.000002"
		if env -i "$(command -v chroot)" --userspec="$user" "$ctx/rootfs" /chameleon \
			decode_binlog /binlog.000002 > "$ctx/decode.out" 2>&1; then
			echo "image:   /chameleon decode_binlog printed $(wc -l < "$ctx/decode.out") lines"
		else
			echo "image:   /chameleon decode_binlog failed: $(head -2 "$ctx/decode.out")"
		fi
	fi
	echo "image: make static-check runs the same binary in an empty chroot against real servers"
fi
exit 0
