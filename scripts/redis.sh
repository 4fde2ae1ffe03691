#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A throwaway redis-server for the revocation tests: loopback only, its
# data in DIR, append-only file on (and no RDB snapshots, so a restart
# keeps exactly what the AOF kept).
#
#   eval "$(bash scripts/redis.sh start DIR [PORT])"   # exports IRON_FAST_REDIS_URL
#   bash scripts/redis.sh stop DIR
#
# `start` installs Debian's redis-server when it is missing (CI runs as
# root), picks a free loopback port unless PORT is given, waits until the
# server answers, and prints the export line. `stop` shuts it down and
# removes nothing but its pid file; DIR is the caller's to delete.
set -euo pipefail

usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

start() {
    local dir=$1 port=${2:-}
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "redis.sh: installing redis-server" >&2
        apt-get install -y -qq redis-server >/dev/null 2>&1 || {
            apt-get update -qq >/dev/null
            apt-get install -y -qq redis-server >/dev/null
        }
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ -n "$port" ] || port=$(free_port)
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
        --appendonly yes --save "" --daemonize yes \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
    for _ in $(seq 100); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
            echo "export IRON_FAST_REDIS_URL=redis://127.0.0.1:$port/0"
            return 0
        fi
        sleep 0.05
    done
    echo "redis.sh: redis-server did not answer on port $port" >&2
    tail -n 20 "$dir/redis.log" >&2 || true
    return 1
}

stop() {
    local dir=$1 pid
    [ -f "$dir/redis.pid" ] || return 0
    pid=$(cat "$dir/redis.pid")
    # SIGTERM is a clean shutdown: the AOF is flushed first. A stopped
    # (SIGSTOP) server is continued so that it can act on it.
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$dir/redis.pid"; return 0; }
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/redis.pid"
}

case "${1:-}" in
    start) [ $# -ge 2 ] || usage; start "$2" "${3:-}" ;;
    stop) [ $# -eq 2 ] || usage; stop "$2" ;;
    *) usage ;;
esac
