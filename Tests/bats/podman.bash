# Podman 4.3.1 (Debian 12) with its CNI backend, inside the throwaway host:
# podman, conmon and crun run in the host's network and mount namespaces
# with every directory they write on a tmpfs of the host's (the machine's
# /etc/cni, /var/lib/containers, /var/lib/cni, /dev/shm are never touched),
# a pinned containers.conf and storage.conf in $BATS_TEST_TMPDIR (the
# machine's own files may say otherwise), and a local busybox image made
# from Debian's busybox-static (nothing is pulled: the host has no network
# and pull_policy is "never"). The CNI plugins podman runs are those of
# $CNI_PLUGIN_DIRS; by default a directory of the test's own with `cnet`
# (a link to $CNET_BIN) beside links to Debian's stock plugins.
# Teardown removes the containers (podman runs the CNI DEL chains), kills
# whatever podman could not stop, and unmounts; stop_host takes the rest.

# The directories podman, conmon, crun and the CNI plugins write (found
# with `find / -xdev -newer` after a run, and podman info):
#   /var/lib/containers  graphroot (images, containers, bolt_state.db)
#   /run/containers      runroot
#   /run/libpod          tmp_dir (exits, events.log with events_logger=file)
#   /run/crun            crun's state
#   /var/lib/cni         libcni's result cache, host-local's leases
#   /run/cni             the tuning plugin's saved settings (/run/cni/tuning)
#   /var/tmp             image_copy_tmp_dir (podman import)
#   /etc/cni             network_config_dir (/etc/cni/net.d); hides the
#                        machine's 87-podman-bridge.conflist
#   /dev/shm             podman's lock file (libpod_lock)
# /run/netns (podman's netns-<uuid> namespaces) is already one of STATE_DIRS.
PODMAN_DIRS="/var/lib/containers /run/containers /run/libpod /run/crun /var/lib/cni /run/cni /var/tmp /etc/cni /dev/shm"

# Colon-separated, like CNI_PATH; a test file may set its own before setup.
CNI_PLUGIN_DIRS=${CNI_PLUGIN_DIRS:-}
# When set (a path outside the host's tmpfs, e.g. $BATS_TEST_TMPDIR/cni.log),
# the default plugin directory holds logging shims instead of links: each
# invocation appends one JSON line (plugin, env, stdin, stdout, exit status)
# and the real plugin does the work.
CNI_LOG=${CNI_LOG:-}

PODMAN_IMAGE=localhost/bb:latest

podman_setup() {
  command -v podman >/dev/null || { echo "podman is missing (apt-get install --no-install-recommends podman crun)" >&2; return 1; }
  [ -x /bin/busybox ] || { echo "busybox is missing (scripts/setup installs busybox-static)" >&2; return 1; }
  local d mode
  for d in $PODMAN_DIRS; do
    mkdir -p "$d"
    mode=0755
    case $d in /dev/shm | /var/tmp) mode=1777 ;; esac
    in_host mount -t tmpfs -o mode=$mode cnet-throwaway "$d"
  done
  in_host mkdir -p /etc/cni/net.d
  # Sandbox-only: on a hybrid cgroup v1/v2 machine (this VM: v1 controllers
  # plus hugetlb on /sys/fs/cgroup/unified) crun refuses every container
  # ("cgroups in hybrid mode not supported, drop all controllers from
  # cgroupv2"), even with cgroups disabled. The unified hierarchy mounted
  # over /sys/fs/cgroup, in the host's mount namespace only, makes podman
  # and crun see a v2 machine. A unified machine needs nothing.
  PODMAN_CGROUP2=
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
    in_host mount -t cgroup2 cnet-throwaway /sys/fs/cgroup
    PODMAN_CGROUP2=1
  fi
  # libpod_parent cgroups that exist now are not the test's to remove.
  PODMAN_CGROUPS_BEFORE=$(podman_cgroups)

  [ -n "$CNI_PLUGIN_DIRS" ] || { CNI_PLUGIN_DIRS=$BATS_TEST_TMPDIR/cni-plugins; make_cni_plugin_dir "$CNI_PLUGIN_DIRS"; }
  PODMAN_CONF=$BATS_TEST_TMPDIR/containers.conf
  PODMAN_STORAGE_CONF=$BATS_TEST_TMPDIR/storage.conf
  local dirs limits=
  dirs=$(printf '%s\n' "$CNI_PLUGIN_DIRS" | tr ':' '\n' | jq -R . | jq -sc .)
  # Sandbox-only: without CAP_SYS_RESOURCE (this VM's root lacks it) no
  # process may raise a hard limit, and podman asks crun for RLIMIT_NOFILE
  # 1048576 in every container ("setrlimit RLIMIT_NOFILE: Operation not
  # permitted"); once nofile is given, it asks for RLIMIT_NPROC 1048576 (left
  # alone, pid_max). crun, under conmon under podman, may set no more than
  # they have: the machine's nofile hard limit, and an nproc hard limit
  # podman lowers to pid_max (seen: 96367 in bats, 32768 in podman and
  # conmon; 32769 refused). A --ulimit on the command line replaces this
  # whole list: give both there.
  # Sandbox-only too: with cgroups, crun puts an eBPF device filter on the
  # container's cgroup v2 and raises RLIMIT_MEMLOCK to load it, which needs
  # CAP_SYS_RESOURCE ("setrlimit (RLIM_MEMLOCK): Operation not
  # permitted"). Disabled, no cgroup is made at all. A root with the
  # capability runs podman with its defaults (teardown removes the
  # libpod_parent cgroups it made).
  if (( (0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1) == 0 )); then
    local nofile nproc pidmax
    nofile=$(ulimit -Hn) nproc=$(ulimit -Hu) pidmax=$(cat /proc/sys/kernel/pid_max)
    [ "$nproc" != unlimited ] && [ "$nproc" -lt "$pidmax" ] || nproc=$pidmax
    limits="cgroups = \"disabled\"
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]"
  fi
  cat >"$PODMAN_CONF" <<EOF
