/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Not cjose: OpenSSL 3 does every algorithm directly, cjose 0.6 lacks
 * EdDSA and PS*, and it is one dependency fewer. */
/*
 * JWT verification (RFC 7519) of a JWS compact serialization (RFC 7515):
 * split and decode, read the JOSE header, pick the keys, check the
 * signature, then the claims.  Keys and algorithms live in ac_jwk.c.
 * Reason strings are fixed texts: nothing of the token gets into them.
 */
#include "ac_jwt.h"
#include "ac_jwk.h"
#include "ac_util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

/* NumericDates are clamped to year 9999 before turning into apr_time_t;
 * the leeway to ten years. */
#define MAX_SECONDS 253402300799.0
#define MAX_LEEWAY  (apr_time_from_sec(10 * 366 * 86400))

typedef struct {
    const char *part[3];        /* header, payload, signature: in token */
    apr_size_t len[3];
    unsigned char *raw[3];      /* base64url-decoded                    */
    apr_size_t rawlen[3];
} jws_parts;

#define FAIL(st, why) do { *reason = (why); return (st); } while (0)

const char *ac_jwt_strerror(ac_jwt_status st)
{
    switch (st) {
    case AC_JWT_OK:            return "valid token";
    case AC_JWT_MALFORMED:     return "malformed token";
    case AC_JWT_ALG_REFUSED:   return "signature algorithm not allowed";
    case AC_JWT_NO_KEY:        return "unknown key id";
    case AC_JWT_BAD_SIGNATURE: return "invalid signature";
    case AC_JWT_EXPIRED:       return "token expired";
    case AC_JWT_NOT_YET_VALID: return "token not yet valid";
    case AC_JWT_IAT_FUTURE:    return "token issued in the future";
    case AC_JWT_NO_EXP:        return "token has no expiry";
    case AC_JWT_BAD_ISSUER:    return "wrong issuer";
    case AC_JWT_BAD_AUDIENCE:  return "wrong audience";
    case AC_JWT_BAD_TYPE:      return "not an access token (typ)";
    }
    return "invalid token";
}

/* ---------------------------------------------------------------- parts */

/* Three base64url parts separated by '.'; a fourth '.' is not base64url
 * and fails the decoding of the signature. */
static int split(const char *token, jws_parts *jp, apr_pool_t *p)
{
    const char *s = token, *dot = NULL;
    int i;

    for (i = 0; i < 3; i++) {
        dot = i < 2 ? strchr(s, '.') : NULL;
        if (i < 2 && !dot) {
            return 0;
        }
        jp->part[i] = s;
        jp->len[i] = dot ? (apr_size_t)(dot - s) : strlen(s);
        if (!ac_base64url_decode(p, s, jp->len[i], &jp->raw[i],
                                 &jp->rawlen[i])) {
            return 0;
        }
        s = dot ? dot + 1 : s;
    }
    return 1;
}

static apr_status_t json_cleanup(void *j)
{
    json_decref(j);
    return APR_SUCCESS;
}

/* The JSON object in s[0..n), released with p; NULL if not an object.
 * Duplicate names are refused (RFC 7515 4: reject or take the last). */
static json_t *object_parse(apr_pool_t *p, const unsigned char *s,
                            apr_size_t n)
{
    json_t *j = json_loadb((const char *)s, n, JSON_REJECT_DUPLICATES,
                           NULL);

    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    if (j) {
        apr_pool_cleanup_register(p, j, json_cleanup, apr_pool_cleanup_null);
    }
    return j;
}

/* ---------------------------------------------------------------- header */

/* RFC 9068 §2.1: "at+jwt" (the "application/" prefix may be left out,
 * RFC 7515 §4.1.9; media types ignore case); plain JWTs of issuers that
 * do not set it pass too, as RFC 9068 §4 lets a resource server decide.
 * A DPoP proof (dpop+jwt) or an ID token typed so is no access token. */
static int access_token_typ(json_t *h)
{
    json_t *typ = json_object_get(h, "typ");
    const char *t;

    if (!typ) {
        return 1;
    }
    if (!json_is_string(typ)) {
        return 0;
    }
    t = json_string_value(typ);
    if (!strncasecmp(t, "application/", 12)) {
        t += 12;
    }
    return !strcasecmp(t, "JWT") || !strcasecmp(t, "at+jwt");
}

