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

/* A quoted-string at s (on the DQUOTE), resolved in place: its content
 * moves left over the backslashes of quoted-pairs and ends in a NUL
 * written no later than the closing DQUOTE; *end after that DQUOTE. */
static ac_ap_status unquote(char *s, char **end, const char **value)
{
    char *q, *w;

    for (q = w = s + 1; *q != '"'; q++) {
        unsigned char c = (unsigned char)*q;

        if (c == '\0') {
            return AC_AP_UNTERMINATED;
        }
        if (c == '\\') {
            c = (unsigned char)*++q;
            if (c == '\0') {
                return AC_AP_UNTERMINATED;
            }
        }
        if (!is_qtext(c)) {
            return AC_AP_SYNTAX;
        }
        *w++ = (char)c;
    }
    *w = '\0';
    *end = q + 1;
    *value = s + 1;
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

/*
 * #auth-param: a comma list, empty elements allowed (RFC 9110 §5.6.1).
 * s is the parser's own copy of the header: names and values stay where
 * they are and end in NULs written over what follows them ('=', OWS, a
 * comma, the closing DQUOTE), each written only once what it replaces
 * has been looked at.  One copy instead of two per parameter.
 */
static ac_ap_status scan_params(char *s, ac_credentials *out)
{
    for (;;) {
        ac_param prm;
        ac_ap_status st;
        char *e, *v, *end, sep;

        while (is_ows((unsigned char)*s) || *s == ',') {
            s++;
        }
        if (!*s) {
            return AC_AP_OK;
        }
        e = (char *)scan_token(s);
        if (e == s) {
            return AC_AP_SYNTAX;
        }
        v = (char *)skip_ows(e);
        if (*v != '=') {
            return AC_AP_SYNTAX;
        }
        v = (char *)skip_ows(v + 1);
        *e = '\0';                  /* the name's end: OWS or '=' */
        ac_str_tolower(s);
        prm.name = s;
        if (*v == '"') {
            prm.quoted = 1;
            if ((st = unquote(v, &end, &prm.value)) != AC_AP_OK) {
                return st;
            }
        }
        else {
            end = (char *)scan_token(v);
            if (end == v) {
                return AC_AP_SYNTAX;
            }
            prm.quoted = 0;
            prm.value = v;
        }
        if (lookup(out->params, prm.name)) {
            return AC_AP_DUPLICATE;
        }
        if (out->params->nelts >= AC_AUTHPARAM_MAX_PARAMS) {
            return AC_AP_TOO_MANY;
        }
        s = (char *)skip_ows(end);
        if (*s && *s != ',') {
            return AC_AP_SYNTAX;
        }
        sep = *s;
        *end = '\0';                /* a token's end (may be the comma) */
        APR_ARRAY_PUSH(out->params, ac_param) = prm;
        if (!sep) {
            return AC_AP_OK;
        }
        s++;
    }
}

ac_ap_status ac_authparam_parse(const char *value, ac_credentials *out,
                                apr_pool_t *p)
{
    apr_size_t len;
    char *s, *e;

    memset(out, 0, sizeof(*out));
    out->params = apr_array_make(p, 8, sizeof(ac_param));
    if (!value) {
        return AC_AP_EMPTY;
    }
    if ((len = strlen(value)) > AC_AUTHPARAM_MAX_LEN) {
        return AC_AP_TOO_LONG;
    }
    s = (char *)skip_ows(value);
    if (!*s) {
        return AC_AP_EMPTY;
    }
    s = apr_pstrmemdup(p, s, len - (apr_size_t)(s - value));
    e = (char *)scan_token(s);
    if (e == s || (*e && !is_ows((unsigned char)*e))) {
        return AC_AP_SYNTAX;
    }
    out->scheme = s;
    s = (char *)skip_ows(e);
    *e = '\0';                      /* the scheme's end: OWS or NUL */
    if (!*s) {
        return AC_AP_OK;
    }
    if (scan_token68(s, (const char **)&e)) {
        *e = '\0';                  /* only OWS followed */
        out->token68 = s;
        return AC_AP_OK;
    }
    return scan_params(s, out);
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
