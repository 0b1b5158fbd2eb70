# Traffic between a throwaway host's sandboxes and a simulated outside
# world: a "wan" namespace joined to the host by a veth, with documentation
# addresses only (198.51.100.0/24, 203.0.113.0/24), socat servers in
# sandboxes, and clients that say what they got back.

# wan: 198.51.100.2, reaching the host at 198.51.100.1 (its default route);
# the host also has 203.0.113.1 on a second link, for host-address publishes.
make_wan() {
  in_host ip netns add wan
  in_host ip link add wan0 type veth peer name eth0 netns wan
  in_host ip addr add 198.51.100.1/24 dev wan0
  in_host ip link set wan0 up
  in_host ip link add side0 type veth peer name side1
  in_host ip addr add 203.0.113.1/24 dev side0
  in_host ip link set side0 up
  in_host ip link set side1 up
  in_host ip -n wan addr add 198.51.100.2/24 dev eth0
  in_host ip -n wan link set eth0 up
  in_host ip -n wan link set lo up
  in_host ip -n wan route add default via 198.51.100.1
}

# serve SANDBOX tcp|udp PORT TEXT: answers every connection (or datagram)
# with TEXT, in the background.
serve() {
  local kind=TCP-LISTEN
  [ "$2" = udp ] && kind=UDP-RECVFROM
  in_host_bg "$CNET_BIN" exec "$1" socat "$kind:$3,fork,reuseaddr" SYSTEM:"echo $4"
}

# ask WHERE tcp|udp HOST PORT [SOCAT-OPTIONS]: what a client there gets
# back ("host" is the throwaway host itself, anything else a sandbox, or wan).
ask() {
  local where=$1 kind=TCP address=$3 port=$4 extra=${5:-}
  [ "$2" = udp ] && kind=UDP
  local client=(timeout 3 socat -T1 - "$kind:$address:$port$extra")
  case $where in
    host) echo | in_host "${client[@]}" 2>/dev/null ;;
    wan) echo | in_host ip netns exec wan "${client[@]}" 2>/dev/null ;;
    *) echo | in_host "$CNET_BIN" exec "$where" "${client[@]}" 2>/dev/null ;;
  esac
}

# Retries ask until it answers $1 (servers take a moment to listen).
expect_answer() {
  local want=$1 i got=""
  shift
  for i in $(seq 1 20); do
    got=$(ask "$@" || true)
    [ "$got" = "$want" ] && return 0
    sleep 0.1
  done
  echo "ask $* answered '$got', expected '$want'" >&2
  return 1
}

# lab_up: the wan, network lab (10.89.0.0/24) with sandboxes web (serving
# hello-web on port 80, published on the host's port 8080) and other, and
# wan serving "reached" on port 7777.
lab_up() {
  make_wan
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web -p 8080:80
  cnet connect lab other
  serve web tcp 80 hello-web
  in_host_bg ip netns exec wan socat TCP-LISTEN:7777,reuseaddr,fork SYSTEM:'echo reached'
}

# What lab's sandboxes need, each way: within the bridge (other to web),
# out through the host (web to wan), and in through the published port
# (wan to web).
assert_flows() {
  expect_answer hello-web other tcp 10.89.0.2 80
  expect_answer reached web tcp 198.51.100.2 7777
  expect_answer hello-web wan tcp 198.51.100.1 8080
}

# The bridged and the outgoing traffic dropped (by another firewall).
assert_dropped() {
  local got
  got=$(ask other tcp 10.89.0.2 80 || true)
  [ -z "$got" ] || { echo "other reached web ($got): not dropped" >&2; return 1; }
  got=$(ask web tcp 198.51.100.2 7777 || true)
  [ -z "$got" ] || { echo "web reached wan ($got): not dropped" >&2; return 1; }
}
