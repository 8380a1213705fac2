# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Sourced (sh and bash) by the scripts that start httpd as root with
# unprivileged children (t/run-apache-test.sh, t/demo/demo.sh,
# t/bench/run.sh): the children open htdocs, CGI scripts, DBM files and
# keys by path, so every directory from / down to them must be
# searchable by the children's user.  A clone in root's home (/root is
# 0700 on Debian) is not; what the children read is then staged in a
# world-searchable temporary directory instead.

# ac_unsearchable USER DIR: print the topmost directory on the way from
# / to DIR that USER cannot search; nothing when USER reaches DIR (or
# when we are not root, and so the children run as ourselves).
ac_unsearchable() {
    [ "$(id -u)" = 0 ] || return 0
    _ac_d=$2 _ac_bad=
    while [ "$_ac_d" != / ] && [ -n "$_ac_d" ]; do
        runuser -u "$1" -- test -x "$_ac_d" 2>/dev/null || _ac_bad=$_ac_d
        _ac_d=$(dirname "$_ac_d")
    done
    [ -z "$_ac_bad" ] || printf '%s\n' "$_ac_bad"
}

# ac_stage_dir NAME USER: make a new directory ${TMPDIR:-/tmp}/NAME.XXXXXX,
# mode 0755, that USER can reach, and print its path.  Fails with a
# message (and leaves nothing behind) when USER cannot reach it either.
ac_stage_dir() {
    _ac_s=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || return 1
    chmod 0755 "$_ac_s"
    _ac_bad=$(ac_unsearchable "$2" "$_ac_s")
    if [ -n "$_ac_bad" ]; then
        rmdir "$_ac_s"
        echo "cannot stage for $2 in ${TMPDIR:-/tmp}: $_ac_bad is not" \
            "searchable by $2 (chmod o+x it, or set TMPDIR)" >&2
        return 1
    fi
    printf '%s\n' "$_ac_s"
}

# ac_stage_link NAME USER LINK: LINK (a path in the checkout) becomes a
# symbolic link to a staged directory, kept from an earlier run when the
# link still leads to one; a real directory at LINK (from a run made
# when the checkout was reachable) is moved into the new one.  Prints
# the staged directory's real path.
ac_stage_link() {
    if [ -L "$3" ] && [ -d "$3/" ]; then
        (cd -P "$3" && pwd)
        return 0
    fi
    _ac_s=$(ac_stage_dir "$1" "$2") || return 1
    if [ -d "$3" ] && [ ! -L "$3" ]; then
        cp -a "$3/." "$_ac_s/" && rm -rf "$3"
    fi
    rm -f "$3"
    ln -s "$_ac_s" "$3"
    printf '%s\n' "$_ac_s"
}
