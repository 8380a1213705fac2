/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Bearer as the resource server of an authorization server: settings
 * finished by the scheme (RFC 9068 audience, the resource as audience,
 * "*"), resource_metadata on every challenge (RFC 9728), the step-up
 * challenges of RFC 9470 and AuthChallengeBearerMaxAge on fresh and
 * cached verdicts, and the RFC 9728 document.
 */
#include "ac_test.h"
#include "ac_memstate.h"
#include "ac_auth.h"
#include "ac_bearer.h"
#include "ac_util.h"

#include <unistd.h>
#include <openssl/hmac.h>

#define SECRET "0123456789abcdef0123456789abcdef"
#define NOW apr_time_from_sec(1700000000)

static const char *b64url(apr_pool_t *p, const char *s)
{
    return ac_base64url_encode(p, (const unsigned char *)s, strlen(s));
}

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

typedef struct {
    ac_place pl;
    ac_request req;
    ac_result res;
} fixture;

/* in: settings as directives would leave them; finished into f. */
static const ac_bearer_conf *finish(apr_pool_t *p, fixture *f,
                                    ac_bearer_conf *in)
{
    static const char *names[] = { "Bearer" };
    char path[] = "/tmp/ac-bearer-rs-XXXXXX";
    int fd = mkstemp(path);
    const char *bad;
    const ac_bearer_conf *bc;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, SECRET, 32), 32);
    close(fd);
    if (!in->keys) {
        in->keys = ac_jwt_keyset_make(p);
        assert_null(ac_jwt_keyset_add_key_file(in->keys, "HS256", path));
    }
    unlink(path);
    memset(f, 0, sizeof(*f));
    f->pl.realm = "API";
    assert_true(ac_scheme_set_parse(&f->pl.set, names, 1, &bad));
    bc = ac_scheme_bearer.conf_finish(in, &f->pl, NULL, p);
    AC_OWN(&f->pl, &ac_scheme_bearer) = bc;
    f->req.now = NOW;
    return bc;
}

static ac_bearer_conf *fresh(apr_pool_t *p)
{
    return ac_scheme_bearer.conf_create(p);
}

static apr_array_header_t *list(apr_pool_t *p, const char *a,
                                const char *b)
{
    apr_array_header_t *l = apr_array_make(p, 2, sizeof(const char *));

    APR_ARRAY_PUSH(l, const char *) = a;
    if (b) {
        APR_ARRAY_PUSH(l, const char *) = b;
    }
    return l;
}

static const char *challenge(apr_pool_t *p, fixture *f)
{
    ac_challenges *c = ac_auth_challenges(&f->pl, &f->req, &f->res, p);

    assert_int_equal(c->items->nelts, 1);
    return APR_ARRAY_IDX(c->items, 0, const char *);
}

static void run(apr_pool_t *p, fixture *f, const char *tok)
{
    f->req.credentials = tok ? apr_pstrcat(p, "Bearer ", tok, NULL) : NULL;
    ac_authenticate(&f->pl, &f->req, &f->res, p);
}

static void rfc9068_settings(void **state)
{
    apr_pool_t *p = *state;
    ac_bearer_conf *in = fresh(p);
    const ac_bearer_conf *bc;
    const char *why = NULL;
    fixture f;

    in->jwks_file = 1;                  /* a JWKS file: an AS's keys */
    assert_true(ac_bearer_lacks_audience(in));
    bc = finish(p, &f, in);
    assert_true(bc->rfc9068);
    assert_true(bc->checks.access_token_typ);
    assert_false(ac_scheme_bearer.usable(&f.pl, &why));
    assert_non_null(strstr(why, "RFC 9068"));
    /* the resource is the audience (RFC 8707) */
    in->resource = "https://rs.example/api";
    assert_false(ac_bearer_lacks_audience(in));
    bc = finish(p, &f, in);
    assert_true(ac_scheme_bearer.usable(&f.pl, &why));
    assert_int_equal(bc->checks.audiences->nelts, 1);
    /* "*": any, on purpose */
    in->resource = NULL;
    in->audiences = list(p, "*", NULL);
    bc = finish(p, &f, in);
    assert_true(ac_scheme_bearer.usable(&f.pl, &why));
    assert_null(bc->checks.audiences);
    /* keys of an AuthChallengeBearerKey file: rules as before */
    in = fresh(p);
    bc = finish(p, &f, in);
    assert_false(bc->rfc9068);
    assert_true(ac_scheme_bearer.usable(&f.pl, &why));
    /* defaults of the new settings */
    assert_true(bc->refresh == apr_time_from_sec(3600));
    assert_true(bc->min_refresh == apr_time_from_sec(60));
    assert_true(bc->fetch_timeout == apr_time_from_sec(5));
    assert_true(bc->introspect_cache == apr_time_from_sec(60));
    assert_true(bc->max_age == 0);
}

