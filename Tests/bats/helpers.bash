# Shared set-up for the CLI scenarios: every test gets a throwaway host of
# its own (network + mount namespaces, tmpfs over every state directory),
# drives the built binary the way a user's script does, and takes the
# host down afterwards, whatever happened (netavark's test/helpers.bash
# does the same).

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CNET_BIN=${CNET_BIN:-$REPO/.build/debug/cnet}
STATE_DIRS="/var/run/netns /etc/netns /var/lib/cnet /run/cnet"
BG_PIDS=()

# Directories a test file also wants private to each host (a tmpfs each);
# set before setup runs.
EXTRA_DIRS=${EXTRA_DIRS:-}

start_host() {
  [ -x "$CNET_BIN" ] || { echo "no cnet binary at $CNET_BIN (run swift build)" >&2; return 1; }
  local dirs="$STATE_DIRS $EXTRA_DIRS"
  for d in $dirs; do mkdir -p "$d"; done
  unshare --net --mount --propagation private -- /bin/sh -c "
    for d in $dirs; do mount -t tmpfs -o mode=0755 cnet-throwaway \$d; done
    ip link set lo up
    exec sleep infinity" </dev/null >/dev/null 2>&1 &
  HOST_PID=$!
  # Teardown kills it; disowned, the shell does not report that.
  disown "$HOST_PID"
  local i
  for i in $(seq 1 500); do
    [ "$(cat /proc/$HOST_PID/comm 2>/dev/null)" = sleep ] && return 0
    sleep 0.01
  done
  echo "the throwaway host did not start" >&2
  return 1
}

stop_host() {
  local p mnt
  for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  mnt=$(readlink "/proc/$HOST_PID/ns/mnt" 2>/dev/null || true)
  if [ -n "$mnt" ]; then
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  fi
  kill -9 "$HOST_PID" 2>/dev/null || true
  # Wait until the host's namespaces are gone with their last process.
  local i
  for i in $(seq 1 200); do
    kill -0 "$HOST_PID" 2>/dev/null || break
    sleep 0.01
  done
  wait 2>/dev/null || true
}

setup() { start_host; }

teardown() { stop_host; }

# eventually COMMAND...: COMMAND succeeds within 3 s (what the kernel does
# in the background: reaping a deleted namespace's links).
eventually() {
  local i
  for i in $(seq 1 30); do
    "$@" && return 0
    sleep 0.1
  done
  echo "still failing after 3 s: $*" >&2
  return 1
}

# Waits (up to 10 s) for a Unix socket to appear in the host.
wait_for_socket() {
  local i
  for i in $(seq 1 200); do
    in_host test -S "$1" && return 0
    sleep 0.05
  done
  echo "no socket at $1" >&2
  return 1
}

# Runs a command inside the throwaway host, with a time limit.
in_host() {
  timeout 30 nsenter --target "$HOST_PID" --net --mount -- "$@"
}

# cnet as the user types it, inside the throwaway host.
cnet() {
  in_host "$CNET_BIN" "$@"
}

# Starts a background process in the host; teardown kills it.
in_host_bg() {
  nsenter --target "$HOST_PID" --net --mount -- "$@" </dev/null >/dev/null 2>&1 &
  LAST_PID=$!
  BG_PIDS+=("$LAST_PID")
}

# Asserts the last `run` exited with $1 and printed one line on stderr
# matching the pattern $2.
assert_fails() {
  local want=$1 pattern=$2
  if [ "$status" -ne "$want" ]; then
    echo "exit status $status, expected $want; stderr: $stderr" >&2
    return 1
  fi
  if [ "$(printf '%s\n' "$stderr" | wc -l)" -ne 1 ]; then
    echo "expected one line on stderr, got: $stderr" >&2
    return 1
  fi
  if ! [[ "$stderr" =~ $pattern ]]; then
    echo "stderr '$stderr' does not match '$pattern'" >&2
    return 1
  fi
}

