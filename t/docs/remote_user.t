# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# The documented way to tell a back end who the user is
# (docs/proxy.md "Reverse proxy in front of an application",
# docs/bearer.md "Claims in the environment"), end to end: a request
# authenticated by this module goes through ProxyPass to a CGI that
# echoes the request headers it got (t/htdocs/cgi/echo), and the value
# of X-Remote-User there must be exactly the user.
#
# The lines are taken from the Markdown (t/lib/ACSnippets.pm), not
# copied: docs/proxy.md's recipe runs whole (Bearer, the suite's JWKS
# from t/bearer/setup.sh, RS256 tokens from t/lib/ACJWT.pm), and every
# documented "RequestHeader set X-Remote-User" line also runs behind
# Basic over the suite's DBM fixture.  Why the forms differ
# (mod_headers, https://httpd.apache.org/docs/2.4/mod/mod_headers.html):
# "%{NAME}s" is mod_ssl's variable lookup, "%{NAME}e" the environment
# (REMOTE_USER is not in it before the handler), and a missing value is
# the text "(null)"; "expr=%{REMOTE_USER}" is an ap_expr, evaluated
# after authentication.  Shown here: the old form and the %e form give
# "(null)" without mod_ssl (a second server loads mod_ssl: there the
# old form gives the user).  Also what a client can send itself: its
# own X-Remote-User (replaced where the recipe sets it; removed
# everywhere by the documented "unset ... early"), X_Remote_User
# (passed on by mod_proxy; httpd's CGI drops such names), and claim
# values with CR LF.
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(:all);
use ACSnippets qw(:all);

my $t   = t_dir();
my $top = File::Spec->rel2abs("$t/..");
my $mods = '/usr/lib/apache2/modules';

