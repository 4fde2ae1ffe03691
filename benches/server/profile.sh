#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where a request's time goes under uvicorn: starts one app of
# benches/apps.py as benches/server/run.py does, drives it with wrk and
# samples the server process with py-spy (the `bench` extra). Writes
# collapsed stacks (flamegraph.pl's input; one stack and its sample count
# a line) and prints the server's req/s while it was sampled.
#
#   bash benches/server/profile.sh ["starlette iron_fast modify"] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-starlette iron_fast modify}
seconds=${2:-10}
out=../target/profile-${app// /-}.txt
port=$(../.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BENCH_APP=$app BENCH_PASSWORD=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    PYTHONPATH=. ../.venv/bin/python -m uvicorn apps:served --factory \
    --host 127.0.0.1 --port "$port" --workers 1 --loop uvloop \
    --http httptools --no-access-log --log-level warning &
server=$!
trap 'kill "$server"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
cookie=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/prime" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
wrk -t1 -c16 -d$((seconds + 4))s -H "Cookie: ${cookie:-session=none}" \
    "http://127.0.0.1:$port/" | grep Requests/sec &
load=$!
sleep 2
../.venv/bin/py-spy record --pid "$server" --duration "$seconds" --rate 500 \
    --format raw --output "$out" >/dev/null
wait "$load"
echo "collapsed stacks: target/${out#../target/}"
