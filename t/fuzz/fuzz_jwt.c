/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz JWT verification.  An input that starts with '{' is a claims set:
 * the harness signs it (HS256, the keyset's secret) so the claim checks
 * and the flattening see arbitrary JSON; any other input is a token as
 * sent.  The keyset (built once) has an HMAC secret, an EC P-256 key and
 * an Ed25519 key, so every signature path runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "ac_jwt.h"
#include "ac_identity.h"
#include <jansson.h>
#include "ac_util.h"

/* "k" is base64url of this. */
static const char secret[] = "fuzz-secret-fuzz-secret-fuzz-secret!";

static const char jwks[] =
    "{\"keys\":["
    "{\"kid\":\"h\",\"kty\":\"oct\","
    "\"k\":\"ZnV6ei1zZWNyZXQtZnV6ei1zZWNyZXQtZnV6ei1zZWNyZXQh\"},"
    "{\"kid\":\"e\",\"kty\":\"EC\",\"crv\":\"P-256\","
    "\"x\":\"oFInCiACM10otCBpZJJWG4Qa_iUSknAxx-Yd6o2UwqI\","
    "\"y\":\"G5MBfKVoEeck101ExcWepBhAbbQhk6WWkgEIFzF0DaM\"},"
    "{\"kid\":\"d\",\"kty\":\"OKP\",\"crv\":\"Ed25519\","
    "\"x\":\"-vHHv0X9uGCJ6Gohwi0ilYw4F6nQYsB_2jol_SohZ7Q\"}]}";

static apr_pool_t *root;
static ac_jwt_keyset *keys;
static ac_jwt_checks checks;

/* At exit, before OpenSSL's own clean-up: LeakSanitizer does not see
 * the keys through pool memory and would call them leaked. */
static void teardown(void)
{
    apr_pool_destroy(root);
    apr_terminate();
}

static void setup(void)
{
    apr_array_header_t *auds;

    apr_initialize();
    apr_pool_create(&root, NULL);
    keys = ac_jwt_keyset_make(root);
    if (ac_jwt_keyset_add_jwks(keys, jwks, strlen(jwks))
        || ac_jwt_keyset_count(keys) != 3) {
        __builtin_trap();
    }
    auds = apr_array_make(root, 2, sizeof(char *));
    APR_ARRAY_PUSH(auds, const char *) = "api";
    checks.issuer = "https://idp";
    checks.audiences = auds;
    checks.leeway = apr_time_from_sec(60);
    atexit(teardown);
}

/* header.claims.HMAC-SHA-256 over the input as the claims */
static const char *signed_claims(apr_pool_t *p, const uint8_t *data,
                                 size_t size)
{
    const char *input = apr_pstrcat(p,
        ac_base64url_encode(p, (const unsigned char *)"{\"alg\":\"HS256\"}",
                            15), ".",
        ac_base64url_encode(p, data, size), NULL);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    HMAC(EVP_sha256(), secret, (int)strlen(secret),
         (const unsigned char *)input, strlen(input), mac, &len);
    return apr_pstrcat(p, input, ".", ac_base64url_encode(p, mac, len),
                       NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *token, *reason;
    ac_jwt jwt;
    ac_jwt_status st;

    if (!root) {
        setup();
    }
    apr_pool_create(&p, root);
    token = size && data[0] == '{'
            ? signed_claims(p, data, size)
            : apr_pstrmemdup(p, (const char *)data, size);
    st = ac_jwt_verify(keys, &checks, token, apr_time_from_sec(1700000000),
                       &jwt, &reason, p);
    if (st != AC_JWT_OK && (!reason || !ac_jwt_strerror(st))) {
        __builtin_trap();
    }
    if (jwt.json) {
        char *json = json_dumps(jwt.json, JSON_COMPACT);
        ac_identity id = { 0 };

        id.claims_json = json;
        ac_identity_claim_matches(&id, "sub", "alice", p);
        ac_identity_claim_matches(&id, "groups", "admin", p);
        ac_identity_claim_matches(&id, "n", "1", p);
        free(json);
    }
    apr_pool_destroy(p);
    return 0;
}
