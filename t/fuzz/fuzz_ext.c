/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz the RFC 8187 ext-value decoder of Digest's username* (RFC 7616
 * 3.4.4): ext-value = charset "'" [ language ] "'" value-chars.
 *
 * What it accepts is UTF-8 (RFC 3629) without a control character, no
 * longer than the input; percent-encoded again it decodes to the same
 * text, with the charset in any case and any language tag.  The same
 * input also goes through the whole credentials parser as a username*
 * parameter, as a client would send it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_authparam.h"
#include "ac_digest.h"
#include "ac_util.h"

/* RFC 8187 attr-char: kept as it is; any other octet is %XX. */
static const char *encode(apr_pool_t *p, const char *prefix, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = apr_palloc(p, strlen(prefix) + 3 * strlen(s) + 1), *w;

    w = out + strlen(prefix);
    memcpy(out, prefix, strlen(prefix));
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (apr_isalnum(c) || strchr("!#$&+-.^_`|~", c)) {
            *w++ = (char)c;
        }
        else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in, *out, *again;
    const ac_param *prm;
    ac_credentials c;
    apr_size_t n;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    if ((out = ac_digest_decode_ext(p, in)) != NULL) {
        n = strlen(out);
        CHECK(n <= strlen(in) && ac_utf8_valid(out, n)
              && !ac_has_ctl(out, n));
        again = ac_digest_decode_ext(p, encode(p, "utf-8'en'", out));
        CHECK(again && !strcmp(again, out));
        again = ac_digest_decode_ext(p, encode(p, "UTF-8''", out));
        CHECK(again && !strcmp(again, out));
    }

    /* username*=<input> in an Authorization header */
    if (ac_authparam_parse(apr_pstrcat(p, "Digest username*=", in,
                                       ", realm=\"r\"", NULL), &c, p)
        == AC_AP_OK && (prm = ac_authparam_find(&c, "username*")) != NULL
        && !prm->quoted) {
        ac_digest_decode_ext(p, prm->value);
    }
    apr_pool_destroy(p);
    return 0;
}
