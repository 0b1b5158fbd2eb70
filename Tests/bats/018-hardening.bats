#!/usr/bin/env bats
# cnet as a careless or hostile caller meets it: links planted where cnet
# writes, a store that is empty or missing, drift behind cnet's back, the
# lock unlinked, a read-only or full disk, the host's own namespace as a
# sandbox, subnets and names that make no sense, options ArgumentParser
# would read otherwise, and the plugin server's idle connections. Each
# case is one the first hostile run found.

# The plugin server's socket directory, private to each host.
EXTRA_DIRS="/run/docker"

load helpers

# A directory outside everything cnet writes, holding a canary file.
make_canary() {
  CANARY=$BATS_TEST_TMPDIR/elsewhere
  mkdir -p "$CANARY"
  echo canary >"$CANARY/canary"
}

assert_canary() {
  [ "$(cat "$CANARY/canary")" = canary ] || { echo "the canary was written" >&2; return 1; }
  [ "$(ls -A "$CANARY")" = canary ] || { echo "files appeared beside the canary: $(ls -A "$CANARY")" >&2; return 1; }
}

@test "links planted where cnet writes: refused before any change, never followed, the canary untouched" {
  make_canary
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web2
  in_host ln -s "$CANARY" /etc/netns/web
  BEFORE=$(settled_snapshot)
  assert_refused 4 '^cnet: /etc/netns/web is a symbolic link where cnet keeps a directory \(cnet does not follow links it did not make\); move it away$' connect lab web
  assert_refused 4 '/etc/netns/web is a symbolic link' sandbox create web
  assert_canary

  # An existing sandbox's directory made a link behind cnet's back: joins
  # are refused, and leaving removes nothing through it.
  cnet network create other --subnet 10.90.0.0/24 >/dev/null
  in_host mv /etc/netns/web2 /etc/netns/web2.moved
  in_host ln -s "$CANARY" /etc/netns/web2
  BEFORE=$(settled_snapshot)
  assert_refused 4 '/etc/netns/web2 is a symbolic link' connect other web2
  cnet disconnect lab web2
  assert_canary
  run in_host test -L /etc/netns/web2
  assert_success

  # A regular file where the sandbox's directory belongs.
  in_host sh -c 'echo x > /etc/netns/web3'
  BEFORE=$(settled_snapshot)
  assert_refused 4 '^cnet: /etc/netns/web3 is a file where cnet keeps a directory; move it away$' connect lab web3

  # A link at /run/cnet/hosts: networks and joins refuse.
  in_host mv /run/cnet/hosts /run/cnet/hosts.moved
  in_host ln -s "$CANARY" /run/cnet/hosts
  BEFORE=$(settled_snapshot)
  assert_refused 4 '/run/cnet/hosts is a symbolic link' network create third --subnet 10.91.0.0/24
  assert_refused 4 '/run/cnet/hosts is a symbolic link' connect lab web4
  assert_canary
  in_host rm /run/cnet/hosts
  in_host mv /run/cnet/hosts.moved /run/cnet/hosts

  # A link at one of the files' names: refused too, never written through.
  in_host mkdir /etc/netns/web5
  in_host ln -s "$CANARY/canary" /etc/netns/web5/hostname
  BEFORE=$(settled_snapshot)
  assert_refused 4 '^cnet: /etc/netns/web5/hostname is a symbolic link where cnet keeps a file' connect lab web5
  assert_canary
}

