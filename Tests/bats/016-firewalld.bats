#!/usr/bin/env bats
# cnet beside a real firewalld (Debian's 1.3, nftables back end, default
# zone public), on a system bus of the throwaway host's own (firewalld.bash):
# firewalld rejects forwarded traffic of interfaces no zone lets through,
# so cnet binds its bridges to the trusted zone, and binds them again when
# firewalld forgets (a reload, a restart).

load helpers
load traffic
load firewalld

setup() {
  start_host
}

teardown() {
  firewalld_teardown
  stop_host
}

# The zone firewalld has bridge $1 in ("" for none).
zone_of() {
  in_host dbus-send --system --print-reply=literal --dest=org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 \
    org.fedoraproject.FirewallD1.zone.getZoneOfInterface "string:$1" | awk '{ print $1 }'
}

# Waits (up to 10 s) until bridge $1 is in the trusted zone.
wait_trusted() {
  local i
  for i in $(seq 1 100); do
    [ "$(zone_of "$1")" = trusted ] && return 0
    sleep 0.1
  done
  echo "$1 is in zone '$(zone_of "$1")', not trusted" >&2
  return 1
}

@test "firewalld: its default zone rejects what cnet does not bind; a network made while it runs is trusted and works" {
  firewalld_setup
  make_wan
  # What firewalld does to a bridge it has in no zone: cnet's own table
  # accepts, firewalld's forward chain rejects.
  in_host ip link add plain0 type bridge
  in_host ip addr add 10.88.0.1/24 dev plain0
  in_host ip link set plain0 up
  in_host ip netns add c1
  in_host ip link add c1h type veth peer name eth0 netns c1
  in_host ip link set c1h master plain0 up
  in_host ip -n c1 addr add 10.88.0.2/24 dev eth0
  in_host ip -n c1 link set eth0 up
  in_host ip -n c1 route add default via 10.88.0.1
  in_host sysctl -qw net.ipv4.ip_forward=1
  in_host_bg ip netns exec wan socat TCP-LISTEN:7777,reuseaddr,fork SYSTEM:'echo reached'
  run in_host ip netns exec c1 timeout 3 socat -T1 - TCP:198.51.100.2:7777 </dev/null
  [ "$output" != reached ]

  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web -p 8080:80
  cnet connect lab other
  serve web tcp 80 hello-web
  assert_flows
  [ "$(zone_of "$(cnet network inspect lab --json | jq -r '.[0].Bridge')")" = trusted ]
  run cnet doctor
  assert_success
  [ "$output" = "no problems found" ]
}

@test "firewalld: a reload and a restart forget the binding; cnet firewall watch binds again at once, a changing command too" {
  firewalld_setup
  lab_up
  assert_flows
  local bridge
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  [ "$(zone_of "$bridge")" = trusted ]

  # A reload with nothing of cnet's watching: the binding is gone, the
  # traffic rejected, doctor says so; the next changing command binds again
  # (firewalld's table has a new handle).
  firewalld_reload
  [ "$(zone_of "$bridge")" = "" ]
  assert_dropped
  run --separate-stderr cnet doctor
  [ "$status" -eq 1 ]
  [[ "$output" == *"firewalld: bridge $bridge of network \"lab\" is not in firewalld's trusted zone"* ]]
  [[ "$output" == *"fix: cnet firewall reload"* ]]
  cnet connect lab third
  [ "$(zone_of "$bridge")" = trusted ]
  assert_flows

  # With the watch running: a reload and a restart are followed by a reload
  # of cnet's rules, with no cnet command run.
  local log=$BATS_TEST_TMPDIR/watch.log
  in_host_bg sh -c "exec \"\$0\" firewall watch >\"\$1\"" "$CNET_BIN" "$log"
  local watch=$LAST_PID i
  for i in $(seq 1 100); do
    grep -q "watching firewalld" "$log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "watching firewalld" "$log"
  firewalld_reload
  wait_trusted "$bridge"
  assert_flows
  firewalld_restart
  wait_trusted "$bridge"
  assert_flows
  # It stops on SIGTERM.
  kill -TERM "$watch"
  for i in $(seq 1 50); do
    kill -0 "$watch" 2>/dev/null || break
    sleep 0.1
  done
  run kill -0 "$watch"
  [ "$status" -ne 0 ]
}

@test "firewalld: networks made before it starts work after cnet firewall reload; rm unbinds the bridge" {
  lab_up
  assert_flows
  local bridge
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  firewalld_setup
  assert_dropped
  run cnet firewall reload
  assert_success
  [[ "$output" == *"firewalld: bind $bridge to zone trusted"* ]]
  assert_flows

  cnet disconnect lab web
  cnet disconnect lab other
  cnet network rm lab
  [ "$(zone_of "$bridge")" = "" ]
  run in_host test -e /run/cnet/firewalld
  [ "$status" -ne 0 ]
}
