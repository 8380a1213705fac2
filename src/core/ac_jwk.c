/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * JWT verification keys: the JWS algorithm table (RFC 7518 §3), keys
 * from JWK Sets (RFC 7517, RFC 8037) and from AuthChallengeBearerKey
 * files.  Keys are built
 * with OpenSSL 3 (EVP_PKEY_fromdata, PEM_read_bio_PUBKEY); each knows the
 * algorithms it may verify, which is what rules out algorithm confusion.
 * The signature check itself is in ac_jwt.c.
 */
#include "ac_jwk.h"
#include "ac_hash.h"
#include "ac_thread.h"
#include "ac_util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#define KEY_FILE_MAX (1024 * 1024)
#define RSA_MIN_BITS 2048

static const ac_jwa jwas[] = {
    { "HS256", AC_JWA_HMAC, 0, 32 },
    { "HS384", AC_JWA_HMAC, 1, 48 },
    { "HS512", AC_JWA_HMAC, 2, 64 },
    { "RS256", AC_JWA_RSA, 0, 0 },
    { "RS384", AC_JWA_RSA, 1, 0 },
    { "RS512", AC_JWA_RSA, 2, 0 },
    { "PS256", AC_JWA_PSS, 0, 0 },
    { "PS384", AC_JWA_PSS, 1, 0 },
    { "PS512", AC_JWA_PSS, 2, 0 },
    { "ES256", AC_JWA_ECDSA, 0, 32 },
    { "ES384", AC_JWA_ECDSA, 1, 48 },
    { "ES512", AC_JWA_ECDSA, 2, 66 },
    { "EdDSA", AC_JWA_EDDSA, -1, 0 },
};
#define N_JWAS (sizeof(jwas) / sizeof(jwas[0]))

/* EC curves: JWK "crv", OpenSSL group name, the one ES* alg. */
static const struct {
    const char *crv, *group, *alg;
    int size;
} curves[] = {
    { "P-256", "prime256v1", "ES256", 32 },
    { "P-384", "secp384r1", "ES384", 48 },
    { "P-521", "secp521r1", "ES512", 66 },
};
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

const ac_jwa *ac_jwa_find(const char *name)
{
    apr_size_t i;

    for (i = 0; name && i < N_JWAS; i++) {
        if (!strcmp(jwas[i].name, name)) {
            return &jwas[i];
        }
    }
    return NULL;
}

unsigned ac_jwa_bit(const ac_jwa *a)
{
    return 1u << (unsigned)(a - jwas);
}

static unsigned kind_bits(ac_jwa_kind kind)
{
    unsigned bits = 0;
    apr_size_t i;

    for (i = 0; i < N_JWAS; i++) {
        if (jwas[i].kind == kind) {
            bits |= ac_jwa_bit(&jwas[i]);
        }
    }
    return bits;
}

/* ---------------------------------------------------------------- keyset */

static apr_status_t pkey_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

/* The digests of every key set, fetched once per process: an implicit
 * fetch, or one per key set, costs a lock and a lookup each time (a
 * DPoP proof makes a key set per request). */
static EVP_MD *digests[3];
static pthread_once_t digests_once = PTHREAD_ONCE_INIT;

static void fetch_digests(void)
{
    static const char *const names[3] = { "SHA256", "SHA384", "SHA512" };
    int i;

    for (i = 0; i < 3; i++) {
        digests[i] = EVP_MD_fetch(NULL, names[i], NULL);
    }
}

ac_jwt_keyset *ac_jwt_keyset_make(apr_pool_t *p)
{
    ac_jwt_keyset *ks = apr_pcalloc(p, sizeof(*ks));
    int i;

    ks->pool = p;
    ks->keys = apr_array_make(p, 4, sizeof(ac_jwk *));
    pthread_once(&digests_once, fetch_digests);
    for (i = 0; i < 3; i++) {
        ks->md[i] = digests[i];
    }
    return ks;
}