@test "an empty or missing store is never taken for a new one: refused, then --adopt or --force" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web --alias www
  cnet connect lab db
  local bridge mac
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  mac=$(in_host cat "/sys/class/net/$bridge/address" 2>/dev/null || in_host ip -o link show "$bridge" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
  # The store emptied (a zero-length file, as a crashed copy leaves it).
  in_host sh -c 'mv /var/lib/cnet/cnet.db /var/lib/cnet/saved.db; rm -f /var/lib/cnet/cnet.db-*; : > /var/lib/cnet/cnet.db'
  BEFORE=$(settled_snapshot)
  assert_refused 4 'the store /var/lib/cnet/cnet.db is missing or empty, but this host holds what cnet made with one \(1 network bridge, 2 endpoint links, cnet.s nftables tables, 1 hosts file in /run/cnet/hosts\); nothing was changed.*cnet gc --adopt.*cnet gc --force' gc
  assert_refused 4 'is missing or empty' connect lab other
  assert_refused 4 'is missing or empty' network create n2
  # Missing altogether (its filesystem not mounted yet): the same.
  in_host rm /var/lib/cnet/cnet.db
  BEFORE=$(settled_snapshot)
  assert_refused 4 'is missing or empty' gc
  run --separate-stderr cnet doctor
  [ "$status" -eq 1 ] || { echo "doctor: $status $output $stderr" >&2; return 1; }
  [[ "$output" == *"there is no store at /var/lib/cnet/cnet.db"* ]] || { echo "doctor: $output" >&2; return 1; }
  # --dry-run says what --adopt would take over, and makes nothing.
  run cnet gc --adopt --dry-run
  assert_success
  [[ "$output" == *"adopt network \"lab\" (bridge $bridge, 10.89.0.0/24)"* ]]
  run in_host test -e /var/lib/cnet/cnet.db
  [ "$status" -ne 0 ]

  # --adopt: the network, its endpoints and sandboxes are cnet's again.
  run cnet gc --adopt
  assert_success
  [[ "$output" == *"adopt network \"lab\""* ]]
  [[ "$output" == *"adopt endpoint \"web\" of network \"lab\" (10.89.0.2/24), joined to sandbox \"web\""* ]]
  run cnet network inspect lab --json
  [ "$(echo "$output" | jq -r '.[0].Bridge')" = "$bridge" ]
  [[ "$output" == *10.89.0.1* ]]
  [ "$(store "select mac from networks where name = 'lab'")" = "$mac" ]
  [ "$(cnet endpoint ls --json | jq -r 'map(.Name + "=" + .IPv4Address) | sort | join(" ")')" = "db=10.89.0.3/24 web=10.89.0.2/24" ]
  [ "$(cnet endpoint inspect lab/web --json | jq -r '.[0].Aliases | join(" ")')" = www ]
  # Nothing to collect, and the network works on.
  run cnet gc
  assert_success
  [ -z "$output" ]
  cnet connect lab other
  run cnet exec other ping -c 1 -W 1 www
  assert_success
  cnet disconnect lab web
  run cnet exec other ping -c 1 -W 1 db
  assert_success
}

@test "gc --force removes what a lost store's cnet made" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web
  in_host sh -c 'rm -f /var/lib/cnet/cnet.db*'
  run cnet gc --force
  assert_success
  [[ "$output" == *"delete link"* ]]
  run in_host ip -o link show
  if echo "$output" | grep -Eq 'cnet-|cv[0-9a-f]'; then echo "links left: $output" >&2; return 1; fi
  run in_host nft list tables
  [[ "$output" != *cnet* ]]
}

@test "drift within a boot: a bridge deleted is realised by the next connect and by gc; emptied hosts files are rebuilt" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab a
  local bridge
  bridge=$(cnet network inspect lab --json | jq -r '.[0].Bridge')
  in_host ip link del "$bridge"
  run cnet network ls --json
  [ "$(echo "$output" | jq -r '.[0].Name')" = lab ]
  run cnet gc --dry-run
  [[ "$output" == *"realise network \"lab\" again: its bridge \"$bridge\" is missing"* ]]
  # connect realises it first, and the sandbox left on the old bridge is
  # put back on it.
  cnet connect lab b
  run cnet exec b ping -c 1 -W 1 10.89.0.2
  assert_success
  # /run/cnet emptied while connects go on: the hosts files lose names.
  in_host sh -c 'rm -rf /run/cnet/hosts'
  cnet connect lab c
  run cnet exec c ping -c 1 -W 1 a
  [ "$status" -ne 0 ]
  run cnet gc --dry-run
  [[ "$output" == *"write /run/cnet/hosts/"*"again (network \"lab\"): it names 1 endpoint(s), the store 3"* ]]
  run cnet gc
  assert_success
  run cnet exec c ping -c 1 -W 1 a
  assert_success
  run cnet exec a ping -c 1 -W 1 c
  assert_success
  run cnet gc --dry-run
  [ -z "$output" ]
  # The host's namespace as new under a kept store (every bridge and
  # namespace gone, the same boot): gc puts the networks back and lets go
  # of the sandboxes.
  in_host ip link del "$bridge"
  in_host ip netns del a
  in_host ip netns del b
  in_host ip netns del c
  run cnet gc
  assert_success
  [[ "$output" == *"remove sandbox \"a\": its namespace is gone"* ]]
  [[ "$output" == *"realise network \"lab\" again"* ]]
  run in_host ip -o -4 addr show "$bridge"
  [[ "$output" == *10.89.0.1/24* ]]
}

