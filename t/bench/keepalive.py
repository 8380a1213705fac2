#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""Send N GET requests on one keep-alive connection.

    keepalive.py PORT PATH AUTH N

AUTH: "" (none), an Authorization value, or @FILE (one value a line,
from line 2 on: line 1 is the bench's check request).  Prints how many
answers were not 200 and exits 1 if any."""
import http.client
import sys


def main():
    port, path, auth, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    values = None
    if auth.startswith("@"):
        with open(auth[1:]) as f:
            values = f.read().splitlines()[1:]
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    bad = 0
    for i in range(n):
        headers = {}
        if values is not None:
            headers["Authorization"] = values[i]
        elif auth:
            headers["Authorization"] = auth
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        bad += resp.status != 200
    print(f"{n} requests, {bad} not 200", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
