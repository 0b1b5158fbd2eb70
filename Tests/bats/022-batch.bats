#!/usr/bin/env bats
# Batch mode: many command lines in one process (cnet batch, cnet -batch).

load helpers

# A host's state with what differs from one run of the same commands to
# another taken out: ids (64 and 12 hex digits, and the veth names made
# from them), MACs and what is made from them (link-local addresses),
# interface indexes, times, the kernel's timers, and nftables handles;
# the bridge port numbers, which depend on whether the kernel has reaped a
# deleted namespace's veth yet (it does that in the background); sorted,
# as the order of links and files follows the ids.
normalized_state() {
  {
    kernel_snapshot
    in_host sh -c 'for ns in $(ip netns list | cut -d" " -f1); do echo "== files of $ns"; ls -l /etc/netns/$ns 2>/dev/null | cut -c1-10,40-; cat /etc/netns/$ns/hosts 2>/dev/null; done'
    cnet network ls --json
    cnet sandbox ls --json
    cnet endpoint ls --json
  } | normalize | sort
}

normalize() {
  sed -E 's/[0-9a-f]{64}/ID/g; s/[0-9a-f]{12}/SID/g; s/cnet-[0-9a-f]{10}/cnet-NET/g; s/([0-9a-f]{2}:){5}[0-9a-f]{2}/MAC/g; s/8000\.[0-9a-f:]+/8000.MAC/g;
    s/fe80::[0-9a-f:]+/LL/g; s/(if|@if|^)[0-9]+:/\1N:/g; s/@if[0-9]+/@ifN/g; s/index [0-9]+/index N/g;
    s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?/TIME/g; s/[a-zA-Z]{3} +[0-9]+ [0-9:]{5}/TIME/g; s/# handle [0-9]+//g;
    s/"Created":"[^"]*"/"Created":T/g; s/[0-9]+ (sec|secs)/N \1/g; s/(preferred_lft|valid_lft) [^ ]+/\1 X/g;
    s/ +[0-9]+ +TIME/ N TIME/g; s/ ino [0-9]+//g;
    s/port_id 0x[0-9a-f]+ port_no 0x[0-9a-f]+ designated_port [0-9]+/PORT/g' |
    # the store's dump: created times, and the order of rows left to SQLite
    grep -v '^INSERT INTO meta' | sed -E "s/'20[0-9-]+T[0-9:.]+Z?'/'T'/g"
}

# The networks' hosts files and web's, as they are, in order.
hosts_in_order() {
  local network
  for network in lab back; do
    in_host cat /run/cnet/hosts/"$(cnet network inspect "$network" --json | jq -r '.[0].Id')"
  done | normalize
  in_host cat /etc/netns/web/hosts | normalize
}

# batch_under_way MIN FILE: `cnet batch FILE` in the background
# ($LAST_PID), once it has made MIN namespaces (one per connect line).
batch_under_way() {
  local min=$1 file=$2 i
  in_host_bg "$CNET_BIN" batch "$file"
  for i in $(seq 1 300); do
    [ "$(in_host ip netns list | wc -l)" -ge "$min" ] && return 0
    sleep 0.05
  done
  echo "the batch made fewer than $min namespaces in 15 s" >&2
  return 1
}

# nothing_to_settle: gc finds nothing to do.
nothing_to_settle() {
  run cnet gc --dry-run
  assert_success
  [ -z "$output" ]
}

# hosts_lines NETWORK: how many endpoints the network's hosts file names
# (NETWORK: its name or id).
hosts_lines() {
  local id
  id=$(cnet network inspect "$1" --json | jq -r '.[0].Id')
  in_host grep -c '# cnet endpoint' /run/cnet/hosts/"$id"
}

# kill_batch PID: kill -9, as a crash or an impatient user would.
kill_batch() {
  kill -9 "$1"
  wait "$1" 2>/dev/null || true
}

# The lines of a lab: networks, connects with options, quoting, namespaces
# and links of iproute2's kind, lists, a sandbox on two networks (a hosts
# file of its own, written again as its networks change), a disconnect.
lab_lines() {
  cat <<'EOF'
# a lab, as a script would bring it up
network create lab --subnet 10.61.0.0/24
network create back --subnet 10.62.0.0/24
connect lab web --alias "www" --add-host 'db.example:10.9.9.9'
connect lab db --ip 10.61.0.50
connect back web
connect lab cache \
  --hostname cache-1
netns add ns1
link add v-a --type veth --peer v-b --peer-netns ns1
-n ns1 addr add 192.0.2.2/24 --dev v-b
-n ns1 link set v-b --up
connect back db
netns list
network ls
sandbox inspect web
disconnect lab cache
connect lab late
endpoint ls
EOF
}