@test "the lock cannot be side-stepped by unlinking its file: 64 parallel connects, one deleting it meanwhile" {
  cnet network create par --subnet 10.44.0.0/24 >/dev/null
  local i pids=()
  for i in $(seq 1 64); do
    in_host "$CNET_BIN" connect par "s$i" >"$BATS_TEST_TMPDIR/out$i" 2>"$BATS_TEST_TMPDIR/err$i" &
    pids+=($!)
    [ "$i" = 8 ] && in_host rm -f /run/cnet/lock
    [ "$i" = 32 ] && in_host rm -f /run/cnet/lock
  done
  local failed=0
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed=$((failed + 1)); done
  if [ "$failed" -ne 0 ]; then cat "$BATS_TEST_TMPDIR"/err* >&2; fi
  [ "$failed" -eq 0 ]
  ! grep -l "database is locked" "$BATS_TEST_TMPDIR"/err* >/dev/null
  run cnet endpoint ls --json --network par
  [ "$(echo "$output" | jq -r '.[].IPv4Address' | sort -u | wc -l)" = 64 ]
}

@test "a command holding the lock keeps it when a file of the run directory is deleted" {
  cnet network create lk --subnet 10.45.0.0/24 >/dev/null
  # A connect held for two seconds at its first rename (the network's
  # hosts file, written under the lock), whatever the lock is taken on.
  in_host_bg strace -f -o /dev/null -e trace=renameat -e inject=renameat:delay_enter=2000000:when=1 \
    "$CNET_BIN" connect lk slow
  local slow=$LAST_PID i
  for i in $(seq 1 150); do in_host sh -c 'ls /run/cnet/hosts | grep -q tmp' && break; sleep 0.02; done
  in_host sh -c 'ls /run/cnet/hosts | grep -q tmp'
  in_host rm -f /run/cnet/lock
  run --separate-stderr in_host env CNET_LOCK_TIMEOUT=0.3 "$CNET_BIN" connect lk fast
  [ "$status" -eq 75 ]
  wait "$slow"
  cnet connect lk fast
  run cnet endpoint ls --json --network lk
  [ "$(echo "$output" | jq -r '.[].IPv4Address' | sort -u | wc -l)" = 2 ]
}

@test "a read-only store is read; a full disk fails the change clearly and gc says what it could not do" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web
  in_host mount -o remount,ro /var/lib/cnet
  run --separate-stderr cnet network ls
  assert_success
  [[ "$output" == *lab* ]]
  run --separate-stderr cnet endpoint ls --json
  [ "$(echo "$output" | jq -r '.[0].Name')" = web ]
  run --separate-stderr cnet connect lab other
  assert_fails 1 '^cnet: store: cannot change the store /var/lib/cnet/cnet.db: it is on a read-only filesystem$'
  in_host mount -o remount,rw /var/lib/cnet

  # A full disk: the store's filesystem made small, then filled.
  in_host mount -o remount,size=2m /var/lib/cnet
  in_host sh -c 'dd if=/dev/zero of=/var/lib/cnet/fill bs=4k 2>/dev/null; true'
  run --separate-stderr cnet connect lab other
  [ "$status" -ne 0 ]
  [[ "$stderr" == *"the store /var/lib/cnet/cnet.db: the disk is full"* ]]
  run cnet exec web true
  assert_success
  run cnet sandbox inspect other
  [ "$status" -ne 0 ]
  # gc with something to do: it says what it could not, and exits 1.
  in_host ip netns del web
  run --separate-stderr cnet gc
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"cnet: gc: cannot remove sandboxes whose namespace is gone: cannot write the store /var/lib/cnet/cnet.db: the disk is full"* ]]
  in_host rm /var/lib/cnet/fill
  run cnet gc
  assert_success
  [[ "$output" == *'remove sandbox "web"'* ]]
  run cnet connect lab other
  assert_success
}

