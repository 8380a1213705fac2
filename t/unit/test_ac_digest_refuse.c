/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_digest, every way to be refused: malformed requests (400),
 * refusals (401), stale nonces, nc replay, fail-closed store and
 * back-end errors, and the uri forms of proxy and CONNECT requests.
 */
#include "ac_test.h"
#include "digest_client.h"

/* ------------------------------------------------------------ tests */

static void bad_requests(void **state)
{
    fixture *f = fx(*state);
    client c;
    ac_result r;

#define TRY(field, value, why) \
    c = good(f); c.field = value; r = run(f, &c); BAD(r, why)
    BAD(run_raw(f, "Digest YWJjOmRlZg=="), "Digest credentials are a "
                                           "token68");
    BAD(run_raw(f, "Digest"), "missing username");
    TRY(no_username, 1, "missing username");
    TRY(realm, NULL, "missing realm");
    TRY(nonce, NULL, "missing nonce");
    TRY(uri, NULL, "missing uri");
    TRY(no_response, 1, "missing response");
    TRY(username_param, "username=\"Mufasa\", username*=UTF-8''Mufasa",
        "both username and username*");
    TRY(username_param, "username*=UTF-8''%zz", "malformed username*");
    TRY(username_param, "username*=\"UTF-8''Mufasa\"", "malformed username*");
    TRY(username_param, "username*=ISO-8859-1''Mufasa",
        "malformed username*");
    TRY(user, "Mu\xff\xfe" "fasa", "user name is not UTF-8");
    TRY(user, "Mu\xc0\xaf" "fasa", "user name is not UTF-8");  /* overlong */
    TRY(user, "Mu\tfasa", "control character in user name");
    TRY(nc, "0000001", "nc is not 8 hex digits");
    TRY(nc, "000000001", "nc is not 8 hex digits");
    TRY(nc, "0000000g", "nc is not 8 hex digits");
    TRY(nc, "ffffffffffffffffffffffffffff", "nc is not 8 hex digits");
    TRY(nc, NULL, "qop without nc");
    TRY(cnonce, NULL, "qop without cnonce");
    TRY(extra, "userhash=maybe", "userhash is neither true nor false");
    TRY(uri, "/dir/other.html", "uri does not match the request");
    TRY(uri, "/dir/index.html?x", "uri does not match the request");
    TRY(uri, "http://origin.example/dir/index.html",
        "uri does not match the request");    /* not a proxy request */
    BAD(run_raw(f, "Digest username=\"a\", username=\"b\""),
        "duplicate parameter");
    BAD(run_raw(f, "Digest username=\"a"), "unterminated quoted string");
#undef TRY
    assert_null(f->m.h ? apr_hash_first(f->p, f->m.h) : NULL);
}

static void refusals(void **state)
{
    fixture *f = fx(*state);
    client c;
    ac_result r;
    char *forged;

#define TRY(field, value, why) \
    c = good(f); c.field = value; r = run(f, &c); REFUSED(r, why)
    TRY(realm, "another realm", "another realm");
    TRY(alg, "SHA-512-256", "algorithm not offered");
    TRY(alg, "SHA-1", "algorithm not offered");
    c = good(f);
    c.alg = NULL;                           /* MD5, offered by default */
    OK(run(f, &c));
    TRY(qop, NULL, "no qop (RFC 2069 response)");
    TRY(qop, "auth-int", "qop not offered");
    TRY(qop, "AUTH", "qop not offered");
    TRY(qop, "auth-conf", "qop not offered");
    TRY(opaque, NULL, "wrong opaque");
    TRY(opaque, "YzsuNuwOSyeUUmQh3l1CWq", "wrong opaque");
    forged = apr_pstrdup(f->p, good(f).nonce);
    forged[20] = forged[20] == 'x' ? 'y' : 'x';
    TRY(nonce, forged, "invalid nonce");
    TRY(nonce, apr_pstrndup(f->p, good(f).nonce, 60), "invalid nonce");
    TRY(nonce, RFC_NONCE, "invalid nonce");
    TRY(nonce, nonce_with(f->p, other_secret, f->opaque, T0, f->m.gen),
        "invalid nonce");
    TRY(user, "Scar", "unknown user");
    TRY(password, "Circle of Death", "wrong response");
    TRY(response, "753927fa0e85d155564e2e272a28d180"
                  "2ca10daf4496794697cf8db5856cb6c1", "wrong response");
    TRY(userhash, 1, "userhash not offered");
    f->dc->userhash = 1;
    c = good(f);
    c.userhash = 1;
    OK(run(f, &c));
    c = good(f);
    c.userhash = 1;
    c.username_param = "username=\"00112233\"";
    r = run(f, &c);
    REFUSED(r, "unknown userhash");
    assert_string_equal(r.log_user, "00112233");
    /* a realm the nonce was not issued for cannot be smuggled in */
    f->conf.realm = "another realm";
    c = good(f);
    c.realm = "another realm";
    c.opaque = ac_nonce_opaque(f->p, secret, 32, "another realm");
    REFUSED(run(f, &c), "invalid nonce");
#undef TRY
    assert_int_equal(f->m.locks, 2);        /* only the two OKs */
}

static int has_stale(apr_array_header_t *a, int i)
{
    return strstr(CHAL(a, i), ", stale=true") != NULL;
}

