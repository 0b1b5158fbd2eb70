#!/usr/bin/env bats
# Real CNI clients drive cnet as their network plugin: podman 4.3.1 with
# its CNI backend (podman.bash) and libcni 1.1.2 itself (libcni.bash), inside
# the throwaway host, on networks whose configuration is {"type":"cnet",...},
# alone or chained with Debian's stock portmap and tuning. Every change is
# checked from both sides: the client's, and the kernel's and cnet's store.

load helpers
load traffic
load podman
load libcni

GATEWAY=10.99.0.1
PAGE=hello-from-container
# cnet alone: it publishes the ports itself and takes podman's addresses.
CNET_ALONE='{"type":"cnet","network":"cnitest","subnet":"10.99.0.0/24","capabilities":{"portMappings":true,"ips":true}}'
# cnet first in a chain, portmap publishing the ports.
CNET_FIRST='{"type":"cnet","network":"cnitest","subnet":"10.99.0.0/24","capabilities":{"ips":true}}'

# conflist NAME PLUGIN-JSON...: a 1.0.0 network of those plugins.
conflist() {
  local name=$1
  shift
  printf '%s\n' "$@" | jq -s --arg name "$name" '{cniVersion: "1.0.0", name: $name, plugins: .}'
}

setup() {
  # The libcni scenarios log every plugin invocation (CNI_LOG, podman.bash).
  [[ "$BATS_TEST_DESCRIPTION" != libcni* ]] || CNI_LOG=$BATS_TEST_TMPDIR/cni.log
  start_host
  if [[ "$BATS_TEST_DESCRIPTION" == libcni* ]]; then
    libcni_setup
    return
  fi
  # The network exists before podman starts: its hosts file is what
  # podman starts each container's /etc/hosts with (base_hosts_file).
  # Debian 12 has no DNS plugin for podman's CNI backend (no dnsname), so
  # this is how a podman container finds those started before it by name.
  cnet network create cnitest --subnet 10.99.0.0/24 >/dev/null
  PODMAN_BASE_HOSTS=/run/cnet/hosts/$(cnet network inspect cnitest --json | jq -r '.[0].Id')
  podman_setup
  if [[ "$BATS_TEST_DESCRIPTION" == *portmap* ]]; then
    write_conflist cnitest "$(conflist cnitest "$CNET_FIRST" '{"type":"portmap","capabilities":{"portMappings":true}}' '{"type":"tuning"}')"
  else
    write_conflist cnitest "$(conflist cnitest "$CNET_ALONE")"
  fi
}

teardown() {
  podman_teardown
  stop_host
}

# A busybox httpd serving $PAGE, on cnitest; extra podman run options first.
run_web() {
  local name=$1
  shift
  podman run -d --name "$name" --network cnitest "$@" "$PODMAN_IMAGE" httpd -f -p 80 -h /www >/dev/null
}

# get WHERE URL: the page a client there gets ("host" is the throwaway
# host itself, "wan" the namespace of traffic.bash's make_wan, anything
# else a cnet sandbox). Debian's busybox 1.35 wget crashes (SIGSEGV) with
# -T: timeout(1) bounds it.
get() {
  case $1 in
    host) in_host timeout 5 /bin/busybox wget -q -O- "$2" ;;
    wan) in_host ip netns exec wan timeout 5 /bin/busybox wget -q -O- "$2" ;;
    *) in_host "$CNET_BIN" exec "$1" timeout 5 /bin/busybox wget -q -O- "$2" ;;
  esac
}

# The host ends of containers' pairs (cnet's are named cv and the start
# of their endpoint's id).
container_veths() {
  in_host ip -o link show type veth | { grep -E '^[0-9]+: cv[0-9a-f]+@' || true; }
}

no_veth() {
  [ -z "$(container_veths)" ]
}

# wait_for_page WHERE URL: httpd starts within a second of `podman run -d`.
wait_for_page() {
  local i
  for i in $(seq 1 50); do
    [ "$(get "$1" "$2" 2>/dev/null)" = "$PAGE" ] && return 0
    sleep 0.1
  done
  echo "no $PAGE at $2 from $1" >&2
  return 1
}

