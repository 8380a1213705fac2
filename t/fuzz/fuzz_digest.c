/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz Digest verification: the input is an Authorization value, run
 * through ac_authparam_parse and the Digest scheme with a fake back-end
 * and an in-memory state.  A fuzzer cannot forge an HMAC, so values the
 * server would have issued are spliced in for placeholders, letting it
 * reach the deep paths (correct response, stale, replay):
 *
 *   nonce="@NONCE@"     a valid nonce          "@OLDNONCE@" an expired one
 *   opaque="@OPAQUE@"   the realm's opaque
 *   username="@UHASH@"  userhash of Mufasa for the algorithm sent
 *   response="@RESP@"   the correct response for the fields sent
 *
 * Invariants checked: OK has a user and Authentication-Info; stale only
 * with a challenge; a reason always; the response value never in the
 * reason; a verified response replayed at once is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_auth.h"
#include "ac_digest.h"
#include "ac_replay.h"
#include "ac_memstate.h"

#define REALM "http-auth@example.org"
#define PATH "/dir/index.html"
#define NOW apr_time_from_sec(1700000000)

static const unsigned char secret[] = "0123456789abcdef0123456789abcdef";

/* ------------------------------------------------ fake back-end */

static const char *ha1_of(apr_pool_t *p, const char *user,
                          const char *realm, const char *alg)
{
    if (strcmp(user, "Mufasa")) {
        return NULL;
    }
    return ac_hash_ha1(p, ac_hash_find(alg), user, realm, "Circle of Life");
}

static ac_be_status fake_ha1(void *ctx, const char *user, const char *realm,
                             const char *alg, const char **hex,
                             const char **canon, const char **reason,
                             apr_pool_t *p)
{
    if (!strcmp(user, "down")) {
        return AC_BE_ERROR;
    }
    *hex = ha1_of(p, user, realm, alg);
    return *hex ? AC_BE_OK : AC_BE_NOT_FOUND;
}

static ac_be_status fake_userhash(void *ctx, const char *hash,
                                  const char *realm, const char *alg,
                                  const char **user, const char **reason,
                                  apr_pool_t *p)
{
    if (strcmp(hash, ac_hash_hex(p, ac_hash_find(alg), "Mufasa", realm,
                                 NULL))) {
        return AC_BE_NOT_FOUND;
    }
    *user = "Mufasa";
    return AC_BE_OK;
}

static const ac_backend fake = { .name = "fake", .get_ha1 = fake_ha1,
                                 .resolve_userhash = fake_userhash };
static const ac_backend *fake_items[] = { &fake };
static const ac_backend_list fake_list = { fake_items, 1 };

/* ------------------------------------------------ placeholders */

static ac_param *find(ac_credentials *c, const char *name)
{
    return (ac_param *)ac_authparam_find(c, name);
}

static const char *value(ac_credentials *c, const char *name)
{
    ac_param *prm = find(c, name);
    return prm ? prm->value : NULL;
}

static const ac_hash_alg *sent_alg(ac_credentials *c)
{
    const char *a = value(c, "algorithm");
    const ac_hash_alg *alg = ac_hash_find(a ? a : "MD5");
    return alg ? alg : ac_hash_find("MD5");
}

/* A nonce issued at t, in the generation of the harness's store (1). */
static const char *fz_nonce(apr_pool_t *p, const char *opaque, apr_time_t t)
{
    unsigned char r[AC_NONCE_RAND_LEN];
    char group[AC_NONCE_GROUP_LEN];

    if (!ac_nonce_draw(NULL, r, group)) {
        return NULL;
    }
    return ac_nonce_issue(p, secret, 32, REALM, opaque, t, 1, r);
}

static void splice(ac_credentials *c, const ac_place *conf,
                   const ac_request *req, apr_pool_t *p)
{
    const char *opaque = ac_nonce_opaque(p, secret, 32, REALM);
    const ac_hash_alg *alg = sent_alg(c);
    ac_param *prm;
    const char *ha1, *u, *bh = NULL;

    if ((prm = find(c, "opaque")) && !strcmp(prm->value, "@OPAQUE@")) {
        prm->value = opaque;
    }
    if ((prm = find(c, "nonce")) && !strcmp(prm->value, "@NONCE@")) {
        prm->value = fz_nonce(p, opaque, NOW);
    }
    if (prm && !strcmp(prm->value, "@OLDNONCE@")) {
        prm->value = fz_nonce(p, opaque, NOW - apr_time_from_sec(400));
    }
    if ((prm = find(c, "username")) && !strcmp(prm->value, "@UHASH@")) {
        prm->value = ac_hash_hex(p, ac_hash_find(alg->base), "Mufasa",
                                 REALM, NULL);
    }
    prm = find(c, "response");
    if (!prm || strcmp(prm->value, "@RESP@") || !value(c, "nonce")
        || !value(c, "uri")) {
        return;
    }
    ha1 = ha1_of(p, "Mufasa", REALM, alg->base);
    u = value(c, "qop");
    if (u && !strcmp(u, "auth-int")) {
        bh = ac_hash_hex_raw(p, alg, req->body, req->body_len);
    }
    u = ac_digest_response(p, alg, ha1, value(c, "nonce"),
                           value(c, "nc") ? value(c, "nc") : "",
                           value(c, "cnonce") ? value(c, "cnonce") : "",
                           u ? u : "", req->method, value(c, "uri"), bh);
    prm->value = u ? u : "";
}

