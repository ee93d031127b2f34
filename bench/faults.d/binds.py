#!/usr/bin/env python3
"""N clients bind at once, each as its own user, and ask Who Am I? (RFC 4532).

Each of N threads opens a connection; all wait at a barrier, then bind as uid=user.I with the
fixture's password, then ask Who Am I? and compare the answer with their own DN. Repeated for
--rounds rounds on new connections. Prints one JSON object:

  {"clients": N, "rounds": R, "ok": ..., "wrongIdentity": ..., "bindFailed": {"49": 3, ...},
   "whoamiFailed": {...}, "noAnswer": ..., "connectFailed": ..., "seconds": ...,
   "firstProblem": "..."}

Every wait has a deadline (--timeout per answer). Loopback only, standard library only.
"""

import argparse
import json
import socket
import sys
import threading
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
import ldapwire as w  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("-n", "--clients", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--first-user", type=int, default=0)
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    host, port = w.split_url(a.url)

    lock = threading.Lock()
    tally = {"ok": 0, "wrongIdentity": 0, "bindFailed": {}, "whoamiFailed": {}, "noAnswer": 0,
             "connectFailed": 0}
    problems = []

    def note(key, detail, code=None):
        with lock:
            if code is None:
                tally[key] += 1
            else:
                tally[key][str(code)] = tally[key].get(str(code), 0) + 1
            if not problems:
                problems.append(detail)

    def client(i, barrier):
        uid = a.first_user + i
        dn = w.user_dn(uid)
        try:
            sock = socket.create_connection((host, port), timeout=a.timeout)
        except OSError as e:
            note("connectFailed", "connect: %s" % e)
            try:
                barrier.wait(a.timeout)
            except threading.BrokenBarrierError:
                pass
            return
        try:
            try:
                barrier.wait(a.timeout)
            except threading.BrokenBarrierError:
                pass
            buf = bytearray()
            sock.sendall(w.bind(1, dn, w.USER_PASSWORD))
            r = w.read_response(sock, buf, a.timeout)
            if r is None or r.msgid != 1:
                note("noAnswer", "user.%d: no BindResponse" % uid)
                return
            if r.result != 0:
                note("bindFailed", "user.%d: bind result %s %s" % (uid, r.result, r.diagnostic),
                     r.result)
                return
            sock.sendall(w.whoami(2))
            r = w.read_response(sock, buf, a.timeout)
            if r is None or r.msgid != 2:
                note("noAnswer", "user.%d: no Who Am I? answer" % uid)
                return
            if r.result != 0:
                note("whoamiFailed", "user.%d: whoami result %s %s" % (uid, r.result,
                                                                      r.diagnostic), r.result)
                return
            got = (r.value or b"").decode("utf-8", "replace")
            if got.lower() != ("dn:" + dn).lower():
                note("wrongIdentity", "user.%d was told it is %r" % (uid, got))
                return
            with lock:
                tally["ok"] += 1
            sock.sendall(w.unbind(3))
        except OSError as e:
            note("noAnswer", "user.%d: %s" % (uid, e))
        finally:
            sock.close()

    start = time.monotonic()
    for _ in range(a.rounds):
        barrier = threading.Barrier(a.clients)
        threads = [threading.Thread(target=client, args=(i, barrier)) for i in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(a.timeout * 3)
    tally.update(clients=a.clients, rounds=a.rounds, seconds=round(time.monotonic() - start, 3),
                 firstProblem=problems[0] if problems else None)
    print(json.dumps(tally))


if __name__ == "__main__":
    main()