[containers]
netns = "bridge"
log_driver = "k8s-file"
$limits
# A container's /etc/hosts: podman's own lines (localhost, the
# container's name, host.containers.internal) after those of
# $PODMAN_BASE_HOSTS, read at every start; by default none, not the
# machine's /etc/hosts (podman's default "").
base_hosts_file = "${PODMAN_BASE_HOSTS:-none}"

[network]
network_backend = "cni"
cni_plugin_dirs = $dirs
network_config_dir = "/etc/cni/net.d"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "crun"
pull_policy = "never"
EOF
  # vfs: a container's root is a copy (busybox is 2 MB), no overlay mounts.
  cat >"$PODMAN_STORAGE_CONF" <<EOF
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
  : >"$BATS_TEST_TMPDIR/registries.conf"
  PODMAN_READY=1
  [ "$(podman info --format '{{.Host.NetworkBackend}}')" = cni ] || { echo "podman does not use its CNI backend" >&2; return 1; }

  # The image: all of busybox's applets as links, and a page for httpd.
  local root=$BATS_TEST_TMPDIR/bb-rootfs applet
  mkdir -p "$root/bin" "$root/www"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo hello-from-container >"$root/www/index.html"
  tar -C "$root" -cf "$BATS_TEST_TMPDIR/bb-rootfs.tar" .
  podman import -q "$BATS_TEST_TMPDIR/bb-rootfs.tar" "$PODMAN_IMAGE" >/dev/null
}

# make_cni_plugin_dir DIR: DIR holds `cnet` (a link to $CNET_BIN) and every
# stock plugin of /usr/lib/cni; with $CNI_LOG set, logging shims instead.
make_cni_plugin_dir() {
  local dir=$1 real name
  mkdir -p "$dir"
  for real in "$CNET_BIN" /usr/lib/cni/*; do
    name=${real##*/}
    [ "$real" = "$CNET_BIN" ] && name=cnet
    if [ -z "$CNI_LOG" ]; then
      ln -sf "$real" "$dir/$name"
      continue
    fi
    cat >"$dir/$name" <<EOF
#!/bin/sh
# Logs one CNI invocation to $CNI_LOG, then does what $real does.
in=\$(mktemp "$BATS_TEST_TMPDIR/cni-stdin.XXXXXX")
cat >"\$in"
out=\$("$real" <"\$in"); rc=\$?
jq -cn --arg plugin "$name" --arg rc "\$rc" --rawfile stdin "\$in" --arg stdout "\$out" '{plugin: \$plugin,
  command: env.CNI_COMMAND, containerID: env.CNI_CONTAINERID, netns: env.CNI_NETNS, ifname: env.CNI_IFNAME,
  args: env.CNI_ARGS, path: env.CNI_PATH, rc: (\$rc | tonumber),
  stdin: (\$stdin | fromjson? // \$stdin), stdout: (\$stdout | fromjson? // \$stdout)}' >>"$CNI_LOG"
rm -f "\$in"
[ -z "\$out" ] || printf '%s\n' "\$out"
exit \$rc
EOF
    chmod +x "$dir/$name"
  done
}