int ac_jwt_keyset_count(const ac_jwt_keyset *ks)
{
    return ks ? ks->keys->nelts : 0;
}

/* The algorithms the key material itself can verify, or 0 with *why. */
static unsigned natural_algs(EVP_PKEY *pk, apr_size_t secret_len,
                             const char **why)
{
    char group[64];
    apr_size_t i;
    unsigned bits = 0;

    if (!pk) {
        for (i = 0; i < N_JWAS; i++) {
            if (jwas[i].kind == AC_JWA_HMAC
                && secret_len >= (apr_size_t)jwas[i].size) {
                bits |= ac_jwa_bit(&jwas[i]);
            }
        }
        *why = "HMAC secret shorter than 32 bytes (RFC 7518 3.2)";
        return bits;
    }
    if (EVP_PKEY_is_a(pk, "RSA")) {
        *why = "RSA key shorter than 2048 bits (RFC 7518 3.3)";
        return EVP_PKEY_get_bits(pk) >= RSA_MIN_BITS
               ? kind_bits(AC_JWA_RSA) | kind_bits(AC_JWA_PSS) : 0;
    }
    if (EVP_PKEY_is_a(pk, "ED25519")) {
        return kind_bits(AC_JWA_EDDSA);
    }
    *why = "unsupported key type (RSA, EC P-256/384/521, Ed25519)";
    if (EVP_PKEY_is_a(pk, "EC")
        && EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME,
                                          group, sizeof(group), NULL)) {
        for (i = 0; i < N_CURVES; i++) {
            if (!strcmp(group, curves[i].group)) {
                return ac_jwa_bit(ac_jwa_find(curves[i].alg));
            }
        }
        *why = "unsupported EC curve (P-256, P-384, P-521)";
    }
    return 0;
}

/* Set k->algs from the key material and the configured alg (or NULL). */
static const char *key_algs(ac_jwk *k, const char *alg)
{
    const char *why = "unusable key";
    unsigned natural = natural_algs(k->pkey, k->secret_len, &why);
    const ac_jwa *a;

    if (!natural) {
        return why;
    }
    if (!alg) {
        k->algs = natural;
        return NULL;
    }
    if (!(a = ac_jwa_find(alg))) {
        return "unsupported algorithm";
    }
    if (!(natural & ac_jwa_bit(a))) {
        return a->kind == AC_JWA_HMAC && !k->pkey
               ? "HMAC secret shorter than the hash (RFC 7518 3.2)"
               : "algorithm does not fit the key type or curve";
    }
    k->algs = ac_jwa_bit(a);
    return NULL;
}

/* The key's material: its public key (DER) or its secret. */
static const char *key_material(apr_pool_t *p, const ac_jwk *k)
{
    unsigned char *der = NULL;
    const char *hex;
    int n;

    if (!k->pkey) {
        return ac_hex(p, k->secret, k->secret_len);
    }
    n = i2d_PUBKEY(k->pkey, &der);
    hex = n > 0 ? ac_hex(p, der, (apr_size_t)n) : "?";
    OPENSSL_free(der);
    return hex;
}

/* Keep k: its EVP_PKEY is freed with the keyset's pool; the set's
 * fingerprint takes it in. */
static void key_keep(ac_jwt_keyset *ks, ac_jwk *k)
{
    if (k->pkey) {
        apr_pool_cleanup_register(ks->pool, k->pkey, pkey_cleanup,
                                  apr_pool_cleanup_null);
    }
    APR_ARRAY_PUSH(ks->keys, ac_jwk *) = k;
    ks->fingerprint = ac_sha256_hex(ks->pool, apr_psprintf(
        ks->pool, "%s\n%s\n%x\n%s", ks->fingerprint ? ks->fingerprint
        : "", k->kid ? k->kid : "", k->algs, key_material(ks->pool, k)));
}

