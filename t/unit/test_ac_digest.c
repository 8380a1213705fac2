/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_digest, what a good client sees: RFC 7616 vectors, username* and
 * auth-int helpers, the challenge text, round trips for every algorithm,
 * qop and userhash, and Authentication-Info.  Every refusal is in
 * test_ac_digest_refuse.c.
 */
#include "ac_test.h"
#include "digest_client.h"

/* ------------------------------------------------------------ tests */

static const ac_hash_alg *alg(const char *name)
{
    return ac_hash_find(name);
}

/* RFC 7616 §3.9.1, and values computed with Python's hashlib. */
static void vectors(void **state)
{
    apr_pool_t *p = *state;
    const char *ha1;
    client c = { 0 };

    ha1 = ac_hash_ha1(p, alg("MD5"), "Mufasa", REALM, "Circle of Life");
    assert_string_equal(ac_digest_response(p, alg("MD5"), ha1, RFC_NONCE,
                                           "00000001", RFC_CNONCE, "auth",
                                           "GET", URI, NULL),
                        "8ca523f5e9506fed4657c9700eebdbec");
    ha1 = ac_hash_ha1(p, alg("SHA-256"), "Mufasa", REALM, "Circle of Life");
    assert_string_equal(ac_digest_response(p, alg("SHA-256"), ha1,
                                           RFC_NONCE, "00000001",
                                           RFC_CNONCE, "auth", "GET", URI,
                                           NULL),
                        "753927fa0e85d155564e2e272a28d180"
                        "2ca10daf4496794697cf8db5856cb6c1");
    /* SHA-512/256 (its own IV): openssl dgst -sha512-256 */
    ha1 = ac_hash_ha1(p, alg("SHA-512-256"), "Mufasa", REALM,
                      "Circle of Life");
    assert_string_equal(ha1, "fb174f5c3c7802721517cae13b98e2b8"
                             "dae2e0118cb705d94ee29946319204ce");
    assert_string_equal(ac_digest_response(p, alg("SHA-512-256"), ha1,
                                           RFC_NONCE, "00000001",
                                           RFC_CNONCE, "auth", "GET", URI,
                                           NULL),
                        "430d05014cecc49cab6fbe03176d41a1"
                        "da86cbfe24a16580e22aaad928d960d0");
    assert_string_equal(ac_digest_response(p, alg("SHA-512-256-sess"), ha1,
                                           RFC_NONCE, "00000001",
                                           RFC_CNONCE, "auth", "", URI,
                                           NULL),
                        "98012a4e63fae2aea13adaa3410368ef"
                        "7278c87ca0acbd3c941ca5fe3dceeb86");
    /* MD5-sess, auth-int, body "hello": response and rspauth */
    ha1 = ac_hash_ha1(p, alg("MD5"), "Mufasa", REALM, "Circle of Life");
    assert_string_equal(ac_digest_response(p, alg("MD5-sess"), ha1,
                                           RFC_NONCE, "00000001",
                                           RFC_CNONCE, "auth-int", "POST",
                                           URI, ac_hash_hex_raw(p,
                                           alg("MD5"), "hello", 5)),
                        "1f00ae1cf4fdcb90e9cfc3b1e22118b7");
    assert_string_equal(ac_digest_response(p, alg("MD5-sess"), ha1,
                                           RFC_NONCE, "00000001",
                                           RFC_CNONCE, "auth-int", "", URI,
                                           ac_hash_hex_raw(p, alg("MD5"),
                                                           "hello", 5)),
                        "eddb68e0ff4f07555c48236d14c18a76");
    /* the test client agrees with the RFC too */
    c.alg = "SHA-256";
    c.qop = "auth";
    c.user = "Mufasa";
    c.password = "Circle of Life";
    c.realm = REALM;
    c.nonce = RFC_NONCE;
    c.cnonce = RFC_CNONCE;
    c.nc = "00000001";
    c.uri = URI;
    assert_string_equal(client_digest(p, &c, "GET"),
                        "753927fa0e85d155564e2e272a28d180"
                        "2ca10daf4496794697cf8db5856cb6c1");
}

