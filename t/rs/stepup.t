# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# RFC 9470 step-up with tokens of a real authorization server
# (t/rs/setup.sh; docs/bearer.md, "Step-up"): Require bearer-acr and
# AuthChallengeBearerMaxAge answer 401 with
# error="insufficient_user_authentication", acr_values and/or max_age,
# exactly; a verdict cached while the authentication was recent enough
# does not outlive AuthChallengeBearerMaxAge; introspected tokens step
# up the same way.  Origin mode (t/proxy/rs.t: 407).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 36;

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $RM = rm_param($hp);
my $API = 'https://rs.example/api';
my $now = time;
my $ACR = 'Bearer realm="RS", error="insufficient_user_authentication", '
        . 'error_description="A different authentication level is required"';
my $AGE = 'Bearer realm="RS", error="insufficient_user_authentication", '
        . 'error_description="More recent authentication is required"';

sub tok {
    my (%claims) = @_;
    return token($as, resource => $API, scope => 'read', claims => \%claims);
}

# ------------------------------------------------ Require bearer-acr
for my $acr ('gold', 'silver') {
    is(bget($hp, '/rs/acr/ok.txt', tok(acr => $acr))->{status}, 200,
       "Require bearer-acr gold silver, acr $acr: 200");
}
challenge_is(bget($hp, '/rs/acr/ok.txt', tok(acr => 'bronze')), 401,
             "$ACR, acr_values=\"gold silver\"$RM", 'acr bronze');
challenge_is(bget($hp, '/rs/acr/ok.txt', tok()), 401,
             "$ACR, acr_values=\"gold silver\"$RM", 'no acr');
challenge_is(bget($hp, '/rs/acr/ok.txt', tok(acr => 'GOLD')), 401,
             "$ACR, acr_values=\"gold silver\"$RM", 'acr GOLD (case counts)');

# ------------------------------------------------ AuthChallengeBearerMaxAge
is(bget($hp, '/rs/maxage/ok.txt', tok(auth_time => $now - 10))->{status},
   200, 'MaxAge 300, authenticated 10 s ago: 200');
challenge_is(bget($hp, '/rs/maxage/ok.txt', tok(auth_time => $now - 1000)),
             401, "$AGE, max_age=\"300\"$RM", 'authenticated 1000 s ago');
challenge_is(bget($hp, '/rs/maxage/ok.txt', tok()), 401,
             "$AGE, max_age=\"300\"$RM", 'no auth_time');
challenge_is(bget($hp, '/rs/maxage/ok.txt', tok(auth_time => 'yesterday')),
             401, "$AGE, max_age=\"300\"$RM", 'auth_time not a number');

# both: whichever fails, the client learns both needs
challenge_is(bget($hp, '/rs/acrage/ok.txt',
                  tok(acr => 'bronze', auth_time => $now - 10)),
             401, "$ACR, acr_values=\"gold\", max_age=\"300\"$RM",
             'acr and max age: the acr wrong');
challenge_is(bget($hp, '/rs/acrage/ok.txt',
                  tok(acr => 'gold', auth_time => $now - 1000)),
             401, "$AGE, max_age=\"300\"$RM",
             'acr and max age: the authentication old');
is(bget($hp, '/rs/acrage/ok.txt', tok(acr => 'gold', auth_time => $now - 5))
       ->{status}, 200, 'acr and max age: both right: 200');

# ------------------------------------------------ cached verdicts
{
    # authenticated 296 s ago: valid for 4 s more at /rs/maxage/ (the
    # credential cache keeps verdicts 300 s)
    my $t = tok(auth_time => time - 296);
    is(bget($hp, '/rs/maxage/ok.txt', $t)->{status}, 200,
       'authenticated 296 s ago: 200 (cached now)');
    is(bget($hp, '/rs/maxage/ok.txt', $t)->{status}, 200, '... again');
    sleep 6;
    challenge_is(bget($hp, '/rs/maxage/ok.txt', $t), 401,
                 "$AGE, max_age=\"300\"$RM",
                 '6 s later: the cached verdict does not outlive MaxAge');
}

# ------------------------------------------------ log
{
    my $log = error_log_since($mark);
    like($log, qr/AC01070: user "app": step-up, acr "bronze" is none of: gold silver/,
         'the acr refusal logged (AC01070)');
    like($log, qr/AC01005: [^\n]*step-up: the authentication is older than AuthChallengeBearerMaxAge/,
         'the max age refusal logged');
}
no_secrets_logged($mark);
