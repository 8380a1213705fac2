/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Everything that differs between an origin (401) and a forward proxy
 * (407) comes from one flag, here and nowhere else.
 */
#ifndef AC_CHALLENGE_H
#define AC_CHALLENGE_H

#include "ac_types.h"

/* "WWW-Authenticate" or "Proxy-Authenticate" */
const char *ac_hdr_challenge(int proxy);
/* "Authorization" or "Proxy-Authorization" */
const char *ac_hdr_credentials(int proxy);
/* "Authentication-Info" or "Proxy-Authentication-Info" */
const char *ac_hdr_info(int proxy);
/* 401 or 407 */
int ac_status_challenge(int proxy);
/* HTTP status for a verdict (AC_OK → 200). */
int ac_verdict_status(ac_verdict v, int proxy);

/* The value of res's header field name (the first), or NULL. */
const char *ac_result_header_value(const ac_result *res, const char *name);

/* An ordered list of challenges, as one scheme after another adds its. */
typedef struct {
    apr_array_header_t *items;  /* const char *                        */
} ac_challenges;

ac_challenges *ac_challenges_make(apr_pool_t *p);
void ac_challenges_add(ac_challenges *c, const char *challenge);

/*
 * Header field values: one per challenge (separate), or all joined with
 * ", " in one value (combined).  Returns const char * elements.
 */
apr_array_header_t *ac_challenges_values(const ac_challenges *c,
                                         int combined, apr_pool_t *p);

#endif
