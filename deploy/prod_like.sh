#!/usr/bin/env bash
# The production topology on one machine, all on 127.0.0.1 (docs/deploy.md):
# PostgreSQL (a cluster made here with pg_createcluster, or DATABASE_URL), an S3 object
# store (moto's server), two app servers (each gunicorn for the pages and uvicorn for the
# live streams, sharing a Redis for the channel layer), nginx in front of them and the
# task worker (manage.py db_worker).
#
#   deploy/prod_like.sh start    (make prod-like)       deploy/prod_like.sh stop
#
# Everything lives under PROD_LIKE_DIR (default /tmp/aefront-prod-like): the cluster's
# data, media, static files, pid files, logs and `env`, the settings the servers run
# with (`. $PROD_LIKE_DIR/env` to run manage.py against it). NGINX_PORT chooses the
# front port (default: a free one). Needs root for pg_createcluster, unless DATABASE_URL.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEPLOY="$ROOT/deploy"
RUN="${PROD_LIKE_DIR:-/tmp/aefront-prod-like}"
PYTHON="${PYTHON:-python3}"
PG_VERSION="${PG_VERSION:-15}"

free_port() {
  "$PYTHON" - <<'PY'
import socket
while True:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if port != 8000:
        print(port)
        break
PY
}

stop_pid() {  # stop_pid FILE: TERM, then KILL after 15 s
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop() {
  [ -d "$RUN" ] || { echo "prod-like: nothing at $RUN"; return 0; }
  stop_pid "$RUN/nginx.pid"
  stop_pid "$RUN/app1.pid"
  stop_pid "$RUN/app2.pid"
  stop_pid "$RUN/live1.pid"
  stop_pid "$RUN/live2.pid"
  stop_pid "$RUN/worker.pid"
  stop_pid "$RUN/redis.pid"
  stop_pid "$RUN/s3.pid"
  if [ -f "$RUN/cluster" ]; then
    pg_dropcluster --stop "$PG_VERSION" "$(cat "$RUN/cluster")" 2>/dev/null || true
    rm -f "$RUN/cluster"
  fi
  echo "prod-like: stopped (logs kept in $RUN)"
}

wait_for() {  # wait_for URL NAME LOG
  for _ in $(seq 1 240); do
    if "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$1" 2>/dev/null; then return 0; fi
    sleep 0.25
  done
  echo "prod-like: $2 did not answer $1; see $3" >&2
  tail -20 "$3" >&2 || true
  stop
  exit 1
}

start() {
  if [ -f "$RUN/nginx.pid" ] || [ -f "$RUN/app1.pid" ] || [ -f "$RUN/cluster" ] ||
    [ -f "$RUN/s3.pid" ]; then
    echo "prod-like: already running at $RUN (make prod-like-stop first)" >&2
    exit 1
  fi
  rm -rf "$RUN"
  trap 'echo "prod-like: start failed; stopping what started" >&2; stop' ERR
  mkdir -p "$RUN/media" "$RUN/static" "$RUN/nginx-tmp"
  chmod 755 "$RUN"
  local database="${DATABASE_URL:-}"
  if [ -z "$database" ]; then
    local pg_port name password
    pg_port="$(free_port)"
    name="aefront_pl_$pg_port"
    password="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"
    pg_createcluster "$PG_VERSION" "$name" -p "$pg_port" -d "$RUN/pgdata" -l "$RUN/postgresql.log" \
      --start -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null
    echo "$name" >"$RUN/cluster"
    runuser -u postgres -- psql -p "$pg_port" -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE aefront LOGIN PASSWORD '$password'" >/dev/null
    runuser -u postgres -- createdb -p "$pg_port" -O aefront aefront
    database="postgres://aefront:$password@127.0.0.1:$pg_port/aefront"
  fi
  # The object store: moto's S3 server (PROD_LIKE_S3=0: the file system under media/).
  local s3=""
  if [ "${PROD_LIKE_S3:-1}" = 1 ]; then
    s3="$(free_port)"
    setsid "$PYTHON" -m moto.server -H 127.0.0.1 -p "$s3" >"$RUN/s3.log" 2>&1 </dev/null &
    echo $! >"$RUN/s3.pid"
    wait_for "http://127.0.0.1:$s3/moto-api/" "the S3 server" "$RUN/s3.log"
    AWS_ACCESS_KEY_ID=prod-like AWS_SECRET_ACCESS_KEY=prod-like "$PYTHON" -c \
      "import boto3, sys; boto3.client('s3', endpoint_url=sys.argv[1], region_name='eu-west-2')\
.create_bucket(Bucket='aefront', CreateBucketConfiguration={'LocationConstraint': 'eu-west-2'})" \
      "http://127.0.0.1:$s3"
  fi
  # The channel layer of the live updates: a Redis of its own, on a free port.
  local redis
  redis="$(free_port)"
  redis-server --bind 127.0.0.1 --port "$redis" --save "" --appendonly no --daemonize yes \
    --pidfile "$RUN/redis.pid" --logfile "$RUN/redis.log" --dir "$RUN"
  local port="${NGINX_PORT:-$(free_port)}" app1 app2 live1 live2 taken
  taken=" $port $redis ${s3:-} "
  for name in app1 app2 live1 live2; do
    local candidate
    candidate="$(free_port)"
    while [[ "$taken" == *" $candidate "* ]]; do candidate="$(free_port)"; done
    taken="$taken$candidate "
    printf -v "$name" '%s' "$candidate"
  done
  cat >"$RUN/env" <<ENV
export DEBUG=0
export SECRET_KEY='$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')'
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_COOKIES=0
export TRUSTED_PROXY_COUNT=1
export CACHE=database
export STATIC_PRECOMPRESS=0
export DATABASE_URL='$database'
export MEDIA_ROOT='$RUN/media'
export STATIC_ROOT='$RUN/static'
export API_RATE_PER_MINUTE=${API_RATE_PER_MINUTE:-1200}
export LOG_LEVEL=${LOG_LEVEL:-WARNING}
export DJANGO_SETTINGS_MODULE=aefront.settings
# Two malloc arenas, not one per thread: 8 threads grew a worker to 162 MiB, 2 arenas
# hold it at 143 MiB under make load (docs/deploy.md, Memory).
export MALLOC_ARENA_MAX=2
export PROD_LIKE_URL=http://127.0.0.1:$port
export REDIS_URL=redis://127.0.0.1:$redis/0
ENV
  if [ -n "$s3" ]; then
    cat >>"$RUN/env" <<ENV
export AWS_STORAGE_BUCKET_NAME=aefront
export AWS_S3_ENDPOINT_URL=http://127.0.0.1:$s3
export AWS_S3_REGION_NAME=eu-west-2
export AWS_ACCESS_KEY_ID=prod-like
export AWS_SECRET_ACCESS_KEY=prod-like
ENV
  fi
  echo "export PROD_LIKE_APPS=127.0.0.1:$app1,127.0.0.1:$app2" >>"$RUN/env"
  echo "export PROD_LIKE_LIVE=127.0.0.1:$live1,127.0.0.1:$live2" >>"$RUN/env"
  # shellcheck disable=SC1091
  . "$RUN/env"
  cd "$ROOT"
  "$PYTHON" manage.py migrate --no-input -v0
  "$PYTHON" manage.py createcachetable
  "$PYTHON" manage.py collectstatic --no-input -v0
  chmod -R a+rX "$RUN/static"  # public files, read by nginx's unprivileged workers
  local n=0 app
  for app in "$app1" "$app2"; do
    n=$((n + 1))
    "$PYTHON" -m gunicorn aefront.wsgi -c gunicorn.conf.py --bind "127.0.0.1:$app" \
      --daemon --pid "$RUN/app$n.pid" --error-logfile "$RUN/app$n.log"
  done
  n=0
  for app in "$live1" "$live2"; do  # the live streams (README, Deployment: live updates)
    n=$((n + 1))
    DB_CONN_MAX_AGE=0 setsid "$PYTHON" -m uvicorn aefront.asgi:application --host 127.0.0.1 \
      --port "$app" --no-access-log >"$RUN/live$n.log" 2>&1 </dev/null &
    echo $! >"$RUN/live$n.pid"
  done
  setsid "$PYTHON" manage.py db_worker --no-reload --no-startup-delay \
    >"$RUN/worker.log" 2>&1 </dev/null &
  echo $! >"$RUN/worker.pid"
  sed -e "s#@RUN@#$RUN#g" -e "s#@DEPLOY@#$DEPLOY#g" -e "s#@STATIC@#$RUN/static#g" \
    -e "s#@PORT@#$port#g" -e "s#@APP1@#$app1#g" -e "s#@APP2@#$app2#g" \
    -e "s#@LIVE1@#$live1#g" -e "s#@LIVE2@#$live2#g" \
    "$DEPLOY/nginx.conf.template" >"$RUN/nginx.conf"
  nginx -q -t -c "$RUN/nginx.conf" -p "$RUN" -g "error_log $RUN/nginx-error.log;"
  nginx -c "$RUN/nginx.conf" -p "$RUN" -g "error_log $RUN/nginx-error.log;"
  wait_for "http://127.0.0.1:$app1/healthz" "app server 1" "$RUN/app1.log"
  wait_for "http://127.0.0.1:$app2/healthz" "app server 2" "$RUN/app2.log"
  wait_for "http://127.0.0.1:$live1/healthz" "live server 1" "$RUN/live1.log"
  wait_for "http://127.0.0.1:$live2/healthz" "live server 2" "$RUN/live2.log"
  wait_for "http://127.0.0.1:$port/healthz" nginx "$RUN/nginx-error.log"
  echo "prod-like: http://127.0.0.1:$port (app servers :$app1 and :$app2, live :$live1 and" \
    ":$live2, Redis :$redis, the worker," \
    "PostgreSQL at ${database##*@}); state in $RUN; stop with make prod-like-stop"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
