#!/usr/bin/env bats
# The main job: namespaces joined by a bridge reach each other.

load helpers

@test "two namespaces on a bridge ping each other and the gateway" {
  cnet bridge create br0 --subnet 10.88.0.0/24
  run cnet bridge list --json
  [ "$(echo "$output" | jq -c '.[0] | [.ifname, .operstate != "", .addresses]')" = '["br0",true,["10.88.0.1/24"]]' ]
  for n in 1 2; do
    cnet netns add c$n
    cnet link add veth-c$n --type veth --peer eth0 --peer-netns c$n --master br0 --up
    cnet -n c$n link set eth0 --up
    cnet -n c$n link set lo --up
    cnet -n c$n addr add 10.88.0.1$n/24 --dev eth0
    cnet -n c$n route add default --via 10.88.0.1
  done
  run cnet exec c1 ping -c 1 -W 2 10.88.0.12
  assert_success
  run cnet exec c2 ping -c 1 -W 2 10.88.0.11
  assert_success
  run cnet exec c1 ping -c 1 -W 2 10.88.0.1
  assert_success
  run cnet bridge list
  [[ "$output" == *"veth-c1,veth-c2"* ]]
  cnet netns del c1 c2
  cnet bridge delete br0
  # The kernel reaps the host ends of the veths when it frees the
  # namespaces, shortly after.
  for i in $(seq 1 100); do
    [ "$(cnet link list --json | jq -r '.[].ifname')" = lo ] && break
    sleep 0.05
  done
  run cnet link list --json
  [ "$(echo "$output" | jq -r '.[].ifname')" = lo ]
}

@test "bridge create over IPv6 with a chosen gateway and a sticky MTU" {
  cnet bridge create br6 --subnet fd00:88::/64 --gateway fd00:88::fe --mtu 1400
  run in_host ip -o -6 addr show dev br6 scope global
  [[ "$output" == *"fd00:88::fe/64"* ]]
  cnet link add p0 --type veth --peer p1 --master br6
  run in_host ip -o link show br6
  [[ "$output" == *"mtu 1400"* ]]
}

@test "bridge delete refuses what is not a bridge" {
  cnet link add v0 --type veth --peer v1
  run --separate-stderr cnet bridge delete v0
  assert_fails 64 '^cnet: cannot delete "v0" as a bridge: it is a veth'
  run in_host ip -o link show v0
  assert_success
}

@test "bridge create checks its subnet and leaves nothing when a step fails" {
  run --separate-stderr cnet bridge create br0 --subnet 10.88.0.5/24
  assert_fails 64 'host bits are set \(the subnet is 10.88.0.0/24\)'
  run --separate-stderr cnet bridge create br0 --subnet 10.88.0.0/24 --gateway 10.99.0.1
  assert_fails 64 'not in subnet'
  run --separate-stderr cnet bridge create br0 --gateway 10.88.0.1
  assert_fails 64 '^cnet: --gateway needs --subnet$'
  # When the kernel refuses the gateway address (IPv6 is disabled for new
  # devices here), the bridge is removed again.
  in_host sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  run --separate-stderr cnet bridge create br1 --subnet fd00:77::/64
  assert_fails 1 '^cnet: cannot add address fd00:77::1/64 to "br1": Permission denied'
  run cnet link list --type bridge --json
  [ "$(echo "$output" | jq -r '.[].ifname')" = "" ]
}

# The MAC address of link $1.
mac_of() {
  in_host cat "/sys/class/net/$1/address" 2>/dev/null || in_host ip -o link show "$1" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

@test "a bridge keeps the MAC it was made with, whatever ports come and go" {
  cnet bridge create br0 --subnet 10.88.0.0/24
  local mac
  mac=$(mac_of br0)
  # Locally administered, unicast.
  [ $((0x${mac:0:2} & 3)) = 2 ]
  # A port with a lower MAC would otherwise give the bridge its own.
  in_host ip link add low0 address 02:00:00:00:00:01 type veth peer name low1
  in_host ip link set low0 master br0 up
  [ "$(mac_of br0)" = "$mac" ]
  in_host ip link del low0
  [ "$(mac_of br0)" = "$mac" ]
  cnet bridge create br1 --address 02:42:00:00:00:99
  [ "$(mac_of br1)" = 02:42:00:00:00:99 ]
  [ "$(mac_of br0)" != "$(mac_of br1)" ]
}