@test "a batch equals its lines run one by one: kernel, store, files and output" {
  lab_lines >"$BATS_TEST_TMPDIR/lab"
  local one_by_one line
  while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    # (The shell splits the lines as the batch splits them; a continued
    # line is read whole.)
    [[ $line == *\\ ]] && { IFS= read -r next; line="${line%\\}${next}"; }
    eval "cnet $line"
  done <"$BATS_TEST_TMPDIR/lab" >"$BATS_TEST_TMPDIR/out-single"
  one_by_one=$(normalized_state)
  local hosts_single
  hosts_single=$(hosts_in_order)
  stop_host
  start_host
  cnet batch <"$BATS_TEST_TMPDIR/lab" >"$BATS_TEST_TMPDIR/out-batch"
  local batched
  batched=$(normalized_state)
  diff <(normalize <"$BATS_TEST_TMPDIR/out-single") <(normalize <"$BATS_TEST_TMPDIR/out-batch")
  diff <(echo "$one_by_one") <(echo "$batched")
  # The hosts files line for line, in order.
  diff <(echo "$hosts_single") <(hosts_in_order)
  # What the comparison covers: web has a hosts file of its own, with db's
  # later join to back and cache's leave of lab in it.
  in_host grep -q "db.example" /etc/netns/web/hosts
  in_host grep -q "10.62.0.3.*db" /etc/netns/web/hosts
  run ! in_host grep -q cache /etc/netns/web/hosts
  in_host grep -q "10.61.0.50.*db" /run/cnet/hosts/"$(cnet network inspect lab --json | jq -r '.[0].Id')"
  nothing_to_settle
}

@test "errors name their line; the first failure stops the batch, -force goes on with the last failure's status" {
  cnet network create lab --subnet 10.61.0.0/24 >/dev/null
  printf 'connect lab a1\n\n# comment\nconnect nosuch a2\nconnect lab a3\nconnect lab a1\nconnect lab a4\n' >"$BATS_TEST_TMPDIR/b"
  run --separate-stderr cnet batch "$BATS_TEST_TMPDIR/b"
  assert_fails 2 '^cnet: batch line 4: network "nosuch" not found$'
  [ "$(in_host ip netns list | cut -d' ' -f1 | sort | tr '\n' ' ')" = "a1 " ]
  # -force, and ip's spelling of the whole.
  run --separate-stderr cnet -force -batch "$BATS_TEST_TMPDIR/b"
  [ "$status" -eq 3 ]
  [ "$(printf '%s\n' "$stderr" | sed -n 1p)" = 'cnet: batch line 1: sandbox "a1" is already connected to network "lab"' ]
  [[ "$(printf '%s\n' "$stderr" | sed -n 2p)" == 'cnet: batch line 4: network "nosuch" not found' ]]
  [[ "$(printf '%s\n' "$stderr" | sed -n 3p)" == 'cnet: batch line 6: sandbox "a1" is already connected to network "lab"' ]]
  [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 3 ]
  [ "$(in_host ip netns list | cut -d' ' -f1 | sort | tr '\n' ' ')" = "a1 a3 a4 " ]
  # A usage mistake and an unterminated quote, by line, from stdin.
  run --separate-stderr in_host sh -c "printf 'netns list\nconnect lab \"a5\nnetns list --bogus\n' | $CNET_BIN batch --force -"
  [ "$status" -eq 64 ]
  [[ "$stderr" == *"cnet: batch line 2: unterminated double quote"* ]]
  [[ "$stderr" == *"cnet: batch line 3: Unknown option '--bogus'"* ]]
  # -force after the command word, in its one-dash spelling too.
  run --separate-stderr cnet batch -force "$BATS_TEST_TMPDIR/b"
  [ "$status" -eq 3 ]
  run --separate-stderr cnet batch --force "$BATS_TEST_TMPDIR/b"
  [ "$status" -eq 3 ]
  # A missing file.
  run --separate-stderr cnet batch /nonexistent/file
  assert_fails 2 '^cnet: cannot read /nonexistent/file: No such file or directory$'
}

