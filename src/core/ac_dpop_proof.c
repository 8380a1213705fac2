/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * DPoP proof checks (RFC 9449 §4.3; ac_dpop_proof.h).  The signature is
 * checked by ac_jwt with a key set of one key, the proof's own, so the
 * algorithm rules of Bearer's keys hold here too: the key verifies only
 * the algorithms of its type and curve.
 */
#include "ac_dpop_proof.h"
#include "ac_jwt.h"
#include "ac_uri.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>

#define FAIL(st, why) do { *reason = (why); return (st); } while (0)

const char *ac_dpop_strerror(ac_dpop_status st)
{
    switch (st) {
    case AC_DPOP_OK:            return "valid";
    case AC_DPOP_MALFORMED:     return "malformed DPoP proof";
    case AC_DPOP_BAD_TYP:       return "DPoP proof typ is not dpop+jwt";
    case AC_DPOP_BAD_ALG:       return "DPoP proof algorithm not accepted";
    case AC_DPOP_BAD_KEY:       return "DPoP proof key not accepted";
    case AC_DPOP_BAD_SIGNATURE: return "DPoP proof signature invalid";
    case AC_DPOP_BAD_HTM:       return "DPoP proof htm does not match";
    case AC_DPOP_BAD_HTU:       return "DPoP proof htu does not match";
    case AC_DPOP_BAD_IAT:       return "DPoP proof iat outside the window";
    case AC_DPOP_BAD_ATH:       return "DPoP proof ath does not match";
    }
    return "invalid DPoP proof";
}

static apr_status_t json_release(void *j)
{
    json_decref(j);
    return APR_SUCCESS;
}

/* The proof's JOSE header as a JSON object released with p, or NULL. */
static json_t *proof_header(const char *proof, apr_pool_t *p)
{
    const char *dot = strchr(proof, '.');
    unsigned char *raw;
    apr_size_t n;
    json_t *h;

    if (!dot || !ac_base64url_decode(p, proof, (apr_size_t)(dot - proof),
                                     &raw, &n)) {
        return NULL;
    }
    h = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    if (h && !json_is_object(h)) {
        json_decref(h);
        h = NULL;
    }
    if (h) {
        apr_pool_cleanup_register(p, h, json_release, apr_pool_cleanup_null);
    }
    return h;
}

/* 1 when alg is one of AC_DPOP_ALGS. */
static int alg_accepted(const char *alg)
{
    static const char algs[] = AC_DPOP_ALGS;
    const char *s = algs;
    apr_size_t n = strlen(alg);

    while (n && (s = strstr(s, alg)) != NULL) {
        if ((s == algs || s[-1] == ' ')
            && (s[n] == ' ' || s[n] == '\0')) {
            return 1;
        }
        s += n;
    }
    return 0;
}

static const char *sha256_b64url(const char *s, apr_pool_t *p)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (!EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL)) {
        return NULL;
    }
    return ac_base64url_encode(p, md, n);
}

const char *ac_dpop_jkt(void *jwk, apr_pool_t *p)
{
    /* RFC 7638 §3.2: the required members of each key type, which
     * JSON_SORT_KEYS puts in lexicographic order, without white space. */
    static const char *const rsa[] = { "e", "kty", "n", NULL };
    static const char *const ec[] = { "crv", "kty", "x", "y", NULL };
    static const char *const okp[] = { "crv", "kty", "x", NULL };
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    const char *const *m;
    const char *out = NULL;
    json_t *o;
    char *text;

    m = !kty ? NULL : !strcmp(kty, "RSA") ? rsa : !strcmp(kty, "EC") ? ec
        : !strcmp(kty, "OKP") ? okp : NULL;
    if (!m || !(o = json_object())) {
        return NULL;
    }
    for (; *m; m++) {
        json_t *v = json_object_get(jwk, *m);

        if (!json_is_string(v)) {
            json_decref(o);
            return NULL;
        }
        json_object_set(o, *m, v);
    }
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (text) {
        out = sha256_b64url(text, p);
        free(text);
    }
    return out;
}

static ac_dpop_status jwt_status(ac_jwt_status st)
{
    switch (st) {
    case AC_JWT_OK:             return AC_DPOP_OK;
    case AC_JWT_BAD_SIGNATURE:  return AC_DPOP_BAD_SIGNATURE;
    case AC_JWT_ALG_REFUSED:
    case AC_JWT_NO_KEY:         return AC_DPOP_BAD_KEY;
    case AC_JWT_EXPIRED:
    case AC_JWT_NOT_YET_VALID:
    case AC_JWT_IAT_FUTURE:     return AC_DPOP_BAD_IAT;
    default:                    return AC_DPOP_MALFORMED;
    }
}

