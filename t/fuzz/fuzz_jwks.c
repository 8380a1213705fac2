/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz the JWT key loaders: the input is the contents of an
 * AuthChallengeBearerJWKS file (RFC 7517 JWK Set or one JWK; RFC 7518
 * section 6, RFC 8037), read through ac_jwt_keyset_add_jwks as the file
 * reader hands it over, and of an AuthChallengeBearerKey file (PEM public
 * key or certificate, or an HMAC secret) through ac_jwt_keyset_add_key.
 *
 * Every key kept must verify only what its material allows (RFC 7518
 * 3.2, 3.3; no HS* with a public key, no public-key alg with a secret),
 * an error never quotes an oct key's "k", and tokens signed offline with
 * the seeds' keys (t/fuzz/corpus/jwks/) are verified against the set, so
 * mutated kid, alg, use and key_ops members reach key selection.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "fuzz.h"
#include "ac_jwk.h"
#include "ac_jwt.h"

/* sub "alice", iss "https://idp"; HS* with the seeds' 64-byte secret */
static const char *const tokens[] = {
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImgifQ.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0d"
    "HBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.8NsTtNdIBsjBoOcW3l2N5cf3u"
    "AlfMuv4Bxtnk-tLoCs",
    "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vaWRwIiw"
    "ic2NvcGUiOiJyZWFkIHdyaXRlIn0.bfojsQ4auO7FzRbIxmGZ4g6-UG0frP6OAj9b0o6"
    "fk1dwWOZOOrbIugtNAwDmmv-mc5sYARQEVA7pu_lamCVFug",
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InIifQ.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0d"
    "HBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.zz8Lh9Ph3pgb07So_BZZhYMja"
    "Txo9j-H-RnLDanOPFscKC5roNyON5KUfQ2VIBDkDcSeBesNl2v1qYlKhKLfutq4IBfwV"
    "_VHfZLYZcekQmeBxWbgD1nJ65Wx8SdTYAzVs1TCLpXYj81WWNI6BPjd9shXYrGYow98U"
    "-Lo100CIHvoWQqhsADyfEbKKuKQz4DnWdVRqF36j-8Tj_5RNxMQMxoloMMvTz77Mldl0"
    "PJfEZVfMw3FMAU35jqytRtj-LVMn3f6v6ujMk5IigmPzY0lczCtDvS98GNfNvCapAkhf"
    "J7nD7JdsVGg7OCye0p7ftVb4kWcj2I3-62_xxm9NKzO1g",
    "eyJhbGciOiJQUzM4NCIsImtpZCI6InIifQ.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0d"
    "HBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.wZRIpP4fKY5UTUVopWaEV7ZNm"
    "0KCgdb-BwSRvOZ6S80vSkzDMSZvh9g55_MSNc972i_fDYEu9ZrWiPJzkRfGSrjJii6SC"
    "zPOfsyt6EnmprnW_c2RKdmAhtlMQMX8RgRuakzMaTabxl2VjgxG4rlxN4Qm10a5n63Rh"
    "ZUopEYkkRgXnwG2agB0BtezDB_hYrCU-xbrKnUt4PNbfr2QJrwuowWKtOEcuOY6DudoV"
    "enV1boCq79kWzJywXNYfh0eEniPUCRh7W5U3l-3CEx-T0KXIN8bvroV711YEWL3tVGjZ"
    "eUpHvQEacGiAgcDpsmdWACkH348nXkX0EEKh52UVWWl7A",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImUifQ.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0d"
    "HBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.Cx6cAemfWHV0wqwfGNi1D5n-1"
    "jgrTRl09jRJNC4hUREP_BgSVg_7GkdFCoxwUVMoqF33RhEPxkpoTzfRTr_0MA",
    "eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0dHBzOi8vaWRwIiw"
    "ic2NvcGUiOiJyZWFkIHdyaXRlIn0.j4zGKOpInPE6uGbz9KM0L47eXFFQi2ioSMgDXUO"
    "syt06VyACMunWJQbAIU1HPfkf4Lhsty4sgPB1OoZdDMGDT1GE--8mWX_xJKI4uSmb6cj"
    "ecRRbrRRi6TBgwGYa2wtv",
    "eyJhbGciOiJFUzUxMiIsImtpZCI6ImU1In0.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0"
    "dHBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.ACt-WrCyPEizcNZog-1MmKtR"
    "bNxt0NbQnjl9jdQXSUrWLH7FneluMBgz6dT5hRwjL-JZtBYKhVN1_sJfKTzzsMpNAFv-"
    "W_xM0HuKRusNbhl2ZfbJbnVbs6jR3SnV1XLwGeT4S-q5buLlRyNxtLuXthkjkBsRqYhl"
    "DriWIxjiaa3kdD2D",
    "eyJhbGciOiJFZERTQSIsImtpZCI6ImQifQ.eyJzdWIiOiJhbGljZSIsImlzcyI6Imh0d"
    "HBzOi8vaWRwIiwic2NvcGUiOiJyZWFkIHdyaXRlIn0.kFD3QZWgNHyVyFU_zV7kbWuw-"
    "70cnZTsUW1Oe-Cpavg1GkVGK0uu8LS2WLjkFFJnvkMmGMqI27iW7NwCvyBLBA",
};
#define N_TOKENS (sizeof(tokens) / sizeof(tokens[0]))

