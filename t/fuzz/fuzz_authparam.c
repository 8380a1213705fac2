/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Fuzz the RFC 9110 credentials parser and the Basic decoder. */
#include <stdint.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_authparam.h"
#include "ac_basic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    ac_credentials c;
    const char *in, *u, *pw;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    if (ac_authparam_parse(in, &c, p) == AC_AP_OK) {
        ac_authparam_find(&c, "username");
        if (c.token68) {
            ac_basic_decode(c.token68, 1, &u, &pw, p);
        }
    }
    ac_authparam_scheme(in, p);
    ac_basic_decode(in, 0, &u, &pw, p);
    apr_pool_destroy(p);
    return 0;
}
