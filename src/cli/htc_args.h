/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: checks of command-line arguments; each exits with
 * EXIT_USAGE on a bad one. */
#ifndef HTC_ARGS_H
#define HTC_ARGS_H

#include <apr_pools.h>
#include "ac_hash.h"
#include "htc_options.h"

/* A valid user name; writing: also not one reserved for index keys. */
void htc_check_user_arg(const char *user, int writing);
/* Non-empty (unless empty_ok), no control character, UTF-8, none of
 * the characters in forbidden (may be NULL). */
void htc_check_text_arg(const char *what, const char *s, int empty_ok,
                        const char *forbidden);
/* A comma-separated list of non-empty group names, without ':'. */
void htc_check_groups(apr_pool_t *p, const char *groups);
/* The algorithms of -a, or the default set. */
const ac_hash_alg *const *htc_algs_arg(apr_pool_t *p, const htc_options *o);
/* A decimal number from lo to hi. */
long htc_number_arg(const char *what, const char *s, long lo, long hi);
/* The space-separated scopes of -s, normalised. */
const char *htc_scopes_arg(apr_pool_t *p, const char *s);

#endif
