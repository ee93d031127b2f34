#!/usr/bin/env python3
"""N slow-loris clients: each sends a valid request one byte every --interval seconds.

A BindRequest of about 60 bytes at one byte every 2 s would take two minutes to arrive; a
server with an I/O time-out (lloadd's iotimeout, 10 s by default) closes such a client first.
Each client reads what it is sent (a Notice of Disconnection is expected) and notes when its
connection is closed. Runs for at most --hold seconds. Prints one JSON object:

  {"clients": N, "connected": C, "closedByServer": K,
   "closedAfterSeconds": {"min":..,"median":..,"max":..}, "noticesOfDisconnection": D,
   "noticeResultCodes": {"2": D}, "completedRequest": R, "stillOpen": M}

completedRequest counts clients that got their whole request out before being closed (the
server never cut them off). Loopback only, standard library only.
"""

import argparse
import json
import os
import selectors
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import ldapwire as w  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("-n", "--clients", type=int, default=200)
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--hold", type=float, default=30.0)
    a = p.parse_args()
    host, port = w.split_url(a.url)

    request = w.bind(1, w.user_dn(1), w.USER_PASSWORD)
    sel = selectors.DefaultSelector()
    clients = []
    for _ in range(a.clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect((host, port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        c = {"sock": s, "sent": 0, "closed": None, "buf": bytearray(), "notice": None}
        clients.append(c)
        sel.register(s, selectors.EVENT_READ, c)

    start = time.monotonic()
    next_byte = start
    while time.monotonic() - start < a.hold:
        now = time.monotonic()
        if now >= next_byte:
            for c in clients:
                if c["closed"] is None and c["sent"] < len(request):
                    try:
                        c["sock"].send(request[c["sent"]:c["sent"] + 1])
                        c["sent"] += 1
                    except OSError:
                        pass  # the read side sees the close
            next_byte += a.interval
        if all(c["closed"] is not None for c in clients):
            break
        for key, _ in sel.select(timeout=max(0.0, min(next_byte - time.monotonic(), 0.5))):
            c = key.data
            try:
                data = c["sock"].recv(65536)
            except OSError:
                data = b""
            if data:
                c["buf"].extend(data)
                try:
                    for f in w.frames(c["buf"]):
                        r = w.Response(f)
                        if r.notice_of_disconnection:
                            c["notice"] = r.result
                except w.Malformed:
                    c["buf"].clear()
                continue
            c["closed"] = time.monotonic() - start
            sel.unregister(c["sock"])

    closed = sorted(c["closed"] for c in clients if c["closed"] is not None)
    codes = {}
    for c in clients:
        if c["notice"] is not None:
            codes[str(c["notice"])] = codes.get(str(c["notice"]), 0) + 1
    for c in clients:
        c["sock"].setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c["sock"].close()
    summary = None
    if closed:
        summary = {"min": round(closed[0], 1), "median": round(closed[len(closed) // 2], 1),
                   "max": round(closed[-1], 1)}
    print(json.dumps({"clients": a.clients, "connected": len(clients),
                      "closedByServer": len(closed), "closedAfterSeconds": summary,
                      "noticesOfDisconnection": sum(codes.values()),
                      "noticeResultCodes": codes,
                      "completedRequest": sum(1 for c in clients if c["sent"] >= len(request)),
                      "stillOpen": len(clients) - len(closed)}))


if __name__ == "__main__":
    main()
