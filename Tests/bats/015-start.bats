#!/usr/bin/env bats
# The static release binary's own start-up (Sources/CStart/glibc_start.c):
# what it sets up before main, checked in a program of its own
# (Tests/start/start_check.c), and that the release binary has it and a
# dynamically linked one does not.

load helpers

# Nothing here touches the network or cnet's state: no throwaway host.
setup() { WORK=$(mktemp -d); }
teardown() { rm -rf "$WORK"; }

MARKER="glibc 2.36 start-up without the CPU cache probe"

# Where the start-up is built: it mirrors glibc 2.36 on x86_64.
mirrors_this_libc() {
  [ "$(uname -m)" = x86_64 ] && [ "$(getconf GNU_LIBC_VERSION)" = "glibc 2.36" ]
}

build_check() {
  local cc
  cc=$(command -v cc || command -v clang)
  "$cc" -O2 -static -fstack-protector-all -DCNET_STATIC_START -o "$WORK/start_check" \
    "$REPO/Tests/start/start_check.c" "$REPO/Sources/CStart/glibc_start.c" -lpthread
}

@test "the start-up hands main what glibc's does: arguments, environment, TLS, threads, stack canary, string functions, exit handlers" {
  if ! mirrors_this_libc; then
    # Elsewhere it refuses to build rather than guess.
    run build_check
    [ "$status" -ne 0 ] && [[ "$output" == *"mirrors glibc 2.36's static start-up on x86_64 only"* ]]
    return
  fi
  build_check
  run --separate-stderr env START_CHECK=yes "$WORK/start_check" one two
  assert_success
  # The handlers run at exit, in glibc's order, and exit flushes stdout.
  [ "$output" = "$(printf 'main done\natexit ran\ndestructor ran')" ]
  # The canary it set is checked: an overrun stops the process.
  run --separate-stderr "$WORK/start_check" smash
  [ "$status" -eq 134 ]
  [[ "$stderr" == *"stack smashing detected"* ]]
  [[ "$output" != *"overrun returned"* ]]
}

@test "the static release binary starts with it, a dynamically linked one with glibc's own" {
  if readelf -lW "$CNET_BIN" | grep -q "program interpreter" || ! mirrors_this_libc; then
    ! grep -qaF "$MARKER" "$CNET_BIN"
  else
    grep -qaF "$MARKER" "$CNET_BIN"
  fi
  # Either way the binary runs.
  run "$CNET_BIN" --version
  assert_success
}