static void ext_value(void **state)
{
    apr_pool_t *p = *state;

    assert_string_equal(ac_digest_decode_ext(p,
                            "UTF-8''J%C3%A4s%C3%B8n%20Doe"), JASON);
    assert_string_equal(ac_digest_decode_ext(p, "utf-8'en-GB'a.b~c"),
                        "a.b~c");
    assert_string_equal(ac_digest_decode_ext(p, "UTF-8''"), "");
    assert_null(ac_digest_decode_ext(p, "ISO-8859-1''abc"));
    assert_null(ac_digest_decode_ext(p, "UTF-8'abc"));
    assert_null(ac_digest_decode_ext(p, "UTF-8''%zz"));
    assert_null(ac_digest_decode_ext(p, "UTF-8''%4"));
    assert_null(ac_digest_decode_ext(p, "UTF-8''%"));
    assert_null(ac_digest_decode_ext(p, "UTF-8''%FF"));     /* not UTF-8 */
    assert_null(ac_digest_decode_ext(p, "UTF-8''a%00b"));   /* NUL */
    assert_null(ac_digest_decode_ext(p, "UTF-8''a%0Ab"));   /* LF */
    assert_null(ac_digest_decode_ext(p, "UTF-8''a'b"));
    assert_null(ac_digest_decode_ext(p, "UTF-8'e n'ab"));
    assert_null(ac_digest_decode_ext(p, NULL));
}

static int wants(apr_pool_t *p, const char *v)
{
    ac_credentials c;

    assert_int_equal(ac_authparam_parse(v, &c, p), AC_AP_OK);
    return ac_digest_wants_body(&c);
}

static void wants_body(void **state)
{
    apr_pool_t *p = *state;

    assert_true(wants(p, "Digest username=\"a\", qop=auth-int"));
    assert_true(wants(p, "digest qop=\"auth-int\""));
    assert_false(wants(p, "Digest username=\"a\", qop=auth"));
    assert_false(wants(p, "Digest username=\"a\""));
    assert_false(wants(p, "Bearer qop=auth-int"));
    assert_false(wants(p, "Basic YWJjOmRlZg=="));
    assert_false(ac_digest_wants_body(NULL));
}

/* auth-int: the body is wanted only for a response that passes every
 * check that comes before the body's hash (docs/security.md). */
static void body_last(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_request req = f->req;

    f->dc->qop_auth_int = 1;
    c.qop = "auth-int";
    c.method = req.method = "POST";
    req.credentials = authz(f->p, &c);
    assert_true(ac_auth_wants_body(&f->conf, &req, f->p));
    c.opaque = "not-the-opaque";
    req.credentials = authz(f->p, &c);
    assert_false(ac_auth_wants_body(&f->conf, &req, f->p));
    c = good(f);
    c.qop = "auth-int";
    c.method = "POST";
    c.nonce = "AAAAforged";
    req.credentials = authz(f->p, &c);
    assert_false(ac_auth_wants_body(&f->conf, &req, f->p));
    c = good(f);
    c.qop = "auth-int";
    c.method = "POST";
    c.user = "nobody";
    req.credentials = authz(f->p, &c);
    assert_false(ac_auth_wants_body(&f->conf, &req, f->p));
    c.user = "Mufasa";
    c.realm = "another realm";
    req.credentials = authz(f->p, &c);
    assert_false(ac_auth_wants_body(&f->conf, &req, f->p));
    /* not offered: never, whatever the client says */
    f->dc->qop_auth_int = 0;
    c = good(f);
    c.qop = "auth-int";
    c.method = "POST";
    req.credentials = authz(f->p, &c);
    assert_false(ac_auth_wants_body(&f->conf, &req, f->p));
}

/* issued at T0, in the store's generation 1, random part 0 1 ... 7 */
#define KNOWN_NONCE "AAAAAGVT8QAAAAAAAAAAAQABAgMEBQYHsF3wdsN0RAg02-Aow1ihti6" \
                    "rkcs_OjPuafcRDbkmhC0"
#define KNOWN_OPAQUE "YzsuNuwOSyeUUmQh3l1CWQ"

/* Exact text for a fixed clock and RNG; the nonce and opaque were
 * computed independently (Python hmac). */
