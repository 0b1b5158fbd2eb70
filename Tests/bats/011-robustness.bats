#!/usr/bin/env bats
# Bad input changes nothing; parallel scripts; kill -9 and gc; boot; the lock.

load helpers

@test "bad input: one line, its exit status, and no change to kernel or store" {
  # A host as Docker leaves it (DOCKER-USER, FORWARD dropping), so that
  # cnet's accepts there are part of what must not change.
  in_host iptables -N DOCKER-USER
  in_host iptables -A DOCKER-USER -j RETURN
  in_host iptables -I FORWARD -j DOCKER-USER
  in_host iptables -P FORWARD DROP
  cnet network create n1 --subnet 10.50.0.0/24 --ip-range 10.50.0.128/25 >/dev/null
  cnet network create n6 --subnet 10.52.0.0/24 --subnet fd00:52::/64 >/dev/null
  cnet connect n1 web -p 8080:80
  cnet connect n6 web
  cnet endpoint create n1 kept >/dev/null
  # A bridge with no port yet: a port added and removed again would leave
  # it with that port's MAC.
  cnet network create empty --subnet 10.53.0.0/24 >/dev/null
  in_host ip link add br9 type bridge
  BEFORE=$(settled_snapshot)
  check() { assert_refused "$@"; }
  check 2 '^cnet: network "nope" not found$' connect nope x
  check 2 '^cnet: network "nope" not found$' endpoint create nope e
  check 2 '^cnet: endpoint "nope" not found$' endpoint join nope web
  check 2 '^cnet: sandbox "nope" not found$' disconnect n1 nope
  check 2 '^cnet: sandbox "nope" not found$' sandbox rm nope
  check 64 'invalid --ip "10.50.0.300"' connect n1 x --ip 10.50.0.300
  check 64 '^cnet: address 10.51.0.9 is not in 10.50.0.0/24 of network "n1"$' connect n1 x --ip 10.51.0.9
  check 64 '^cnet: address 10.51.0.9 is not in 10.53.0.0/24 of network "empty"$' connect empty s1 --ip 10.51.0.9
  check 64 '^cnet: address 10.53.0.1 is the gateway of network "empty"$' connect empty s1 --ip 10.53.0.1
  check 64 '^cnet: address 10.50.0.1 is the gateway of network "n1"$' connect n1 x --ip 10.50.0.1
  check 64 '^cnet: address 10.50.0.0 is the network address of 10.50.0.0/24$' connect n1 x --ip 10.50.0.0
  check 64 '^cnet: address 10.50.0.255 is the broadcast address of 10.50.0.0/24$' connect n1 x --ip 10.50.0.255
  check 4 '^cnet: address 10.50.0.128 is already in use in 10.50.0.0/24$' connect n1 x --ip 10.50.0.128
  check 64 'is the gateway of network "n6"' connect n6 x --ip6 fd00:52::1
  check 64 'is not in fd00:52::/64' connect n6 x --ip6 fd00:53::9
  check 64 'is not an IPv6 address' connect n6 x --ip6 10.52.0.9
  check 64 'has no IPv6 subnet' endpoint create n1 e6 --ip6 fd00::9
  check 4 'host port 8080/tcp is already published by endpoint "web" of network "n1"' connect n6 x -p 8080:80
  check 4 'take the same host port' connect n1 x -p 9000:90 -p 9000:91
  check 64 'invalid -p "70000:80"' connect n1 x -p 70000:80
  check 2 '^cnet: cannot find process 999999$' connect n1 x --pid 999999
  check 2 'nosuch' connect n1 x --netns nosuch
  check 3 '^cnet: sandbox "web" is already connected to network "n1"$' connect n1 web
  check 4 '^cnet: subnet 10.50.0.0/16 overlaps 10.50.0.0/24 of network "n1"$' network create n2 --subnet 10.50.0.0/16
  check 64 '^cnet: --ip-range 10.71.0.0/25 is in no --subnet$' network create n2 --subnet 10.70.0.0/24 --ip-range 10.71.0.0/25
  check 3 '^cnet: network "n1" already exists$' network create n1
  check 3 '^cnet: endpoint "web" already exists on network "n1"$' endpoint create n1 web
  check 3 'sandbox "web" already exists' sandbox create web
  check 64 '^cnet: unknown network driver "overlayx" \(built in: bridge, host, null; plugins: cnet plugin ls\)$' network create n2 -d overlayx
  check 64 '^cnet: unknown option "color" for the bridge driver' network create n2 -o color=red
  check 64 '^cnet: invalid -o "mtu": expected KEY=VALUE$' network create n2 -o mtu
  check 64 'invalid -o com.docker.network.driver.mtu=9' network create n2 -o com.docker.network.driver.mtu=9
  check 4 'a bridge named "br9" already exists' network create n2 -o com.docker.network.bridge.name=br9
  check 64 'takes no --subnet' network create n2 -d host --subnet 10.72.0.0/24
  check 64 'invalid network name "bad/name"' network create bad/name
  check 64 'invalid sandbox name "bad name"' connect n1 "bad name"
  check 64 'invalid alias "a..b"' connect n1 x --alias a..b
  check 64 '^cnet: invalid subnet 10.60.0.5/24: host bits are set \(the subnet is 10.60.0.0\/24\)$' network create n2 --subnet 10.60.0.5/24
  check 64 '^cnet: --gateway 10.61.0.1 is in no --subnet$' network create n2 --subnet 10.60.0.0/24 --gateway 10.61.0.1
  check 64 'invalid MAC address' connect n1 x --mac 01:00:5e:00:00:01
  check 64 'invalid --add-host "nocolon"' connect n1 x --add-host nocolon
  check 4 '^cnet: network "n1" has endpoints: ' network rm n1
  check 4 'is joined to sandbox "web"' endpoint rm n1/web
  # The low-level commands.
  check 64 'host bits are set' bridge create br0 --subnet 10.60.0.5/24
  check 64 '--gateway needs --subnet' bridge create br0 --gateway 10.60.0.1
  check 64 'invalid MAC address' bridge create br0 --address 01:00:5e:00:00:01
  check 64 'at most 15' bridge create averyverylongname
  check 3 'File exists' bridge create br9
  check 64 'needs --vni' link add vx0 --type vxlan
  check 64 'different from "v0"' link add v0 --type veth --peer v0
  check 2 'nosuch' link add v0 --type veth --master nosuch
  check 64 'invalid' addr add 10.0.0.1/33 --dev lo
  check 2 'nosuch' addr add 10.0.0.1/24 --dev nosuch
  check 64 'invalid' netns add bad/name
  check 3 'web' netns add web
}

