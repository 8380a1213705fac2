/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_hmac.h"
#include "ac_thread.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>

/* Fetched once per process (a fetch takes locks and name lookups; a
 * fetched EVP_MAC is immutable and may be shared by threads). */
static EVP_MAC *hmac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

/* Keyed contexts kept per thread.  EVP_MAC_init with a key allocates and
 * computes HMAC's inner and outer pads: two thirds of the cost of a short
 * HMAC (measured with callgrind).  Re-initialised with a NULL key, a
 * context starts again from the pads it keeps.  The few keys a thread
 * sees (the server secret, a Bearer key) fit in SLOTS; a key longer than
 * KEY_MAX is not kept. */
#define SLOTS   4
#define KEY_MAX 128

typedef struct {
    EVP_MAC_CTX *ctx;
    apr_size_t klen;
    unsigned char key[KEY_MAX];
} keyed_ctx;

typedef struct {
    keyed_ctx slot[SLOTS];
    unsigned int next;          /* the slot a new key replaces */
} thread_ctxs;

static ac_thread_key ctxs_key;

static void free_ctxs(void *v)
{
    thread_ctxs *t = v;
    int i;

    for (i = 0; i < SLOTS; i++) {
        EVP_MAC_CTX_free(t->slot[i].ctx);
    }
    OPENSSL_cleanse(t, sizeof(*t));
    free(t);
}

static void init_once(void)
{
    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    ac_thread_key_init(&ctxs_key, free_ctxs);
}

static thread_ctxs *my_ctxs(void)
{
    return ac_thread_state(&ctxs_key, sizeof(thread_ctxs));
}

static EVP_MAC_CTX *new_ctx(const unsigned char *key, apr_size_t klen)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         (char *)"SHA256", 0),
        OSSL_PARAM_construct_end()
    };
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac);

    if (ctx && !EVP_MAC_init(ctx, key, klen, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* This thread's context for key, ready for updates; *kept says whether
 * it stays with the thread (else the caller frees it). */
static EVP_MAC_CTX *hmac_start(const unsigned char *key, apr_size_t klen,
                               int *kept)
{
    thread_ctxs *t;
    keyed_ctx *s;
    int i;

    pthread_once(&hmac_once, init_once);
    *kept = 0;
    if (!hmac || !klen) {
        return NULL;
    }
    t = klen <= KEY_MAX ? my_ctxs() : NULL;
    if (!t) {
        return new_ctx(key, klen);
    }
    for (i = 0; i < SLOTS; i++) {
        s = &t->slot[i];
        if (s->ctx && s->klen == klen && !CRYPTO_memcmp(s->key, key, klen)) {
            *kept = EVP_MAC_init(s->ctx, NULL, 0, NULL);
            return *kept ? s->ctx : NULL;
        }
    }
    s = &t->slot[t->next++ % SLOTS];
    EVP_MAC_CTX_free(s->ctx);
    s->ctx = new_ctx(key, klen);
    s->klen = s->ctx ? klen : 0;
    memcpy(s->key, key, s->klen);
    *kept = s->ctx != NULL;
    return s->ctx;
}

static int hmac_finish(EVP_MAC_CTX *ctx, int kept, int ok,
                       unsigned char out[AC_HMAC_LEN])
{
    size_t n = 0;

    ok = ok && EVP_MAC_final(ctx, out, &n, AC_HMAC_LEN) && n == AC_HMAC_LEN;
    if (!kept) {
        EVP_MAC_CTX_free(ctx);
    }
    return ok;
}

int ac_hmac_sha256(const unsigned char *key, apr_size_t klen,
                   const void *data, apr_size_t len,
                   unsigned char out[AC_HMAC_LEN])
{
    int kept;
    EVP_MAC_CTX *ctx = hmac_start(key, klen, &kept);

    return ctx && hmac_finish(ctx, kept, EVP_MAC_update(ctx, data, len),
                              out);
}

/* Field bytes are gathered here and given to OpenSSL a block at a
 * time: each EVP_MAC_update passes through three layers of OpenSSL,
 * which for a dozen short pieces cost more than hashing them. */
typedef struct {
    EVP_MAC_CTX *ctx;
    apr_size_t used;
    unsigned char buf[512];
} gather;

static int gather_flush(gather *g)
{
    int ok = !g->used || EVP_MAC_update(g->ctx, g->buf, g->used);

    g->used = 0;
    return ok;
}

static int gather_add(gather *g, const void *data, apr_size_t len)
{
    if (g->used + len > sizeof(g->buf) && !gather_flush(g)) {
        return 0;
    }
    if (len > sizeof(g->buf)) {
        return EVP_MAC_update(g->ctx, data, len);
    }
    memcpy(g->buf + g->used, data, len);
    g->used += len;
    return 1;
}

int ac_hmac_fields(const unsigned char *key, apr_size_t klen,
                   unsigned char out[AC_HMAC_LEN], ...)
{
    int kept;
    gather g;
    const char *s;
    va_list ap;
    int ok;

    g.ctx = hmac_start(key, klen, &kept);
    g.used = 0;
    ok = g.ctx != NULL;
    va_start(ap, out);
    while (ok && (s = va_arg(ap, const char *)) != NULL) {
        apr_uint32_t len = (apr_uint32_t)strlen(s);
        unsigned char be[4] = { len >> 24, len >> 16, len >> 8, len };
        ok = gather_add(&g, be, 4) && gather_add(&g, s, len);
    }
    va_end(ap);
    return g.ctx && hmac_finish(g.ctx, kept, ok && gather_flush(&g), out);
}
