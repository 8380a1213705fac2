/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_hash.h"
#include "ac_thread.h"
#include "ac_util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>

static const ac_hash_alg algs[] = {
    { "MD5",              "MD5",         0, "MD5" },
    { "MD5-sess",         "MD5",         1, "MD5" },
    { "SHA-256",          "SHA-256",     0, "SHA256" },
    { "SHA-256-sess",     "SHA-256",     1, "SHA256" },
    { "SHA-512-256",      "SHA-512-256", 0, "SHA512-256" },
    { "SHA-512-256-sess", "SHA-512-256", 1, "SHA512-256" },
};

static const ac_hash_alg *const all[] = {
    &algs[0], &algs[1], &algs[2], &algs[3], &algs[4], &algs[5], NULL
};

const ac_hash_alg *ac_hash_find(const char *name)
{
    int i;

    for (i = 0; name && all[i]; i++) {
        if (!strcasecmp(all[i]->name, name)) {
            return all[i];
        }
    }
    return NULL;
}

const ac_hash_alg *const *ac_hash_all(void)
{
    return all;
}

/* The digests, fetched once per process: in OpenSSL 3 a legacy
 * EVP_MD makes every EVP_DigestInit_ex look the algorithm up again
 * (an "implicit fetch", with locks), which costs more than hashing a
 * Digest response.  A fetched EVP_MD is immutable and thread-safe.
 *
 * Each thread also keeps one context per digest.  A context made and
 * freed per hash allocates twice (OpenSSL's and the provider's), takes
 * and drops a reference on the shared EVP_MD (an atomic both CPUs
 * fight over) and walks more of OpenSSL than the few blocks of a
 * Digest response do; EVP_DigestInit_ex2 on a kept context reuses all
 * of it.  In a micro-benchmark of a 140-byte SHA-256 on two threads:
 * 347 ns a hash with a context each time, 162 ns with a kept one.
 * (Through a whole request the hashes are too small a part to show in
 * req/s on this project's machine: docs/performance.md.) */
#define NMD 3

static EVP_MD *fetched[NMD];
static ac_thread_key ctxs_key;
static pthread_once_t fetched_once = PTHREAD_ONCE_INIT;

typedef struct {
    EVP_MD_CTX *ctx[NMD];
} thread_ctxs;

static void free_ctxs(void *v)
{
    thread_ctxs *t = v;
    int i;

    for (i = 0; i < NMD; i++) {
        EVP_MD_CTX_free(t->ctx[i]);
    }
    free(t);
}

static void fetch_all(void)
{
    fetched[0] = EVP_MD_fetch(NULL, "MD5", NULL);
    fetched[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
    fetched[2] = EVP_MD_fetch(NULL, "SHA512-256", NULL);
    ac_thread_key_init(&ctxs_key, free_ctxs);
}

static int md_index(const ac_hash_alg *alg)
{
    return !strcmp(alg->evp_name, "MD5") ? 0
         : !strcmp(alg->evp_name, "SHA256") ? 1 : 2;
}

/* This thread's context for digest i, or NULL (then one per hash). */
static EVP_MD_CTX *kept_ctx(int i)
{
    thread_ctxs *t = ac_thread_state(&ctxs_key, sizeof(thread_ctxs));

    if (t && !t->ctx[i]) {
        t->ctx[i] = EVP_MD_CTX_new();
    }
    return t ? t->ctx[i] : NULL;
}

const char *ac_hash_hex_raw(apr_pool_t *p, const ac_hash_alg *alg,
                            const void *data, apr_size_t len)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx, *own = NULL;
    int i, ok;

    pthread_once(&fetched_once, fetch_all);
    i = md_index(alg);
    if (!fetched[i]) {
        return NULL;
    }
    if (!(ctx = kept_ctx(i)) && !(ctx = own = EVP_MD_CTX_new())) {
        return NULL;
    }
    ok = EVP_DigestInit_ex2(ctx, fetched[i], NULL)
         && EVP_DigestUpdate(ctx, data, len)
         && EVP_DigestFinal_ex(ctx, out, &n);
    EVP_MD_CTX_free(own);
    return ok ? ac_hex(p, out, n) : NULL;
}

/* The fields are joined with ':' first and hashed in one update: each
 * EVP_DigestUpdate passes through OpenSSL's layers, which for the
 * dozen short pieces of a Digest response cost more than the hashing. */
const char *ac_hash_hex(apr_pool_t *p, const ac_hash_alg *alg, ...)
{
    apr_size_t len = 0, n;
    const char *s;
    char *buf, *at;
    va_list ap, again;

    va_start(ap, alg);
    va_copy(again, ap);
    while ((s = va_arg(ap, const char *)) != NULL) {
        len += strlen(s) + 1;
    }
    va_end(ap);
    at = buf = apr_palloc(p, len + 1);
    while ((s = va_arg(again, const char *)) != NULL) {
        n = strlen(s);
        memcpy(at, s, n);
        at += n;
        *at++ = ':';
    }
    va_end(again);
    return ac_hash_hex_raw(p, alg, buf, len ? len - 1 : 0);
}

const char *ac_hash_ha1(apr_pool_t *p, const ac_hash_alg *alg,
                        const char *user, const char *realm,
                        const char *password)
{
    return ac_hash_hex(p, ac_hash_find(alg->base), user, realm, password,
                       NULL);
}

const char *ac_sha256_hex(apr_pool_t *p, const char *s)
{
    return ac_hash_hex_raw(p, ac_hash_find("SHA-256"), s, strlen(s));
}

const char *ac_hash_parse_list(const char *names,
                               const apr_array_header_t **out,
                               apr_pool_t *p)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const ac_hash_alg *));
    char *copy = apr_pstrdup(p, names), *w, *last;

    for (w = apr_strtok(copy, " ", &last); w;
         w = apr_strtok(NULL, " ", &last)) {
        const ac_hash_alg *alg = ac_hash_find(w);

        if (!alg) {
            return w;
        }
        APR_ARRAY_PUSH(a, const ac_hash_alg *) = alg;
    }
    *out = a;
    return NULL;
}
