# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# One name per LDAP user (docs/security.md, "Audit findings" 4):
# REMOTE_USER is the entry's own value of the URL's attribute, so "BOB",
# " bob" and "bob " (which LDAP matches to uid=bob) all become "bob"
# and "Require not user bob" refuses every spelling; for Digest too
# (a username "ALICE" answered with alice's HA1 becomes "alice").
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACDigest qw(digest_challenges pick authorize);
use ACLdap qw(:all);

plan tests => 10;

SKIP: {
    skip 'no slapd', 10 unless have_ldap();
    my $hp = hostport();
    my $bob = $LDAP_USERS{bob};
    is(req($hp, 'GET', '/security/ldap/ok.txt',
           Authorization => basic('alice', $LDAP_USERS{alice}))->{status},
       200, 'alice: 200');
    for my $name ('bob', 'BOB', ' bob', 'bob ', 'Bob') {
        is(req($hp, 'GET', '/security/ldap/ok.txt',
               Authorization => basic($name, $bob))->{status}, 401,
           "Require not user bob: \"$name\" refused (401)");
    }
    my $r = req($hp, 'GET', '/security/ldapwho/who',
                Authorization => basic('BOB', $bob));
    is($r->{status}, 200, '"BOB" where any user may: 200');
    like($r->{body}, qr/^REMOTE_USER=bob$/m, '... REMOTE_USER=bob');

    # Digest: username "ALICE", response computed with alice's HA1.
    my $c = pick(digest_challenges(req($hp, 'GET', '/security/ldapwho/who'),
                                   'WWW-Authenticate'), 'MD5');
    my $st;
    my $ha1 = ACDigest::H('MD5', "alice:LDAP Realm:$LDAP_USERS{alice}");
    my ($v) = authorize(chal => $c, user => 'alice',
                        pass => $LDAP_USERS{alice}, uri => '/security/ldapwho/who',
                        set => { username => '"ALICE"' });
    $r = req($hp, 'GET', '/security/ldapwho/who', Authorization => $v);
    is($r->{status}, 200, 'Digest username "ALICE" with alice\'s HA1: 200');
    like($r->{body}, qr/^REMOTE_USER=alice$/m, '... REMOTE_USER=alice');
}
