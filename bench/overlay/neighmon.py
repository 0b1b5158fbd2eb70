#!/usr/bin/env python3
"""Prints each change of a permanent neighbour or forwarding-database entry
(what cnet's agent writes) in the network namespace it runs in, with the time it was read (CLOCK_REALTIME, seconds):

    1765000000.123456 NEW neigh 10.220.0.7
    1765000000.123501 NEW fdb 02:42:0a:dc:00:07
    1765000000.523000 DEL neigh 10.220.0.7

It reads rtnetlink's neighbour group itself (no `ip monitor` in between),
so the times are the kernel's notifications as they arrive. Prints READY
once subscribed."""
import socket
import struct
import sys
import time

RTMGRP_NEIGH = 4
RTM_NEWNEIGH, RTM_DELNEIGH = 28, 29
NDA_DST, NDA_LLADDR = 1, 2
AF_INET, AF_BRIDGE = 2, 7
NUD_PERMANENT = 0x80


def attributes(data):
    at = 0
    while at + 4 <= len(data):
        length, kind = struct.unpack_from("HH", data, at)
        if length < 4:
            return
        yield kind & 0x3FFF, data[at + 4 : at + length]
        at += (length + 3) & ~3


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((0, RTMGRP_NEIGH))
    print("READY", flush=True)
    while True:
        data = s.recv(1 << 16)
        now = time.time()
        at = 0
        while at + 16 <= len(data):
            length, kind = struct.unpack_from("IH", data, at)
            if length < 16:
                break
            body = data[at + 16 : at + length]
            at += (length + 3) & ~3
            if kind not in (RTM_NEWNEIGH, RTM_DELNEIGH) or len(body) < 12:
                continue
            family = body[0]
            state = struct.unpack_from("H", body, 8)[0]
            if kind == RTM_NEWNEIGH and not state & NUD_PERMANENT:
                continue  # the kernel's own (learned, resolving), not cnet's;
                # a deleted entry is announced FAILED
            attrs = dict(attributes(body[12:]))
            verb = "NEW" if kind == RTM_NEWNEIGH else "DEL"
            if family == AF_INET and NDA_DST in attrs:
                print(f"{now:.6f} {verb} neigh {socket.inet_ntoa(attrs[NDA_DST])}", flush=True)
            elif family == AF_BRIDGE and NDA_LLADDR in attrs and NDA_DST in attrs:
                mac = ":".join(f"{b:02x}" for b in attrs[NDA_LLADDR])
                print(f"{now:.6f} {verb} fdb {mac}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
