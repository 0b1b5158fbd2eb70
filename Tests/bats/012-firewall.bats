#!/usr/bin/env bats
# NAT, published ports, internal networks and isolation, against a simulated
# outside world: a "wan" namespace joined to the throwaway host by a veth,
# with documentation addresses only (198.51.100.0/24, 203.0.113.0/24).

load helpers
load traffic

nft_ruleset() {
  in_host nft list ruleset
}

@test "egress leaves with the host's address; tcp, udp and a range are published; a loopback publish answers the host only" {
  make_wan
  cnet network create lab --subnet 10.89.0.0/24
  cnet connect lab web -p 8080:80 -p 5353:53/udp -p 9000-9002:9000-9002 -p 127.0.0.1:8081:80 -p 203.0.113.1:8082:80
  serve web tcp 80 hello-web
  serve web udp 53 hello-udp
  serve web tcp 9001 hello-range
  expect_answer hello-web wan tcp 198.51.100.1 8080
  expect_answer hello-udp wan udp 198.51.100.1 5353
  expect_answer hello-range wan tcp 198.51.100.1 9001
  # Published on one host address: there, not on the other.
  expect_answer hello-web wan tcp 203.0.113.1 8082
  [ -z "$(ask wan tcp 198.51.100.1 8082)" ]
  # The loopback publish: the host gets through, wan does not.
  expect_answer hello-web host tcp 127.0.0.1 8081
  [ -z "$(ask wan tcp 198.51.100.1 8081)" ]
  # Every publish answers the host on its own addresses too.
  expect_answer hello-web host tcp 127.0.0.1 8080
  expect_answer hello-web host tcp 198.51.100.1 8080

  # Egress: wan sees the host's address, not the sandbox's.
  in_host_bg ip netns exec wan socat TCP-LISTEN:7777,reuseaddr,fork SYSTEM:'echo \$SOCAT_PEERADDR'
  expect_answer 198.51.100.1 web tcp 198.51.100.2 7777

  run cnet endpoint inspect lab/web --json
  [ "$(echo "$output" | jq -c '.[0].Ports[0]')" = '{"Port":"80/tcp","HostIp":"","HostPort":"8080"}' ]
  [ "$(echo "$output" | jq -r '.[0].Ports | map(.HostPort) | join(" ")')" = "8080 5353 9000-9002 8081 8082" ]
  run cnet sandbox inspect web --json
  [ "$(echo "$output" | jq -r '.[0].Endpoints[0].Ports[1].Port')" = 53/udp ]
}

@test "hairpin: sandboxes reach their own and their neighbours' published ports through a host address" {
  make_wan
  cnet network create lab --subnet 10.89.0.0/24
  cnet connect lab web -p 8080:80
  cnet connect lab other
  serve web tcp 80 hello-web
  expect_answer hello-web other tcp 198.51.100.1 8080
  expect_answer hello-web web tcp 198.51.100.1 8080
  expect_answer hello-web other tcp 10.89.0.1 8080
}

@test "a UDP flow that began before the port was published is flushed and reaches the sandbox" {
  make_wan
  cnet network create lab --subnet 10.89.0.0/24
  # From a fixed source port, before the publish: the host answers (port
  # unreachable) and conntrack remembers the flow as the host's.
  ask wan udp 198.51.100.1 5300 ",sourceport=4444,reuseaddr" || true
  cnet connect lab web -p 5300:53/udp
  serve web udp 53 hello-udp
  expect_answer hello-udp wan udp 198.51.100.1 5300 ",sourceport=4444,reuseaddr"
}

@test "an internal network has no way out and publishes nothing" {
  make_wan
  cnet network create sealed --internal --subnet 10.90.0.0/24
  cnet connect sealed box
  in_host_bg ip netns exec wan socat TCP-LISTEN:7777,reuseaddr,fork SYSTEM:'echo reached'
  sleep 0.2
  [ -z "$(ask box tcp 198.51.100.2 7777)" ]
  run cnet exec box ip route show default
  [ -z "$output" ]
  run --separate-stderr cnet connect sealed web -p 8080:80
  assert_fails 64 'network "sealed" is internal and publishes no ports'
  run cnet sandbox inspect web
  [ "$status" -ne 0 ]
}