const char *ac_jwt_keyset_fingerprint(const ac_jwt_keyset *ks)
{
    return ks && ks->fingerprint ? ks->fingerprint : "";
}

/* ---------------------------------------------------------------- JWK */

static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY_CTX *check = NULL;
    EVP_PKEY *pk = NULL;

    if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0
        && EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) > 0) {
        /* On the curve, odd modulus, sane exponent... */
        check = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
        if (!check || EVP_PKEY_public_check(check) != 1) {
            EVP_PKEY_free(pk);
            pk = NULL;
        }
    }
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return pk;
}

/* Decode the base64url string member name of o (non-empty). */
static const char *b64_member(apr_pool_t *p, json_t *o, const char *name,
                              unsigned char **out, apr_size_t *len)
{
    json_t *v = json_object_get(o, name);

    if (!json_is_string(v)) {
        return apr_psprintf(p, "member \"%s\" missing or not a string",
                            name);
    }
    if (!ac_base64url_decode(p, json_string_value(v), json_string_length(v),
                             out, len) || *len == 0) {
        return apr_psprintf(p, "member \"%s\" is not base64url", name);
    }
    return NULL;
}

static const char *jwk_rsa(apr_pool_t *p, json_t *o, ac_jwk *k)
{
    unsigned char *n, *e;
    apr_size_t nlen, elen;
    const char *err;
    BIGNUM *bn = NULL, *be = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();

    if ((err = b64_member(p, o, "n", &n, &nlen))
        || (err = b64_member(p, o, "e", &e, &elen))) {
        OSSL_PARAM_BLD_free(bld);
        return err;
    }
    bn = BN_bin2bn(n, (int)nlen, NULL);
    be = BN_bin2bn(e, (int)elen, NULL);
    if (bld && bn && be
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be)) {
        k->pkey = pkey_fromdata("RSA", bld);
    }
    BN_free(bn);
    BN_free(be);
    OSSL_PARAM_BLD_free(bld);
    return k->pkey ? NULL : "not a valid RSA public key";
}

static const char *jwk_ec(apr_pool_t *p, json_t *o, ac_jwk *k)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    unsigned char *x, *y, *pub;
    apr_size_t i, xlen, ylen, n;
    const char *err;
    OSSL_PARAM_BLD *bld;

    for (i = 0; crv && i < N_CURVES && strcmp(crv, curves[i].crv); i++) {
    }
    if (!crv || i == N_CURVES) {
        return "\"crv\" is not P-256, P-384 or P-521";
    }
    if ((err = b64_member(p, o, "x", &x, &xlen))
        || (err = b64_member(p, o, "y", &y, &ylen))) {
        return err;
    }
    n = (apr_size_t)curves[i].size;
    if (xlen != n || ylen != n) {       /* RFC 7518 6.2.1.2: full size */
        return "\"x\" or \"y\" is not the curve's coordinate size";
    }
    pub = apr_palloc(p, 2 * n + 1);
    pub[0] = 0x04;                      /* uncompressed point */
    memcpy(pub + 1, x, n);
    memcpy(pub + 1 + n, y, n);
    if ((bld = OSSL_PARAM_BLD_new()) != NULL
        && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                           curves[i].group, 0)
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            pub, 2 * n + 1)) {
        k->pkey = pkey_fromdata("EC", bld);
    }
    OSSL_PARAM_BLD_free(bld);
    return k->pkey ? NULL : "not a valid EC public key (point off curve?)";
}

static const char *jwk_okp(apr_pool_t *p, json_t *o, ac_jwk *k)
{
    const char *crv = json_string_value(json_object_get(o, "crv"));
    unsigned char *x;
    apr_size_t xlen;
    const char *err;
    OSSL_PARAM_BLD *bld;

    if (!crv || strcmp(crv, "Ed25519")) {
        return "\"crv\" is not Ed25519";
    }
    if ((err = b64_member(p, o, "x", &x, &xlen))) {
        return err;
    }
    if (xlen != 32) {
        return "\"x\" is not 32 bytes";
    }
    if ((bld = OSSL_PARAM_BLD_new()) != NULL
        && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            x, xlen)) {
        k->pkey = pkey_fromdata("ED25519", bld);
    }
    OSSL_PARAM_BLD_free(bld);
    return k->pkey ? NULL : "not a valid Ed25519 public key";
}

