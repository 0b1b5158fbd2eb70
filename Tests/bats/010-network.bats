#!/usr/bin/env bats
# Networks, endpoints and sandboxes: the CNM lifecycle rules.

load helpers

@test "two sandboxes on a bridge network reach each other by address and by name" {
  run cnet network create front --subnet 10.88.0.0/24
  assert_success
  [[ "$output" =~ ^[0-9a-f]{64}$ ]]
  cnet connect front web
  cnet connect front db --alias database --ip 10.88.0.50
  run cnet exec web ping -c 1 -W 2 10.88.0.50
  assert_success
  run cnet exec web ping -c 1 -W 2 db
  assert_success
  run cnet exec web ping -c 1 -W 2 database
  assert_success
  run cnet exec db ping -c 1 -W 2 web
  assert_success
  # ip netns exec sees the same files.
  run in_host ip netns exec web getent hosts database
  [[ "$output" == "10.88.0.50"*"db database"* ]]
  run cnet exec web ip -o -4 addr show eth0
  [[ "$output" == *"10.88.0.2/24"* ]]
  run cnet exec web ip route show default
  [[ "$output" == "default via 10.88.0.1 dev eth0"* ]]
  run cnet endpoint ls --json
  [ "$(echo "$output" | jq -r 'map(.IPv4Address) | sort | join(" ")')" = "10.88.0.2/24 10.88.0.50/24" ]
}

@test "endpoints reserve addresses before any sandbox; leave keeps them; rm releases them" {
  cnet network create n1 --subnet 10.77.0.0/24
  cnet endpoint create n1 ep1
  run cnet endpoint inspect n1/ep1 --json
  [ "$(echo "$output" | jq -r '.[0].IPv4Address')" = 10.77.0.2/24 ]
  [ "$(echo "$output" | jq -r '.[0].Sandbox')" = null ]
  run cnet sandbox ls --json
  [ "$output" = "[]" ]
  # Join makes the sandbox.
  cnet endpoint join ep1 box
  run cnet sandbox inspect box --json
  [ "$(echo "$output" | jq -r '.[0].Endpoints[0].Interface')" = eth0 ]
  run cnet exec box ip -o -4 addr show eth0
  [[ "$output" == *"10.77.0.2/24"* ]]
  # The last leave removes the sandbox join made; the endpoint keeps its address.
  cnet endpoint leave ep1 box
  run cnet sandbox ls --json
  [ "$output" = "[]" ]
  run in_host ip netns list
  [ -z "$output" ]
  run cnet endpoint inspect ep1 --json
  [ "$(echo "$output" | jq -r '.[0].IPv4Address')" = 10.77.0.2/24 ]
  cnet endpoint join ep1 box2
  run cnet exec box2 ip -o -4 addr show eth0
  [[ "$output" == *"10.77.0.2/24"* ]]
  cnet endpoint leave ep1 box2
  # Deleting the endpoint gives the address back.
  run cnet endpoint rm ep1
  [ "$output" = ep1 ]
  [ "$(store "select count(*) from leases")" = 1 ]
}

@test "network rm is refused while endpoints exist, and names them" {
  cnet network create n1
  cnet endpoint create n1 a
  cnet connect n1 b
  run --separate-stderr cnet network rm n1
  assert_fails 4 '^cnet: network "n1" has endpoints: a, b \(remove or disconnect them first\)$'
  cnet endpoint rm a
  cnet disconnect n1 b
  run cnet network rm n1
  [ "$output" = n1 ]
  run cnet network ls --json
  [ "$output" = "[]" ]
  run in_host ip -o link show type bridge
  [ -z "$output" ]
}

