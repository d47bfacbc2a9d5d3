#!/usr/bin/env bash
# Loopback "hosts" for trying an ssh environment on this machine: N real OpenSSH servers on 127.0.0.2, 127.0.0.3, ...
# (each its own host key, port and deploy root, as the ssh target's tests start them), a PostgreSQL 15 cluster on
# 127.0.0.1 (an ssh environment's database is external), and the environment itself:
# infra/environments/<name>/environment.json (target.kind ssh, every host key pinned) with its secrets (the SSH key,
# DATABASE_URL, DEFAULT_WEBHOOK_SECRET) stored through ./build.sh Secrets in the encrypted file store (0600).
#
#   tools/loopback-hosts.sh start [COUNT] [NAME]   COUNT 1-9 (default 2); NAME loopback or loopback-<x> (default loopback)
#   tools/loopback-hosts.sh stop [NAME]            stops the environment's processes, the servers and the database, and
#                                                  removes the environment and its state
#
# Then: ./build.sh Deploy --environment loopback   (Status, Releases, Rollback as for any environment)
#
# The names start with "loopback" because .gitignore ignores infra/environments/loopback*/: a throwaway environment
# pointing at this machine can never be committed by accident. Everything else lives under .deploy/<name>/ (ignored
# too): loopback/ holds the servers' keys, configs, logs and deploy roots and the database. Needs root (sshd, and
# PostgreSQL run as the postgres user), openssh-server (./build.sh Restore installs it) and postgresql-15.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
SSHD=/usr/sbin/sshd
PG_BIN=/usr/lib/postgresql/15/bin

usage() {
  sed -n '8,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "loopback-hosts: $*" >&2
  exit 1
}

