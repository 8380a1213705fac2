#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (see LICENSE).
"""Write t/ldap/fixture.ldif: the test directory (users, groups, Digest
HA1 values, userhash values, opaque token records), so that the values
are computed, not typed.  Run it again after changing the users.

Two directories laid out alike, as directories really are (people in
ou=people, groups in ou=groups and elsewhere): dc=example,dc=org, where
slapd's memberof overlay keeps memberOf, and dc=example,dc=com without
it (t/ldap/slapd.conf.in).  The group scenarios of t/ldap/groups.t
(docs/ldap.md, "Groups") are in both:

    division (groupOfNames) --member--> bob
        --member--> department (groupOfNames)
                        --member--> team (groupOfUniqueNames) --> carol
        --member--> project-x,ou=projects (groupOfNames) --> frank
    cycle-a --member--> cycle-b --member--> cycle-a, dave
    crowd --member--> m01 ... m70 (no password), team
    developers (posixGroup): memberUid alice, carol
    erin: in no group; alice: departmentNumber 42, employeeType staff;
    carol: departmentNumber 42, employeeType contractor

and dc=example,dc=org has a group "hidden" whose member values no one
may read (only alice's memberOf names it)."""
import base64
import hashlib
import os

REALM = "LDAP Realm"
ALGS = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
BASE = "dc=example,dc=org"
PLAIN = "dc=example,dc=com"     # the same layout without memberOf
# user name, DN's cn, password (None: no userPassword), digest algs
USERS = [
    ("alice", None, "alice-pw", list(ALGS)),
    ("bob", None, "bob-pw", []),
    ("jörg", "joerg", "jörg-pw", ["MD5", "SHA-256"]),
    ("a*", "astar", "astar-pw", []),
    ("x(y)*", "xyparen", "xy-pw", ["MD5"]),
    ("dup", "dup1", "dup-pw", []),
    ("dup", "dup2", "dup-pw", []),
    ("nopw", "nopw", None, []),
]
# The group scenarios' users (both directories; alice and bob are also
# in USERS above for dc=example,dc=org).
SCENARIO_USERS = [("alice", "alice-pw"), ("bob", "bob-pw"),
                  ("carol", "carol-pw"), ("dave", "dave-pw"),
                  ("erin", "erin-pw"), ("frank", "frank-pw")]
EXTRA = {  # attributes for Require challenge-ldap-filter
    "alice": [("departmentNumber", "42"), ("employeeType", "staff")],
    "carol": [("departmentNumber", "42"), ("employeeType", "contractor")],
    "erin": [("departmentNumber", "7")],
}
# token string -> (user, exp, scopes); only the SHA-256 is stored
TOKENS = {
    "alice-token-1": ("alice", 0, "read write"),
    "alice-token-old": ("alice", 1000000000, "read"),
    "bob-token-1": ("bob", 4102444800, "read"),
}
GROUPS = [  # cn, objectClass, attribute, members (user cn/uid)
    ("staff", "groupOfNames", "member", ["uid=alice", "cn=joerg"]),
    ("ops", "groupOfNames", "member", ["uid=bob"]),
    ("admins", "groupOfUniqueNames", "uniqueMember", ["uid=alice"]),
    ("odd", "groupOfUniqueNames", "uniqueMember", ["cn=xyparen"]),
]
# The scenarios: RDN of the entry, objectClass, attribute, values (RDNs
# under the base, or user names for memberUid).  In this order: a group
# is added after the groups it names (but for the cycle).
SCENARIO_GROUPS = [
    ("cn=staff,ou=groups", "groupOfNames", "member",
     ["uid=alice,ou=people"]),
    ("cn=admins,ou=groups", "groupOfUniqueNames", "uniqueMember",
     ["uid=alice,ou=people"]),
    ("cn=ops,ou=groups", "groupOfNames", "member", ["uid=bob,ou=people"]),
    ("cn=team,ou=groups", "groupOfUniqueNames", "uniqueMember",
     ["uid=carol,ou=people"]),
    ("cn=department,ou=groups", "groupOfNames", "member",
     ["cn=team,ou=groups"]),
    ("cn=project-x,ou=projects", "groupOfNames", "member",
     ["uid=frank,ou=people"]),
    ("cn=division,ou=groups", "groupOfNames", "member",
     ["cn=department,ou=groups", "cn=project-x,ou=projects",
      "uid=bob,ou=people"]),
    ("cn=cycle-a,ou=groups", "groupOfNames", "member",
     ["cn=cycle-b,ou=groups"]),
    ("cn=cycle-b,ou=groups", "groupOfNames", "member",
     ["cn=cycle-a,ou=groups", "uid=dave,ou=people"]),
    ("cn=developers,ou=groups", "posixGroup", "memberUid",
     ["alice", "carol"]),
    # more members under one parent than one search names (CHUNK in
    # src/core/ac_ldap_group.c): the sub-groups are found another way
    ("cn=crowd,ou=groups", "groupOfNames", "member",
     ["uid=m%02d,ou=people" % i for i in range(1, 71)]
     + ["cn=team,ou=groups"]),
]
CROWD = ["m%02d" % i for i in range(1, 71)]   # users without a password


