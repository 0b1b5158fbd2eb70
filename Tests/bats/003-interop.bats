#!/usr/bin/env bats
# iproute2 and cnet use each other's namespaces, both ways.

load helpers

@test "a namespace made by ip netns add is used by cnet" {
  in_host ip netns add ipmade
  run cnet netns list
  [ "$output" = "ipmade" ]
  cnet link add v0 --type veth --peer eth0 --peer-netns ipmade
  cnet -n ipmade addr add 10.7.0.2/24 --dev eth0
  run in_host ip -n ipmade -o addr show dev eth0
  [[ "$output" == *"inet 10.7.0.2/24"* ]]
  run cnet exec ipmade ip -o link show eth0
  assert_success
  cnet netns del ipmade
  run in_host ip netns list
  [ -z "$output" ]
}

@test "what cnet makes is seen by ip netns exec, ip -n and nsenter" {
  cnet netns add cmade
  cnet -n cmade link add br0 --type bridge --up
  cnet -n cmade addr add 10.8.0.1/24 --dev br0
  run in_host ip netns list
  [ "$output" = "cmade" ]
  run in_host ip netns exec cmade ip -o -4 addr show br0
  [[ "$output" == *"10.8.0.1/24"* ]]
  run in_host ip -n cmade -o link show br0
  assert_success
  run in_host nsenter --net=/var/run/netns/cmade ip -o link show br0
  assert_success
  in_host ip netns del cmade
  run cnet netns list
  [ -z "$output" ]
}

@test "cnet's JSON matches ip -j for links, addresses and routes" {
  cnet netns add ns1
  cnet -n ns1 link add br0 --type bridge --up
  cnet -n ns1 addr add 10.9.0.1/24 --dev br0
  local keys='[.[] | {ifindex, ifname, mtu, operstate, address}]'
  [ "$(cnet -n ns1 link list --json | jq -c "$keys")" = "$(in_host ip -n ns1 -j link show | jq -c "$keys")" ]
  local addrs='[.[] | {ifname, addr: [.addr_info[] | {family, local, prefixlen, scope}]}]'
  [ "$(cnet -n ns1 addr list --json | jq -c "$addrs")" = "$(in_host ip -n ns1 -j addr show | jq -c "$addrs")" ]
  local routes='[.[] | {dst, gateway, dev, protocol, scope, prefsrc, metric}]'
  cnet -n ns1 route add 10.10.0.0/16 --via 10.9.0.254 --metric 7
  [ "$(cnet -n ns1 route list -4 --json | jq -c "$routes")" = "$(in_host ip -n ns1 -j route show | jq -c "$routes")" ]
  # And the text reads like ip's.
  [ "$(cnet -n ns1 route list -4)" = "$(in_host ip -n ns1 route show | sed 's/ *$//')" ]
}