static void resource_metadata_param(void **state)
{
    apr_pool_t *p = *state;
    ac_bearer_conf *in = fresh(p);
    fixture f;

    in->resource_metadata = "https://rs.example/.well-known/oauth-"
                            "protected-resource";
    finish(p, &f, in);
    run(p, &f, NULL);
    assert_string_equal(challenge(p, &f), "Bearer realm=\"API\", "
                        "resource_metadata=\"https://rs.example/.well-known/"
                        "oauth-protected-resource\"");
    run(p, &f, "x.y.z");
    assert_string_equal(challenge(p, &f), "Bearer realm=\"API\", "
                        "error=\"invalid_token\", error_description="
                        "\"malformed token\", resource_metadata=\"https://"
                        "rs.example/.well-known/oauth-protected-resource\"");
}

static void max_age(void **state)
{
    apr_pool_t *p = *state;
    ac_bearer_conf *in = fresh(p);
    unsigned char secret[32] = SECRET;
    ac_credcache cc = { NULL, secret, 32, apr_time_from_sec(300), "s" };
    const char *recent = hs256(p, "{\"sub\":\"a\",\"exp\":1700000600,"
                                  "\"auth_time\":1699999800}");
    ac_memstate m;
    ac_state st;
    fixture f;

    in->max_age = apr_time_from_sec(300);
    finish(p, &f, in);
    ac_memstate_init(&m, &st, p);
    cc.state = &st;
    f.pl.credcache = &cc;
    run(p, &f, recent);
    assert_int_equal(f.res.verdict, AC_OK);
    run(p, &f, recent);
    assert_string_equal(f.res.reason, "token verified (cached)");
    /* 101 s later auth_time is 301 s old: cached or not, step up */
    f.req.now = NOW + apr_time_from_sec(101);
    run(p, &f, recent);
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_false(f.res.failed);
    assert_string_equal(challenge(p, &f), "Bearer realm=\"API\", error="
                        "\"insufficient_user_authentication\", "
                        "error_description=\"More recent authentication is "
                        "required\", max_age=\"300\"");
    f.req.now = NOW;
    run(p, &f, hs256(p, "{\"sub\":\"a\",\"exp\":1700000600}"));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);   /* no auth_time */
    run(p, &f, hs256(p, "{\"sub\":\"a\",\"exp\":1700000600,"
                        "\"auth_time\":\"x\"}"));
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
}

static void step_up(void **state)
{
    apr_pool_t *p = *state;
    ac_bearer_conf *in = fresh(p);
    fixture f;

    finish(p, &f, in);
    ac_bearer_step_up(&f.pl, "gold silver", &f.res, p);
    assert_int_equal(f.res.verdict, AC_CHALLENGE);
    assert_int_equal(ac_verdict_status(f.res.verdict, 1), 407);
    assert_string_equal(challenge(p, &f), "Bearer realm=\"API\", error="
                        "\"insufficient_user_authentication\", "
                        "error_description=\"A different authentication "
                        "level is required\", acr_values=\"gold silver\"");
    in->max_age = apr_time_from_sec(60);
    finish(p, &f, in);
    ac_bearer_step_up(&f.pl, "gold", &f.res, p);
    assert_non_null(strstr(challenge(p, &f), ", acr_values=\"gold\", "
                                             "max_age=\"60\""));
}

static void resource_document(void **state)
{
    apr_pool_t *p = *state;
    ac_bearer_conf *in = fresh(p);
    const char *json = NULL;

    assert_non_null(ac_bearer_resource_metadata(in, NULL, NULL, 0, &json,
                                                p));
    in->resource = "https://rs.example/api";
    in->issuer = "https://as.example";
    in->scopes_supported = list(p, "read", "write");
    in->transport = AC_TRANSPORT_HEADER | AC_TRANSPORT_QUERY;
    assert_null(ac_bearer_resource_metadata(in, NULL, NULL, 0, &json, p));
    assert_string_equal(json, "{\"resource\":\"https://rs.example/api\","
                        "\"authorization_servers\":[\"https://as.example\"],"
                        "\"bearer_methods_supported\":[\"header\",\"query\"],"
                        "\"scopes_supported\":[\"read\",\"write\"]}");
    /* no issuer configured: the one the metadata URL names, unfetched */
    in->issuer = NULL;
    in->scopes_supported = NULL;
    in->transport = AC_UNSET;
    in->metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration";
    in->fetch_timeout = apr_time_from_msec(200);
    assert_null(ac_bearer_resource_metadata(in, NULL, NULL, 0, &json, p));
    assert_string_equal(json, "{\"resource\":\"https://rs.example/api\","
                        "\"authorization_servers\":[\"http://127.0.0.1:9\"],"
                        "\"bearer_methods_supported\":[\"header\"]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(rfc9068_settings),
        AC_TEST(resource_metadata_param),
        AC_TEST(max_age),
        AC_TEST(step_up),
        AC_TEST(resource_document),
    };

    ac_http_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
