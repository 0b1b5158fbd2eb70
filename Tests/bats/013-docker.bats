#!/usr/bin/env bats
# A real Docker engine drives cnet through the plugin protocol: dockerd,
# containerd and `cnet plugin serve` run inside the throwaway host
# (docker.bash), and every change is checked from both sides.

load helpers
load docker
load traffic

setup() {
  start_host
  # The scenario of networks made before dockerd starts starts it itself.
  [[ "$BATS_TEST_DESCRIPTION" == *"before dockerd starts"* ]] || docker_setup
}

teardown() {
  docker_teardown
  kill -TERM "${PLUGIN_PID:-0}" 2>/dev/null || true
  stop_host
}

# The address docker gave container $1 on network $2.
address() {
  docker inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
}

# connect_box NETWORK ADDRESS...: a cnet sandbox "box" joins the Docker
# network; its address (in $BOX) is none of the containers' ADDRESSes, and
# it reaches the first of them.
connect_box() {
  local network=$1 taken
  shift
  cnet connect "$network" box
  BOX=$(cnet endpoint inspect "$network/box" --json | jq -r '.[0].IPv4Address' | cut -d/ -f1)
  for taken in "$@"; do
    [ "$BOX" != "$taken" ] || { echo "box got $taken, a container's address" >&2; return 1; }
  done
  run cnet exec box ping -c 1 -W 2 "$1"
  assert_success
}

# Asserts nothing of cnet's or docker's networks is left in the host.
assert_nothing_left() {
  run cnet network ls --json
  [ "$output" = "[]" ] || { echo "networks left: $output" >&2; return 1; }
  [ "$(store 'select count(*) from endpoints') $(store 'select count(*) from sandboxes') $(store 'select count(*) from pools') $(store 'select count(*) from leases')" = "0 0 0 0" ]
  run in_host ip -o link show
  if echo "$output" | grep -Eq 'cv[0-9a-f]|cp[0-9a-f]|cnet'; then echo "links left: $output" >&2; return 1; fi
  run in_host ip netns list
  [ -z "$output" ] || { echo "namespaces left: $output" >&2; return 1; }
  run in_host nft list tables
  if echo "$output" | grep -q cnet; then echo "tables left: $output" >&2; return 1; fi
  run in_host iptables-save
  if echo "$output" | grep -q cnet; then echo "iptables rules left: $output" >&2; return 1; fi
}

# DOCKER-USER as iptables shows it.
docker_user() {
  in_host iptables -S DOCKER-USER
}

