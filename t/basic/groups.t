# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Require challenge-group over DBM (docs/directives.md): the group field
# of the user record, beside httpd's own Require dbm-group on the same
# file, with the same answers; an LDAP DN is no DBM group.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);

plan tests => 11;

my $hp = hostport();

sub status {
    my ($area, $user) = @_;
    return req($hp, 'GET', "/dbmgroups/$area/ok.txt",
               Authorization => basic($user, $USERS{$user}))->{status};
}

# gina: "staff,admins"; alice and bob: no groups.
for my $area ('ac', 'stock') {
    my $who = $area eq 'ac' ? 'challenge-group' : 'mod_authz_dbm dbm-group';
    is(status($area, 'gina'), 200, "$who ops staff: gina (staff) 200");
    is(status($area, 'alice'), 401, "$who ops staff: alice (none) 401");
    is(status($area, 'bob'), 401, "$who ops staff: bob (none) 401");
    is(req($hp, 'GET', "/dbmgroups/$area/ok.txt",
           Authorization => basic('gina', 'wrong'))->{status}, 401,
       "$who: gina, wrong password 401");
}
is(status('dn', 'gina'), 401, 'an LDAP DN is no DBM group: 401');
{
    my $mark = error_log_mark();
    status('ac', 'alice');
    my $log = wait_log($mark, qr/AC01041.*none/);
    like($log, qr/\[authchallenge:info\].*AC01041: user "alice" is in none of the groups: ops staff/,
         'AC01041: the groups of the line');
    like($log, qr/\[authchallenge:debug\].*AC01041: user "alice" not in staff: not in the group/,
         'AC01041 at debug: why, for each group');
}
