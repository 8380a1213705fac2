/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * RFC 3986 §6 normalisation of http(s) URIs (ac_uri.h).
 */
#include "ac_uri.h"

#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>

/* Longest URI compared: longer ones are refused, not cut. */
#define AC_URI_MAX 8192

/* RFC 3986 §2.3 */
static int unreserved(int c)
{
    return apr_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* RFC 3986 §2.2 */
static int sub_delim(int c)
{
    return c && strchr("!$&'()*+,;=", c) != NULL;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Copy s[0..n) to out with its percent-encodings normalised: an
 * unreserved character decoded, any other in upper-case hex.  extra
 * names the characters besides unreserved and sub-delims that may
 * stand as they are.  0 on a bad percent-encoding or a character that
 * may not stand there.
 */
static int pct_normal(char *out, apr_size_t *o, const char *s, apr_size_t n,
                      const char *extra, int lower)
{
    static const char hex[] = "0123456789ABCDEF";
    apr_size_t i;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (c == '%') {
            int hi, lo, v;

            if (i + 2 >= n) {
                return 0;
            }
            hi = hexval((unsigned char)s[i + 1]);
            lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) {
                return 0;
            }
            v = hi * 16 + lo;
            if (unreserved(v)) {
                out[(*o)++] = (char)(lower ? apr_tolower(v) : v);
            }
            else {
                out[(*o)++] = '%';
                out[(*o)++] = hex[hi];
                out[(*o)++] = hex[lo];
            }
            i += 2;
        }
        else if (unreserved(c) || sub_delim(c) || (c && strchr(extra, c))) {
            out[(*o)++] = (char)(lower ? apr_tolower(c) : c);
        }
        else {
            return 0;
        }
    }
    return 1;
}

/* Drop the last segment of out[0..*o) and the '/' before it. */
static void pop_segment(const char *out, apr_size_t *o)
{
    while (*o > 0 && out[--*o] != '/') {
    }
}

/* RFC 3986 §5.2.4 on the absolute path in (it starts with '/'). */
static char *remove_dot_segments(apr_pool_t *p, const char *in)
{
    char *out = apr_palloc(p, strlen(in) + 2);
    const char *r = in;
    apr_size_t o = 0;

    while (*r) {
        if (!strncmp(r, "/./", 3)) {            /* B */
            r += 2;
        }
        else if (!strcmp(r, "/.")) {
            r = "/";
        }
        else if (!strncmp(r, "/../", 4)) {      /* C */
            r += 3;
            pop_segment(out, &o);
        }
        else if (!strcmp(r, "/..")) {
            r = "/";
            pop_segment(out, &o);
        }
        else {                                  /* E */
            do {
                out[o++] = *r++;
            } while (*r && *r != '/');
        }
    }
    if (o == 0) {
        out[o++] = '/';
    }
    out[o] = '\0';
    return out;
}

const char *ac_uri_normal_http(apr_pool_t *p, const char *uri)
{
    const char *s = uri, *auth, *host_end, *path, *end;
    apr_size_t n, o = 0;
    int https;
    char *out;

    if (!uri || (n = strnlen(uri, AC_URI_MAX + 1)) > AC_URI_MAX) {
        return NULL;
    }
    if (!strncasecmp(s, "http://", 7)) {
        https = 0;
        auth = s + 7;
    }
    else if (!strncasecmp(s, "https://", 8)) {
        https = 1;
        auth = s + 8;
    }
    else {
        return NULL;
    }
    end = auth + strcspn(auth, "?#");
    path = auth + strcspn(auth, "/?#");
    /* Room for the worst case: every byte as it is, "/" for an empty
     * path, the NUL. */
    out = apr_palloc(p, n + 3);
    memcpy(out, https ? "https://" : "http://", https ? 8 : 7);
    o = https ? 8 : 7;

    /* authority = host [ ":" port ]; userinfo is refused */
    if (memchr(auth, '@', (apr_size_t)(path - auth))) {
        return NULL;
    }
    if (*auth == '[') {
        const char *rb = memchr(auth, ']', (apr_size_t)(path - auth));

        if (!rb || rb == auth + 1) {
            return NULL;
        }
        host_end = rb + 1;
        if (!pct_normal(out, &o, auth, (apr_size_t)(host_end - auth),
                        "[]:", 1)) {
            return NULL;
        }
    }
    else {
        host_end = memchr(auth, ':', (apr_size_t)(path - auth));
        host_end = host_end ? host_end : path;
        if (host_end == auth
            || !pct_normal(out, &o, auth, (apr_size_t)(host_end - auth),
                           "", 1)) {
            return NULL;
        }
    }
    if (host_end < path) {
        const char *d = host_end + 1;
        long port = 0;

        if (*host_end != ':') {
            return NULL;
        }
        for (; d < path; d++) {
            if (!apr_isdigit(*d) || (port = port * 10 + (*d - '0')) > 65535) {
                return NULL;
            }
        }
        if (host_end + 1 < path && port != (https ? 443 : 80)) {
            o += (apr_size_t)apr_snprintf(out + o, 7, ":%ld", port);
        }
    }

    /* path-abempty (RFC 3986 §3.3) */
    if (path == end) {
        out[o++] = '/';
        out[o] = '\0';
        return out;
    }
    {
        apr_size_t start = o;
        const char *clean;

        if (!pct_normal(out, &o, path, (apr_size_t)(end - path), "/:@", 0)) {
            return NULL;
        }
        out[o] = '\0';
        clean = remove_dot_segments(p, out + start);
        out[start] = '\0';
        return apr_pstrcat(p, out, clean, NULL);
    }
}