@test "the host's own namespace is never a sandbox, by any of its names" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  in_host ln -s /proc/self/ns/net /run/netns/web3
  in_host_bg sleep 60
  local hostproc=$LAST_PID
  cnet netns link "$hostproc" web4
  BEFORE=$(settled_snapshot)
  assert_refused 4 '^cnet: namespace "web3" is the host.s own network namespace; a sandbox needs one of its own$' connect lab web3
  assert_refused 4 'namespace "web4" is the host.s own' connect lab web4
  assert_refused 4 "^cnet: process $hostproc is in the host.s own network namespace" connect lab web5 --pid "$hostproc"
  assert_refused 4 'namespace "web3" is the host.s own' sandbox create s --netns web3
  run in_host ip -o link show
  [[ "$output" != *eth0* ]]
}

@test "subnets, pools, names and addresses that make no sense are refused, through the plugin too" {
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  cnet connect lab web
  cnet connect lab db
  local mac
  mac=$(cnet endpoint inspect lab/web --json | jq -r '.[0].MacAddress')
  BEFORE=$(settled_snapshot)
  assert_refused 64 'invalid subnet 0.0.0.0/0: it is every address \(/0\)' network create n --subnet 0.0.0.0/0
  assert_refused 64 'invalid subnet ::/0: it is every address' network create n --subnet ::/0 --ipv6
  assert_refused 64 'invalid subnet 224.0.0.0/24: it overlaps the multicast addresses \(224.0.0.0/4\)' network create n --subnet 224.0.0.0/24
  assert_refused 64 'the loopback addresses' network create n --subnet 127.0.0.0/24
  assert_refused 64 'the link-local addresses' network create n --subnet 169.254.0.0/24
  assert_refused 64 'reserved \(with the limited broadcast\)' network create n --subnet 255.255.255.0/24
  assert_refused 64 'IPv4-mapped' network create n --subnet ::ffff:a00:0/120
  assert_refused 64 'invalid range 10.70.0.5/32: too small' network create n --subnet 10.70.0.0/24 --ip-range 10.70.0.5/32
  assert_refused 64 'invalid subnet 0.0.0.0/0' bridge create br9 --subnet 0.0.0.0/0
  assert_refused 4 "MAC $mac is already endpoint \"web\".s on network \"lab\"" connect lab x --mac "$mac"
  assert_refused 4 'alias "db" is already a name of endpoint "db"' connect lab x --alias db
  assert_refused 4 'alias "web" is already a name of endpoint "web"' connect lab x --alias web
  assert_refused 64 'invalid alias "localhost": it names the loopback address' connect lab x --alias localhost
  assert_refused 64 'invalid --dns 0.0.0.0: it is an unspecified' connect lab x --dns 0.0.0.0
  assert_refused 64 'invalid --dns 224.0.0.1: it is a multicast address' connect lab x --dns 224.0.0.1
  assert_refused 64 'invalid --dns 255.255.255.255' connect lab x --dns 255.255.255.255
  assert_refused 64 'invalid sandbox name' connect lab "$(printf 'x%.0s' $(seq 1 64))"

  # Through the plugin: RequestPool of everything, a 100,000-byte id.
  in_host_bg "$CNET_BIN" plugin serve
  wait_for_socket /run/docker/plugins/cnet.sock
  call() {
    in_host sh -c "printf 'POST $1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \"\$(printf %s \"\$0\" | wc -c)\" \"\$0\" | socat -T 5 - UNIX-CONNECT:/run/docker/plugins/cnet.sock" "$2"
  }
  run call /IpamDriver.RequestPool '{"AddressSpace":"LocalDefault","Pool":"0.0.0.0/0"}'
  [[ "$output" == *'"Error":"invalid subnet 0.0.0.0/0: it is every address (/0)"'* ]]
  run call /IpamDriver.RequestPool '{"AddressSpace":"LocalDefault","Pool":"::/0","V6":true}'
  [[ "$output" == *'"Error":"invalid subnet ::/0'* ]]
  local id
  id=$(head -c 50000 /dev/zero | tr '\0' 'a' | sed 's/a/ab/g')
  run call /NetworkDriver.CreateNetwork "{\"NetworkID\":\"$id\",\"IPv4Data\":[{\"Pool\":\"10.95.0.0/24\"}]}"
  [[ "$output" == *'is not an id of 12 to 64 hexadecimal digits'* ]]
  [[ "$output" != *"Message too long"* ]]
  [ "$(cnet network ls --json | jq length)" = 1 ]
}

