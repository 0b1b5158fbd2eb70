#!/usr/bin/env bats
# link add/set/del/list, as ip link does them.

load helpers

@test "bridge and veth, the peer born inside its namespace with its final name" {
  cnet netns add web
  cnet link add br0 --type bridge --up
  cnet link add v0 --type veth --peer eth0 --peer-netns web --master br0 --mtu 1400 --up
  run in_host ip -o link show v0
  [[ "$output" == *"master br0"* ]]
  [[ "$output" == *"mtu 1400"* ]]
  run in_host ip -n web -o link show eth0
  [[ "$output" == *"mtu 1400"* ]]
  run cnet link list --json
  [ "$(echo "$output" | jq -r '.[] | select(.ifname=="v0") | .master')" = br0 ]
  [ "$(echo "$output" | jq -r '.[] | select(.ifname=="v0") | .linkinfo.info_kind')" = veth ]
  run cnet link list --type bridge --json
  [ "$(echo "$output" | jq -r '.[].ifname')" = br0 ]
  # Deleting one end deletes the pair.
  cnet link del v0
  run in_host ip -n web -o link show eth0
  [ "$status" -ne 0 ]
}

@test "veth peer given by PID, and a kernel-named peer" {
  in_host_bg unshare --net sleep 100
  local pid=$LAST_PID
  for i in $(seq 1 100); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
  cnet link add v1 --type veth --peer eth0 --peer-netns "$pid"
  run in_host nsenter --net=/proc/$pid/ns/net ip -o link show eth0
  assert_success
  cnet link add v2 --type veth
  run cnet link list --json
  [ "$(echo "$output" | jq -r '.[] | select(.ifname=="v2") | .link')" != null ]
}

@test "vxlan and macvlan with their options" {
  cnet link add under0 --type veth --peer under1 --up
  cnet addr add 198.51.100.1/24 --dev under0
  cnet link add vx42 --type vxlan --vni 42 --local 198.51.100.1 --remote 198.51.100.2 --dev under0
  run in_host ip -d -o link show vx42
  [[ "$output" == *"vxlan id 42 remote 198.51.100.2 local 198.51.100.1 dev under0"* ]]
  [[ "$output" == *"dstport 4789"* ]]
  cnet link add mv0 --type macvlan --dev under0 --mode private
  run in_host ip -d -o link show mv0
  [[ "$output" == *"macvlan mode private"* ]]
}

@test "link set changes state, master, mtu, address, name and namespace" {
  cnet netns add web
  cnet link add br0 --type bridge
  cnet link add v0 --type veth --peer v1
  cnet link set v0 --up --master br0 --mtu 1300 --address 02:00:00:00:00:42
  run in_host ip -o link show v0
  [[ "$output" == *"master br0"* && "$output" == *"mtu 1300"* && "$output" == *"02:00:00:00:00:42"* ]]
  cnet link set v0 --nomaster --down
  run in_host ip -o link show v0
  [[ "$output" != *"master"* && "$output" != *",UP"* ]]
  cnet link set v1 --name renamed
  cnet link set renamed --netns web
  run in_host ip -n web -o link show renamed
  assert_success
  # -n finds it there, --netns moves it back (here by the PID of a process
  # in the throwaway host's namespace): the two flags do not clash.
  cnet link set -n web renamed --name back --netns "$HOST_PID"
  run in_host ip -o link show back
  assert_success
}

@test "bad link input: one line, exit 64, nothing created" {
  run --separate-stderr cnet link add 0123456789abcdef --type bridge
  assert_fails 64 'invalid interface name "0123456789abcdef": 16 bytes, at most 15 allowed'
  run --separate-stderr cnet link add br0 --type bridge --peer x
  assert_fails 64 '^cnet: --peer applies to --type veth, not bridge$'
  run --separate-stderr cnet link add vx --type vxlan
  assert_fails 64 '^cnet: --type vxlan needs --vni$'
  run --separate-stderr cnet link add br0 --type bridge --mtu 10
  assert_fails 64 'invalid MTU 10'
  run --separate-stderr cnet link add br0 --type bridge --address 01:00:5e:00:00:01
  assert_fails 64 'invalid MAC address'
  run --separate-stderr cnet link add br0 --type tunnel
  assert_fails 64 "tunnel"
  run --separate-stderr cnet link add v0 --type veth --peer-netns nowhere
  assert_fails 2 '^cnet: cannot open network namespace "nowhere": No such file or directory$'
  run --separate-stderr cnet link set br0 --up --down
  assert_fails 64 'contradict'
  run cnet link list --json
  [ "$(echo "$output" | jq -r '.[].ifname')" = lo ]
}

@test "kernel refusals keep the kernel's words" {
  cnet link add br0 --type bridge
  run --separate-stderr cnet link add br0 --type bridge
  assert_fails 3 '^cnet: cannot create bridge "br0": File exists$'
  run --separate-stderr cnet link del nope
  assert_fails 2 '^cnet: cannot find device "nope": No such device$'
  cnet link add br1 --type bridge
  run --separate-stderr cnet link set br1 --master br0
  assert_fails 1 '^cnet: cannot change link "br1": Too many levels of symbolic links \(kernel: Can not enslave a bridge to a bridge\)$'
  run --separate-stderr cnet -n nowhere link list
  assert_fails 2 '^cnet: cannot open network namespace "nowhere"'
}

@test "dummy links, where the kernel has the driver" {
  # This machine's kernel is built without CONFIG_DUMMY; the user then gets
  # the kernel's own refusal. Where the driver exists, the link is made.
  if in_host ip link add probe0 type dummy 2>/dev/null; then
    in_host ip link del probe0
    cnet link add d0 --type dummy
    run cnet link list --type dummy --json
    [ "$(echo "$output" | jq -r '.[].ifname')" = d0 ]
  else
    run --separate-stderr cnet link add d0 --type dummy
    assert_fails 1 '^cnet: cannot create dummy "d0": Operation not supported \(kernel: Unknown device type\)$'
  fi
}
