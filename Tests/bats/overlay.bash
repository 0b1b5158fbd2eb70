# Several hosts on one machine, for the overlay scenarios. The test's
# throwaway host (HOST_PID) is the lab: it holds the underlay, a bridge
# `under0` with 192.0.2.100/24 (TEST-NET-1), and etcd, on its own data
# directory on the lab's tmpfs. Host N is a network and mount namespace of
# its own, made inside the lab, with tmpfs over cnet's and iproute2's
# directories (its own store, run directory, named namespaces), and `eth0`
# 192.0.2.N/24 on the underlay through a veth whose lab end is `hN-e`.
# Nothing leaves the lab: its namespaces go with it.

ETCD_URL=http://192.0.2.100:2379
declare -gA HOST_OF AGENT_OF

lab_up() {
  in_host ip link add under0 type bridge
  in_host ip addr add 192.0.2.100/24 dev under0
  in_host ip link set under0 up
}

# etcd_start [NAME [CLIENT_IP [INITIAL_CLUSTER]]]: one member (the lab's, by
# default), data on the lab's tmpfs; waits until it answers.
etcd_start() {
  local name=${1:-e} ip=${2:-192.0.2.100} cluster=${3:-}
  local where=()
  [ -n "${HOST_OF[$name]:-}" ] && where=(nsenter --target "${HOST_OF[$name]}" --net --mount --)
  [ -n "$cluster" ] || cluster="$name=http://$ip:2380"
  in_host_bg "${where[@]}" etcd --name "$name" --data-dir "/run/cnet/etcd-$name" \
    --listen-client-urls "http://$ip:2379" --advertise-client-urls "http://$ip:2379" \
    --listen-peer-urls "http://$ip:2380" --initial-advertise-peer-urls "http://$ip:2380" \
    --initial-cluster "$cluster" --initial-cluster-state new --log-level error
  ETCD_PID=$LAST_PID
  ETCD_PIDS+=("$LAST_PID")
  [ -n "${3:-}" ] && return 0
  etcd_wait "http://$ip:2379"
}

etcd_wait() {
  local i
  for i in $(seq 1 100); do
    in_host etcdctl --endpoints "$1" --command-timeout=1s endpoint health >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "etcd at $1 did not answer" >&2
  return 1
}

# add_host N [UNDERLAY_MTU]
add_host() {
  local n=$1 mtu=${2:-1500}
  in_host_bg unshare --net --mount --propagation private -- sh -c "
    for d in $STATE_DIRS; do mount -t tmpfs -o mode=0755 cnet-host$n \$d; done
    ip link set lo up
    exec sleep infinity"
  local pid=$LAST_PID i
  for i in $(seq 1 200); do
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break
    sleep 0.01
  done
  HOST_OF[$n]=$pid
  in_host ip link add "h$n-e" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "/proc/$pid/ns/net"
  in_host ip link set "h$n-e" master under0 up
  on "$n" ip addr add "192.0.2.$n/24" dev eth0
  on "$n" ip link set eth0 up
}

# on N COMMAND...: runs COMMAND on host N.
on() {
  local n=$1
  shift
  timeout 60 nsenter --target "${HOST_OF[$n]}" --net --mount -- "$@"
}

# cnet_on N ARGS...
cnet_on() {
  local n=$1
  shift
  on "$n" "$CNET_BIN" "$@"
}

# join N [ARGS...]: cnet cluster join, then the host's agent in the
# background (its log in the test's directory).
join() {
  local n=$1
  shift
  cnet_on "$n" cluster join "$ETCD_URL" --advertise "192.0.2.$n" --name "h$n" "$@" >/dev/null
  start_agent "$n"
}

start_agent() {
  local n=$1
  nsenter --target "${HOST_OF[$n]}" --net --mount -- "$CNET_BIN" agent \
    </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/agent$n.log" &
  AGENT_OF[$n]=$!
  BG_PIDS+=("$!")
}

stop_agent() {
  local n=$1
  kill -TERM "${AGENT_OF[$n]}" 2>/dev/null || true
  wait "${AGENT_OF[$n]}" 2>/dev/null || true
}

kill_agent() {
  kill -KILL "${AGENT_OF[$1]}" 2>/dev/null || true
  wait "${AGENT_OF[$1]}" 2>/dev/null || true
}

# ip_of N SANDBOX: the sandbox's overlay address (eth0).
ip_of() {
  on "$1" ip netns exec "$2" ip -4 -o addr show eth0 | awk '{ print $4 }' | cut -d/ -f1
}

# The static entries of every overlay network's VXLAN device on host N,
# one per line ("neighbour IP MAC" and "fdb MAC VTEP").
entries_on() {
  on "$1" sh -c '
    for ns in /run/cnet/overlay/*; do
      [ -e "$ns" ] || continue
      nsenter --net="$ns" ip neigh show nud permanent | awk "{ print \"neighbour\", \$1, \$5 }"
      nsenter --net="$ns" bridge fdb show | awk "/ dst / && / self permanent/ { print \"fdb\", \$1, \$5 }"
    done' | sort
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds.
wait_for() {
  local seconds=$1 i
  shift
  for i in $(seq 1 $((seconds * 20))); do
    "$@" && return 0
    sleep 0.05
  done
  "$@"
}

# Every host's processes go first (their namespaces with them), then the lab.
teardown() {
  local n p mnt
  for n in "${!HOST_OF[@]}"; do
    mnt=$(readlink "/proc/${HOST_OF[$n]}/ns/mnt" 2>/dev/null || true)
    [ -n "$mnt" ] || continue
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
  done
  stop_host
}

# exited PID: the process is gone (or a zombie its parent has not waited for).
exited() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null || true)
  [ -z "$state" ] || [[ "$state" == Z* ]]
}
# has_entry N PATTERN / lacks_entry N PATTERN: about entries_on N.
has_entry() { entries_on "$1" | grep -q -- "$2"; }
lacks_entry() { ! entries_on "$1" | grep -q -- "$2"; }
# count_entries N PATTERN EXPECTED
count_entries() { [ "$(entries_on "$1" | grep -c -- "$2")" = "$3" ]; }
# host_state N NAME STATE: cluster ls on host N says NAME is STATE.
host_state() {
  [ "$(cnet_on "$1" cluster ls --json | jq -r --arg n "$2" '.[] | select(.Name == $n) | .State')" = "$3" ]
}
# network_listed N NAME / network_gone N NAME: network ls on host N shows it, or no longer.
network_listed() { cnet_on "$1" network ls | grep -q " $2 "; }
network_gone() { ! cnet_on "$1" network ls | grep -q " $2 "; }
# says N TEXT: cluster ls on host N prints TEXT.
says() { cnet_on "$1" cluster ls | grep -qF -- "$2"; }
# answers N SANDBOX ADDRESS: a ping from the sandbox gets an answer.
answers() { on "$1" ip netns exec "$2" ping -c 1 -W 1 "$3" >/dev/null 2>&1; }
# in_overlay N COMMAND...: in host N's (one) overlay network namespace.
in_overlay() {
  local n=$1
  shift
  on "$n" sh -c 'nsenter --net="$(echo /run/cnet/overlay/ov-*)" "$@"' sh "$@"
}
