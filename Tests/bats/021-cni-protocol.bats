#!/usr/bin/env bats
# cnet as a CNI plugin, driven the way runtimes drive it: CNI_COMMAND and
# the attachment in the environment, the configuration on stdin, the
# answer (or the error object) on stdout. The edge cases of the
# specification that plugins most often get wrong, each checked against the
# kernel and the store. (Real runtimes, podman and libcni, are in
# 020-cni.bats.)

load helpers
load traffic

# conf [VERSION] [EXTRA-JSON]: a configuration as libcni hands it over,
# with the capabilities key it passes through.
conf() {
  echo "{\"cniVersion\":\"${1:-1.0.0}\",\"name\":\"podnet\",\"type\":\"cnet\",\"network\":\"front\",\"subnet\":\"10.97.0.0/24\",\"capabilities\":{\"portMappings\":true}${2:-}}"
}

# plugin COMMAND CONTAINER IFNAME NETNS [ARGS] < configuration: one plugin
# call inside the host, as a runtime makes it (no arguments).
plugin() {
  in_host env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_IFNAME="$3" CNI_NETNS="$4" CNI_ARGS="${5:-}" \
    CNI_PATH=/usr/lib/cni "$CNET_BIN"
}

# As an unprivileged user, outside any throwaway host: what needs no root.
# A copy of the binary in a directory anyone may enter (the checkout's may
# not be), made once for the file.
setup_file() {
  NOBODY_DIR=$(mktemp -d /tmp/cnet-nobody.XXXXXX)
  chmod 0755 "$NOBODY_DIR"
  cp "${CNET_BIN:-$BATS_TEST_DIRNAME/../../.build/debug/cnet}" "$NOBODY_DIR/cnet"
  export NOBODY_DIR
}

teardown_file() {
  rm -rf "$NOBODY_DIR"
}

as_nobody() {
  timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups env "$@" "$NOBODY_DIR/cnet"
}

# The host ends of containers' pairs are gone (cnet's are named cv and
# the start of their endpoint's id).
no_container_veth() {
  ! in_host ip -o link show type veth | grep -Eq '^[0-9]+: cv[0-9a-f]+@'
}

# The error object on stdout has code $1; exit status non-zero; nothing on
# stderr.
assert_cni_error() {
  [ "$status" -ne 0 ] || { echo "exit status 0: $output" >&2; return 1; }
  [ "$(echo "$output" | jq -r .code)" = "$1" ] || { echo "expected code $1: $output" >&2; return 1; }
  [ -n "$(echo "$output" | jq -r .msg)" ]
  [ -z "${stderr:-}" ] || { echo "stderr: $stderr" >&2; return 1; }
}

@test "VERSION is answered with dummy variables, in the request's version, without root" {
  run --separate-stderr as_nobody CNI_COMMAND=VERSION CNI_NETNS=dummy CNI_IFNAME=dummy CNI_PATH=dummy <<<'{"cniVersion":"1.0.0"}'
  assert_success
  [ "$(echo "$output" | jq -c .)" = '{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' ]
  run --separate-stderr as_nobody CNI_COMMAND=VERSION </dev/null
  assert_success
  [ "$(echo "$output" | jq -r .cniVersion)" = 1.1.0 ]
  # Invoked as cnet-cni (a link), it is the plugin whatever the arguments.
  ln -s "$CNET_BIN" "$BATS_TEST_TMPDIR/cnet-cni"
  run --separate-stderr env CNI_COMMAND=VERSION "$BATS_TEST_TMPDIR/cnet-cni" <<<'{"cniVersion":"0.4.0"}'
  assert_success
  [ "$(echo "$output" | jq -r .cniVersion)" = 0.4.0 ]
  # With arguments and no such name, CNI_COMMAND is just a variable.
  run --separate-stderr env CNI_COMMAND=ADD "$CNET_BIN" --version
  assert_success
  [[ "$output" != *cniVersion* ]]
}

