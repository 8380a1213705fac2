/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Small shared helpers of the core: strict base64/base64url (decoding by
 * OpenSSL, after a strict alphabet check), hex, UTF-8 validation and
 * constant-time comparison.
 */
#ifndef AC_UTIL_H
#define AC_UTIL_H

#include <apr_pools.h>

/* Strict RFC 4648 §4 base64 (padding required).  0 on any defect.
 * The output is NUL-terminated for convenience; *len excludes it. */
int ac_base64_decode(apr_pool_t *p, const char *in, unsigned char **out,
                     apr_size_t *len);
/* RFC 4648 §5 base64url without padding (JOSE).  0 on any defect. */
int ac_base64url_decode(apr_pool_t *p, const char *in, apr_size_t inlen,
                        unsigned char **out, apr_size_t *len);
const char *ac_base64url_encode(apr_pool_t *p, const unsigned char *in,
                                apr_size_t len);
/* 1 when the unused low bits of the last character are zero (RFC 4648
 * §3.5), so in is the one spelling of what it decodes to. */
int ac_base64url_is_canonical(const char *in, apr_size_t inlen);

/* lower-case hex */
const char *ac_hex(apr_pool_t *p, const unsigned char *in, apr_size_t len);
/* 1 when s is exactly n hex digits (n = 0: any non-zero length) */
int ac_is_hex(const char *s, apr_size_t n);

/* ASCII lower-casing in place */
void ac_str_tolower(char *s);

/* s in ASCII lower case: s itself when it has no upper-case letter
 * (hex from a client or a record mostly has none), else a copy in p */
const char *ac_lower(apr_pool_t *p, const char *s);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates) */
int ac_utf8_valid(const char *s, apr_size_t n);
/* 1 when s[0..n) holds a control character (C0, DEL) */
int ac_has_ctl(const char *s, apr_size_t n);
/* 1 when s is well-formed UTF-8 without any control character (C0, DEL,
 * C1: Unicode's Cc): fit to be a user name, a header value, an
 * environment value (docs/security.md, "Identity"). */
int ac_text_clean(const char *s);

/* Constant-time equality of two NUL-terminated strings (the length
 * difference is not hidden; the content is). */
int ac_ct_streq(const char *a, const char *b);

#endif