# ------------------------------------------------ what the docs say
my @snips = snippets($top, doc_files($top));
my %lines;              # each documented X-Remote-User line -> where
for my $s (@snips) {
    for (grep { /^\s*RequestHeader\s+set\s+X-Remote-User\s/ } split /\n/, $s->{text}) {
        push @{ $lines{ s/^\s+|\s+$//gr } }, $s->{label};
    }
}
my @doc = sort keys %lines;
plan tests => 30 + 2 * @doc;

my ($recipe) = grep { $_->{file} eq 'docs/proxy.md' && $_->{text} =~ /^\s*ProxyPass\s/m
                      && $_->{text} =~ /X-Remote-User/ } @snips;
ok($recipe, 'docs/proxy.md has the reverse-proxy recipe with X-Remote-User')
    or BAIL_OUT('no recipe to test');
my ($claims) = grep { $_->{file} eq 'docs/bearer.md'
                      && $_->{text} =~ /AUTHCHALLENGE_CLAIM_email/ } @snips;
ok($claims, 'docs/bearer.md shows how to pass claims to a back end')
    or BAIL_OUT('no claims snippet to test');
ok(scalar @doc, 'the docs set X-Remote-User: '
   . join('; ', map { "$_ (@{ $lines{$_} })" } sort keys %lines));

# ------------------------------------------------ the servers
# The back end (the main server, @PORT@): the echo CGI, which also shows
# an X_Remote_User header as X-Underscore-Seen (CGI leaves such names
# out).  Front A: the documented recipe, as written, in a virtual host
# (with its lines outside <Location>), plus /doc-N/ (Basic and a
# documented line each), /claims/ (Bearer and docs/bearer.md's lines)
# and /open/ (the same back end, no authentication).  Front B: /open/
# and /old/ without the recipe's server-level lines.
my ($pa, $pb) = (ACTest::_free_port(), ACTest::_free_port());
my $backend = 'http://127.0.0.1:@PORT@/backend/echo/';
my $jwks = "$t/var/bearer/jwks.json";
my $dbm  = "$t/var/users.db";
my $old  = 'RequestHeader set X-Remote-User "%{REMOTE_USER}s"';
my $env  = 'RequestHeader set X-Remote-User "%{REMOTE_USER}e"';

sub fixture {
    my ($dir, $i, $v) = @_;
    return $backend if $dir eq 'ProxyPass' && $v =~ m{^https?://};
    return $jwks if $dir eq 'AuthChallengeBearerJWKS';
    return undef;
}
my ($app, @unmapped) = rewrite($recipe->{text}, \&fixture);
is("@unmapped", '', "$recipe->{label}: every file it names has a fixture");
my ($claim_lines) = rewrite($claims->{text}, \&fixture);

sub basic_loc {
    my ($path, @extra) = @_;
    return join "\n", "<Location $path>", "    ProxyPass $backend",
        '    AuthType Basic', '    AuthName "AC Docs"',
        '    AuthChallengeProvider dbm',
        "    AuthChallengeDBMUserFile \"$dbm\"", '    Require valid-user',
        (map { "    $_" } @extra), "</Location>\n";
}
my $conf = join "\n",
    (map { "LoadModule ${_}_module $mods/mod_$_.so" }
         qw(headers proxy proxy_http alias cgi)),
    "Listen 127.0.0.1:$pa", "Listen 127.0.0.1:$pb",
    "ScriptAlias /backend/ \"$t/htdocs/cgi/\"",
    "<Directory \"$t/htdocs/cgi\">",
    '    Options +ExecCGI', '    CGIPassAuth On', '    Require all granted',
    '</Directory>',
    '<Location /backend/>',
    '    RequestHeader set X-Underscore-Seen expr=%{req:X_Remote_User}',
    '</Location>',
    "<VirtualHost 127.0.0.1:$pa>", $app,
    (map { basic_loc("/doc-$_/", $doc[$_]) } 0 .. $#doc),
    '<Location /claims/>', "    ProxyPass $backend", '    AuthType Bearer',
    '    AuthName "AC Docs"', "    AuthChallengeBearerJWKS \"$jwks\"",
    '    AuthChallengeBearerAudience *',
    '    Require valid-user', $claim_lines, '</Location>',
    '<Location /open/>', "    ProxyPass $backend", '</Location>',
    '</VirtualHost>',
    "<VirtualHost 127.0.0.1:$pb>",
    basic_loc('/old/', $old),
    basic_loc('/env/', $env),
    '<Location /open/>', "    ProxyPass $backend", '</Location>',
    "</VirtualHost>\n";
my ($h, $ssl);
$h = start_httpd(name => 'remote-user', conf => $conf);
ok($h->{ok}, 'httpd with the documented recipe starts') or diag($h->{output});
$ssl = start_httpd(name => 'remote-user-ssl', conf => join "\n",
    (map { "LoadModule ${_}_module $mods/mod_$_.so" }
         qw(headers proxy proxy_http alias cgi ssl)),
    "ScriptAlias /backend/ \"$t/htdocs/cgi/\"",
    "<Directory \"$t/htdocs/cgi\">",
    '    Options +ExecCGI', '    Require all granted', '</Directory>',
    basic_loc('/old/', $old));
ok($ssl->{ok}, 'a second httpd, with mod_ssl loaded, starts')
    or diag($ssl->{output});
my $A = "127.0.0.1:$pa";
my $B = "127.0.0.1:$pb";

# The values of one variable in the echo's output (one line each).
sub seen {
    my ($r, $var) = @_;
    return [ $r->{body} =~ /^\Q$var\E=(.*)$/mg ];
}

# aud: the audience of the recipe in docs/proxy.md
sub token {
    return jwt(alg => 'RS256', key => key_path('RS256'),
               header => { kid => 'key-a' },
               claims => claims(aud => 'app', @_));
}

my $alice = basic('alice', $USERS{alice});

# ------------------------------------------------ docs/proxy.md's recipe
{
    my $r = req($A, 'GET', '/app/x');
    is($r->{status}, 401, "$recipe->{label}: no token, 401");
    $r = req($A, 'GET', '/app/x?y=1', Authorization => 'Bearer ' . token(),
             'X-Remote-User' => 'mallory');
    is($r->{status}, 200, "$recipe->{label}: a token for alice, 200 from the back end");
    is_deeply(seen($r, 'REQUEST_URI'), ['/backend/echo/x?y=1'],
              "$recipe->{label}: the request went through ProxyPass");
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['alice'],
              "$recipe->{label}: the back end gets X-Remote-User: alice, "
              . "not the client's own");
    is_deeply(seen($r, 'HTTP_AUTHORIZATION'), [],
              "$recipe->{label}: the token does not reach the back end");
}

# An ap_expr value goes into the proxied request as it is: a user claim
# with CR LF would add header lines there (RFC 9110 §5.5), so the module
# refuses such a token.
{
    my $r = req($A, 'GET', '/app/x', Authorization => 'Bearer '
                . token(sub => "alice\r\nX-Injected: 1"));
    is_deeply(seen($r, 'HTTP_X_INJECTED'), [],
              "$recipe->{label}: a user claim with CR LF adds no header line");
    is($r->{status}, 401, "$recipe->{label}: that token is refused, 401");
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Bearer realm="app", error="invalid_token", '
               . 'error_description="control character or invalid UTF-8 in the user name"'],
              "$recipe->{label}: invalid_token, and why");
}

# ------------------------------------------------ each documented line
for my $i (0 .. $#doc) {
    my $r = req($A, 'GET', "/doc-$i/x", Authorization => $alice);
    is($r->{status}, 200, "Basic + '$doc[$i]': 200");
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['alice'],
              "Basic + '$doc[$i]' (@{ $lines{ $doc[$i] } }): X-Remote-User: alice");
}

