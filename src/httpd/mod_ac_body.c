/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "mod_ac_body.h"

#include "http_config.h"
#include "http_log.h"
#include "http_protocol.h"
#include "util_filter.h"
#include "apr_buckets.h"
#include "apr_strings.h"

#include "mod_ac_config.h"

APLOG_USE_MODULE(authchallenge);

#define AC_BODY_NOTE "authchallenge-body"

typedef struct {
    const char *data;
    apr_size_t len;
    apr_size_t offset;      /* bytes already handed back to the reader */
} ac_kept;

/* Hand the kept bytes back in order, as each read mode asks (a line,
 * a peek that consumes nothing, everything), then let HTTP_IN say EOS. */
static apr_status_t kept_body_filter(ap_filter_t *f, apr_bucket_brigade *b,
                                     ap_input_mode_t mode,
                                     apr_read_type_e block,
                                     apr_off_t readbytes)
{
    ac_kept *k = f->ctx;
    const char *at = k->data + k->offset;
    apr_size_t n = k->len - k->offset;

    if (!n || (mode != AP_MODE_READBYTES && mode != AP_MODE_GETLINE
               && mode != AP_MODE_SPECULATIVE
               && mode != AP_MODE_EXHAUSTIVE)) {
        return ap_get_brigade(f->next, b, mode, block, readbytes);
    }
    if (mode == AP_MODE_GETLINE) {
        const char *lf = memchr(at, '\n', n);
        if (lf) {
            n = (apr_size_t)(lf - at) + 1;
        }
    }
    if (mode != AP_MODE_EXHAUSTIVE && readbytes > 0
        && (apr_off_t)n > readbytes) {
        n = (apr_size_t)readbytes;
    }
    APR_BRIGADE_INSERT_TAIL(b, apr_bucket_immortal_create(at, n,
                                                          b->bucket_alloc));
    if (mode != AP_MODE_SPECULATIVE) {
        k->offset += n;
    }
    return APR_SUCCESS;
}

void ach_body_register(apr_pool_t *p)
{
    ap_register_input_filter(AC_KEPT_BODY_FILTER, kept_body_filter, NULL,
                             AP_FTYPE_RESOURCE);
}

static int too_large(request_rec *r, apr_off_t max)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "AC01020: client %s: "
                  "request body over %" APR_OFF_T_FMT " bytes, refused",
                  r->useragent_ip, max);
    return HTTP_REQUEST_ENTITY_TOO_LARGE;
}

static int read_body(request_rec *r, apr_off_t max, char **data,
                     apr_size_t *len)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool,
                                                r->connection->bucket_alloc);
    apr_size_t cap = 8192, used = 0;
    char *buf = apr_palloc(r->pool, cap);
    int eos = 0;

    while (!eos) {
        apr_bucket *e;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb,
                                         AP_MODE_READBYTES, APR_BLOCK_READ,
                                         HUGE_STRING_LEN);
        if (rv != APR_SUCCESS) {
            return ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
        }
        for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb);
             e = APR_BUCKET_NEXT(e)) {
            const char *s;
            apr_size_t n;

            if (APR_BUCKET_IS_EOS(e)) {
                eos = 1;
                break;
            }
            if (apr_bucket_read(e, &s, &n, APR_BLOCK_READ) != APR_SUCCESS) {
                return HTTP_BAD_REQUEST;
            }
            if ((apr_off_t)(used + n) > max) {
                return too_large(r, max);
            }
            while (used + n > cap) {
                char *bigger = apr_palloc(r->pool, cap *= 2);
                memcpy(bigger, buf, used);
                buf = bigger;
            }
            memcpy(buf + used, s, n);
            used += n;
        }
        apr_brigade_cleanup(bb);
    }
    *data = buf;
    *len = used;
    return OK;
}

int ach_body_keep(request_rec *r, apr_off_t max, const char **data,
                 apr_size_t *len)
{
    ac_kept *k = NULL;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    char *buf = NULL;
    int st;

    apr_pool_userdata_get((void **)&k, AC_BODY_NOTE, r->pool);
    if (k) {                        /* read already, by another scheme */
        *data = k->data;
        *len = k->len;
        return OK;
    }
    if (cl && apr_atoi64(cl) > max) {
        return too_large(r, max);
    }
    if ((st = read_body(r, max, &buf, len)) != OK) {
        return st;
    }
    k = apr_pcalloc(r->pool, sizeof(*k));
    k->data = *data = buf;
    k->len = *len;
    apr_pool_userdata_setn(k, AC_BODY_NOTE, NULL, r->pool);
    ap_add_input_filter(AC_KEPT_BODY_FILTER, k, r, r->connection);
    return OK;
}