@test "48 parallel connects on one network: 48 distinct addresses, no failure" {
  cnet network create par --subnet 10.44.0.0/24
  local pids=() i
  for i in $(seq 1 48); do
    cnet connect par "c$i" > "$BATS_TEST_TMPDIR/out$i" 2>&1 &
    pids+=($!)
  done
  local failed=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { failed=$((failed + 1)); cat "$BATS_TEST_TMPDIR/out$((i + 1))" >&2; }
  done
  [ "$failed" -eq 0 ]
  run cnet endpoint ls --json --network par
  [ "$(echo "$output" | jq 'length')" -eq 48 ]
  [ "$(echo "$output" | jq -r '.[].IPv4Address' | sort -u | wc -l)" -eq 48 ]
  run in_host ip netns list
  [ "$(echo "$output" | wc -l)" -eq 48 ]
  # Everyone finds everyone.
  run cnet exec c1 ping -c 1 -W 2 c48
  assert_success
}

# Asserts nothing of cnet's is left but the network n1 and its gateway.
assert_clean() {
  run in_host ip netns list
  [ -z "$output" ] || { echo "namespaces left: $output" >&2; return 1; }
  # The kernel reaps a deleted namespace's veths in the background, shortly after.
  local i
  for i in $(seq 1 100); do
    [ "$(in_host ip -o link show | grep -c 'cv[0-9a-f]')" -eq 0 ] && break
    sleep 0.05
  done
  run in_host ip -o link show
  [ "$(echo "$output" | grep -c 'cv[0-9a-f]')" -eq 0 ] || { echo "links left: $output" >&2; return 1; }
  run in_host ls -A /etc/netns
  [ -z "$output" ] || { echo "/etc/netns left: $output" >&2; return 1; }
  [ "$(store 'select count(*) from leases')" = 1 ] || { echo "leases left: $(store 'select * from leases')" >&2; return 1; }
  [ "$(store 'select count(*) from endpoints')" = 0 ]
  [ "$(store 'select count(*) from sandboxes')" = 0 ]
  run in_host grep -c "cnet endpoint" "/run/cnet/hosts/$(store 'select id from networks')"
  [ "$output" = 0 ]
}