static void stale(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_result r;
    apr_array_header_t *a;
    char *forged;

    c.nonce = nonce_at(f, T0 - SEC(301));
    r = run(f, &c);
    expect(r, AC_CHALLENGE, 0, 1, "nonce expired");
    assert_string_equal(r.log_user, "Mufasa");
    a = challenges(f, &r);
    assert_int_equal(a->nelts, 3);
    assert_true(has_stale(a, 0));
    assert_true(has_stale(a, 1));
    assert_false(has_stale(a, 2));              /* Basic */
    /* the fresh nonce in the challenge works */
    c.nonce = apr_pstrndup(f->p, strstr(CHAL(a, 0), "nonce=\"") + 7,
                           AC_NONCE_LEN);
    OK(run(f, &c));
    /* exactly at the lifetime: still good */
    c = good(f);
    c.nonce = nonce_at(f, T0 - SEC(300));
    OK(run(f, &c));
    /* wrong password with an expired nonce: a plain failure */
    c = good(f);
    c.nonce = nonce_at(f, T0 - SEC(301));
    c.password = "wrong";
    r = run(f, &c);
    REFUSED(r, "wrong response");
    assert_false(has_stale(challenges(f, &r), 0));
    /* from the future beyond the skew */
    c = good(f);
    c.nonce = nonce_at(f, T0 + AC_NONCE_SKEW + SEC(1));
    expect(run(f, &c), AC_CHALLENGE, 0, 1, "nonce expired");
    /* forged expired nonce: no stale */
    forged = apr_pstrdup(f->p, nonce_at(f, T0 - SEC(301)));
    forged[30] = forged[30] == 'x' ? 'y' : 'x';
    c = good(f);
    c.nonce = forged;
    REFUSED(run(f, &c), "invalid nonce");
    /* a stale nonce never touches the replay store */
    assert_int_equal(f->m.locks, 2);
}

static void replay(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_result r;

#define NC(v) (c.nc = (v), run(f, &c))
    OK(NC("00000001"));
    r = NC("00000001");
    REFUSED(r, "nc replayed");
    assert_string_equal(r.log_user, "Mufasa");
    assert_false(has_stale(challenges(f, &r), 0));
    /* out of order over parallel connections */
    OK(NC("00000003"));
    OK(NC("00000002"));
    REFUSED(NC("00000002"), "nc replayed");
    OK(NC("0000000A"));                     /* hex, either case */
    REFUSED(NC("0000000a"), "nc replayed");
    REFUSED(NC("00000000"), "nc replayed");
    /* below the window */
    OK(NC("00000064"));
    REFUSED(NC("00000014"), "nc replayed");
    OK(NC("00000024"));                     /* 100 - 64: inside */
    /* the refusals did not hurt the rightful user */
    OK(NC("00000065"));
    /* a wrong password does not use up an nc */
    c.password = "wrong";
    REFUSED(NC("00000070"), "wrong response");
    c.password = "Circle of Life";
    OK(NC("00000070"));
    /* another nonce has its own window */
    c.nonce = nonce_at(f, T0 - SEC(10));
    OK(NC("00000001"));
    /* replay check off */
    f->dc->replay_check = 0;
    OK(NC("00000001"));
    OK(NC("00000001"));
#undef NC
}

static void fail_closed(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);

    f->m.fail_get = 1;
    DOWN(run(f, &c), "replay store unavailable");
    f->m.fail_get = 0;
    OK(run(f, &c));                 /* the failure recorded nothing */
    f->conf.state = NULL;
    c.nc = "00000002";
    DOWN(run(f, &c), "no shared state for the replay check");
    f->conf.state = &f->st;
    /* back-end errors: 500, never 401 */
    c = good(f);
    c.user = "down";
    DOWN(run(f, &c), "directory down");
    f->dc->userhash = 1;
    c.userhash = 1;
    DOWN(run(f, &c), "back-end error");
    /* no back-end can give an HA1 */
    f->conf.backends = NULL;
    c = good(f);
    DOWN(run(f, &c), "no back-end can answer this");
    f->conf.backends = &fake_list;
    f->conf.secret = NULL;
    DOWN(run(f, &c), "Digest has no configuration or no secret");
}

static void uri_forms(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);

    /* forward proxy: absolute form and path form (curl) */
    f->req.proxy = 1;
    f->req.target = "http://origin.example/dir/index.html";
    c.uri = "http://origin.example/dir/index.html";
    OK(run(f, &c));
    c.nc = "00000002";
    c.uri = URI;
    OK(run(f, &c));
    c.nc = "00000003";
    c.uri = "http://elsewhere.example/dir/index.html";
    BAD(run(f, &c), "uri does not match the request");
    /* CONNECT: host:port */
    f->req.connect = 1;
    f->req.method = c.method = "CONNECT";
    f->req.target = "origin.example:443";
    f->req.path = NULL;
    c.uri = "origin.example:443";
    OK(run(f, &c));
    c.nc = "00000004";
    c.uri = "origin.example:8443";
    BAD(run(f, &c), "uri does not match the request");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(bad_requests), AC_TEST(refusals), AC_TEST(stale),
        AC_TEST(replay), AC_TEST(fail_closed), AC_TEST(uri_forms),
    };
    return cmocka_run_group_tests_name("ac_digest_refuse", tests, NULL, NULL);
}