@test "two networks are isolated from each other; enable_icc=false isolates the sandboxes of one" {
  cnet network create n1 --subnet 10.91.0.0/24
  cnet network create n2 --subnet 10.92.0.0/24
  cnet network create quiet --subnet 10.93.0.0/24 -o com.docker.network.bridge.enable_icc=false
  cnet connect n1 a1
  cnet connect n1 a2
  cnet connect n2 b1
  cnet connect quiet q1
  cnet connect quiet q2
  run cnet exec a1 ping -c 1 -W 1 10.91.0.3
  assert_success
  run cnet exec a1 ping -c 1 -W 1 10.92.0.2
  [ "$status" -ne 0 ]
  run cnet exec b1 ping -c 1 -W 1 10.91.0.2
  [ "$status" -ne 0 ]
  run cnet exec q1 ping -c 1 -W 1 10.93.0.3
  [ "$status" -ne 0 ]
  # Their gateway they still reach.
  run cnet exec q1 ping -c 1 -W 1 10.93.0.1
  assert_success
}

@test "rules live as long as what they serve: nothing of cnet's is left after disconnect and rm" {
  cnet network create lab --subnet 10.89.0.0/24
  cnet connect lab web -p 8080:80 -p 5353:53/udp
  cnet endpoint create lab spare -p 9090:90
  cnet network create quiet --subnet 10.93.0.0/24 -o com.docker.network.bridge.enable_icc=false
  cnet connect quiet q1
  run nft_ruleset
  # Every entry names its owner: the network's or the endpoint's id.
  local lab web
  lab=$(cnet network inspect lab --json | jq -r '.[0].Id')
  web=$(cnet endpoint inspect lab/web --json | jq -r '.[0].Id')
  [[ "$output" == *"tcp . 8080 comment \"endpoint $web\" : 10.89.0.2 . 80"* ]]
  [[ "$output" == *"10.89.0.0/24 comment \"network $lab\""* ]]
  # An endpoint publishes only while joined.
  [[ "$output" != *"9090"* ]]
  cnet disconnect lab web
  run nft_ruleset
  [[ "$output" != *"8080"* ]]
  [[ "$output" != *"5353"* ]]
  cnet disconnect quiet q1
  cnet endpoint rm lab/spare
  cnet network rm lab quiet
  run nft_ruleset
  [ -z "$output" ]
}

@test "the tables come back after nft flush ruleset: by cnet firewall reload, or by the next changing command" {
  make_wan
  cnet network create lab --subnet 10.89.0.0/24
  cnet connect lab web -p 8080:80
  serve web tcp 80 hello-web
  expect_answer hello-web wan tcp 198.51.100.1 8080
  in_host nft flush ruleset
  [ -z "$(ask wan tcp 198.51.100.1 8080)" ]
  run cnet firewall reload
  assert_success
  [[ "$output" == *"1 network(s), 1 published port range(s)"* ]]
  expect_answer hello-web wan tcp 198.51.100.1 8080

  in_host nft flush ruleset
  cnet connect lab other
  expect_answer hello-web wan tcp 198.51.100.1 8080
  # Tables an older cnet wrote (without its newest map) are rewritten by
  # the next changing command.
  in_host nft delete table inet cnet
  in_host nft add table inet cnet
  in_host nft add set inet cnet bridges '{ type ifname; }'
  cnet connect lab third
  run in_host nft list map inet cnet pub6a
  assert_success
  expect_answer hello-web wan tcp 198.51.100.1 8080
  # Reloading twice leaves the same tables.
  cnet firewall reload
  local before
  before=$(nft_ruleset)
  cnet firewall reload
  [ "$(nft_ruleset)" = "$before" ]
}

@test "gc removes firewall entries whose owner is gone" {
  cnet network create lab --subnet 10.89.0.0/24
  cnet connect lab web -p 8080:80
  # What a command killed between its firewall change and its commit leaves.
  in_host nft add element inet cnet pub4p '{ tcp . 0.0.0.0/0 . 7070 : 10.89.0.77 . 70 }'
  run cnet gc --dry-run
  assert_success
  [[ "$output" == *"remove 1 firewall entry of pub4p whose owner is gone"* ]]
  run nft_ruleset
  [[ "$output" == *"7070"* ]]
  run cnet gc
  [[ "$output" == *"remove 1 firewall entry of pub4p"* ]]
  run nft_ruleset
  [[ "$output" != *"7070"* ]]
  [[ "$output" == *"8080"* ]]
  run cnet gc
  [ -z "$output" ]
}