@test "quoted arguments, continued lines, -n and --json for every line" {
  cnet network create lab --subnet 10.61.0.0/24 >/dev/null
  cat >"$BATS_TEST_TMPDIR/b" <<'EOF'
connect lab 'q1' --add-host "my host:10.1.2.3" --dns-search "example.org"
connect lab q2 --add-host 'db:10.1.2.4' \
   --hostname "box-2"   # and a comment
EOF
  # A name with a blank is refused as cnet refuses it: the quotes kept it
  # one word.
  run --separate-stderr cnet batch "$BATS_TEST_TMPDIR/b"
  [ "$status" -ne 0 ]
  [[ "$stderr" == 'cnet: batch line 1: '*'my host'* ]]
  sed -i 's/my host/myhost/' "$BATS_TEST_TMPDIR/b"
  # A backslash at the end of a comment continues nothing.
  echo 'netns add q3   # see C:\' >>"$BATS_TEST_TMPDIR/b"
  echo 'netns add q4' >>"$BATS_TEST_TMPDIR/b"
  cnet batch "$BATS_TEST_TMPDIR/b"
  in_host ip netns list | grep -q q3
  in_host ip netns list | grep -q q4
  in_host grep -q "10.1.2.3.*myhost" /etc/netns/q1/hosts
  in_host grep -q "search example.org" /etc/netns/q1/resolv.conf
  [ "$(in_host cat /etc/netns/q2/hostname)" = box-2 ]
  in_host grep -q "10.1.2.4.*db" /etc/netns/q2/hosts
  # -n before batch applies to each line, as to a single command.
  printf 'link add d0 --type veth --peer d1\nlink set d0 --up\naddr add 198.51.100.1/24 --dev d0\n' >"$BATS_TEST_TMPDIR/ns"
  cnet netns add ns1
  cnet -n ns1 batch "$BATS_TEST_TMPDIR/ns"
  in_host ip -n ns1 -o addr show dev d0 | grep -q 198.51.100.1/24
  run ! in_host ip link show d0
  # --json before batch: every line that prints, prints JSON.
  run cnet --json batch - <<<$'network ls\nnetns list'
  assert_success
  [ "$(echo "$output" | jq -s 'length')" = 2 ]
  [ "$(echo "$output" | jq -s -r '.[0][0].Name')" = lab ]
  run cnet batch --json - <<<'network ls'
  [ "$(echo "$output" | jq -r '.[0].Name')" = lab ]
}

@test "exec, plugin serve, agent, firewall watch and batch itself are refused in a batch" {
  cnet netns add ns1
  local line
  for line in "exec ns1 true" "netns exec ns1 sh -c true" "plugin serve" "agent" "firewall watch" \
    "batch /dev/null" "-batch /dev/null"; do
    printf '%s\nnetns add after\n' "$line" >"$BATS_TEST_TMPDIR/b"
    run --separate-stderr cnet batch "$BATS_TEST_TMPDIR/b"
    assert_fails 64 '^cnet: batch line 1: .*(run it with `cnet exec`|runs until stopped|cannot run another batch)'
    [ -z "$(in_host ip netns list | grep after)" ]
  done
}

@test "kill -9 in the middle of a batch: the lines before are done, gc settles the one in progress" {
  cnet network create lab --subnet 10.63.0.0/16 >/dev/null
  seq 1 400 | sed 's/.*/connect lab k&/' >"$BATS_TEST_TMPDIR/b"
  batch_under_way 40 "$BATS_TEST_TMPDIR/b"
  local pid=$LAST_PID
  kill_batch "$pid"
  local made
  made=$(in_host ip netns list | wc -l)
  [ "$made" -ge 40 ]
  [ "$made" -lt 400 ]
  # At most the line in progress is half-done; the hosts file was held back.
  [ "$(store "select count(*) from endpoints where join_state != 'joined' or state != 'ready'")" -le 1 ]
  in_host test -e /run/cnet/hosts-unwritten
  run cnet gc
  assert_success
  [[ "$output" == *"write the hosts files again: a batch ended before it wrote them"* ]]
  # Every sandbox left is whole and named in the network's hosts file.
  local network sandboxes
  network=$(cnet network inspect lab --json | jq -r '.[0].Id')
  sandboxes=$(cnet sandbox ls --json | jq -r '.[].Name' | sort)
  [ "$(echo "$sandboxes" | wc -l)" -ge 39 ]
  [ "$(in_host ip netns list | cut -d' ' -f1 | sort)" = "$sandboxes" ]
  [ "$(hosts_lines "$network")" = "$(echo "$sandboxes" | wc -l)" ]
  local name
  for name in $(echo "$sandboxes" | sed -n '1p;$p'); do
    in_host ip -n "$name" -4 -o addr show dev eth0 | grep -q "10.63."
  done
  run ! in_host test -e /run/cnet/hosts-unwritten
  nothing_to_settle
  # The whole batch again, with -force: the lines done fail (their
  # sandboxes are connected), and the rest run.
  run --separate-stderr cnet batch --force "$BATS_TEST_TMPDIR/b"
  [ "$status" -eq 3 ]
  [ "$(in_host ip netns list | wc -l)" -eq 400 ]
  [ "$(hosts_lines "$network")" -eq 400 ]
}

