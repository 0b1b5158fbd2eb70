#!/usr/bin/env python3
"""A small Docker network and IPAM plugin, independent of cnet: written from
the protocol description (docker-plugin-protocol.md) with Python's standard
library only, so that cnet's client is tested against a plugin it did not
produce.

    pyplug.py SOCKET LOG [--implements NetworkDriver,IpamDriver]

Listens on SOCKET (HTTP/1.1 over a Unix socket), answers every call the way
the document says a plugin must, and appends one JSON line per call to LOG:
{"path": ..., "request": ..., "reply": ..., plus notes}. The network driver
makes a bridge per network ("pb" + 10 characters of the network id) and,
at Join, a veth pair whose host end is on that bridge ("ph" + 10 of the
endpoint id) and whose other end ("pc" + 10) is handed to the caller as
SrcName. The IPAM driver hands out the lowest free address of a pool.
A network created with the generic option pyplug.fail=METHOD makes that
call fail, so the caller's rollback can be checked.
"""

import ipaddress
import json
import os
import socketserver
import subprocess
import sys
from http.server import BaseHTTPRequestHandler

SOCKET, LOG = sys.argv[1], sys.argv[2]
IMPLEMENTS = ["NetworkDriver", "IpamDriver"]
if "--implements" in sys.argv:
    IMPLEMENTS = sys.argv[sys.argv.index("--implements") + 1].split(",")

networks = {}   # network id -> {"bridge", "gateway", "fail"}
endpoints = {}  # endpoint id -> {"network", "host", "peer"}
pools = {}      # pool id -> {"net": ip_network, "used": set, "refs": int}


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True)


def link_exists(name):
    return ip("link", "show", "dev", name).returncode == 0


class Failure(Exception):
    pass


def fail_if_asked(network_id, method):
    if networks.get(network_id, {}).get("fail") == method:
        raise Failure("pyplug: injected failure in " + method)


# NetworkDriver ---------------------------------------------------------------

def create_network(req, notes):
    nid = req["NetworkID"]
    generic = (req.get("Options") or {}).get("com.docker.network.generic") or {}
    if generic.get("pyplug.fail") == "CreateNetwork":
        raise Failure("pyplug: injected failure in CreateNetwork")
    gateway = ""
    for data in req.get("IPv4Data") or []:
        gateway = (data.get("Gateway") or "").split("/")[0]
    bridge = "pb" + nid[:10]
    ip("link", "add", "name", bridge, "type", "bridge")
    ip("link", "set", bridge, "up")
    networks[nid] = {"bridge": bridge, "gateway": gateway, "fail": generic.get("pyplug.fail")}
    return {}


def delete_network(req, notes):
    network = networks.pop(req["NetworkID"], None)
    if network:
        ip("link", "del", network["bridge"])
    return {}


def create_endpoint(req, notes):
    fail_if_asked(req["NetworkID"], "CreateEndpoint")
    interface = req.get("Interface")
    if interface is None or "Address" not in interface:
        raise Failure("pyplug: CreateEndpoint without the Interface object")
    eid = req["EndpointID"]
    endpoints[eid] = {"network": req["NetworkID"], "host": "ph" + eid[:10], "peer": "pc" + eid[:10]}
    notes["address"] = interface.get("Address")
    return {}


def join(req, notes):
    fail_if_asked(req["NetworkID"], "Join")
    endpoint = endpoints.get(req["EndpointID"])
    network = networks.get(req["NetworkID"])
    if not endpoint or not network:
        raise Failure("pyplug: unknown endpoint or network")
    out = ip("link", "add", endpoint["host"], "type", "veth", "peer", "name", endpoint["peer"])
    if out.returncode != 0:
        raise Failure("pyplug: " + out.stderr.strip())
    ip("link", "set", endpoint["host"], "master", network["bridge"], "up")
    notes["sandbox_key"] = req.get("SandboxKey")
    reply = {"InterfaceName": {"SrcName": endpoint["peer"], "DstPrefix": "eth"}}
    if network["gateway"]:
        reply["Gateway"] = network["gateway"]
    reply["StaticRoutes"] = [{"Destination": "192.0.2.0/24", "RouteType": 1}]
    return reply


def leave(req, notes):
    endpoint = endpoints.get(req["EndpointID"])
    if endpoint:
        notes["peer_in_host"] = link_exists(endpoint["peer"])
    return {}


def delete_endpoint(req, notes):
    endpoint = endpoints.pop(req["EndpointID"], None)
    if endpoint:
        # The caller must have moved the link back under its SrcName.
        notes["peer_in_host"] = link_exists(endpoint["peer"])
        ip("link", "del", endpoint["host"])
    return {}


