/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_ldap_filter.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

static int needs_escape(unsigned char c)
{
    return c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0';
}

const char *ac_ldap_escape(apr_pool_t *p, const char *value, apr_size_t len)
{
    static const char hex[] = "0123456789abcdef";
    apr_size_t i, n = 0;
    char *out, *o;

    for (i = 0; i < len; i++) {
        n += needs_escape((unsigned char)value[i]) ? 3 : 1;
    }
    o = out = apr_palloc(p, n + 1);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];

        if (needs_escape(c)) {
            *o++ = '\\';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 0x0f];
        }
        else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

const char *ac_ldap_escape_str(apr_pool_t *p, const char *value)
{
    return ac_ldap_escape(p, value, strlen(value));
}

/* ------------------------------------------------------------ checking */

/* A recursive descent over RFC 4515 §3; pos moves along the filter, err
 * is set at the first fault. */
typedef struct {
    const char *s;
    apr_size_t pos;
    int depth;
    const char *err;
} ac_fcheck;

/* Nesting deeper than this is refused (the recursion stays bounded). */
#define AC_FILTER_MAX_DEPTH 64

static int fail(ac_fcheck *f, const char *what)
{
    if (!f->err) {
        f->err = what;
    }
    return 0;
}

static int at(const ac_fcheck *f, char c)
{
    return f->s[f->pos] == c;
}

static void spaces(ac_fcheck *f)
{
    while (at(f, ' ')) {
        f->pos++;
    }
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* keystring (ALPHA *(ALPHA / DIGIT / "-")) or numericoid
 * (number 1*("." number)); RFC 4512 §1.4. */
static int oid(ac_fcheck *f)
{
    const char *s = f->s;
    apr_size_t start = f->pos;

    if (is_alpha(s[f->pos])) {
        while (is_alpha(s[f->pos]) || is_digit(s[f->pos]) || at(f, '-')) {
            f->pos++;
        }
        return 1;
    }
    while (is_digit(s[f->pos])) {
        apr_size_t n = f->pos;

        while (is_digit(s[f->pos])) {
            f->pos++;
        }
        if (s[n] == '0' && f->pos - n > 1) {
            return fail(f, "a number in an OID has a leading zero");
        }
        if (!at(f, '.')) {
            break;
        }
        f->pos++;
    }
    if (f->pos == start || s[f->pos - 1] == '.'
        || !memchr(s + start, '.', f->pos - start)) {
        return fail(f, "expected an attribute name or OID");
    }
    return 1;
}

/* attributedescription: oid *(";" option) */
static int attr(ac_fcheck *f)
{
    if (!oid(f)) {
        return 0;
    }
    while (at(f, ';')) {
        apr_size_t start = ++f->pos;

        while (is_alpha(f->s[f->pos]) || is_digit(f->s[f->pos])
               || at(f, '-')) {
            f->pos++;
        }
        if (f->pos == start) {
            return fail(f, "empty attribute option");
        }
    }
    return 1;
}

/* valueencoding up to (not including) a '*', ')' or the end: normal
 * UTF-8 and \XX escapes.  stop_at_star: '*' ends it (substrings). */
static int value(ac_fcheck *f, int stop_at_star)
{
    const char *s = f->s;

    for (;;) {
        unsigned char c = (unsigned char)s[f->pos];

        if (c == '\0' || c == ')' || (c == '*' && stop_at_star)) {
            return 1;
        }
        if (c == '(' || c == '*') {
            return fail(f, "unescaped '(' or '*' in a value (write \\28, "
                           "\\2a)");
        }
        if (c == '\\') {
            if (!is_hex(s[f->pos + 1]) || !is_hex(s[f->pos + 2])) {
                return fail(f, "'\\' must start an escape of two hex "
                               "digits");
            }
            f->pos += 3;
            continue;
        }
        if (c >= 0x80) {
            apr_size_t n = 1;

            while (n < 4 && ((unsigned char)s[f->pos + n] & 0xc0) == 0x80) {
                n++;
            }
            if (!ac_utf8_valid(s + f->pos, n)) {
                return fail(f, "a value is not UTF-8");
            }
            f->pos += n;
            continue;
        }
        f->pos++;
    }
}

/* After "attr=": presence, equality or substrings. */
static int equal_rest(ac_fcheck *f)
{
    int stars = 0;
    apr_size_t last_star = 0;

    for (;;) {
        if (!value(f, 1)) {
            return 0;
        }
        if (!at(f, '*')) {
            return 1;
        }
        if (stars && last_star == f->pos - 1) {
            return fail(f, "\"**\" in a substring filter");
        }
        stars++;
        last_star = f->pos++;
    }
}

/* extensible: attr [":dn"] [":" oid] ":=" value, or
 * [":dn"] ":" oid ":=" value; f->pos after attr (or at the ':'). */
static int extensible(ac_fcheck *f, int have_attr)
{
    int rule = 0;

    if (!strncmp(f->s + f->pos, ":dn", 3)
        && (f->s[f->pos + 3] == ':')) {
        f->pos += 3;
    }
    if (at(f, ':') && f->s[f->pos + 1] != '=') {
        f->pos++;
        if (!oid(f)) {
            return 0;
        }
        rule = 1;
    }
    if (!have_attr && !rule) {
        return fail(f, "an extensible match needs an attribute or a "
                       "matching rule");
    }
    if (!at(f, ':') || f->s[f->pos + 1] != '=') {
        return fail(f, "expected \":=\"");
    }
    f->pos += 2;
    return value(f, 0);
}

/* item: simple / present / substring / extensible */
static int item(ac_fcheck *f)
{
    const char *s = f->s;

    if (at(f, ':')) {
        return extensible(f, 0);
    }
    if (!attr(f)) {
        return 0;
    }
    if (at(f, ':')) {
        return extensible(f, 1);
    }
    if ((at(f, '~') || at(f, '>') || at(f, '<')) && s[f->pos + 1] == '=') {
        f->pos += 2;
        return value(f, 0);
    }
    if (!at(f, '=')) {
        return fail(f, "expected '=', '~=', '>=', '<=' or ':='");
    }
    f->pos++;
    return equal_rest(f);
}

static int filter(ac_fcheck *f);

static int filter_list(ac_fcheck *f)
{
    spaces(f);
    while (at(f, '(')) {
        if (!filter(f)) {
            return 0;
        }
        spaces(f);
    }
    return 1;
}

/* "(" filtercomp ")" */
static int filter(ac_fcheck *f)
{
    int ok;

    if (!at(f, '(')) {
        return fail(f, "expected '('");
    }
    if (++f->depth > AC_FILTER_MAX_DEPTH) {
        return fail(f, "nested too deep");
    }
    f->pos++;
    spaces(f);
    if (at(f, '&') || at(f, '|')) {
        f->pos++;
        ok = filter_list(f);
    }
    else if (at(f, '!')) {
        f->pos++;
        spaces(f);
        ok = filter(f);
        spaces(f);
    }
    else {
        ok = item(f);
    }
    f->depth--;
    if (!ok) {
        return 0;
    }
    if (!at(f, ')')) {
        return fail(f, "expected ')'");
    }
    f->pos++;
    return 1;
}

const char *ac_ldap_filter_check(apr_pool_t *p, const char *s)
{
    ac_fcheck f = { s, 0, 0, NULL };

    if (filter(&f) && s[f.pos] != '\0') {
        fail(&f, "text after the filter's closing ')'");
    }
    if (!f.err) {
        return NULL;
    }
    return apr_psprintf(p, "bad LDAP filter at offset %" APR_SIZE_T_FMT
                        ": %s", f.pos, f.err);
}
