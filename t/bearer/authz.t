# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# Bearer authorization and what the handler sees (docs/bearer.md,
# docs/directives.md "Require providers"): Require bearer-scope (403
# insufficient_scope), bearer-claim, Require expr on exported claims,
# AuthChallengeBearerUserClaim, claims in the CGI environment and in
# mod_headers; transports (query with Cache-Control: private, form body
# kept whole for the handler, a token in a transport that is not enabled,
# a token in two transports).
use strict;
use warnings FATAL => 'all';

use FindBin;
use lib "$FindBin::Bin/../lib";
use Apache::Test qw(-withtestmore);
use ACTest qw(:all);
use ACJWT qw(:all);
use ACBearer qw(:all);
use ACAuthParam qw(challenge_params);

plan tests => 100;

my $hp = hostport();
my $mark = error_log_mark();
my @used;
my %in_query;                   # tokens sent in a request line
my $access_log = t_dir() . '/logs/access_log';
my $access_mark = -s $access_log || 0;

sub tok {
    my $t = jwt(claims => claims(@_));
    push @used, $t;
    return $t;
}

sub get {
    my ($path, $tok, @h) = @_;
    $in_query{$1} = 1 while $path =~ /access_token=([^&]+)/g;
    push @h, Authorization => "Bearer $tok" if defined $tok;
    return req($hp, 'GET', $path, @h);
}

sub post_form {
    my ($path, $body, @h) = @_;
    my $msg = "POST $path HTTP/1.1\r\nHost: $hp\r\n"
            . "Content-Type: application/x-www-form-urlencoded\r\n"
            . "Content-Length: " . length($body) . "\r\n";
    while (my ($n, $v) = splice @h, 0, 2) {
        $msg .= "$n: $v\r\n";
    }
    return raw_request($hp, "$msg" . "Connection: close\r\n\r\n$body");
}

# ------------------------------------------------ Require bearer-scope
{
    my $p = '/bearer/scope/ok.txt';
    is_plain_401(get($p), 'scope area, no token');
    my $r = get($p, tok());
    is($r->{status}, 403, 'no scope claim: 403');
    is_deeply([headers_named($r, 'WWW-Authenticate')],
              ['Bearer realm="API", error="insufficient_scope", '
               . 'scope="admin"'],
              'no scope claim: exact insufficient_scope challenge');
    $r = get($p, tok(scope => 'read write'));
    is($r->{status}, 403, 'scope "read write": 403');
    is(challenge_params((headers_named($r, 'WWW-Authenticate'))[0])
       ->{error}, 'insufficient_scope', 'scope "read write": the error');
    is(get($p, tok(scope => 'administrator'))->{status}, 403,
       'scope "administrator" is not "admin": 403');
    is(get($p, tok(scope => 'read admin'))->{status}, 200,
       'scope "read admin": 200');
    is(get($p, tok(scope => 'admin'))->{status}, 200, 'scope "admin": 200');
    is(get($p, tok(scp => ['read', 'admin']))->{status}, 200,
       'scp ["read","admin"]: 200');
    is(get($p, tok(scp => ['read']))->{status}, 403, 'scp ["read"]: 403');
    is_bearer_error(get($p, tok(exp => time - 3600)), 401, 'invalid_token',
                    'scope area, expired token');
}

# ------------------------------------------------ Require bearer-claim
{
    my $p = '/bearer/claim/ok.txt';
    is(get($p, tok(role => 'editor'))->{status}, 200,
       'bearer-claim role editor (string): 200');
    is(get($p, tok(role => ['viewer', 'editor']))->{status}, 200,
       'bearer-claim role editor (array): 200');
    my $r = get($p, tok(role => 'viewer'));
    isnt($r->{status}, 200, 'role viewer: refused');
    is($r->{status}, 401, 'role viewer: 401 (httpd rule for a denied user)');
    isnt(get($p, tok(role => ['viewer', 'admin']))->{status}, 200,
         'role array without editor: refused');
    isnt(get($p, tok())->{status}, 200, 'no role claim: refused');
    isnt(get($p, tok(role => 'Editor'))->{status}, 200,
         'role "Editor": refused (exact match)');
    is_plain_401(get($p), 'claim area, no token');
}

# ------------------------------------------------ claims for the handler
{
    my $r = get('/bearer/hs256/env',
                tok(dept => 'ops', 'x-team' => 'blue', n => 42));
    is($r->{status}, 200, 'CGI: 200');
    like($r->{body}, qr/^REMOTE_USER=alice$/m, 'CGI: REMOTE_USER=alice');
    like($r->{body}, qr/^AUTH_TYPE=Bearer$/m, 'CGI: AUTH_TYPE=Bearer');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_sub=alice$/m,
         'CGI: AUTHCHALLENGE_CLAIM_sub');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_dept=ops$/m,
         'CGI: AUTHCHALLENGE_CLAIM_dept');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_iss=https:\/\/issuer\.example$/m,
         'CGI: AUTHCHALLENGE_CLAIM_iss');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_x_team=blue$/m,
         'CGI: claim name made safe (x-team -> x_team)');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_n=42$/m,
         'CGI: numeric claim as text');
    $r = get('/bearer/header/ok.txt', tok());
    is($r->{status}, 200, 'mod_headers area: 200');
    is_deeply([headers_named($r, 'X-Claim-Sub')], ['alice'],
              'mod_headers: X-Claim-Sub from AUTHCHALLENGE_CLAIM_sub');
}

