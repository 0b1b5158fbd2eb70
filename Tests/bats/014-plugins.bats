#!/usr/bin/env bats
# cnet as a plugin's caller: networks whose driver and IPAM are a plugin
# cnet did not produce (Tests/plugins/pyplug.py, Python's standard library
# only, written from the protocol description), found where dockerd looks.

load helpers

PYPLUG="$BATS_TEST_DIRNAME/../plugins/pyplug.py"

EXTRA_DIRS="/run/docker /etc/docker"

setup() {
  start_host
  # Plugins the real host may have installed stay out of sight.
  [ ! -d /usr/lib/docker ] || in_host mount -t tmpfs cnet-throwaway /usr/lib/docker
  LOG="$BATS_TEST_TMPDIR/calls.jsonl"
  touch "$LOG"
}

# start_plugin SOCKET [ARGS...]: pyplug in the host, waiting for its socket.
start_plugin() {
  local socket=$1
  shift
  in_host_bg python3 "$PYPLUG" "$socket" "$LOG" "$@"
  PLUGIN_PID=$LAST_PID
  wait_for_socket "$socket"
}

# The plugin calls so far, one method name per line (without the role).
calls() {
  jq -r '.path | sub("^/[A-Za-z]+\\."; "")' "$LOG" | grep -v -E '^(Activate|GetCapabilities|GetDefaultAddressSpaces)$' | tr '\n' ' '
}

@test "a third-party plugin as network driver and IPAM: dockerd's call order, a working network, nothing left" {
  start_plugin /run/docker/plugins/pyplug.sock
  run cnet plugin ls --json
  assert_success
  [ "$(echo "$output" | jq -r '.[0].Name + " " + (.[0].Implements | join(","))')" = "pyplug NetworkDriver,IpamDriver" ]

  cnet network create pnet -d pyplug --ipam-driver pyplug --subnet 10.70.0.0/24
  [ "$(calls)" = "RequestPool RequestAddress CreateNetwork " ]
  # dockerd's shapes: the v1.2 Accept header, the gateway request type.
  [ "$(jq -r 'select(.path == "/IpamDriver.RequestAddress") | .gateway' "$LOG")" = true ]
  [ "$(jq -r '.accept' "$LOG" | sort -u)" = "application/vnd.docker.plugins.v1.2+json" ]
  run cnet network inspect pnet --json
  [[ "$output" == *10.70.0.1* ]]

  : > "$LOG"
  cnet connect pnet a -p 8080:80
  cnet connect pnet b
  [ "$(calls)" = "RequestAddress CreateEndpoint Join ProgramExternalConnectivity RequestAddress CreateEndpoint Join ProgramExternalConnectivity " ]
  [ "$(jq -c 'select(.path == "/NetworkDriver.ProgramExternalConnectivity") | .portmap' "$LOG" | head -1)" = '[{"HostIP":"","HostPort":8080,"HostPortEnd":8080,"IP":"","Port":80,"Proto":6}]' ]
  [ "$(jq -r 'select(.path == "/NetworkDriver.Join") | .sandbox_key' "$LOG" | head -1)" = /var/run/netns/a ]
  # The plugin's link became eth0 with the IPAM's address, a default route
  # via the gateway, and Join's static route.
  run cnet exec a ip -o -4 addr show eth0
  [[ "$output" == *"10.70.0.2/24"* ]]
  run cnet exec a ip route
  [[ "$output" == *"default via 10.70.0.1 dev eth0"* ]]
  [[ "$output" == *"192.0.2.0/24 dev eth0"* ]]
  run cnet exec a ping -c 1 -W 2 b
  assert_success

  # Leave and delete: the link back in the host under its plugin name when
  # DeleteEndpoint comes, as libnetwork does.
  cnet endpoint create pnet e1
  cnet sandbox create s1
  cnet endpoint join pnet/e1 s1
  : > "$LOG"
  cnet endpoint leave pnet/e1 s1
  cnet endpoint rm pnet/e1
  [ "$(calls)" = "RevokeExternalConnectivity Leave DeleteEndpoint ReleaseAddress " ]
  [ "$(jq -r 'select(.path == "/NetworkDriver.DeleteEndpoint") | .peer_in_host' "$LOG")" = true ]
  cnet sandbox rm s1

  # Disconnect removes the sandbox: the kernel takes the link with it.
  : > "$LOG"
  cnet disconnect pnet a
  cnet disconnect pnet b
  [ "$(calls)" = "RevokeExternalConnectivity Leave DeleteEndpoint ReleaseAddress RevokeExternalConnectivity Leave DeleteEndpoint ReleaseAddress " ]
  : > "$LOG"
  cnet network rm pnet
  [ "$(calls)" = "DeleteNetwork ReleaseAddress ReleasePool " ]
  run cnet network ls --json
  [ "$output" = "[]" ]
  run in_host ip -o link show
  if echo "$output" | grep -Eq ': (pb|ph|pc)[0-9a-f]'; then echo "links left: $output" >&2; return 1; fi
  run in_host ip netns list
  [ -z "$output" ]
}

