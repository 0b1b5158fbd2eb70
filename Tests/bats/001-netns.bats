#!/usr/bin/env bats
# Named namespaces: add, list, del, link, identify, pids, prune.

load helpers

@test "netns add makes a namespace that ip netns sees, with only lo" {
  run --separate-stderr cnet netns add web
  assert_success
  [ -z "$output" ]
  run in_host ip netns list
  [ "$output" = "web" ]
  run in_host ip -n web -o link show
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  [[ "$output" == *"lo:"* ]]
}

@test "netns list is sorted and says what each name is" {
  cnet netns add b
  cnet netns add a
  run cnet netns list
  [ "$output" = $'a\nb' ]
  run cnet netns ls --json
  [ "$(echo "$output" | jq -c '[.[] | [.name, .type, .dangling]]')" = '[["a","bind",false],["b","bind",false]]' ]
}

@test "netns add refuses a taken name and changes nothing" {
  cnet netns add web
  run --separate-stderr cnet netns add web
  assert_fails 3 '^cnet: cannot create namespace "web": File exists$'
  run cnet netns list
  [ "$output" = "web" ]
}

@test "bad namespace names get one line, exit 64, and nothing is created" {
  for name in "a/b" "." ".." "" "$(printf 'n%.0s' $(seq 1 256))"; do
    run --separate-stderr cnet netns add "$name"
    assert_fails 64 '^cnet: invalid namespace name'
  done
  run in_host ls -A /var/run/netns
  [ -z "$output" ]
}

@test "netns del removes several names, reports the missing, keeps going" {
  cnet netns add a
  cnet netns add b
  run --separate-stderr cnet netns del a missing b
  assert_fails 2 '^cnet: cannot remove namespace "missing": No such file or directory$'
  run cnet netns list
  [ -z "$output" ]
}

@test "netns del checks every name before removing any" {
  cnet netns add a
  run --separate-stderr cnet netns rm a "x/y"
  assert_fails 64 'invalid namespace name "x/y"'
  run cnet netns list
  [ "$output" = "a" ]
}

@test "netns link names a running process's namespace; it dangles after; prune removes it" {
  in_host_bg unshare --net sleep 100
  local pid=$LAST_PID
  # Wait for unshare to exec sleep in its new namespace.
  for i in $(seq 1 100); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
  run cnet netns link "$pid" c1
  assert_success
  run in_host readlink /var/run/netns/c1
  [ "$output" = "/proc/$pid/ns/net" ]
  run cnet netns list
  [ "$output" = "c1 (pid $pid)" ]
  # ip netns sees it and can use it.
  run in_host ip netns exec c1 ip -o link show lo
  assert_success
  run cnet netns pids c1
  [ "$output" = "$pid" ]
  run cnet netns identify "$pid"
  [ "$output" = "c1" ]

  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  run cnet netns list
  [ "$output" = "c1 (pid $pid, dangling)" ]
  run cnet netns list --json
  [ "$(echo "$output" | jq -r '.[0].dangling')" = true ]
  run cnet netns prune
  [ "$output" = "c1 (pid $pid, dangling)" ]
  run cnet netns list
  [ -z "$output" ]
}

@test "netns link --bind keeps the namespace after the process exits" {
  in_host_bg unshare --net sleep 100
  local pid=$LAST_PID
  for i in $(seq 1 100); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.02; done
  cnet netns link --bind "$pid" kept
  cnet link add br0 --type bridge -n kept
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  run cnet -n kept link list --json
  [ "$(echo "$output" | jq -r '.[].ifname' | sort | tr '\n' ' ')" = "br0 lo " ]
  run cnet netns prune
  [ -z "$output" ]
  cnet netns del kept
}

@test "netns link refuses a process that does not exist" {
  run --separate-stderr cnet netns link 999999999 ghost
  assert_fails 2 '^cnet: cannot find process 999999999'
  run --separate-stderr cnet netns link abc ghost
  assert_fails 64 '^cnet: invalid PID "abc"'
  run cnet netns list
  [ -z "$output" ]
}

@test "netns prune never touches a live namespace" {
  cnet netns add live
  run cnet netns prune
  [ -z "$output" ]
  run cnet netns list
  [ "$output" = "live" ]
}

@test "netns identify without a PID names cnet's own namespace" {
  run cnet netns identify
  [ -z "$output" ]
}