/* ------------------------------------------------ the harness */

static void check(const ac_result *r, const ac_credentials *c)
{
    const char *resp = ac_authparam_find(c, "response")
                       ? ac_authparam_find(c, "response")->value : NULL;

    if (!r->reason
        || (r->verdict == AC_OK && (!r->user || !r->headers))
        || (r->stale && r->verdict != AC_CHALLENGE)
        || (resp && strlen(resp) >= 16 && strstr(r->reason, resp))) {
        abort();
    }
}

static void setup(apr_pool_t *p, ac_place *conf, ac_memstate *m,
                  ac_state *st, ac_request *req, int proxy)
{
    ac_digest_conf *dc = ac_digest_conf_make(p);
    const ac_hash_alg *const *a;

    apr_array_header_t *algs = apr_array_make(p, 8, sizeof(*a));

    for (a = ac_hash_all(); *a; a++) {
        APR_ARRAY_PUSH(algs, const ac_hash_alg *) = *a;
    }
    dc->algorithms = algs;
    dc->qop_auth_int = 1;
    dc->userhash = 1;
    ac_memstate_init(m, st, p);
    memset(conf, 0, sizeof(*conf));
    conf->realm = REALM;
    conf->charset_utf8 = 1;
    conf->backends = &fake_list;
    AC_OWN(conf, &ac_scheme_digest) = dc;
    conf->state = st;
    conf->secret = secret;
    conf->secret_len = 32;
    memset(req, 0, sizeof(*req));
    req->proxy = proxy;
    req->method = "POST";
    req->path = PATH;
    req->target = proxy ? "http://origin.example" PATH : PATH;
    req->now = NOW;
    req->body_read = 1;
    req->body = (const unsigned char *)"fuzz body";
    req->body_len = 9;
}

static void run_verify(const ac_place *conf, const ac_request *req,
                       ac_credentials *c, apr_pool_t *p)
{
    ac_result r1, r2;

    memset(&r1, 0, sizeof(r1));
    r1.scheme = "Digest";
    ac_scheme_digest.verify(conf, req, c, &r1, p);
    check(&r1, c);
    memset(&r2, 0, sizeof(r2));
    r2.scheme = "Digest";
    ac_scheme_digest.verify(conf, req, c, &r2, p);
    check(&r2, c);
    if (getenv("FUZZ_DIGEST_VERBOSE")) {    /* to check the seeds */
        fprintf(stderr, "verify: %d %s%s; again: %d %s\n", r1.verdict,
                r1.reason, r1.stale ? " (stale)" : "", r2.verdict,
                r2.reason);
    }
    if (r1.verdict == AC_OK && r2.verdict != AC_CHALLENGE) {
        abort();                /* a verified response replayed */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "Digest", "Basic" };
    apr_pool_t *p;
    ac_place conf;
    ac_memstate m;
    ac_state st;
    ac_request req;
    ac_credentials c;
    ac_result res;
    const char *in, *bad;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    setup(p, &conf, &m, &st, &req, (int)(size & 1));
    if (ac_authparam_parse(in, &c, p) == AC_AP_OK) {
        ac_digest_wants_body(&c);
        splice(&c, &conf, &req, p);
        run_verify(&conf, &req, &c, p);
    }
    ac_scheme_set_parse(&conf.set, names, 2, &bad);
    req.credentials = in;
    ac_authenticate(&conf, &req, &res, p);
    check(&res, &c);
    ac_auth_challenges(&conf, &req, &res, p);
    ac_digest_decode_ext(p, in);
    ac_nonce_verify(p, secret, 32, in, REALM, "o", NOW,
                    apr_time_from_sec(300), NULL);
    apr_pool_destroy(p);
    return 0;
}
