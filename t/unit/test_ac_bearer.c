/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* The Bearer scheme: token transports, the exact RFC 6750 verdicts and
 * challenges, opaque tokens, cached identities, scopes and claims. */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_auth.h"
#include "ac_bearer.h"
#include "ac_identity.h"
#include "ac_hash.h"
#include "ac_util.h"
#include "ac_backend_dbm.h"

#include <stdio.h>
#include <unistd.h>
#include <openssl/hmac.h>

#define SECRET "0123456789abcdef0123456789abcdef"
#define NOW apr_time_from_sec(1700000000)

static const char *b64url(apr_pool_t *p, const char *s)
{
    return ac_base64url_encode(p, (const unsigned char *)s, strlen(s));
}

/* An HS256 JWT over claims (JSON text). */
static const char *hs256(apr_pool_t *p, const char *claims)
{
    const char *in = apr_pstrcat(p, b64url(p, "{\"alg\":\"HS256\"}"), ".",
                                 b64url(p, claims), NULL);
    unsigned char mac[32];
    unsigned int n = 0;

    HMAC(EVP_sha256(), SECRET, 32, (const unsigned char *)in, strlen(in),
         mac, &n);
    return apr_pstrcat(p, in, ".", ac_base64url_encode(p, mac, n), NULL);
}

/* Opaque tokens: "good" (alice, scopes read write), "old" (expired). */
static ac_be_status fake_token(void *ctx, const char *hex, ac_token *out,
                               const char **reason, apr_pool_t *p)
{
    if (!strcmp(hex, ac_sha256_hex(p, "good"))) {
        return ac_dbm_parse_token(p, "alice|0|read write", out) ? AC_BE_OK
                                                                   : AC_BE_ERROR;
    }
    if (!strcmp(hex, ac_sha256_hex(p, "old"))) {
        return ac_dbm_parse_token(p, "bob|1000|read", out) ? AC_BE_OK
                                                              : AC_BE_ERROR;
    }
    if (!strcmp(hex, ac_sha256_hex(p, "ctl"))) {
        return ac_dbm_parse_token(p, "al\nice|0|read", out) ? AC_BE_OK
                                                             : AC_BE_ERROR;
    }
    if (!strcmp(hex, ac_sha256_hex(p, "latin1"))) {
        return ac_dbm_parse_token(p, "b\xf6" "b|0|read", out)
               ? AC_BE_OK : AC_BE_ERROR;
    }
    if (!strcmp(hex, ac_sha256_hex(p, "down"))) {
        *reason = "directory down";
        return AC_BE_ERROR;
    }
    return AC_BE_NOT_FOUND;
}

static const ac_backend fake = { .name = "fake",
                                 .lookup_token = fake_token };
static const ac_backend *fake_items[] = { &fake };
static const ac_backend_list fake_list = { fake_items, 1 };

typedef struct {
    ac_place conf;
    ac_bearer_conf bc;
    ac_request req;
    ac_result res;
    ac_challenges *ch;
} fixture;

static void setup(apr_pool_t *p, fixture *f)
{
    static const char *names[] = { "Bearer" };
    char path[] = "/tmp/ac-bearer-key-XXXXXX";
    int fd = mkstemp(path);
    const char *bad;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, SECRET "\n", 33), 33);
    close(fd);
    memset(f, 0, sizeof(*f));
    f->bc.keys = ac_jwt_keyset_make(p);
    assert_null(ac_jwt_keyset_add_key_file((ac_jwt_keyset *)f->bc.keys,
                                           "HS256", path));
    unlink(path);
    f->bc.checks.leeway = apr_time_from_sec(60);
    f->bc.checks.require_exp = 1;
    f->bc.user_claim = "sub";
    f->bc.tokens = &fake_list;
    f->conf.realm = "API";
    AC_OWN(&f->conf, &ac_scheme_bearer) = &f->bc;
    assert_true(ac_scheme_set_parse(&f->conf.set, names, 1, &bad));
    f->req.now = NOW;
}

static void run(apr_pool_t *p, fixture *f, const char *cred)
{
    f->req.credentials = cred;
    ac_authenticate(&f->conf, &f->req, &f->res, p);
    f->ch = ac_auth_challenges(&f->conf, &f->req, &f->res, p);
}

static const char *chal(fixture *f)
{
    assert_int_equal(f->ch->items->nelts, 1);
    return APR_ARRAY_IDX(f->ch->items, 0, const char *);
}

static void no_credentials(void **state)
{
    fixture f;

    setup(*state, &f);
    run(*state, &f, NULL);
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_false(f.res.failed);
    assert_string_equal(chal(&f), "Bearer realm=\"API\"");
    assert_int_equal(ac_verdict_status(f.res.verdict, 1), 407);
}

