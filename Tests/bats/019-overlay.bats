#!/usr/bin/env bats
# Overlay networks across hosts: three hosts (network and mount namespaces
# of their own) on one underlay, a real etcd (Debian's), cnet's agent on
# each. Each scenario is one of the failures libnetwork's overlay and
# flannel users reported for years (../shared/reference/overlay-etcd.md).

load helpers
load overlay

setup() {
  start_host
  ETCD_PIDS=()
  lab_up
}

three_hosts() {
  etcd_start
  add_host 1
  add_host 2
  add_host 3
  join 1
  join 2
  join 3
}

@test "overlay: three hosts reach each other; names, VNIs and scope are the cluster's; rm waits for every host" {
  three_hosts
  run cnet_on 1 cluster ls --json
  [ "$(echo "$output" | jq -r '[.[] | select(.State == "alive")] | length')" = 3 ]
  cnet_on 1 network create ov --driver overlay --subnet 10.200.0.0/24 -o vxlan.id=4242 >/dev/null
  # Names and VNIs are the cluster's.
  run --separate-stderr cnet_on 2 network create ov -d overlay --subnet 10.201.0.0/24
  # Host 2's store may have it already (its agent took it in), or not yet.
  assert_fails 3 '^cnet: network "ov" (already exists|exists in the cluster \(id [0-9a-f]{12}\))$'
  run --separate-stderr cnet_on 3 network create other -d overlay --subnet 10.200.0.128/25
  assert_fails 4 '^cnet: subnet 10.200.0.128/25 overlaps 10.200.0.0/24 of (overlay )?network "ov"$'
  run --separate-stderr cnet_on 3 network create other -d overlay -o vxlan.id=4242
  assert_fails 4 'VXLAN id 4242 is taken'
  for n in 1 2 3; do cnet_on "$n" connect ov "s$n"; done
  run cnet_on 3 network ls
  [[ "$output" == *"ov "*"overlay"*"global"*"10.200.0.0/24"* ]]
  [ "$(cnet_on 2 network inspect ov --json | jq -r '.[0].Scope')" = global ]
  local a b
  for a in 1 2 3; do
    for b in 1 2 3; do
      [ "$a" = "$b" ] && continue
      on "$a" ip netns exec "s$a" ping -c 1 -W 2 "$(ip_of "$b" "s$b")" >/dev/null
    done
  done
  # The VXLAN device: the given VNI, the cluster's port, static entries only.
  run in_overlay 1 ip -d link show type vxlan
  [[ "$output" == *"vxlan id 4242 local 192.0.2.1"*"dstport 4789 nolearning proxy"* ]]
  run --separate-stderr cnet_on 1 network rm ov
  assert_fails 4 '^cnet: network "ov" has endpoints'
  for n in 1 2 3; do cnet_on "$n" disconnect ov "s$n"; done
  cnet_on 2 network rm ov >/dev/null
  wait_for 5 network_gone 1 ov
  # Nothing left: no overlay namespace, no sandbox, no cluster key of it.
  for n in 1 2 3; do
    [ -z "$(on "$n" ls /run/cnet/overlay 2>/dev/null)" ]
    [ -z "$(on "$n" ip netns list)" ]
  done
  [ -z "$(in_host etcdctl --endpoints "$ETCD_URL" get --prefix --keys-only /cnet/v1/networks/)" ]
  [ -z "$(in_host etcdctl --endpoints "$ETCD_URL" get --prefix --keys-only /cnet/v1/ipam/)" ]
}

