/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A user name and password checked, or a user's Digest HA1 found,
 * against a place's back-ends: what the Basic scheme does once it has
 * decoded its credentials, and what httpd's authn provider API asks
 * (check_password, get_realm_hash) when httpd's own modules —
 * mod_auth_basic, mod_auth_form, mod_auth_digest — use the module's
 * back-ends through the provider "challenge" (docs/httpd.md).
 */
#ifndef AC_AUTHN_H
#define AC_AUTHN_H

#include "ac_scheme.h"

/*
 * user and password checked against pl's back-ends (the first that
 * knows the user decides), through the credential cache, whose entries
 * are filed under label ("Basic"; "authn" for httpd's modules).  The
 * back-ends' answer: AC_BE_OK (res AC_OK, res->user the back-end's own
 * spelling), AC_BE_DENIED or AC_BE_NOT_FOUND (res AC_CHALLENGE, failed),
 * or AC_BE_ERROR / AC_BE_UNSUPPORTED (res AC_UNAVAILABLE: 500, never a
 * refusal).  res->reason says why, never with a secret.
 */
ac_be_status ac_authn_password(const ac_place *pl, const char *label,
                               const char *user, const char *password,
                               apr_time_t now, ac_result *res,
                               apr_pool_t *p);

/*
 * check_password of httpd's provider API.  As ac_authn_password, but
 * the user name comes as httpd's modules pass it on, unchecked: one with
 * a control character or invalid UTF-8 is refused (AC_BE_DENIED, and
 * res->log_user stays NULL) before a back-end sees it, and so is such a
 * spelling from a back-end (docs/security.md, "Identity").
 */
ac_be_status ac_authn_check_password(const ac_place *pl, const char *user,
                                     const char *password, apr_time_t now,
                                     ac_result *res, apr_pool_t *p);

/*
 * get_realm_hash of httpd's provider API: the MD5 HA1 of user in realm
 * (32 lower-case hex digits in *hex) from pl's back-ends.  Never cached:
 * an HA1 is as good as the password, and the calling module checks the
 * response itself.  AC_BE_OK (res AC_OK, res->user the back-end's
 * spelling), AC_BE_NOT_FOUND or AC_BE_DENIED (a refused user name; res
 * failed), AC_BE_ERROR (also for a stored value that is no MD5 HA1).
 */
ac_be_status ac_authn_realm_hash(const ac_place *pl, const char *user,
                                 const char *realm, const char **hex,
                                 ac_result *res, apr_pool_t *p);

#endif
