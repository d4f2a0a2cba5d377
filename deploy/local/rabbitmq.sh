#!/usr/bin/env bash
# RabbitMQ from Debian's package, with the management plugin (queue statistics), AMQP and
# the management API on 127.0.0.1 only. The user of services.env is created once the broker
# answers (start-user runs after the AMQP probe succeeds with the default guest account).
# Usage: rabbitmq.sh start|ensure-user|stop|log
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$here/services.env"; set +a
state="$(realpath -m "${DISCOGSOGRAPHY_SERVICES_DIR:-$here/../../.services}")/rabbitmq"
mkdir -p "$state"
log=/var/log/rabbitmq/discogsography-console.log
export ERL_EPMD_ADDRESS=127.0.0.1
case "${1:-}" in
  start)
    cat >"$state/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
loopback_users = none
CONF
    # The Erlang distribution port (25672) would listen on every interface by default.
    cat >"$state/rabbitmq-env.conf" <<ENVCONF
CONFIG_FILE=$state/rabbitmq.conf
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ENVCONF
    chmod 755 "$state" && chmod 644 "$state/rabbitmq.conf" "$state/rabbitmq-env.conf"
    rabbitmq-plugins --offline enable rabbitmq_management >/dev/null
    mkdir -p /var/log/rabbitmq && chown rabbitmq:rabbitmq /var/log/rabbitmq
    su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && ERL_EPMD_ADDRESS=127.0.0.1 \
      RABBITMQ_CONF_ENV_FILE=$state/rabbitmq-env.conf setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server \
      >$log 2>&1 &"
    ;;
  ensure-user)
    rabbitmqctl await_startup >/dev/null
    if ! rabbitmqctl -q list_users | awk '{print $1}' | grep -qx "$RABBITMQ_USERNAME"; then
      rabbitmqctl -q add_user "$RABBITMQ_USERNAME" "$RABBITMQ_PASSWORD" >/dev/null
      rabbitmqctl -q set_user_tags "$RABBITMQ_USERNAME" administrator >/dev/null
      rabbitmqctl -q set_permissions -p / "$RABBITMQ_USERNAME" '.*' '.*' '.*' >/dev/null
    fi
    ;;
  stop) rabbitmqctl -q stop >/dev/null 2>&1 || true ;;
  log) echo "$log" ;;
  *) echo "usage: $0 start|ensure-user|stop|log" >&2; exit 2 ;;
esac
