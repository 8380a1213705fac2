/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_identity.h"
#include "ac_jwt.h"

#include <stdlib.h>
#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <jansson.h>

/* Layout: user, exp (decimal seconds), claims JSON ("" for none), the
 * number of scopes, the scopes, then claim name and value pairs to the
 * end. */

static void put(apr_array_header_t *out, const char *s, apr_pool_t *p)
{
    APR_ARRAY_PUSH(out, const char *) =
        apr_psprintf(p, "%" APR_SIZE_T_FMT ":%s", strlen(s), s);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *ac_identity_encode(const char *user, const ac_identity *id,
                               apr_pool_t *p)
{
    apr_array_header_t *out = apr_array_make(p, 16, sizeof(const char *));
    apr_array_header_t *names;
    apr_hash_index_t *hi;
    int i, nscopes = id->scopes ? id->scopes->nelts : 0;

    put(out, user, p);
    put(out, apr_psprintf(p, "%" APR_TIME_T_FMT, apr_time_sec(id->exp)), p);
    put(out, id->claims_json ? id->claims_json : "", p);
    put(out, apr_itoa(p, nscopes), p);
    for (i = 0; i < nscopes; i++) {
        put(out, APR_ARRAY_IDX(id->scopes, i, const char *), p);
    }
    /* claims by name, so that one identity has one encoding */
    names = apr_array_make(p, 16, sizeof(const char *));
    for (hi = id->claims ? apr_hash_first(p, id->claims) : NULL; hi;
         hi = apr_hash_next(hi)) {
        const void *k;

        apr_hash_this(hi, &k, NULL, NULL);
        APR_ARRAY_PUSH(names, const char *) = k;
    }
    qsort(names->elts, names->nelts, sizeof(const char *), by_name);
    for (i = 0; i < names->nelts; i++) {
        const char *k = APR_ARRAY_IDX(names, i, const char *);

        put(out, k, p);
        put(out, apr_hash_get(id->claims, k, APR_HASH_KEY_STRING), p);
    }
    return apr_array_pstrcat(p, out, 0);
}

/* The next field of [*s, end) (copied into p), or NULL. */
static const char *take(const char **s, const char *end, apr_pool_t *p)
{
    char *colon;
    unsigned long n;
    const char *v;

    if (*s >= end || !apr_isdigit(**s)) {
        return NULL;
    }
    n = strtoul(*s, &colon, 10);
    if (*colon != ':' || colon - *s > 9 || (unsigned long)(end - colon - 1)
        < n) {
        return NULL;
    }
    v = apr_pstrmemdup(p, colon + 1, n);
    *s = colon + 1 + n;
    return v;
}

/* A decimal number field, within [0, max]. */
static int take_number(const char **s, const char *end, apr_int64_t max,
                       apr_int64_t *out, apr_pool_t *p)
{
    const char *v = take(s, end, p);
    char *stop;

    if (!v || !apr_isdigit(*v)) {
        return 0;
    }
    *out = apr_strtoi64(v, &stop, 10);
    return !*stop && *out >= 0 && *out <= max;
}

int ac_identity_decode(const char *text, const char **user,
                       ac_identity **id, apr_pool_t *p)
{
    const char *s = text, *end = text + strlen(text), *u, *json, *k, *v;
    ac_identity *x = apr_pcalloc(p, sizeof(*x));
    apr_int64_t exp, n;

    if (!(u = take(&s, end, p))
        || !take_number(&s, end, apr_time_sec(APR_INT64_MAX), &exp, p)
        || !(json = take(&s, end, p))
        || !take_number(&s, end, end - s, &n, p)) {
        return 0;
    }
    x->exp = apr_time_from_sec(exp);
    x->claims_json = *json ? json : NULL;
    x->scopes = apr_array_make(p, (int)n + 1, sizeof(const char *));
    x->claims = apr_hash_make(p);
    while (n-- > 0) {
        if (!(v = take(&s, end, p))) {
            return 0;
        }
        APR_ARRAY_PUSH(x->scopes, const char *) = v;
    }
    while (s < end) {
        if (!(k = take(&s, end, p)) || !(v = take(&s, end, p))) {
            return 0;
        }
        apr_hash_set(x->claims, k, APR_HASH_KEY_STRING, v);
    }
    *user = u;
    *id = x;
    return 1;
}

static int scalar_matches(json_t *v, const char *value)
{
    char buf[64];
    const char *s;

    if (json_is_string(v)) {
        return strlen(value) == json_string_length(v)
               && !strcmp(json_string_value(v), value);
    }
    s = v ? ac_jwt_scalar_text(v, buf, sizeof(buf)) : NULL;
    return s && !strcmp(s, value);
}

int ac_identity_claim_matches(const ac_identity *id, const char *name,
                              const char *value, apr_pool_t *p)
{
    json_t *o, *v, *e;
    size_t i;
    int match = 0;

    if (!id || !id->claims_json || !name || !value
        || !(o = json_loads(id->claims_json, 0, NULL))) {
        return 0;
    }
    v = json_object_get(o, name);
    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            match = match || scalar_matches(e, value);
        }
    }
    else {
        match = scalar_matches(v, value);
    }
    json_decref(o);
    return match;
}

int ac_identity_has_scopes(const ac_identity *id,
                           const apr_array_header_t *need)
{
    int i, j;

    for (i = 0; need && i < need->nelts; i++) {
        const char *want = APR_ARRAY_IDX(need, i, const char *);
        int found = 0;
        for (j = 0; id && id->scopes && j < id->scopes->nelts && !found;
             j++) {
            found = !strcmp(APR_ARRAY_IDX(id->scopes, j, const char *),
                            want);
        }
        if (!found) {
            return 0;
        }
    }
    return 1;
}