@test "errors are CNI error objects on stdout with the specification's codes, without root" {
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<'{"cniVersion":"0.2.0","network":"front"}'
  assert_cni_error 1
  [[ "$(echo "$output" | jq -r .msg)" == *'incompatible CNI versions; config is "0.2.0"'* ]]
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<'{"cniVersion":"1.0.0",'
  assert_cni_error 6
  [ "$(echo "$output" | jq -r .cniVersion)" = 1.1.0 ]
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<"$(conf)"
  assert_cni_error 4
  [ "$(echo "$output" | jq -r .cniVersion)" = 1.0.0 ]
  run --separate-stderr as_nobody CNI_COMMAND=REMOVE <<<"$(conf)"
  assert_cni_error 4
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 CNI_ARGS=garbage <<<"$(conf)"
  assert_cni_error 4
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=-c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<"$(conf)"
  assert_cni_error 4
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=run/netns/c1 CNI_IFNAME=eth0 <<<"$(conf)"
  assert_cni_error 4
  run --separate-stderr as_nobody CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<"$(conf 1.0.0 ',"runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80}]}')"
  assert_cni_error 7
  # Commands newer than the configuration's version.
  run --separate-stderr as_nobody CNI_COMMAND=CHECK CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 <<<"$(conf 0.3.1)"
  assert_cni_error 1
  for command in STATUS GC; do
    run --separate-stderr as_nobody CNI_COMMAND=$command <<<"$(conf 1.0.0)"
    assert_cni_error 1
  done
}

@test "DEL of what cnet never made succeeds and makes no store, without root" {
  # scripts/test checks that the host's own state directories stay empty.
  [ ! -s /var/lib/cnet/cnet.db ] || { echo "this machine has a cnet store of its own" >&2; return 1; }
  run --separate-stderr as_nobody CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 <<<"$(conf)"
  assert_success
  [ -z "$output" ]
  [ ! -e /var/lib/cnet/cnet.db ]
}

@test "ADD, CHECK and DEL in each version: the interface, its address and route, the records, the result" {
  for version in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
    in_host ip netns add "ns$version"
    run --separate-stderr plugin ADD "box${version//./}" eth0 "/var/run/netns/ns$version" "IgnoreUnknown=1;K8S_POD_NAME=web${version//./}" <<<"$(conf "$version")"
    assert_success
    local result=$output address
    [ "$(echo "$result" | jq -r .cniVersion)" = "$version" ]
    address=$(echo "$result" | jq -r '.ips[0].address')
    [[ "$address" == 10.97.0.*/24 ]]
    if [ "$version" = 1.0.0 ] || [ "$version" = 1.1.0 ]; then
      [ "$(echo "$result" | jq -r '.ips[0].version')" = null ]
    else
      [ "$(echo "$result" | jq -r '.ips[0].version')" = 4 ]
    fi
    [ "$(echo "$result" | jq -r '.interfaces[.ips[0].interface].name')" = eth0 ]
    [ "$(echo "$result" | jq -r '.interfaces[.ips[0].interface].sandbox')" = "/var/run/netns/ns$version" ]
    [ "$(echo "$result" | jq -r '.routes[0].dst')" = 0.0.0.0/0 ]
    # The kernel has what the result says.
    [ "$(in_host ip -n "ns$version" -o -4 addr show dev eth0 | awk '{print $4}')" = "$address" ]
    [ "$(in_host ip -n "ns$version" link show eth0 | awk '/ether/ {print $2}')" = "$(echo "$result" | jq -r '.interfaces[.ips[0].interface].mac')" ]
    in_host ip -n "ns$version" route show default | grep -q "via 10.97.0.1 dev eth0"
    # CHECK against prevResult (0.4.0 and later).
    if [ "$version" != 0.3.0 ] && [ "$version" != 0.3.1 ]; then
      run --separate-stderr plugin CHECK "box${version//./}" eth0 "/var/run/netns/ns$version" <<<"$(conf "$version" ",\"prevResult\":$result")"
      assert_success
    fi
  done
  # The runtime's containers are cnet's sandboxes and endpoints, named after
  # them, and other sandboxes find them by name.
  run cnet sandbox ls --json
  [ "$(echo "$output" | jq -r '[.[] | select(.Origin == "cni") | .Name] | sort | join(" ")')" = "web030 web031 web040 web100 web110" ]
  [ "$(cnet endpoint ls --json | jq length)" = 5 ]
  cnet connect front other
  run cnet exec other ping -c 1 -W 2 web100
  assert_success
  # A second ADD of the same attachment is refused and changes nothing.
  BEFORE=$(settled_snapshot)
  run --separate-stderr plugin ADD box100 eth0 /var/run/netns/ns1.0.0 <<<"$(conf)"
  assert_cni_error 101
  [ "$(kernel_snapshot)" = "$BEFORE" ]
  # DEL, twice, then once more without prevResult and without a namespace.
  for version in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
    run --separate-stderr plugin DEL "box${version//./}" eth0 "/var/run/netns/ns$version" <<<"$(conf "$version")"
    assert_success
    [ -z "$output" ]
    run --separate-stderr plugin DEL "box${version//./}" eth0 "/var/run/netns/ns$version" <<<"$(conf "$version")"
    assert_success
    run --separate-stderr plugin DEL "box${version//./}" eth0 "" <<<"$(conf "$version")"
    assert_success
    in_host ip netns del "ns$version"
  done
  cnet disconnect front other
  [ "$(cnet endpoint ls --json)" = "[]" ]
  [ "$(cnet sandbox ls --json)" = "[]" ]
  # The gateway's lease alone: the network stays.
  [ "$(store 'select count(*) from leases')" = 1 ]
  # The pairs went with their namespaces (the kernel reaps them in the
  # background).
  eventually no_container_veth
}

