"""LDAPv3 on the wire, as little as the fault-suite clients need (RFC 4511, BER subset).

Encoders for the requests the helpers send, a frame splitter for what comes back, and a reader
of the few response fields they look at (message ID, protocolOp tag, result code, Who Am I?
value). Standard library only: the machine has python3 but no pip packages.
"""

import socket

# protocolOp tags (RFC 4511 §4.2 ff.), as their first octet on the wire
BIND_REQUEST = 0x60
BIND_RESPONSE = 0x61
UNBIND_REQUEST = 0x42
SEARCH_REQUEST = 0x63
SEARCH_RESULT_ENTRY = 0x64
SEARCH_RESULT_DONE = 0x65
SEARCH_RESULT_REFERENCE = 0x73
MODIFY_REQUEST = 0x66
MODIFY_RESPONSE = 0x67
ADD_REQUEST = 0x68
ADD_RESPONSE = 0x69
DEL_REQUEST = 0x4A
DEL_RESPONSE = 0x6B
MODDN_REQUEST = 0x6C
MODDN_RESPONSE = 0x6D
COMPARE_REQUEST = 0x6E
COMPARE_RESPONSE = 0x6F
ABANDON_REQUEST = 0x50
EXTENDED_REQUEST = 0x77
EXTENDED_RESPONSE = 0x78
INTERMEDIATE_RESPONSE = 0x79

FINAL_RESPONSES = {BIND_RESPONSE, SEARCH_RESULT_DONE, MODIFY_RESPONSE, ADD_RESPONSE,
                   DEL_RESPONSE, MODDN_RESPONSE, COMPARE_RESPONSE, EXTENDED_RESPONSE}

WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3"
START_TLS = "1.3.6.1.4.1.1466.20037"
NOTICE_OF_DISCONNECTION = "1.3.6.1.4.1.1466.20036"

SUFFIX = "dc=example,dc=com"
PEOPLE = "ou=people," + SUFFIX
USER_PASSWORD = "password"


def user_dn(i):
    return "uid=user.%d,%s" % (i, PEOPLE)


# ------------------------------------------------------------------------------------ encoding