static const char *jwk_oct(apr_pool_t *p, json_t *o, ac_jwk *k)
{
    unsigned char *s;
    const char *err = b64_member(p, o, "k", &s, &k->secret_len);

    k->secret = s;
    return err;
}

/* 1 when the JWK is meant for signatures: "use" absent or "sig",
 * "key_ops" absent or holding "verify". */
static int jwk_for_sig(json_t *o)
{
    json_t *use = json_object_get(o, "use");
    json_t *ops = json_object_get(o, "key_ops");
    json_t *op;
    size_t i;

    if (use && (!json_is_string(use)
                || strcmp(json_string_value(use), "sig"))) {
        return 0;
    }
    if (!ops) {
        return 1;
    }
    json_array_foreach(ops, i, op) {
        if (json_is_string(op) && !strcmp(json_string_value(op), "verify")) {
            return 1;
        }
    }
    return 0;
}

/* Build one JWK; *k stays NULL for a key that is skipped. */
static const char *jwk_build(apr_pool_t *p, json_t *o, ac_jwk **out)
{
    json_t *kid = json_object_get(o, "kid"), *alg = json_object_get(o, "alg");
    const char *kty = json_string_value(json_object_get(o, "kty"));
    const char *err;
    ac_jwk *k;

    *out = NULL;
    if (!json_is_object(o)) {
        return "not a JSON object";
    }
    if ((kid && !json_is_string(kid)) || (alg && !json_is_string(alg))) {
        return "\"kid\" or \"alg\" is not a string";
    }
    if (!jwk_for_sig(o)) {
        return NULL;
    }
    k = apr_pcalloc(p, sizeof(*k));
    k->kid = kid ? apr_pstrdup(p, json_string_value(kid)) : NULL;
    if (!kty) {
        return "\"kty\" missing or not a string";
    }
    err = !strcmp(kty, "RSA") ? jwk_rsa(p, o, k)
        : !strcmp(kty, "EC") ? jwk_ec(p, o, k)
        : !strcmp(kty, "OKP") ? jwk_okp(p, o, k)
        : !strcmp(kty, "oct") ? jwk_oct(p, o, k)
        : "unsupported \"kty\" (RSA, EC, OKP, oct)";
    if (!err) {
        err = key_algs(k, alg ? json_string_value(alg) : NULL);
    }
    if (err) {
        EVP_PKEY_free(k->pkey);
        return err;
    }
    *out = k;
    return NULL;
}

/* A key a fetched set may not carry: a symmetric key published with
 * the public keys is a key anyone can sign with. */
static int remote_refused(json_t *o)
{
    const char *kty = json_string_value(json_object_get(o, "kty"));

    return kty && !strcmp(kty, "oct");
}

static const char *key_error(apr_pool_t *p, size_t i, json_t *o,
                             const char *err)
{
    const char *kid = json_string_value(json_object_get(o, "kid"));

    return apr_psprintf(p, "JWKS key #%d%s%s%s: %s", (int)i + 1,
                        kid ? " (kid \"" : "", kid ? kid : "",
                        kid ? "\")" : "", err);
}

/* Every key of the array into ks.  A file's set (remote 0) fails on the
 * first bad key: the administrator fixes it before start-up.  A fetched
 * set (remote 1) skips what it cannot use, so that one key of a type
 * this module lacks does not take the others away; *note tells the
 * first skipped key. */