# ------------------------------------------------ why not "%{REMOTE_USER}s"
{
    my $r = req($B, 'GET', '/env/x', Authorization => $alice);
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['(null)'],
              "'$env': (null) too (not in the environment before the handler)");
    $r = req($B, 'GET', '/old/x', Authorization => $alice);
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['(null)'],
              "'$old' without mod_ssl: the back end gets the text (null)");
    $r = req($ssl->{hostport}, 'GET', '/old/x', Authorization => $alice);
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['alice'],
              "'$old' with mod_ssl loaded: alice (mod_ssl's lookup knows REMOTE_USER)");
}

# ------------------------------------------------ a client's own header
{
    my $r = req($B, 'GET', '/open/x', 'X-Remote-User' => 'mallory');
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['mallory'],
              'without the recipe\'s "unset ... early": a client\'s X-Remote-User '
              . 'reaches the back end through an open path');
    $r = req($A, 'GET', '/open/x', 'X-Remote-User' => 'mallory');
    is($r->{status}, 200, 'with it: the open path answers');
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), [],
              'with it: no X-Remote-User reaches the back end');
    $r = req($A, 'GET', '/app/x', Authorization => 'Bearer ' . token(),
             'X_Remote_User' => 'mallory');
    is_deeply(seen($r, 'HTTP_X_UNDERSCORE_SEEN'), ['mallory'],
              'X_Remote_User (underscore) is passed on by mod_proxy as sent');
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['alice'],
              '... and httpd\'s CGI leaves it out: HTTP_X_REMOTE_USER is alice');
}

# ------------------------------------------------ docs/bearer.md's claims
{
    my $r = req($A, 'GET', '/claims/x', 'X-User-Email' => 'mallory@example.org',
                Authorization => 'Bearer ' . token(email => 'alice@example.org'));
    is($r->{status}, 200, "$claims->{label}: 200");
    is_deeply(seen($r, 'HTTP_X_REMOTE_USER'), ['alice'],
              "$claims->{label}: X-Remote-User: alice");
    is_deeply(seen($r, 'HTTP_X_USER_EMAIL'), ['alice@example.org'],
              "$claims->{label}: X-User-Email is the claim, not the client's");
    $r = req($A, 'GET', '/claims/x', 'X-User-Email' => 'mallory@example.org',
             Authorization => 'Bearer ' . token());
    is($r->{status}, 200, "$claims->{label}: a token without email: 200");
    is_deeply(seen($r, 'HTTP_X_USER_EMAIL'), [],
              "$claims->{label}: a token without email: no X-User-Email "
              . '(neither "(null)" nor the client\'s)');
    $r = req($A, 'GET', '/claims/x', Authorization => 'Bearer '
             . token(email => "alice\@example.org\r\nX-Injected: 1"));
    is_deeply(seen($r, 'HTTP_X_USER_EMAIL'), [],
              "$claims->{label}: a claim with CR LF is not exported, "
              . 'so no X-User-Email');
    is_deeply(seen($r, 'HTTP_X_INJECTED'), [],
              "$claims->{label}: ... and no injected header");
    is_deeply(seen($r, 'HTTP_X_INJECTED'), [],
              "$claims->{label}: a claim cannot add a header");
}

# Also when a test dies half-way: no server is left running.
END {
    stop_httpd($h) if $h;
    stop_httpd($ssl) if $ssl;
}