static void challenge_text(void **state)
{
    fixture *f = fx(*state);
    ac_result res = { 0 };
    apr_array_header_t *a;
    static const char *const three[] = { "SHA-512-256", "MD5-sess",
                                         "SHA-256-sess", NULL };

    f->dc->rnd = counting_rand;
    res.verdict = AC_CHALLENGE;
    a = challenges(f, &res);
    assert_int_equal(a->nelts, 3);
    assert_string_equal(CHAL(a, 0),
        "Digest realm=\"" REALM "\", qop=\"auth\", algorithm=SHA-256, "
        "nonce=\"" KNOWN_NONCE "\", opaque=\"" KNOWN_OPAQUE "\", "
        "charset=UTF-8");
    assert_string_equal(CHAL(a, 1),
        "Digest realm=\"" REALM "\", qop=\"auth\", algorithm=MD5, "
        "nonce=\"" KNOWN_NONCE "\", opaque=\"" KNOWN_OPAQUE "\", "
        "charset=UTF-8");
    assert_string_equal(CHAL(a, 2), "Basic realm=\"" REALM "\", "
                                    "charset=\"UTF-8\"");
    /* everything on */
    set_algs(f, three);
    f->dc->qop_auth_int = 1;
    f->dc->userhash = 1;
    f->dc->domain = "/dir/ http://other.example/";
    res.stale = 1;
    res.scheme = "Digest";
    a = challenges(f, &res);
    assert_int_equal(a->nelts, 4);
    assert_string_equal(CHAL(a, 2),
        "Digest realm=\"" REALM "\", qop=\"auth, auth-int\", "
        "algorithm=SHA-256-sess, nonce=\"" KNOWN_NONCE "\", "
        "opaque=\"" KNOWN_OPAQUE "\", charset=UTF-8, userhash=true, "
        "domain=\"/dir/ http://other.example/\", stale=true");
    assert_non_null(strstr(CHAL(a, 0), "algorithm=SHA-512-256, "));
    assert_non_null(strstr(CHAL(a, 0), ", stale=true"));
    assert_non_null(strstr(CHAL(a, 1), "algorithm=MD5-sess, "));
    assert_non_null(strstr(CHAL(a, 1), ", stale=true"));
    assert_null(strstr(CHAL(a, 3), "stale"));
    /* stale only when Digest decided; auth-int alone; no charset */
    res.scheme = "Basic";
    f->dc->qop_auth = 0;
    f->conf.charset_utf8 = 0;
    f->dc->userhash = 0;
    f->dc->domain = NULL;
    a = challenges(f, &res);
    assert_string_equal(CHAL(a, 0),
        "Digest realm=\"" REALM "\", qop=\"auth-int\", "
        "algorithm=SHA-512-256, nonce=\"" KNOWN_NONCE "\", "
        "opaque=\"" KNOWN_OPAQUE "\"");
}

static int fail_rand(unsigned char *buf, apr_size_t n)
{
    return 0;
}

static void challenge_needs_nonce(void **state)
{
    fixture *f = fx(*state);
    ac_result res = { 0 };
    const char *why = "x";

    res.verdict = AC_CHALLENGE;
    f->dc->rnd = fail_rand;
    assert_int_equal(challenges(f, &res)->nelts, 1);    /* Basic only */
    f->dc->rnd = NULL;
    f->conf.secret = NULL;
    f->conf.secret_len = 0;
    assert_int_equal(challenges(f, &res)->nelts, 1);
    assert_true(ac_scheme_digest.usable(&f->conf, &why));
    assert_null(why);
    f->dc->qop_auth = 0;
    assert_false(ac_scheme_digest.usable(&f->conf, &why));
    assert_non_null(why);
    AC_OWN(&f->conf, &ac_scheme_digest) = NULL;
    assert_false(ac_scheme_digest.usable(&f->conf, &why));
    assert_ptr_equal(ac_scheme_find("digest"), &ac_scheme_digest);
}

static const char *expected_info(fixture *f, const client *c)
{
    return apr_pstrcat(f->p, "qop=", c->qop, ", rspauth=\"",
                       client_digest(f->p, c, ""), "\", cnonce=\"",
                       c->cnonce, "\", nc=", c->nc, NULL);
}

static void all_on(fixture *f)
{
    static const char *const six[] = { "MD5", "MD5-sess", "SHA-256",
                                       "SHA-256-sess", "SHA-512-256",
                                       "SHA-512-256-sess", NULL };
    set_algs(f, six);
    f->dc->qop_auth_int = 1;
    f->dc->userhash = 1;
}