@test "options: a mistyped name, an unknown help topic, a repeated option, -6 with IPv4, -n=NAME, a negative number" {
  run --separate-stderr cnet netns add -dash2
  assert_fails 64 '^cnet: unknown option "-dash2" for netns add \(a name cannot begin with "-"\)$'
  run in_host ip netns list
  [ -z "$output" ]
  run --separate-stderr cnet help nosuch
  assert_fails 64 '^cnet: unknown help topic "nosuch"'
  run cnet help network create
  assert_success
  cnet network create lab --subnet 10.89.0.0/24 >/dev/null
  # Repeated single-valued options, on the fast path's commands and the
  # others alike.
  run --separate-stderr cnet connect lab x --ip 10.89.0.5 --ip 10.89.0.6
  assert_fails 64 '^cnet: --ip given twice; it takes one value$'
  run --separate-stderr cnet link add v0 --type veth --type bridge
  assert_fails 64 '^cnet: --type given twice'
  run --separate-stderr cnet network create n2 --ipam-driver default --ipam-driver null
  assert_fails 64 '^cnet: --ipam-driver given twice'
  run --separate-stderr cnet link list -n a -n b
  assert_fails 64 'given twice'
  run --separate-stderr cnet route add 10.0.0.0/8 -6 --dev lo
  assert_fails 64 '^cnet: -6 and the IPv4 prefix 10.0.0.0/8 contradict each other$'
  cnet netns add plain
  run cnet -n=plain link list --json
  assert_success
  [ "$(echo "$output" | jq -r '.[0].ifname')" = lo ]
  run cnet link list -n=plain --json
  assert_success
  run --separate-stderr cnet link add vx0 --type vxlan --vni -1
  assert_fails 64 '^cnet: invalid --vni -1: expected 0-16777215$'
  run --separate-stderr cnet plugin serve --name "$(printf 'a\nb')"
  assert_fails 64 'invalid plugin name'
}

@test "the plugin server closes connections that send nothing and heads that never end" {
  in_host_bg "$CNET_BIN" plugin serve
  local server=$LAST_PID
  wait_for_socket /run/docker/plugins/cnet.sock
  local i
  for i in $(seq 1 150); do
    in_host_bg sh -c 'printf "POST /Plugin.Activate HTTP/1.1\r\nHost:" | socat -t 60 - UNIX-CONNECT:/run/docker/plugins/cnet.sock'
    in_host_bg socat -u -T 60 UNIX-CONNECT:/run/docker/plugins/cnet.sock -
  done
  sleep 2
  local open
  open=$(ls /proc/"$(pgrep -P "$server" -f 'plugin serve' || echo "$server")"/fd 2>/dev/null | wc -l)
  [ "$open" -gt 150 ] || { echo "only $open descriptors open: the connections did not reach the server" >&2; return 1; }
  # 10 s for a head, 30 s of silence: within 35 s, all gone.
  for i in $(seq 1 70); do
    open=$(ls /proc/"$server"/fd 2>/dev/null | wc -l)
    [ "$open" -lt 40 ] && break
    sleep 0.5
  done
  [ "$open" -lt 40 ] || { echo "$open descriptors still open" >&2; return 1; }
  # And it serves on.
  run in_host sh -c 'printf "POST /Plugin.Activate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" | socat -T 2 - UNIX-CONNECT:/run/docker/plugins/cnet.sock'
  [[ "$output" == *Implements* ]]
}