@test "overlay MTU: the underlay's less 50, the same on every link; DF pings of MTU-28 pass, MTU-27 fail" {
  etcd_start
  add_host 1 1400
  add_host 2 1400
  join 1
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.202.0.0/24 >/dev/null
  # Host 2's agent takes it in.
  wait_for 5 network_listed 2 ov
  [ "$(cnet_on 2 network inspect ov --json | jq -r '.[0].MTU')" = 1350 ]
  cnet_on 1 connect ov a
  cnet_on 2 connect ov b
  [ "$(on 1 ip netns exec a cat /sys/class/net/eth0/mtu)" = 1350 ]
  run in_overlay 2 ip -o link
  [[ "$output" == *"br0"*"mtu 1350"* ]]
  [[ "$output" == *"vx-"*"mtu 1350"* ]]
  [[ "$output" == *"ve"*"mtu 1350"* ]]
  local peer
  peer=$(ip_of 2 b)
  on 1 ip netns exec a ping -c 1 -W 2 -M do -s $((1350 - 28)) "$peer" >/dev/null
  run on 1 ip netns exec a ping -c 1 -W 2 -M do -s $((1350 - 27)) "$peer"
  [ "$status" -ne 0 ]
}

@test "overlay: a dead host's entries are gone from the others within 2 s of its lease's end" {
  etcd_start
  add_host 1
  add_host 2
  add_host 3
  join 1
  join 2
  join 3 --ttl 5
  cnet_on 1 network create ov -d overlay --subnet 10.203.0.0/24 >/dev/null
  for n in 1 2 3; do cnet_on "$n" connect ov "s$n"; done
  local lost
  lost=$(ip_of 3 s3)
  wait_for 5 has_entry 1 "$lost"
  # Host 3 dies: its agent killed, its link cut.
  kill_agent 3
  in_host ip link set h3-e down
  # Its lease ends within its TTL (5 s; etcd may take a second more); then
  # the others drop its entries.
  wait_for 9 lacks_entry 1 "$lost"
  wait_for 1 lacks_entry 2 "$lost"
  run cnet_on 1 cluster ls --json
  [ "$(echo "$output" | jq -r '.[] | select(.Name == "h3") | .State')" = gone ]
  on 1 ip netns exec s1 ping -c 1 -W 2 "$(ip_of 2 s2)" >/dev/null
}

@test "overlay: an address that moves to another host is found there (entries replaced, not added)" {
  three_hosts
  cnet_on 1 network create ov -d overlay --subnet 10.204.0.0/24 >/dev/null
  cnet_on 3 connect ov watcher
  cnet_on 1 connect ov mover --ip 10.204.0.50
  wait_for 5 has_entry 3 'fdb 02:42:0a:cc:00:32 192.0.2.1'
  cnet_on 1 disconnect ov mover
  cnet_on 2 connect ov mover --ip 10.204.0.50
  wait_for 5 has_entry 3 'fdb 02:42:0a:cc:00:32 192.0.2.2'
  [ "$(entries_on 3 | grep -c '02:42:0a:cc:00:32')" = 2 ]
  on 3 ip netns exec watcher ping -c 1 -W 2 10.204.0.50 >/dev/null
}

@test "overlay: 3 hosts x 30 parallel connects on one network: 90 distinct addresses, no failure" {
  three_hosts
  cnet_on 1 network create ov -d overlay --subnet 10.205.0.0/24 >/dev/null
  local n i pids=()
  for n in 1 2 3; do
    for i in $(seq 1 30); do
      cnet_on "$n" connect ov "p$n-$i" >/dev/null 2>"$BATS_TEST_TMPDIR/err$n-$i" &
      pids+=($!)
    done
  done
  local failed=0
  for i in "${pids[@]}"; do wait "$i" || failed=$((failed + 1)); done
  [ "$failed" -eq 0 ] || { cat "$BATS_TEST_TMPDIR"/err* >&2; false; }
  local addresses
  addresses=$(in_host etcdctl --endpoints "$ETCD_URL" get --prefix --keys-only /cnet/v1/endpoints/ | grep -c .)
  [ "$addresses" = 90 ]
  run in_host sh -c "etcdctl --endpoints $ETCD_URL get --prefix /cnet/v1/endpoints/ --print-value-only | jq -r .ip | sort -u | wc -l"
  [ "$output" = 90 ]
}

