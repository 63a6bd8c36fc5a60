#!/usr/bin/env bash
# Serve Dangjian the way `make run` does: the web server, the background task worker and the
# clock that enqueues periodic tasks (deadline scans, mail retries). Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-2}

pids=()
stop() {
  trap - EXIT INT TERM
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

$PY manage.py db_worker --no-reload --queue-name '*' --verbosity 0 &
pids+=($!)
$PY manage.py run_clock &
pids+=($!)
# The access log leaves out client addresses, user agents and every /supervision/ request.
.venv/bin/gunicorn dangjian.wsgi --bind "$HOST:$PORT" --workers "$WORKERS" --access-logfile - \
  --logger-class dangjian.gunicorn_logging.PrivateAccessLogger &
pids+=($!)
echo "Serving on http://$HOST:$PORT/ with a task worker and a clock (Ctrl-C to stop)"
# If any of the three stops, stop the others too.
wait -n