def length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def integer(n, tag=0x02):
    size = max(1, (n.bit_length() + 8) // 8)  # room for the sign bit
    return tlv(tag, n.to_bytes(size, "big", signed=True))


def enum(n):
    return integer(n, 0x0A)


def octets(s, tag=0x04):
    return tlv(tag, s.encode() if isinstance(s, str) else s)


def boolean(b, tag=0x01):
    return tlv(tag, b"\xff" if b else b"\x00")


def seq(*parts, tag=0x30):
    return tlv(tag, b"".join(parts))


def message(msgid, op, controls=None):
    """An LDAPMessage; controls is a list of (oid, critical, value-or-None)."""
    parts = [integer(msgid), op]
    if controls:
        cs = []
        for oid, critical, value in controls:
            c = [octets(oid)]
            if critical:
                c.append(boolean(True))
            if value is not None:
                c.append(octets(value))
            cs.append(seq(*c))
        parts.append(seq(*cs, tag=0xA0))
    return seq(*parts)


def bind(msgid, dn="", password=""):
    return message(msgid, seq(integer(3), octets(dn), octets(password, 0x80), tag=BIND_REQUEST))


def sasl_bind(msgid, mechanism, credentials=None):
    sasl = [octets(mechanism)] + ([octets(credentials)] if credentials is not None else [])
    return message(msgid, seq(integer(3), octets(""), seq(*sasl, tag=0xA3), tag=BIND_REQUEST))


def unbind(msgid):
    return message(msgid, tlv(UNBIND_REQUEST, b""))


def present(attr):
    return octets(attr, 0x87)


def equality(attr, value):
    return seq(octets(attr), octets(value), tag=0xA3)


def substrings(attr, initial=None, any_=(), final=None):
    subs = []
    if initial is not None:
        subs.append(octets(initial, 0x80))
    subs.extend(octets(a, 0x81) for a in any_)
    if final is not None:
        subs.append(octets(final, 0x82))
    return seq(octets(attr), seq(*subs), tag=0xA4)


def and_(*filters):
    return seq(*filters, tag=0xA0)


def or_(*filters):
    return seq(*filters, tag=0xA1)


def not_(f):
    return seq(f, tag=0xA2)


def search(msgid, base, scope=0, filt=None, attrs=(), size_limit=0, time_limit=0,
           controls=None):
    """scope: 0 base object, 1 one level, 2 subtree."""
    op = seq(octets(base), enum(scope), enum(0), integer(size_limit), integer(time_limit),
             boolean(False), filt if filt is not None else present("objectClass"),
             seq(*[octets(a) for a in attrs]), tag=SEARCH_REQUEST)
    return message(msgid, op, controls)


def modify(msgid, dn, attr, value, operation=2):
    change = seq(enum(operation), seq(octets(attr), seq(octets(value), tag=0x31)))
    return message(msgid, seq(octets(dn), seq(change), tag=MODIFY_REQUEST))


def add(msgid, dn, attributes):
    attrs = [seq(octets(a), seq(*[octets(v) for v in vs], tag=0x31)) for a, vs in attributes]
    return message(msgid, seq(octets(dn), seq(*attrs), tag=ADD_REQUEST))


def delete(msgid, dn):
    return message(msgid, octets(dn, DEL_REQUEST))


def moddn(msgid, dn, newrdn, delete_old=True, new_superior=None):
    parts = [octets(dn), octets(newrdn), boolean(delete_old)]
    if new_superior is not None:
        parts.append(octets(new_superior, 0x80))
    return message(msgid, seq(*parts, tag=MODDN_REQUEST))


def compare(msgid, dn, attr, value):
    return message(msgid, seq(octets(dn), seq(octets(attr), octets(value)),
                              tag=COMPARE_REQUEST))


def abandon(msgid, target):
    return message(msgid, integer(target, ABANDON_REQUEST))


def extended(msgid, oid, value=None):
    parts = [octets(oid, 0x80)] + ([octets(value, 0x81)] if value is not None else [])
    return message(msgid, seq(*parts, tag=EXTENDED_REQUEST))


def whoami(msgid):
    return extended(msgid, WHO_AM_I)


# ------------------------------------------------------------------------------------ decoding

class Malformed(Exception):
    pass


def header(buf, pos):
    """(tag, content start, content length) of the TLV at pos, or None if incomplete."""
    if pos + 2 > len(buf):
        return None
    tag = buf[pos]
    first = buf[pos + 1]
    if first < 0x80:
        return tag, pos + 2, first
    n = first & 0x7F
    if n == 0 or n > 4:
        raise Malformed("length form 0x%02x" % first)
    if pos + 2 + n > len(buf):
        return None
    return tag, pos + 2 + n, int.from_bytes(buf[pos + 2:pos + 2 + n], "big")


def frames(buf):
    """Splits complete LDAPMessages off the front of buf (a bytearray, consumed)."""
    out = []
    while True:
        h = header(buf, 0)
        if h is None:
            return out
        tag, start, size = h
        if tag != 0x30:
            raise Malformed("message tag 0x%02x" % tag)
        if start + size > len(buf):
            return out
        out.append(bytes(buf[:start + size]))
        del buf[:start + size]


def children(data, start, end):
    pos = start
    while pos < end:
        h = header(data, pos)
        if h is None:
            raise Malformed("truncated element")
        tag, cstart, size = h
        yield tag, cstart, size
        pos = cstart + size


class Response:
    """The fields of one LDAPMessage the helpers look at."""

    def __init__(self, frame):
        tag, start, size = header(frame, 0)
        elements = list(children(frame, start, start + size))
        if len(elements) < 2 or elements[0][0] != 0x02:
            raise Malformed("no message ID")
        _, mstart, msize = elements[0]
        self.msgid = int.from_bytes(frame[mstart:mstart + msize], "big", signed=True)
        self.op, ostart, osize = elements[1]
        self.result = None
        self.diagnostic = ""
        self.name = None
        self.value = None
        if self.op in FINAL_RESPONSES:
            parts = list(children(frame, ostart, ostart + osize))
            if parts and parts[0][0] == 0x0A:
                _, rs, rn = parts[0]
                self.result = int.from_bytes(frame[rs:rs + rn], "big")
            if len(parts) >= 3:
                _, ds, dn = parts[2]
                self.diagnostic = frame[ds:ds + dn].decode("utf-8", "replace")
            for ptag, ps, pn in parts[3:]:
                if ptag == 0x8A:
                    self.name = frame[ps:ps + pn].decode("utf-8", "replace")
                elif ptag == 0x8B:
                    self.value = frame[ps:ps + pn]

    @property
    def final(self):
        return self.op in FINAL_RESPONSES

    @property
    def notice_of_disconnection(self):
        return self.msgid == 0 and self.op == EXTENDED_RESPONSE


def split_url(url):
    """ldap://host:port -> (host, port)."""
    rest = url.split("://", 1)[-1].rstrip("/")
    host, _, port = rest.rpartition(":")
    return host or "127.0.0.1", int(port or 389)


def read_response(sock, buf, deadline_s):
    """Blocks (up to deadline_s) for the next LDAPMessage on sock; None on close or time-out."""
    sock.settimeout(deadline_s)
    while True:
        got = frames(buf)
        if got:
            # put the rest back in front, in order
            rest = b"".join(got[1:])
            buf[:0] = rest
            return Response(got[0])
        try:
            data = sock.recv(65536)
        except socket.timeout:
            return None
        if not data:
            return None
        buf.extend(data)
