#!/usr/bin/env bash
# Builds the explorer's pages (frontends/explore) into applications/web/explore_dist, from the npm
# packages pinned by package-lock.json (`npm ci`, then `npm run build`). Each step skips itself when
# its inputs have not changed: npm ci when package-lock.json is the one last installed, the build
# when the lock file, the sources and the Node.js version are those of the last build and its
# index.html is still there. Needs Node.js >= 18 with npm.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root/frontends/explore"
dist="$root/applications/web/explore_dist"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "explorer: Node.js and npm are needed to build the pages (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then
  echo "explorer: Node.js $(node --version) is too old; the build needs 18 or newer" >&2
  exit 1
fi

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
lock_stamp=node_modules/.discogsography-lock
if [ -f "$lock_stamp" ] && [ "$(cat "$lock_stamp")" = "$lock_sum" ]; then
  echo "explorer packages: up to date"
else
  began=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" >"$lock_stamp"
  echo "explorer packages: installed ($((SECONDS - began)) s, $(du -sh node_modules | cut -f1))"
fi

# Everything the build reads, in a stable order, plus the Node.js version that builds it.
sources_sum=$( { node --version; find index.html package.json package-lock.json ./*.config.js src partials public \
  -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
build_stamp=node_modules/.discogsography-build
if [ -f "$build_stamp" ] && [ "$(cat "$build_stamp")" = "$sources_sum" ] && [ -f "$dist/index.html" ]; then
  echo "explorer build: up to date ($dist)"
else
  began=$SECONDS
  npm run --silent build -- --logLevel warn
  echo "$sources_sum" >"$build_stamp"
  echo "explorer build: done ($((SECONDS - began)) s, $(du -sh "$dist" | cut -f1) in $dist)"
fi