static ac_jwt_status read_header(json_t *h, const ac_jwt_checks *chk,
                                 const ac_jwa **alg, ac_jwt *out,
                                 const char **reason, apr_pool_t *p)
{
    json_t *a = json_object_get(h, "alg"), *kid = json_object_get(h, "kid");

    if (!json_is_string(a) || (kid && !json_is_string(kid))) {
        FAIL(AC_JWT_MALFORMED, "header alg or kid missing or not a string");
    }
    if (json_object_get(h, "crit")) {
        /* RFC 7515 4.1.11: we understand no extension. */
        FAIL(AC_JWT_MALFORMED, "header has crit extensions");
    }
    if (chk && chk->access_token_typ && !access_token_typ(h)) {
        FAIL(AC_JWT_BAD_TYPE, "header typ is not that of an access token");
    }
    out->alg = apr_pstrdup(p, json_string_value(a));
    out->kid = kid ? apr_pstrdup(p, json_string_value(kid)) : NULL;
    if (!strcmp(out->alg, "none")) {
        FAIL(AC_JWT_ALG_REFUSED, "unsigned token (alg none)");
    }
    if (!(*alg = ac_jwa_find(out->alg))) {
        FAIL(AC_JWT_ALG_REFUSED, "unsupported alg");
    }
    return AC_JWT_OK;
}

/* ---------------------------------------------------------------- JWS */

static int hmac_ok(const ac_jwt_keyset *ks, const ac_jwk *key,
                   const ac_jwa *alg, const unsigned char *data,
                   apr_size_t len, const unsigned char *sig,
                   apr_size_t siglen)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    const EVP_MD *md = ks->md[alg->hash];

    if (key->pkey || !key->secret || !md
        || !HMAC(md, key->secret, (int)key->secret_len, data, len, mac,
                 &maclen)) {
        return 0;
    }
    return siglen == maclen && CRYPTO_memcmp(mac, sig, maclen) == 0;
}

static int digest_verify(const ac_jwt_keyset *ks, const ac_jwk *key,
                         const ac_jwa *alg, const unsigned char *data,
                         apr_size_t len, const unsigned char *sig,
                         apr_size_t siglen)
{
    const EVP_MD *md = alg->hash >= 0 ? ks->md[alg->hash] : NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = 0;

    if (ctx && (md || alg->hash < 0)
        && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key->pkey) > 0
        && (alg->kind != AC_JWA_PSS
            || (EVP_PKEY_CTX_set_rsa_padding(pctx,
                                             RSA_PKCS1_PSS_PADDING) > 0
                && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(
                       pctx, RSA_PSS_SALTLEN_DIGEST) > 0))) {
        ok = EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
    }
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* JWS ECDSA signatures are R || S, each the coordinate size (RFC 7518
 * 3.4); OpenSSL wants DER. */
static int ecdsa_ok(const ac_jwt_keyset *ks, const ac_jwk *key,
                    const ac_jwa *alg, const unsigned char *data,
                    apr_size_t len, const unsigned char *sig,
                    apr_size_t siglen)
{
    apr_size_t n = (apr_size_t)alg->size;
    ECDSA_SIG *es;
    BIGNUM *r, *s;
    unsigned char *der = NULL;
    int derlen = -1, ok = 0;

    if (siglen != 2 * n || !(es = ECDSA_SIG_new())) {
        return 0;
    }
    r = BN_bin2bn(sig, (int)n, NULL);
    s = BN_bin2bn(sig + n, (int)n, NULL);
    if (r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL;                       /* owned by es now */
        derlen = i2d_ECDSA_SIG(es, &der);
    }
    if (derlen > 0) {
        ok = digest_verify(ks, key, alg, data, len, der,
                           (apr_size_t)derlen);
    }
    BN_free(r);
    BN_free(s);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return ok;
}

/* 1 when key verifies sig over data[0..len) with alg.  Reads the key
 * only: safe to call concurrently. */
static int jws_verify(const ac_jwt_keyset *ks, const ac_jwk *key,
                      const ac_jwa *alg, const unsigned char *data,
                      apr_size_t len, const unsigned char *sig,
                      apr_size_t siglen)
{
    int ok;

    if (!(key->algs & ac_jwa_bit(alg))) {
        return 0;                           /* never across key types */
    }
    switch (alg->kind) {
    case AC_JWA_HMAC:
        ok = hmac_ok(ks, key, alg, data, len, sig, siglen);
        break;
    case AC_JWA_ECDSA:
        ok = key->pkey && ecdsa_ok(ks, key, alg, data, len, sig, siglen);
        break;
    default:
        ok = key->pkey && digest_verify(ks, key, alg, data, len, sig,
                                        siglen);
        break;
    }
    ERR_clear_error();      /* per-thread queue: leave it clean */
    return ok;
}