@test "an interface of that name in the namespace is an error, and nothing changes" {
  in_host ip netns add c1
  in_host ip -n c1 link add eth0 type veth peer name other
  cnet network create front --subnet 10.97.0.0/24 >/dev/null
  BEFORE=$(settled_snapshot)
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 <<<"$(conf)"
  assert_cni_error 101
  [[ "$(echo "$output" | jq -r .msg)" == *"interface eth0 exists already"* ]]
  [ "$(kernel_snapshot)" = "$BEFORE" ]
  # The namespace must be one, and not the host's own.
  run --separate-stderr plugin ADD c2 eth0 /var/run/netns/none <<<"$(conf)"
  assert_cni_error 102
  run --separate-stderr plugin ADD c3 eth0 /proc/self/ns/net <<<"$(conf)"
  assert_cni_error 101
  [[ "$(echo "$output" | jq -r .msg)" == *"the host's own network namespace"* ]]
  [ "$(kernel_snapshot)" = "$BEFORE" ]
  # A configuration that disagrees with the network is refused.
  run --separate-stderr plugin ADD c1 eth1 /var/run/netns/c1 <<<'{"cniVersion":"1.0.0","type":"cnet","network":"front","subnet":"10.98.0.0/24"}'
  assert_cni_error 7
  [[ "$(echo "$output" | jq -r .msg)" == *"exists with subnet 10.97.0.0/24, not 10.98.0.0/24"* ]]
  [ "$(kernel_snapshot)" = "$BEFORE" ]
}

