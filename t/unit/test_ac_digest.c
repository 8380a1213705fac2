/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_test.h"
#include "ac_auth.h"
#include "ac_digest.h"
#include "ac_nonce.h"
#include "ac_replay.h"
#include "ac_memstate.h"
#include <apr_hash.h>
#include <apr_lib.h>
#include <openssl/evp.h>

#define REALM "http-auth@example.org"
#define URI "/dir/index.html"
#define T0 apr_time_from_sec(1700000000)
#define SEC(n) apr_time_from_sec(n)
#define RFC_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define JASON "J\xc3\xa4s\xc3\xb8n Doe"

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_secret[] =
    "fedcba9876543210fedcba9876543210";

/* ------------------------------------------- an independent client */

/* H(s) in hex straight from OpenSSL, not through ac_hash. */
static const char *H(apr_pool_t *p, const char *alg, const char *s,
                     apr_size_t n)
{
    const char *evp = !strncasecmp(alg, "MD5", 3) ? "MD5"
                      : !strncasecmp(alg, "SHA-512-256", 11) ? "SHA512-256"
                      : "SHA256";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    char *hex;

    assert_true(EVP_Digest(s, n, md, &len, EVP_get_digestbyname(evp),
                           NULL));
    hex = apr_palloc(p, 2 * len + 1);
    for (i = 0; i < len; i++) {
        sprintf(hex + 2 * i, "%02x", md[i]);
    }
    return hex;
}

#define HS(p, alg, ...) ({ const char *s_ = apr_pstrcat(p, __VA_ARGS__, \
                           NULL); H(p, alg, s_, strlen(s_)); })

typedef struct {
    const char *alg;            /* NULL: no algorithm=            */
    const char *qop;            /* NULL: no qop= (RFC 2069)        */
    const char *user, *password;
    const char *username_param; /* replaces username="user"        */
    int no_username, no_response, userhash;
    const char *realm, *nonce, *opaque, *cnonce, *nc, *uri, *method;
    const char *body;           /* what the client hashes for auth-int */
    const char *response;       /* NULL: computed                  */
    const char *extra;          /* more parameters, verbatim       */
} client;

static const char *client_digest(apr_pool_t *p, const client *c,
                                 const char *method)
{
    const char *a = c->alg ? c->alg : "MD5", *ha1, *ha2, *a2;

    ha1 = HS(p, a, c->user, ":", c->realm, ":", c->password);
    if (strstr(a, "-sess")) {
        ha1 = HS(p, a, ha1, ":", c->nonce, ":", c->cnonce);
    }
    a2 = apr_pstrcat(p, method, ":", c->uri, NULL);
    if (c->qop && !strcmp(c->qop, "auth-int")) {
        a2 = apr_pstrcat(p, a2, ":", H(p, a, c->body, strlen(c->body)),
                         NULL);
    }
    ha2 = H(p, a, a2, strlen(a2));
    if (!c->qop) {
        return HS(p, a, ha1, ":", c->nonce, ":", ha2);
    }
    return HS(p, a, ha1, ":", c->nonce, ":", c->nc, ":", c->cnonce, ":",
              c->qop, ":", ha2);
}

#define ADD(name, v) \
    (s = apr_pstrcat(p, s, ", " name "=", (v), NULL))
#define QADD(name, v) ADD(name, apr_pstrcat(p, "\"", (v), "\"", NULL))

static const char *authz(apr_pool_t *p, const client *c)
{
    const char *s = "", *name = c->user;

    if (c->userhash) {
        name = HS(p, c->alg ? c->alg : "MD5", c->user, ":", c->realm);
        ADD("userhash", "true");
    }
    if (c->username_param) {
        s = apr_pstrcat(p, s, ", ", c->username_param, NULL);
    }
    else if (!c->no_username) {
        QADD("username", name);
    }
    if (c->realm)  QADD("realm", c->realm);
    if (c->uri)    QADD("uri", c->uri);
    if (c->alg)    ADD("algorithm", c->alg);
    if (c->nonce)  QADD("nonce", c->nonce);
    if (c->nc)     ADD("nc", c->nc);
    if (c->cnonce) QADD("cnonce", c->cnonce);
    if (c->qop)    ADD("qop", c->qop);
    if (!c->no_response) {
        QADD("response", c->response ? c->response
                                     : client_digest(p, c, c->method));
    }
    if (c->opaque) QADD("opaque", c->opaque);
    if (c->extra)  s = apr_pstrcat(p, s, ", ", c->extra, NULL);
    return *s ? apr_pstrcat(p, "Digest ", s + 2, NULL) : "Digest";
}