/* 1 when key k is a candidate for kid in this pass: pass 0 the keys with
 * that kid, pass 1 the kid-less keys (or, without a kid, every key). */
static int key_named(const ac_jwk *k, const char *kid, int pass)
{
    if (!kid) {
        return 1;
    }
    return pass == 0 ? k->kid && !strcmp(k->kid, kid) : k->kid == NULL;
}

static ac_jwt_status check_signature(const ac_jwt_keyset *ks,
                                     const ac_jwa *alg, const char *kid,
                                     const jws_parts *jp,
                                     const char **reason)
{
    const unsigned char *input = (const unsigned char *)jp->part[0];
    apr_size_t inlen = jp->len[0] + 1 + jp->len[1];
    int i, pass, named = 0, allowed = 0;

    for (pass = kid ? 0 : 1; pass < 2 && !named; pass++) {
        for (i = 0; ks && i < ks->keys->nelts; i++) {
            const ac_jwk *k = APR_ARRAY_IDX(ks->keys, i, const ac_jwk *);

            if (!key_named(k, kid, pass)) {
                continue;
            }
            named++;
            if (!(k->algs & ac_jwa_bit(alg))) {
                continue;
            }
            allowed++;
            if (jws_verify(ks, k, alg, input, inlen, jp->raw[2],
                              jp->rawlen[2])) {
                return AC_JWT_OK;
            }
        }
    }
    if (!named) {
        FAIL(AC_JWT_NO_KEY, "no key with the token's kid");
    }
    if (!allowed) {
        FAIL(AC_JWT_ALG_REFUSED, "no key may verify the token's alg");
    }
    FAIL(AC_JWT_BAD_SIGNATURE, "signature does not verify");
}

/* ---------------------------------------------------------------- claims */

static int all_strings(json_t *a)
{
    json_t *v;
    size_t i;

    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            return 0;
        }
    }
    return 1;
}

static int string_or_strings(json_t *v)
{
    return !v || json_is_string(v) || (json_is_array(v) && all_strings(v));
}

static ac_jwt_status claim_types(json_t *c, const char **reason)
{
    static const char *const times[] = { "exp", "nbf", "iat" };
    static const char *const strings[] = { "iss", "sub", "jti", "scope" };
    json_t *v;
    int i;

    for (i = 0; i < 3; i++) {
        if ((v = json_object_get(c, times[i])) && !json_is_number(v)) {
            FAIL(AC_JWT_MALFORMED, "claim exp, nbf or iat not a number");
        }
    }
    for (i = 0; i < 4; i++) {
        if ((v = json_object_get(c, strings[i])) && !json_is_string(v)) {
            FAIL(AC_JWT_MALFORMED, "claim iss, sub, jti or scope not a "
                                   "string");
        }
    }
    if (!string_or_strings(json_object_get(c, "aud"))
        || !string_or_strings(json_object_get(c, "scp"))) {
        FAIL(AC_JWT_MALFORMED, "claim aud or scp not string(s)");
    }
    return AC_JWT_OK;
}

static apr_time_t claim_time(json_t *v)
{
    double d = json_number_value(v);

    d = d > MAX_SECONDS ? MAX_SECONDS : d < -MAX_SECONDS ? -MAX_SECONDS : d;
    return (apr_time_t)(d * APR_USEC_PER_SEC);
}

static ac_jwt_status check_times(json_t *c, const ac_jwt_checks *chk,
                                 apr_time_t now, ac_jwt *out,
                                 const char **reason)
{
    apr_interval_time_t leeway = chk ? chk->leeway : 0;
    json_t *v;

    leeway = leeway < 0 ? 0 : leeway > MAX_LEEWAY ? MAX_LEEWAY : leeway;
    if ((v = json_object_get(c, "exp")) != NULL) {
        out->exp = claim_time(v);
        if (now >= out->exp + leeway) {         /* RFC 7519 4.1.4 */
            FAIL(AC_JWT_EXPIRED, "token expired");
        }
    }
    else if (chk && chk->require_exp) {
        FAIL(AC_JWT_NO_EXP, "token has no exp");
    }
    if ((v = json_object_get(c, "nbf")) && now + leeway < claim_time(v)) {
        FAIL(AC_JWT_NOT_YET_VALID, "token not yet valid (nbf)");
    }
    if ((v = json_object_get(c, "iat")) && claim_time(v) > now + leeway) {
        FAIL(AC_JWT_IAT_FUTURE, "token issued in the future (iat)");
    }
    return AC_JWT_OK;
}