@test "static addresses from CNI_ARGS and runtimeConfig (podman sends them twice), MAC, and network reload" {
  in_host ip netns add c1
  # podman's and containerd's container ids: 64 hex digits.
  local id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  run --separate-stderr plugin ADD $id eth0 /var/run/netns/c1 "IgnoreUnknown=1;K8S_POD_NAME=web;MAC=02:00:00:00:00:50;IP=10.97.0.50" <<<"$(conf)"
  assert_success
  local first=$output
  [ "$(echo "$first" | jq -r '.ips[0].address')" = 10.97.0.50/24 ]
  [ "$(in_host ip -n c1 link show eth0 | awk '/ether/ {print $2}')" = 02:00:00:00:00:50 ]
  # podman network reload: DEL with prevResult, then ADD with
  # runtimeConfig.ips doubled, in the same namespace.
  run --separate-stderr plugin DEL $id eth0 /var/run/netns/c1 <<<"$(conf 1.0.0 ",\"prevResult\":$first")"
  assert_success
  run --separate-stderr plugin ADD $id eth0 /var/run/netns/c1 "IgnoreUnknown=1;K8S_POD_NAME=web" <<<"$(conf 1.0.0 ',"runtimeConfig":{"ips":["10.97.0.50","10.97.0.50"],"mac":"02:00:00:00:00:50"}')"
  assert_success
  [ "$(echo "$output" | jq -r '.ips[0].address')" = 10.97.0.50/24 ]
  [ "$(in_host ip -n c1 -o -4 addr show dev eth0 | awk '{print $4}')" = 10.97.0.50/24 ]
  [ "$(in_host ip -n c1 -o link show | grep -c eth0)" = 1 ]
  # An address taken is refused, one of another family twice too.
  in_host ip netns add c2
  run --separate-stderr plugin ADD c2 eth0 /var/run/netns/c2 "IP=10.97.0.50" <<<"$(conf)"
  assert_cni_error 101
  run --separate-stderr plugin ADD c2 eth0 /var/run/netns/c2 "IP=10.97.0.51" <<<"$(conf 1.0.0 ',"runtimeConfig":{"ips":["10.97.0.52"]}')"
  assert_cni_error 7
}

@test "published ports with the portMappings capability answer from another namespace, and go with DEL" {
  make_wan
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf 1.0.0 ',"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}')"
  assert_success
  serve web tcp 80 hello-web
  expect_answer hello-web wan tcp 198.51.100.1 8080
  in_host nft list ruleset | grep -q 8080
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf)"
  assert_success
  run in_host nft list ruleset
  [[ "$output" != *8080* ]]
  [ -z "$(ask wan tcp 198.51.100.1 8080 || true)" ]
}

@test "GC removes the attachments not listed, under either key; with no list, nothing" {
  local c
  for c in a b c d; do
    in_host ip netns add "$c"
    run --separate-stderr plugin ADD "$c" eth0 "/var/run/netns/$c" <<<"$(conf 1.1.0)"
    assert_success
  done
  # Another network's attachment is not this configuration's to collect,
  # nor another configuration's (another runtime's) on the same network.
  in_host ip netns add e
  run --separate-stderr plugin ADD e eth0 /var/run/netns/e <<<'{"cniVersion":"1.1.0","name":"back","type":"cnet","subnet":"10.96.0.0/24"}'
  assert_success
  in_host ip netns add z
  run --separate-stderr plugin ADD z eth0 /var/run/netns/z <<<'{"cniVersion":"1.1.0","name":"othernet","type":"cnet","network":"front"}'
  assert_success
  # cnitool sends GC with no list at all: nothing goes.
  run --separate-stderr plugin GC "" "" "" <<<"$(conf 1.1.0)"
  assert_success
  [ "$(cnet endpoint ls --json | jq length)" = 6 ]
  run --separate-stderr plugin GC "" "" "" <<<"$(conf 1.1.0 ',"cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}],"cni.dev/attachments":[{"containerID":"b","ifname":"eth0"}]')"
  assert_success
  [ "$(cnet sandbox ls --json | jq -r '[.[].Name] | sort | join(" ")')" = "cni-a cni-b cni-e cni-z" ]
  run --separate-stderr plugin GC "" "" "" <<<"$(conf 1.1.0 ',"cni.dev/attachments":[]')"
  assert_success
  [ "$(cnet sandbox ls --json | jq -r '[.[].Name] | sort | join(" ")')" = "cni-e cni-z" ]
}