# True while the store holds a half-done operation.
in_progress() {
  [ "$(store "select (select count(*) from endpoints where state != 'ready' or join_state in ('joining','leaving')) + (select count(*) from sandboxes where state != 'ready')")" != 0 ]
}

@test "kill -9 during connect and disconnect, then gc: nothing leaked" {
  cnet network create n1 --subnet 10.33.0.0/16
  # Half the commands run at full speed; the other half under strace, which
  # holds back each request to the kernel and each change to the files
  # (a command takes a few milliseconds; this spreads it over a hundred or
  # so, so that more kills land between its first and last change).
  local slow=(strace -f -qq -o /dev/null -e trace=sendto,sendmsg,rename,unlink,rmdir,umount2
    -e inject=sendto,sendmsg,rename,unlink,rmdir,umount2:delay_enter=10000)
  # Random kills land anywhere over the whole of a command.
  local start span slow_span
  start=$(date +%s%N)
  cnet connect n1 probe
  span=$(( ($(date +%s%N) - start) / 1000000 + 2 ))
  start=$(date +%s%N)
  in_host "${slow[@]}" "$CNET_BIN" disconnect n1 probe
  slow_span=$(( ($(date +%s%N) - start) / 1000000 * 2 + 2 ))
  # At least 40 rounds; more, up to 160, until 10 kills have caught a command
  # half-way (how many do depends on the machine's speed, not on cnet).
  local caught=0 i delay command
  for i in $(seq 1 160); do
    [ "$i" -gt 40 ] && [ "$caught" -ge 10 ] && break
    for command in connect disconnect; do
      [ "$command" = disconnect ] && ! cnet sandbox inspect "k$i" >/dev/null 2>&1 && continue
      local before=0
      in_progress && before=1
      if [ $((i % 2)) -eq 0 ]; then
        in_host_bg "${slow[@]}" "$CNET_BIN" "$command" n1 "k$i"
        delay=$(awk -v r="$RANDOM" -v s="$slow_span" 'BEGIN { printf "%.4f", r / 32768 * s / 1000 }')
      else
        in_host_bg "$CNET_BIN" "$command" n1 "k$i"
        delay=$(awk -v r="$RANDOM" -v s="$span" 'BEGIN { printf "%.4f", r / 32768 * s / 1000 }')
      fi
      sleep "$delay"
      # Under strace the command is the tracer's child; SIGKILL reaches it
      # all the same, and the tracer then exits.
      kill -9 $(pgrep -P "$LAST_PID") "$LAST_PID" 2>/dev/null || true
      wait 2>/dev/null || true
      # What the killed command left in the store: half-done if it was
      # caught between its first and last commit (and nothing was before:
      # a command settles what an earlier killed one left first).
      [ "$before" = 0 ] && in_progress && caught=$((caught + 1))
    done
  done
  echo "# kills that caught a command half-way: $caught" >&3
  [ "$caught" -ge 10 ]
  cnet gc
  # What survived is whole: every sandbox still connected works.
  for name in $(cnet sandbox ls --json | jq -r '.[].Name'); do
    run cnet exec "$name" ip -o -4 addr show eth0
    assert_success
    cnet disconnect n1 "$name"
  done
  assert_clean
}

