# A real Docker engine inside the throwaway host: containerd and dockerd
# (Debian's docker.io) with their state and sockets on tmpfs (never
# /run/docker.sock, where a real engine of the machine's may listen), their
# containers in a cgroup of the test's own, and a local busybox image made
# from Debian's busybox-static (nothing is pulled). dockerd runs with its
# default network settings, as installations run it: its iptables rules
# (FORWARD policy DROP, DOCKER-USER), IP forwarding on, its docker0 bridge;
# all of it inside the throwaway host's namespaces.
# `cnet plugin serve` runs beside them. Teardown removes the containers,
# stops everything and removes the cgroup, so nothing is left on the host.

DOCKER_DIRS="/var/lib/docker /run/docker /run/containerd /var/lib/containerd /etc/docker"

docker_setup() {
  command -v dockerd >/dev/null || { echo "dockerd is missing (scripts/setup installs docker.io)" >&2; return 1; }
  [ -x /bin/busybox ] || { echo "busybox is missing (scripts/setup installs busybox-static)" >&2; return 1; }
  local d
  for d in $DOCKER_DIRS; do
    mkdir -p "$d"
    in_host mount -t tmpfs -o mode=0711 cnet-throwaway "$d"
  done
  CGROUP_PARENT="cnet-test-$HOST_PID"
  in_host_bg containerd --root /var/lib/containerd --state /run/containerd
  CONTAINERD_PID=$LAST_PID
  wait_for_socket /run/containerd/containerd.sock
  cnet_plugin_serve
  start_dockerd
  # The image: busybox's applets as links, a root of a few files.
  local root="$BATS_TEST_TMPDIR/rootfs"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in sh ip ping sleep cat ls hostname nc wget true; do ln -sf busybox "$root/bin/$applet"; done
  tar -C "$root" -c . | in_host docker -H unix:///run/docker/engine.sock import - bb:local >/dev/null
}

start_dockerd() {
  in_host_bg dockerd --containerd /run/containerd/containerd.sock --storage-driver vfs --cgroup-parent "/$CGROUP_PARENT" \
    -H unix:///run/docker/engine.sock --pidfile /run/docker/dockerd.pid --data-root /var/lib/docker \
    --exec-root /run/docker/exec
  DOCKERD_PID=$LAST_PID
  local i
  for i in $(seq 1 150); do
    in_host docker -H unix:///run/docker/engine.sock version >/dev/null 2>&1 && break
    sleep 0.1
  done
  docker version >/dev/null
}

# Stops dockerd as a service manager would (SIGTERM: it stops its
# containers) and starts it again on the same state.
restart_dockerd() {
  kill -TERM "$DOCKERD_PID"
  local i
  for i in $(seq 1 300); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.1
  done
  start_dockerd
}

# cnet's plugin server, in the background; waits for its socket.
cnet_plugin_serve() {
  in_host_bg "$CNET_BIN" plugin serve "$@"
  PLUGIN_PID=$LAST_PID
  wait_for_socket /run/docker/plugins/cnet.sock
}

docker() {
  timeout 60 nsenter --target "$HOST_PID" --net --mount -- docker -H unix:///run/docker/engine.sock "$@"
}

docker_teardown() {
  [ -n "${DOCKERD_PID:-}" ] || return 0
  local ids
  ids=$(docker ps -aq 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  kill -TERM "$DOCKERD_PID" "$CONTAINERD_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || kill -0 "$CONTAINERD_PID" 2>/dev/null || break
    sleep 0.1
  done
  # Whatever is still in the test's cgroups (a container dockerd could not
  # stop) is killed, then the cgroups go, deepest first.
  local dir left
  for i in $(seq 1 50); do
    left=
    for dir in /sys/fs/cgroup/*/"$CGROUP_PARENT" /sys/fs/cgroup/"$CGROUP_PARENT"; do
      [ -d "$dir" ] || continue
      left=1
      find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    [ -z "$left" ] && break
    sleep 0.1
  done
  DOCKERD_PID=
}
