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
ones pass falls below the 64-wide replay window and is refused, as
docs/digest.md's "Replay window" says it must be.)  The values come
from the suite's Python Digest client, t/lib/acdigest.py."""
import http.client
import os
import sys
import urllib.parse

# The suite's Python Digest client, t/lib/acdigest.py, found from here
# whatever the working directory.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import acdigest  # noqa: E402

# The field order of the values this script has always written.
ORDER = ("username", "realm", "nonce", "uri", "algorithm", "qop", "cnonce",
         "nc", "response", "opaque")


def challenge(url):
    """The parameters of the first Digest challenge that URL sends."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", u.path)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 401:
        sys.exit("digest.py: %s answered %d, not 401" % (url, resp.status))
    found = acdigest.challenges([value for name, value in resp.getheaders()
                                 if name.lower() == "www-authenticate"])
    if found:
        return u.path, found[0]
    sys.exit("digest.py: no Digest challenge from %s" % url)


class Client:
    """One client: a nonce from its own 401, and its nc."""

    def __init__(self, url, user, password):
        uri, c = challenge(url)
        try:
            self.answer = acdigest.Answer(c, user, password, uri,
                                          "0a4f113b", order=ORDER)
        except ValueError as e:
            sys.exit("digest.py: %s" % e)
        self.nc = 0

    def next(self):
        self.nc += 1
        return self.answer.value(self.nc) + "\n"


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