# podman as a user types it, inside the throwaway host, with the pinned
# configuration. fd 3 (bats' own) is closed: conmon outlives the command
# and would keep it open. An attached podman passes SIGTERM on to the
# container (whose pid 1 may ignore it), so the time limit ends in SIGKILL.
podman() {
  timeout -k 5 "${PODMAN_TIMEOUT:-60}" nsenter --target "$HOST_PID" --net --mount -- \
    env CONTAINERS_CONF="$PODMAN_CONF" CONTAINERS_STORAGE_CONF="$PODMAN_STORAGE_CONF" \
    CONTAINERS_REGISTRIES_CONF="$BATS_TEST_TMPDIR/registries.conf" podman "$@" 3>&-
}

# write_conflist NAME JSON: the network NAME podman (or any CNI client of
# the host) finds in /etc/cni/net.d; the JSON is checked first.
write_conflist() {
  local json
  json=$(printf '%s\n' "$2" | jq .) || { echo "write_conflist $1: not JSON" >&2; return 1; }
  printf '%s\n' "$json" | in_host sh -c 'cat >"/etc/cni/net.d/$1.conflist"' sh "$1"
}

# The address podman gave container $1 on network $2.
podman_address() {
  podman inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"
}

# The machine's libpod_parent cgroups (v1 hierarchies, and the unified one
# wherever it is mounted).
podman_cgroups() {
  ls -d /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent 2>/dev/null || true
}

# Pids (machine-wide) of what podman leaves running in the host: conmon,
# crun and podman itself in the host's mount namespace, and every process
# in one of the host's netns-* network namespaces (the containers', whoever
# their parent is now; they have mount namespaces of their own).
podman_processes() {
  local mnt nets p comm
  mnt=$(readlink "/proc/$HOST_PID/ns/mnt" 2>/dev/null) || return 0
  nets=$(in_host sh -c 'for f in /run/netns/netns-*; do [ -e "$f" ] && stat -L -c "net:[%i]" "$f"; done; true' 2>/dev/null)
  for p in /proc/[0-9]*; do
    comm=$(cat "$p/comm" 2>/dev/null) || continue
    case $comm in
      conmon | crun | podman) [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mnt" ] && { echo "${p#/proc/}"; continue; } ;;
    esac
    [ -n "$nets" ] && [[ $'\n'$nets$'\n' == *$'\n'"$(readlink "$p/ns/net" 2>/dev/null)"$'\n'* ]] && echo "${p#/proc/}"
  done
  return 0
}

podman_teardown() {
  [ -n "${PODMAN_READY:-}" ] || return 0
  # podman stops and removes every container: its CNI DEL chain runs.
  PODMAN_TIMEOUT=60 podman rm -af -t 0 >/dev/null 2>&1 || true
  PODMAN_TIMEOUT=30 podman pod rm -af -t 0 >/dev/null 2>&1 || true
  # Whatever podman could not stop: every container's processes (the
  # container's init is pid 1 of its own pid namespace, so the rest of
  # the namespace goes with it), then conmon and podman's cleanup
  # processes (stop_host kills everything of the host's mount namespace,
  # but not the containers, which have mount namespaces of their own).
  local p i
  for i in $(seq 1 20); do
    p=$(podman_processes)
    [ -n "$p" ] || break
    kill -9 $p 2>/dev/null || true
    sleep 0.1
  done
  # No cgroup is left: one podman made (with cgroups on; with cgroups
  # "disabled" it should make none) is emptied and removed, deepest first.
  local dir
  for dir in $(podman_cgroups); do
    grep -qxF "$dir" <<<"$PODMAN_CGROUPS_BEFORE" && continue
    find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  # Podman's netns bind mounts, the tmpfs's and the cgroup2 mount go now;
  # the rest with the host's mount namespace.
  in_host sh -c 'for f in /run/netns/netns-*; do [ -e "$f" ] && umount "$f" && rm -f "$f"; done; true'
  for dir in $PODMAN_DIRS ${PODMAN_CGROUP2:+/sys/fs/cgroup}; do
    in_host umount -R -l "$dir" 2>/dev/null || true
  done
  PODMAN_READY=
}
