/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static int is_b64(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
           || c == '+' || c == '/';
}

/* Decode canonical, padded base64 of length n (a multiple of 4). */
static int decode_padded(apr_pool_t *p, const char *in, apr_size_t n,
                         unsigned char **out, apr_size_t *len)
{
    apr_size_t i, pad = 0;
    unsigned char *buf;
    int got;

    if (n % 4 != 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=' && i >= n - 2) {
            pad++;
            continue;
        }
        if (pad || !is_b64(c)) {
            return 0;       /* a character after padding, or not base64 */
        }
    }
    buf = apr_palloc(p, n / 4 * 3 + 1);
    got = n ? EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n) : 0;
    if (got < 0 || (apr_size_t)got < pad) {
        return 0;
    }
    *len = (apr_size_t)got - pad;
    buf[*len] = '\0';
    *out = buf;
    return 1;
}

int ac_base64_decode(apr_pool_t *p, const char *in, unsigned char **out,
                     apr_size_t *len)
{
    return decode_padded(p, in, strlen(in), out, len);
}

int ac_base64url_decode(apr_pool_t *p, const char *in, apr_size_t inlen,
                        unsigned char **out, apr_size_t *len)
{
    apr_size_t i, n = inlen;
    char *std;

    if (n % 4 == 1) {
        return 0;
    }
    std = apr_palloc(p, n + 3);
    for (i = 0; i < n; i++) {
        char c = in[i];
        if (c == '+' || c == '/' || c == '=') {
            return 0;
        }
        std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (n % 4) {
        std[n++] = '=';
    }
    return decode_padded(p, std, n, out, len);
}

int ac_base64url_is_canonical(const char *in, apr_size_t inlen)
{
    /* the bits the last character carries beyond the last whole octet */
    static const unsigned char spare[4] = { 0, 0, 0x0f, 0x03 };
    unsigned char c, v;

    if (!inlen || !spare[inlen % 4]) {
        return 1;
    }
    c = (unsigned char)in[inlen - 1];
    v = c >= 'A' && c <= 'Z' ? c - 'A'
        : c >= 'a' && c <= 'z' ? c - 'a' + 26
        : c >= '0' && c <= '9' ? c - '0' + 52
        : c == '-' ? 62 : 63;
    return (v & spare[inlen % 4]) == 0;
}

const char *ac_base64url_encode(apr_pool_t *p, const unsigned char *in,
                                apr_size_t len)
{
    char *buf = apr_palloc(p, (len + 2) / 3 * 4 + 1);
    int n = EVP_EncodeBlock((unsigned char *)buf, in, (int)len);
    int i;

    while (n > 0 && buf[n - 1] == '=') {
        n--;
    }
    buf[n] = '\0';
    for (i = 0; i < n; i++) {
        if (buf[i] == '+') {
            buf[i] = '-';
        }
        else if (buf[i] == '/') {
            buf[i] = '_';
        }
    }
    return buf;
}

const char *ac_hex(apr_pool_t *p, const unsigned char *in, apr_size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *buf = apr_palloc(p, len * 2 + 1);
    apr_size_t i;

    for (i = 0; i < len; i++) {
        buf[2 * i] = digits[in[i] >> 4];
        buf[2 * i + 1] = digits[in[i] & 0x0f];
    }
    buf[len * 2] = '\0';
    return buf;
}

int ac_is_hex(const char *s, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; s[i]; i++) {
        if (!apr_isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return i > 0 && (n == 0 || i == n);
}

const char *ac_lower(apr_pool_t *p, const char *s)
{
    const char *c = s;
    char *copy;

    while (*c && !(*c >= 'A' && *c <= 'Z')) {
        c++;
    }
    if (!*c) {
        return s;
    }
    copy = apr_pstrdup(p, s);
    ac_str_tolower(copy + (c - s));
    return copy;
}

/* ASCII only, whatever the locale: protocol names and hex digits (and
 * no call into the C library per octet). */
void ac_str_tolower(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s - 'A' + 'a');
        }
    }
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static apr_size_t utf8_seq(const unsigned char *s, apr_size_t n)
{
    apr_size_t len, i;
    unsigned long cp;

    if (s[0] < 0x80) {
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2, cp = s[0] & 0x1f;
    }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3, cp = s[0] & 0x0f;
    }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4, cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

int ac_utf8_valid(const char *s, apr_size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;

    while (i < n) {
        apr_size_t l = utf8_seq(u + i, n - i);
        if (!l) {
            return 0;
        }
        i += l;
    }
    return 1;
}

int ac_has_ctl(const char *s, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            return 1;
        }
    }
    return 0;
}

int ac_text_clean(const char *s)
{
    apr_size_t n = strlen(s), i;

    if (ac_has_ctl(s, n) || !ac_utf8_valid(s, n)) {
        return 0;
    }
    for (i = 0; i + 1 < n; i++) {       /* C1: U+0080..U+009F */
        if ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] >= 0x80
            && (unsigned char)s[i + 1] <= 0x9f) {
            return 0;
        }
    }
    return 1;
}

int ac_ct_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    if (la != lb) {
        return 0;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}