@test "a plugin's failure rolls back what was asked of it, and leaves nothing" {
  start_plugin /run/docker/plugins/pyplug.sock
  run --separate-stderr cnet network create bad -d pyplug --ipam-driver pyplug --subnet 10.71.0.0/24 -o pyplug.fail=CreateNetwork
  assert_fails 1 'plugin "pyplug": pyplug: injected failure in CreateNetwork'
  [ "$(calls)" = "RequestPool RequestAddress CreateNetwork ReleaseAddress ReleasePool " ]
  run cnet network ls --json
  [ "$output" = "[]" ]

  cnet network create j -d pyplug --ipam-driver pyplug --subnet 10.72.0.0/24 -o pyplug.fail=Join
  : > "$LOG"
  run --separate-stderr cnet connect j x
  assert_fails 1 'injected failure in Join'
  [ "$(cnet endpoint ls --json | jq length)" = 0 ]
  [ "$(cnet sandbox ls --json | jq length)" = 0 ]
  run in_host ip netns list
  [ -z "$output" ]
  # The address went back to the plugin's IPAM: the next one gets .2 again.
  [ "$(jq -r 'select(.path == "/IpamDriver.ReleaseAddress") | .request' "$LOG" | jq -r .Address)" = 10.72.0.2 ]
}

@test "discovery: .sock, NAME/NAME.sock and .spec files; a missing, dead or wrong-kind plugin fails at once and clearly" {
  start_plugin /run/docker/plugins/nested/nested.sock
  in_host mkdir -p /etc/docker/plugins
  in_host sh -c 'echo "unix:///run/docker/elsewhere.sock" > /etc/docker/plugins/specced.spec'
  start_plugin /run/docker/elsewhere.sock
  in_host sh -c 'echo "{\"Name\": \"ignored\", \"Addr\": \"unix:///run/docker/ipamonly.sock\"}" > /etc/docker/plugins/ipamonly.json'
  start_plugin /run/docker/ipamonly.sock --implements IpamDriver
  run cnet plugin ls --json
  assert_success
  [ "$(echo "$output" | jq -r '[.[] | .Name + "=" + (.Implements | join(","))] | join(" ")')" = "ipamonly=IpamDriver nested=NetworkDriver,IpamDriver specced=NetworkDriver,IpamDriver" ]
  run cnet plugin ls
  [[ "$output" == *"unix:///run/docker/elsewhere.sock"* ]]

  # Each works by its name.
  cnet network create n1 -d nested --ipam-driver specced --subnet 10.73.0.0/24
  cnet network create n2 -d bridge --ipam-driver ipamonly --subnet 10.74.0.0/24
  cnet connect n2 box
  run cnet exec box ip -o -4 addr show eth0
  [[ "$output" == *10.74.0.2/24* ]]
  cnet disconnect n2 box

  # Wrong kind, missing, dead: one line each, quickly.
  run --separate-stderr cnet network create n3 -d ipamonly
  assert_fails 64 'plugin "ipamonly" does not implement NetworkDriver \(it implements: IpamDriver\)'
  local start=$SECONDS
  run --separate-stderr cnet network create n4 -d nosuch
  assert_fails 64 'unknown network driver "nosuch"'
  kill -9 "$PLUGIN_PID"
  run --separate-stderr cnet network create n5 -d ipamonly
  assert_fails 1 'plugin "ipamonly": cannot connect to unix:///run/docker/ipamonly.sock: Connection refused'
  [ $((SECONDS - start)) -le 8 ]
  cnet network rm n1 n2
  [ "$(cnet network ls --json)" = "[]" ]
}