static const char *jwks_add_keys(ac_jwt_keyset *ks, json_t *keys,
                                 int remote, const char **note)
{
    apr_pool_t *p = ks->pool;
    json_t *o;
    size_t i;
    int used = 0;

    json_array_foreach(keys, i, o) {
        ac_jwk *k;
        const char *err = remote && remote_refused(o)
                          ? "a symmetric key in a published set (skipped)"
                          : jwk_build(p, o, &k);

        if (err && !remote) {
            return key_error(p, i, o, err);
        }
        if (err) {
            if (note && !*note) {
                *note = key_error(p, i, o, err);
            }
            continue;
        }
        if (k) {
            key_keep(ks, k);
            used++;
        }
    }
    return used ? NULL : "JWKS holds no signature verification key";
}

static const char *add_jwks(ac_jwt_keyset *ks, const char *json,
                            apr_size_t len, int remote, const char **note)
{
    json_error_t jerr;
    json_t *root, *keys;
    const char *err;

    /* The parser's message may quote the text (a secret "k"): not used. */
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        return apr_psprintf(ks->pool, "JWKS is not valid JSON (line %d, "
                            "column %d)", jerr.line, jerr.column);
    }
    if (!remote && json_object_get(root, "kty")) {
        keys = json_pack("[O]", root);      /* a single JWK */
    }
    else {
        keys = json_incref(json_object_get(root, "keys"));
    }
    err = json_is_array(keys) ? jwks_add_keys(ks, keys, remote, note)
                              : "JWKS has no \"keys\" array";
    json_decref(keys);
    json_decref(root);
    ERR_clear_error();       /* from keys that failed to build */
    return err;
}

const char *ac_jwt_keyset_add_jwks(ac_jwt_keyset *ks, const char *json,
                                   apr_size_t len)
{
    return add_jwks(ks, json, len, 0, NULL);
}

const char *ac_jwt_keyset_add_fetched(ac_jwt_keyset *ks, const char *json,
                                      apr_size_t len, const char **note)
{
    if (note) {
        *note = NULL;
    }
    return add_jwks(ks, json, len, 1, note);
}

/* Members that only a private JWK holds (RFC 7518 §6.2.2, §6.3.2, §6.4;
 * RFC 8037 §2). */
static int jwk_private(json_t *o)
{
    static const char *const priv[] = { "d", "p", "q", "dp", "dq", "qi",
                                        "oth", "k" };
    apr_size_t i;

    for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
        if (json_object_get(o, priv[i])) {
            return 1;
        }
    }
    return 0;
}

/*
 * Keys of DPoP proofs (RFC 9449 §4.2), kept per thread: a client signs
 * every proof with the same key, and making an EVP_PKEY from a JWK
 * costs more than verifying the proof's signature with it.  Found by the
 * SHA-256 of the whole JWK as jansson writes it with sorted keys, so a
 * JWK that differs in any member (use, key_ops, alg) is built anew.
 */
#define PROOF_KEYS 8

typedef struct {
    unsigned char id[SHA256_DIGEST_LENGTH];
    ac_jwk k;                   /* k.pkey holds a reference of its own  */
} proof_key;

typedef struct {
    proof_key e[PROOF_KEYS];
    unsigned next;              /* the slot to use next, round robin    */
} proof_keys;

static ac_thread_key proof_keys_key;
static pthread_once_t proof_keys_once = PTHREAD_ONCE_INIT;

static void proof_keys_free(void *b)
{
    proof_keys *t = b;
    int i;

    for (i = 0; i < PROOF_KEYS; i++) {
        EVP_PKEY_free(t->e[i].k.pkey);
    }
    free(t);
}

static void proof_keys_init(void)
{
    ac_thread_key_init(&proof_keys_key, proof_keys_free);
}

/* The key set takes k (and a reference of its own to k's EVP_PKEY),
 * without a fingerprint: a proof's set is used once. */