@test "dockerd uses cnet as network and IPAM plugin: containers ping, connect and disconnect, rm refused then done, nothing left" {
  run docker network create -d cnet --ipam-driver cnet --subnet 10.60.0.0/24 dnet
  assert_success
  local id=${output:0:12}
  # The Docker network is a cnet network, a bridge with the gateway.
  run cnet network ls --json
  [ "$(echo "$output" | jq -r '.[0].Name')" = "docker-$id" ]
  [ "$(echo "$output" | jq -r '.[0].Driver')" = bridge ]
  run cnet network inspect "docker-$id" --json
  [[ "$output" == *10.60.0.0/24* ]]
  [[ "$output" == *10.60.0.1* ]]

  docker run -d --name c1 --network dnet bb:local sleep 1000
  docker run -d --name c2 --network dnet bb:local sleep 1000
  local a1 a2
  a1=$(address c1 dnet)
  a2=$(address c2 dnet)
  [ "$a1" != "$a2" ]
  run docker exec c1 ping -c 1 -W 2 "$a2"
  assert_success
  run docker exec c2 ping -c 1 -W 2 "$a1"
  assert_success
  # Their endpoints, addresses and namespaces are in cnet's store.
  run cnet endpoint ls --json --network "docker-$id"
  [ "$(echo "$output" | jq -r '[.[].IPv4Address] | sort | join(" ")')" = "$(printf '%s\n' "$a1/24" "$a2/24" | sort | tr '\n' ' ' | sed 's/ $//')" ]
  run cnet sandbox ls --json
  [ "$(echo "$output" | jq '[.[] | select(.Origin == "external")] | length')" = 2 ]
  # A default route via cnet's gateway, and cnet exec reaches the container's namespace.
  run docker exec c1 ip route
  [[ "$output" == *"default via 10.60.0.1"* ]]
  local sandbox
  sandbox=$(cnet sandbox ls --json | jq -r '.[0].Name')
  run cnet exec "$sandbox" ip -o -4 addr show eth0
  assert_success
  [[ "$output" == *10.60.0.* ]]

  # One state: a cnet sandbox on the same network gets an address no
  # container has, and they reach each other.
  connect_box "docker-$id" "$a2" "$a1"
  run docker exec c1 ping -c 1 -W 2 "$BOX"
  assert_success

  # docker network connect and disconnect.
  docker network create -d cnet --ipam-driver cnet --subnet 10.61.0.0/24 dnet2
  docker network connect dnet2 c1
  run docker exec c1 ip -o -4 addr show eth1
  [[ "$output" == *10.61.0.* ]]
  [ "$(cnet endpoint ls --json | jq length)" = 4 ]
  docker network disconnect dnet2 c1
  [ "$(cnet endpoint ls --json | jq length)" = 3 ]
  run docker exec c1 ip -o link show eth1
  [ "$status" -ne 0 ]

  # cnet does not call its own server on its own store (each would wait
  # for the other's lock).
  run --separate-stderr cnet network create loop -d cnet
  assert_fails 64 "is cnet's own plugin server on this same store"

  # A Docker network is dockerd's to remove, and prune leaves it alone.
  run --separate-stderr cnet network rm "docker-$id"
  assert_fails 4 "is dockerd's; remove it there"
  cnet network prune
  [ "$(cnet network ls --json | jq length)" = 2 ]

  # rm is refused while in use (dockerd refuses; cnet's own endpoint
  # would refuse too), and done after.
  run docker network rm dnet
  [ "$status" -ne 0 ]
  [[ "$output" == *"active endpoints"* ]]
  [ "$(cnet network ls --json | jq length)" = 2 ]
  cnet disconnect "docker-$id" box
  docker rm -f c1 c2
  [ "$(cnet endpoint ls --json | jq length)" = 0 ]
  [ "$(cnet sandbox ls --json | jq length)" = 0 ]
  docker network rm dnet dnet2
  assert_nothing_left
}

