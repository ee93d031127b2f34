#!/usr/bin/env python3
"""Mutated LDAP requests, each on a connection of its own.

Takes valid requests of every type (binds, searches with many filter shapes and controls,
compare, modify, add, delete, modify DN, extended, abandon, unbind), mutates each one and sends
it as the only PDU of a new connection, --concurrency connections at a time, until --count
PDUs or --budget seconds. Half the mutations work on raw bytes (bit flips, odd bytes, cuts,
insertions, broken lengths), half on the BER element tree with the enclosing lengths fixed up
afterwards, so that the outer frame stays well formed and only what is inside is wrong: those
are the requests a balancer that checks only the frame forwards to a shared upstream
connection. The mutations are reproducible from --seed.

After the PDU the client waits --wait seconds for an answer, then shuts its sending side down
and reads until the server closes (at most --close-deadline seconds). Each connection ends as
one of:

  notice      a Notice of Disconnection (RFC 4511 §4.4.1), by result code
  response    a response to the request, by result code (the request was taken as valid)
  closed      closed without a word
  open        still open at the deadline: the server kept a connection it had no use for
  refused     the connection could not be made

Prints one JSON object with those counts, the first examples of each (hex), and --count,
seconds and PDUs per second. Loopback only, standard library only.
"""

import argparse
import json
import os
import random
import selectors
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import ldapwire as w  # noqa: E402

PAGED = "1.2.840.113556.1.4.319"
SORT = "1.2.840.113556.1.4.473"
PROXIED = "2.16.840.1.113730.3.4.18"
MANAGE_DSA_IT = "2.16.840.1.113730.3.4.2"


def templates():
    """Valid requests of every kind, as (name, bytes)."""
    dn = w.user_dn(7)
    t = [
        ("bind", w.bind(1, dn, w.USER_PASSWORD)),
        ("bind-anonymous", w.bind(1)),
        ("bind-sasl", w.sasl_bind(1, "PLAIN", b"\0user.7\0password")),
        ("search-base", w.search(1, dn, 0, None, ["cn", "mail"])),
        ("search-equality", w.search(1, w.PEOPLE, 2, w.equality("uid", "user.7"), ["cn"])),
        ("search-substrings", w.search(1, w.PEOPLE, 1, w.substrings("cn", "User", ["7"], None),
                                       [], size_limit=5)),
        ("search-and-or-not", w.search(1, w.SUFFIX, 2, w.and_(
            w.or_(w.equality("uid", "user.1"), w.equality("uid", "user.2")),
            w.not_(w.present("telephoneNumber"))), ["1.1"])),
        ("search-paged", w.search(1, w.PEOPLE, 1, None, ["cn"],
                                  controls=[(PAGED, False, w.seq(w.integer(5), w.octets("")))])),
        ("search-sorted", w.search(1, w.PEOPLE, 1, None, ["cn"], size_limit=3,
                                   controls=[(SORT, False, w.seq(w.seq(w.octets("cn"))))])),
        ("search-manage-dsa-it", w.search(1, w.SUFFIX, 0, None, [],
                                          controls=[(MANAGE_DSA_IT, True, None)])),
        ("search-proxied", w.search(1, dn, 0, None, [],
                                    controls=[(PROXIED, True, b"dn:" + dn.encode())])),
        ("compare", w.compare(1, dn, "cn", "User 7")),
        ("modify", w.modify(1, dn, "description", "mutated")),
        ("add", w.add(1, "uid=mutant,%s" % w.PEOPLE, [("objectClass", ["inetOrgPerson"]),
                                                       ("cn", ["m"]), ("sn", ["m"])])),
        ("delete", w.delete(1, "uid=mutant,%s" % w.PEOPLE)),
        ("moddn", w.moddn(1, dn, "uid=user.7x", True, w.PEOPLE)),
        ("whoami", w.whoami(1)),
        ("starttls", w.extended(1, w.START_TLS)),
        ("extended-unknown", w.extended(1, "1.2.3.4.5", b"\x30\x00")),
        ("abandon", w.abandon(2, 1)),
        ("unbind", w.unbind(1)),
    ]
    return t


# ---------------------------------------------------------------------------- the BER tree

