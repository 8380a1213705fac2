#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Run the Apache-Test suite (make apache-test).  From the repository
# root, after the module ($BUILDDIR/mod_authchallenge.so) is built:
#
#   t/run-apache-test.sh                  every test
#   t/run-apache-test.sh t/basic/origin.t one file (paths or dirs)
#
# Environment: APXS, HTTPD (default /usr/sbin/apache2), TEST_USER /
# TEST_GROUP (default www-data), BUILDDIR (default build: where
# htchallenge is; exported to the tests as HTCHALLENGE when built),
# APACHE_TEST_PORT (default "select": a free block from 8529 on),
# AC_TEST_VERBOSE=1 for Apache-Test's -verbose.
#
# It (1) creates the fixtures under t/var/ (DBM files in each hash
# format, an htpasswd and an htdigest file, an .htaccess directory),
# world-readable because the httpd children run as TEST_USER, (2)
# configures Apache-Test afresh, (3) runs the tests, and exits with the
# suite's status.  As root (CI) it sets AC_TEST_ALLOW_ROOT=1, which
# t/TEST.PL needs to let Apache-Test start httpd as root; the children
# still switch to TEST_USER.  When TEST_USER cannot reach the checkout
# (a clone in /root, mode 0700), t/, the module and htchallenge are
# copied to a world-searchable directory (mktemp -d, 0755, in $TMPDIR or
# /tmp), the suite runs there, and its t/logs are copied back here.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

APXS=${APXS:-$(command -v apxs || command -v apxs2 || true)}
HTTPD=${HTTPD:-/usr/sbin/apache2}
if [ "$(id -u)" = 0 ]; then
    TEST_USER=${TEST_USER:-www-data}
    TEST_GROUP=${TEST_GROUP:-www-data}
else                        # httpd cannot switch users: run as we are
    TEST_USER=${TEST_USER:-$(id -un)}
    TEST_GROUP=${TEST_GROUP:-$(id -gn)}
