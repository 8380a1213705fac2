#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make deb-test: the Debian package as an administrator gets it.
#
#   t/deb/run.sh libapache2-mod-authchallenge_<version>_<arch>.deb
#
# (1) its contents, Depends and conffiles (dpkg-deb), the man page
# (groff -ww); (2) apt-get install ./the.deb; (3) a Debian apache2
# instance of its own, /etc/apache2-actestNNN (README.multiple-instances:
# a copy of /etc/apache2 used through APACHE_CONFDIR), with its run,
# lock, log and a2enmod state directories in a temporary directory:
# a2enmod authchallenge, apache2ctl -t, start on a free loopback port,
# Basic over a DBM file made by the installed htchallenge (401 with the
# exact challenge, 200, 401), stop; (4) dpkg -r: the module gone, the
# conffiles kept; (5) dpkg -P: nothing left.  The default instance
# (/etc/apache2, /var/lib/apache2) must be the same at the end as at the
# start: the package never enables the module there, and the Apache-Test
# suite, here or in another checkout, includes its mods-enabled/*.load.
#
# Root only (dpkg, apt-get).  Refuses to run when the package is
# installed already (it would remove it).  The package, the instance
# and the temporary directory are removed on failure too.  One run at a
# time on a machine (flock on /etc/apache2).  Prints TAP and a last line
# "N passed, M failed"; exits 1 on failure.
set -uo pipefail

deb=${1:?usage: $0 FILE.deb}
top=$(cd "$(dirname "$0")/../.." && pwd)
pkg=libapache2-mod-authchallenge
realm="Deb Test"
user=debby
pass='Debby-Pw-3Kq!'
py=$(command -v /usr/bin/python3 || command -v python3)
started=$(date +%s)