static int aud_has(json_t *aud, const char *want)
{
    json_t *v;
    size_t i;

    if (json_is_string(aud)) {
        return !strcmp(json_string_value(aud), want);
    }
    json_array_foreach(aud, i, v) {
        if (!strcmp(json_string_value(v), want)) {
            return 1;
        }
    }
    return 0;
}

static ac_jwt_status check_iss_aud(json_t *c, const ac_jwt_checks *chk,
                                   const char **reason)
{
    const char *iss = json_string_value(json_object_get(c, "iss"));
    json_t *aud = json_object_get(c, "aud");
    int i;

    if (chk && chk->issuer && (!iss || strcmp(iss, chk->issuer))) {
        FAIL(AC_JWT_BAD_ISSUER, "iss is not the configured issuer");
    }
    if (!chk || !chk->audiences || chk->audiences->nelts == 0) {
        return AC_JWT_OK;
    }
    for (i = 0; aud && i < chk->audiences->nelts; i++) {
        if (aud_has(aud, APR_ARRAY_IDX(chk->audiences, i, const char *))) {
            return AC_JWT_OK;
        }
    }
    FAIL(AC_JWT_BAD_AUDIENCE, "aud holds no configured audience");
}

/* ---------------------------------------------------------------- output */

const char *ac_jwt_scalar_text(void *json, char *buf, apr_size_t n)
{
    json_t *v = json;

    if (!v) {
        return NULL;
    }
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, n, "%.15g", json_real_value(v));
        return buf;
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    default:
        return NULL;
    }
}

static const char *compact_json(json_t *v, apr_pool_t *p)
{
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15);
    size_t n = json_dumpb(v, NULL, 0, flags);
    char *buf = apr_palloc(p, n + 1);

    n = json_dumpb(v, buf, n, flags);
    buf[n] = '\0';
    return buf;
}

static const char *strings_joined(json_t *a, apr_pool_t *p)
{
    apr_array_header_t *words = apr_array_make(p, 4, sizeof(char *));
    json_t *v;
    size_t i;

    json_array_foreach(a, i, v) {
        APR_ARRAY_PUSH(words, const char *) = json_string_value(v);
    }
    return apr_array_pstrcat(p, words, ' ');
}

/* See ac_jwt.h for the flattening rules. */
static const char *claim_text(json_t *v, apr_pool_t *p)
{
    char buf[64];
    const char *s;

    if (json_is_string(v)) {
        return apr_pstrdup(p, json_string_value(v));
    }
    if (json_is_null(v)) {
        return NULL;
    }
    if (json_is_array(v) && all_strings(v)) {
        return strings_joined(v, p);
    }
    if ((s = ac_jwt_scalar_text(v, buf, sizeof(buf))) != NULL) {
        return apr_pstrdup(p, s);
    }
    return compact_json(v, p);
}

static void add_scopes(apr_array_header_t *scopes, json_t *v,
                       apr_pool_t *p)
{
    char *copy, *w, *last;
    json_t *e;
    size_t i;

    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            APR_ARRAY_PUSH(scopes, const char *) = json_string_value(e);
        }
        return;
    }
    if (!json_is_string(v)) {
        return;
    }
    copy = apr_pstrdup(p, json_string_value(v));
    for (w = apr_strtok(copy, " ", &last); w;
         w = apr_strtok(NULL, " ", &last)) {
        APR_ARRAY_PUSH(scopes, const char *) = w;
    }
}

static void fill_claims(json_t *c, ac_jwt *out, apr_pool_t *p)
{
    const char *name, *text;
    json_t *v;

    out->json = c;
    out->claims = apr_hash_make(p);
    json_object_foreach(c, name, v) {
        if ((text = claim_text(v, p)) != NULL) {
            apr_hash_set(out->claims, apr_pstrdup(p, name),
                         APR_HASH_KEY_STRING, text);
        }
    }
    out->scopes = apr_array_make(p, 4, sizeof(const char *));
    add_scopes(out->scopes, json_object_get(c, "scope"), p);
    add_scopes(out->scopes, json_object_get(c, "scp"), p);
}