# ------------------------------------------------ Require expr on a claim
{
    my $p = '/bearer/expr/ok.txt';
    is(get($p, tok(dept => 'ops'))->{status}, 200, 'expr: dept ops: 200');
    isnt(get($p, tok(dept => 'dev'))->{status}, 200,
         'expr: dept dev: refused');
    isnt(get($p, tok())->{status}, 200, 'expr: no dept: refused');
    is_plain_401(get($p), 'expr area, no token');
    is_bearer_error(get($p, tok(dept => 'ops', exp => time - 3600)), 401,
                    'invalid_token', 'expr area, expired token');
}

# ------------------------------------------------ user claim
{
    my $r = get('/bearer/email/env',
                tok(sub => 'u-123', email => 'alice@example.com'));
    is($r->{status}, 200, 'UserClaim email: 200');
    like($r->{body}, qr/^REMOTE_USER=alice\@example\.com$/m,
         'UserClaim email: REMOTE_USER is the email');
    like($r->{body}, qr/^AUTHCHALLENGE_CLAIM_sub=u-123$/m,
         'UserClaim email: sub still exported');
    $r = get('/bearer/email/ok.txt', tok());
    isnt($r->{status}, 200, 'UserClaim email, token without email: refused');
    is($r->{status}, 401, 'UserClaim email, token without email: 401');
}

# ------------------------------------------------ transports
{
    my $t = tok();
    my $r = get("/bearer/query/env?access_token=$t&x=1");
    is($r->{status}, 200, 'query transport: 200');
    is_deeply([headers_named($r, 'Cache-Control')], ['private'],
              'query transport: Cache-Control: private');
    like($r->{body}, qr/^REMOTE_USER=alice$/m, 'query transport: the user');
    $r = get("/bearer/query/ok.txt?access_token=" . tok(exp => time - 3600));
    is_bearer_error($r, 401, 'invalid_token', 'query transport, expired');
    is_deeply([headers_named($r, 'Cache-Control')], ['private'],
              'query transport refused: still Cache-Control: private');
    $r = get('/bearer/query/ok.txt', $t);
    is($r->{status}, 200, 'query area, header token: 200');
    is(header_count($r, 'Cache-Control'), 0,
       'header token: no Cache-Control: private');
    is_bearer_error(get("/bearer/query/ok.txt?access_token=$t", $t), 400,
                    'invalid_request', 'token in header and in query');
    is_bearer_error(
        get("/bearer/query/ok.txt?access_token=$t&access_token=$t"), 400,
        'invalid_request', 'two access_token in the query');
    is_bearer_error(get('/bearer/query/ok.txt?access_token='), 400,
                    'invalid_request', 'empty access_token in the query');
    is_plain_401(get("/bearer/hs256/ok.txt?access_token=$t"),
                 'query token where only header is enabled: ignored');
    $r = post_form('/bearer/hs256/env', "access_token=$t");
    is_plain_401($r, 'body token where only header is enabled: ignored');
}
{
    my $t = tok(scope => 'a+b');
    my $body = "first=1&access_token=$t&last=" . ('z' x 3000) . '&end=yes';
    my $r = post_form('/bearer/body/env', $body);
    is($r->{status}, 200, 'body transport: 200');
    like($r->{body}, qr/^REMOTE_USER=alice$/m, 'body transport: the user');
    my ($got) = $r->{body} =~ /^BODY=(.*)$/m;
    is($got, $body, 'body transport: the handler got the whole body');
    is_plain_401(get("/bearer/body/ok.txt?access_token=$t"),
                 'body area: query token ignored');
    is_bearer_error(post_form('/bearer/body/env', "access_token=$t",
                              Authorization => "Bearer $t"),
                    400, 'invalid_request', 'token in header and in body');
    $r = req($hp, 'POST', '/bearer/body/env',
             'Content-Type' => 'text/plain', 'Content-Length' => 0);
    is_plain_401($r, 'body area, POST without a form: 401');
    $r = post_form('/bearer/body/env',
                   'access_token=' . tok(exp => time - 3600));
    is_bearer_error($r, 401, 'invalid_token', 'body transport, expired');
    is_bearer_error(post_form('/bearer/body/env', 'access_token=a%20b'),
                    400, 'invalid_request', 'body token with a space');
}

# ------------------------------------------------ nothing leaked
{
    my @sigs = map { (split /\./)[2] // () } @used;
    is_deeply([secrets_in_log($mark, @used, @sigs)], [],
              'no token or signature in error_log');
}

# httpd's access log writes the request line (%r), so a query-transport
# token lands there: that is httpd, not the module (docs warn about the
# query transport).  Tokens sent in a header or a body must not.
{
    sleep 1;                    # the access log is written after the reply
    open my $fh, '<', $access_log or die "$access_log: $!";
    seek $fh, $access_mark, 0;
    my $log = do { local $/; <$fh> } // '';
    my @hdr = grep { !$in_query{$_} } @used;
    ok(scalar @hdr > 10, 'tokens sent only in headers or bodies: ' . @hdr);
    is_deeply([grep { index($log, $_) >= 0 } @hdr], [],
              'no header or body token in access_log');
    my @q = grep { index($log, $_) >= 0 } keys %in_query;
    note(scalar(@q) . ' query tokens appear in access_log (%r)');
}