@test "STATUS says 50 when the store cannot serve an ADD" {
  run --separate-stderr plugin STATUS "" "" "" <<<"$(conf 1.1.0)"
  assert_success
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 <<<"$(conf 1.1.0)"
  assert_success
  run --separate-stderr plugin STATUS "" "" "" <<<"$(conf 1.1.0)"
  assert_success
  # A store written by a newer cnet.
  local schema
  schema=$(store 'PRAGMA user_version')
  store 'PRAGMA user_version = 99'
  run --separate-stderr plugin STATUS "" "" "" <<<"$(conf 1.1.0)"
  assert_cni_error 50
  run --separate-stderr plugin ADD c2 eth0 /var/run/netns/c1 <<<"$(conf 1.1.0)"
  assert_cni_error 100
  store "PRAGMA user_version = $schema"
  # A configuration its network disagrees with.
  run --separate-stderr plugin STATUS "" "" "" <<<'{"cniVersion":"1.1.0","type":"cnet","network":"front","subnet":"10.1.0.0/24"}'
  assert_cni_error 50
}

@test "parallel ADDs and cnet connect never collide; DELs in parallel leave nothing" {
  cnet network create front --subnet 10.97.0.0/24 >/dev/null
  local i pids=()
  for i in $(seq 1 24); do in_host ip netns add "p$i"; done
  for i in $(seq 1 24); do
    plugin ADD "p$i" eth0 "/var/run/netns/p$i" <<<"$(conf)" >"$BATS_TEST_TMPDIR/add$i" &
    pids+=($!)
    if [ $((i % 4)) = 0 ]; then cnet connect front "s$i" & pids+=($!); fi
  done
  for i in "${pids[@]}"; do wait "$i"; done
  [ "$(cnet endpoint ls --json | jq length)" = 30 ]
  [ "$(cnet endpoint ls --json | jq -r '.[].IPv4Address' | sort -u | wc -l)" = 30 ]
  for i in $(seq 1 24); do
    [ "$(jq -r '.ips[0].address' "$BATS_TEST_TMPDIR/add$i")" = "$(in_host ip -n "p$i" -o -4 addr show dev eth0 | awk '{print $4}')" ]
  done
  pids=()
  for i in $(seq 1 24); do plugin DEL "p$i" eth0 "/var/run/netns/p$i" <<<"$(conf)" & pids+=($!); done
  for i in "${pids[@]}"; do wait "$i"; done
  [ "$(cnet endpoint ls --json | jq length)" = 6 ]
  [ "$(store 'select count(*) from sandboxes where container_id is not null')" = 0 ]
}

@test "a container whose namespace went without a DEL is collected by cnet gc" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf)"
  assert_success
  in_host ip netns del c1
  run cnet gc
  assert_success
  [[ "$output" == *'remove sandbox "web": its namespace is gone'* ]]
  [ "$(cnet endpoint ls --json)" = "[]" ]
  # And a DEL after that is still a success.
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf)"
  assert_success
}

@test "another cnet command holding the lock is code 11 (try again), and nothing changes" {
  in_host ip netns add c1
  cnet network create front --subnet 10.97.0.0/24 >/dev/null
  BEFORE=$(settled_snapshot)
  in_host_bg flock /run/cnet sleep 30
  local holder=$LAST_PID i
  for i in $(seq 1 100); do in_host flock -n /run/cnet true 2>/dev/null || break; sleep 0.02; done
  run --separate-stderr in_host env CNET_LOCK_TIMEOUT=0.3 CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_IFNAME=eth0 \
    CNI_NETNS=/var/run/netns/c1 "$CNET_BIN" <<<"$(conf)"
  assert_cni_error 11
  [[ "$(echo "$output" | jq -r .msg)" == *"waiting for another cnet command"* ]]
  pkill -KILL -P "$holder" || true
  kill "$holder" 2>/dev/null || true
  [ "$(kernel_snapshot)" = "$BEFORE" ]
}

@test "an ADD refused after it made its network leaves nothing, the network neither" {
  in_host ip netns add c1
  cnet network create front --subnet 10.97.0.0/24 >/dev/null
  BEFORE=$(settled_snapshot)
  # The gateway's address, asked for: refused once the network exists (the
  # IPAM driver chose the gateway), and the network it made goes again.
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "IP=10.95.0.1" <<<'{"cniVersion":"1.0.0","type":"cnet","network":"fresh","subnet":"10.95.0.0/24"}'
  assert_cni_error 7
  [[ "$(echo "$output" | jq -r .msg)" == *"is the gateway of network"* ]]
  [ "$(cnet network ls --json | jq -r '.[].Name')" = front ]
  local after
  after=$(settled_snapshot)
  [ "$after" = "$BEFORE" ] || { diff <(echo "$BEFORE") <(echo "$after") >&2; false; }
  # An address outside the configuration's subnet: refused before.
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "IP=10.94.0.9" <<<'{"cniVersion":"1.0.0","type":"cnet","network":"fresh","subnet":"10.95.0.0/24"}'
  assert_cni_error 7
  [ "$(kernel_snapshot)" = "$BEFORE" ]
}