/* The string claim name of c, or NULL when it is missing or no string. */
static const char *str_claim(json_t *c, const char *name)
{
    return json_string_value(json_object_get(c, name));
}

ac_dpop_status ac_dpop_proof_check(const char *proof,
                                   const ac_dpop_expect *x,
                                   ac_dpop_proof *out, const char **reason,
                                   apr_pool_t *p)
{
    const char *unused, *typ, *htu, *mine, *ath;
    ac_jwt_checks chk;
    ac_jwt_keyset *ks;
    ac_jwt jwt;
    json_t *h, *c, *iat, *nonce;
    apr_time_t t;

    reason = reason ? reason : &unused;
    memset(out, 0, sizeof(*out));
    if (!proof || strnlen(proof, AC_JWT_MAX_TOKEN + 1) > AC_JWT_MAX_TOKEN
        || !(h = proof_header(proof, p))) {
        FAIL(AC_DPOP_MALFORMED, "proof is not a JWS with a JSON header");
    }
    /* §4.3 checks 4 to 7 */
    typ = json_string_value(json_object_get(h, "typ"));
    if (!typ || strcasecmp(typ, "dpop+jwt")) {
        FAIL(AC_DPOP_BAD_TYP, "proof typ is not dpop+jwt");
    }
    out->alg = json_string_value(json_object_get(h, "alg"));
    if (!out->alg) {
        FAIL(AC_DPOP_MALFORMED, "proof has no alg");
    }
    if (!alg_accepted(out->alg)) {
        FAIL(AC_DPOP_BAD_ALG, "proof alg is not an asymmetric one we know");
    }
    out->alg = apr_pstrdup(p, out->alg);
    ks = ac_jwt_keyset_make(p);
    if (!json_is_object(json_object_get(h, "jwk"))) {
        FAIL(AC_DPOP_BAD_KEY, "proof has no jwk");
    }
    if ((*reason = ac_jwt_keyset_add_public_jwk(ks, json_object_get(h,
                                                                "jwk")))) {
        return AC_DPOP_BAD_KEY;
    }
    memset(&chk, 0, sizeof(chk));
    chk.leeway = x->window;
    {
        ac_jwt_status st = ac_jwt_verify(ks, &chk, proof, x->now, &jwt,
                                         reason, p);
        if (st != AC_JWT_OK) {
            *reason = apr_pstrcat(p, "proof: ", *reason, NULL);
            return jwt_status(st);
        }
    }
    c = jwt.json;
    if (!(out->jti = str_claim(c, "jti")) || !*out->jti
        || strlen(out->jti) > AC_DPOP_MAX_JTI
        || !str_claim(c, "htm") || !(htu = str_claim(c, "htu"))
        || !json_is_number(iat = json_object_get(c, "iat"))) {
        FAIL(AC_DPOP_MALFORMED, "proof lacks jti, htm, htu or iat, or one "
             "is not of its type");
    }
    nonce = json_object_get(c, "nonce");
    if (nonce && !json_is_string(nonce)) {
        FAIL(AC_DPOP_MALFORMED, "proof nonce is not a string");
    }
    /* §4.3 checks 8 to 12 */
    if (strcmp(str_claim(c, "htm"), x->method)) {
        FAIL(AC_DPOP_BAD_HTM, "proof htm is not the request method");
    }
    mine = ac_uri_normal_http(p, x->url);
    htu = ac_uri_normal_http(p, htu);
    if (!mine || !htu || strcmp(mine, htu)) {
        FAIL(AC_DPOP_BAD_HTU, "proof htu is not the request URI");
    }
    /* NumericDate (RFC 7519 §2): seconds, maybe with a fraction */
    if (!(json_number_value(iat) >= 0 && json_number_value(iat) < 1e11)) {
        FAIL(AC_DPOP_BAD_IAT, "proof iat is outside the window");
    }
    t = (apr_time_t)(json_number_value(iat) * APR_USEC_PER_SEC);
    if (t < x->now - x->window || t > x->now + x->window) {
        FAIL(AC_DPOP_BAD_IAT, "proof iat is outside the window");
    }
    ath = str_claim(c, "ath");
    mine = x->token ? sha256_b64url(x->token, p) : NULL;
    if (!ath || !mine || strcmp(ath, mine)) {
        FAIL(AC_DPOP_BAD_ATH, "proof ath is not the token's hash");
    }
    if (!(out->jkt = ac_dpop_jkt(json_object_get(h, "jwk"), p))) {
        FAIL(AC_DPOP_BAD_KEY, "proof jwk has no thumbprint");
    }
    out->jti = apr_pstrdup(p, out->jti);
    out->iat = t;
    out->nonce = nonce ? apr_pstrdup(p, json_string_value(nonce)) : NULL;
    return AC_DPOP_OK;
}
