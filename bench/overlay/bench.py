#!/usr/bin/env python3
"""The overlay benchmark's lab and measurements; bench/overlay/run starts
it in a throwaway host (it needs one: it makes a bridge, namespaces and
mounts). Three cnet hosts on one machine, as in Tests/bats/overlay.bash:
each a network and mount namespace of its own (tmpfs over cnet's and
iproute2's directories), on an underlay bridge `under0` of 192.0.2.0/24
with etcd on 192.0.2.100 (data on the throwaway host's tmpfs), each host
joined with `--ttl 5` and running `cnet agent`.

Measures, in one run:
  connect      `cnet connect` on an overlay network against one on a bridge
               network, on the same host, alternating (and disconnect);
  convergence  from `cnet connect` returning on host 1 until hosts 2 and 3
               hold the new endpoint's neighbour and forwarding entries
               (their kernels' own notifications, bench/overlay/neighmon.py);
  throughput   iperf3 between sandboxes on hosts 1 and 2 over the overlay,
               against hosts 1 and 2 over the plain underlay, alternating;
  dead host    from etcd ending a killed agent's lease (the watch's DELETE
               of its hosts/ key) until hosts 1 and 2 dropped its entries.
Raw samples go to $OUT; the summary to stdout (and $OUT/summary.txt)."""
import json
import os
import statistics
import subprocess
import sys
import threading
import time

CNET = os.environ["CNET"]
TIMEIT = os.environ["TIMEIT"]
OUT = os.environ["OUT"]
K = int(os.environ.get("OVERLAY_K", "50"))
CONVERGE = int(os.environ.get("OVERLAY_CONVERGE", "100"))
IPERF_ROUNDS = int(os.environ.get("OVERLAY_IPERF_ROUNDS", "3"))
DEAD_TRIALS = int(os.environ.get("OVERLAY_DEAD_TRIALS", "5"))
HERE = os.path.dirname(os.path.abspath(__file__))
ETCD = "http://192.0.2.100:2379"
PREFIX = "/cnet/v1/"
STATE_DIRS = "/var/run/netns /etc/netns /var/lib/cnet /run/cnet"

background = []


