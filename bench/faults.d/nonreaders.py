#!/usr/bin/env python3
"""N clients that ask for large results and never read them.

Each client opens a connection with a small receive buffer and, anonymously, sends --searches
subtree searches of --base for every entry and every user attribute (each result is megabytes),
at random times within the first --spread seconds (so that the servers are not asked for all of
them at once), and reads nothing for --hold seconds. Meanwhile it watches its connection's TCP state
(TCP_INFO) without reading, to see when the server closes it. At the end it reads whatever is
there (up to --drain seconds each) to learn how much had been sent and whether the connection
was closed. Prints one JSON object:

  {"clients": N, "closedByServer": K, "closedSeenWhileHolding": H,
   "closedAfterSeconds": {"min":..,"median":..,"max":..}, "stillOpen": M, "connectFailed": F, "bytesRead": B, "searchesCompleted": S,
   "noticesOfDisconnection": D}

Loopback only, standard library only, bounded by --hold + clients x --drain.
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import ldapwire as w  # noqa: E402

TCP_ESTABLISHED = 1


def tcp_state(sock):
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        return info[0]
    except OSError:
        return -1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("-n", "--clients", type=int, default=20)
    p.add_argument("--searches", type=int, default=4)
    p.add_argument("--spread", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--base", default=w.PEOPLE)
    p.add_argument("--hold", type=float, default=30.0)
    p.add_argument("--drain", type=float, default=2.0)
    p.add_argument("--rcvbuf", type=int, default=4096)
    a = p.parse_args()
    host, port = w.split_url(a.url)

    socks = []
    connect_failed = 0
    for _ in range(a.clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Before connecting, so that the window the server sees is small from the start.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        s.settimeout(10)
        try:
            s.connect((host, port))
        except OSError:
            connect_failed += 1
            s.close()
            continue
        socks.append(s)

    rng = random.Random(a.seed)
    schedule = sorted(((rng.uniform(0, a.spread), n, s) for s in socks
                       for n in range(a.searches)), key=lambda t: (t[0], t[1]))
    start = time.monotonic()
    closed_at = {}
    while time.monotonic() - start < a.hold:
        while schedule and schedule[0][0] <= time.monotonic() - start:
            _, n, s = schedule.pop(0)
            try:
                s.sendall(w.search(n + 1, a.base, scope=2))  # ~70 bytes: never blocks
            except OSError:
                pass  # closed: seen below
        for s in socks:
            if s not in closed_at and tcp_state(s) != TCP_ESTABLISHED:
                closed_at[s] = time.monotonic() - start
        if len(closed_at) == len(socks):
            break
        time.sleep(0.2)

    bytes_read = 0
    completed = 0
    notices = 0
    still_open = 0
    for s in socks:
        buf = bytearray()
        eof = False
        deadline = time.monotonic() + a.drain
        s.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                data = s.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                eof = True  # reset
                break
            if not data:
                eof = True
                break
            bytes_read += len(data)
            buf.extend(data)
            try:
                for f in w.frames(buf):
                    r = w.Response(f)
                    if r.notice_of_disconnection:
                        notices += 1
                    elif r.op == w.SEARCH_RESULT_DONE:
                        completed += 1
            except w.Malformed:
                buf.clear()
        if not eof:
            still_open += 1
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()

    times = sorted(closed_at.values())
    summary = None
    if times:
        summary = {"min": round(times[0], 1), "median": round(times[len(times) // 2], 1),
                   "max": round(times[-1], 1)}
    print(json.dumps({"clients": a.clients, "connected": len(socks),
                      "connectFailed": connect_failed,
                      "closedByServer": len(socks) - still_open,
                      "closedSeenWhileHolding": len(closed_at),
                      "closedAfterSeconds": summary, "stillOpen": still_open,
                      "bytesRead": bytes_read, "searchesCompleted": completed,
                      "noticesOfDisconnection": notices}))


if __name__ == "__main__":
    main()