@test "published ports: a taken host port, bad -p and the wrong network are refused, and nothing changes" {
  cnet network create lab --subnet 10.89.0.0/24
  cnet network create other --subnet 10.94.0.0/24
  cnet network create nohost -d null
  cnet connect lab web -p 8080:80
  local before
  before=$(nft_ruleset)
  run --separate-stderr cnet connect other db -p 8080:5432
  assert_fails 4 'host port 8080/tcp is already published by endpoint "web" of network "lab"'
  run --separate-stderr cnet connect lab db -p 127.0.0.1:8080:5432
  assert_fails 4 'already published by endpoint "web"'
  run --separate-stderr cnet endpoint create lab db -p 9000:90 -p 9000:91
  assert_fails 4 'take the same host port'
  run --separate-stderr cnet connect lab db -p 8080
  assert_fails 64 '^cnet: invalid -p "8080": expected'
  run --separate-stderr cnet connect lab db -p 9000-9005:80
  assert_fails 64 'ranges of different lengths'
  run --separate-stderr cnet connect lab db -p 70000:80
  assert_fails 64 'invalid -p "70000:80"'
  run --separate-stderr cnet connect lab db -p '[::1]:8090:80'
  assert_fails 64 'has no IPv6 subnet'
  run --separate-stderr cnet connect nohost db -p 8090:80
  assert_fails 64 'publishes no ports'
  # UDP on the same number is another port.
  cnet connect other dns -p 8080:53/udp
  cnet disconnect other dns
  [ "$(nft_ruleset)" = "$before" ]
  run cnet sandbox ls --json
  [ "$(echo "$output" | jq -r 'map(.Name) | join(" ")')" = web ]
}

@test "beside a FORWARD policy of DROP: cnet's own chain for IPv4, and ip6tables' for a network with IPv6" {
  in_host iptables -P FORWARD DROP
  in_host ip6tables -P FORWARD DROP
  cnet network create six --subnet 10.89.0.0/24 --subnet fd00:89::/64 >/dev/null
  cnet connect six a
  cnet connect six b
  run cnet exec a ping -c 1 -W 1 10.89.0.3
  assert_success
  local v6 i
  v6=$(cnet endpoint inspect six/b --json | jq -r '.[0].IPv6Address' | cut -d/ -f1)
  for i in $(seq 1 30); do
    cnet exec a ping -6 -c 1 -W 1 "$v6" >/dev/null 2>&1 && break
    sleep 0.2
  done
  run cnet exec a ping -6 -c 1 -W 1 "$v6"
  assert_success
  run in_host iptables -S
  [[ "$output" == *"-A FORWARD -m comment --comment cnet -j CNET-FORWARD"* ]]
  [ "$(echo "$output" | grep -c -- '-A CNET-FORWARD .*cnet:six:')" = 4 ]
  run in_host ip6tables -S
  [ "$(echo "$output" | grep -c -- '-A CNET-FORWARD .*cnet:six:')" = 4 ]
  cnet disconnect six a
  cnet disconnect six b
  cnet network rm six
  run in_host sh -c 'iptables-save; ip6tables-save'
  [[ "$output" != *cnet* ]]
  [[ "$output" != *CNET* ]]
}

@test "beside iptables' legacy back end: the accepts go where Docker's chains are" {
  # A host whose iptables is the legacy one (update-alternatives), for cnet
  # as for Docker: the programs PATH finds first.
  local bin=$BATS_TEST_TMPDIR/legacy
  mkdir -p "$bin"
  ln -s /usr/sbin/iptables-legacy "$bin/iptables"
  ln -s /usr/sbin/ip6tables-legacy "$bin/ip6tables"
  ln -s /usr/sbin/iptables-legacy-save "$bin/iptables-save"
  cnet() { in_host env PATH="$bin:$PATH" "$CNET_BIN" "$@"; }
  in_host "$bin/iptables" -N DOCKER-USER
  in_host "$bin/iptables" -A DOCKER-USER -j RETURN
  in_host "$bin/iptables" -I FORWARD -j DOCKER-USER
  in_host "$bin/iptables" -P FORWARD DROP
  lab_up
  assert_flows
  run in_host "$bin/iptables" -S DOCKER-USER
  [ "$(echo "$output" | grep -c 'cnet:lab:')" = 4 ]
  [ "$(echo "$output" | tail -1)" = "-A DOCKER-USER -j RETURN" ]
  # Nothing written to iptables-nft's tables.
  run in_host nft list tables
  [[ "$output" != *"ip filter"* ]]
  # Deleted behind cnet's back, put back by the next changing command.
  in_host "$bin/iptables" -D DOCKER-USER 1
  cnet connect lab third
  [ "$(in_host "$bin/iptables" -S DOCKER-USER | grep -c 'cnet:lab:')" = 4 ]
  assert_flows
}
