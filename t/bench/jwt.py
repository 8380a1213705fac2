#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""Mint a JWT for the bench: sub=alice, valid for an hour.

    jwt.py HS256 SECRETFILE      HMAC-SHA-256 with the file's bytes
    jwt.py RS256 PRIVATE.pem     RSA PKCS#1 v1.5 SHA-256, via openssl
    jwt.py RS256 PRIVATE.pem KID ISS AUD
                                 an authorization server's (RFC 9068):
                                 kid in the header, iss and aud claims"""
import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    alg, key = sys.argv[1:3]
    now = int(time.time())
    header = {"alg": alg, "typ": "JWT"}
    claims = {"sub": "alice", "iat": now, "exp": now + 3600}
    if len(sys.argv) == 6:
        header = {"alg": alg, "typ": "at+jwt", "kid": sys.argv[3]}
        claims.update({"iss": sys.argv[4], "aud": sys.argv[5]})
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    if alg == "HS256":
        with open(key, "rb") as f:
            secret = f.read()
        if secret.endswith(b"\r\n"):
            secret = secret[:-2]
        elif secret.endswith(b"\n"):
            secret = secret[:-1]
        sig = hmac.new(secret, signing_input, hashlib.sha256).digest()
    elif alg == "RS256":
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                             input=signing_input, capture_output=True,
                             check=True).stdout
    else:
        sys.exit("jwt.py: HS256 or RS256")
    print(signing_input.decode() + "." + b64url(sig))


if __name__ == "__main__":
    main()
