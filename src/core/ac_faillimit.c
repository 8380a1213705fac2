/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_faillimit.h"

#include <string.h>
#include <apr_strings.h>

/* The record: window start (8 bytes, µs) and failures (4), big-endian. */
#define REC_LEN 12

typedef struct {
    apr_time_t start;
    apr_uint32_t failures;
} fl_rec;

static const unsigned char *key_of(const char *client, apr_size_t *klen,
                                   apr_pool_t *p)
{
    const char *k = apr_pstrcat(p, "authchallenge-fail:", client, NULL);

    *klen = strlen(k);
    return (const unsigned char *)k;
}

static void put_be(unsigned char *b, apr_uint64_t v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
    }
}

static apr_uint64_t get_be(const unsigned char *b, int n)
{
    apr_uint64_t v = 0;
    int i;

    for (i = 0; i < n; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

/* Read the live record of client; failures 0 when none or expired. */
static ac_state_status load(const ac_faillimit *fl, const unsigned char *k,
                            apr_size_t klen, apr_time_t now, fl_rec *rec,
                            apr_pool_t *p)
{
    unsigned char buf[REC_LEN];
    apr_size_t len = sizeof(buf);
    ac_state_status st;

    memset(rec, 0, sizeof(*rec));
    st = fl->state->get(fl->state->ctx, k, klen, buf, &len, p);
    if (st == AC_STATE_NOT_FOUND || (st == AC_STATE_OK && len != REC_LEN)) {
        return AC_STATE_OK;
    }
    if (st != AC_STATE_OK) {
        return st;
    }
    rec->start = (apr_time_t)get_be(buf, 8);
    rec->failures = (apr_uint32_t)get_be(buf + 8, 4);
    if (now >= rec->start + fl->window) {
        memset(rec, 0, sizeof(*rec));  /* the window has passed        */
    }
    return AC_STATE_OK;
}

static int active(const ac_faillimit *fl)
{
    return fl && fl->count > 0 && fl->state;
}

static ac_state_status store(const ac_faillimit *fl,
                             const unsigned char *k, apr_size_t klen,
                             const fl_rec *rec, apr_pool_t *p)
{
    unsigned char buf[REC_LEN];

    if (!rec->failures) {
        return fl->state->remove(fl->state->ctx, k, klen, p);
    }
    put_be(buf, (apr_uint64_t)rec->start, 8);
    put_be(buf + 8, rec->failures, 4);
    return fl->state->put(fl->state->ctx, k, klen, buf, sizeof(buf),
                          rec->start + fl->window, p);
}

/* ------------------------------------------------------- a local store
 * Under the lock: client's live record, changed by one (+1 reserves,
 * -1 gives back) unless that would pass the limit; *rec is the record
 * as found. */
static ac_state_status visit(const ac_faillimit *fl, const char *client,
                             apr_time_t now, int delta, fl_rec *rec,
                             apr_pool_t *p)
{
    apr_size_t klen;
    const unsigned char *k = key_of(client, &klen, p);
    ac_state_status st;
    fl_rec next;

    if (fl->state->lock(fl->state->ctx) != AC_STATE_OK) {
        return AC_STATE_ERROR;
    }
    st = load(fl, k, klen, now, rec, p);
    next = *rec;
    if (st == AC_STATE_OK && delta > 0
        && rec->failures < (apr_uint32_t)fl->count) {
        if (!next.failures) {
            next.start = now;
        }
        next.failures++;
        st = store(fl, k, klen, &next, p);
    }
    else if (st == AC_STATE_OK && delta < 0 && rec->failures) {
        next.failures--;
        st = store(fl, k, klen, &next, p);
    }
    fl->state->unlock(fl->state->ctx);
    return st;
}

/* ------------------------------------------- a store shared by servers
 * No lock spans a farm: the count is a counter of the store, changed
 * with its atomic incr (memcached incr, a redis script); the window's
 * start is a second key, written when the count rises from 0, for
 * Retry-After.  A reservation past the limit is given back at once. */

static const unsigned char *start_key(const char *client, apr_size_t *klen,
                                      apr_pool_t *p)
{
    const char *k = apr_pstrcat(p, "authchallenge-fail-start:", client,
                                NULL);

    *klen = strlen(k);
    return (const unsigned char *)k;
}

/* Seconds left in client's window (the whole window when its start is
 * unknown), at least 1. */
static apr_int64_t shared_left(const ac_faillimit *fl, const char *client,
                               apr_time_t now, apr_pool_t *p)
{
    unsigned char buf[8];
    apr_size_t klen, len = sizeof(buf);
    const unsigned char *k = start_key(client, &klen, p);
    apr_time_t start = now;
    apr_int64_t left;

    if (fl->state->get(fl->state->ctx, k, klen, buf, &len, p)
        == AC_STATE_OK && len == sizeof(buf)) {
        start = (apr_time_t)get_be(buf, 8);
    }
    if (start > now) {
        start = now;
    }
    left = (start + fl->window - now + APR_USEC_PER_SEC - 1)
           / APR_USEC_PER_SEC;
    return left < 1 ? 1 : left;
}

static ac_fl_status shared_reserve(const ac_faillimit *fl,
                                   const char *client, apr_time_t now,
                                   apr_int64_t *retry_after, apr_pool_t *p)
{
    apr_size_t klen, slen;
    const unsigned char *k = key_of(client, &klen, p), *sk;
    unsigned char buf[8];
    apr_int64_t n = 0;

    if (fl->state->incr(fl->state->ctx, k, klen, 1, now + fl->window, &n,
                        p) != AC_STATE_OK) {
        return AC_FL_ERROR;
    }
    if (n == 1) {                   /* a new window starts now */
        sk = start_key(client, &slen, p);
        put_be(buf, (apr_uint64_t)now, 8);
        fl->state->put(fl->state->ctx, sk, slen, buf, sizeof(buf),
                       now + fl->window, p);
    }
    if (n <= fl->count) {
        return AC_FL_ALLOW;
    }
    fl->state->incr(fl->state->ctx, k, klen, -1, now + fl->window, &n, p);
    *retry_after = shared_left(fl, client, now, p);
    return AC_FL_BLOCK;
}

static void shared_release(const ac_faillimit *fl, const char *client,
                           apr_time_t now, apr_pool_t *p)
{
    apr_size_t klen;
    const unsigned char *k = key_of(client, &klen, p);
    apr_int64_t n;

    fl->state->incr(fl->state->ctx, k, klen, -1, now + fl->window, &n, p);
}

/* ------------------------------------------------------------- both */

ac_fl_status ac_faillimit_reserve(const ac_faillimit *fl,
                                  const char *client, apr_time_t now,
                                  apr_int64_t *retry_after, apr_pool_t *p)
{
    fl_rec rec;

    if (!active(fl) || !client) {
        return AC_FL_ALLOW;
    }
    if (!fl->state->lock) {
        return fl->state->incr ? shared_reserve(fl, client, now,
                                                retry_after, p)
                               : AC_FL_ERROR;
    }
    if (visit(fl, client, now, 1, &rec, p) != AC_STATE_OK) {
        return AC_FL_ERROR;
    }
    if (rec.failures < (apr_uint32_t)fl->count) {
        return AC_FL_ALLOW;
    }
    /* whole seconds left, rounded up, at least 1 */
    *retry_after = (rec.start + fl->window - now + APR_USEC_PER_SEC - 1)
                   / APR_USEC_PER_SEC;
    if (*retry_after < 1) {
        *retry_after = 1;
    }
    return AC_FL_BLOCK;
}

void ac_faillimit_release(const ac_faillimit *fl, const char *client,
                          apr_time_t now, apr_pool_t *p)
{
    fl_rec rec;

    if (!active(fl) || !client) {
        return;
    }
    if (!fl->state->lock) {
        if (fl->state->incr) {
            shared_release(fl, client, now, p);
        }
        return;
    }
    visit(fl, client, now, -1, &rec, p);
}