@test "overlay: two hosts creating one name at once: one network, the other told" {
  etcd_start
  add_host 1
  add_host 2
  join 1
  join 2
  cnet_on 1 network create race -d overlay >"$BATS_TEST_TMPDIR/out1" 2>"$BATS_TEST_TMPDIR/err1" &
  local first=$!
  cnet_on 2 network create race -d overlay >"$BATS_TEST_TMPDIR/out2" 2>"$BATS_TEST_TMPDIR/err2" &
  local second=$!
  local ok=0
  wait "$first" && ok=$((ok + 1)) || true
  wait "$second" && ok=$((ok + 1)) || true
  [ "$ok" = 1 ]
  grep -hE 'exists in the cluster|"race" already exists' "$BATS_TEST_TMPDIR"/err1 "$BATS_TEST_TMPDIR"/err2 || { cat "$BATS_TEST_TMPDIR"/err* >&2; false; }
  run in_host etcdctl --endpoints "$ETCD_URL" get --prefix /cnet/v1/networks/
  [ "$(grep -c '^/cnet/v1/networks/' <<<"$output")" = 1 ] || { cat "$BATS_TEST_TMPDIR"/agent*.log >&2; false; }
  # The loser's rollback left the winner's gateway address owned.
  [ -n "$(in_host etcdctl --endpoints "$ETCD_URL" get --prefix --keys-only /cnet/v1/ipam/)" ]
}

@test "overlay: etcd down: traffic flows, overlay changes fail within 5 s and change nothing, bridges work; then it recovers" {
  etcd_start
  add_host 1
  add_host 2
  join 1
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.206.0.0/24 >/dev/null
  cnet_on 1 connect ov a
  cnet_on 2 connect ov b
  local peer
  peer=$(ip_of 2 b)
  kill -STOP "$ETCD_PID"
  on 1 ip netns exec a ping -c 1 -W 2 "$peer" >/dev/null
  local before after start
  before=$(on 1 sqlite3 /var/lib/cnet/cnet.db .dump)
  start=$(date +%s)
  run --separate-stderr cnet_on 1 connect ov c
  assert_fails 1 '^cnet: etcd \(http://192.0.2.100:2379\) is unreachable'
  [ $(($(date +%s) - start)) -le 6 ]
  run --separate-stderr cnet_on 2 disconnect ov b
  assert_fails 1 'is unreachable'
  after=$(on 1 sqlite3 /var/lib/cnet/cnet.db .dump)
  [ "$before" = "$after" ]
  # Local networks never wait on etcd.
  cnet_on 1 network create local --subnet 10.90.0.0/24 >/dev/null
  cnet_on 1 connect local x
  cnet_on 1 connect local y
  on 1 ip netns exec x ping -c 1 -W 2 "$(on 1 ip netns exec y ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)" >/dev/null
  kill -CONT "$ETCD_PID"
  cnet_on 1 connect ov c
  on 2 ip netns exec b ping -c 1 -W 2 "$(ip_of 1 c)" >/dev/null
}

