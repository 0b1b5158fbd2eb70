# A real firewalld (Debian's firewalld 1.3, nftables backend) inside the
# throwaway host, as a distribution runs it but without systemd: a
# dbus-daemon of the host's own listening at the standard
# /run/dbus/system_bus_socket (anything in the host that uses the default
# system bus address reaches it, and nothing reaches the machine's bus), and
# firewalld in the foreground on it. Everything they write is on a tmpfs of
# the host's (/run/dbus, /run/firewalld, /etc/firewalld, where a pinned
# firewalld.conf replaces the machine's), so the machine's files, bus and
# rules are never touched. Teardown stops them as a service manager would
# (SIGTERM: firewalld removes its nft tables first).

FIREWALLD_DIRS="/run/dbus /run/firewalld /etc/firewalld"
FIREWALLD_LOG=/run/firewalld/firewalld.log

# Debian's defaults, pinned (the machine's own file may say otherwise); a
# test file may set its own before setup runs.
FIREWALLD_CONF=${FIREWALLD_CONF:-"DefaultZone=public
CleanupOnExit=yes
CleanupModulesOnExit=no
Lockdown=no
IPv6_rpfilter=yes
IndividualCalls=no
LogDenied=off
FirewallBackend=nftables
FlushAllOnReload=yes
RFC3964_IPv4=yes"}

# The system bus's policy (Debian's system.conf) without service activation
# (no polkitd or other services get started: firewalld then authorizes by
# uid, root may do everything), syslog or pid file.
DBUS_CONF='<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <user>messagebus</user>
  <auth>EXTERNAL</auth>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>/etc/dbus-1/system.d</includedir>
</busconfig>'

firewalld_setup() {
  command -v firewalld >/dev/null || { echo "firewalld is missing (apt-get install firewalld)" >&2; return 1; }
  command -v dbus-daemon >/dev/null || { echo "dbus-daemon is missing (apt-get install dbus)" >&2; return 1; }
  local d
  for d in $FIREWALLD_DIRS; do
    mkdir -p "$d"
    in_host mount -t tmpfs -o mode=0755 cnet-throwaway "$d"
  done
  in_host chmod 0750 /etc/firewalld
  printf '%s\n' "$FIREWALLD_CONF" | in_host sh -c 'cat > /etc/firewalld/firewalld.conf'
  printf '%s\n' "$DBUS_CONF" | in_host sh -c 'cat > /run/dbus/system.conf'
  in_host_bg dbus-daemon --config-file=/run/dbus/system.conf --nofork --nopidfile
  DBUS_PID=$LAST_PID
  wait_for_socket /run/dbus/system_bus_socket
  firewalld_start
}

# Starts firewalld and waits (up to 60 s) until it is running.
firewalld_start() {
  in_host_bg firewalld --nofork --nopid --log-target file --log-file "$FIREWALLD_LOG"
  FIREWALLD_PID=$LAST_PID
  firewalld_wait
}

# Waits (up to 60 s) until firewalld says it is running; shows its log if
# it does not.
firewalld_wait() {
  local i
  for i in $(seq 1 600); do
    case $(firewalld_state) in
      RUNNING) [ "$(firewall_cmd --state 2>&1)" = running ] && return 0 ;;
      FAILED) break ;;
    esac
    alive "$FIREWALLD_PID" || break
    sleep 0.1
  done
  echo "firewalld is not running (state '$(firewalld_state)'); its log:" >&2
  in_host cat "$FIREWALLD_LOG" >&2 || true
  return 1
}

# firewalld's state property (INIT, RUNNING, FAILED), without the cost of
# a firewall-cmd; nothing while it is not on the bus.
firewalld_state() {
  in_host dbus-send --system --reply-timeout=2000 --print-reply=literal \
    --dest=org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 \
    org.freedesktop.DBus.Properties.Get string:org.fedoraproject.FirewallD1 string:state 2>/dev/null |
    awk '{ print $2 }'
}

# Stops firewalld as a service manager would and waits until it is gone.
firewalld_stop() {
  [ -n "${FIREWALLD_PID:-}" ] || return 0
  stop_pid "$FIREWALLD_PID"
  FIREWALLD_PID=
}

firewalld_restart() {
  firewalld_stop
  firewalld_start
}

# firewall-cmd as the user types it, inside the throwaway host.
firewall_cmd() {
  in_host firewall-cmd "$@"
}

# firewall-cmd --reload, then waits until firewalld runs again.
firewalld_reload() {
  firewall_cmd --reload >/dev/null
  firewalld_wait
}

firewalld_teardown() {
  firewalld_stop
  [ -n "${DBUS_PID:-}" ] || return 0
  stop_pid "$DBUS_PID"
  DBUS_PID=
}

# SIGTERM, up to 20 s to exit, then SIGKILL.
stop_pid() {
  local i
  kill -TERM "$1" 2>/dev/null || return 0
  for i in $(seq 1 200); do
    alive "$1" || return 0
    sleep 0.1
  done
  echo "process $1 ignored SIGTERM, killed" >&2
  kill -KILL "$1" 2>/dev/null || true
}

# Whether process $1 runs (a zombie, not reaped yet, does not).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}