@test "a connect started during a 1000-line batch gets the lock within a few lines" {
  cnet network create lab --subnet 10.64.0.0/16 >/dev/null
  seq 1 1000 | sed 's/.*/connect lab c&/' >"$BATS_TEST_TMPDIR/b"
  batch_under_way 50 "$BATS_TEST_TMPDIR/b"
  local batch=$LAST_PID
  # A reader does not wait for the batch: the batch's store connection
  # leaves the store to readers (with the store held, it would wait for
  # the whole batch, and this one has hundreds of lines to go).
  run timeout 2 nsenter --target "$HOST_PID" --net --mount -- "$CNET_BIN" network ls
  assert_success
  kill -0 "$batch"
  # Lines the batch ran while the other command waited: its namespaces
  # made between the command's start and its end.
  local before after i
  before=$(in_host ip netns list | wc -l)
  cnet connect lab parallel
  after=$(in_host ip netns list | wc -l)
  echo "# lines run by the batch while cnet connect ran: $((after - before - 1))" >&3
  kill -0 "$batch"
  # (Its own start takes a few of them; without the lock let go it would
  # be the rest of the batch, hundreds.)
  [ "$((after - before - 1))" -le 30 ]
  # The batch goes on, and finishes the whole.
  for i in $(seq 1 600); do
    kill -0 "$batch" 2>/dev/null || break
    sleep 0.1
  done
  run ! kill -0 "$batch"
  [ "$(cnet sandbox ls --json | jq length)" -eq 1001 ]
  in_host ip -n parallel -4 -o addr show dev eth0 | grep -q "10.64."
  [ "$(hosts_lines lab)" -eq 1001 ]
}

@test "SIGTERM stops a batch between two lines, with what it held back written" {
  cnet network create lab --subnet 10.65.0.0/16 >/dev/null
  seq 1 400 | sed 's/.*/connect lab s&/' >"$BATS_TEST_TMPDIR/b"
  batch_under_way 20 "$BATS_TEST_TMPDIR/b"
  local pid=$LAST_PID
  kill -TERM "$pid"
  local status=0
  wait "$pid" || status=$?
  [ "$status" -eq 143 ]
  # Nothing half-done, nothing held back, nothing for gc.
  [ "$(store "select count(*) from endpoints where join_state != 'joined' or state != 'ready'")" -eq 0 ]
  run ! in_host test -e /run/cnet/hosts-unwritten
  nothing_to_settle
  [ "$(hosts_lines lab)" = "$(in_host ip netns list | wc -l)" ]
}

@test "a batch fed by a pipe lets the lock go while it waits for its next line, and leaks nothing" {
  cnet network create front --subnet 10.66.0.0/24 >/dev/null
  cnet network create back --subnet 10.67.0.0/24 >/dev/null
  in_host mkfifo /run/cnet/feed
  in_host_bg sh -c "exec $CNET_BIN batch --force /run/cnet/feed"
  local batch=$LAST_PID
  # The writer: the same sandboxes on two networks, on consecutive lines
  # (the second line's sandbox exists when it runs), and a line that fails
  # after each (its namespace, started while the line before ran, is not
  # taken); then it waits.
  in_host_bg sh -c 'exec 3>/run/cnet/feed; for i in $(seq 1 30); do echo "connect front d$i"; echo "connect back d$i"; echo "connect nosuch z$i"; done >&3; exec sleep 60'
  local writer=$LAST_PID i
  for i in $(seq 1 200); do
    [ "$(cnet sandbox ls --json 2>/dev/null | jq '[.[] | select(.Endpoints | length == 2)] | length')" = 30 ] && break
    sleep 0.1
  done
  [ "$(cnet sandbox ls --json | jq '[.[] | select(.Endpoints | length == 2)] | length')" = 30 ]
  # Waiting for its input, the batch holds no lock: another command does
  # not wait (CNET_LOCK_TIMEOUT=1 would fail it with 75).
  CNET_LOCK_TIMEOUT=1 run cnet connect front other
  assert_success
  # The batch's process: no thread or descriptor left from 60 lines.
  local pid
  pid=$(pgrep -f "$CNET_BIN batch --force /run/cnet/feed" | head -1)
  [ -n "$pid" ]
  [ "$(ls /proc/"$pid"/task | wc -l)" -le 2 ]
  [ "$(ls /proc/"$pid"/fd | wc -l)" -le 12 ]
  [ -z "$(in_host ip netns list | grep '^z')" ]
  # What it held back was written when it let the lock go.
  [ "$(hosts_lines back)" -eq 30 ]
  kill "$writer"
  local status=0
  wait "$batch" || status=$?
  [ "$status" -eq 2 ]
}