@test "overlay: an agent restarted, a device deleted behind cnet's back, a watch behind compaction: it converges" {
  three_hosts
  cnet_on 1 network create ov -d overlay --subnet 10.207.0.0/24 >/dev/null
  cnet_on 1 connect ov a
  cnet_on 2 connect ov b
  # Host 2's agent stops; changes and a compaction happen meanwhile.
  stop_agent 2
  cnet_on 3 connect ov c
  cnet_on 3 connect ov d
  cnet_on 3 disconnect ov d
  local revision
  revision=$(in_host etcdctl --endpoints "$ETCD_URL" endpoint status -w json | jq -r '.[0].Status.header.revision')
  in_host etcdctl --endpoints "$ETCD_URL" compact "$revision" >/dev/null
  start_agent 2
  wait_for 5 has_entry 2 "$(ip_of 3 c)"
  # Exactly the remote endpoints: a's and c's, no stale d.
  wait_for 5 count_entries 2 neighbour 2
  # A device deleted behind cnet's back comes back with the next join.
  local device
  device=$(in_overlay 1 ip -o link show type vxlan | awk -F': ' '{ print $2 }' | cut -d@ -f1)
  in_overlay 1 ip link del "$device"
  cnet_on 1 connect ov e
  wait_for 12 answers 1 e "$(ip_of 2 b)"
  on 1 ip netns exec a ping -c 1 -W 2 "$(ip_of 3 c)" >/dev/null
  # A publication of host 1's whose endpoint its store does not have (a
  # connect that died between its claim and its commit): host 1's agent
  # withdraws it, and host 2 drops its entries.
  local host lease network key
  host=$(on 1 jq -r .hostID /var/lib/cnet/cluster.json)
  lease=$(printf '%x' "$(on 1 head -n 1 /run/cnet/cluster-lease)")
  network=$(cnet_on 1 network inspect ov --json | jq -r '.[0].Id')
  key="/cnet/v1/endpoints/$network/ffffffffffff0000000000000000000000000000000000000000000000000000"
  in_host etcdctl --endpoints "$ETCD_URL" put --lease="$lease" "$key" \
    "{\"host\":\"$host\",\"ip\":\"10.207.0.250\",\"mac\":\"02:42:0a:cf:00:fa\",\"name\":\"ghost\",\"vtep\":\"192.0.2.1\"}" >/dev/null
  wait_for 5 has_entry 2 10.207.0.250
  wait_for 15 lacks_entry 2 10.207.0.250
  [ -z "$(in_host etcdctl --endpoints "$ETCD_URL" get "$key")" ]
}

@test "overlay: a cluster on port 8472; a host asking for another port is refused" {
  etcd_start
  add_host 1
  add_host 2
  join 1 --vxlan-port 8472
  run --separate-stderr cnet_on 2 cluster join "$ETCD_URL" --advertise 192.0.2.2 --vxlan-port 4789
  assert_fails 4 '^cnet: the cluster.s VXLAN port is 8472; this host asked for 4789$'
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.208.0.0/24 >/dev/null
  cnet_on 1 connect ov a
  cnet_on 2 connect ov b
  run in_overlay 2 ip -d link show type vxlan
  [[ "$output" == *"dstport 8472"* ]]
  on 2 ip netns exec b ping -c 1 -W 2 "$(ip_of 1 a)" >/dev/null
}

@test "overlay: a sandbox reaches the outside and publishes a port through cnet_gwbridge" {
  etcd_start
  add_host 1
  add_host 2
  join 1
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.209.0.0/24 >/dev/null
  cnet_on 1 connect ov web -p 8080:80
  run on 1 ip netns exec web ip route
  [[ "$output" == *"default via 172."*"dev eth1"* ]]
  # Egress: the lab's underlay address, through NAT on host 1.
  on 1 ip netns exec web ping -c 1 -W 2 192.0.2.100 >/dev/null
  # A published port, from host 2 over the underlay.
  in_host_bg nsenter --target "${HOST_OF[1]}" --net --mount -- ip netns exec web socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello'
  wait_for 5 sh -c "nsenter --target ${HOST_OF[2]} --net --mount -- socat -T 2 - TCP:192.0.2.1:8080 </dev/null | grep -q hello"
  # Its names are the overlay network's: the gateway bridge gives none.
  run on 1 readlink /etc/netns/web/hosts
  [ "$output" = "/run/cnet/hosts/$(cnet_on 1 network inspect ov --json | jq -r '.[0].Id')" ]
  run on 1 cat /etc/netns/web/hosts
  [[ "$output" == *"$(ip_of 1 web)"*web* ]]
  [[ "$output" != *172.* ]]
  cnet_on 1 disconnect ov web
  # Its gateway endpoint goes with it, and the sandbox.
  [ -z "$(on 1 ip netns list)" ]
  [ "$(cnet_on 1 endpoint ls --json | jq length)" = 0 ]
}

