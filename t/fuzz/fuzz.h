/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * What the libFuzzer harnesses share (docs/security.md, "Fuzzing"):
 * CHECK, an invariant whose failure aborts (libFuzzer and the corpus
 * replay report it as a crash), and a pool per input.
 */
#ifndef AC_FUZZ_H
#define AC_FUZZ_H

#include <stdlib.h>
#include <apr_general.h>
#include <apr_pools.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* A new pool for one input (the caller destroys it), under a root made
 * at the first call and kept for the process. */
static inline apr_pool_t *fuzz_pool(void)
{
    static apr_pool_t *root;
    apr_pool_t *p;

    if (!root) {
        apr_initialize();
        apr_pool_create(&root, NULL);
    }
    apr_pool_create(&p, root);
    return p;
}

#endif