/* ------------------------------------------- an in-memory ac_state */

/* Digest stores only replay records. */
static ac_state_status record_put(void *ctx, const unsigned char *key,
                                  apr_size_t klen, const unsigned char *val,
                                  apr_size_t len, apr_time_t expiry,
                                  apr_pool_t *p)
{
    assert_int_equal(len, AC_REPLAY_RECORD_LEN);
    return ac_memstate_put(ctx, key, klen, val, len, expiry, p);
}

/* ------------------------------------------------- a fake back-end */

static const char *const users[][2] = {
    { "Mufasa", "Circle of Life" },
    { JASON, "Secret, or not?" },
    { "down", "" },
};

static ac_be_status fake_ha1(void *ctx, const char *user, const char *realm,
                             const char *alg, const char **hex,
                             const char **reason, apr_pool_t *p)
{
    unsigned i;

    for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        if (!strcmp(user, users[i][0])) {
            if (!strcmp(user, "down")) {
                *reason = "directory down";
                return AC_BE_ERROR;
            }
            *hex = HS(p, alg, user, ":", realm, ":", users[i][1]);
            if (i == 1) {               /* upper-case hex is fine too */
                char *u = apr_pstrdup(p, *hex), *q;
                for (q = u; *q; q++) {
                    *q = (char)apr_toupper(*q);
                }
                *hex = u;
            }
            return AC_BE_OK;
        }
    }
    return AC_BE_NOT_FOUND;
}

static ac_be_status fake_userhash(void *ctx, const char *hash,
                                  const char *realm, const char *alg,
                                  const char **user, const char **reason,
                                  apr_pool_t *p)
{
    unsigned i;

    for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        if (!strcmp(hash, HS(p, alg, users[i][0], ":", realm))) {
            if (!strcmp(users[i][0], "down")) {
                return AC_BE_ERROR;
            }
            *user = users[i][0];
            return AC_BE_OK;
        }
    }
    return AC_BE_NOT_FOUND;
}

static const ac_backend fake = { .name = "fake", .get_ha1 = fake_ha1,
                                 .resolve_userhash = fake_userhash };
static const ac_backend *fake_items[] = { &fake };
static const ac_backend_list fake_list = { fake_items, 1 };

/* ------------------------------------------------------- a fixture */

static int counting_rand(unsigned char *buf, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        buf[i] = (unsigned char)i;
    }
    return 1;
}

typedef struct {
    apr_pool_t *p;
    ac_scheme_conf conf;
    ac_digest_conf *dc;
    ac_scheme_set set;
    ac_memstate m;
    ac_state st;
    ac_request req;
    const char *opaque;
} fixture;

static void set_algs(fixture *f, const char *const *names)
{
    apr_array_clear(f->dc->algorithms);
    for (; *names; names++) {
        APR_ARRAY_PUSH(f->dc->algorithms, const ac_hash_alg *) =
            ac_hash_find(*names);
    }
}

static fixture *fx(apr_pool_t *p)
{
    static const char *const names[] = { "Digest", "Basic" };
    fixture *f = apr_pcalloc(p, sizeof(*f));
    const char *bad;

    f->p = p;
    f->dc = ac_digest_conf_make(p);
    ac_memstate_init(&f->m, &f->st, p);
    f->st.put = record_put;
    f->conf.realm = REALM;
    f->conf.charset_utf8 = 1;
    f->conf.backends = &fake_list;
    f->conf.digest = f->dc;
    f->conf.state = &f->st;
    f->conf.secret = secret;
    f->conf.secret_len = 32;
    assert_true(ac_scheme_set_parse(&f->set, names, 2, &bad));
    f->req.method = "GET";
    f->req.path = URI;
    f->req.target = URI;
    f->req.now = T0;
    f->opaque = ac_nonce_opaque(p, secret, 32, REALM);
    return f;
}