class Node:
    __slots__ = ("tag", "children", "value", "raw_length")

    def __init__(self, tag, children=None, value=b""):
        self.tag = tag
        self.children = children
        self.value = value
        self.raw_length = None  # a wrong length written as is, the rest fixed up around it

    def encode(self):
        content = b"".join(c.encode() for c in self.children) if self.children is not None \
            else self.value
        head = self.raw_length if self.raw_length is not None else w.length(len(content))
        return bytes([self.tag]) + head + content


def parse(data):
    """The element tree of a valid PDU (constructed elements parsed when they parse)."""
    tag, start, size = w.header(data, 0)
    return node(data, tag, start, size)


def node(data, tag, start, size):
    content = data[start:start + size]
    if tag & 0x20:
        try:
            kids = [node(content, t, s, n) for t, s, n in w.children(content, 0, len(content))]
            return Node(tag, kids)
        except (w.Malformed, TypeError):
            pass
    return Node(tag, None, content)


def all_nodes(root):
    out = [root]
    i = 0
    while i < len(out):
        if out[i].children is not None:
            out.extend(out[i].children)
        i += 1
    return out


INTERESTING_INTS = [b"", b"\x00", b"\xff", b"\x7f\xff\xff\xff", b"\x80\x00\x00\x00",
                    b"\x00\x00\x00\x00\x01", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff",
                    b"\x01\x00\x00\x00\x00"]
INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x04, 0x0A, 0x30, 0x31, 0x7F, 0x80, 0x81, 0x84, 0x85,
                     0xA0, 0xA3, 0xFF]


def tree_mutation(rng, data):
    root = parse(data)
    nodes = all_nodes(root)
    target = rng.choice(nodes[1:]) if len(nodes) > 1 else root
    kind = rng.randrange(11)
    if kind == 0:  # a primitive's value replaced
        target.children = None
        target.value = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 2, 5, 40])))
    elif kind == 1:  # another tag
        target.tag = rng.choice(INTERESTING_BYTES + [rng.randrange(256)])
    elif kind == 2 and target.children:  # a child dropped
        del target.children[rng.randrange(len(target.children))]
    elif kind == 3 and target.children:  # a child repeated
        i = rng.randrange(len(target.children))
        target.children.insert(i, target.children[i])
    elif kind == 4 and target.children and len(target.children) > 1:  # two children swapped
        i, j = rng.sample(range(len(target.children)), 2)
        target.children[i], target.children[j] = target.children[j], target.children[i]
    elif kind == 5 and target.children is not None:  # an element added
        target.children.insert(rng.randrange(len(target.children) + 1),
                               Node(rng.randrange(256), None,
                                    bytes(rng.randrange(256) for _ in range(rng.randrange(6)))))
    elif kind == 6:  # an integer out of range (message ID, version, scope, limits, codes)
        ints = [n for n in nodes if n.children is None and n.tag in (0x02, 0x0A, 0x50)]
        t = rng.choice(ints) if ints else target
        t.value = rng.choice(INTERESTING_INTS)
    elif kind == 7:  # a length that is wrong, the enclosing ones fixed up around it
        size = len(target.encode()) - 2
        target.raw_length = rng.choice([b"\x00", bytes([max(0, min(0x7F, size + 1))]),
                                        bytes([max(0, min(0x7F, size - 1))]), b"\x80", b"\x81\x05",
                                        b"\x84\xff\xff\xff\xff", b"\x85\x00\x00\x00\x00\x01"])
    elif kind == 8:  # wrapped in another SEQUENCE
        target.children, target.value = [Node(target.tag, target.children, target.value)], b""
        target.tag = 0x30
    elif kind == 9:  # a string that is not UTF-8, or very long
        strs = [n for n in nodes if n.children is None and n.tag in (0x04, 0x80, 0x87)]
        t = rng.choice(strs) if strs else target
        t.value = rng.choice([b"\xff\xfe\xc0\x80", b"\x00" * 3, b"A" * 70000, b"(" * 500])
    else:  # controls attached that make no sense
        if root.children is not None:
            root.children.append(Node(0xA0, [Node(0x30, [Node(0x04, None, b"1.2.3"),
                                                         Node(0x01, None, b"\x05\x05")])]))
    return root.encode()