assert_success() {
  if [ "$status" -ne 0 ]; then
    echo "exit status $status; output: $output; stderr: ${stderr:-}" >&2
    return 1
  fi
}


# The store, read the way a user would with sqlite3 (readers never wait).
store() {
  in_host sqlite3 -cmd ".timeout 5000" /var/lib/cnet/cnet.db "$@"
}

# Everything cnet keeps, to compare before and after a refused command:
# the store, link names, IPv4 addresses, namespaces and files (link states
# are left out: they settle by themselves after a connect).
cnet_state() {
  in_host sh -c 'sqlite3 -cmd ".timeout 5000" /var/lib/cnet/cnet.db .dump 2>/dev/null | grep -v "^INSERT INTO meta"
    ip -o link show | cut -d: -f2; ip -o -4 addr show | cut -d" " -f2,7; ip netns list
    ls -R /etc/netns /run/cnet/hosts 2>/dev/null; cat /run/cnet/hosts/* 2>/dev/null'
}

# The kernel and the store, as a refused command must leave them, byte for
# byte: the store; every link of the host and of every named namespace with
# its flags, MAC, carrier, master and details (less the timers, which count
# by themselves); addresses; routes of every table; the nftables ruleset,
# iptables' and ip6tables' rules (less their counters); namespaces; cnet's
# files (less their times: a refused command that made a file and took it
# away again leaves its directory's time changed, and `ls -l` showed it
# once the minute had turned).
kernel_snapshot() {
  in_host sh -c '
    [ ! -e /var/lib/cnet/cnet.db ] || sqlite3 -cmd ".timeout 5000" /var/lib/cnet/cnet.db .dump 2>/dev/null
    for ns in "" $(ip netns list | cut -d" " -f1); do
      echo "== netns $ns"
      ip ${ns:+-n "$ns"} -d -o link show | sed -E "s/[a-z_]+_timer +[0-9.]+//g"
      ip ${ns:+-n "$ns"} -o addr show
      ip ${ns:+-n "$ns"} -4 route show table all
      ip ${ns:+-n "$ns"} -6 route show table all
    done
    nft list ruleset 2>/dev/null | sed -E "s/counter packets [0-9]+ bytes [0-9]+/counter/"
    iptables-save 2>/dev/null | grep -v "^#" | sed -E "s/\[[0-9]+:[0-9]+\]//"
    ip6tables-save 2>/dev/null | grep -v "^#" | sed -E "s/\[[0-9]+:[0-9]+\]//"
    ls -lR --time-style=+ /etc/netns /run/cnet 2>/dev/null
    cat /run/cnet/hosts/* /etc/netns/*/* 2>/dev/null; true'
}

# The snapshot once it has stopped changing by itself for 2 s (a new
# link's carrier, and a bridge's link-local address going through duplicate
# detection, settle within seconds of a change); up to 15 s.
settled_snapshot() {
  local previous current i same=0
  previous=$(kernel_snapshot)
  for i in $(seq 1 30); do
    sleep 0.5
    current=$(kernel_snapshot)
    if [ "$current" = "$previous" ]; then
      same=$((same + 1))
      [ "$same" -ge 4 ] && break
    else
      same=0
    fi
    previous=$current
  done
  printf '%s\n' "$current"
}

# assert_refused STATUS PATTERN ARGS...: cnet ARGS fails with one line
# matching PATTERN, and the kernel and the store are as they were: as
# $BEFORE holds them (set it with settled_snapshot).
assert_refused() {
  local want=$1 pattern=$2
  shift 2
  run --separate-stderr cnet "$@"
  assert_fails "$want" "$pattern"
  local after
  after=$(kernel_snapshot)
  [ "$after" = "$BEFORE" ] || {
    echo "state changed after: cnet $*" >&2
    diff <(echo "$BEFORE") <(echo "$after") >&2
    return 1
  }
}