/* Every algorithm × auth/auth-int × userhash off/on. */
static void round_trips(void **state)
{
    fixture *f = fx(*state);
    const ac_hash_alg *const *a;
    int q, uh;

    all_on(f);
    f->req.body = (const unsigned char *)"hello world";
    f->req.body_len = 11;
    f->req.body_read = 1;
    for (a = ac_hash_all(); *a; a++) {
        for (q = 0; q < 2; q++) {
            for (uh = 0; uh < 2; uh++) {
                client c = good(f);
                ac_result r;

                c.alg = (*a)->name;
                c.qop = q ? "auth-int" : "auth";
                c.userhash = uh;
                c.method = f->req.method = q ? "POST" : "GET";
                c.body = "hello world";
                r = run(f, &c);
                OK(r);
                assert_string_equal(r.user, "Mufasa");
                assert_string_equal(r.log_user, "Mufasa");
                assert_string_equal(r.scheme, "Digest");
                assert_string_equal(ac_result_header_value(&r, "Authentication-Info"), expected_info(f, &c));
                assert_string_equal(r.reason, apr_psprintf(f->p,
                    "digest verified (%s, qop=%s%s)", c.alg, c.qop,
                    uh ? ", userhash" : ""));
            }
        }
    }
}

static void username_star(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_result r;

    c.user = JASON;
    c.password = "Secret, or not?";
    c.username_param = "username*=UTF-8''J%C3%A4s%C3%B8n%20Doe";
    r = run(f, &c);
    OK(r);
    assert_string_equal(r.user, JASON);
    /* the same user as a plain UTF-8 username and as a userhash */
    c.username_param = NULL;
    c.nc = "00000002";
    OK(run(f, &c));
    f->dc->userhash = 1;
    c.userhash = 1;
    c.nc = "00000003";
    r = run(f, &c);
    OK(r);
    assert_string_equal(r.user, JASON);
    /* username* goes with userhash=false only */
    c.userhash = 0;
    c.username_param = "username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "
                       "userhash=true";
    BAD(run(f, &c), "username* with userhash=true");
}

/* Upper-case hex from the client; missing algorithm = MD5 refused
 * when MD5 is not offered. */
static void leniency(void **state)
{
    fixture *f = fx(*state);
    static const char *const sha[] = { "SHA-256", NULL };
    client c = good(f);
    char *u = apr_pstrdup(f->p, client_digest(f->p, &c, "GET")), *q;

    for (q = u; *q; q++) {
        *q = (char)apr_toupper(*q);
    }
    c.response = u;
    OK(run(f, &c));
    c = good(f);
    c.alg = "sha-256";
    OK(run(f, &c));
    set_algs(f, sha);
    c = good(f);
    c.alg = NULL;
    REFUSED(run(f, &c), "algorithm not offered");
}

static void auth_int(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);

    f->dc->qop_auth_int = 1;
    f->req.method = c.method = "PUT";
    c.qop = "auth-int";
    c.body = "payload";
    DOWN(run(f, &c), "body not read for auth-int");
    f->req.body_read = 1;
    f->req.body = (const unsigned char *)"payload";
    f->req.body_len = 7;
    OK(run(f, &c));
    /* the client hashed another body */
    c.nc = "00000002";
    c.body = "payloaX";
    REFUSED(run(f, &c), "wrong response");
    /* an empty body, as curl always hashes */
    f->req.body = NULL;
    f->req.body_len = 0;
    c.body = "";
    OK(run(f, &c));
    /* a body with a NUL in it is hashed whole */
    f->req.body = (const unsigned char *)"a\0b";
    f->req.body_len = 3;
    c.nc = "00000003";
    c.response = ac_digest_response(f->p, alg("SHA-256"),
                                    ac_hash_ha1(f->p, alg("SHA-256"),
                                                "Mufasa", REALM,
                                                "Circle of Life"),
                                    c.nonce, c.nc, c.cnonce, "auth-int",
                                    "PUT", URI, ac_hash_hex_raw(f->p,
                                    alg("SHA-256"), "a\0b", 3));
    OK(run(f, &c));
}

static void auth_info(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_result r;
    const char *next;

    f->dc->rnd = counting_rand;
    r = run(f, &c);
    OK(r);
    assert_string_equal(ac_result_header_value(&r, "Authentication-Info"), expected_info(f, &c));
    assert_null(strstr(ac_result_header_value(&r, "Authentication-Info"), "nextnonce"));
    /* exactly half the lifetime: not yet */
    c.nonce = nonce_at(f, T0 - SEC(150));
    r = run(f, &c);
    OK(r);
    assert_string_equal(ac_result_header_value(&r, "Authentication-Info"), expected_info(f, &c));
    /* past half its lifetime: a nextnonce that verifies */
    c.nonce = nonce_at(f, T0 - SEC(151));
    r = run(f, &c);
    OK(r);
    next = apr_pstrcat(f->p, expected_info(f, &c), ", nextnonce=\"",
                       KNOWN_NONCE, "\"", NULL);
    assert_string_equal(ac_result_header_value(&r, "Authentication-Info"), next);
    assert_int_equal(ac_nonce_verify(f->p, secret, 32, KNOWN_NONCE, REALM,
                                     f->opaque, T0, SEC(300), NULL),
                     AC_NONCE_OK);
}