# Nothing of any container is left: no veth, no namespace, no sandbox,
# endpoint or lease but the gateway's, no published port in cnet's tables.
assert_no_container_left() {
  eventually no_veth
  # (wan is the test's own, traffic.bash's.)
  run in_host sh -c 'ls /run/netns | grep -vx wan'
  [ -z "$output" ] || { echo "namespaces left: $output" >&2; return 1; }
  [ "$(cnet sandbox ls --json)" = "[]" ]
  [ "$(cnet endpoint ls --json)" = "[]" ]
  [ "$(store 'select count(*) from leases')" = 1 ]
  run in_host nft list ruleset
  [[ "$output" != *8080* ]] || { echo "a published port is left: $output" >&2; return 1; }
  [ -z "$(podman_processes)" ]
}

@test "podman: two containers on a cnet network reach each other by address and by name, -p answers from another namespace, a cnet sandbox reaches them" {
  run_web web -p 8080:80
  local web client
  web=$(podman_address web cnitest)
  [[ "$web" == 10.99.0.* ]]
  [ "$web" != "$GATEWAY" ]
  # podman's container is cnet's sandbox, named after it, with its endpoint.
  [ "$(cnet sandbox inspect web --json | jq -r '.[0].Origin + " " + .[0].Endpoints[0].IPv4Address')" = "cni $web/24" ]
  wait_for_page host "http://$web/"

  # A second container reaches the first by name and by address; the first
  # reaches the second by address.
  podman run -d --name client --network cnitest "$PODMAN_IMAGE" sleep 600 >/dev/null
  client=$(podman_address client cnitest)
  [[ "$client" == 10.99.0.* ]]
  [ "$client" != "$web" ]
  run podman exec client timeout 5 wget -q -O- http://web/
  assert_success
  [ "$output" = "$PAGE" ]
  run podman exec client timeout 5 wget -q -O- "http://$web/"
  assert_success
  [ "$output" = "$PAGE" ]
  run podman exec web ping -c 1 -W 2 "$client"
  assert_success
  run podman exec client sh -c 'ip -4 -o addr show eth0; ip route show default'
  [[ "$output" == *"inet $client/24"* ]]
  [[ "$output" == *"default via $GATEWAY dev eth0"* ]]

  # The published port, cnet's own (runtimeConfig.portMappings), from
  # another namespace at the host's address.
  make_wan
  run get wan "http://198.51.100.1:8080/"
  assert_success
  [ "$output" = "$PAGE" ]

  # A sandbox of cnet's own on the same network reaches both containers,
  # by name (the network's hosts file) and by address.
  cnet connect cnitest box
  run get box http://web/
  assert_success
  [ "$output" = "$PAGE" ]
  run in_host "$CNET_BIN" exec box ping -c 1 -W 2 client
  assert_success
  run podman exec client ping -c 1 -W 2 "$(cnet endpoint inspect cnitest/box --json | jq -r '.[0].IPv4Address' | cut -d/ -f1)"
  assert_success
}

@test "podman: network reload keeps the container's address, and its port" {
  run_web web -p 8080:80
  local before
  before=$(podman_address web cnitest)
  wait_for_page host "http://$before/"

  run podman network reload web
  assert_success
  [ "$(podman_address web cnitest)" = "$before" ]
  # The container has the address, not only podman's record of it, and so
  # has cnet's.
  run podman exec web ip -4 -o addr show eth0
  [[ "$output" == *"inet $before/24"* ]]
  [ "$(cnet endpoint inspect cnitest/web --json | jq -r '.[0].IPv4Address')" = "$before/24" ]
  wait_for_page host "http://$before/"
  make_wan
  run get wan "http://198.51.100.1:8080/"
  [ "$output" = "$PAGE" ]
  # Reload is a DEL and an ADD in the same namespace: the ADD removed the
  # pair the DEL left to the namespace, so there is one.
  [ "$(container_veths | grep -c .)" -eq 1 ]
}