@test "a chained interface plugin: cnet's result comes after the previous one's" {
  in_host ip netns add c1
  local previous='{"cniVersion":"1.0.0","interfaces":[{"name":"lo","sandbox":"/var/run/netns/c1"}],"ips":[{"address":"127.0.0.1/8","interface":0}],"dns":{"nameservers":["10.97.0.1"]}}'
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 <<<"$(conf 1.0.0 ",\"prevResult\":$previous")"
  assert_success
  [ "$(echo "$output" | jq -r '[.interfaces[].name] | join(" ")' | cut -d' ' -f1)" = lo ]
  [ "$(echo "$output" | jq -r '.ips | map(.interface) | join(" ")')" = "0 3" ]
  [ "$(echo "$output" | jq -r '.interfaces[3].name')" = eth0 ]
  [ "$(echo "$output" | jq -r '.dns.nameservers[0]')" = 10.97.0.1 ]
}

@test "DEL after the namespace went, with no gc between, succeeds and frees the address" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf)"
  assert_success
  in_host ip netns del c1
  # A teardown with a configuration it does not need to understand.
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf 1.0.0 ',"runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80,"protocol":"sctp"}]}')"
  assert_success
  [ "$(cnet endpoint ls --json)" = "[]" ]
  [ "$(cnet sandbox ls --json)" = "[]" ]
  [ "$(store 'select count(*) from leases')" = 1 ]
  run in_host ls /var/run/netns
  [ -z "$output" ]
}

@test "an ADD finds the sandbox of a container whose namespace went without a DEL, and takes its place" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web;IP=10.97.0.40" <<<"$(conf)"
  assert_success
  in_host ip netns del c1
  in_host ip netns add c2
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c2 "K8S_POD_NAME=web;IP=10.97.0.40" <<<"$(conf)"
  assert_success
  [ "$(cnet sandbox inspect web --json | jq -r '.[0].Endpoints[0].IPv4Address')" = 10.97.0.40/24 ]
  [ "$(cnet endpoint ls --json | jq length)" = 1 ]
}

@test "cnet's own commands leave a runtime's container to its runtime" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf)"
  assert_success
  BEFORE=$(settled_snapshot)
  assert_refused 4 "sandbox \"web\" is a CNI runtime's container" disconnect front web
  assert_refused 4 "sandbox \"web\" is a CNI runtime's container" sandbox rm web
  assert_refused 4 "sandbox \"web\" is a CNI runtime's container" endpoint leave web web
  cnet network create back --subnet 10.96.0.0/24 >/dev/null
  BEFORE=$(settled_snapshot)
  assert_refused 4 "sandbox \"web\" is a CNI runtime's container" connect back web
}

@test "a new boot takes the runtime's attachments with it; the container comes back under its name and address" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web;IP=10.97.0.40" <<<"$(conf)"
  assert_success
  # What a reboot does to the kernel: namespaces and links are gone.
  in_host ip netns del c1
  in_host rm -f /var/run/netns/web
  in_host ip link del "$(cnet network inspect front --json | jq -r '.[0].Bridge')"
  in_host sqlite3 /var/lib/cnet/cnet.db "update meta set value = 'another-boot' where key = 'boot_id'"
  run cnet gc
  assert_success
  [ "$(cnet endpoint ls --json)" = "[]" ]
  [ "$(store 'select count(*) from leases')" = 1 ]
  # podman starts the container again (same id, same name, same address).
  in_host ip netns add c2
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c2 "K8S_POD_NAME=web;IP=10.97.0.40" <<<"$(conf)"
  assert_success
  [ "$(cnet endpoint ls --json | jq -r '.[] | .Name + " " + .IPv4Address')" = "web 10.97.0.40/24" ]
}