check_name() {
  [[ $1 =~ ^loopback(-[a-z0-9]+)*$ && ${#1} -le 31 ]] ||
    die "'$1' is not allowed: the name is 'loopback' or 'loopback-<lower-case letters and digits>' (at most 31 characters), the names .gitignore keeps out of commits."
}

# A TCP port nobody listens on (any address), from a range clear of the usual ephemeral ports.
free_port() {
  local used port attempt
  used="$(ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }')"
  for attempt in $(seq 1 200); do
    port=$((20000 + RANDOM % 10000))
    if ! grep -qx -- "$port" <<< "$used" && ! grep -qx -- "$port" <<< "${TAKEN:-}"; then
      TAKEN="${TAKEN:-}"$'\n'"$port"
      echo "$port"
      return 0
    fi
    : "$attempt"
  done
  die "no free TCP port found between 20000 and 29999."
}

# Waits (at most 20 s) until something accepts connections on ADDRESS:PORT.
wait_listening() {
  local address="$1" port="$2" attempt
  for attempt in $(seq 1 200); do
    if (exec 3<> "/dev/tcp/$address/$port") 2> /dev/null; then
      return 0
    fi
    : "$attempt"
    sleep 0.1
  done
  return 1
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

build() {
  (cd -- "$ROOT" && ./build.sh "$@")
}

start() {
  local count="${1:-2}" name="${2:-loopback}"
  [[ $count =~ ^[1-9]$ ]] || die "COUNT '$count' is not allowed: 1 to 9 hosts."
  check_name "$name"
  [[ -x $SSHD ]] || die "$SSHD is missing: apt-get install -y openssh-server (./build.sh Restore does this when run as root)."
  [[ -x $PG_BIN/initdb ]] || die "PostgreSQL 15 is missing ($PG_BIN/initdb): apt-get install -y postgresql-15."
  command -v ssh-keygen > /dev/null || die "ssh-keygen is missing: apt-get install -y openssh-client."
  local environment_dir="$ROOT/infra/environments/$name" state="$ROOT/.deploy/$name/loopback"
  [[ ! -e $environment_dir && ! -e $state ]] ||
    die "the environment '$name' exists already ($environment_dir or $state): run '$0 stop $name' first."

  mkdir -p -- "$state" /run/sshd
  # The postgres user reaches its folder through these (search only; secrets.json stays 0600).
  chmod o+x -- "$ROOT/.deploy" "$ROOT/.deploy/$name" "$state"
  ssh-keygen -q -t ed25519 -N '' -C "meshhook-$name-deployer" -f "$state/client"
  cp -- "$state/client.pub" "$state/authorized_keys"

  local user edge_port index address port dir hosts="" fingerprint roles
  user="$(id -un)"
  edge_port="$(free_port)"
  for index in $(seq 1 "$count"); do
    address="127.0.0.$((index + 1))"
    port="$(free_port)"
    dir="$state/host$index"
    mkdir -p -- "$dir/deploy"
    ssh-keygen -q -t ed25519 -N '' -C "meshhook-$name-host$index" -f "$dir/ssh_host_ed25519_key"
    cat > "$dir/sshd_config" << EOF
Port $port
ListenAddress $address
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $state/authorized_keys
PidFile $dir/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
MaxSessions 50
MaxStartups 50
LogLevel VERBOSE
EOF
    "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log"
    wait_listening "$address" "$port" || die "sshd of host $index did not listen on $address:$port within 20 s; see $dir/sshd.log."
    fingerprint="$(ssh-keygen -l -f "$dir/ssh_host_ed25519_key.pub" | awk '{ print $2 }')"
    # The first host also runs the workers; every host serves the web behind its edge.
    roles='["web"]'
    [[ $index -eq 1 ]] && roles='["web", "workers"]'
    hosts+="${hosts:+,}"$'\n'"      { \"address\": \"$address\", \"port\": $port, \"user\": \"$user\", \"roles\": $roles, \"hostKey\": \"$fingerprint\", \"deployPath\": \"$dir/deploy\" }"
    echo "host $index: $user@$address:$port (host key $fingerprint), deploy root $dir/deploy, edge http://$address:$edge_port"
  done

  local pg_port password
  pg_port="$(free_port)"
  password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  mkdir -p -- "$state/postgres"
  (umask 077 && printf '%s\n' "$password" > "$state/postgres/password")
  [[ $(id -u) -eq 0 ]] && chown -R postgres: "$state/postgres"
  as_postgres "$PG_BIN/initdb" -D "$state/postgres/data" -U postgres -A scram-sha-256 --pwfile "$state/postgres/password" --no-sync > /dev/null
  rm -f -- "$state/postgres/password"
  as_postgres "$PG_BIN/pg_ctl" -D "$state/postgres/data" -w -l "$state/postgres/log" \
    -o "-p $pg_port -k $state/postgres -c listen_addresses=127.0.0.1" start > /dev/null
  echo "database: postgresql://postgres@127.0.0.1:$pg_port/postgres"

  # Written aside, then renamed: whoever lists the environments never reads half a file.
  mkdir -p -- "$environment_dir"
  cat > "$environment_dir/.environment.json.tmp" << EOF
{
  "\$schema": "../environment.schema.json",
  "description": "Generated by tools/loopback-hosts.sh: $count sshd 'hosts' on this machine (git-ignored; 'tools/loopback-hosts.sh stop $name' removes it).",
  "target": {
    "kind": "ssh",
    "hosts": [$hosts
    ],
    "deployPath": "$state/host1/deploy",
    "key": { "secret": "SSH_PRIVATE_KEY" },
    "bootLimit": 1,
    "edgePort": $edge_port
  },
  "url": "http://127.0.0.2:$edge_port",
  "health": { "path": "/health", "intervalSeconds": 1, "timeoutSeconds": 60, "requestTimeoutSeconds": 5 },
  "configuration": {
    "MESHHOOK_ENVIRONMENT": "$name",
    "NODE_ENV": "production",
    "WORKER_HEARTBEAT_MAX_AGE_SECONDS": "30",
    "DEFAULT_WEBHOOK_SECRET": { "secret": "DEFAULT_WEBHOOK_SECRET" }
  },
  "secrets": { "provider": "file" },
  "database": { "kind": "external", "url": { "secret": "DATABASE_URL" } },
  "protection": { "requireApproval": false, "allowDirtyReleases": true, "allowedDeployers": [] },
  "notifications": [],
  "retention": { "releases": 5 }
}
EOF
  mv -- "$environment_dir/.environment.json.tmp" "$environment_dir/environment.json"
  echo "wrote infra/environments/$name/environment.json"

  # The secrets go in through the build's own mechanism (standard input, never an argument), then the key file goes.
  build Secrets --environment "$name" --set SSH_PRIVATE_KEY < "$state/client" > /dev/null
  rm -f -- "$state/client"
  printf 'postgresql://postgres:%s@127.0.0.1:%s/postgres?sslmode=disable' "$password" "$pg_port" |
    build Secrets --environment "$name" --set DATABASE_URL > /dev/null
  head -c 32 /dev/urandom | base64 | tr -d '\n' | build Secrets --environment "$name" --set DEFAULT_WEBHOOK_SECRET > /dev/null
  echo "stored SSH_PRIVATE_KEY, DATABASE_URL, DEFAULT_WEBHOOK_SECRET in .deploy/$name/secrets.json (encrypted, 0600)"
  echo "next: ./build.sh Deploy --environment $name; then curl http://127.0.0.2:$edge_port/health"
}

# Ends, by pid, the processes whose command line names this environment's state folder (the releases and edges the
# hosts' sessions started, detached), waiting at most 10 s before KILL.
end_processes_under() {
  local folder="$1" pid pids=() attempt
  for pid in /proc/[0-9]*; do
    pid="${pid#/proc/}"
    [[ $pid -eq $$ ]] && continue
    if tr '\0' ' ' 2> /dev/null < "/proc/$pid/cmdline" | grep -qF -- "$folder"; then
      pids+=("$pid")
    fi
  done
  [[ ${#pids[@]} -eq 0 ]] && return 0
  kill -TERM "${pids[@]}" 2> /dev/null || true
  for attempt in $(seq 1 100); do
    kill -0 "${pids[@]}" 2> /dev/null || return 0
    : "$attempt"
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2> /dev/null || true
}

stop() {
  local name="${1:-loopback}"
  check_name "$name"
  local environment_dir="$ROOT/infra/environments/$name" state="$ROOT/.deploy/$name/loopback" pidfile
  [[ -e $environment_dir || -e $state ]] || die "no environment '$name' to stop (neither $environment_dir nor $state exists)."
  if [[ -f $environment_dir/environment.json && -d $state ]]; then
    # The build stops what runs on the hosts (drained releases, edges) while their servers still answer.
    build Stop --environment "$name" > /dev/null 2>&1 || echo "loopback-hosts: ./build.sh Stop --environment $name failed; ending the processes directly." >&2
  fi
  end_processes_under "$state/host"
  for pidfile in "$state"/host*/sshd.pid; do
    if [[ -f $pidfile ]]; then
      kill -TERM "$(cat -- "$pidfile")" 2> /dev/null || true
    fi
  done
  if [[ -f $state/postgres/data/postmaster.pid ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$state/postgres/data" -m fast -w stop > /dev/null || true
  fi
  rm -rf -- "$environment_dir" "$ROOT/.deploy/$name"
  echo "stopped and removed the environment '$name'"
}

case "${1:-}" in
  start) shift && start "$@" ;;
  stop) shift && stop "$@" ;;
  *) usage ;;
esac
