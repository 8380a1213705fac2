/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Authorization server metadata (RFC 8414, OpenID Discovery): the
 * issuers a metadata URL names, the issuer check against mix-up, the
 * URLs of the document; and RFC 7662 introspection answers. */
#include "ac_test.h"
#include "ac_asmeta.h"
#include "ac_introspect.h"
#include "ac_http.h"

static void issuers_of(void **state)
{
    apr_pool_t *p = *state;
    const char *c[2];

    assert_int_equal(ac_asmeta_issuers_of("https://as.example/.well-known/"
                                          "openid-configuration", c, p), 1);
    assert_string_equal(c[0], "https://as.example");
    assert_int_equal(ac_asmeta_issuers_of("https://as.example/realms/corp/"
                                          ".well-known/openid-configuration",
                                          c, p), 1);
    assert_string_equal(c[0], "https://as.example/realms/corp");
    /* RFC 8414 §3.1: the segment before the issuer's path */
    assert_int_equal(ac_asmeta_issuers_of("https://as.example/.well-known/"
                                          "oauth-authorization-server/t1",
                                          c, p), 1);
    assert_string_equal(c[0], "https://as.example/t1");
    /* Okta's form: after the path */
    assert_int_equal(ac_asmeta_issuers_of("https://x.okta.com/oauth2/default"
                                          "/.well-known/oauth-authorization-"
                                          "server", c, p), 1);
    assert_string_equal(c[0], "https://x.okta.com/oauth2/default");
    assert_int_equal(ac_asmeta_issuers_of("https://as.example/.well-known/"
                                          "oauth-authorization-server", c, p),
                     1);
    assert_string_equal(c[0], "https://as.example");
    assert_int_equal(ac_asmeta_issuers_of("https://as.example/metadata.json",
                                          c, p), 0);
    assert_int_equal(ac_asmeta_issuers_of("https://as.example/.well-known/"
                                          "openid-configuration?x=1", c, p),
                     0);
}

#define URL "https://as.example/.well-known/oauth-authorization-server"

static const char *parse(apr_pool_t *p, const char *json, const char *url,
                         const char *expected, ac_asmeta *m)
{
    return ac_asmeta_parse(json, strlen(json), url, expected, m, p);
}

static void metadata(void **state)
{
    apr_pool_t *p = *state;
    ac_asmeta m;

    assert_null(parse(p, "{\"issuer\":\"https://as.example\",\"jwks_uri\":"
                      "\"https://as.example/jwks\",\"introspection_endpoint\""
                      ":\"https://as.example/i\"}", URL, NULL, &m));
    assert_string_equal(m.issuer, "https://as.example");
    assert_string_equal(m.jwks_uri, "https://as.example/jwks");
    assert_string_equal(m.introspection_endpoint, "https://as.example/i");
    /* a trailing slash, as Auth0 writes it */
    assert_null(parse(p, "{\"issuer\":\"https://as.example/\"}", URL, NULL,
                      &m));
    assert_null(m.jwks_uri);
    /* mix-up: another issuer than the URL names, or than configured */
    assert_non_null(parse(p, "{\"issuer\":\"https://evil.example\"}", URL,
                          NULL, &m));
    assert_null(m.issuer);
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example\"}", URL,
                          "https://other.example", &m));
    assert_null(parse(p, "{\"issuer\":\"https://id.example\"}",
                      "https://as.example/meta.json", "https://id.example",
                      &m));
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example\"}",
                          "https://as.example/meta.json", NULL, &m));
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example\",\"jwks_uri\""
                          ":\"file:///etc/passwd\"}", URL, NULL, &m));
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example\",\"jwks_uri\""
                          ":7}", URL, NULL, &m));
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example?x\"}", URL,
                          NULL, &m));
    assert_non_null(parse(p, "[]", URL, NULL, &m));
    assert_non_null(parse(p, "{\"issuer\":1}", URL, NULL, &m));
    assert_non_null(parse(p, "{\"issuer\":\"https://as.example\",\"issuer\":"
                          "\"https://as.example\"}", URL, NULL, &m));
    assert_non_null(parse(p, "{", URL, NULL, &m));
}

static void urls(void **state)
{
    assert_true(ac_http_url_ok("https://as.example/x?y=1"));
    assert_true(ac_http_url_ok("http://127.0.0.1:8080/"));
    assert_false(ac_http_url_ok("https://user:pw@as.example/"));
    assert_false(ac_http_url_ok("ftp://as.example/"));
    assert_false(ac_http_url_ok("https:///x"));
    assert_false(ac_http_url_ok("https://as.example/a b"));
    assert_false(ac_http_url_ok("https://as.example/#f"));
    assert_false(ac_http_url_ok("https://as.example/\r\nX: y"));
    assert_false(ac_http_url_ok(NULL));
}

static ac_intro_status intro(apr_pool_t *p, const char *json, ac_jwt *j,
                             const char **why)
{
    return ac_introspect_parse(json, strlen(json), j, why, p);
}

static void introspection_answers(void **state)
{
    apr_pool_t *p = *state;
    const char *why;
    ac_jwt j;

    assert_int_equal(intro(p, "{\"active\":true,\"sub\":\"alice\",\"scope\":"
                           "\"read write\",\"exp\":1700000600,\"aud\":"
                           "[\"a\",\"b\"],\"acr\":\"gold\"}", &j, &why),
                     AC_INTRO_ACTIVE);
    assert_string_equal(apr_hash_get(j.claims, "sub", APR_HASH_KEY_STRING),
                        "alice");
    assert_string_equal(apr_hash_get(j.claims, "aud", APR_HASH_KEY_STRING),
                        "a b");
    assert_int_equal(j.scopes->nelts, 2);
    assert_true(j.exp == apr_time_from_sec(1700000600));
    assert_int_equal(intro(p, "{\"active\":false}", &j, &why),
                     AC_INTRO_INACTIVE);
    /* inactive whatever else it says */
    assert_int_equal(intro(p, "{\"active\":false,\"sub\":\"x\"}", &j, &why),
                     AC_INTRO_INACTIVE);
    assert_int_equal(intro(p, "{\"active\":\"true\"}", &j, &why),
                     AC_INTRO_ERROR);
    assert_non_null(why);
    assert_int_equal(intro(p, "{\"sub\":\"x\"}", &j, &why), AC_INTRO_ERROR);
    assert_int_equal(intro(p, "{\"active\":true,\"exp\":\"soon\"}", &j,
                           &why), AC_INTRO_ERROR);
    assert_null(strstr(why, "soon"));
    assert_int_equal(intro(p, "{\"active\":true,\"scope\":[1]}", &j, &why),
                     AC_INTRO_ERROR);
    assert_int_equal(intro(p, "[true]", &j, &why), AC_INTRO_ERROR);
    assert_int_equal(intro(p, "not json", &j, &why), AC_INTRO_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(issuers_of),
        AC_TEST(metadata),
        AC_TEST(urls),
        AC_TEST(introspection_answers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