@test "gc in a batch: nothing to report, and what the batch held back is written" {
  cnet network create lab --subnet 10.68.0.0/24 >/dev/null
  printf 'connect lab g1\nconnect lab g2\ngc\nconnect lab g3\ngc --dry-run\n' >"$BATS_TEST_TMPDIR/b"
  run cnet batch "$BATS_TEST_TMPDIR/b"
  assert_success
  [ -z "$output" ]
  run ! in_host test -e /run/cnet/hosts-unwritten
  [ "$(hosts_lines lab)" -eq 3 ]
  nothing_to_settle
}

@test "after a batch killed with its hosts files held back, the next command writes them again" {
  cnet network create lab --subnet 10.69.0.0/16 >/dev/null
  seq 1 300 | sed 's/.*/connect lab h&/' >"$BATS_TEST_TMPDIR/b"
  batch_under_way 30 "$BATS_TEST_TMPDIR/b"
  local pid=$LAST_PID
  kill_batch "$pid"
  in_host test -e /run/cnet/hosts-unwritten
  local network
  network=$(cnet network inspect lab --json | jq -r '.[0].Id')
  [ "$(hosts_lines "$network")" -lt 30 ]
  # Not gc: any command that changes something settles first.
  cnet connect lab after
  run ! in_host test -e /run/cnet/hosts-unwritten
  [ "$(hosts_lines "$network")" = "$(cnet sandbox ls --json | jq length)" ]
  in_host grep -q "after" /run/cnet/hosts/"$network"
  nothing_to_settle
}

@test "the lock is let go while a line waits for its continuation or its end" {
  cnet network create lab --subnet 10.70.0.0/24 >/dev/null
  in_host mkfifo /run/cnet/feed
  in_host_bg sh -c "exec $CNET_BIN batch /run/cnet/feed"
  local batch=$LAST_PID
  # A whole line, then a line continued, then half a line: the batch
  # waits for the rest each time.
  printf 'connect lab w1\nconnect lab \\\n' >"$BATS_TEST_TMPDIR/part1"
  printf ' w2\nconnect lab w' >"$BATS_TEST_TMPDIR/part2"
  in_host_bg sh -c "exec 3>/run/cnet/feed; cat $BATS_TEST_TMPDIR/part1 >&3; sleep 1; cat $BATS_TEST_TMPDIR/part2 >&3; exec sleep 60"
  local writer=$LAST_PID i
  for i in $(seq 1 100); do
    in_host ip netns list | grep -q w1 && break
    sleep 0.05
  done
  CNET_LOCK_TIMEOUT=1 cnet connect lab other1
  for i in $(seq 1 100); do
    in_host ip netns list | grep -q w2 && break
    sleep 0.05
  done
  in_host ip netns list | grep -q w2
  CNET_LOCK_TIMEOUT=1 cnet connect lab other2
  kill "$writer"
  # The half line is the last line: "connect lab w".
  wait "$batch"
  in_host ip netns list | cut -d" " -f1 | grep -qx w
}

@test "gc in a batch settles what another batch, killed, left" {
  cnet network create lab --subnet 10.71.0.0/16 >/dev/null
  seq 1 300 | sed 's/.*/connect lab k&/' >"$BATS_TEST_TMPDIR/b"
  batch_under_way 30 "$BATS_TEST_TMPDIR/b"
  local pid=$LAST_PID
  kill_batch "$pid"
  in_host test -e /run/cnet/hosts-unwritten
  # A batch whose first line is gc: it reports and writes them again.
  run cnet batch - <<<$'gc --dry-run\ngc'
  assert_success
  [[ "$output" == *"write the hosts files again: a batch ended before it wrote them"* ]]
  run ! in_host test -e /run/cnet/hosts-unwritten
  local network
  network=$(cnet network inspect lab --json | jq -r '.[0].Id')
  [ "$(hosts_lines "$network")" = "$(cnet sandbox ls --json | jq length)" ]
}