@test "gc removes sandboxes whose process is gone, and reports what it did" {
  cnet network create n1 --subnet 10.34.0.0/24
  in_host_bg unshare --net sleep 100
  local pid=$LAST_PID
  for i in $(seq 1 100); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
  cnet connect n1 box --pid "$pid"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  run cnet gc --dry-run
  [[ "$output" == *'remove sandbox "box": its namespace is gone'* ]]
  run cnet sandbox ls --json
  [ "$(echo "$output" | jq 'length')" = 1 ]
  run cnet gc
  [[ "$output" == *'remove sandbox "box"'* ]]
  assert_clean
  # A second gc has nothing to do.
  run cnet gc
  [ -z "$output" ]
}

@test "gc removes links and files cnet marked whose owner is gone, never others" {
  cnet network create n1 --subnet 10.35.0.0/24
  local id
  id=$(store 'select id from networks')
  # A bridge marked as a network that no longer exists, and a user's bridge.
  in_host ip link add cnet-stale type bridge
  in_host ip link set cnet-stale alias "cnet:network:0000000000000000000000000000000000000000000000000000000000000000"
  in_host ip link add mine type bridge
  in_host mkdir -p /etc/netns/ghost /etc/netns/users
  in_host ln -s "/run/cnet/hosts/$id" /etc/netns/ghost/hosts
  in_host sh -c 'echo "127.0.0.1 localhost" > /etc/netns/users/hosts'
  run cnet gc
  [[ "$output" == *'delete link "cnet-stale"'* ]]
  [[ "$output" == *'remove /etc/netns/ghost'* ]]
  run in_host ip -o link show mine
  assert_success
  run in_host ls /etc/netns
  [ "$output" = users ]
  run in_host ip -o link show "$(cnet network inspect n1 --json | jq -r '.[0].Bridge')"
  assert_success
}

@test "a new boot drops sandboxes and joins, keeps endpoints, and realises networks again" {
  cnet network create n1 --subnet 10.36.0.0/24
  cnet endpoint create n1 kept
  cnet connect n1 web
  local bridge mac
  bridge=$(cnet network inspect n1 --json | jq -r '.[0].Bridge')
  mac=$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*')
  # What a reboot does to the kernel: namespaces and links are gone.
  in_host ip netns del web
  in_host ip link del "$bridge"
  in_host sqlite3 /var/lib/cnet/cnet.db "update meta set value = 'another-boot' where key = 'boot_id'"
  run cnet gc
  assert_success
  run in_host ip -o link show "$bridge"
  assert_success
  run in_host ip -o -4 addr show "$bridge"
  [[ "$output" == *"10.36.0.1/24"* ]]
  # The bridge gets its MAC back.
  [ "$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*')" = "$mac" ]
  run cnet sandbox ls --json
  [ "$output" = "[]" ]
  run cnet endpoint ls --json
  [ "$(echo "$output" | jq -r 'map(.Name + "=" + .IPv4Address) | sort | join(" ")')" = "kept=10.36.0.2/24 web=10.36.0.3/24" ]
  # The container comes back and gets its address again.
  cnet connect n1 web
  run cnet exec web ip -o -4 addr show eth0
  [[ "$output" == *"10.36.0.3/24"* ]]
}

@test "a held lock makes others wait, then fail with exit 75 and the holder's pid" {
  cnet network create n1
  in_host_bg flock /run/cnet sleep 30
  local holder=$LAST_PID
  for i in $(seq 1 100); do in_host flock -n /run/cnet true 2>/dev/null || break; sleep 0.02; done
  CNET_LOCK_TIMEOUT=0.3 run --separate-stderr in_host env CNET_LOCK_TIMEOUT=0.3 "$CNET_BIN" connect n1 web
  assert_fails 75 '^cnet: gave up after 0.3 s waiting for another cnet command to finish \(lock on /run/cnet, held by pid [0-9]+\)$'
  # Readers do not wait.
  run cnet network ls
  assert_success
  # flock holds the lock in its child, the sleep: both go.
  pkill -KILL -P "$holder" || true
  kill "$holder" 2>/dev/null || true
  run cnet connect n1 web
  assert_success
}
