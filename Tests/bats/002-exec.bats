#!/usr/bin/env bats
# exec: like ip netns exec, in place, with the caller's exit status.

load helpers

@test "exec runs the command inside, arguments untouched" {
  cnet netns add ns1
  run cnet exec ns1 ip -o link
  assert_success
  [ "$(echo "$output" | wc -l)" -eq 1 ]
  [[ "$output" == "1: lo:"* ]]
  run cnet netns exec ns1 sh -c 'echo "$0 $1 $#"' a "b c"
  [ "$output" = "a b c 1" ]
  run cnet exec ns1 printf '%s|' --help -n x
  [ "$output" = "--help|-n|x|" ]
}

@test "exec gives the command's exit status and signals back" {
  cnet netns add ns1
  run cnet exec ns1 sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run cnet exec ns1 sh -c 'kill -TERM $$'
  [ "$status" -eq 143 ]
}

@test "exec remounts /sys for the namespace and binds /etc/netns/NAME over /etc" {
  cnet netns add ns1
  cnet -n ns1 link add br9 --type bridge
  run cnet exec ns1 ls /sys/class/net
  [ "$(echo $output)" = "br9 lo" ]
  in_host mkdir -p /etc/netns/ns1
  in_host sh -c 'echo "nameserver 192.0.2.53" > /etc/netns/ns1/resolv.conf'
  run cnet exec ns1 cat /etc/resolv.conf
  [ "$output" = "nameserver 192.0.2.53" ]
  # The host's view is unchanged.
  run in_host cat /etc/resolv.conf
  [ "$output" != "nameserver 192.0.2.53" ]
}

@test "exec of a missing command is 127, of a non-executable 126" {
  cnet netns add ns1
  run -127 --separate-stderr cnet exec ns1 no-such-command-xyz
  assert_fails 127 '^cnet: cannot run "no-such-command-xyz" in netns "ns1": No such file or directory$'
  # A directory cannot be executed.
  run -126 --separate-stderr cnet exec ns1 /etc
  assert_fails 126 '^cnet: cannot run "/etc" in netns "ns1": Permission denied$'
}

@test "exec in a missing namespace fails before running anything" {
  run --separate-stderr cnet exec nope true
  assert_fails 2 '^cnet: cannot open network namespace "nope": No such file or directory$'
  run --separate-stderr cnet exec
  assert_fails 64 "Missing expected argument"
  cnet netns add ns1
  run --separate-stderr cnet exec ns1
  assert_fails 64 '^cnet: missing command to run in netns "ns1"$'
}
