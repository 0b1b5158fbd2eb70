#!/usr/bin/env bats
# addr and route, IPv4 and IPv6, in the current namespace and with -n.

load helpers

setup_link() {
  cnet netns add ns1
  cnet -n ns1 link add v0 --type veth --peer v1 --up
  cnet -n ns1 link set v1 --up
}

@test "addresses of both families, added, listed and removed" {
  setup_link
  cnet -n ns1 addr add 10.1.2.3/24 --dev v0
  cnet -n ns1 addr add fd00::3/64 --dev v0 --nodad
  run in_host ip -n ns1 -o addr show dev v0
  [[ "$output" == *"inet 10.1.2.3/24 brd 10.1.2.255 scope global v0"* ]]
  [[ "$output" == *"inet6 fd00::3/64 scope global"* ]]
  [[ "$output" != *"fd00::3/64 scope global tentative"* ]]
  run cnet -n ns1 addr list --dev v0 -4
  [ "$(echo "$output" | tail -n 1 | tr -s ' ')" = "v0 inet 10.1.2.3/24 global" ]
  run cnet addr list --json -n ns1
  [ "$(echo "$output" | jq -r '.[] | select(.ifname=="v0") | .addr_info[] | select(.family=="inet") | .broadcast')" = 10.1.2.255 ]
  cnet -n ns1 addr del 10.1.2.3/24 --dev v0
  run in_host ip -n ns1 -o -4 addr show dev v0
  [ -z "$output" ]
}

@test "routes: default, prefix with metric, IPv6, deleted again" {
  setup_link
  cnet -n ns1 addr add 10.1.2.3/24 --dev v0
  cnet -n ns1 addr add fd00::3/64 --dev v0 --nodad
  cnet -n ns1 route add default --via 10.1.2.1
  cnet -n ns1 route add 10.9.0.0/16 --dev v0 --metric 50
  cnet -n ns1 route add default --via fd00::1
  run in_host ip -n ns1 route show
  [[ "$output" == *"default via 10.1.2.1 dev v0"* ]]
  [[ "$output" == *"10.9.0.0/16 dev v0 scope link metric 50"* ]]
  run in_host ip -n ns1 -6 route show default
  [[ "$output" == "default via fd00::1 dev v0"* ]]
  run cnet -n ns1 route list -4
  [ "$output" = "$(in_host ip -n ns1 route show | sed 's/ *$//')" ]
  cnet -n ns1 route del 10.9.0.0/16
  cnet -n ns1 route del default -6
  run in_host ip -n ns1 route show 10.9.0.0/16
  [ -z "$output" ]
  run in_host ip -n ns1 -6 route show default
  [ -z "$output" ]
}

@test "bad address and route input: one line, exit 64, nothing changed" {
  setup_link
  run --separate-stderr cnet -n ns1 addr add 10.1.2.300/24 --dev v0
  assert_fails 64 'invalid address "10.1.2.300/24"'
  run --separate-stderr cnet -n ns1 addr add 10.1.2.3/33 --dev v0
  assert_fails 64 'invalid prefix length in "10.1.2.3/33": expected 0-32'
  run --separate-stderr cnet -n ns1 addr add 10.1.2.3/24 --dev "a b"
  assert_fails 64 'invalid interface name "a b"'
  run --separate-stderr cnet -n ns1 route add 10.9.0.1/16 --dev v0
  assert_fails 64 'host bits are set'
  run --separate-stderr cnet -n ns1 route add 10.9.0.0/16
  assert_fails 64 'a route needs --via GATEWAY, --dev INTERFACE or both'
  run --separate-stderr cnet -n ns1 route add 10.9.0.0/16 --via fd00::1
  assert_fails 64 'same address family'
  run in_host ip -n ns1 -o addr show dev v0
  [[ "$output" != *"inet "* ]]
  run in_host ip -n ns1 route show
  [ -z "$output" ]
}

@test "kernel refusals: unknown device, duplicate address, unreachable gateway" {
  setup_link
  run --separate-stderr cnet -n ns1 addr add 10.1.2.3/24 --dev eth9
  assert_fails 2 '^cnet: cannot find device "eth9" in netns "ns1": No such device$'
  cnet -n ns1 addr add 10.1.2.3/24 --dev v0
  run --separate-stderr cnet -n ns1 addr add 10.1.2.3/24 --dev v0
  assert_fails 3 '^cnet: cannot add address 10.1.2.3/24 to "v0" in netns "ns1": File exists \(kernel: ipv4: Address already assigned\)$'
  run --separate-stderr cnet -n ns1 route add 10.9.0.0/16 --via 192.0.2.1
  assert_fails 1 '^cnet: cannot add route 10.9.0.0/16 via 192.0.2.1 in netns "ns1": Network is unreachable \(kernel: Nexthop has invalid gateway\)$'
  run --separate-stderr cnet -n ns1 route del 10.99.0.0/16
  assert_fails 2 '^cnet: cannot delete route 10.99.0.0/16 in netns "ns1": No such process$'
}