def oper_info(req, notes):
    return {"Value": {"pyplug.known": req["EndpointID"] in endpoints}}


def program(req, notes):
    fail_if_asked(req["NetworkID"], "ProgramExternalConnectivity")
    notes["portmap"] = (req.get("Options") or {}).get("com.docker.network.portmap")
    return {}


# IpamDriver ------------------------------------------------------------------

def request_pool(req, notes):
    if req.get("V6"):
        raise Failure("pyplug: no IPv6 pools")
    wanted = req.get("Pool") or ""
    if wanted:
        net = ipaddress.ip_network(wanted, strict=True)
    else:
        taken = [p["net"] for p in pools.values()]
        net = next(n for n in ipaddress.ip_network("10.99.0.0/16").subnets(new_prefix=24)
                   if not any(n.overlaps(t) for t in taken))
    pool_id = "PyLocal/" + str(net)
    pool = pools.setdefault(pool_id, {"net": net, "used": set(), "refs": 0})
    pool["refs"] += 1
    return {"PoolID": pool_id, "Pool": str(net), "Data": {}}


def release_pool(req, notes):
    pool = pools.get(req["PoolID"])
    if not pool:
        raise Failure("pyplug: no pool " + req["PoolID"])
    pool["refs"] -= 1
    if pool["refs"] == 0:
        del pools[req["PoolID"]]
    return {}


def request_address(req, notes):
    pool = pools.get(req["PoolID"])
    if not pool:
        raise Failure("pyplug: no pool " + req["PoolID"])
    options = req.get("Options") or {}
    notes["gateway"] = options.get("RequestAddressType") == "com.docker.network.gateway"
    net = pool["net"]
    if req.get("Address"):
        address = ipaddress.ip_address(req["Address"])
        if address in pool["used"]:
            raise Failure("pyplug: %s is taken" % address)
    else:
        address = next((a for a in net.hosts() if a not in pool["used"]), None)
        if address is None:
            raise Failure("pyplug: pool exhausted")
    pool["used"].add(address)
    return {"Address": "%s/%d" % (address, net.prefixlen), "Data": {}}


def release_address(req, notes):
    pool = pools.get(req["PoolID"])
    if pool:
        pool["used"].discard(ipaddress.ip_address(req["Address"]))
    return {}


NETWORK = {
    "GetCapabilities": lambda req, notes: {"Scope": "local", "ConnectivityScope": "local"},
    "CreateNetwork": create_network, "DeleteNetwork": delete_network,
    "CreateEndpoint": create_endpoint, "DeleteEndpoint": delete_endpoint,
    "Join": join, "Leave": leave, "EndpointOperInfo": oper_info,
    "ProgramExternalConnectivity": program,
    "RevokeExternalConnectivity": lambda req, notes: {},
}
IPAM = {
    "GetCapabilities": lambda req, notes: {"RequiresMACAddress": False},
    "GetDefaultAddressSpaces": lambda req, notes: {"LocalDefaultAddressSpace": "PyLocal",
                                                   "GlobalDefaultAddressSpace": "PyGlobal"},
    "RequestPool": request_pool, "ReleasePool": release_pool,
    "RequestAddress": request_address, "ReleaseAddress": release_address,
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        notes = {"accept": self.headers.get("Accept")}
        status, reply = 200, {}
        try:
            request = json.loads(raw) if raw.strip() else {}
            if self.path == "/Plugin.Activate":
                reply = {"Implements": IMPLEMENTS}
            else:
                role, _, method = self.path.lstrip("/").partition(".")
                table = {"NetworkDriver": NETWORK, "IpamDriver": IPAM}.get(role) if role in IMPLEMENTS else None
                handler = table.get(method) if table else None
                if handler is None:
                    status, reply = 404, {"Err": "pyplug: no " + self.path}
                else:
                    try:
                        reply = handler(request, notes)
                    except Failure as failure:
                        # The two roles report errors under different keys.
                        reply = {"Err" if role == "NetworkDriver" else "Error": str(failure)}
        except (ValueError, KeyError, TypeError) as error:
            status, reply = 400, {"Err": "pyplug: bad request: %r" % (error,)}
        body = (json.dumps(reply) + "\n").encode()
        with open(LOG, "a") as log:
            log.write(json.dumps({"path": self.path, "request": raw.decode(errors="replace"),
                                  "status": status, "reply": reply, **notes}) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.UnixStreamServer):
    def get_request(self):
        request, _ = super().get_request()
        return request, ("local", 0)


if __name__ == "__main__":
    if os.path.exists(SOCKET):
        os.unlink(SOCKET)
    os.makedirs(os.path.dirname(SOCKET), exist_ok=True)
    with Server(SOCKET, Handler) as server:
        server.serve_forever()