n=0; passed=0; failed=0
ok() {              # ok STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then echo "ok $n - $2"; passed=$((passed + 1))
    else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
is() {              # is GOT WANT DESCRIPTION
    [ "$1" = "$2" ]; local r=$?
    ok $r "$3"
    [ $r -eq 0 ] || printf '#   got  %s\n#   want %s\n' "$1" "$2"
}
diag() { echo "# $*"; }
bail() { echo "Bail out! $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP dpkg and apt-get need root"; exit 0
fi
case $deb in /*) ;; *) deb=$PWD/$deb ;; esac
[ -f "$deb" ] || bail "no $deb (make deb)"

# Another checkout's make test may run this at the same time: one at a
# time (a lock on a directory that exists anyway leaves nothing behind).
exec 9</etc/apache2
flock -w 900 9 || bail "another deb-test holds /etc/apache2 for 900 s"

if [ -n "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
           grep -v not-installed)" ]; then
    bail "$pkg is installed already; this test would remove it" \
        "(dpkg -P $pkg first)"
fi

# dpkg waits for no lock: another checkout's make deps may hold it.
dpkg_retry() {
    local i out
    for i in $(seq 120); do
        out=$(dpkg "$@" 2>&1) && { printf '%s\n' "$out"; return 0; }
        case $out in *lock*) sleep 1 ;; *) printf '%s\n' "$out"; return 1 ;;
        esac
    done
    printf '%s\n' "$out"; return 1
}
installed() { dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null; }

# The default instance and a2enmod's state, to compare at the end.
default_state() {
    find /etc/apache2 /var/lib/apache2 \( -type l -printf '%p -> %l\n' \) \
        -o \( -type f -printf '%p ' -exec md5sum {} \; \) 2>/dev/null |
        awk '{ print $1, $2, $3 }' | sort
}

work=$(mktemp -d /tmp/ac-deb.XXXXXX)
chmod 0755 "$work"          # the httpd children (www-data) read in it
inst=/etc/apache2-actest$$
# The instance's commands (a2enmod, apache2ctl) get APACHE_CONFDIR;
# nothing else does, dpkg's maintainer scripts above all.
in_inst() { APACHE_CONFDIR=$inst "$@"; }
cleanup() {
    local pid
    if [ -f "$work/run/apache2.pid" ]; then
        pid=$(cat "$work/run/apache2.pid")
        in_inst apache2ctl -k stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break
            sleep 0.1; done
    fi
    rm -rf "$inst"
    case $(installed) in
        *not-installed*|"") ;;
        *) echo "# cleanup: purging $pkg"; dpkg_retry -P "$pkg" >/dev/null ;;
    esac
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

before=$(default_state)

# ------------------------------------------------------------ the file
diag "$(basename "$deb")"
is "$(dpkg-deb -f "$deb" Package)" "$pkg" "dpkg-deb -f: Package"
ver=$(dpkg-deb -f "$deb" Version); arch=$(dpkg-deb -f "$deb" Architecture)
is "$(basename "$deb")" "${pkg}_${ver}_${arch}.deb" \
    "file name is <package>_<version>_<arch>.deb"
is "$arch" "$(dpkg --print-architecture)" "Architecture: this machine's"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
for f in ./usr/lib/apache2/modules/mod_authchallenge.so \
    ./etc/apache2/mods-available/authchallenge.load \
    ./etc/apache2/mods-available/authchallenge.conf \
    ./usr/bin/htchallenge ./usr/share/man/man1/htchallenge.1.gz \
    ./usr/share/doc/$pkg/copyright ./usr/share/doc/$pkg/README.md \
    ./usr/share/doc/$pkg/docs/directives.md \
    ./usr/share/doc/$pkg/docs/packaging.md; do
    grep -qxF "$f" <<<"$contents"; ok $? "dpkg-deb -c: $f"
done
grep -qE '^\./usr/share/doc/'"$pkg"'/changelog(\.Debian)?\.gz$' \
    <<<"$contents"; ok $? "dpkg-deb -c: a changelog in /usr/share/doc/$pkg"
grep -qvE '^\./(etc/apache2/mods-available|usr/lib/apache2/modules|usr/bin|usr/share/(doc|man))(/|$)|^\./(etc|etc/apache2|usr|usr/lib|usr/lib/apache2|usr/share)?/?$' \
    <<<"$contents"
ok $((! $?)) "dpkg-deb -c: nothing outside those directories"

mkdir -p "$work/deb"
dpkg-deb -x "$deb" "$work/deb/root"
dpkg-deb -e "$deb" "$work/deb/control"
load=$work/deb/root/etc/apache2/mods-available/authchallenge.load
grep -qx 'LoadModule authchallenge_module /usr/lib/apache2/modules/mod_authchallenge.so' \
    "$load"; ok $? ".load names /usr/lib/apache2/modules/mod_authchallenge.so"
grep -qx '# Depends: socache_shmcb' "$load"
ok $? ".load: '# Depends: socache_shmcb' (a2enmod enables it too)"
cmp -s "$load" "$top/conf/authchallenge.load"; ok $? ".load is conf/authchallenge.load"
cmp -s "$work/deb/root/etc/apache2/mods-available/authchallenge.conf" \
    "$top/conf/authchallenge.conf"; ok $? ".conf is conf/authchallenge.conf"
is "$(sort "$work/deb/control/conffiles" | tr '\n' ' ')" \
    "/etc/apache2/mods-available/authchallenge.conf /etc/apache2/mods-available/authchallenge.load " \
    "conffiles: the .load and the .conf"
[ ! -e "$work/deb/control/postinst" ]
ok $? "no postinst: installing enables nothing"

# Depends: apache2's module API, and the package of every library the
# module and htchallenge are linked against (as found on this machine).
depends=$(dpkg-deb -f "$deb" Depends)
diag "Depends: $depends"
dep_names=$(tr ',|' '\n\n' <<<"$depends" | awk '{ print $1 }' | sort -u)
grep -qx apache2-api-20120211 <<<"$dep_names"
ok $? "Depends: apache2-api-20120211"
for bin in usr/lib/apache2/modules/mod_authchallenge.so usr/bin/htchallenge
do
    for so in $(objdump -p "$work/deb/root/$bin" | awk '/NEEDED/ { print $2 }')
    do
        path=$(ldconfig -p | awk -v s="$so" '$1 == s { print $NF; exit }')
        owner=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n1 |
                cut -d: -f1)
        [ -n "$owner" ] || owner=$(dpkg -S "$path" 2>/dev/null | head -n1 |
                                   cut -d: -f1)
        grep -qx "${owner:-?}" <<<"$dep_names"
        ok $? "Depends: ${owner:-(no package for $so)} ($so of $(basename "$bin"))"
    done
done

# The man page: no groff warnings, and every option of htchallenge's
# getopt string described.
warn=$(zcat "$work/deb/root/usr/share/man/man1/htchallenge.1.gz" |
       groff -man -ww -Tutf8 -z 2>&1)
is "$warn" "" "htchallenge(1): groff -man -ww prints no warning"
opts=$(sed -n 's/.*getopt(argc, argv, "+\([^"]*\)").*/\1/p' \
       "$top/src/cli/htchallenge.c" | tr -d ':+')
missing=
for o in $(grep -o . <<<"$opts"); do
    grep -q "^\.\(B\|BI\|OP\|TP\) *\\\\-$o\b" "$top/docs/htchallenge.1" ||
        missing="$missing -$o"
done
ok $([ -n "$opts" ] && [ -z "$missing" ]; echo $?) \
    "htchallenge(1) describes every option of htchallenge ($opts)"
[ -z "$missing" ] || diag "not in docs/htchallenge.1:$missing"

# ------------------------------------------------------------ install
out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o DPkg::Lock::Timeout=300 "$deb" 2>&1)
st=$?
ok $st "apt-get install -y ./$(basename "$deb")"
[ $st -eq 0 ] || { sed 's/^/#   /' <<<"$out"; bail "not installed"; }
is "$(installed)" "install ok installed" "dpkg: install ok installed"
for f in /usr/lib/apache2/modules/mod_authchallenge.so /usr/bin/htchallenge \
    /etc/apache2/mods-available/authchallenge.load \
    /etc/apache2/mods-available/authchallenge.conf; do
    [ -f "$f" ]; ok $? "installed: $f"
done
ls /etc/apache2/mods-enabled/authchallenge.* >/dev/null 2>&1
ok $((! $?)) "not enabled in the default instance (/etc/apache2)"
/usr/bin/htchallenge -h >/dev/null; ok $? "/usr/bin/htchallenge -h runs"

# ------------------------------------------------------------ instance
port=$("$py" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cp -a /etc/apache2 "$inst"
# Its own run, lock and log directories (envvars would name
# /var/run/apache2-actestNNN, ...) and its own a2enmod state: a2enmod
# keeps markers in /var/lib/apache2 for every instance otherwise, and
# the package's postrm reads them for the default instance.
cat >>"$inst/envvars" <<EOF

# deb-test (t/deb/run.sh): everything of this instance in $work
export APACHE_RUN_DIR=$work/run
export APACHE_PID_FILE=$work/run/apache2.pid
export APACHE_LOCK_DIR=$work/lock
export APACHE_LOG_DIR=$work/log
export APACHE_STATE_DIRECTORY=$work/state
EOF
mkdir -p "$work/log" "$work/state" "$work/htdocs/members"
echo "Hello from the packaged module" >"$work/htdocs/members/index.html"
printf 'Listen 127.0.0.1:%s\n' "$port" >"$inst/ports.conf"
rm -f "$inst"/sites-enabled/*
cat >"$inst/sites-available/actest.conf" <<EOF
<VirtualHost 127.0.0.1:$port>
    ServerName 127.0.0.1
    DocumentRoot "$work/htdocs"
    <Directory "$work/htdocs">
        Require all granted
    </Directory>
    <Location /members/>
        AuthType Basic
        AuthName "$realm"
        AuthChallengeProvider dbm
        AuthChallengeDBMUserFile "$work/users.dbm"
        Require valid-user
    </Location>
</VirtualHost>
EOF
diag "instance $inst on 127.0.0.1:$port, its files in $work"
in_inst a2ensite -q actest >/dev/null
ok $? "a2ensite actest (APACHE_CONFDIR=$inst)"
out=$(in_inst a2enmod authchallenge 2>&1); st=$?
ok $st "a2enmod authchallenge (APACHE_CONFDIR=$inst)"
[ $st -eq 0 ] || sed 's/^/#   /' <<<"$out"
for f in authchallenge.load authchallenge.conf socache_shmcb.load; do
    [ -L "$inst/mods-enabled/$f" ] && [ -e "$inst/mods-enabled/$f" ]
    ok $? "enabled in the instance: mods-enabled/$f"
done
[ -f "$work/state/module/enabled_by_admin/authchallenge" ]
ok $? "a2enmod's marker in the instance's state directory"

printf '%s\n' "$pass" | /usr/bin/htchallenge -c -i -C 4 -r "$realm" \
    "$work/users.dbm" "$user" >/dev/null 2>&1
ok $? "/usr/bin/htchallenge -c -r '$realm' users.dbm $user"
chmod -R a+rX "$work"

out=$(in_inst apache2ctl -t 2>&1); st=$?
ok $st "apache2ctl -t (APACHE_CONFDIR=$inst): $(tail -n1 <<<"$out")"
[ $st -eq 0 ] || sed 's/^/#   /' <<<"$out"
# (captured first: with pipefail, grep -q ending the pipe early would
# fail it)
out=$(in_inst apache2ctl -M 2>/dev/null)
grep -q 'authchallenge_module (shared)' <<<"$out"
ok $? "apache2ctl -M: authchallenge_module (shared)"

# -k start: httpd itself, never systemctl (apache2ctl start would hand a
# systemd machine's start to apache2@actestNNN.service).
in_inst apache2ctl -k start >"$work/start.out" 2>&1; st=$?
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1
done
ok $st "apache2ctl -k start"
[ $st -eq 0 ] || sed 's/^/#   /' "$work/start.out"

url=http://127.0.0.1:$port/members/
hdrs=$(curl -s -o /dev/null -D - "$url" | tr -d '\r')
is "$(head -n1 <<<"$hdrs" | cut -d' ' -f2)" 401 "no credentials: 401"
is "$(grep -i '^WWW-Authenticate:' <<<"$hdrs")" \
    "WWW-Authenticate: Basic realm=\"$realm\", charset=\"UTF-8\"" \
    "the challenge: WWW-Authenticate: Basic realm=\"$realm\", charset=\"UTF-8\""
is "$(curl -s -u "$user:$pass" -w '%{http_code}' "$url" | tr '\n' ' ')" \
    "Hello from the packaged module 200" "$user with the password: 200"
is "$(curl -s -o /dev/null -u "$user:wrong" -w '%{http_code}' "$url")" 401 \
    "$user with a wrong password: 401"

pid=$(cat "$work/run/apache2.pid" 2>/dev/null)
in_inst apache2ctl -k stop >/dev/null 2>&1; st=$?
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if [ $st -eq 0 ] && ! kill -0 "$pid" 2>/dev/null; then st=0; else st=1; fi
ok $st "apache2ctl -k stop: the instance's httpd is gone"
in_inst a2dismod -q authchallenge >/dev/null 2>&1
ok $? "a2dismod authchallenge (APACHE_CONFDIR=$inst)"
rm -rf "$inst"
[ ! -e "$inst" ]; ok $? "instance removed"

# ------------------------------------------------------------ remove
out=$(dpkg_retry -r "$pkg"); st=$?
ok $st "dpkg -r $pkg"
[ $st -eq 0 ] || sed 's/^/#   /' <<<"$out"
is "$(installed)" "deinstall ok config-files" "dpkg: deinstall ok config-files"
for f in /usr/lib/apache2/modules/mod_authchallenge.so /usr/bin/htchallenge \
    /usr/share/man/man1/htchallenge.1.gz; do
    [ ! -e "$f" ]; ok $? "removed: $f"
done
for f in /etc/apache2/mods-available/authchallenge.load \
    /etc/apache2/mods-available/authchallenge.conf; do
    [ -f "$f" ]; ok $? "conffile kept: $f"
done

out=$(dpkg_retry -P "$pkg"); st=$?
ok $st "dpkg -P $pkg"
[ $st -eq 0 ] || sed 's/^/#   /' <<<"$out"
dpkg -L "$pkg" >/dev/null 2>&1; ok $((! $?)) "dpkg -L $pkg: not installed"
left=
while read -r f; do
    f=${f#.}
    [ -n "$f" ] && [ ! -d "$f" ] && [ -e "$f" ] && left="$left $f"
done <<<"$contents"
is "${left:-none}" none "purged: no file of the package is left"
[ ! -e "/usr/share/doc/$pkg" ]; ok $? "purged: /usr/share/doc/$pkg"
left=$(ls -d /etc/apache2*/mods-*/authchallenge* \
       /var/lib/apache2/*/*/authchallenge 2>/dev/null | tr '\n' ' ')
is "${left:-none}" none \
    "purged: no /etc/apache2*/mods-*/authchallenge*, no a2enmod marker"
is "$(default_state | md5sum)" "$(md5sum <<<"$before")" \
    "/etc/apache2 and /var/lib/apache2 as they were before the test"

echo "1..$n"
diag "$(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
