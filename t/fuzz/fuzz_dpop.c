/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz DPoP proof checks (RFC 9449 §4.3) and the htu normalisation
 * (RFC 3986 §6).
 *
 * An input that starts with '{' is "HEADER\nCLAIMS": the harness signs
 * it with its own P-256 key (ES256), after adding to the header, when
 * it lacks them, "typ":"dpop+jwt", "alg":"ES256" and the key's public
 * "jwk" — so the checks after the signature see arbitrary headers and
 * claims (CLAIMS need not be JSON).  Any other input is a proof as sent,
 * and is also given to the URI normaliser, whose result must be a fixed
 * point (normalising it again changes nothing).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include "ac_dpop_proof.h"
#include "ac_uri.h"
#include "ac_util.h"

#define NOW apr_time_from_sec(1700000000)

static apr_pool_t *root;
static EVP_PKEY *key;
static json_t *pub;

static void teardown(void)
{
    json_decref(pub);
    EVP_PKEY_free(key);
    apr_pool_destroy(root);
    apr_terminate();
}

static const char *coord(apr_pool_t *p, const char *name)
{
    BIGNUM *bn = NULL;
    unsigned char buf[32];

    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1
        || BN_bn2binpad(bn, buf, 32) != 32) {
        __builtin_trap();
    }
    BN_free(bn);
    return ac_base64url_encode(p, buf, 32);
}

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&root, NULL);
    key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        __builtin_trap();
    }
    pub = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256",
                    "x", coord(root, OSSL_PKEY_PARAM_EC_PUB_X),
                    "y", coord(root, OSSL_PKEY_PARAM_EC_PUB_Y));
    atexit(teardown);
}

/* JWS ES256 signature (R || S) of input, base64url. */
static const char *sign(apr_pool_t *p, const char *input)
{
    unsigned char der[128], raw[64];
    const unsigned char *q = der;
    size_t len = sizeof(der);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ECDSA_SIG *es;

    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1
        || EVP_DigestSign(ctx, der, &len, (const unsigned char *)input,
                          strlen(input)) != 1
        || !(es = d2i_ECDSA_SIG(NULL, &q, (long)len))) {
        __builtin_trap();
    }
    EVP_MD_CTX_free(ctx);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
    ECDSA_SIG_free(es);
    return ac_base64url_encode(p, raw, 64);
}

/* The signed proof of "HEADER\nCLAIMS", or NULL. */
static const char *signed_proof(apr_pool_t *p, const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    json_t *h;
    char *htext;
    const char *input;

    if (!nl || !(h = json_loadb(s, (size_t)(nl - s), 0, NULL))) {
        return NULL;
    }
    if (json_is_object(h)) {
        if (!json_object_get(h, "typ")) {
            json_object_set_new(h, "typ", json_string("dpop+jwt"));
        }
        if (!json_object_get(h, "alg")) {
            json_object_set_new(h, "alg", json_string("ES256"));
        }
        if (!json_object_get(h, "jwk")) {
            json_object_set(h, "jwk", pub);
        }
    }
    htext = json_dumps(h, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(h);
    if (!htext) {
        return NULL;
    }
    input = apr_pstrcat(p, ac_base64url_encode(p, (const unsigned char *)htext,
                                               strlen(htext)),
                        ".", ac_base64url_encode(p, (const unsigned char *)nl
                                                 + 1, n - (size_t)(nl - s)
                                                 - 1), NULL);
    free(htext);
    return apr_pstrcat(p, input, ".", sign(p, input), NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char token[] = "access-token";
    ac_dpop_expect x = { "GET", "https://rs.example/x", token, NOW,
                         apr_time_from_sec(60) };
    apr_pool_t *p;
    const char *s, *proof;
    ac_dpop_proof out;
    const char *reason = NULL;

    if (!root) {
        setup();
    }
    if (size > 20000) {
        return 0;
    }
    apr_pool_create(&p, root);
    s = apr_pstrmemdup(p, (const char *)data, size);
    proof = size && s[0] == '{' ? signed_proof(p, s, strlen(s)) : s;
    if (proof) {
        ac_dpop_status st = ac_dpop_proof_check(proof, &x, &out, &reason, p);

        if (st == AC_DPOP_OK && (!out.jkt || !out.jti || !out.alg)) {
            __builtin_trap();
        }
        if (st != AC_DPOP_OK && !reason) {
            __builtin_trap();
        }
    }
    if (size && s[0] != '{') {
        const char *n1 = ac_uri_normal_http(p, s);
        const char *n2 = n1 ? ac_uri_normal_http(p, n1) : NULL;

        if (n1 && (!n2 || strcmp(n1, n2))) {
            __builtin_trap();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
