#!/usr/bin/env bash
# Runs before `npm test` (and from .ci/run): makes sure the real components the tests talk to are
# there — PostgreSQL :5432, NATS JetStream :4222, Mosquitto :1883, and the data platform's
# heterogeneous sources MariaDB :3306 and RabbitMQ :5672 — and Debian's Chromium with CJK
# fonts for the browser tests. Starts or installs only what is missing; never downloads a browser.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 "${2:-60}"); do port_open "$1" && return 0; sleep 0.5; done
  echo "service on port $1 did not come up" >&2
  return 1
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

if ! port_open 5432; then
  echo "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  wait_port 5432
fi
if ! port_open 4222; then
  echo "starting NATS with JetStream"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_port 4222
fi
if ! port_open 1883; then
  echo "starting Mosquitto"
  as_root mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883
fi
if ! port_open 3306; then
  echo "starting MariaDB"
  as_root /etc/init.d/mariadb start >/dev/null
  wait_port 3306
fi
if ! port_open 5672; then
  echo "starting RabbitMQ"
  as_root /etc/init.d/rabbitmq-server start >/dev/null
  wait_port 5672 240
fi
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy"; then
  echo "installing Debian's chromium and CJK fonts for the browser tests"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
echo "test environment ready: PostgreSQL :5432, NATS :4222, Mosquitto :1883, MariaDB :3306, RabbitMQ :5672, $(/usr/bin/chromium --version 2>/dev/null)"
