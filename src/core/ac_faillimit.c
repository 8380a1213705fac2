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

/* Under the lock: client's live record, changed by one (+1 reserves,
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

ac_fl_status ac_faillimit_reserve(const ac_faillimit *fl,
                                  const char *client, apr_time_t now,
                                  apr_int64_t *retry_after, apr_pool_t *p)
{
    fl_rec rec;

    if (!active(fl) || !client) {
        return AC_FL_ALLOW;
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

    if (active(fl) && client) {
        visit(fl, client, now, -1, &rec, p);
    }
}
