/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Test-only helpers for the ac_digest unit tests (test_ac_digest.c,
 * test_ac_digest_refuse.c): an independent Digest client that hashes
 * with OpenSSL directly, a fake back-end, an in-memory replay store and
 * a fixture that runs one request through ac_authenticate.
 *
 * Every helper is static inline: each test binary uses only some of them,
 * and an unused static inline function draws no warning.
 */
#ifndef DIGEST_CLIENT_H
#define DIGEST_CLIENT_H

#include "ac_test.h"
#include "ac_auth.h"
#include "ac_digest.h"
#include "ac_nonce.h"
#include "ac_replay.h"
#include "ac_memstate.h"
#include <stdio.h>
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
static inline const char *H(apr_pool_t *p, const char *alg, const char *s,
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

static inline const char *client_digest(apr_pool_t *p, const client *c,
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

static inline const char *authz(apr_pool_t *p, const client *c)
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
static inline ac_state_status record_put(void *ctx, const unsigned char *key,
                                         apr_size_t klen,
                                         const unsigned char *val,
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

static inline ac_be_status fake_ha1(void *ctx, const char *user,
                                    const char *realm, const char *alg,
                                    const char **hex, const char **canon,
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

static inline ac_be_status fake_userhash(void *ctx, const char *hash,
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

static inline int counting_rand(unsigned char *buf, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        buf[i] = (unsigned char)i;
    }
    return 1;
}

typedef struct {
    apr_pool_t *p;
    ac_place conf;
    ac_digest_conf *dc;
    ac_memstate m;
    ac_state st;
    ac_request req;
    const char *opaque;
} fixture;

static inline void set_algs(fixture *f, const char *const *names)
{
    apr_array_clear((apr_array_header_t *)f->dc->algorithms);
    for (; *names; names++) {
        APR_ARRAY_PUSH((apr_array_header_t *)f->dc->algorithms, const ac_hash_alg *) =
            ac_hash_find(*names);
    }
}

static inline fixture *fx(apr_pool_t *p)
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
    AC_OWN(&f->conf, &ac_scheme_digest) = f->dc;
    f->conf.state = &f->st;
    f->conf.secret = secret;
    f->conf.secret_len = 32;
    assert_true(ac_scheme_set_parse(&f->conf.set, names, 2, &bad));
    f->req.method = "GET";
    f->req.path = URI;
    f->req.target = URI;
    f->req.now = T0;
    f->opaque = ac_nonce_opaque(p, secret, 32, REALM);
    return f;
}

/* A nonce made with key, issued at t in generation gen. */
static inline const char *nonce_with(apr_pool_t *p, const unsigned char *key,
                                     const char *opaque, apr_time_t t,
                                     apr_uint64_t gen)
{
    unsigned char r[AC_NONCE_RAND_LEN];
    char group[AC_NONCE_GROUP_LEN];

    if (!ac_nonce_draw(NULL, r, group)) {
        return NULL;
    }
    return ac_nonce_issue(p, key, 32, REALM, opaque, t, gen, r);
}

/* A nonce issued at t in the store's generation. */
static inline const char *nonce_at(fixture *f, apr_time_t t)
{
    return nonce_with(f->p, secret, f->opaque, t, f->m.gen);
}

/* A correct SHA-256 auth response from Mufasa to a fresh nonce. */
static inline client good(fixture *f)
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

static inline ac_result run_raw(fixture *f, const char *credentials)
{
    ac_request req = f->req;
    ac_result res;

    req.credentials = credentials;
    ac_authenticate(&f->conf, &req, &res, f->p);
    return res;
}

static inline ac_result run(fixture *f, const client *c)
{
    return run_raw(f, authz(f->p, c));
}

static inline void expect(ac_result r, ac_verdict v, int failed, int stale,
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
        assert_null(ac_result_header_value(&r, "Authentication-Info"));
    }
}

/* accepted; the reason names the algorithm and qop the client chose */
#define OK(r) do { \
        ac_result ok_r_ = (r); \
        expect(ok_r_, AC_OK, 0, 0, NULL); \
        assert_true(!strncmp(ok_r_.reason, "digest verified (", 17)); \
    } while (0)
#define BAD(r, why) expect((r), AC_BAD_REQUEST, 0, 0, (why))
#define REFUSED(r, why) expect((r), AC_CHALLENGE, 1, 0, (why))
#define DOWN(r, why) expect((r), AC_UNAVAILABLE, 0, 0, (why))

static inline apr_array_header_t *challenges(fixture *f,
                                             const ac_result *res)
{
    return ac_auth_challenges(&f->conf, &f->req, res, f->p)
           ->items;
}

#define CHAL(a, i) APR_ARRAY_IDX((a), (i), const char *)

#endif