/* The shared state forgot its nonce counts (a flush, a restart): a
 * correct response with a nonce issued before is answered like an
 * expired one, with stale=true, and a new nonce carries the new
 * generation; a wrong one is still a failure. */
static void flushed_store(void **state)
{
    fixture *f = fx(*state);
    client c = good(f), wrong;
    ac_result r;
    apr_array_header_t *a;

    OK(run(f, &c));
    ac_memstate_flush(&f->m);
    r = run(f, &c);
    expect(r, AC_CHALLENGE, 0, 1, "nonce from before the shared cache lost "
           "its nonce counts (flush, restart)");
    assert_int_equal(r.state, 1);
    c.nc = "00000002";
    expect(run(f, &c), AC_CHALLENGE, 0, 1, NULL);
    wrong = c;
    wrong.password = "Circle of Death";
    REFUSED(run(f, &wrong), "wrong response");
    a = challenges(f, &r);
    assert_non_null(strstr(CHAL(a, 0), ", stale=true"));
    c = good(f);                         /* a nonce of the new generation */
    OK(run(f, &c));
    REFUSED(run(f, &c), "nc replayed");
    /* the same over a store shared by servers */
    ac_memstate_init_shared(&f->m, &f->st, f->p);
    c = good(f);
    OK(run(f, &c));
    REFUSED(run(f, &c), "nc replayed");
    ac_memstate_flush(&f->m);
    expect(run(f, &c), AC_CHALLENGE, 0, 1, NULL);
    c = good(f);
    OK(run(f, &c));
}

/* Rotation: nonces and opaques of the previous secret are accepted
 * until they expire (then stale=true, as ever); new nonces and opaques
 * use the new one; a third secret's are forged. */
static void previous_secret(void **state)
{
    fixture *f = fx(*state);
    static const unsigned char third[] = "0123456789ABCDEF0123456789ABCDEF";
    const char *old_opaque = f->opaque;
    client c = good(f);
    ac_result r;

    f->conf.secret = other_secret;      /* rotated: "secret" is the old */
    f->conf.secret_prev = secret;
    f->conf.secret_prev_len = 32;
    OK(run(f, &c));
    REFUSED(run(f, &c), "nc replayed");
    c.nc = "00000002";
    c.nonce = nonce_with(f->p, secret, old_opaque, T0 - SEC(301), 1);
    expect(run(f, &c), AC_CHALLENGE, 0, 1, "nonce expired");
    /* the new secret's nonce and opaque */
    f->opaque = ac_nonce_opaque(f->p, other_secret, 32, REALM);
    assert_string_not_equal(f->opaque, old_opaque);
    c = good(f);
    c.nonce = nonce_with(f->p, other_secret, f->opaque, T0, 1);
    OK(run(f, &c));
    /* a new challenge is the new secret's */
    r.verdict = AC_CHALLENGE;
    r.stale = 0;
    r.scheme = NULL;
    assert_non_null(strstr(CHAL(challenges(f, &r), 0),
                           apr_pstrcat(f->p, "opaque=\"", f->opaque, "\"",
                                       NULL)));
    /* neither secret */
    c = good(f);
    c.opaque = ac_nonce_opaque(f->p, third, 32, REALM);
    c.nonce = nonce_with(f->p, third, c.opaque, T0, 1);
    REFUSED(run(f, &c), "wrong opaque");
    c.opaque = old_opaque;
    REFUSED(run(f, &c), "invalid nonce");
    /* no previous secret: the old nonce is forged */
    f->conf.secret_prev = NULL;
    c = good(f);
    c.nonce = nonce_with(f->p, secret, old_opaque, T0, 1);
    c.opaque = old_opaque;
    REFUSED(run(f, &c), "wrong opaque");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(vectors), AC_TEST(ext_value), AC_TEST(wants_body),
        AC_TEST(body_last),
        AC_TEST(challenge_text), AC_TEST(challenge_needs_nonce),
        AC_TEST(round_trips), AC_TEST(username_star), AC_TEST(leniency),
        AC_TEST(auth_int), AC_TEST(auth_info), AC_TEST(flushed_store),
        AC_TEST(previous_secret),
    };
    return cmocka_run_group_tests_name("ac_digest", tests, NULL, NULL);
}
