/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_hash.h"
#include "ac_util.h"

#include <pthread.h>
#include <stdarg.h>
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
 * Digest response.  A fetched EVP_MD is immutable and thread-safe. */
static EVP_MD *fetched[3];
static pthread_once_t fetched_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    fetched[0] = EVP_MD_fetch(NULL, "MD5", NULL);
    fetched[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
    fetched[2] = EVP_MD_fetch(NULL, "SHA512-256", NULL);
}

static const EVP_MD *md_of(const ac_hash_alg *alg)
{
    pthread_once(&fetched_once, fetch_all);
    return !strcmp(alg->evp_name, "MD5") ? fetched[0]
         : !strcmp(alg->evp_name, "SHA256") ? fetched[1] : fetched[2];
}

static const char *finish(apr_pool_t *p, EVP_MD_CTX *ctx, int ok)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    ok = ok && EVP_DigestFinal_ex(ctx, out, &n);
    EVP_MD_CTX_free(ctx);
    return ok ? ac_hex(p, out, n) : NULL;
}

const char *ac_hash_hex_raw(apr_pool_t *p, const ac_hash_alg *alg,
                            const void *data, apr_size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md_of(alg), NULL)
             && EVP_DigestUpdate(ctx, data, len);

    return ctx ? finish(p, ctx, ok) : NULL;
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
