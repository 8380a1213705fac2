#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""Precompute Digest Authorization values for the bench.

    digest.py URL USER PASSWORD N CLIENTS OUT

Writes N Authorization values (qop=auth, GET, the URL's path) to OUT,
one a line: every request of a run needs its own, as the replay check
refuses an nc used before.  Line 1 has a nonce of its own (the bench's
check request); the others model CLIENTS clients, each with its own
nonce (from its own 401) counting nc = 1, 2, ... — interleaved, so that
the requests in flight at any time belong to different clients, as
they would with CLIENTS browsers.  (With one nonce shared by all of
wrk's connections, a request held up on a busy machine while 64 later
ones pass falls below the 64-wide replay window and is refused, as the
spec says it must be.)"""
import hashlib
import http.client
import re
import sys
import urllib.parse

HASHES = {"MD5": "md5", "SHA-256": "sha256"}
PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)'
                   r'\s*,?')


def challenge(url):
    """The parameters of the first Digest challenge that URL sends."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", u.path)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 401:
        sys.exit("digest.py: %s answered %d, not 401" % (url, resp.status))
    for name, value in resp.getheaders():
        if name.lower() == "www-authenticate" and \
                value.lower().startswith("digest "):
            params = {}
            for m in PARAM.finditer(value[7:]):
                v = m.group(2)
                if v.startswith('"'):
                    v = re.sub(r'\\(.)', r'\1', v[1:-1])
                params[m.group(1).lower()] = v
            return u.path, params
    sys.exit("digest.py: no Digest challenge from %s" % url)


class Client:
    """One client: a nonce from its own 401, and its nc."""

    def __init__(self, url, user, password):
        self.uri, c = challenge(url)
        alg = c.get("algorithm", "MD5")
        if alg not in HASHES:
            sys.exit("digest.py: algorithm %s not supported here" % alg)
        self.hash = HASHES[alg]
        cnonce = "0a4f113b"
        self.prefix = 'Digest username="%s", realm="%s", nonce="%s", ' \
            'uri="%s", algorithm=%s, qop=auth, cnonce="%s", ' % \
            (user, c["realm"], c["nonce"], self.uri, alg, cnonce)
        self.suffix = ', opaque="%s"' % c["opaque"] if "opaque" in c else ""
        ha1 = self.h("%s:%s:%s" % (user, c["realm"], password))
        self.pre = "%s:%s:" % (ha1, c["nonce"])
        self.post = ":%s:auth:%s" % (cnonce, self.h("GET:" + self.uri))
        self.nc = 0

    def h(self, s):
        return hashlib.new(self.hash, s.encode()).hexdigest()

    def next(self):
        self.nc += 1
        nc = "%08x" % self.nc
        return '%snc=%s, response="%s"%s\n' % \
            (self.prefix, nc, self.h(self.pre + nc + self.post), self.suffix)


def main():
    url, user, password, n, clients, out = sys.argv[1:7]
    check = Client(url, user, password)
    pool = [Client(url, user, password) for _ in range(int(clients))]
    with open(out, "w") as f:
        f.write(check.next())
        for i in range(int(n) - 1):
            f.write(pool[i % len(pool)].next())


if __name__ == "__main__":
    main()