def run(*cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout


def spawn(*cmd, **kw):
    process = subprocess.Popen(cmd, **kw)
    background.append(process)
    return process


def log(text):
    print(text, file=sys.stderr, flush=True)


class Host:
    def __init__(self, n):
        self.n = n
        self.process = spawn("unshare", "--net", "--mount", "--propagation", "private", "--", "sh", "-c",
                             f"for d in {STATE_DIRS}; do mount -t tmpfs -o mode=0755 cnet-host{n} $d; done;"
                             " ip link set lo up; exec sleep infinity")
        for _ in range(200):
            try:
                if open(f"/proc/{self.process.pid}/comm").read().strip() == "sleep":
                    break
            except OSError:
                pass
            time.sleep(0.01)
        run("ip", "link", "add", f"h{n}-e", "type", "veth", "peer", "name", "eth0",
            "netns", f"/proc/{self.process.pid}/ns/net")
        run("ip", "link", "set", f"h{n}-e", "master", "under0", "up")
        self.run("ip", "addr", "add", f"192.0.2.{n}/24", "dev", "eth0")
        self.run("ip", "link", "set", "eth0", "up")
        self.agent = None

    def command(self, *cmd):
        return ["nsenter", "--target", str(self.process.pid), "--net", "--mount", "--", *cmd]

    def run(self, *cmd):
        return run(*self.command(*cmd))

    def cnet(self, *args):
        return self.run(CNET, *args)

    def spawn(self, *cmd, **kw):
        return spawn(*self.command(*cmd), **kw)

    def timed(self, *args):
        """Milliseconds of one cnet command, spawn to exit (bench/timeit.c)."""
        return int(self.run(TIMEIT, CNET, *args).split()[0]) / 1e6

    def start_agent(self):
        self.agent = self.spawn(CNET, "agent", stderr=open(f"{OUT}/agent{self.n}.log", "a"))

    def kill_agent(self):
        self.agent.kill()
        self.agent.wait()

    def overlay_namespace(self):
        names = self.run("ls", "/run/cnet/overlay").split()
        assert len(names) == 1, names
        return "/run/cnet/overlay/" + names[0]


class Lines:
    """A background process's output lines, each with the time it was read."""

    def __init__(self, process):
        self.process = process
        self.lines = []
        self.lock = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.process.stdout:
            with self.lock:
                self.lines.append((time.time(), line.rstrip("\n")))
                self.lock.notify_all()

    def wait(self, predicate, timeout):
        end = time.time() + timeout
        with self.lock:
            while True:
                found = [entry for entry in self.lines if predicate(entry)]
                if found:
                    return found
                left = end - time.time()
                if left <= 0:
                    return []
                self.lock.wait(left)

    def events(self):
        """neighmon's lines as (time, verb, kind, key)."""
        with self.lock:
            out = []
            for _, line in self.lines:
                parts = line.split()
                if len(parts) == 4:
                    out.append((float(parts[0]), parts[1], parts[2], parts[3]))
            return out


def monitor(host):
    lines = Lines(host.spawn("nsenter", f"--net={host.overlay_namespace()}", "python3", f"{HERE}/neighmon.py",
                             stdout=subprocess.PIPE, text=True))
    if not lines.wait(lambda e: e[1] == "READY", 10):
        raise SystemExit("bench: neighmon did not start")
    return lines


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def endpoints(host, network):
    found = {}
    for e in json.loads(host.cnet("endpoint", "ls", "--network", network, "--json")):
        found[e["Sandbox"]] = (e["IPv4Address"].split("/")[0], e["MacAddress"])
    return found


def save(name, samples):
    with open(f"{OUT}/{name}", "w") as f:
        f.write("\n".join(f"{s:.6f}" for s in samples) + "\n")


def lab():
    run("ip", "link", "add", "under0", "type", "bridge")
    run("ip", "addr", "add", "192.0.2.100/24", "dev", "under0")
    run("ip", "link", "set", "under0", "up")
    spawn("etcd", "--name", "e", "--data-dir", "/run/cnet/etcd", "--listen-client-urls", ETCD,
          "--advertise-client-urls", ETCD, "--listen-peer-urls", "http://192.0.2.100:2380",
          "--initial-advertise-peer-urls", "http://192.0.2.100:2380",
          "--initial-cluster", "e=http://192.0.2.100:2380", "--log-level", "error",
          stderr=open(f"{OUT}/etcd.log", "w"))
    for _ in range(100):
        if subprocess.run(["etcdctl", "--endpoints", ETCD, "--command-timeout=1s", "endpoint", "health"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.1)
    hosts = {n: Host(n) for n in (1, 2, 3)}
    for n, host in hosts.items():
        host.cnet("cluster", "join", ETCD, "--advertise", f"192.0.2.{n}", "--name", f"h{n}", "--ttl", "5")
        host.start_agent()
    return hosts


def bench_connect(h1):
    h1.cnet("network", "create", "br", "--subnet", "10.210.0.0/16")
    # The first of each makes what later ones reuse (the gateway bridge).
    h1.cnet("connect", "br", "wb")
    h1.cnet("connect", "ov", "wo")
    times = {"bridge connect": [], "overlay connect": [], "bridge disconnect": [], "overlay disconnect": []}
    for i in range(K):
        times["bridge connect"].append(h1.timed("connect", "br", f"b{i}"))
        times["overlay connect"].append(h1.timed("connect", "ov", f"o{i}"))
    for i in range(K):
        times["bridge disconnect"].append(h1.timed("disconnect", "br", f"b{i}"))
        times["overlay disconnect"].append(h1.timed("disconnect", "ov", f"o{i}"))
    for name, samples in times.items():
        save(name.replace(" ", "-") + ".ms", samples)
    return times


def bench_convergence(h1, watchers):
    script = (
        "import subprocess, sys, time\n"
        "for i in range(int(sys.argv[2])):\n"
        "    subprocess.run([sys.argv[1], 'connect', 'ov', f'c{i}'], check=True, stdout=subprocess.DEVNULL)\n"
        "    print(f'c{i} {time.time():.6f}', flush=True)\n"
        "    time.sleep(0.05)\n")
    returned = {}
    for line in h1.run("python3", "-c", script, CNET, str(CONVERGE)).split("\n"):
        if line:
            name, at = line.split()
            returned[name] = float(at)
    time.sleep(1)
    found = endpoints(h1, "ov")
    delays, missing = [], []
    for name, at in returned.items():
        ip, mac = found[name]
        last = []
        for watcher in watchers:
            events = watcher.events()
            neigh = [t for t, verb, kind, key in events if verb == "NEW" and kind == "neigh" and key == ip]
            fdb = [t for t, verb, kind, key in events if verb == "NEW" and kind == "fdb" and key == mac]
            if not neigh or not fdb:
                missing.append(name)
                break
            last.append(max(min(neigh), min(fdb)))
        else:
            delays.append((max(last) - at) * 1000)
    save("convergence.ms", delays)
    return delays, missing


def iperf(client, client_in, server, server_in, address):
    """Gbit/s received by iperf3 on `server` (in the namespace `server_in`
    names, a command prefix) from `client`, over 5 s."""
    listening = server.spawn(*server_in, "iperf3", "-s", "-1", "-B", address,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if ":5201" in server.run(*server_in, "ss", "-ltn"):
            break
        time.sleep(0.05)
    result = json.loads(client.run(*client_in, "iperf3", "-c", address, "-t", "5", "-J"))
    listening.wait(timeout=10)
    return result["end"]["sum_received"]["bits_per_second"] / 1e9


def bench_throughput(h1, h2):
    h1.cnet("connect", "ov", "t1")
    h2.cnet("connect", "ov", "t2")
    t2 = endpoints(h2, "ov")["t2"][0]
    overlay, underlay = [], []
    for _ in range(IPERF_ROUNDS):
        overlay.append(iperf(h1, ["ip", "netns", "exec", "t1"], h2, ["ip", "netns", "exec", "t2"], t2))
        underlay.append(iperf(h1, [], h2, [], "192.0.2.2"))
    save("overlay.gbps", overlay)
    save("underlay.gbps", underlay)
    return overlay, underlay


def bench_dead_host(hosts, watchers):
    h3 = hosts[3]
    ip, mac = endpoints(h3, "ov")["p3"]
    host_id = json.load(open(f"/proc/{h3.process.pid}/root/var/lib/cnet/cluster.json"))["hostID"]
    watch = Lines(spawn("etcdctl", "--endpoints", ETCD, "watch", "--prefix", PREFIX + "hosts/",
                        stdout=subprocess.PIPE, text=True))
    time.sleep(0.5)
    drops = []
    for trial in range(DEAD_TRIALS):
        seen = len(watch.lines)
        h3.kill_agent()
        # etcdctl prints DELETE, then the key, as the event arrives.
        key = PREFIX + "hosts/" + host_id
        gone = watch.wait(lambda e: e[1] == key and watch.lines[watch.lines.index(e) - 1][1] == "DELETE"
                          and watch.lines.index(e) >= seen, 30)
        if not gone:
            raise SystemExit(f"bench: the dead host's lease did not end (trial {trial + 1}; the watch saw"
                             f" {watch.lines[seen:]}; see {OUT}/agent3.log)")
        lease_end = gone[0][0]
        last = []
        for watcher in watchers:
            for _ in range(100):
                events = [(t, kind) for t, verb, kind, entry in watcher.events()
                          if verb == "DEL" and t >= lease_end - 1 and entry in (ip, mac)]
                if {kind for _, kind in events} == {"neigh", "fdb"}:
                    break
                time.sleep(0.05)
            else:
                raise SystemExit("bench: a dead host's entries stayed")
            last.append(max(t for t, _ in events))
        drops.append((max(last) - lease_end) * 1000)
        # Back: its agent registers again and republishes; the entries return.
        seen = len(watch.lines)
        h3.start_agent()
        if not watch.wait(lambda e: e[1] == key and watch.lines.index(e) >= seen, 20):
            raise SystemExit(f"bench: the restarted agent did not register (see {OUT}/agent3.log)")
        for watcher in watchers:
            start = time.time()
            while not [1 for t, verb, kind, entry in watcher.events() if verb == "NEW" and entry == ip and t > lease_end]:
                if time.time() - start > 20:
                    raise SystemExit("bench: a returning host's entries did not come back")
                time.sleep(0.05)
    save("dead-host.ms", drops)
    return drops


def main():
    os.makedirs(OUT, exist_ok=True)
    hosts = lab()
    h1, h2, h3 = hosts[1], hosts[2], hosts[3]
    h1.cnet("network", "create", "ov", "-d", "overlay", "--subnet", "10.220.0.0/16")
    h2.cnet("connect", "ov", "p2")
    h3.cnet("connect", "ov", "p3")
    log("lab ready: 3 hosts, network ov")

    connect = bench_connect(h1)
    log("connect done")
    convergence, missing = bench_convergence(h1, [monitor(h2), monitor(h3)])
    log("convergence done")
    overlay, underlay = bench_throughput(h1, h2)
    log("throughput done")
    dead = bench_dead_host(hosts, [monitor(h1), monitor(h2)])
    log("dead host done")

    med = statistics.median
    lines = [
        f"overlay benchmark: 3 hosts, K={K} connects each, {CONVERGE} for convergence, {IPERF_ROUNDS} iperf3 rounds of 5 s,"
        f" {DEAD_TRIALS} dead-host trials (--ttl 5)",
        "",
        "connect on host 1 (median ms, p90 ms):",
    ]
    for name, samples in connect.items():
        lines.append(f"  {name:20} {med(samples):8.3f} {percentile(samples, 90):8.3f}")
    lines.append(f"  overlay/bridge connect ratio    {med(connect['overlay connect']) / med(connect['bridge connect']):.2f}  (bar <= 2)")
    lines.append(f"  overlay/bridge disconnect ratio {med(connect['overlay disconnect']) / med(connect['bridge disconnect']):.2f}")
    lines.append("")
    lines.append(f"convergence, connect returned on host 1 -> entries on hosts 2 and 3 ({len(convergence)} of {CONVERGE};"
                 f" missing {len(missing)}):")
    lines.append(f"  p50 {percentile(convergence, 50):.3f} ms (bar <= 5)   p99 {percentile(convergence, 99):.3f} ms (bar <= 25)"
                 f"   min {min(convergence):.3f}   max {max(convergence):.3f}")
    lines.append("")
    lines.append("TCP throughput host 1 -> host 2 (Gbit/s, each round):")
    lines.append(f"  overlay  {' '.join(f'{x:.2f}' for x in overlay)}")
    lines.append(f"  underlay {' '.join(f'{x:.2f}' for x in underlay)}")
    lines.append(f"  overlay/underlay {med(overlay) / med(underlay):.2f} (bar >= 0.70)")
    lines.append("")
    lines.append("dead host: lease ended -> entries gone on hosts 1 and 2 (ms, each trial):")
    lines.append(f"  {' '.join(f'{x:.1f}' for x in dead)}   max {max(dead):.1f} (bar <= 2000)")
    text = "\n".join(lines)
    print(text)
    with open(f"{OUT}/summary.txt", "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    try:
        main()
    finally:
        for process in reversed(background):
            if process.poll() is None:
                process.kill()
        for process in background:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