static void proof_key_use(ac_jwt_keyset *ks, const ac_jwk *k)
{
    ac_jwk *c = apr_pmemdup(ks->pool, k, sizeof(*c));

    if (!EVP_PKEY_up_ref(c->pkey)) {
        return;
    }
    apr_pool_cleanup_register(ks->pool, c->pkey, pkey_cleanup,
                              apr_pool_cleanup_null);
    APR_ARRAY_PUSH(ks->keys, ac_jwk *) = c;
}

/* This thread's kept key of that id, or NULL. */
static const ac_jwk *proof_key_find(proof_keys *t, const unsigned char *id)
{
    int i;

    for (i = 0; t && i < PROOF_KEYS; i++) {
        if (t->e[i].k.pkey && !memcmp(t->e[i].id, id, sizeof(t->e[i].id))) {
            return &t->e[i].k;
        }
    }
    return NULL;
}

static void proof_key_keep(proof_keys *t, const unsigned char *id,
                           const ac_jwk *k)
{
    proof_key *e;

    if (!t || !k->pkey || !EVP_PKEY_up_ref(k->pkey)) {
        return;
    }
    e = &t->e[t->next++ % PROOF_KEYS];
    EVP_PKEY_free(e->k.pkey);
    memcpy(e->id, id, sizeof(e->id));
    e->k = *k;
    e->k.kid = NULL;
}

const char *ac_jwt_keyset_add_public_jwk(ac_jwt_keyset *ks, void *jwk)
{
    json_t *o = jwk;
    const char *err;
    ac_jwk *k = NULL;
    unsigned char id[SHA256_DIGEST_LENGTH];
    char *text;
    proof_keys *t = NULL;
    const ac_jwk *kept = NULL;

    if (!json_is_object(o)) {
        return "the key is not a JSON object";
    }
    if (remote_refused(o) || jwk_private(o)) {
        return "the key is not a public key";
    }
    pthread_once(&proof_keys_once, proof_keys_init);
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (text) {
        SHA256((const unsigned char *)text, strlen(text), id);
        free(text);
        /* NULL without one: then every key is built anew */
        t = ac_thread_state(&proof_keys_key, sizeof(*t));
        kept = proof_key_find(t, id);
    }
    if (kept) {
        proof_key_use(ks, kept);
        return NULL;
    }
    err = jwk_build(ks->pool, o, &k);
    ERR_clear_error();
    if (err) {
        return err;
    }
    if (!k) {
        return "the key is not meant for signatures (use, key_ops)";
    }
    if (!k->pkey) {
        return "the key is not a public key";
    }
    k->kid = NULL;          /* the key is the proof's own: any kid */
    proof_key_keep(t, id, k);
    proof_key_use(ks, k);
    /* jwk_build's reference: proof_key_use took one of its own */
    EVP_PKEY_free(k->pkey);
    return NULL;
}

void ac_jwt_keyset_add_keyset(ac_jwt_keyset *ks, const ac_jwt_keyset *from)
{
    int i;

    for (i = 0; from && i < from->keys->nelts; i++) {
        ac_jwk *k = apr_pmemdup(ks->pool, APR_ARRAY_IDX(from->keys, i,
                                                        ac_jwk *),
                                sizeof(*k));

        /* the copy holds its own reference, freed with ks */
        if (k->pkey && !EVP_PKEY_up_ref(k->pkey)) {
            continue;
        }
        key_keep(ks, k);
    }
}