static const char *const algs[] = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256",
    "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

static apr_pool_t *root;

static void teardown(void)
{
    apr_pool_destroy(root);
    apr_terminate();
}

/* What each kept key may verify fits its material. */
static void check_keys(const ac_jwt_keyset *ks)
{
    int i;
    apr_size_t a;

    for (i = 0; i < ks->keys->nelts; i++) {
        const ac_jwk *k = APR_ARRAY_IDX(ks->keys, i, const ac_jwk *);

        CHECK(k->algs);
        CHECK(!k->pkey != !k->secret);
        for (a = 0; a < N_ALGS; a++) {
            const ac_jwa *j = ac_jwa_find(algs[a]);

            if (!(k->algs & ac_jwa_bit(j))) {
                continue;
            }
            switch (j->kind) {
            case AC_JWA_HMAC:
                CHECK(!k->pkey && k->secret_len >= (apr_size_t)j->size);
                break;
            case AC_JWA_RSA:
            case AC_JWA_PSS:
                CHECK(k->pkey && EVP_PKEY_is_a(k->pkey, "RSA")
                      && EVP_PKEY_get_bits(k->pkey) >= 2048);
                break;
            case AC_JWA_ECDSA:
                CHECK(k->pkey && EVP_PKEY_is_a(k->pkey, "EC")
                      && EVP_PKEY_get_bits(k->pkey) >= j->size * 8 - 7);
                break;
            case AC_JWA_EDDSA:
                CHECK(k->pkey && EVP_PKEY_is_a(k->pkey, "ED25519"));
                break;
            }
        }
    }
}

/* The kids of the document, joined: an error may quote them. */
static const char *all_kids(apr_pool_t *p, json_t *keys)
{
    const char *kids = "";
    json_t *o;
    size_t i;

    json_array_foreach(keys, i, o) {
        const char *kid = json_string_value(json_object_get(o, "kid"));
        if (kid) {
            kids = apr_pstrcat(p, kids, "\n", kid, NULL);
        }
    }
    return kids;
}

/* An error may name a key by index and kid, never quote a secret (but
 * a kid the admin made equal to some "k" is quoted as a kid). */
static void check_error(const char *err, const uint8_t *data, size_t size,
                        apr_pool_t *p)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    json_t *keys, *o;
    const char *kids;
    size_t i;

    if (!doc) {
        return;
    }
    keys = json_object_get(doc, "kty") ? json_pack("[O]", doc)
                                       : json_incref(json_object_get(doc,
                                                                     "keys"));
    kids = all_kids(p, keys);
    json_array_foreach(keys, i, o) {
        const char *k = json_string_value(json_object_get(o, "k"));

        if (k && strlen(k) >= 8 && !strstr(kids, k)) {
            CHECK(!strstr(err, k));
        }
    }
    json_decref(keys);
    json_decref(doc);
}

static void verify_all(const ac_jwt_keyset *ks, apr_pool_t *p)
{
    static const ac_jwt_checks checks = { "https://idp", NULL, 0, 0, 0 };
    apr_size_t t;
    int i, ok = 0;

    for (t = 0; t < N_TOKENS; t++) {
        const char *reason = NULL;
        ac_jwt jwt;
        ac_jwt_status st = ac_jwt_verify(ks, &checks, tokens[t],
                                         apr_time_from_sec(1700000000),
                                         &jwt, &reason, p);
        unsigned allowed = 0;

        if (st != AC_JWT_OK) {
            CHECK(reason);
            continue;
        }
        for (i = 0; i < ks->keys->nelts; i++) {
            allowed |= APR_ARRAY_IDX(ks->keys, i, const ac_jwk *)->algs;
        }
        CHECK(jwt.alg && (allowed & ac_jwa_bit(ac_jwa_find(jwt.alg))));
        CHECK(!strcmp(apr_hash_get(jwt.claims, "sub", APR_HASH_KEY_STRING),
                       "alice"));
        ok++;
    }
    if (getenv("FUZZ_JWKS_VERBOSE")) {      /* to check the seeds */
        fprintf(stderr, "%d keys, %d of %d tokens verified\n",
                ac_jwt_keyset_count(ks), ok, (int)N_TOKENS);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ac_jwt_keyset *ks;
    const char *err;
    apr_size_t a;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
        atexit(teardown);
    }
    apr_pool_create(&p, root);

    /* AuthChallengeBearerJWKS: data is not NUL-terminated */
    ks = ac_jwt_keyset_make(p);
    err = ac_jwt_keyset_add_jwks(ks, (const char *)data, size);
    check_keys(ks);
    if (err) {
        check_error(err, data, size, p);
    }
    else {
        CHECK(ac_jwt_keyset_count(ks) > 0);
    }
    verify_all(ks, p);

    /* AuthChallengeBearerKey: a PEM key for a public-key alg, a secret
     * file for HS*; the alg follows from the size */
    ks = ac_jwt_keyset_make(p);
    a = size >= 10 && !memcmp(data, "-----BEGIN", 10) ? 3 + size % 10
                                                       : size % 3;
    if (!ac_jwt_keyset_add_key(ks, algs[a], data, size)) {
        CHECK(ac_jwt_keyset_count(ks) == 1);
    }
    check_keys(ks);
    verify_all(ks, p);
    apr_pool_destroy(p);
    return 0;
}
