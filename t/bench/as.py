#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""A fixed authorization server for the bench's resource-server rows:
the same answers every time, so the rows measure the module, not a
server (the tests use node-oidc-provider, t/oidc/).

    as.py PORT JWKSFILE CLIENT SECRETFILE

    GET  /jwks        the key set of JWKSFILE
    POST /introspect  {"active": true, "sub": "alice", ...} for any token,
                      to CLIENT with the secret of SECRETFILE (HTTP Basic,
                      RFC 6749 2.3.1), else 401
Requests are counted on stderr at exit (SIGTERM)."""
import base64
import json
import signal
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, JWKS, CLIENT, SECRET = sys.argv[1:5]
with open(JWKS, "rb") as f:
    KEYS = f.read()
with open(SECRET) as f:
    PASSWORD = f.read().rstrip("\r\n")
AUTH = "Basic " + base64.b64encode(
    (urllib.parse.quote(CLIENT, safe="") + ":" +
     urllib.parse.quote(PASSWORD, safe="")).encode()).decode()
NOW = int(time.time())
ANSWER = json.dumps({"active": True, "sub": "alice", "scope": "read",
                     "iss": "http://127.0.0.1:" + PORT, "aud": "bench",
                     "iat": NOW, "exp": NOW + 7200,
                     "client_id": "bench-client"}).encode()
COUNTS = {"jwks": 0, "introspect": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/jwks":
            COUNTS["jwks"] += 1
            self.answer(200, KEYS)
        else:
            self.answer(404, b"{}")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        if self.path != "/introspect":
            self.answer(404, b"{}")
        elif self.headers.get("Authorization") != AUTH:
            self.answer(401, b'{"error":"invalid_client"}')
        else:
            COUNTS["introspect"] += 1
            self.answer(200, ANSWER if form.get("token") else
                        b'{"active":false}')

    def log_message(self, *args):
        pass


def stop(*_):
    sys.stderr.write("as.py: %s\n" % json.dumps(COUNTS))
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