@test "a sandbox on two networks gets eth0 and eth1 and finds names on both" {
  cnet network create a --subnet 10.1.0.0/24
  cnet network create b --subnet 10.2.0.0/24
  cnet connect a x
  cnet connect b x
  cnet connect a only-a
  cnet connect b only-b
  run cnet sandbox inspect x --json
  [ "$(echo "$output" | jq -c '[.[0].Endpoints[] | [.Interface, .Network]]')" = '[["eth0","a"],["eth1","b"]]' ]
  run cnet exec x ping -c 1 -W 2 only-a
  assert_success
  run cnet exec x ping -c 1 -W 2 only-b
  assert_success
  # x's hosts file is its own (two networks); the others share their network's.
  run in_host readlink /etc/netns/only-a/hosts
  [[ "$output" == /run/cnet/hosts/* ]]
  run in_host readlink /etc/netns/x/hosts
  [ "$status" -ne 0 ]
  # A leave on one network updates x's own file.
  cnet disconnect a only-a
  run cnet exec x getent hosts only-a
  [ "$status" -ne 0 ]
  run cnet exec x ip route show default
  [[ "$output" == "default via 10.1.0.1 dev eth0"* ]]
  cnet disconnect a x
  run cnet exec x ip -o link show eth0
  [ "$status" -ne 0 ]
  # The default route moved to the network that is left.
  run cnet exec x ip route show default
  [[ "$output" == "default via 10.2.0.1 dev eth1"* ]]
  run cnet exec x ping -c 1 -W 2 only-b
  assert_success
}

@test "IPv6 on an IPv4-only network stays quiet; a dual-stack network has it" {
  # As Docker's containers: an endpoint with no IPv6 address gets no
  # link-local address either, so it sends no duplicate detection, router
  # solicitations or multicast reports for the bridge to flood.
  cnet network create four --subnet 10.91.0.0/24
  cnet connect four a
  run cnet exec a ip -o -6 addr show dev eth0
  assert_success
  [ -z "$output" ]
  run cnet exec a ip -o -4 addr show dev eth0
  [[ "$output" == *"10.91.0.2/24"* ]]
  # Nor does the host end on the bridge.
  run cnet endpoint inspect four/a --json
  port=$(echo "$output" | jq -r '.[0].HostInterface')
  [ -n "$port" ]
  run in_host ip -o -6 addr show dev "$port"
  assert_success
  [ -z "$output" ]
  # A dual-stack network: its endpoints get their address and a link-local
  # one, and reach each other and the gateway over IPv6.
  cnet network create six --ipv6 --subnet 10.92.0.0/24 --subnet fd00:92::/64
  cnet connect six b
  cnet connect six c
  run cnet exec b ip -o -6 addr show dev eth0
  [[ "$output" == *"fd00:92::2/64"* ]]
  [[ "$output" == *"fe80::"* ]]
  run cnet exec b ping -6 -c 1 -W 2 fd00:92::3
  assert_success
  run cnet exec c ping -6 -c 1 -W 2 fd00:92::1
  assert_success
  run cnet exec b ip -6 route show default
  [[ "$output" == "default via fd00:92::1 dev eth0"* ]]
}

@test "host and null networks" {
  cnet network create hostnet -d host
  cnet network create nonet -d null
  cnet connect hostnet h
  # The sandbox is the host's own stack: it sees the host's links.
  in_host ip link add marker0 type bridge
  run cnet exec h ip -o link show marker0
  assert_success
  run cnet endpoint inspect hostnet/h --json
  [ "$(echo "$output" | jq -r '.[0].IPv4Address')" = "" ]
  run --separate-stderr cnet connect nonet h
  assert_fails 4 'cannot join other networks'
  cnet connect nonet n
  run cnet exec n ip -o link
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  [[ "$output" == *"lo:"*"UP"* ]]
  cnet disconnect hostnet h
  cnet disconnect nonet n
  # The host's namespace is untouched by the host sandbox going.
  run in_host ip -o link show marker0
  assert_success
  run in_host ip netns list
  [ -z "$output" ]
}

@test "sandbox create with --pid, --netns, host name, DNS and extra hosts" {
  cnet network create n1 --subnet 10.66.0.0/24
  in_host_bg unshare --net sleep 100
  local pid=$LAST_PID
  for i in $(seq 1 100); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
  cnet sandbox create p1 --pid "$pid" --hostname p1.example --dns 192.0.2.53 --dns-search example.org --add-host gw:10.66.0.1
  cnet endpoint create n1 p1e
  cnet endpoint join p1e p1
  run in_host nsenter --net=/proc/$pid/ns/net ip -o -4 addr show eth0
  [[ "$output" == *"10.66.0.2/24"* ]]
  run cnet exec p1 cat /etc/resolv.conf
  [[ "$output" == *"nameserver 192.0.2.53"* && "$output" == *"search example.org"* ]]
  run cnet exec p1 cat /etc/hostname
  [ "$output" = p1.example ]
  run cnet exec p1 getent hosts gw
  [[ "$output" == "10.66.0.1"*"gw"* ]]
  # A sandbox made by `sandbox create` stays when its last endpoint leaves.
  cnet endpoint leave p1e p1
  run cnet sandbox ls --json
  [ "$(echo "$output" | jq -r '.[].Name')" = p1 ]
  cnet sandbox rm p1
  # The process keeps its namespace; the link and the veth are gone.
  run in_host nsenter --net=/proc/$pid/ns/net ip -o link show eth0
  [ "$status" -ne 0 ]
  run in_host ip netns list
  [ -z "$output" ]
  # An existing namespace can be a sandbox; cnet never deletes it.
  in_host ip netns add theirs
  cnet sandbox create s2 --netns theirs
  cnet sandbox rm s2
  run in_host ip netns list
  [ "$output" = theirs ]
}

@test "resolv.conf uses the real upstreams when the host has a loopback stub" {
  in_host sh -c 'echo "nameserver 127.0.0.53
options edns0 trust-ad
search lan" > /run/cnet/stub; mount --bind /run/cnet/stub /etc/resolv.conf
    mkdir -p /run/systemd/resolve 2>/dev/null || true'
  in_host sh -c 'mount -t tmpfs t /run/systemd/resolve 2>/dev/null || mount -t tmpfs t /run/systemd; mkdir -p /run/systemd/resolve; echo "nameserver 203.0.113.1" > /run/systemd/resolve/resolv.conf'
  cnet network create n1
  cnet connect n1 web
  run in_host cat /etc/netns/web/resolv.conf
  [[ "$output" == *"nameserver 203.0.113.1"* ]]
  [[ "$output" != *"127.0.0.53"* ]]
  [[ "$output" == *"search lan"* ]]
}

@test "a network's bridge has a MAC of its own, kept in the store, while sandboxes come and go" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  local bridge mac
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  mac=$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
  [ "$(store "select mac from networks where name = 'lab'")" = "$mac" ]
  [ $((0x${mac:0:2} & 3)) = 2 ]
  in_host ip link add low0 address 02:00:00:00:00:01 type veth peer name low1
  in_host ip link set low0 master "$bridge" up
  cnet connect lab a
  cnet connect lab b
  cnet disconnect lab a
  in_host ip link del low0
  [ "$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" = "$mac" ]
  # A sandbox's ARP entry for its gateway stays right.
  run cnet exec b ping -c 1 -W 1 10.89.0.1
  assert_success
  run cnet exec b ip neigh show 10.89.0.1
  [[ "$output" == *"$mac"* ]]
}