fi
BUILDDIR=${BUILDDIR:-build}
case $BUILDDIR in /*) ;; *) BUILDDIR=$top/$BUILDDIR ;; esac
# t/conf/00-load.conf.in loads ${AC_MODULE}: the build under test
AC_MODULE=$BUILDDIR/mod_authchallenge.so
MODULE=$AC_MODULE
export AC_MODULE
if [ -z "${HTCHALLENGE:-}" ] && [ -x "$BUILDDIR/htchallenge" ]; then
    HTCHALLENGE=$BUILDDIR/htchallenge
    export HTCHALLENGE
fi
# Other worktrees may run their suite at the same time: let Apache-Test
# pick a free block of ports (8529, 8549, ...).
export APACHE_TEST_PORT=${APACHE_TEST_PORT:-select}

# Users, passwords and files used by the tests (t/lib/ACTest.pm holds the
# same table; keep them in step).  Passwords are distinctive so that a
# grep of error_log for them means something.
make_fixtures() {
    v=$1
    rm -rf "$v"
    mkdir -p "$v/htaccess"
    # One user per hash format of apr_password_validate.
    db=$v/users.db
    htdbm -cbB  "$db" alice 'Alice-Pw-7Qx!'        >/dev/null 2>&1
    htdbm -bm   "$db" bob   'Bob-Pw-8Rz#'          >/dev/null 2>&1
    htdbm -bs   "$db" carol 'Carol-Pw-9Sy%'        >/dev/null 2>&1
    htdbm -bd   "$db" dave  'Dv4Tw&pq'             >/dev/null 2>&1
    htdbm -bB   "$db" 'jörg' 'Jörg-Pw-5Üv'         >/dev/null 2>&1
    htdbm -bm   "$db" eve   'Eve:Pw:6:'            >/dev/null 2>&1
    # A group list after the hash (mod_authn_dbm's record format).
    htdbm -btm  "$db" gina  'Gina-Pw-4Hj' 'staff,admins' >/dev/null 2>&1
    # SHA-crypt $5$ / $6$ (htdbm cannot make them: -p stores the hash
    # as given; openssl passwd -5/-6 made them).
    htdbm -bp "$db" sam5 \
        '$5$abcdefgh$spln/seTgDMoHSoM4tx4CDwNByOg4MQzy9ULZQS9L17' \
        >/dev/null 2>&1
    htdbm -bp "$db" sam6 \
        '$6$abcdefgh$mV/N1H9OZymbCVZ8EKCkTN3qqBAtvBxObRveEM0RhpSVs4KH3y.tVXvBjFnP5qvYLNVZ/v6.MoMK7yaOy8xL51' \
        >/dev/null 2>&1
    # Edited by t/config/dbmedit.t while the server runs.
    htdbm -cbm  "$v/dynamic.db" zed 'Zed-Pw-1Ab'  >/dev/null 2>&1
    # The same DBM written as sdbm, for the wrong-type test.
    htdbm -cbm -TSDBM "$v/users-sdbm" bob 'Bob-Pw-8Rz#' >/dev/null 2>&1
    # Stock mod_auth_basic / mod_authn_file.
    htpasswd -cbm "$v/users.htpasswd" alice 'Alice-Pw-7Qx!' >/dev/null 2>&1
    htpasswd -bm  "$v/users.htpasswd" henry 'Henry-Pw-2Cd' >/dev/null 2>&1
    # Stock mod_auth_digest: user:realm:MD5(user:realm:password).
    ha1=$(printf '%s' 'alice:AC Stock Digest:Alice-Pw-7Qx!' | md5sum |
          cut -d' ' -f1)
    printf 'alice:AC Stock Digest:%s\n' "$ha1" > "$v/users.htdigest"
    # A directory configured by .htaccess (absolute path: the file is
    # generated, so it can name the fixture where it really is).
    cat > "$v/htaccess/.htaccess" <<EOT
AuthType Basic
AuthName "AC htaccess"
AuthChallengeProvider dbm
AuthChallengeDBMUserFile "$db"
Require valid-user
EOT
    echo "htaccess ok" > "$v/htaccess/ok.txt"
    chmod -R a+rX "$v"
}

die() { echo "run-apache-test: $*" >&2; exit 2; }

# run_staged ARGS: copy t/ (without what a run makes), the module and
# htchallenge to a new world-searchable directory, run this script
# there, copy its t/logs back over ours, remove the copy; exit with the
# suite's status.  Paths under the checkout given as arguments are
# mapped to the copy.
run_staged() {
    stage=$(ac_stage_dir ac-apache-test "$TEST_USER") ||
        die "$bad is not searchable by $TEST_USER (chmod o+x), and" \
            "there is nowhere to stage the suite"
    trap 'rm -rf "$stage"' EXIT
    trap 'exit 130' INT TERM
    echo "run-apache-test: $bad is not searchable by $TEST_USER:" \
        "running the suite from a copy in $stage"
    mkdir -p "$stage/build"
    cp -p "$MODULE" "$stage/build/"
    hc=${HTCHALLENGE:-$BUILDDIR/htchallenge}
    if [ -x "$hc" ]; then
        cp -p "$hc" "$stage/build/htchallenge"
        hc=$stage/build/htchallenge
    else hc=
    fi
    tar -C "$top" --exclude=t/logs --exclude=t/var --exclude=t/bench/var \
        --exclude=t/TEST -cf - t | tar -C "$stage" -xf -
    n=$#
    while [ "$n" -gt 0 ]; do
        a=$1; shift; n=$((n - 1))
        case $a in "$top"/*) a=$stage/${a#"$top"/} ;; esac
        set -- "$@" "$a"
    done
    st=0
    AC_TEST_STAGED_FROM=$top BUILDDIR=$stage/build HTCHALLENGE=$hc \
        sh "$stage/t/run-apache-test.sh" "$@" || st=$?
    if [ -d "$stage/t/logs" ]; then
        rm -rf "$top/t/logs"
        cp -a "$stage/t/logs" "$top/t/logs"
        echo "run-apache-test: logs of the staged run are in $top/t/logs"
    fi
    exit $st
}

[ -f "$MODULE" ] || die "$MODULE not built (make module)"
[ -x "$HTTPD" ] || die "no httpd at $HTTPD"
command -v htdbm >/dev/null || die "htdbm missing (apache2-utils)"
perl -MApache::TestRun -e 1 2>/dev/null ||
    die "Apache-Test missing (libapache2-mod-perl2)"

# The children run as TEST_USER: every directory from / down to t/
# must be searchable by it, or they cannot read htdocs and fixtures.
# A checkout it cannot reach (a clone in /root, mode 0700) runs the
# suite from a copy in a world-searchable temporary directory instead.
. "$top/t/lib/www-data.sh"
if [ "$(id -u)" = 0 ]; then
    export AC_TEST_ALLOW_ROOT=1
    bad=$(ac_unsearchable "$TEST_USER" "$top")
    if [ -n "$bad" ] && [ -n "${AC_TEST_STAGED_FROM:-}" ]; then
        die "$bad is not searchable by $TEST_USER: chmod o+x"
    elif [ -n "$bad" ]; then
        run_staged "$@"
    fi
fi

umask 022
make_fixtures "$top/t/var"
# What a feature needs before httpd starts (key files it reads with the
# configuration, a directory server it connects to): t/<feature>/setup.sh,
# idempotent; t/<feature>/teardown.sh undoes it when the suite ends, also
# on failure.
trap 'for s in t/*/teardown.sh; do [ -f "$s" ] && sh "$s"; done' EXIT
for s in t/*/setup.sh; do
    [ -f "$s" ] || continue
    sh "$s" || die "$s failed"
done
# A checkout made under a strict umask leaves htdocs unreadable to the
# children; X keeps the CGI executable.
chmod -R a+rX t/htdocs t/lib

perl t/TEST.PL -clean >/dev/null 2>&1 || true
rm -f t/TEST
cp t/TEST.PL t/TEST && chmod 0755 t/TEST

set -- ${AC_TEST_VERBOSE:+-verbose} "$@"
start=$(date +%s)
status=0
perl t/TEST ${APXS:+-apxs "$APXS"} -httpd "$HTTPD" \
    -httpd_conf "$top/t/conf/debian-inherit.conf" \
    -user "$TEST_USER" -group "$TEST_GROUP" "$@" || status=$?
echo "run-apache-test: $(( $(date +%s) - start )) s, exit $status"
exit $status