/* ---------------------------------------------------------------- verify */

ac_jwt_status ac_jwt_verify(const ac_jwt_keyset *ks,
                            const ac_jwt_checks *chk, const char *token,
                            apr_time_t now, ac_jwt *out,
                            const char **reason, apr_pool_t *p)
{
    const char *unused;
    const ac_jwa *alg = NULL;
    jws_parts jp;
    json_t *h, *c;
    ac_jwt_status st;
    ac_jwt scratch;

    reason = reason ? reason : &unused;
    out = out ? out : &scratch;
    *reason = NULL;
    memset(out, 0, sizeof(*out));
    if (!token || strnlen(token, AC_JWT_MAX_TOKEN + 1) > AC_JWT_MAX_TOKEN) {
        FAIL(AC_JWT_MALFORMED, "token missing or too long");
    }
    if (!split(token, &jp, p)) {
        FAIL(AC_JWT_MALFORMED, "token is not three base64url parts");
    }
    if (!(h = object_parse(p, jp.raw[0], jp.rawlen[0]))) {
        FAIL(AC_JWT_MALFORMED, "header is not a JSON object");
    }
    if ((st = read_header(h, chk, &alg, out, reason, p)) != AC_JWT_OK
        || (st = check_signature(ks, alg, out->kid, &jp, reason))
           != AC_JWT_OK) {
        return st;
    }
    if (!(c = object_parse(p, jp.raw[1], jp.rawlen[1]))) {
        FAIL(AC_JWT_MALFORMED, "claims are not a JSON object");
    }
    if ((st = claim_types(c, reason)) != AC_JWT_OK) {
        return st;
    }
    fill_claims(c, out, p);
    if ((st = check_times(c, chk, now, out, reason)) != AC_JWT_OK
        || (st = check_iss_aud(c, chk, reason)) != AC_JWT_OK) {
        return st;
    }
    return AC_JWT_OK;
}

int ac_jwt_peek(const char *token, const char **kid, apr_pool_t *p)
{
    const char *dot = token ? strchr(token, '.') : NULL;
    unsigned char *raw;
    apr_size_t n;
    json_t *h, *k;

    *kid = NULL;
    if (!dot || !strchr(dot + 1, '.')
        || (apr_size_t)(dot - token) > AC_JWT_MAX_TOKEN
        || !ac_base64url_decode(p, token, (apr_size_t)(dot - token), &raw,
                                &n)
        || !(h = object_parse(p, raw, n))
        || !json_is_string(json_object_get(h, "alg"))) {
        return 0;
    }
    k = json_object_get(h, "kid");
    *kid = json_is_string(k) ? apr_pstrdup(p, json_string_value(k)) : NULL;
    return 1;
}

ac_jwt_status ac_jwt_claims_read(void *json, ac_jwt *out,
                                 const char **reason, apr_pool_t *p)
{
    json_t *c = json;
    const char *unused;
    ac_jwt_status st;
    json_t *v;

    reason = reason ? reason : &unused;
    *reason = NULL;
    memset(out, 0, sizeof(*out));
    if (!json_is_object(c)) {
        FAIL(AC_JWT_MALFORMED, "claims are not a JSON object");
    }
    if ((st = claim_types(c, reason)) != AC_JWT_OK) {
        return st;
    }
    json_incref(c);
    apr_pool_cleanup_register(p, c, json_cleanup, apr_pool_cleanup_null);
    fill_claims(c, out, p);
    if ((v = json_object_get(c, "exp")) != NULL) {
        out->exp = claim_time(v);
    }
    return AC_JWT_OK;
}

ac_jwt_status ac_jwt_check_claims(const ac_jwt *jwt,
                                  const ac_jwt_checks *chk, apr_time_t now,
                                  const char **reason)
{
    const char *unused;
    ac_jwt scratch;
    ac_jwt_status st;

    reason = reason ? reason : &unused;
    *reason = NULL;
    if (!jwt || !jwt->json) {
        FAIL(AC_JWT_MALFORMED, "no claims");
    }
    if ((st = check_times(jwt->json, chk, now, &scratch, reason))
        != AC_JWT_OK) {
        return st;
    }
    return check_iss_aud(jwt->json, chk, reason);
}
