/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_hmac.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

/* Fetched once per process (a fetch takes locks and name lookups; a
 * fetched EVP_MAC is immutable and may be shared by threads). */
static EVP_MAC *hmac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void fetch_hmac(void)
{
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static EVP_MAC_CTX *hmac_start(const unsigned char *key, apr_size_t klen)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         (char *)"SHA256", 0),
        OSSL_PARAM_construct_end()
    };
    EVP_MAC_CTX *ctx;

    pthread_once(&hmac_once, fetch_hmac);
    ctx = hmac && klen ? EVP_MAC_CTX_new(hmac) : NULL;
    if (ctx && !EVP_MAC_init(ctx, key, klen, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static int hmac_finish(EVP_MAC_CTX *ctx, int ok,
                       unsigned char out[AC_HMAC_LEN])
{
    size_t n = 0;

    ok = ok && EVP_MAC_final(ctx, out, &n, AC_HMAC_LEN) && n == AC_HMAC_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

int ac_hmac_sha256(const unsigned char *key, apr_size_t klen,
                   const void *data, apr_size_t len,
                   unsigned char out[AC_HMAC_LEN])
{
    EVP_MAC_CTX *ctx = hmac_start(key, klen);

    return ctx && hmac_finish(ctx, EVP_MAC_update(ctx, data, len), out);
}

int ac_hmac_fields(const unsigned char *key, apr_size_t klen,
                   unsigned char out[AC_HMAC_LEN], ...)
{
    EVP_MAC_CTX *ctx = hmac_start(key, klen);
    const char *s;
    va_list ap;
    int ok = ctx != NULL;

    va_start(ap, out);
    while (ok && (s = va_arg(ap, const char *)) != NULL) {
        apr_uint32_t len = (apr_uint32_t)strlen(s);
        unsigned char be[4] = { len >> 24, len >> 16, len >> 8, len };
        ok = EVP_MAC_update(ctx, be, 4)
             && EVP_MAC_update(ctx, (const unsigned char *)s, len);
    }
    va_end(ap);
    return ctx && hmac_finish(ctx, ok, out);
}
