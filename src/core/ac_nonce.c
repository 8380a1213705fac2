/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_nonce.h"
#include "ac_hmac.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define TIME_LEN 8
#define GEN_LEN  8
#define RAND_LEN AC_NONCE_RAND_LEN
#define HEAD_LEN (TIME_LEN + GEN_LEN + RAND_LEN)
#define MAC_LEN  32
#define RAW_LEN  (HEAD_LEN + MAC_LEN)
#define OPAQUE_LEN 16

int ac_rand_bytes(unsigned char *buf, apr_size_t n)
{
    return RAND_bytes(buf, (int)n) == 1;
}

static int hmac256(const unsigned char *key, apr_size_t klen,
                   const unsigned char *data, apr_size_t len,
                   unsigned char out[MAC_LEN])
{
    if (!key || !klen) {
        return 0;           /* an empty key would make nonces forgeable */
    }
    return ac_hmac_sha256(key, klen, data, len, out);
}

/* HMAC over head (time || gen || random) || realm || 0x00 || opaque. */
static int nonce_mac(apr_pool_t *p, const unsigned char *secret,
                     apr_size_t slen, const unsigned char *head,
                     const char *realm, const char *opaque,
                     unsigned char out[MAC_LEN])
{
    apr_size_t rl = strlen(realm), ol = strlen(opaque);
    apr_size_t n = HEAD_LEN + rl + 1 + ol;
    unsigned char *buf = apr_palloc(p, n);

    memcpy(buf, head, HEAD_LEN);
    memcpy(buf + HEAD_LEN, realm, rl);
    buf[HEAD_LEN + rl] = 0x00;
    memcpy(buf + HEAD_LEN + rl + 1, opaque, ol);
    return hmac256(secret, slen, buf, n, out);
}

static void put_be64(unsigned char *b, apr_uint64_t v)
{
    int i;

    for (i = TIME_LEN - 1; i >= 0; i--, v >>= 8) {
        b[i] = (unsigned char)(v & 0xff);
    }
}

static apr_uint64_t get_be64(const unsigned char *b)
{
    apr_uint64_t v = 0;
    int i;

    for (i = 0; i < TIME_LEN; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

static void to_hex(const unsigned char *r, char group[AC_NONCE_GROUP_LEN])
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < RAND_LEN; i++) {
        group[2 * i] = hex[r[i] >> 4];
        group[2 * i + 1] = hex[r[i] & 0x0f];
    }
    group[2 * RAND_LEN] = '\0';
}

int ac_nonce_draw(ac_rand_fn rnd, unsigned char r[AC_NONCE_RAND_LEN],
                  char group[AC_NONCE_GROUP_LEN])
{
    if (!(rnd ? rnd : ac_rand_bytes)(r, RAND_LEN)) {
        return 0;
    }
    to_hex(r, group);
    return 1;
}

const char *ac_nonce_issue(apr_pool_t *p, const unsigned char *secret,
                           apr_size_t slen, const char *realm,
                           const char *opaque, apr_time_t now,
                           apr_uint64_t gen,
                           const unsigned char r[AC_NONCE_RAND_LEN])
{
    unsigned char raw[RAW_LEN];

    put_be64(raw, (apr_uint64_t)apr_time_sec(now));
    put_be64(raw + TIME_LEN, gen);
    memcpy(raw + TIME_LEN + GEN_LEN, r, RAND_LEN);
    if (!nonce_mac(p, secret, slen, raw, realm, opaque, raw + HEAD_LEN)) {
        return NULL;
    }
    return ac_base64url_encode(p, raw, RAW_LEN);
}

/* Decode exactly RAW_LEN bytes, and only from their canonical encoding,
 * so that one nonce has one spelling. */
static int nonce_decode(apr_pool_t *p, const char *nonce,
                        unsigned char **raw)
{
    apr_size_t len;

    return nonce && strlen(nonce) == AC_NONCE_LEN
           && ac_base64url_is_canonical(nonce, AC_NONCE_LEN)
           && ac_base64url_decode(p, nonce, AC_NONCE_LEN, raw, &len)
           && len == RAW_LEN;
}

ac_nonce_status ac_nonce_verify(apr_pool_t *p, const unsigned char *secret,
                                apr_size_t slen, const char *nonce,
                                const char *realm, const char *opaque,
                                apr_time_t now,
                                apr_interval_time_t lifetime,
                                ac_nonce_info *info)
{
    unsigned char *raw, mac[MAC_LEN];
    apr_uint64_t sec;
    apr_time_t t;

    if (!nonce_decode(p, nonce, &raw)
        || !nonce_mac(p, secret, slen, raw, realm, opaque, mac)
        || CRYPTO_memcmp(mac, raw + HEAD_LEN, MAC_LEN) != 0) {
        return AC_NONCE_BAD;
    }
    sec = get_be64(raw);
    if (info) {
        info->issued = 0;
        info->gen = get_be64(raw + TIME_LEN);
        to_hex(raw + TIME_LEN + GEN_LEN, info->group);
    }
    if (sec > (apr_uint64_t)apr_time_sec(APR_INT64_MAX)) {
        return AC_NONCE_STALE;  /* authentic, yet absurdly far ahead */
    }
    t = apr_time_from_sec((apr_time_t)sec);
    if (info) {
        info->issued = t;
    }
    if (t > now + AC_NONCE_SKEW || now - t > lifetime) {
        return AC_NONCE_STALE;
    }
    return AC_NONCE_OK;
}

const char *ac_nonce_opaque(apr_pool_t *p, const unsigned char *secret,
                            apr_size_t slen, const char *realm)
{
    static const char label[] = "opaque";       /* with its NUL */
    apr_size_t rl = strlen(realm);
    unsigned char *buf = apr_palloc(p, sizeof(label) + rl);
    unsigned char mac[MAC_LEN];

    memcpy(buf, label, sizeof(label));
    memcpy(buf + sizeof(label), realm, rl);
    if (!hmac256(secret, slen, buf, sizeof(label) + rl, mac)) {
        return NULL;
    }
    return ac_base64url_encode(p, mac, OPAQUE_LEN);
}