static const char *nonce_at(fixture *f, apr_time_t t)
{
    return ac_nonce_issue(f->p, secret, 32, REALM, f->opaque, t, NULL);
}

/* A correct SHA-256 auth response from Mufasa to a fresh nonce. */
static client good(fixture *f)
{
    client c = { 0 };

    c.alg = "SHA-256";
    c.qop = "auth";
    c.user = "Mufasa";
    c.password = "Circle of Life";
    c.realm = REALM;
    c.nonce = nonce_at(f, f->req.now);
    c.opaque = f->opaque;
    c.cnonce = RFC_CNONCE;
    c.nc = "00000001";
    c.uri = URI;
    c.method = "GET";
    c.body = "";
    return c;
}

static ac_result run_raw(fixture *f, const char *credentials)
{
    ac_request req = f->req;
    ac_result res;

    req.credentials = credentials;
    ac_authenticate(&f->conf, &f->set, &req, &res, f->p);
    return res;
}

static ac_result run(fixture *f, const client *c)
{
    return run_raw(f, authz(f->p, c));
}

static void expect(ac_result r, ac_verdict v, int failed, int stale,
                   const char *reason)
{
    assert_int_equal(r.verdict, v);
    assert_int_equal(r.failed, failed);
    assert_int_equal(r.stale, stale);
    if (reason) {
        assert_string_equal(r.reason, reason);
    }
    if (v != AC_OK) {
        assert_null(r.user);
        assert_null(r.info);
    }
}

#define OK(r) expect((r), AC_OK, 0, 0, "digest verified")
#define BAD(r, why) expect((r), AC_BAD_REQUEST, 0, 0, (why))
#define REFUSED(r, why) expect((r), AC_CHALLENGE, 1, 0, (why))
#define DOWN(r, why) expect((r), AC_UNAVAILABLE, 0, 0, (why))

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

static apr_array_header_t *challenges(fixture *f, const ac_result *res)
{
    return ac_auth_challenges(&f->conf, &f->set, &f->req, res, f->p)
           ->items;
}

#define CHAL(a, i) APR_ARRAY_IDX((a), (i), const char *)
#define KNOWN_NONCE "AAAAAGVT8QAAAQIDBAUGBwgJCgsMDQ4PR5-OEmExK15YEzScBLvo" \
                    "QziE7emNNgsPSiz1eANitb4"
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
    f->conf.digest = NULL;
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
                assert_string_equal(r.info, expected_info(f, &c));
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
    TRY(nonce, ac_nonce_issue(f->p, other_secret, 32, REALM, f->opaque, T0,
                              NULL), "invalid nonce");
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

static void auth_info(void **state)
{
    fixture *f = fx(*state);
    client c = good(f);
    ac_result r;
    const char *next;

    f->dc->rnd = counting_rand;
    r = run(f, &c);
    OK(r);
    assert_string_equal(r.info, expected_info(f, &c));
    assert_null(strstr(r.info, "nextnonce"));
    /* exactly half the lifetime: not yet */
    c.nonce = nonce_at(f, T0 - SEC(150));
    r = run(f, &c);
    OK(r);
    assert_string_equal(r.info, expected_info(f, &c));
    /* past half its lifetime: a nextnonce that verifies */
    c.nonce = nonce_at(f, T0 - SEC(151));
    r = run(f, &c);
    OK(r);
    next = apr_pstrcat(f->p, expected_info(f, &c), ", nextnonce=\"",
                       KNOWN_NONCE, "\"", NULL);
    assert_string_equal(r.info, next);
    assert_int_equal(ac_nonce_verify(f->p, secret, 32, KNOWN_NONCE, REALM,
                                     f->opaque, T0, SEC(300), NULL),
                     AC_NONCE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(vectors), AC_TEST(ext_value), AC_TEST(wants_body),
        AC_TEST(challenge_text), AC_TEST(challenge_needs_nonce),
        AC_TEST(round_trips), AC_TEST(username_star),
        AC_TEST(bad_requests), AC_TEST(refusals), AC_TEST(leniency),
        AC_TEST(stale), AC_TEST(replay), AC_TEST(fail_closed),
        AC_TEST(auth_int), AC_TEST(uri_forms), AC_TEST(auth_info),
    };
    return cmocka_run_group_tests_name("ac_digest", tests, NULL, NULL);
}
