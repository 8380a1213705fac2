#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Fixtures of the security regression tests (t/security/*.t,
# t/conf/security.conf.in; docs/security.md lists what each test
# guards).  httpd reads the key files with its configuration, so this
# runs before the server starts (t/run-apache-test.sh runs every
# t/*/setup.sh).  Idempotent.
#
#   a.htpasswd / b.htpasswd   alice with a different password in each
#                             (two virtual hosts, one <Location> each)
#   a.key / b.key             two HS256 keys, one per virtual host
#   timing.db                 users with htchallenge's default bcrypt
#                             cost, for the timing test
#   ht-*/.htaccess            .htaccess files that try to read files
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/t/var/security}
ht=${HTCHALLENGE:-$top/build/htchallenge}
umask 022
mkdir -p "$dir"

[ -s "$dir/a.htpasswd" ] ||
    htpasswd -cbB "$dir/a.htpasswd" alice 'Alice-Sec-A1' >/dev/null 2>&1
[ -s "$dir/b.htpasswd" ] ||
    htpasswd -cbB "$dir/b.htpasswd" alice 'Alice-Sec-B2' >/dev/null 2>&1
sh "$top/t/lib/hs256-key.sh" "$dir"
[ -s "$dir/a.key" ] || mv "$dir/hs256.key" "$dir/a.key"
sh "$top/t/lib/hs256-key.sh" "$dir"
[ -s "$dir/b.key" ] || mv "$dir/hs256.key" "$dir/b.key"
rm -f "$dir/hs256.key"

if [ ! -e "$dir/timing.done" ] && [ -x "$ht" ]; then
    rm -f "$dir"/timing.db*
    printf 'Tina-Sec-7Pq\n' | "$ht" -c -i "$dir/timing.db" tina >/dev/null
    touch "$dir/timing.done"
fi

# .htaccess files that name files (docs/security.md, ".htaccess"): each
# must give 500 and a log line naming the directive.
htaccess() {    # NAME LINE...
    d=$dir/ht-$1; shift
    mkdir -p "$d"
    {
        echo 'AuthType Basic'
        echo 'AuthName "Sec htaccess"'
        for l in "$@"; do echo "$l"; done
        echo 'Require valid-user'
    } >"$d/.htaccess"
    echo "ok $d" >"$d/ok.txt"
}
htaccess bindpw 'AuthChallengeProvider ldap' \
    'AuthChallengeLDAPURL "ldap://127.0.0.1:9/dc=example,dc=org?uid"' \
    'AuthChallengeLDAPBindDN "cn=x,dc=example,dc=org"' \
    'AuthChallengeLDAPBindPassword "file:/etc/hostname"'
htaccess key 'AuthType Bearer' \
    'AuthChallengeBearerKey HS256 "/etc/hostname"'
htaccess jwks 'AuthType Bearer' \
    'AuthChallengeBearerJWKS "/etc/hostname"'
htaccess cacert 'AuthChallengeProvider ldap' \
    'AuthChallengeLDAPURL "ldaps://127.0.0.1:9/dc=example,dc=org?uid"' \
    'AuthChallengeLDAPCACert "/etc/ssl/certs/ca-certificates.crt"'
# Bearer with an authorization server: URLs the server would fetch and
# the files it would read (docs/bearer.md).
htaccess metadata 'AuthType Bearer' \
    'AuthChallengeBearerMetadataURL "http://127.0.0.1:9/.well-known/oauth-authorization-server"'
htaccess jwksuri 'AuthType Bearer' \
    'AuthChallengeBearerJWKSURI "http://127.0.0.1:9/jwks"'
htaccess introspect 'AuthType Bearer' \
    'AuthChallengeBearerIntrospect "http://127.0.0.1:9/introspect" rs "/etc/hostname"'
htaccess bcacert 'AuthType Bearer' \
    'AuthChallengeBearerCACert "/etc/ssl/certs/ca-certificates.crt"'
# A plain password and a DBM file stay allowed (as httpd allows
# AuthDBMUserFile in .htaccess).
htaccess dbm 'AuthChallengeProvider dbm' \
    "AuthChallengeDBMUserFile \"$top/t/var/users.db\""
chmod -R a+rX "$dir"
