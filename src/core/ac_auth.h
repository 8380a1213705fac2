/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The dispatcher: credentials in, a verdict out; and the challenges that
 * answer a verdict.  Plain data only: the glue turns a request_rec into
 * an ac_request and the result back into httpd calls.
 */
#ifndef AC_AUTH_H
#define AC_AUTH_H

#include "ac_scheme.h"

/*
 * Route req->credentials to the offered scheme the client used.  No
 * credentials, or a scheme not offered → AC_CHALLENGE (res->failed 0 for
 * the former); unparsable → AC_BAD_REQUEST.  Whatever the scheme, a
 * user name with a control character or invalid UTF-8 is refused.
 */
void ac_authenticate(const ac_place *pl, const ac_request *req,
                     ac_result *res, apr_pool_t *p);

/*
 * The challenges that go with res: every offered scheme's for
 * AC_CHALLENGE; for 400 and 403 only the deciding scheme's, and only
 * when it asks for that (Bearer); none otherwise.
 */
ac_challenges *ac_auth_challenges(const ac_place *pl, const ac_request *req,
                                  const ac_result *res, apr_pool_t *p);

/* 1 when the scheme the client used needs the request body before
 * ac_authenticate (the glue then reads it into req->body): only for
 * credentials that pass every check that can be made without it. */
int ac_auth_wants_body(const ac_place *pl, const ac_request *req,
                       apr_pool_t *p);

/* The offered scheme req's credentials name, or NULL. */
const ac_scheme *ac_auth_scheme_of(const ac_place *pl,
                                   const ac_request *req, apr_pool_t *p);

/* A verdict of refusal for an authenticated user whom authorization
 * turned away for want of scopes (RFC 6750 §3.1, 403
 * insufficient_scope), decided by scheme. */
void ac_auth_forbid(ac_result *res, const ac_scheme *scheme,
                    const char *error, const char *scope);

#endif
