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
 * the former); unparsable → AC_BAD_REQUEST.
 */
void ac_authenticate(const ac_scheme_conf *conf, const ac_scheme_set *set,
                     const ac_request *req, ac_result *res, apr_pool_t *p);

/*
 * The challenges that go with res: every offered scheme's for
 * AC_CHALLENGE; for 400/403 only the deciding scheme's, and only when it
 * asks for that (Bearer); none otherwise.
 */
ac_challenges *ac_auth_challenges(const ac_scheme_conf *conf,
                                  const ac_scheme_set *set,
                                  const ac_request *req,
                                  const ac_result *res, apr_pool_t *p);

/* 1 when the scheme the client used needs the request body before
 * ac_authenticate (the glue then reads it into req->body): only for
 * credentials that pass every check that can be made without it. */
int ac_auth_wants_body(const ac_scheme_conf *conf, const ac_scheme_set *set,
                       const ac_request *req, apr_pool_t *p);

/* Parse "Digest Bearer Basic": fills set; 0 and *bad on an unknown name. */
int ac_scheme_set_parse(ac_scheme_set *set, const char *const *names,
                        int n, const char **bad);

#endif
