#!/usr/bin/env bash
# make demo / make demo-stop: a local httpd with the example configuration
# and two demo users, then the curl commands to try.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
demo="$top/demo"
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

start() {
    stop
    rm -rf "$demo"
    mkdir -p "$demo/htdocs/basic"
    echo "Hello from the demo origin" > "$demo/htdocs/index.html"
    echo "Hello, authenticated user" > "$demo/htdocs/basic/index.html"
    printf '%s\n' alice-pw | "$htc" -c -i -r "Demo Realm" "$demo/users.dbm" alice
    add_user bob bob-pw
    sed -e "s|@DEMO@|$demo|g" -e "s|@ORIGIN@|$origin|g" \
        -e "s|@PROXY@|$proxy|g" -e "s|@MODULE@|$top/.libs/mod_authchallenge.so|g" \
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

Forward proxy (407 + Proxy-Authenticate):
  curl -i -x http://127.0.0.1:$proxy http://127.0.0.1:$origin/
      -> 407, Proxy-Authenticate: Basic realm="Demo Proxy", charset="UTF-8"
  curl -i -x http://127.0.0.1:$proxy --proxy-user bob:bob-pw http://127.0.0.1:$origin/
      -> 200, "Hello from the demo origin"
  curl -i -p -x http://127.0.0.1:$proxy --proxy-user bob:bob-pw http://127.0.0.1:$origin/
      -> CONNECT tunnel, then 200

Stop it with: make demo-stop
MSG
}

case "${1:-start}" in
    start) start ;;
    stop) stop; echo "demo stopped" ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