@test "a container on two networks: DEL of the first moves its default route to the second" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf)"
  assert_success
  [ "$(echo "$output" | jq -r '.routes[0].gw')" = 10.97.0.1 ]
  run --separate-stderr plugin ADD c1 net1 /var/run/netns/c1 "K8S_POD_NAME=web" <<<'{"cniVersion":"1.0.0","name":"backnet","type":"cnet","network":"back","subnet":"10.96.0.0/24"}'
  assert_success
  # The first interface gives the default route; the second none.
  [ "$(echo "$output" | jq -r '.routes | length')" = 0 ]
  [ "$(cnet sandbox inspect web --json | jq -r '[.[0].Endpoints[].Interface] | sort | join(" ")')" = "eth0 net1" ]
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf)"
  assert_success
  run in_host ip -n c1 route show default
  [[ "$output" == *"via 10.96.0.1 dev net1"* ]]
  run --separate-stderr plugin DEL c1 net1 /var/run/netns/c1 <<<'{"cniVersion":"1.0.0","name":"backnet","type":"cnet","network":"back"}'
  assert_success
  [ "$(cnet sandbox ls --json)" = "[]" ]
}

@test "a dual-stack network: both families in the result, the kernel and CHECK" {
  cnet network create front --subnet 10.97.0.0/24 --ipv6 --subnet fd00:97::/64 >/dev/null
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "IP=fd00:97::50" <<<"$(conf 0.4.0)"
  assert_success
  local result=$output
  [ "$(echo "$result" | jq -r '[.ips[] | .version + " " + .address + " " + .gateway] | join(", ")')" = "4 10.97.0.2/24 10.97.0.1, 6 fd00:97::50/64 fd00:97::1" ]
  [ "$(echo "$result" | jq -r '[.routes[].dst] | join(" ")')" = "0.0.0.0/0 ::/0" ]
  run in_host ip -n c1 -o -6 addr show dev eth0 scope global
  [[ "$output" == *"fd00:97::50/64"* ]]
  run in_host ip -n c1 -6 route show default
  [[ "$output" == *"via fd00:97::1 dev eth0"* ]]
  run --separate-stderr plugin CHECK c1 eth0 /var/run/netns/c1 <<<"$(conf 0.4.0 ",\"prevResult\":$result")"
  assert_success
  # prevResult without the IPv6 address: CHECK says so.
  run --separate-stderr plugin CHECK c1 eth0 /var/run/netns/c1 <<<"$(conf 0.4.0 ",\"prevResult\":$(echo "$result" | jq -c '.ips |= map(select(.version == "4"))')")"
  assert_cni_error 101
  [[ "$(echo "$output" | jq -r .msg)" == *"lacks address fd00:97::50/64"* ]]
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf 0.4.0)"
  assert_success
  [ "$(store 'select count(*) from leases')" = 2 ]
}

@test "a container's namespace name that leads to the host's own namespace now: DEL touches nothing of the host's" {
  in_host ip netns add c1
  run --separate-stderr plugin ADD c1 eth0 /var/run/netns/c1 "K8S_POD_NAME=web" <<<"$(conf)"
  assert_success
  in_host ip link add eth0 type veth peer name eth0p
  in_host ip link set eth0 up
  # As a /proc/PID/ns/net target whose pid a host process got.
  in_host ln -sfn "/proc/$HOST_PID/ns/net" /var/run/netns/web
  run --separate-stderr plugin DEL c1 eth0 /var/run/netns/c1 <<<"$(conf)"
  assert_success
  # Still up (no carrier: its peer is down).
  [[ "$(in_host ip -o link show eth0)" == *"MULTICAST,UP"* ]]
  [ "$(cnet endpoint ls --json)" = "[]" ]
  run in_host ls /var/run/netns
  [ "$output" = c1 ]
}