@test "a container's published port, restarts of the plugin server and of dockerd, and malformed calls" {
  # An address of the host's, for the publish.
  in_host ip link add side0 type veth peer name side1
  in_host ip link set side1 up
  in_host ip addr add 203.0.113.1/24 dev side0
  in_host ip link set side0 up
  docker network create -d cnet --ipam-driver cnet --subnet 10.62.0.0/24 pnet
  docker run -d --stop-timeout 1 --name web -p 8080:80 --network pnet bb:local sh -c 'while true; do echo hello | nc -l -p 80; done'
  # The endpoint has the port, and it answers on the host's address.
  run cnet endpoint ls --json
  [ "$(echo "$output" | jq -r '.[0].Ports[0] | .HostPort + ":" + .Port')" = "8080:80/tcp" ]
  local i reply=
  for i in $(seq 1 50); do
    reply=$(in_host socat -T 2 - TCP:203.0.113.1:8080 </dev/null 2>/dev/null || true)
    [ "$reply" = hello ] && break
    sleep 0.1
  done
  [ "$reply" = hello ]

  # The server stops on SIGTERM and takes its socket along; started again,
  # it carries on from the store (dockerd does not activate it again).
  kill -TERM "$PLUGIN_PID"
  for i in $(seq 1 100); do kill -0 "$PLUGIN_PID" 2>/dev/null || break; sleep 0.05; done
  run kill -0 "$PLUGIN_PID"
  [ "$status" -ne 0 ]
  run in_host test -e /run/docker/plugins/cnet.sock
  [ "$status" -ne 0 ]
  cnet_plugin_serve
  # A second server does not take the socket over.
  run --separate-stderr cnet plugin serve
  assert_fails 4 "a plugin already answers on /run/docker/plugins/cnet.sock"
  docker run -d --stop-timeout 1 --name c2 --network pnet bb:local sleep 1000
  run docker exec c2 ping -c 1 -W 2 "$(address web pnet)"
  assert_success
  [ "$(cnet endpoint ls --json | jq length)" = 2 ]

  # Malformed and unknown calls get error replies; the server serves on.
  run in_host sh -c 'printf "POST /NetworkDriver.Join HTTP/1.1\r\nHost: \r\nContent-Length: 5\r\nConnection: close\r\n\r\n{bad}" | socat -T 2 - UNIX-CONNECT:/run/docker/plugins/cnet.sock'
  [[ "$output" == *"400 Bad Request"* ]]
  [[ "$output" == *'"Err":"/NetworkDriver.Join: malformed request'* ]]
  run in_host sh -c 'printf "POST /NetworkDriver.Nothing HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\nConnection: close\r\n\r\n" | socat -T 2 - UNIX-CONNECT:/run/docker/plugins/cnet.sock'
  [[ "$output" == *"404 Not Found"* ]]
  run in_host sh -c 'printf "GARBAGE\r\n\r\n" | socat -T 2 - UNIX-CONNECT:/run/docker/plugins/cnet.sock'
  run docker run --rm --network pnet bb:local ip -o -4 addr show eth0
  assert_success
  [[ "$output" == *10.62.0.* ]]

  # A restart of dockerd: it stops its containers (their endpoints go),
  # keeps its networks, and starts them again on the same cnet network.
  restart_dockerd
  [ "$(cnet endpoint ls --json | jq length)" = 0 ]
  [ "$(cnet sandbox ls --json | jq length)" = 0 ]
  docker start web c2
  [ "$(cnet endpoint ls --json | jq length)" = 2 ]
  run docker exec c2 ping -c 1 -W 2 "$(address web pnet)"
  assert_success
  for i in $(seq 1 50); do
    reply=$(in_host socat -T 2 - TCP:203.0.113.1:8080 </dev/null 2>/dev/null || true)
    [ "$reply" = hello ] && break
    sleep 0.1
  done
  [ "$reply" = hello ]

  # The port goes with its container.
  docker rm -f web
  run in_host socat -T 1 - TCP:203.0.113.1:8080 </dev/null
  [ "$status" -ne 0 ]
  docker rm -f c2
  docker network rm pnet
  assert_nothing_left
}

@test "dockerd's own IPAM with cnet's driver, an internal network, and a dual-stack one" {
  # dockerd's default IPAM: cnet records the containers' addresses in its
  # own pool, so a cnet sandbox on the network gets another.
  run docker network create -d cnet --subnet 10.63.0.0/24 dflt
  assert_success
  local id=${output:0:12}
  docker run -d --name ca --network dflt bb:local sleep 1000
  docker run -d --name cb --network dflt bb:local sleep 1000
  run docker exec ca ping -c 1 -W 2 "$(address cb dflt)"
  assert_success
  connect_box "docker-$id" "$(address ca dflt)" "$(address cb dflt)"
  cnet disconnect "docker-$id" box

  # Internal: no default route, and no docker_gwbridge either.
  docker network create -d cnet --ipam-driver cnet --internal --subnet 10.64.0.0/24 inner
  docker run -d --name i1 --network inner bb:local sleep 1000
  run docker exec i1 ip route
  [[ "$output" != *default* ]]
  run docker exec i1 ip -o link show
  [[ "$output" != *eth1* ]]
  run docker network ls --format '{{.Name}}'
  [[ "$output" != *docker_gwbridge* ]]

  # Dual stack: IPv6 addresses from cnet's IPAM, and the containers reach
  # each other over IPv6.
  docker network create -d cnet --ipam-driver cnet --ipv6 --subnet 10.65.0.0/24 --subnet fd65::/64 six
  docker run -d --name s1 --network six bb:local sleep 1000
  docker run -d --name s2 --network six bb:local sleep 1000
  local v6
  v6=$(docker inspect -f '{{(index .NetworkSettings.Networks "six").GlobalIPv6Address}}' s2)
  [[ "$v6" == fd65::* ]]
  run docker exec s1 ip -6 route
  [[ "$output" == *"default via fd65::1"* ]]
  local i
  for i in $(seq 1 30); do
    docker exec s1 ping -6 -c 1 -W 1 "$v6" >/dev/null 2>&1 && break
    sleep 0.2
  done
  run docker exec s1 ping -6 -c 1 -W 2 "$v6"
  assert_success

  docker rm -f ca cb i1 s1 s2
  docker network rm dflt inner six
  assert_nothing_left
}