static void jwt_ok_and_invalid(void **state)
{
    apr_pool_t *p = *state;
    const char *good = hs256(p, "{\"sub\":\"alice\",\"exp\":1700000600,"
                                "\"scope\":\"read admin\",\"role\":"
                                "[\"editor\",\"x\"]}");
    fixture f;

    setup(p, &f);
    run(p, &f, apr_pstrcat(p, "Bearer ", good, NULL));
    assert_int_equal(f.res.verdict, AC_OK);
    assert_string_equal(f.res.user, "alice");
    assert_int_equal(f.res.identity->scopes->nelts, 2);
    assert_true(ac_identity_claim_matches(f.res.identity, "role", "editor",
                                          p));
    assert_false(ac_identity_claim_matches(f.res.identity, "role", "edit",
                                           p));
    assert_true(ac_identity_claim_matches(f.res.identity, "sub", "alice",
                                          p));
    run(p, &f, apr_pstrcat(p, "Bearer ", good, "x", NULL));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_true(f.res.failed);
    assert_string_equal(f.res.error, "invalid_token");
    assert_non_null(strstr(chal(&f), "error=\"invalid_token\", "
                                     "error_description=\""));
    run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, "{\"sub\":\"a\","
                                                  "\"exp\":1699990000}"),
                           NULL));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_string_equal(f.res.error, "invalid_token");
    run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, "{\"exp\":1700000600}"),
                           NULL));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);  /* no user claim */
}

/* The user claim becomes r->user, which docs/proxy.md hands to the back
 * end with RequestHeader set X-Remote-User expr=%{REMOTE_USER}: an
 * ap_expr value goes into the proxied request as it is, so CR LF there
 * would add header lines (RFC 9110 §5.5: no CR, LF or NUL in a field
 * value).  A user name with any control character is refused, whatever
 * scheme it comes from (ac_authenticate). */
static void user_claim_ctl(void **state)
{
    apr_pool_t *p = *state;
    static const char *const bad[] = {
        "alice\\r\\nX-Injected: 1", "alice\\n", "al\\tice", "alice\\u007f",
    };
    fixture f;
    size_t i;

    setup(p, &f);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, apr_psprintf(p,
                "{\"sub\":\"%s\",\"exp\":1700000600}", bad[i])), NULL));
        assert_int_equal(f.res.verdict, AC_CHALLENGE);
        assert_true(f.res.failed);
        assert_null(f.res.user);
        assert_string_equal(f.res.error, "invalid_token");
        assert_string_equal(f.res.error_description,
                            "control character or invalid UTF-8 "
                            "in the user name");
    }
    run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, "{\"sub\":\"al ice \\u00e9\","
                                                  "\"exp\":1700000600}"),
                           NULL));
    assert_int_equal(f.res.verdict, AC_OK);        /* spaces, UTF-8: fine */
    assert_string_equal(f.res.user, "al ice \xc3\xa9");
}

static void malformed(void **state)
{
    apr_pool_t *p = *state;
    fixture f;

    setup(p, &f);
    run(p, &f, "Bearer");
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    assert_string_equal(chal(&f), "Bearer realm=\"API\", error="
                        "\"invalid_request\", error_description=\"no "
                        "token\"");
    run(p, &f, "Bearer a b");
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    run(p, &f, "Bearer a=b, c=d");
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    f.req.bearer_other = "good";
    f.req.bearer_other_count = 1;
    run(p, &f, "Bearer good");                /* header and query */
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    f.req.bearer_other_count = 2;
    run(p, &f, NULL);                         /* two query tokens */
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    f.req.bearer_other = "a b";
    f.req.bearer_other_count = 1;
    run(p, &f, NULL);                         /* bad characters */
    assert_int_equal(f.res.verdict, AC_BAD_REQUEST);
    assert_true(ac_bearer_is_b64token("abc-._~+/=="));
    assert_false(ac_bearer_is_b64token("=abc"));
    assert_false(ac_bearer_is_b64token("ab=c"));
    assert_false(ac_bearer_is_b64token(""));
}

static void opaque(void **state)
{
    apr_pool_t *p = *state;
    fixture f;

    setup(p, &f);
    run(p, &f, "Bearer good");
    assert_int_equal(f.res.verdict, AC_OK);
    assert_string_equal(f.res.user, "alice");
    run(p, &f, "Bearer old");
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_string_equal(f.res.error_description, "token expired");
    run(p, &f, "Bearer nope");
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_string_equal(f.res.error_description, "unknown token");
    run(p, &f, "Bearer down");
    assert_int_equal(f.res.verdict, AC_UNAVAILABLE);
    f.req.bearer_other = "good";               /* from the body/query */
    f.req.bearer_other_count = 1;
    run(p, &f, NULL);
    assert_int_equal(f.res.verdict, AC_OK);
}

