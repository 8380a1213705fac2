#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Keys for the Bearer end-to-end tests (t/bearer/*.t, t/proxy/bearer.t,
# t/conf/bearer.conf.in).
# httpd reads AuthChallengeBearerKey / AuthChallengeBearerJWKS files when
# it reads its configuration, so this must run BEFORE Apache-Test
# configures and starts the server: t/run-apache-test.sh runs every
# t/*/setup.sh after making the other fixtures (make_fixtures wipes
# t/var).  Idempotent: existing keys are kept, so a
# running server and the tests agree.  Everything is world-readable
# (test keys only): the httpd children run as an unprivileged user.
#
#   t/bearer/setup.sh [DIR]        default DIR: t/var/bearer
#
# Files: hs256.key hs384.key hs512.key (HMAC secrets, 48/64/96 bytes, no
# newline), rsa.pem rsa2.pem (RSA 2048, private) ec256.pem ec384.pem
# ed25519.pem (private) and *.pub.pem (public), jwks.json (rsa.pem as
# kid "key-a" and rsa2.pem as kid "key-b").
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/t/var/bearer}
umask 022
mkdir -p "$dir"

secret() {      # FILE HEXBYTES
    [ -s "$1" ] || printf '%s' "$(openssl rand -hex "$2")" > "$1"
}

private() {     # FILE genpkey-args...
    f=$1; shift
    if [ ! -s "$f" ]; then
        openssl genpkey "$@" -out "$f" 2>/dev/null
    fi
    pub=${f%.pem}.pub.pem
    [ -s "$pub" ] || openssl pkey -in "$f" -pubout -out "$pub" 2>/dev/null
}

secret "$dir/hs256.key" 24      # 48 bytes (>= 32)
secret "$dir/hs384.key" 32      # 64 bytes (>= 48)
secret "$dir/hs512.key" 48      # 96 bytes (>= 64)
private "$dir/rsa.pem"   -algorithm RSA -pkeyopt rsa_keygen_bits:2048
private "$dir/rsa2.pem"  -algorithm RSA -pkeyopt rsa_keygen_bits:2048
private "$dir/ec256.pem" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
private "$dir/ec384.pem" -algorithm EC -pkeyopt ec_paramgen_curve:P-384
private "$dir/ed25519.pem" -algorithm ED25519

# A JWK Set with both RSA keys, told apart by "kid" only.
jwk() {         # PEM KID
    mod=$(openssl rsa -in "$1" -noout -modulus 2>/dev/null | sed 's/^Modulus=//')
    n=$(printf '%s' "$mod" | xxd -r -p | openssl base64 -A |
        tr '+/' '-_' | tr -d '=')
    printf '{"kty":"RSA","kid":"%s","use":"sig","n":"%s","e":"AQAB"}' \
        "$2" "$n"
}
if [ ! -s "$dir/jwks.json" ]; then
    printf '{"keys":[%s,%s]}\n' "$(jwk "$dir/rsa.pem" key-a)" \
        "$(jwk "$dir/rsa2.pem" key-b)" > "$dir/jwks.json"
fi

chmod -R a+rX "$dir"