@test "a cnet network beside dockerd's default firewall: traffic flows, survives a dockerd restart, and its rules go with it" {
  local docker_user_before
  docker_user_before=$(docker_user)
  # What dockerd made of the host: forwarding on, FORWARD dropping, and
  # bridged frames through iptables.
  [ "$(in_host sysctl -n net.ipv4.ip_forward)" = 1 ]
  [ "$(in_host iptables -S FORWARD | head -1)" = "-P FORWARD DROP" ]
  [ "$(in_host sysctl -n net.bridge.bridge-nf-call-iptables)" = 1 ]
  lab_up
  assert_flows
  # cnet's accepts sit above Docker's RETURN, named after the network.
  local lab
  lab=$(cnet network inspect lab --json | jq -r '.[0].Id')
  run docker_user
  [[ "$output" == *"--comment \"cnet:lab:${lab:0:12}\" -j ACCEPT"* ]]
  [ "$(echo "$output" | tail -1)" = "-A DOCKER-USER -j RETURN" ]
  [ "$(echo "$output" | grep -c "cnet:lab:")" = 4 ]
  run cnet doctor
  assert_success

  # dockerd restarted keeps DOCKER-USER, and with it cnet's traffic.
  restart_dockerd
  assert_flows
  # Removed behind cnet's back: doctor says so; the next changing command
  # puts them back.
  in_host iptables -D DOCKER-USER 1
  run cnet doctor
  [ "$status" -eq 1 ]
  [[ "$output" == *"iptables: Docker's DOCKER-USER chain decides what FORWARD lets through, and cnet's accepts for network \"lab\" are missing"* ]]
  cnet connect lab third
  [ "$(docker_user | grep -c "cnet:lab:")" = 4 ]

  cnet disconnect lab web
  cnet disconnect lab other
  cnet disconnect lab third
  cnet network rm lab
  [ "$(docker_user)" = "$docker_user_before" ]
  run in_host iptables-save
  [[ "$output" != *cnet* ]]
}

@test "cnet networks made before dockerd starts work once it runs and cnet firewall reload has run" {
  lab_up
  assert_flows
  run in_host iptables-save
  [[ "$output" != *cnet* ]]
  # As after a boot: forwarding off (the kernel's default) until dockerd
  # turns it on, and then it sets FORWARD's policy to DROP.
  in_host sysctl -qw net.ipv4.ip_forward=0
  docker_setup
  [ "$(in_host iptables -S FORWARD | head -1)" = "-P FORWARD DROP" ]
  # That policy takes the traffic; doctor says why and what fixes it.
  assert_dropped
  run cnet doctor --json
  [ "$status" -eq 1 ]
  [ "$(echo "$output" | jq -r '.[] | select(.Check == "iptables") | .Fix')" = "cnet firewall reload" ]
  run cnet firewall reload
  assert_success
  [[ "$output" == *"iptables: add accept"* ]]
  assert_flows
  # Reloading again changes nothing.
  local before
  before=$(in_host iptables-save | grep -v '^#')
  cnet firewall reload
  [ "$(in_host iptables-save | grep -v '^#')" = "$before" ]
}