def byte_mutation(rng, data):
    b = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3, 4])):
        if not b:
            b.append(rng.randrange(256))
        kind = rng.randrange(7)
        pos = rng.randrange(len(b))
        if kind == 0:
            b[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:
            b[pos] = rng.choice(INTERESTING_BYTES)
        elif kind == 2 and len(b) > 1:
            del b[max(1, pos):]  # cut short: the rest never comes
        elif kind == 3:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 9)))
        elif kind == 4:
            end = min(len(b), pos + rng.randrange(1, 9))
            del b[pos:end]
        elif kind == 5:
            b.extend(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 17))))
        else:
            end = min(len(b), pos + rng.randrange(1, 17))
            b[pos:pos] = b[pos:end]
    return bytes(b)


def mutant(rng, bases):
    name, data = rng.choice(bases)
    if rng.random() < 0.5:
        return name + "/tree", tree_mutation(rng, data)
    return name + "/bytes", byte_mutation(rng, data)


# ---------------------------------------------------------------------------- the clients

class Conn:
    __slots__ = ("sock", "pdu", "name", "buf", "phase", "since", "outcome", "code")

    def __init__(self, sock, pdu, name):
        self.sock = sock
        self.pdu = pdu
        self.name = name
        self.buf = bytearray()
        self.phase = "connecting"
        self.since = time.monotonic()
        self.outcome = None
        self.code = None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--count", type=int, default=100000)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--budget", type=float, default=300.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--wait", type=float, default=0.05)
    p.add_argument("--close-deadline", type=float, default=5.0)
    a = p.parse_args()
    host, port = w.split_url(a.url)
    rng = random.Random(a.seed)
    bases = templates()

    sel = selectors.DefaultSelector()
    tally = {"notice": {}, "response": {}, "closed": 0, "open": 0, "refused": 0}
    examples = {}
    started = 0
    active = 0
    start = time.monotonic()

    def finish(c, outcome, code=None):
        nonlocal active
        if c.outcome is not None:
            return
        c.outcome = outcome
        if outcome in ("notice", "response"):
            tally[outcome][str(code)] = tally[outcome].get(str(code), 0) + 1
            key = "%s %s" % (outcome, code)
        else:
            tally[outcome] += 1
            key = outcome
        if key not in examples or (outcome == "response" and len(examples) < 40):
            examples.setdefault(key, "%s %s" % (c.name, c.pdu[:48].hex()))
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        try:
            # An abortive close leaves no TIME_WAIT behind: 10^5 connections would otherwise
            # run out of ephemeral ports.
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        c.sock.close()
        active -= 1

    def open_one():
        nonlocal started, active
        name, pdu = mutant(rng, bases)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        c = Conn(s, pdu, name)
        started += 1
        active += 1
        err = s.connect_ex((host, port))
        if err not in (0, 115):  # EINPROGRESS
            finish(c, "refused")
            return
        sel.register(s, selectors.EVENT_WRITE, c)

    def on_data(c):
        try:
            data = c.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            finish(c, "closed")
            return
        c.buf.extend(data)
        try:
            for f in w.frames(c.buf):
                r = w.Response(f)
                if r.notice_of_disconnection:
                    finish(c, "notice", r.result)
                    return
                if r.final:
                    finish(c, "response", r.result)
                    return
        except (w.Malformed, TypeError, IndexError):
            finish(c, "response", "unparsable")

    while True:
        now = time.monotonic()
        out_of_time = now - start >= a.budget
        while not out_of_time and started < a.count and active < a.concurrency:
            open_one()
        if active == 0 and (started >= a.count or out_of_time):
            break
        for key, events in sel.select(timeout=0.01):
            c = key.data
            if c.phase == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    finish(c, "refused")
                    continue
                try:
                    c.sock.send(c.pdu)  # small: fits the socket buffer at once
                except OSError:
                    finish(c, "closed")
                    continue
                c.phase = "waiting"
                c.since = time.monotonic()
                sel.modify(c.sock, selectors.EVENT_READ, c)
            else:
                on_data(c)
        now = time.monotonic()
        for key in list(sel.get_map().values()):
            c = key.data
            if c.phase == "waiting" and now - c.since >= a.wait:
                try:
                    c.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                c.phase = "closing"
                c.since = now
            elif c.phase == "closing" and now - c.since >= a.close_deadline:
                finish(c, "open")
            elif c.phase == "connecting" and now - c.since >= a.close_deadline:
                finish(c, "refused")

    seconds = time.monotonic() - start
    print(json.dumps({"count": started, "seconds": round(seconds, 1),
                      "perSecond": round(started / seconds, 1) if seconds else 0,
                      "seed": a.seed, **tally, "examples": examples}))


if __name__ == "__main__":
    main()
