# A second real CNI client: Tests/cni/libcni-client, a small Go program
# whose every protocol step is libcni's own (Debian's libcni 1.1.2,
# golang-github-appc-cni-dev), built offline in GOPATH mode, and run in
# the throwaway host against a conflist file and a named namespace:
#
#   PORT_MAPPINGS='[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]' \
#     libcni add "$BATS_TEST_TMPDIR/net.conflist" /run/netns/c1
#
# Its environment (CNI_ARGS, CAP_ARGS, PORT_MAPPINGS, CNI_IFNAME,
# CNI_CONTAINERID) goes through; see main.go.

load podman   # make_cni_plugin_dir, write_conflist, CNI_PLUGIN_DIRS, CNI_LOG

LIBCNI_SOURCE=$REPO/Tests/cni/libcni-client/main.go
# What the stock plugins write: libcni's cache and host-local's leases
# (/var/lib/cni), the tuning plugin's saved settings (/run/cni).
LIBCNI_DIRS="/var/lib/cni /run/cni"

# build_libcni_client [DIR]: builds the client into DIR (default: the test
# file's temporary directory, so once per file) unless it is there already;
# sets LIBCNI_CLIENT. Go's build cache goes in DIR too: nothing is written
# under $HOME.
build_libcni_client() {
  local dir=${1:-${BATS_FILE_TMPDIR:-$BATS_TEST_TMPDIR}}
  LIBCNI_CLIENT=$dir/libcni-client
  [ -x "$LIBCNI_CLIENT" ] && [ "$LIBCNI_CLIENT" -nt "$LIBCNI_SOURCE" ] && return 0
  command -v go >/dev/null || { echo "go is missing (apt-get install golang-go)" >&2; return 1; }
  [ -d /usr/share/gocode/src/github.com/containernetworking/cni/libcni ] ||
    { echo "libcni is missing (apt-get install golang-github-appc-cni-dev)" >&2; return 1; }
  mkdir -p "$dir/go-cache" "$dir/go-tmp"
  # GOPATH mode: Debian's Go packages are a GOPATH tree, with no go.mod.
  timeout 300 env GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOENV=off GOTOOLCHAIN=local \
    GOCACHE="$dir/go-cache" GOTMPDIR="$dir/go-tmp" HOME="$dir" \
    go build -o "$LIBCNI_CLIENT" "$LIBCNI_SOURCE"
}

# libcni_setup: the client, tmpfs's over what the plugins write, and the
# plugin directory (cnet and the stock plugins, as for podman).
libcni_setup() {
  build_libcni_client
  local d
  for d in $LIBCNI_DIRS; do
    mkdir -p "$d"
    in_host mount -t tmpfs -o mode=0755 cnet-throwaway "$d"
  done
  [ -n "$CNI_PLUGIN_DIRS" ] || { CNI_PLUGIN_DIRS=$BATS_TEST_TMPDIR/cni-plugins; make_cni_plugin_dir "$CNI_PLUGIN_DIRS"; }
}

# libcni add|check|del CONFLIST [NETNS], libcni validate CONFLIST,
# libcni version TYPE: the client inside the host, on $CNI_PLUGIN_DIRS.
libcni() {
  timeout -k 5 90 nsenter --target "$HOST_PID" --net --mount -- \
    env CNI_PATH="$CNI_PLUGIN_DIRS" CNI_TIMEOUT=60 "$LIBCNI_CLIENT" "$@"
}
