#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make demo / make demo-stop: a local httpd with the example configuration
# and two demo users, then the curl commands to try.  Everything the
# server reads and writes is in demo/ (config, users, htdocs, logs).
# The httpd children run as www-data: when it cannot reach the checkout
# (a clone in /root, mode 0700), demo/ is a symbolic link to a
# world-searchable directory in $TMPDIR or /tmp (t/lib/www-data.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
demo="$top/demo"
. "$top/t/lib/www-data.sh"
origin=${DEMO_ORIGIN_PORT:-8480}
proxy=${DEMO_PROXY_PORT:-8481}
httpd=/usr/sbin/apache2
htc="$top/${BUILDDIR:-build}/htchallenge"

stop() {
    if [ -f "$demo/httpd.pid" ]; then
        "$httpd" -f "$demo/httpd.conf" -k stop 2>/dev/null || true
        for _ in $(seq 50); do [ -f "$demo/httpd.pid" ] || break; sleep 0.1; done
    fi
}

add_user() {    # user password
    printf '%s\n' "$2" | "$htc" -i -r "Demo Realm" "$demo/users.dbm" "$1"
}

# A fresh demo directory; $demo becomes its real path, which is what
# the configuration names (the children never pass through the link).
new_demo_dir() {
    local link=$demo
    if [ -L "$link" ]; then
        # only what an earlier start staged (ac_stage_dir's names)
        case $(basename "$(readlink "$link")") in
            ac-demo.??????) rm -rf "$(readlink "$link")" ;;
        esac
        rm -f "$link"
    fi
    rm -rf "$link"
    if [ -n "$(ac_unsearchable www-data "$top")" ]; then
        ac_stage_link ac-demo www-data "$link" >/dev/null || exit 2
        demo=$(cd -P "$link" && pwd)
        echo "demo: www-data cannot reach $top: demo/ is $demo"
    else
        mkdir -p "$link"
    fi
}

start() {
    stop
    new_demo_dir
    mkdir -p "$demo/htdocs/basic" "$demo/htdocs/challenge"
    echo "Hello from the demo origin" > "$demo/htdocs/index.html"
    echo "Hello, authenticated user" > "$demo/htdocs/basic/index.html"
    echo "Hello, user of any scheme" > "$demo/htdocs/challenge/index.html"
    printf '%s\n' alice-pw | "$htc" -c -i -r "Demo Realm" "$demo/users.dbm" alice
    add_user bob bob-pw
    token=$("$htc" -T -s "read" -e 86400 "$demo/users.dbm" alice 2>/dev/null)
    sed -e "s|@DEMO@|$demo|g" -e "s|@ORIGIN@|$origin|g" \
        -e "s|@PROXY@|$proxy|g" -e "s|@MODULE@|$top/${BUILDDIR:-build}/mod_authchallenge.so|g" \
        "$top/conf/examples/demo.conf.in" > "$demo/httpd.conf"
    chmod -R a+rX "$demo"
    "$httpd" -f "$demo/httpd.conf" -k start
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$origin/" && break; sleep 0.1
    done
    cat <<MSG

mod_authchallenge demo is running (config: demo/httpd.conf, log: demo/error_log).
Users: alice / alice-pw, bob / bob-pw.

Origin (401 + WWW-Authenticate):
  curl -i http://127.0.0.1:$origin/basic/
      -> 401, WWW-Authenticate: Basic realm="Demo Realm", charset="UTF-8"
  curl -i -u alice:alice-pw http://127.0.0.1:$origin/basic/
      -> 200, "Hello, authenticated user"
  curl -i -u alice:wrong http://127.0.0.1:$origin/basic/
      -> 401

Every scheme in one place (AuthType Challenge):
  curl -i http://127.0.0.1:$origin/challenge/
      -> 401 with four WWW-Authenticate fields: Digest SHA-256, Digest MD5,
         Bearer, Basic
  curl -i --digest -u alice:alice-pw http://127.0.0.1:$origin/challenge/
      -> 200 and Authentication-Info: qop=auth, rspauth="...", ...
  curl -i --oauth2-bearer $token http://127.0.0.1:$origin/challenge/
      -> 200 (an opaque token issued by: htchallenge -T demo/users.dbm alice)
  curl -i --basic -u bob:bob-pw http://127.0.0.1:$origin/challenge/
      -> 200

Forward proxy (407 + Proxy-Authenticate):
  curl -i -x http://127.0.0.1:$proxy http://127.0.0.1:$origin/
      -> 407, Proxy-Authenticate: Digest ... algorithm=SHA-256 ...,
         Digest ... algorithm=MD5 ..., Basic realm="Demo Realm", charset="UTF-8"
  curl -i -x http://127.0.0.1:$proxy --proxy-digest --proxy-user bob:bob-pw http://127.0.0.1:$origin/
      -> 200, "Hello from the demo origin", Proxy-Authentication-Info: ...
  curl -i -x http://127.0.0.1:$proxy --proxy-user bob:bob-pw http://127.0.0.1:$origin/
      -> 200 (Basic)
  curl -i -p -x http://127.0.0.1:$proxy --proxy-digest --proxy-user bob:bob-pw http://127.0.0.1:$origin/
      -> CONNECT tunnel (Digest uri 127.0.0.1:$origin), then 200

Stop it with: make demo-stop
MSG
}

case "${1:-start}" in
    start) start ;;
    stop) stop; echo "demo stopped" ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
