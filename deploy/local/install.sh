#!/usr/bin/env bash
# Installs everything the product and its tests need on a fresh Debian 12 machine, from the
# project's own files: Debian packages, Neo4j's jars from Maven Central, the Python
# environment (.venv) pinned by deploy/constraints.txt. Each step skips itself when done.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

step() { printf '\n== %s\n' "$*"; }
timed() { local began=$SECONDS; "$@"; echo "   ($((SECONDS - began)) s)"; }

step "Debian packages"
timed bash deploy/local/install-debian.sh

step "Neo4j jars (deploy/neo4j/lib)"
neo4j_version=$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' deploy/neo4j/pom.xml)
if [ -f "deploy/neo4j/lib/neo4j-$neo4j_version.jar" ]; then
  echo "neo4j jars: present ($neo4j_version)"
else
  rm -rf deploy/neo4j/lib
  timed mvn -q -B -f deploy/neo4j/pom.xml dependency:copy-dependencies \
    -DoutputDirectory=lib -DincludeScope=runtime
  echo "neo4j jars: $(find deploy/neo4j/lib -name '*.jar' | wc -l) files, $(du -sh deploy/neo4j/lib | cut -f1)"
fi

step "Python environment (.venv)"
bash deploy/local/install-python.sh

step "Explorer pages (frontends/explore -> applications/web/explore_dist)"; timed bash deploy/local/install-frontend.sh
