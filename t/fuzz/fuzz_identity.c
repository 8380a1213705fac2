/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Fuzz the decoder of cached identities (what the shared cache gives
 * back): what it accepts encodes to text that decodes to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in, *user, *once;
    ac_identity *id;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    if (ac_identity_decode(in, &user, &id, p)) {
        once = ac_identity_encode(user, id, p);
        if (!ac_identity_decode(once, &user, &id, p)
            || strcmp(ac_identity_encode(user, id, p), once)) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
