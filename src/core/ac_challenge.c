/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_challenge.h"

#include <strings.h>
#include <apr_strings.h>

const char *ac_hdr_challenge(int proxy)
{
    return proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

const char *ac_hdr_credentials(int proxy)
{
    return proxy ? "Proxy-Authorization" : "Authorization";
}

const char *ac_hdr_info(int proxy)
{
    return proxy ? "Proxy-Authentication-Info" : "Authentication-Info";
}

int ac_status_challenge(int proxy)
{
    return proxy ? 407 : 401;
}

int ac_verdict_status(ac_verdict v, int proxy)
{
    switch (v) {
    case AC_OK:          return 200;
    case AC_CHALLENGE:   return ac_status_challenge(proxy);
    case AC_BAD_REQUEST: return 400;
    case AC_FORBIDDEN:   return 403;
    default:             return 500;
    }
}

void ac_result_header(ac_result *res, const char *name, const char *value,
                      apr_pool_t *p)
{
    if (!res->headers) {
        res->headers = apr_array_make(p, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(res->headers, const char *) = name;
    APR_ARRAY_PUSH(res->headers, const char *) = value;
}

const char *ac_result_header_value(const ac_result *res, const char *name)
{
    int i;

    for (i = 0; res->headers && i + 1 < res->headers->nelts; i += 2) {
        if (!strcasecmp(APR_ARRAY_IDX(res->headers, i, const char *),
                        name)) {
            return APR_ARRAY_IDX(res->headers, i + 1, const char *);
        }
    }
    return NULL;
}

ac_challenges *ac_challenges_make(apr_pool_t *p)
{
    ac_challenges *c = apr_palloc(p, sizeof(*c));

    c->items = apr_array_make(p, 4, sizeof(const char *));
    return c;
}

void ac_challenges_add(ac_challenges *c, const char *challenge)
{
    APR_ARRAY_PUSH(c->items, const char *) = challenge;
}

apr_array_header_t *ac_challenges_values(const ac_challenges *c,
                                         int combined, apr_pool_t *p)
{
    apr_array_header_t *out;
    const char *joined;
    int i;

    if (!combined || c->items->nelts < 2) {
        return apr_array_copy(p, c->items);
    }
    joined = APR_ARRAY_IDX(c->items, 0, const char *);
    for (i = 1; i < c->items->nelts; i++) {
        joined = apr_pstrcat(p, joined, ", ",
                             APR_ARRAY_IDX(c->items, i, const char *), NULL);
    }
    out = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(out, const char *) = joined;
    return out;
}
