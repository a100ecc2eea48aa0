#!/usr/bin/env bash
# A private PostgreSQL primary and its streaming replica, for the replica tests.
#
#   scripts/replica.sh up              create (if needed) and start both; print the URLs
#   scripts/replica.sh down            stop both and delete their files
#   scripts/replica.sh stop-replica    stop the replica (fast shutdown)   | used by the tests
#   scripts/replica.sh start-replica   start it again                     | to take a server
#   scripts/replica.sh stop-primary    stop the primary                   | away mid-run and
#   scripts/replica.sh start-primary   start it again                     | bring it back
#
# Both live under REPLICA_SCRATCH (default /tmp/gp-replica) on ports REPLICA_PRIMARY_PORT
# (5434) and REPLICA_PORT (5435), listen on 127.0.0.1 only, and are separate from any other
# cluster on the machine: the shared one on 5432 is never touched. The replica is made with
# pg_basebackup -R (a streaming standby of the primary). PostgreSQL refuses to run as root, so
# when run as root the servers run as the `postgres` user.
set -euo pipefail

PG_VERSION="${REPLICA_PG_VERSION:-15}"
BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
SCRATCH="${REPLICA_SCRATCH:-/tmp/gp-replica}"
PRIMARY_PORT="${REPLICA_PRIMARY_PORT:-5434}"
REPLICA_PORT="${REPLICA_PORT:-5435}"
PRIMARY="$SCRATCH/primary"
REPLICA="$SCRATCH/replica"

if [ ! -x "$BIN/initdb" ]; then
    echo "PostgreSQL $PG_VERSION server binaries are not in $BIN (apt-get install postgresql-$PG_VERSION)." >&2
    exit 1
fi

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    as_postgres "$BIN/pg_ctl" -D "$1" status > /dev/null 2>&1
}

start() {
    local dir="$1"
    running "$dir" || as_postgres "$BIN/pg_ctl" -D "$dir" -l "$dir.log" -w -t 60 start > /dev/null
}

stop() {
    local dir="$1"
    if running "$dir"; then
        as_postgres "$BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop > /dev/null
    fi
}

wait_for() {
    local port="$1" query="$2" expected="$3"
    for _ in $(seq 1 120); do
        if [ "$(as_postgres "$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc "$query" 2>/dev/null)" = "$expected" ]; then
            return 0
        fi
        sleep 0.5
    done
    echo "The server on port $port did not answer '$query' with '$expected' in time." >&2
    return 1
}

up() {
    mkdir -p "$SCRATCH"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$SCRATCH"
    if [ ! -f "$PRIMARY/PG_VERSION" ]; then
        as_postgres "$BIN/initdb" -D "$PRIMARY" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 > "$SCRATCH/initdb.log"
        # Scratch data: durability is traded for speed (fsync off), never on a real server.
        cat >> "$PRIMARY/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SCRATCH'
wal_level = replica
max_wal_senders = 4
wal_keep_size = '256MB'
hot_standby = on
fsync = off
full_page_writes = off
max_connections = 60
CONF
    fi
    start "$PRIMARY"
    wait_for "$PRIMARY_PORT" "select 1" 1
    if [ ! -f "$REPLICA/PG_VERSION" ]; then
        as_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
            -D "$REPLICA" -R -X stream -c fast
        echo "port = $REPLICA_PORT" >> "$REPLICA/postgresql.conf"
    fi
    start "$REPLICA"
    wait_for "$REPLICA_PORT" "select pg_is_in_recovery()" t
    wait_for "$PRIMARY_PORT" "select count(*) from pg_stat_replication where state = 'streaming'" 1
    echo "primary: postgres://postgres@127.0.0.1:$PRIMARY_PORT/geopolitics"
    echo "replica: postgres://postgres@127.0.0.1:$REPLICA_PORT/geopolitics"
}

down() {
    stop "$REPLICA"
    stop "$PRIMARY"
    rm -rf "$SCRATCH"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    stop-replica) stop "$REPLICA" ;;
    start-replica) start "$REPLICA"; wait_for "$REPLICA_PORT" "select pg_is_in_recovery()" t ;;
    stop-primary) stop "$PRIMARY" ;;
    start-primary) start "$PRIMARY"; wait_for "$PRIMARY_PORT" "select 1" 1 ;;
    *) echo "usage: $0 up|down|stop-replica|start-replica|stop-primary|start-primary" >&2; exit 2 ;;
esac
