/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_credcache.h"
#include "ac_hmac.h"

#include <string.h>
#include <apr_strings.h>

/* The stored value: 8 bytes of expiry (big-endian µs), then the text.
 * The expiry is checked here too: memcache and redis round it. */
#define HDR 8

/* What a store call said of the store's health (ac_credcache.h). */
static void note(int *health, ac_state_status st)
{
    if (health) {
        *health = st == AC_STATE_ERROR ? -1 : 1;
    }
}

int ac_credcache_enabled(const ac_credcache *c)
{
    return c && c->state && c->ttl > 0 && c->secret && c->scope;
}

static int make_key(const ac_credcache *c, const char *scheme,
                    const char *realm, const char *user,
                    const char *credential, const char *stamp,
                    unsigned char key[AC_HMAC_LEN])
{
    return ac_hmac_fields(c->secret, c->secret_len, key, "credcache",
                          scheme, c->scope, realm ? realm : "",
                          user ? user : "", credential,
                          stamp ? stamp : "", NULL);
}

int ac_credcache_get(const ac_credcache *c, const char *scheme,
                     const char *realm, const char *user,
                     const char *credential, const char *stamp,
                     apr_time_t now, const char **value, int *health,
                     apr_pool_t *p)
{
    unsigned char key[AC_HMAC_LEN], *buf;
    apr_size_t len = HDR + AC_CREDCACHE_MAX_VALUE;
    apr_uint64_t exp = 0;
    ac_state_status st;
    int i;

    if (!ac_credcache_enabled(c)
        || !make_key(c, scheme, realm, user, credential, stamp, key)) {
        return 0;
    }
    buf = apr_palloc(p, len + 1);
    if (c->state->lock && c->state->lock(c->state->ctx) != AC_STATE_OK) {
        note(health, AC_STATE_ERROR);
        return 0;
    }
    st = c->state->get(c->state->ctx, key, sizeof(key), buf, &len, p);
    if (c->state->unlock) {
        c->state->unlock(c->state->ctx);
    }
    note(health, st);
    if (st != AC_STATE_OK || len < HDR) {
        return 0;
    }
    for (i = 0; i < HDR; i++) {
        exp = (exp << 8) | buf[i];
    }
    if ((apr_time_t)exp <= now) {
        return 0;
    }
    buf[len] = '\0';
    *value = (const char *)buf + HDR;
    return 1;
}

void ac_credcache_put(const ac_credcache *c, const char *scheme,
                      const char *realm, const char *user,
                      const char *credential, const char *stamp,
                      const char *value, apr_time_t now,
                      apr_time_t not_after, int *health, apr_pool_t *p)
{
    unsigned char key[AC_HMAC_LEN], *buf;
    apr_size_t vlen = strlen(value);
    apr_time_t exp;
    int i;

    if (!ac_credcache_enabled(c) || vlen > AC_CREDCACHE_MAX_VALUE
        || !make_key(c, scheme, realm, user, credential, stamp, key)) {
        return;
    }
    exp = now + c->ttl;
    if (not_after && not_after < exp) {
        exp = not_after;
    }
    if (exp <= now) {
        return;
    }
    buf = apr_palloc(p, HDR + vlen);
    for (i = 0; i < HDR; i++) {
        buf[i] = (unsigned char)((apr_uint64_t)exp >> (8 * (HDR - 1 - i)));
    }
    memcpy(buf + HDR, value, vlen);
    /* a store shared by servers has no lock: one put is one step */
    if (c->state->lock && c->state->lock(c->state->ctx) != AC_STATE_OK) {
        note(health, AC_STATE_ERROR);
        return;
    }
    note(health, c->state->put(c->state->ctx, key, sizeof(key), buf,
                               HDR + vlen, exp, p));
    if (c->state->unlock) {
        c->state->unlock(c->state->ctx);
    }
}
