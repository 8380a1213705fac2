/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_authparam.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

/* The parsers test every octet of a header (a JWT is hundreds): one
 * table lookup each.  HTTP's ALPHA and DIGIT are ASCII whatever the
 * locale. */
enum { TCHAR = 1, TOKEN68 = 2 };

static const unsigned char char_class[256] = {
    ['0' ... '9'] = TCHAR | TOKEN68,
    ['A' ... 'Z'] = TCHAR | TOKEN68,
    ['a' ... 'z'] = TCHAR | TOKEN68,
    ['-'] = TCHAR | TOKEN68, ['.'] = TCHAR | TOKEN68,
    ['_'] = TCHAR | TOKEN68, ['~'] = TCHAR | TOKEN68,
    ['+'] = TCHAR | TOKEN68, ['/'] = TOKEN68,
    ['!'] = TCHAR, ['#'] = TCHAR, ['$'] = TCHAR, ['%'] = TCHAR,
    ['&'] = TCHAR, ['\''] = TCHAR, ['*'] = TCHAR, ['^'] = TCHAR,
    ['`'] = TCHAR, ['|'] = TCHAR,
};

static inline int is_tchar(unsigned char c)
{
    return char_class[c] & TCHAR;
}

static inline int is_token68_char(unsigned char c)
{
    return char_class[c] & TOKEN68;
}

static int is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* qdtext and the second octet of a quoted-pair: HTAB, SP, VCHAR,
 * obs-text; never another control character. */
