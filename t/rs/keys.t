# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Keys fetched from a real authorization server (t/rs/setup.sh;
# docs/bearer.md, "Keys from an authorization server"): a burst of
# tokens with made-up kids costs one fetch per min-interval, counted by
# the server, across every httpd process; the server failing or hung
# while keys are cached → 200, the requests not held up; a hung server
# and an unknown kid → 401 within the fetch timeout; httpd started while
# the server is down → 500 (never 401), logged once per process, and
# 200 once it is back; the start-up refusals (RFC 9068 audience, bad
# URLs, a missing secret file) in httpd and in httpd -t.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use List::Util ();
use Time::HiRes ();
use ACTest qw(:all);
use ACOidc qw(:all);
use ACRs qw(:all);

plan skip_all => rs_missing() if rs_missing();
plan tests => 44;

my $as = rs_as();
my $hp = hostport();
my $mark = error_log_mark();
my $API = 'https://rs.example/api';
my $valid = token($as, resource => $API, scope => 'read');
my %h;                          # throw-away httpd servers, stopped at END

END { stop_httpd($_) for values %h; oidc_resume($as) if $as; }

sub timed {
    my ($path, $tok, $where) = @_;
    my $t0 = Time::HiRes::time();
    my $r = bget($where // $hp, $path, $tok);
    return ($r, Time::HiRes::time() - $t0);
}

# ------------------------------------------------ a burst of unknown kids
# /rs/burst/: at most one fetch per 8 s.
is(bget($hp, '/rs/burst/ok.txt', $valid)->{status}, 200,
   'burst area: keys fetched');
my @bogus = map { minted($as, aud => $API, scope => 'read',
                         header => { kid => "made-up-$_" }) } 1 .. 80;
sleep 8;
{
    my $before = jwks_fetches($as);
    my @st = parallel(40, sub {
        my ($r, $t) = timed('/rs/burst/ok.txt', $bogus[$_[0] - 1]);
        return sprintf "%s %.3f %s", $r->{status}, $t,
            (headers_named($r, 'WWW-Authenticate'))[0] // '';
    });
    my ($took) = sort { $b <=> $a } map { (split / /)[1] } @st;
    is(scalar(grep { /^401 \S+ .*error_description="unknown key id"/ } @st), 40,
       '40 tokens with unknown kids at once: 40 × 401 unknown key id')
        or diag(join "\n", @st);
    is(jwks_fetches($as) - $before, 1,
       '... and one fetch of the key set, for every process');
    # the fetch timeout of the area is 3 s; the rest is a loaded machine
    cmp_ok($took, '<', 4.5, "... each answered within the fetch timeout "
           . "(the slowest in $took s)");
    @st = parallel(40, sub {
        bget($hp, '/rs/burst/ok.txt', $bogus[39 + $_[0]])->{status};
    });
    is(scalar(grep { $_ eq '401' } @st), 40, 'another 40 at once: 401');
    is(jwks_fetches($as) - $before, 1, '... and no fetch (min-interval)');
    is(bget($hp, '/rs/burst/ok.txt', $valid)->{status}, 200,
       'a valid token meanwhile: 200');
    # 8 s after that fetch (the server's clock, in ms)
    my $last = oidc_stats($as)->{jwks_fetch_times}[-1] / 1000;
    Time::HiRes::sleep(List::Util::max(0, $last + 8.3
                                          - Time::HiRes::time()));
    is(bget($hp, '/rs/burst/ok.txt', $bogus[0])->{status}, 401,
       'min-interval later, an unknown kid');
    is(jwks_fetches($as) - $before, 2, '... fetches the set again');
}

# ------------------------------------------------ down with keys cached
# /rs/refresh/: keys fetched again every 2 s, fetch timeout 1 s.
{
    is(bget($hp, '/rs/refresh/ok.txt', $valid)->{status}, 200,
       'refresh area: keys fetched');
    my $m = error_log_mark();
    oidc_fault($as, { jwks => { status => 503 } });
    sleep 3;
    my ($r, $took) = timed('/rs/refresh/ok.txt', $valid);
    is($r->{status}, 200, 'key set answered 503, keys cached: 200');
    cmp_ok($took, '<', 0.8, "... not held up by the fetch ($took s)");
    like(wait_log($m, qr/AC01071/),
         qr/\[authchallenge:warn\].*AC01071: keys from \S+ not fetched: .*503.*the keys fetched before stay in use/,
         '... the failed fetch logged at warning');
    oidc_fault($as);
    oidc_pause($as);
    sleep 3;
    ($r, $took) = timed('/rs/refresh/ok.txt', $valid);
    is($r->{status}, 200, 'server hung, keys cached: 200');
    # a request held by the fetch would take its timeout, 1 s
    cmp_ok($took, '<', 0.8, "... not held up by the hung fetch ($took s)");
    ($r, $took) = timed('/rs/refresh/ok.txt', $bogus[0]);
    is($r->{status}, 401, 'server hung, an unknown kid: 401');
    cmp_ok($took, '<', 1.8, "... within the fetch timeout of 1 s ($took s)");
    oidc_resume($as);
    sleep 3;
    is(bget($hp, '/rs/refresh/ok.txt', $valid)->{status}, 200,
       'server back: 200');
    # each process that logged the failure says so when it next has the
    # keys (it looks for a newer set once a second)
    for (1 .. 12) {
        last if error_log_since($m) =~ /\[authchallenge:notice\].*AC01072/;
        bget($hp, '/rs/refresh/ok.txt', $valid);
        select undef, undef, undef, 0.3;
    }
    like(wait_log($m, qr/\[authchallenge:notice\].*AC01072/, 5),
         qr/\[authchallenge:notice\].*AC01072: keys from \S+ fetched/,
         '... a notice that keys are fetched again')
        or diag(error_log_since($m));
}

# ------------------------------------------------ started while it is down
{
    my $iss = $as->{issuer};
    my $dead = 'http://127.0.0.1:' . ACTest::_free_port();
    my $conf = <<"EOC";
<Location />
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerMetadataURL $iss/.well-known/oauth-authorization-server
    AuthChallengeBearerAudience $API
    AuthChallengeBearerFetchTimeout 1
    Require valid-user
</Location>
<Location /dead/>
    AuthChallengeBearerMetadataURL $dead/.well-known/oauth-authorization-server
</Location>
EOC
    oidc_pause($as);
    $h{down} = start_httpd(name => 'rs-down', conf => $conf);
    ok($h{down}{ok}, 'httpd starts while the server is down')
        or diag($h{down}{output});
    my $where = $h{down}{hostport};
    my ($r, $took) = timed('/ok.txt', $valid, $where);
    is($r->{status}, 500, 'no keys ever fetched, server hung: 500');
    cmp_ok($took, '<', 1.8, "... within the fetch timeout ($took s)");
    is(header_count($r, 'WWW-Authenticate'), 0, '... no challenge');
    (my $forged = $valid) =~ s/\.[^.]+\z/.AAAA/;
    my @st = map { bget($where, '/ok.txt', $_)->{status} }
             $valid, $bogus[1], $forged, $valid;
    is("@st", '500 500 500 500', '... never 401, whatever the JWT');
    is(bget($where, '/dead/ok.txt', $valid)->{status}, 500,
       'nothing listens at the metadata URL: 500');
    my $log = ACTest::_slurp($h{down}{error_log});
    my %errors;
    $errors{$_}++ for $log =~ /\[authchallenge:error\] \[pid (\d+)[^\n]*AC01004: [^\n]*no keys from \Q$iss\E/g;
    ok(keys %errors >= 1 && !grep({ $_ != 1 } values %errors),
       'the outage logged at error once per process')
        or diag($log);
    like($log, qr/AC01004: [^\n]*no keys from \Q$iss\E[^\n]*(?i:time)/,
         '... saying why');
    oidc_resume($as);
    sleep 2;                    # the retry interval without keys: 1 s
    is(bget($where, '/ok.txt', $valid)->{status}, 200, 'server back: 200');
    # the notice comes with the next request in a process that saw the
    # outage: the one above may have gone to another process
    my $back = qr/\[authchallenge:notice\][^\n]*AC01073: \Q$iss\E\S* answers again/;
    for (1 .. 30) {
        $log = ACTest::_slurp($h{down}{error_log});
        last if $log =~ $back;
        bget($where, '/ok.txt', $valid);
        select undef, undef, undef, 0.1;
    }
    like($log, $back, '... and a notice that it answers again');
    stop_httpd(delete $h{down});
}

# ------------------------------------------------ start-up refusals
sub refused {
    my ($name, $conf, $re, $what) = @_;
    my $s = start_httpd(name => "rs-$name", conf => $conf);
    ok(!$s->{ok}, "$what: httpd does not start");
    like($s->{output}, $re, "$what: says why") or diag($s->{output});
    stop_httpd($s);
    return $s;
}
my $iss = $as->{issuer};
my $meta = "$iss/.well-known/oauth-authorization-server";
my $jwks = t_dir() . '/var/bearer/jwks.json';
my $noaud = qr/AC00030: section \/api\/: keys come from an authorization server, so AuthChallengeBearerAudience is required \(RFC 9068/;
refused('noaud', <<"EOC", $noaud, 'MetadataURL without an audience');
<Location /api/>
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerMetadataURL $meta
    Require valid-user
</Location>
EOC
refused('noaud2', <<"EOC", $noaud, 'a JWKS file without an audience');
<Location /api/>
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerJWKS "$jwks"
    Require valid-user
</Location>
EOC
refused('noaud3', <<"EOC", $noaud, 'a JWKS URI, the audience elsewhere');
<Location /other/>
    AuthChallengeBearerAudience $API
</Location>
<Location /api/>
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerJWKSURI $iss/jwks
    Require valid-user
</Location>
EOC
refused('badurl', <<"EOC", qr/AuthChallengeBearerMetadataURL: 'ftp:\/\/x\/' is not an http or https URL/, 'an ftp URL');
AuthChallengeBearerMetadataURL ftp://x/
EOC
refused('nosecret', <<"EOC", qr/AuthChallengeBearerIntrospect: cannot read the secret file \S*no-such-file/, 'a missing secret file');
AuthChallengeBearerIntrospect $iss/token/introspection rs no-such-file
EOC
for my $ok (['star', "    AuthChallengeBearerAudience *\n", 'Audience *'],
            ['outer', '', 'the audience in an enclosing section']) {
    my $conf = <<"EOC";
AuthChallengeBearerAudience $API
<Location /api/>
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerMetadataURL $meta
$ok->[1]    Require valid-user
</Location>
EOC
    $conf =~ s/^AuthChallengeBearerAudience \S+\n// if $ok->[0] eq 'star';
    my $s = start_httpd(name => "rs-$ok->[0]", conf => $conf);
    ok($s->{ok}, "$ok->[2]: httpd starts") or diag($s->{output});
    stop_httpd($s);
}
{
    # apachectl configtest runs no post_config: the check runs there too
    my $s = start_httpd(name => 'rs-t', conf => <<"EOC");
<Location /api/>
    AuthType Bearer
    AuthName "RS"
    AuthChallengeBearerMetadataURL $meta
    Require valid-user
</Location>
EOC
    stop_httpd($s);
    my $out = `$s->{httpd} -t -f $s->{dir}/httpd.conf 2>&1`;
    isnt($? >> 8, 0, 'httpd -t: fails without an audience');
    like($out, $noaud, 'httpd -t: says why') or diag($out);
}

no_secrets_logged($mark);
