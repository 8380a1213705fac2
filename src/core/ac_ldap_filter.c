/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_ldap_filter.h"

#include <string.h>

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
