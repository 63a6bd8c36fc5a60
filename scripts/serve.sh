#!/usr/bin/env bash
# Serve Dangjian the way `make run` does: the web server, the real-time server (WebSockets of the rooms), the
# background task worker and the clock that enqueues periodic tasks (deadline scans, mail retries). Ctrl-C stops all.
#
# scripts/supervise.py runs the three side by side: if one exits (a crash, a kill), it is started
# again after a pause growing from 1 s to 30 s, and the others keep running. The worker and the
# clock also wait out a database outage themselves, and the web server answers 503 during one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WORKERS:-2}
# Links that leave the site (robot cards, e-mail, feeds) point at the address it is served on, unless SITE_URL
# names the public address (behind a front server).
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
# The rooms' WebSockets: uvicorn (dangjian.asgi) on the next port; the pages tell browsers where (REALTIME_URL).
# Behind one front (nginx routing /ws/ to uvicorn, docs/deploy.md) set REALTIME_URL= (empty) to use the page's host.
REALTIME_PORT=${REALTIME_PORT:-$((PORT + 1))}
export REALTIME_URL=${REALTIME_URL-ws://$HOST:$REALTIME_PORT}
REALTIME_MAX_FRAME_BYTES=${REALTIME_MAX_FRAME_BYTES:-2097152}

# With ROBOT_RECORDER_PORT (`make run`: 8091), a local recorder stands in for the group robots' webhooks
# (WeCom, DingTalk, Feishu): the demo's robots post there, each message a line in var/robots/received.jsonl.
EXTRA=()
if [ -n "${ROBOT_RECORDER_PORT:-}" ]; then
  EXTRA+=("robot recorder=$PY manage.py record_robot_messages --port $ROBOT_RECORDER_PORT")
fi

echo "Serving on http://$HOST:$PORT/ (WebSockets on $HOST:$REALTIME_PORT) with a task worker and a clock (Ctrl-C to stop)"
# The access log leaves out client addresses, user agents and every /supervision/ request.
exec $PY scripts/supervise.py \
  "task worker=$PY manage.py run_worker --no-reload --queue-name '*' --verbosity 0" \
  "clock=$PY manage.py run_clock" \
  ${EXTRA[@]+"${EXTRA[@]}"} \
  "realtime server=env CONN_MAX_AGE=0 .venv/bin/uvicorn dangjian.asgi:application --host $HOST --port $REALTIME_PORT \
--ws-max-size $REALTIME_MAX_FRAME_BYTES --no-access-log --lifespan off" \
  "web server=.venv/bin/gunicorn dangjian.wsgi --preload --bind $HOST:$PORT --workers $WORKERS --access-logfile - \
--logger-class dangjian.gunicorn_logging.PrivateAccessLogger"
