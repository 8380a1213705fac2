/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Common includes and a per-test APR pool for the cmocka unit tests. */
#ifndef AC_TEST_H
#define AC_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

/* cmocka setup/teardown: *state is a fresh APR pool for each test. */
static int ac_test_pool_setup(void **state)
{
    apr_pool_t *p;

    apr_initialize();
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        return -1;
    }
    *state = p;
    return 0;
}

static int ac_test_pool_teardown(void **state)
{
    apr_pool_destroy(*state);
    apr_terminate();
    return 0;
}

#define AC_TEST(f) \
    cmocka_unit_test_setup_teardown(f, ac_test_pool_setup, \
                                    ac_test_pool_teardown)

#endif
