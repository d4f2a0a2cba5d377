#!/usr/bin/env bash
# Redis from Debian's package, run by hand on 127.0.0.1 without persistence (a cache).
# Usage: redis.sh start|stop|log
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/services.env"; set +a
state="$(realpath -m "${DISCOGSOGRAPHY_SERVICES_DIR:-$here/../../.services}")/redis"
mkdir -p "$state"
case "${1:-}" in
  start)
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$state" \
      --logfile "$state/redis.log" --pidfile "$state/redis.pid" --save '' --appendonly no
    ;;
  stop) [ -f "$state/redis.pid" ] && kill "$(cat "$state/redis.pid")" 2>/dev/null || true ;;
  log) echo "$state/redis.log" ;;
  *) echo "usage: $0 start|stop|log" >&2; exit 2 ;;
esac
