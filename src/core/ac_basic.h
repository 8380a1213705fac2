/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Basic (RFC 7617). */
#ifndef AC_BASIC_H
#define AC_BASIC_H

#include "ac_scheme.h"

typedef enum {
    AC_BASIC_OK = 0,
    AC_BASIC_NOT_BASE64,        /* not canonical base64               */
    AC_BASIC_NO_COLON,          /* no ':' between user and password   */
    AC_BASIC_CTL_USER,          /* control character in the user name */
    AC_BASIC_CTL_PASSWORD,      /* NUL or control in the password     */
    AC_BASIC_BAD_UTF8           /* not UTF-8 (charset UTF-8 only)     */
} ac_basic_status;

/*
 * Decode a Basic token68 into user and password.  The user is what comes
 * before the first ':' (RFC 7617 §2).  utf8: both must be UTF-8.
 */
ac_basic_status ac_basic_decode(const char *token68, int utf8,
                                const char **user, const char **password,
                                apr_pool_t *p);

const char *ac_basic_strerror(ac_basic_status st);

#endif