@test "podman: network disconnect takes a running container off at once; connect puts it back" {
  run_web web
  local before
  before=$(podman_address web cnitest)
  wait_for_page host "http://$before/"
  run podman network disconnect cnitest web
  assert_success
  # Off the network, and without routes through the dead interface (its
  # pair goes with the namespace, or with the next ADD of its name).
  [ "$(cnet endpoint ls --json)" = "[]" ]
  run get host "http://$before/"
  [ "$status" -ne 0 ]
  run podman exec web ip route show
  [ -z "$output" ]
  run podman network connect cnitest web
  assert_success
  local after
  after=$(podman_address web cnitest)
  wait_for_page host "http://$after/"
  [ "$(container_veths | grep -c .)" -eq 1 ]
  run podman exec web ip route show default
  [[ "$output" == *"default via $GATEWAY dev eth0"* ]]
}

@test "podman: podman rm leaves nothing in the kernel, the store or the tables" {
  run_web web -p 8080:80
  podman run -d --name other --network cnitest --ip 10.99.0.77 "$PODMAN_IMAGE" sleep 600 >/dev/null
  [ "$(podman_address other cnitest)" = 10.99.0.77 ]
  wait_for_page host "http://$(podman_address web cnitest)/"
  [ "$(cnet endpoint ls --json | jq length)" = 2 ]

  run podman rm -f -t 0 web other
  assert_success
  run podman ps -aq
  [ -z "$output" ]
  assert_no_container_left
  run in_host find /var/lib/cni/results -type f
  [ -z "$output" ]
  make_wan
  run get wan "http://198.51.100.1:8080/"
  [ "$status" -ne 0 ]
}

@test "podman: cnet chained with Debian's portmap and tuning; -p through portmap; rm leaves nothing" {
  run_web web -p 8080:80
  local web
  web=$(podman_address web cnitest)
  wait_for_page host "http://$web/"
  run podman run --rm --network cnitest "$PODMAN_IMAGE" timeout 5 wget -q -O- http://web/
  assert_success
  [ "$output" = "$PAGE" ]
  # portmap's DNAT, from another namespace and from the host.
  make_wan
  run get wan "http://198.51.100.1:8080/"
  assert_success
  [ "$output" = "$PAGE" ]
  run get host "http://$GATEWAY:8080/"
  assert_success
  [ "$output" = "$PAGE" ]
  # cnet published nothing itself: the port is portmap's.
  run in_host nft list table inet cnet
  [[ "$output" != *8080* ]]
  in_host iptables-save -t nat | grep -q 'CNI-DN-'

  run podman rm -f -t 0 web
  assert_success
  assert_no_container_left
  run in_host iptables-save -t nat
  [[ "$output" != *"CNI-DN-"* ]]
}

# The plugins' invocations of command $1 in $CNI_LOG, one JSON line each:
# plugin, whether stdin had a prevResult, and the exit status.
invocations() {
  jq -c --arg command "$1" 'select(.command == $command) | [.plugin, (.stdin.prevResult != null), .rc]' "$CNI_LOG"
}

