#!/usr/bin/env bats
# cnet doctor: what would break cnet's traffic or state, each with the
# command that fixes it; exit 1 when it found something; it changes nothing.

load helpers

# doctor_finds CHECK TEXT: doctor exits 1 and reports TEXT under CHECK;
# its fix is left in $FIX.
doctor_finds() {
  run --separate-stderr cnet doctor --json
  [ "$status" -eq 1 ] || { echo "doctor exited $status: $output" >&2; return 1; }
  FIX=$(echo "$output" | jq -r --arg c "$1" --arg t "$2" '[.[] | select(.Check == $c and (.Problem | contains($t)))][0].Fix // empty')
  [ -n "$FIX" ] || { echo "no $1 finding with '$2' in: $output" >&2; return 1; }
}

# Runs the fix doctor named, with the cnet under test.
apply_fix() {
  in_host env CNET="$CNET_BIN" FIX="$FIX" sh -c 'cnet() { "$CNET" "$@"; }; eval "$FIX"' >/dev/null
}

assert_healthy() {
  run --separate-stderr cnet doctor
  [ "$status" -eq 0 ] || { echo "doctor exited $status: $output" >&2; return 1; }
  [ "$output" = "no problems found" ]
}

@test "doctor on a host where cnet never ran: healthy, and it creates nothing" {
  assert_healthy
  run cnet doctor --json
  [ "$output" = "[]" ]
  run in_host find /var/lib/cnet /run/cnet -mindepth 1
  [ -z "$output" ]
}

@test "doctor finds what breaks cnet's traffic and says what fixes it; it changes nothing" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab a
  cnet connect lab b
  local bridge
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  assert_healthy

  # A FORWARD policy of DROP that came after cnet's last command.
  in_host iptables -P FORWARD DROP
  local before
  before=$(settled_snapshot)
  doctor_finds iptables 'the FORWARD policy is DROP, and cnet'"'"'s accepts for network "lab" are missing'
  [ "$FIX" = "cnet firewall reload" ]
  [ "$(kernel_snapshot)" = "$before" ]
  run cnet exec a ping -c 1 -W 1 10.89.0.3
  [ "$status" -ne 0 ]
  apply_fix
  run cnet exec a ping -c 1 -W 1 10.89.0.3
  assert_success
  assert_healthy

  # Forwarding off.
  in_host sysctl -qw net.ipv4.ip_forward=0
  doctor_finds forwarding 'net.ipv4.ip_forward is off'
  apply_fix
  assert_healthy

  # A route that takes part of the subnet elsewhere.
  in_host ip link add side0 type veth peer name side1
  in_host ip link set side0 up
  in_host ip route add 10.89.0.128/25 dev side0
  doctor_finds route 'route 10.89.0.128/25 dev side0 overlaps subnet 10.89.0.0/24 of network "lab"'
  [ "$FIX" = "ip route del 10.89.0.128/25 dev side0" ]
  apply_fix
  assert_healthy

  # A port whose MTU differs from its bridge's.
  local port
  port=$(in_host ip -o link show master "$bridge" | head -1 | cut -d: -f2 | cut -d@ -f1 | tr -d ' ')
  in_host ip link set "$bridge" mtu 1400
  doctor_finds mtu "port $port of bridge $bridge"
  in_host ip link set "$bridge" mtu 1500
  assert_healthy

  # A firewall entry gone.
  in_host nft flush set inet cnet same
  doctor_finds nftables 'restore 1 missing firewall entry of same'
  [ "$FIX" = "cnet firewall reload" ]
  apply_fix
  assert_healthy
}

@test "doctor finds drift between the store and the kernel; gc or the fix it names repairs it" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab a
  cnet connect lab b
  cnet connect lab c
  local bridge
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')

  # The bridge deleted behind cnet's back: realised again by gc, same MAC,
  # its ports back on it.
  local mac
  mac=$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*')
  in_host ip link del "$bridge"
  doctor_finds network "network \"lab\": its bridge \"$bridge\" is missing"
  [ "$FIX" = "cnet gc" ]
  run cnet gc
  [[ "$output" == *"realise network \"lab\" again: its bridge \"$bridge\" is missing"* ]]
  [ "$(in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*')" = "$mac" ]
  run cnet exec a ping -c 1 -W 1 10.89.0.3
  assert_success
  assert_healthy

  # A sandbox's namespace gone.
  in_host ip netns del c
  doctor_finds sandbox 'remove sandbox "c": its namespace is gone'
  apply_fix
  assert_healthy

  # An endpoint's link gone: it leaves and joins again, keeping its address.
  local link
  link=$(cnet endpoint inspect lab/b --json | jq -r '.[0].HostInterface // empty')
  [ -n "$link" ] || link=$(store "select host_interface from endpoints where name = 'b'")
  in_host ip link del "$link"
  doctor_finds endpoint "endpoint \"lab/b\" is joined to sandbox \"b\" but its link \"$link\" is gone"
  [ "$FIX" = "cnet endpoint leave lab/b b && cnet endpoint join lab/b b" ]
  apply_fix
  run cnet exec a ping -c 1 -W 1 10.89.0.3
  assert_success
  assert_healthy

  # Something marked cnet's that the store does not know.
  in_host ip link add cnet-stray type bridge
  in_host ip link set cnet-stray alias cnet:network:0000000000000000000000000000000000000000000000000000000000000000
  doctor_finds leftover 'delete link "cnet-stray": its network is gone'
  apply_fix
  assert_healthy
}
