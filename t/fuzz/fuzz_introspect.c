/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz what an introspection endpoint answers (RFC 7662): active or not
 * or an error, never a crash; an active answer's claims are what a
 * JWT's would be (checked as a token's claims would be, against a fixed
 * issuer and audience); an error always says why (fixed texts: nothing
 * of the answer gets into them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_introspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const aud[] = { "api" };
    apr_array_header_t auds;
    apr_pool_t *p;
    const char *in, *why = NULL;
    ac_jwt_checks chk;
    ac_intro_status st;
    ac_jwt j;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    st = ac_introspect_parse(in, size, &j, &why, p);
    if (st == AC_INTRO_ERROR && !why) {
        abort();
    }
    if (st == AC_INTRO_ACTIVE) {
        if (!j.claims || !j.scopes || !j.json) {
            abort();
        }
        memset(&auds, 0, sizeof(auds));
        auds.elts = (char *)aud;
        auds.nelts = 1;
        auds.elt_size = sizeof(const char *);
        memset(&chk, 0, sizeof(chk));
        chk.issuer = "https://as.example";
        chk.audiences = &auds;
        chk.leeway = apr_time_from_sec(60);
        ac_jwt_check_claims(&j, &chk, apr_time_from_sec(1700000000), &why);
    }
    apr_pool_destroy(p);
    return 0;
}
