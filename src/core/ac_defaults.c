/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_defaults.h"

const ac_defaults ac_default = {
    /* general */
    "Digest Bearer Basic",              /* schemes                      */
    1,                                  /* charset UTF-8                */
    APR_USEC_PER_SEC * 300,             /* credential cache             */
    1048576,                            /* largest body read: 1 MiB     */
    0,                                  /* one header field a challenge */
    0,                                  /* no failure limit             */
    /* Digest */
    "SHA-256 MD5",                      /* one challenge each, in order */
    1, 0,                               /* qop auth, not auth-int       */
    0,                                  /* userhash Off                 */
    APR_USEC_PER_SEC * 300,             /* nonce lifetime               */
    1,                                  /* replay check On              */
    /* Bearer */
    APR_USEC_PER_SEC * 60,              /* leeway                       */
    1,                                  /* exp required                 */
    "sub",                              /* user claim                   */
    AC_TRANSPORT_HEADER,
    /* Bearer with an authorization server */
    APR_USEC_PER_SEC * 3600,            /* keys fetched again hourly    */
    APR_USEC_PER_SEC * 60,              /* unknown kid: once a minute   */
    APR_USEC_PER_SEC * 5,               /* each fetch, at most          */
    APR_USEC_PER_SEC * 60,              /* introspection answers        */
    /* back-ends */
    "default",                          /* APR-util's DBM type          */
    0,                                  /* no StartTLS                  */
    APR_USEC_PER_SEC * 5,               /* LDAP: one lookup, at most    */
    "member uniqueMember",
    1,                                  /* group values are DNs         */
    10,                                 /* nested groups, as httpd 2.4  */
    APR_USEC_PER_SEC * 60,              /* group answers kept per process */
    /* shared state */
    APR_USEC_PER_SEC * 1,               /* a request waits for the cache
                                           1 s in all, at most        */
};
