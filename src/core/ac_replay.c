/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_replay.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

#define KEY_PREFIX "nc:"

int ac_replay_window_accept(ac_replay_window *w, apr_uint32_t nc)
{
    apr_uint32_t diff;

    if (nc > w->highest) {
        diff = nc - w->highest;
        /* slide: the old highest becomes bit diff-1 */
        w->seen = diff >= AC_REPLAY_WINDOW ? 0 : w->seen << diff;
        if (diff <= AC_REPLAY_WINDOW) {
            w->seen |= (apr_uint64_t)1 << (diff - 1);
        }
        w->highest = nc;
        return 1;
    }
    diff = w->highest - nc;
    if (diff == 0 || diff > AC_REPLAY_WINDOW
        || (w->seen & ((apr_uint64_t)1 << (diff - 1)))) {
        return 0;
    }
    w->seen |= (apr_uint64_t)1 << (diff - 1);
    return 1;
}

static void encode(const ac_replay_window *w, unsigned char *b)
{
    int i;

    for (i = 0; i < 4; i++) {
        b[i] = (unsigned char)(w->highest >> (24 - 8 * i));
    }
    for (i = 0; i < 8; i++) {
        b[4 + i] = (unsigned char)(w->seen >> (56 - 8 * i));
    }
}

static void decode(ac_replay_window *w, const unsigned char *b)
{
    int i;

    w->highest = 0;
    w->seen = 0;
    for (i = 0; i < 4; i++) {
        w->highest = (w->highest << 8) | b[i];
    }
    for (i = 0; i < 8; i++) {
        w->seen = (w->seen << 8) | b[4 + i];
    }
}

const unsigned char *ac_replay_key(apr_pool_t *p, const char *nonce,
                                   apr_size_t *klen)
{
    static const char token68[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "abcdefghijklmnopqrstuvwxyz0123456789-._~+/=";
    apr_size_t n = strlen(nonce);

    if (!n || n > AC_REPLAY_NONCE_MAX || strspn(nonce, token68) != n) {
        return NULL;
    }
    *klen = sizeof(KEY_PREFIX) - 1 + n;
    return (const unsigned char *)apr_pstrcat(p, KEY_PREFIX, nonce, NULL);
}

/* Read the window of key: a fresh one when there is none. */
static ac_state_status load(const ac_state *st, const unsigned char *key,
                            apr_size_t klen, ac_replay_window *w,
                            apr_pool_t *p)
{
    unsigned char buf[AC_REPLAY_RECORD_LEN + 4];
    apr_size_t len = sizeof(buf);
    ac_state_status s = st->get(st->ctx, key, klen, buf, &len, p);

    memset(w, 0, sizeof(*w));
    if (s == AC_STATE_NOT_FOUND) {
        return AC_STATE_OK;
    }
    if (s != AC_STATE_OK || len != AC_REPLAY_RECORD_LEN) {
        return AC_STATE_ERROR;      /* unreadable: fail closed */
    }
    decode(w, buf);
    return AC_STATE_OK;
}

/* A local store: the window of the nonce, under the lock. */
static ac_replay_status window_check(const ac_state *st,
                                     const unsigned char *key,
                                     apr_size_t klen, apr_uint32_t nc,
                                     apr_time_t expiry, apr_pool_t *p)
{
    unsigned char rec[AC_REPLAY_RECORD_LEN];
    ac_replay_window w;
    ac_replay_status out;

    if (st->lock(st->ctx) != AC_STATE_OK) {
        return AC_REPLAY_ERROR;
    }
    if (load(st, key, klen, &w, p) != AC_STATE_OK) {
        out = AC_REPLAY_ERROR;
    }
    else if (!ac_replay_window_accept(&w, nc)) {
        out = AC_REPLAY_REUSED;
    }
    else {
        encode(&w, rec);
        out = st->put(st->ctx, key, klen, rec, sizeof(rec), expiry, p)
              == AC_STATE_OK ? AC_REPLAY_FRESH : AC_REPLAY_ERROR;
    }
    st->unlock(st->ctx);
    return out;
}

/* A store shared by servers: one key per nonce and nc, set once. */
static ac_replay_status add_check(const ac_state *st, const char *group,
                                  const unsigned char *key,
                                  apr_size_t klen, apr_uint32_t nc,
                                  apr_time_t expiry, apr_pool_t *p)
{
    const char *k = apr_psprintf(p, "%.*s:%08x", (int)klen,
                                 (const char *)key, nc);

    switch (st->add(st->ctx, group, (const unsigned char *)k, strlen(k),
                    (const unsigned char *)"1", 1, expiry, p)) {
    case AC_STATE_OK:
        return AC_REPLAY_FRESH;
    case AC_STATE_EXISTS:
        return AC_REPLAY_REUSED;
    default:
        return AC_REPLAY_ERROR;
    }
}

/* Is the store still in the generation n was issued in?  Asked after
 * the nc was recorded: a flush between the two is then seen here. */
static ac_replay_status same_generation(const ac_state *st,
                                        const ac_replay_nonce *n,
                                        apr_pool_t *p)
{
    apr_uint64_t gen = 0;

    if (st->generation(st->ctx, n->group, 1, &gen, p) != AC_STATE_OK) {
        return AC_REPLAY_ERROR;
    }
    return gen == n->gen ? AC_REPLAY_FRESH : AC_REPLAY_FLUSHED;
}

ac_replay_status ac_replay_check(const ac_state *st,
                                 const ac_replay_nonce *n, apr_uint32_t nc,
                                 apr_time_t expiry, apr_pool_t *p)
{
    const unsigned char *key;
    ac_replay_status out, gen;
    apr_size_t klen;

    if (!st || !n || !n->nonce || !st->generation
        || !(key = ac_replay_key(p, n->nonce, &klen))) {
        return AC_REPLAY_ERROR;
    }
    if (st->lock) {
        /* one machine: its generation is known without asking, and a
         * nonce of another one need not touch the store */
        if ((gen = same_generation(st, n, p)) != AC_REPLAY_FRESH) {
            return gen;
        }
        return window_check(st, key, klen, nc, expiry, p);
    }
    if (!st->add) {
        return AC_REPLAY_ERROR;
    }
    out = add_check(st, n->group, key, klen, nc, expiry, p);
    if (out == AC_REPLAY_ERROR) {
        return out;
    }
    gen = same_generation(st, n, p);
    return gen == AC_REPLAY_FRESH ? out : gen;
}