int ac_jwt_keyset_has_kid(const ac_jwt_keyset *ks, const char *kid)
{
    int i;

    for (i = 0; ks && kid && i < ks->keys->nelts; i++) {
        const ac_jwk *k = APR_ARRAY_IDX(ks->keys, i, const ac_jwk *);

        if (k->kid && !strcmp(k->kid, kid)) {
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- files */

static const char *read_file(apr_pool_t *p, const char *path,
                             unsigned char **data, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char buf[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && (fi.size < 0 || fi.size > KEY_FILE_MAX)) {
            apr_file_close(f);
            return apr_psprintf(p, "%s: larger than %d bytes", path,
                                KEY_FILE_MAX);
        }
        if (rv == APR_SUCCESS) {
            *len = (apr_size_t)fi.size;
            *data = apr_palloc(p, *len + 1);
            rv = *len ? apr_file_read_full(f, *data, *len, NULL)
                      : APR_SUCCESS;
            (*data)[*len] = '\0';
        }
        apr_file_close(f);
    }
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "%s: %s", path,
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    return NULL;
}

const char *ac_jwt_keyset_add_jwks_file(ac_jwt_keyset *ks,
                                        const char *path)
{
    unsigned char *data;
    apr_size_t len;
    const char *err = read_file(ks->pool, path, &data, &len);

    if (!err && (err = ac_jwt_keyset_add_jwks(ks, (char *)data, len))) {
        err = apr_psprintf(ks->pool, "%s: %s", path, err);
    }
    return err;
}

/* A PEM public key, or the public key of a PEM certificate. */
static EVP_PKEY *pem_public_key(const unsigned char *data, apr_size_t len)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    EVP_PKEY *pk = NULL;
    X509 *cert;

    if (bio && !(pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL))) {
        BIO_free(bio);
        bio = BIO_new_mem_buf(data, (int)len);
        if (bio && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
            pk = X509_get_pubkey(cert);
            X509_free(cert);
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    return pk;
}

static const char *secret_key(ac_jwk *k, unsigned char *data,
                              apr_size_t len)
{
    if (len && data[len - 1] == '\n') {
        len -= len > 1 && data[len - 2] == '\r' ? 2 : 1;
    }
    if (len >= 10 && !memcmp(data, "-----BEGIN", 10)) {
        /* HS* keyed with a public key is the confusion attack itself. */
        return "looks like a PEM key; HS* needs a shared secret file";
    }
    k->secret = data;
    k->secret_len = len;
    return NULL;
}

static const char *alg_unsupported(ac_jwt_keyset *ks, const char *alg)
{
    return apr_psprintf(ks->pool, "unsupported algorithm \"%s\" (HS256, "
                        "RS256, PS256, ES256, EdDSA, ...)", alg);
}

const char *ac_jwt_keyset_add_key(ac_jwt_keyset *ks, const char *alg,
                                  const void *data, apr_size_t len)
{
    const ac_jwa *a = ac_jwa_find(alg);
    ac_jwk *k = apr_pcalloc(ks->pool, sizeof(*k));
    unsigned char *copy;
    const char *err = NULL;

    if (!a) {
        return alg_unsupported(ks, alg);
    }
    if (len > KEY_FILE_MAX) {
        return apr_psprintf(ks->pool, "larger than %d bytes", KEY_FILE_MAX);
    }
    /* The secret is kept as it is: a copy the keyset owns. */
    copy = apr_palloc(ks->pool, len + 1);
    memcpy(copy, data, len);
    copy[len] = '\0';
    if (a->kind == AC_JWA_HMAC) {
        err = secret_key(k, copy, len);
    }
    else if (!(k->pkey = pem_public_key(copy, len))) {
        err = "no PEM public key or certificate";
    }
    if (!err) {
        err = key_algs(k, alg);
    }
    ERR_clear_error();
    if (err) {
        EVP_PKEY_free(k->pkey);
        return err;
    }
    key_keep(ks, k);
    return NULL;
}

const char *ac_jwt_keyset_add_key_file(ac_jwt_keyset *ks, const char *alg,
                                       const char *path)
{
    unsigned char *data;
    apr_size_t len;
    const char *err;

    if (!ac_jwa_find(alg)) {
        return alg_unsupported(ks, alg);
    }
    if ((err = read_file(ks->pool, path, &data, &len))) {
        return err;
    }
    if ((err = ac_jwt_keyset_add_key(ks, alg, data, len))) {
        return apr_psprintf(ks->pool, "%s: %s", path, err);
    }
    return NULL;
}