static int is_qtext(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

int ac_authparam_is_token(const char *s)
{
    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

static const char *skip_ows(const char *s)
{
    while (is_ows((unsigned char)*s)) {
        s++;
    }
    return s;
}

static const char *scan_token(const char *s)
{
    while (is_tchar((unsigned char)*s)) {
        s++;
    }
    return s;
}

const char *ac_authparam_scheme(const char *value, apr_pool_t *p)
{
    const char *s, *e;

    if (!value) {
        return NULL;
    }
    s = skip_ows(value);
    e = scan_token(s);
    if (e == s || (*e && !is_ows((unsigned char)*e))) {
        return NULL;
    }
    return apr_pstrmemdup(p, s, e - s);
}

/* token68 followed only by optional whitespace */
static int scan_token68(const char *s, const char **end)
{
    const char *q = s;

    while (is_token68_char((unsigned char)*q)) {
        q++;
    }
    if (q == s) {
        return 0;
    }
    while (*q == '=') {
        q++;
    }
    *end = q;
    return *skip_ows(q) == '\0';
}

/* A quoted-string starting at s (on the DQUOTE); *end after the DQUOTE.
 * One pass checks it and finds its end, a second copies it with the
 * quoted-pairs resolved (most values have none: one memcpy). */
static ac_ap_status scan_quoted(const char *s, const char **end,
                                const char **value, apr_pool_t *p)
{
    const char *q, *start = s + 1;
    apr_size_t n = 0;
    int pairs = 0;
    char *buf, *w;

    for (q = start; *q != '"'; q++, n++) {
        unsigned char c = (unsigned char)*q;

        if (c == '\0') {
            return AC_AP_UNTERMINATED;
        }
        if (c == '\\') {
            c = (unsigned char)*++q;
            if (c == '\0') {
                return AC_AP_UNTERMINATED;
            }
            pairs = 1;
        }
        if (!is_qtext(c)) {
            return AC_AP_SYNTAX;
        }
    }
    *end = q + 1;
    if (!pairs) {
        *value = apr_pstrmemdup(p, start, n);
        return AC_AP_OK;
    }
    w = buf = apr_palloc(p, n + 1);
    for (q = start; *q != '"'; q++) {
        if (*q == '\\') {
            q++;
        }
        *w++ = *q;
    }
    *w = '\0';
    *value = buf;
    return AC_AP_OK;
}

/* Names are kept in lower case, so a plain strcmp finds one (a
 * Digest check looks up a dozen: strcasecmp was a noticeable part of
 * it in callgrind). */
static const ac_param *lookup(const apr_array_header_t *a, const char *name)
{
    int i;

    for (i = 0; a && i < a->nelts; i++) {
        const ac_param *prm = &APR_ARRAY_IDX(a, i, ac_param);
        /* the first octet tells most names apart without a call */
        if (prm->name[0] == name[0] && !strcmp(prm->name, name)) {
            return prm;
        }
    }
    return NULL;
}

/* One auth-param at s; *end after it (before OWS / comma). */
static ac_ap_status scan_param(const char *s, const char **end,
                               ac_param *out, apr_pool_t *p)
{
    const char *e = scan_token(s);

    if (e == s) {
        return AC_AP_SYNTAX;
    }
    out->name = apr_pstrmemdup(p, s, e - s);
    ac_str_tolower((char *)out->name);
    s = skip_ows(e);
    if (*s != '=') {
        return AC_AP_SYNTAX;
    }
    s = skip_ows(s + 1);
    if (*s == '"') {
        out->quoted = 1;
        return scan_quoted(s, end, &out->value, p);
    }
    e = scan_token(s);
    if (e == s) {
        return AC_AP_SYNTAX;
    }
    out->quoted = 0;
    out->value = apr_pstrmemdup(p, s, e - s);
    *end = e;
    return AC_AP_OK;
}

/* #auth-param: a comma list, empty elements allowed (RFC 9110 §5.6.1). */
static ac_ap_status scan_params(const char *s, ac_credentials *out,
                                apr_pool_t *p)
{
    for (;;) {
        ac_param prm;
        ac_ap_status st;

        while (is_ows((unsigned char)*s) || *s == ',') {
            s++;
        }
        if (!*s) {
            return AC_AP_OK;
        }
        if ((st = scan_param(s, &s, &prm, p)) != AC_AP_OK) {
            return st;
        }
        if (lookup(out->params, prm.name)) {
            return AC_AP_DUPLICATE;
        }
        if (out->params->nelts >= AC_AUTHPARAM_MAX_PARAMS) {
            return AC_AP_TOO_MANY;
        }
        APR_ARRAY_PUSH(out->params, ac_param) = prm;
        s = skip_ows(s);
        if (*s && *s != ',') {
            return AC_AP_SYNTAX;
        }
    }
}

ac_ap_status ac_authparam_parse(const char *value, ac_credentials *out,
                                apr_pool_t *p)
{
    const char *s, *e;

    memset(out, 0, sizeof(*out));
    out->params = apr_array_make(p, 8, sizeof(ac_param));
    if (!value) {
        return AC_AP_EMPTY;
    }
    if (strlen(value) > AC_AUTHPARAM_MAX_LEN) {
        return AC_AP_TOO_LONG;
    }
    s = skip_ows(value);
    if (!*s) {
        return AC_AP_EMPTY;
    }
    e = scan_token(s);
    if (e == s || (*e && !is_ows((unsigned char)*e))) {
        return AC_AP_SYNTAX;
    }
    out->scheme = apr_pstrmemdup(p, s, e - s);
    s = skip_ows(e);
    if (!*s) {
        return AC_AP_OK;
    }
    if (scan_token68(s, &e)) {
        out->token68 = apr_pstrmemdup(p, s, e - s);
        return AC_AP_OK;
    }
    return scan_params(s, out, p);
}

int ac_authparam_is_token68(const char *s)
{
    const char *end;

    return s && scan_token68(s, &end) && *end == '\0';
}

const char *ac_authparam_strerror(ac_ap_status st)
{
    switch (st) {
    case AC_AP_OK:           return "ok";
    case AC_AP_EMPTY:        return "empty credentials";
    case AC_AP_TOO_LONG:     return "credentials too long";
    case AC_AP_TOO_MANY:     return "too many parameters";
    case AC_AP_DUPLICATE:    return "duplicate parameter";
    case AC_AP_UNTERMINATED: return "unterminated quoted string";
    default:                 return "malformed credentials";
    }
}

const ac_param *ac_authparam_find(const ac_credentials *c,
                                  const char *name)
{
    return lookup(c->params, name);
}

/* ------------------------------------------------------------ builder */

struct ac_chal {
    apr_pool_t *pool;
    const char *text;
    int nparams;
};

ac_chal *ac_chal_new(apr_pool_t *p, const char *scheme)
{
    ac_chal *c = apr_pcalloc(p, sizeof(*c));

    c->pool = p;
    c->text = scheme;
    return c;
}

const char *ac_authparam_quote(apr_pool_t *p, const char *value)
{
    apr_size_t n = strcspn(value, "\"\\");
    const char *s;
    char *buf, *w;

    if (!value[n]) {            /* nothing to escape (hex, a nonce) */
        buf = apr_palloc(p, n + 3);
        buf[0] = '"';
        memcpy(buf + 1, value, n);
        buf[n + 1] = '"';
        buf[n + 2] = '\0';
        return buf;
    }
    n = 2;
    for (s = value; *s; s++) {
        n += (*s == '"' || *s == '\\') ? 2 : 1;
    }
    w = buf = apr_palloc(p, n + 1);
    *w++ = '"';
    for (s = value; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *w++ = '\\';
        }
        *w++ = *s;
    }
    *w++ = '"';
    *w = '\0';
    return buf;
}

static void add(ac_chal *c, const char *name, const char *value)
{
    c->text = apr_pstrcat(c->pool, c->text, c->nparams ? ", " : " ",
                          name, "=", value, NULL);
    c->nparams++;
}

void ac_chal_quoted(ac_chal *c, const char *name, const char *value)
{
    add(c, name, ac_authparam_quote(c->pool, value));
}

void ac_chal_token(ac_chal *c, const char *name, const char *value)
{
    add(c, name, value);
}

const char *ac_chal_str(const ac_chal *c)
{
    return c->text;
}