/* A user name with a control character or invalid UTF-8, from a claim
 * or a token record, is refused like one sent with Basic or Digest. */
static void unusable_user(void **state)
{
    apr_pool_t *p = *state;
    static const char *const subs[] = { "al\\u0001ice", "al\\u007fice",
                                        "al\\nice", "\\u0000" };
    fixture f;
    int i;

    setup(p, &f);
    for (i = 0; i < 4; i++) {
        run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, apr_psprintf(p,
                               "{\"sub\":\"%s\",\"exp\":1700000600}",
                               subs[i])), NULL));
        assert_int_equal(f.res.verdict, AC_CHALLENGE);
        assert_string_equal(f.res.error, "invalid_token");
        assert_null(f.res.user);
    }
    run(p, &f, "Bearer ctl");
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_string_equal(f.res.error, "invalid_token");
    assert_null(f.res.user);
    run(p, &f, "Bearer latin1");
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_null(f.res.user);
    run(p, &f, apr_pstrcat(p, "Bearer ", hs256(p, "{\"sub\":\"J\\u00fc"
                                                  "rgen\",\"exp\":"
                                                  "1700000600}"), NULL));
    assert_int_equal(f.res.verdict, AC_OK);
    assert_string_equal(f.res.user, "J\xc3\xbcrgen");
}

static void cached(void **state)
{
    apr_pool_t *p = *state;
    const char *tok = hs256(p, "{\"sub\":\"carol\",\"exp\":1700000600,"
                               "\"scp\":[\"a\",\"b\"],\"d\":\"ops\"}");
    unsigned char secret[32] = SECRET;
    ac_credcache cc = { NULL, secret, 32, apr_time_from_sec(300), "s" };
    ac_memstate m;
    ac_state st;
    fixture f;

    ac_memstate_init(&m, &st, p);
    cc.state = &st;
    setup(p, &f);
    f.conf.credcache = &cc;
    run(p, &f, apr_pstrcat(p, "Bearer ", tok, NULL));
    assert_int_equal(f.res.verdict, AC_OK);
    assert_string_equal(f.res.reason, "token verified");
    run(p, &f, apr_pstrcat(p, "Bearer ", tok, NULL));
    assert_string_equal(f.res.reason, "token verified (cached)");
    assert_string_equal(f.res.user, "carol");
    assert_int_equal(f.res.identity->scopes->nelts, 2);
    assert_string_equal(apr_hash_get(f.res.identity->claims, "d", APR_HASH_KEY_STRING), "ops");
    assert_true(ac_identity_claim_matches(f.res.identity, "scp", "b", p));
    /* bounded by exp: 600 s later the entry is gone, the token expired */
    f.req.now = NOW + apr_time_from_sec(700);
    run(p, &f, apr_pstrcat(p, "Bearer ", tok, NULL));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
}

static void scopes(void **state)
{
    apr_pool_t *p = *state;
    apr_array_header_t *have = apr_array_make(p, 2, sizeof(char *));
    apr_array_header_t *need = apr_array_make(p, 2, sizeof(char *));
    ac_identity id = { 0 };

    APR_ARRAY_PUSH(have, const char *) = "read";
    APR_ARRAY_PUSH(have, const char *) = "write";
    id.scopes = have;
    APR_ARRAY_PUSH(need, const char *) = "write";
    assert_true(ac_identity_has_scopes(&id, need));
    APR_ARRAY_PUSH(need, const char *) = "admin";
    assert_false(ac_identity_has_scopes(&id, need));
    assert_false(ac_identity_has_scopes(NULL, need));
}

static void forbidden_challenge(void **state)
{
    apr_pool_t *p = *state;
    fixture f;

    setup(p, &f);
    memset(&f.res, 0, sizeof(f.res));
    f.res.verdict = AC_FORBIDDEN;
    f.res.scheme = "Bearer";
    f.res.error = "insufficient_scope";
    f.res.scope = "admin write";
    f.ch = ac_auth_challenges(&f.conf, &f.req, &f.res, p);
    assert_string_equal(chal(&f), "Bearer realm=\"API\", error="
                        "\"insufficient_scope\", scope=\"admin write\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(no_credentials), AC_TEST(jwt_ok_and_invalid),
        AC_TEST(user_claim_ctl), AC_TEST(malformed), AC_TEST(opaque),
        AC_TEST(unusable_user),
        AC_TEST(cached),
        AC_TEST(scopes), AC_TEST(forbidden_challenge),
    };
    return cmocka_run_group_tests_name("ac_bearer", tests, NULL, NULL);
}
