/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_state.h"
#include "ac_nonce.h"

apr_uint64_t ac_state_generation_new(apr_time_t now)
{
    unsigned char r[3];
    apr_uint64_t low;

    if (!ac_rand_bytes(r, sizeof(r))) {
        return 0;
    }
    low = ((apr_uint64_t)r[0] << 16) | ((apr_uint64_t)r[1] << 8) | r[2];
    /* a zero low part in the (impossible) second 0 would be 0 */
    return ((apr_uint64_t)apr_time_sec(now) << 24) | (low ? low : 1);
}