@test "libcni: ADD, CHECK, DEL and DEL again through libcni 1.1.2, chained with portmap and tuning" {
  local conf=$BATS_TEST_TMPDIR/cnitest.conflist
  conflist cnitest "$CNET_FIRST" '{"type":"portmap","capabilities":{"portMappings":true}}' '{"type":"tuning"}' >"$conf"
  in_host ip netns add c1
  export PORT_MAPPINGS='[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]'
  run --separate-stderr libcni add "$conf" /run/netns/c1
  assert_success
  # The result is in the conflist's version, with the address on eth0 in c1.
  [ "$(jq -r .cniVersion <<<"$output")" = 1.0.0 ]
  local address
  address=$(jq -r '.ips[0].address' <<<"$output")
  [[ "$address" == 10.99.0.*/24 ]]
  [ "$(jq -r --arg a "$address" '.interfaces[.ips[] | select(.address == $a) | .interface] | .name + " " + .sandbox' <<<"$output")" = "eth0 /run/netns/c1" ]
  run in_host ip -n c1 -4 -o addr show eth0
  [[ "$output" == *"inet $address"* ]]
  # cnet has the attachment: a sandbox for the namespace, cni- and the
  # start of libcni's container id.
  [[ "$(cnet sandbox ls --json | jq -r '.[0].Name + " " + .[0].Origin')" == "cni-libcni-"*" cni" ]]
  # ADD went down the chain with each plugin's result as the next one's
  # prevResult.
  [ "$(invocations ADD | tr -d '\n')" = '["cnet",false,0]["portmap",true,0]["tuning",true,0]' ]

  # The published port, portmap's (the capability is portmap's alone).
  mkdir -p "$BATS_TEST_TMPDIR/www"
  echo "$PAGE" >"$BATS_TEST_TMPDIR/www/index.html"
  in_host_bg ip netns exec c1 /bin/busybox httpd -f -p 80 -h "$BATS_TEST_TMPDIR/www"
  local httpd=$LAST_PID
  wait_for_page host "http://$GATEWAY:8080/"
  [ "$(jq -c 'select(.command == "ADD" and .plugin == "cnet") | .stdin.runtimeConfig' "$CNI_LOG")" = null ]

  # CHECK goes down the chain with the cached result as prevResult. cnet's
  # passes; Debian's portmap 1.1.1 then fails every CHECK with port
  # mappings of an IPv4-only attachment, looking for an IPv6 chain it never
  # made (containernetworking/plugins#819), which stops the chain.
  run --separate-stderr libcni check "$conf" /run/netns/c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"could not check ipv6 dnat"* ]]
  [ "$(invocations CHECK | tr -d '\n')" = '["cnet",true,0]["portmap",true,1]' ]
  # Without the port mappings in its arguments, portmap checks nothing of
  # its own, and the whole chain passes.
  : >"$CNI_LOG"
  PORT_MAPPINGS= run --separate-stderr libcni check "$conf" /run/netns/c1
  assert_success
  [ "$(invocations CHECK | tr -d '\n')" = '["cnet",true,0]["portmap",true,0]["tuning",true,0]' ]
  : >"$CNI_LOG"

  run --separate-stderr libcni del "$conf" /run/netns/c1
  assert_success
  # DEL: the reverse chain, with the cached result as prevResult.
  [ "$(invocations DEL | tr -d '\n')" = '["tuning",true,0]["portmap",true,0]["cnet",true,0]' ]
  # The container is off the network at once: its address does not
  # answer, the port is gone, cnet and libcni forgot the attachment.
  run in_host ping -c 1 -W 1 "${address%/*}"
  [ "$status" -ne 0 ]
  run get host "http://$GATEWAY:8080/"
  [ "$status" -ne 0 ]
  [ "$(cnet sandbox ls --json)" = "[]" ]
  [ "$(cnet endpoint ls --json)" = "[]" ]
  run in_host ls /var/lib/cni/results
  [ -z "$output" ]

  # DEL again succeeds; the cache is gone, so libcni sends no prevResult.
  : >"$CNI_LOG"
  run --separate-stderr libcni del "$conf" /run/netns/c1
  assert_success
  [ "$(invocations DEL | tr -d '\n')" = '["tuning",false,0]["portmap",false,0]["cnet",false,0]' ]
  # The pair went to the namespace (README); with the namespace, it goes.
  kill -9 "$httpd"
  in_host ip netns del c1
  eventually no_veth
}

@test "libcni: CHECK passes through cnet and tuning, and fails when the interface went behind cnet's back" {
  local conf=$BATS_TEST_TMPDIR/cnicheck.conflist
  conflist cnicheck "$CNET_FIRST" '{"type":"tuning"}' >"$conf"
  in_host ip netns add c2
  run --separate-stderr libcni add "$conf" /run/netns/c2
  assert_success
  run --separate-stderr libcni check "$conf" /run/netns/c2
  assert_success
  [ "$(invocations CHECK | tr -d '\n')" = '["cnet",true,0]["tuning",true,0]' ]
  # The address gone from the interface: cnet's CHECK says so.
  local address
  address=$(cnet endpoint ls --json | jq -r '.[0].IPv4Address')
  in_host ip -n c2 addr del "$address" dev eth0
  run --separate-stderr libcni check "$conf" /run/netns/c2
  [ "$status" -ne 0 ]
  [[ "$stderr" == *"lacks address $address"* ]]
  run --separate-stderr libcni del "$conf" /run/netns/c2
  assert_success
  [ "$(cnet endpoint ls --json)" = "[]" ]
}