def h(alg, s):
    return hashlib.new(ALGS[alg], s.encode()).hexdigest()


def attr(name, value):
    """An LDIF line; base64 when the value is not plain ASCII."""
    safe = value.isascii() and value == value.strip() and \
        not value.startswith((":", "<")) and value.isprintable()
    if safe:
        return "%s: %s" % (name, value)
    return "%s:: %s" % (name, base64.b64encode(value.encode()).decode())


def user_dn(uid, cn):
    return ("cn=%s" % cn if cn else "uid=%s" % uid) + ",ou=people," + BASE


def user_entry(uid, cn, pw, algs):
    lines = ["dn: " + user_dn(uid, cn),
             "objectClass: inetOrgPerson",
             "objectClass: acAuthChallengeUser",
             attr("uid", uid), attr("cn", cn or uid), attr("sn", uid)]
    if pw is not None:
        lines.append(attr("userPassword", pw))
    lines += [attr(a, v) for a, v in EXTRA.get(uid, [])]
    for alg in algs:
        ha1 = h(alg, "%s:%s:%s" % (uid, REALM, pw))
        lines.append(attr("acDigestHA1", "%s:%s:%s" % (REALM, alg, ha1)))
        uh = h(alg, "%s:%s" % (uid, REALM))
        lines.append(attr("acUserhash", "%s:%s:%s" % (REALM, alg, uh)))
    for tok, (owner, exp, scopes) in TOKENS.items():
        if owner == uid:
            sha = hashlib.sha256(tok.encode()).hexdigest()
            lines.append(attr("acBearerToken",
                              "%s|%d|%s" % (sha, exp, scopes)))
    return lines


def group_entry(rdn, base, oc, at, values):
    cn = rdn.split(",")[0].split("=")[1]
    lines = ["dn: %s,%s" % (rdn, base), "objectClass: " + oc, "cn: " + cn]
    if oc == "posixGroup":
        lines.append("gidNumber: 5000")
    for v in values:
        lines.append("%s: %s" % (at, v if at == "memberUid"
                                 else "%s,%s" % (v, base)))
    return lines + [""]


def scenarios(base, known):
    """The group scenarios under base; users in known exist already."""
    out = []
    if base == PLAIN:
        out += ["dn: " + base, "objectClass: dcObject",
                "objectClass: organization", "o: Example", "dc: example", ""]
        for ou in ("people", "groups"):
            out += ["dn: ou=%s,%s" % (ou, base),
                    "objectClass: organizationalUnit", "ou: " + ou, ""]
    out += ["dn: ou=projects," + base, "objectClass: organizationalUnit",
            "ou: projects", ""]
    for uid, pw in SCENARIO_USERS + [(m, None) for m in CROWD]:
        if uid not in known:
            out += [line.replace(BASE, base)
                    for line in user_entry(uid, None, pw, [])
                    if not line.startswith("acBearerToken")] + [""]
    for g in SCENARIO_GROUPS:
        if base == BASE and g[0].split(",")[0][3:] in [x[0] for x in GROUPS]:
            continue            # staff, admins, ops: as GROUPS says
        out += group_entry(g[0], base, *g[1:])
    return out


def main():
    out = ["# Generated by t/ldap/mkfixture.py; do not edit.", "",
           "dn: " + BASE, "objectClass: dcObject",
           "objectClass: organization", "o: Example", "dc: example", "",
           "dn: cn=reader," + BASE, "objectClass: organizationalRole",
           "objectClass: simpleSecurityObject", "cn: reader",
           "userPassword: reader-pw", ""]
    for ou in ("people", "groups"):
        out += ["dn: ou=%s,%s" % (ou, BASE),
                "objectClass: organizationalUnit", "ou: " + ou, ""]
    for u in USERS:
        out += user_entry(*u) + [""]
    for cn, oc, at, members in GROUPS:
        out += ["dn: cn=%s,ou=groups,%s" % (cn, BASE),
                "objectClass: " + oc, "cn: " + cn]
        out += ["%s: %s,ou=people,%s" % (at, m, BASE) for m in members]
        out.append("")
    known = [u[0] for u in USERS]
    out += scenarios(BASE, known)
    out += group_entry("cn=hidden,ou=groups", BASE, "groupOfNames",
                       "member", ["uid=alice,ou=people"])
    out += scenarios(PLAIN, [])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "fixture.ldif")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
