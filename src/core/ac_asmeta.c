/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_asmeta.h"
#include "ac_http.h"

#include <string.h>
#include <apr_strings.h>
#include <jansson.h>

#define WK_OAUTH "/.well-known/oauth-authorization-server"
#define WK_OIDC  "/.well-known/openid-configuration"

/* Where the path of an http(s) URL starts, or NULL. */
static const char *path_of(const char *url)
{
    const char *s = strstr(url, "://");

    return s ? s + 3 + strcspn(s + 3, "/?") : NULL;
}

static int ends_with(const char *s, apr_size_t n, const char *tail)
{
    apr_size_t t = strlen(tail);

    return n >= t && !memcmp(s + n - t, tail, t);
}

int ac_asmeta_issuers_of(const char *url, const char *out[2],
                         apr_pool_t *p)
{
    const char *path = url ? path_of(url) : NULL;
    apr_size_t n = url ? strlen(url) : 0;
    int count = 0;

    if (!path || strchr(path, '?')) {
        return 0;
    }
    /* issuer + "/.well-known/...": OpenID Discovery §4, and the form
     * Okta and Keycloak also use for RFC 8414 documents */
    if (ends_with(url, n, WK_OIDC)) {
        out[count++] = apr_pstrmemdup(p, url, n - strlen(WK_OIDC));
    }
    else if (ends_with(url, n, WK_OAUTH)) {
        out[count++] = apr_pstrmemdup(p, url, n - strlen(WK_OAUTH));
    }
    /* RFC 8414 §3.1: the well-known segment before the issuer's path */
    if (!strncmp(path, WK_OAUTH "/", strlen(WK_OAUTH) + 1)
        && path[strlen(WK_OAUTH) + 1]) {
        out[count++] = apr_pstrcat(p, apr_pstrmemdup(p, url, path - url),
                                   path + strlen(WK_OAUTH), NULL);
    }
    return count;
}

/* a equals b, or a is b with one '/' after it */
static int same_issuer(const char *a, const char *b)
{
    apr_size_t n = strlen(b);

    return !strcmp(a, b)
           || (!strncmp(a, b, n) && a[n] == '/' && a[n + 1] == '\0');
}

static const char *issuer_check(const char *iss, const char *url,
                                const char *expected, apr_pool_t *p)
{
    const char *cand[2];
    int i, n;

    if (!ac_http_url_ok(iss) || strchr(iss, '?')) {
        return "its issuer is not an http or https URL without a query "
               "(RFC 8414 §2)";
    }
    if (expected) {
        return !strcmp(iss, expected) ? NULL
               : "its issuer is not AuthChallengeBearerIssuer";
    }
    n = ac_asmeta_issuers_of(url, cand, p);
    for (i = 0; i < n; i++) {
        if (same_issuer(iss, cand[i])) {
            return NULL;
        }
    }
    return n ? "its issuer is not the one the metadata URL names "
               "(RFC 8414 §3.3)"
             : "the URL names no issuer (no /.well-known/ path): set "
               "AuthChallengeBearerIssuer";
}

/* The member name of o: absent (NULL, no error) or an http(s) URL. */
static const char *url_member(json_t *o, const char *name, const char **out,
                              apr_pool_t *p)
{
    json_t *v = json_object_get(o, name);

    *out = NULL;
    if (!v) {
        return NULL;
    }
    if (!json_is_string(v) || !ac_http_url_ok(json_string_value(v))) {
        return apr_psprintf(p, "its %s is not an http or https URL", name);
    }
    *out = apr_pstrdup(p, json_string_value(v));
    return NULL;
}

const char *ac_asmeta_parse(const char *json, apr_size_t len,
                            const char *url, const char *expected,
                            ac_asmeta *out, apr_pool_t *p)
{
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *iss = json_is_object(root) ? json_object_get(root, "issuer")
                                       : NULL;
    const char *err = NULL;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(root)) {
        err = "not a JSON object";
    }
    else if (!json_is_string(iss)) {
        err = "no issuer";
    }
    else if (!(err = issuer_check(json_string_value(iss), url, expected,
                                  p))) {
        out->issuer = apr_pstrdup(p, json_string_value(iss));
        if (!(err = url_member(root, "jwks_uri", &out->jwks_uri, p))) {
            err = url_member(root, "introspection_endpoint",
                             &out->introspection_endpoint, p);
        }
    }
    json_decref(root);
    if (err) {
        memset(out, 0, sizeof(*out));
    }
    return err;
}