@test "overlay: a host cut off past its grace loses its address; back, it is in conflict and publishes nothing" {
  etcd_start
  add_host 1
  add_host 2
  join 1 --ttl 5
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.210.0.0/24 >/dev/null
  cnet_on 1 connect ov old --ip 10.210.0.9
  # Host 1 is cut off; its lease ends; an agent notes it gone.
  in_host ip link set h1-e down
  wait_for 12 host_state 2 h1 gone
  sleep 2
  run cnet_on 2 gc --grace 1s
  [[ "$output" == *"free address 10.210.0.9 of host h1"* ]]
  cnet_on 2 connect ov new --ip 10.210.0.9
  # Host 1 returns: its agent registers again and finds the address taken.
  in_host ip link set h1-e up
  wait_for 20 says 1 'conflict: old (10.210.0.9)'
  run in_host sh -c "etcdctl --endpoints $ETCD_URL get --prefix /cnet/v1/endpoints/ --print-value-only | jq -r .name"
  [[ "$output" == *new* ]]
  [[ "$output" != *old* ]]
}

@test "overlay: a three-member etcd losing one member keeps working" {
  add_host 1
  add_host 2
  add_host 3
  local cluster="m1=http://192.0.2.1:2380,m2=http://192.0.2.2:2380,m3=http://192.0.2.3:2380"
  HOST_OF[m1]=${HOST_OF[1]}
  HOST_OF[m2]=${HOST_OF[2]}
  HOST_OF[m3]=${HOST_OF[3]}
  etcd_start m1 192.0.2.1 "$cluster"
  etcd_start m2 192.0.2.2 "$cluster"
  etcd_start m3 192.0.2.3 "$cluster"
  etcd_wait http://192.0.2.1:2379
  ETCD_URL=http://192.0.2.1:2379,http://192.0.2.2:2379,http://192.0.2.3:2379
  join 1
  join 2
  cnet_on 1 network create ov -d overlay --subnet 10.211.0.0/24 >/dev/null
  cnet_on 1 connect ov a
  # The first member goes.
  kill -9 "${ETCD_PIDS[0]}"
  cnet_on 2 connect ov b
  on 2 ip netns exec b ping -c 1 -W 2 "$(ip_of 1 a)" >/dev/null
  cnet_on 1 disconnect ov a
}

@test "overlay: an internal network has no way out; leave is refused while endpoints are here; the agent stops on SIGTERM" {
  etcd_start
  add_host 1
  add_host 2
  join 1
  join 2
  cnet_on 1 network create iov -d overlay --internal --subnet 10.209.0.0/24 >/dev/null
  cnet_on 1 connect iov a
  cnet_on 2 connect iov b
  wait_for 5 answers 1 a "$(ip_of 2 b)"
  # Internal: eth0 only, no default route, no gateway bridge.
  [ "$(on 1 ip netns exec a ip -o link show | grep -vc ': lo:')" = 1 ]
  [ -z "$(on 1 ip netns exec a ip route show default)" ]
  ! cnet_on 1 network ls | grep -q cnet_gwbridge
  run --separate-stderr cnet_on 1 cluster leave
  assert_fails 4 'endpoints'
  kill -TERM "${AGENT_OF[1]}"
  local status=0
  wait "${AGENT_OF[1]}" || status=$?
  [ "$status" = 0 ]
  grep -q 'stopped' "$BATS_TEST_TMPDIR/agent1.log"
  cnet_on 1 disconnect iov a
  start_agent 1
  wait_for 5 grep -q 'alive in the cluster' "$BATS_TEST_TMPDIR/agent1.log"
  cnet_on 1 cluster leave
  # Its agent stops by itself; the others see it leave, and nothing is left of it.
  wait_for 10 exited "${AGENT_OF[1]}"
  run cnet_on 2 cluster ls --json
  [ "$(echo "$output" | jq -r '[.[] | select(.Name == "h1")] | length')" = 0 ]
  [ "$(in_host etcdctl --endpoints "$ETCD_URL" get --prefix --keys-only /cnet/v1/hosts/ | grep -c .)" = 1 ]
}
