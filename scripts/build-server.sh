#!/usr/bin/env bash
# Builds a Redis or Valkey server from Debian's source packages into a cache folder outside the
# checkout, for the server matrix (npm run test:servers). A server already built there is reused.
#   usage: scripts/build-server.sh <redis|valkey> <version>     e.g. redis 8.0.2, valkey 9.1.2
# Prints the folder that holds redis-server, redis-cli and redis-benchmark (Valkey's binaries are
# linked under those names too, which Valkey supports). Debian's trixie and sid carry the sources.
set -euo pipefail
flavour=${1:?usage: scripts/build-server.sh <redis|valkey> <version>}
version=${2:?usage: scripts/build-server.sh <redis|valkey> <version>}
case $flavour in redis | valkey) ;; *) echo "build-server: flavour must be redis or valkey, not '$flavour'" >&2; exit 2 ;; esac
cache=${RSCRIPT_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rscript/servers}
dest=$cache/$flavour-$version
if [ -x "$dest/bin/redis-server" ]; then echo "$dest/bin"; exit 0; fi
log() { echo "build-server: $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
src_list=/etc/apt/sources.list.d/rscript-src.sources
find_version() { apt-cache showsrc "$flavour" 2>/dev/null | awk '/^Version:/ {print $2}' |
  grep -E "^([0-9]+:)?${version//./\\.}([+~-]|$)" | head -n 1 || true; }
debver=$(find_version)
if [ -z "$debver" ]; then
  if [ ! -f "$src_list" ]; then
    log "adding Debian's trixie and sid source packages to apt ($src_list)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      as_root tee "$src_list" >/dev/null
  fi
  as_root apt-get update -qq
  debver=$(find_version)
fi
[ -n "$debver" ] || { log "Debian has no source package $flavour $version (apt-cache showsrc $flavour lists the versions)"; exit 2; }

for pkg in build-essential pkg-config libssl-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="${missing:-} $pkg"
done
if [ -n "${missing:-}" ]; then log "installing$missing"; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null; fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.build-$flavour-$version-XXXXXX")
trap 'rm -rf "$work"' EXIT
log "downloading $flavour $debver"
# Only the upstream tarball is used; apt may still fail on a Debian part it cannot fetch.
(cd "$work" && apt-get source --download-only "$flavour=$debver" >/dev/null 2>&1) || true
tarball=$(ls "$work/${flavour}_"*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { log "apt-get source did not bring ${flavour}'s upstream tarball"; exit 2; }
mkdir "$work/src"
tar xf "$tarball" -C "$work/src" --strip-components=1
# OPTIMIZATION=-O2: the default -O3 adds link-time optimisation, which compiles everything twice.
# Measured for Valkey 9.1.2: 279 s of CPU with the default, 140 s with -O2 (half the build's time in
# CI); these servers run the tests, not production, and the matrix asserts no speed.
log "building $flavour $version (make -j2 MALLOC=libc BUILD_TLS=yes OPTIMIZATION=-O2; a few minutes)"
if ! make -C "$work/src" -j2 MALLOC=libc BUILD_TLS=yes OPTIMIZATION=-O2 >"$work/build.log" 2>&1; then
  tail -n 30 "$work/build.log" >&2
  log "make failed"
  exit 1
fi
mkdir -p "$work/out/bin"
for tool in server cli benchmark; do
  cp "$work/src/src/$flavour-$tool" "$work/out/bin/"
  [ "$flavour" = redis ] || ln -s "$flavour-$tool" "$work/out/bin/redis-$tool"
done
# Valkey 9.1 builds Lua as a module; keep any module the build made beside the binaries.
find "$work/src/src" -name '*.so' -exec cp {} "$work/out/bin/" \;
rm -rf "$dest"
mv "$work/out" "$dest"
log "built $("$dest/bin/redis-server" --version)"
echo "$dest/bin"
