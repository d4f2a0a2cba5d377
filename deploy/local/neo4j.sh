#!/usr/bin/env bash
# Neo4j Community 5.26 LTS from the Maven Central jars in deploy/neo4j/lib, on Java 17:
# Bolt on 127.0.0.1, HTTP off, memory sized for a 2-core, 24 GB machine that also runs
# PostgreSQL, RabbitMQ, Redis and the product. The initial password is set before the
# first start (Neo4j refuses other queries until the default one is changed).
# Usage: neo4j.sh start|stop|log
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/services.env"; set +a
lib="$(realpath -m "$here/../neo4j/lib")"
home="$(realpath -m "${DISCOGSOGRAPHY_SERVICES_DIR:-$here/../../.services}")/neo4j"
mkdir -p "$home/conf" "$home/logs"
log="$home/logs/console.log"
case "${1:-}" in
  start)
    [ -d "$lib" ] || { echo "neo4j: $lib is missing; run deploy/local/install.sh" >&2; exit 1; }
    if [ ! -e "$home/data/dbms/auth.ini" ] && [ ! -d "$home/data/databases/system" ]; then
      NEO4J_HOME="$home" NEO4J_CONF="$home/conf" java -cp "$lib/*" org.neo4j.cli.AdminTool \
        dbms set-initial-password "$NEO4J_PASSWORD" >/dev/null
    fi
    cd "$home"
    setsid nohup java -Xms1g -Xmx2g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
      -cp "$lib/*" org.neo4j.server.CommunityEntryPoint \
      --home-dir="$home" --config-dir="$home/conf" --console-mode \
      -c "server.default_listen_address=127.0.0.1" \
      -c "server.bolt.listen_address=127.0.0.1:$NEO4J_PORT" \
      -c server.http.enabled=false -c server.https.enabled=false \
      -c dbms.routing.enabled=false -c dbms.usage_report.enabled=false \
      -c server.memory.pagecache.size=2g \
      -c db.memory.transaction.total.max=1g \
      -c server.directories.logs="$home/logs" \
      >"$log" 2>&1 &
    echo $! >"$home/neo4j.pid"
    ;;
  stop)
    if [ -f "$home/neo4j.pid" ]; then
      kill "$(cat "$home/neo4j.pid")" 2>/dev/null || true
      rm -f "$home/neo4j.pid"
    fi
    ;;
  log) echo "$log" ;;
  *) echo "usage: $0 start|stop|log" >&2; exit 2 ;;
esac
