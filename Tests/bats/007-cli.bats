#!/usr/bin/env bats
# The command line itself: help, usage mistakes, global options, completions.

load helpers

@test "help is there for every command" {
  run cnet --help
  assert_success
  [[ "$output" == *"EXIT STATUS"* && "$output" == *"-n NS, --netns NS"* ]]
  for cmd in "netns" "netns add" "netns del" "netns list" "netns link" "netns identify" "netns pids" "netns exec" "netns prune" \
             "exec" "link add" "link del" "link set" "link list" "bridge create" "bridge delete" "bridge list" \
             "addr add" "addr del" "addr list" "route add" "route del" "route list"; do
    run cnet $cmd --help
    assert_success
    [[ "$output" == *"USAGE: cnet $cmd"* ]]
  done
}

@test "usage mistakes are one line with exit 64 and a pointer to help" {
  run --separate-stderr cnet link add br0 --type bridge --bogus
  assert_fails 64 "^cnet: Unknown option '--bogus' \(see 'cnet link add --help'\)$"
  run --separate-stderr cnet netns add
  assert_fails 64 "^cnet: Missing expected argument '<name>' \(see 'cnet netns add --help'\)$"
  run --separate-stderr cnet frobnicate
  assert_fails 64 "frobnicate"
  run --separate-stderr cnet link set eth0 --mtu abc
  assert_fails 64 "abc"
}

@test "global -n works before the command, and only where it means something" {
  cnet netns add web
  cnet -n web link add br0 --type bridge
  run cnet --netns web link list --json
  [[ "$(echo "$output" | jq -r '.[].ifname' | tr '\n' ' ')" == "lo br0 " ]]
  run cnet --netns=web link ls --type bridge --json
  [ "$(echo "$output" | jq -r '.[].ifname')" = br0 ]
  run --separate-stderr cnet -n web netns list
  assert_fails 64 '^cnet: -n/--netns applies to the link, addr, route and bridge commands only$'
  run --separate-stderr cnet -n web link list -n other
  assert_fails 64 'two namespaces given'
}

@test "completion scripts are generated and offer live namespace names" {
  for shell in bash zsh fish; do
    run cnet --generate-completion-script $shell
    assert_success
    [ "$output" = "$(cat "$REPO/completions/$( [ $shell = bash ] && echo cnet.bash || ([ $shell = zsh ] && echo _cnet || echo cnet.fish))")" ]
  done
  cnet netns add alpha
  cnet netns add beta
  cnet link add br7 --type bridge
  # What bash does on TAB after "cnet netns del ", with the committed script.
  complete_words() {
    in_host env PATH="$(dirname "$CNET_BIN"):$PATH" bash -c '
      source "$0"
      COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
      COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      # As `complete -F` calls it: command, current word, previous word.
      _cnet "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
      printf "%s\n" "${COMPREPLY[@]}"' "$REPO/completions/cnet.bash" "$@"
  }
  run complete_words cnet netns del ""
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "alpha beta " ]
  run complete_words cnet link add x --master ""
  [ "$output" = "br7" ]
  run complete_words cnet link del ""
  [ "$(echo "$output" | sort | tr '\n' ' ')" = "br7 lo " ]
}

@test "version" {
  run cnet --version
  assert_success
  [[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "help for the CNM commands" {
  for cmd in "network create" "network ls" "network inspect" "network rm" "network prune" \
             "endpoint create" "endpoint ls" "endpoint inspect" "endpoint rm" "endpoint join" "endpoint leave" \
             "sandbox create" "sandbox ls" "sandbox inspect" "sandbox rm" "connect" "disconnect" "gc"; do
    run cnet $cmd --help
    assert_success
    [[ "$output" == *"USAGE: cnet $cmd"* ]]
  done
}

@test "list commands print empty JSON arrays before anything exists, and nothing is created by reading" {
  for noun in network endpoint sandbox; do
    run cnet $noun ls --json
    [ "$output" = "[]" ]
  done
  run in_host ls -A /var/lib/cnet
  [ -z "$output" ]
}
