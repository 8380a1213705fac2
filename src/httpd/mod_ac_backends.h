/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the back-ends of a place, from AuthChallengeProvider:
 * the module's own kinds (ac_backend_kinds: made once per process per
 * distinct configuration, mod_ac_registry.c), and httpd's authn
 * providers (any other name), adapted to the core's ac_backend.
 */
#ifndef MOD_AC_BACKENDS_H
#define MOD_AC_BACKENDS_H

#include "httpd.h"
#include "mod_ac_config.h"

/* The back-ends of dc, in configured order (never NULL); in p.  One
 * that cannot be made is left out with a message in warnings; *bound
 * is 1 when one of them is an httpd provider (ach_backends_bind). */
const ac_backend_list *ach_backends_for(const ach_dir_conf *dc,
                                        apr_pool_t *p, int *bound,
                                        apr_array_header_t *warnings);

/*
 * The back-ends of dc for httpd's own modules, which ask the authn
 * provider "challenge" (docs/httpd.md): the module's own kinds that
 * AuthChallengeProvider lists, in its order, or, when it lists none,
 * every kind configured in dc (AuthChallengeDBMUserFile,
 * AuthChallengeLDAPURL), in the order of ac_backend_kinds.  Never an
 * httpd provider: those are the calling module's to list, and one of
 * them could be "challenge" itself.
 */
const ac_backend_list *ach_backends_own(const ach_dir_conf *dc,
                                        apr_pool_t *p,
                                        apr_array_header_t *warnings);

/* The module's own back-end named name as configured in dc, listed by
 * AuthChallengeProvider or not; NULL when it is not configured there. */
const ac_backend *ach_backend_named(const ach_dir_conf *dc,
                                    const char *name, apr_pool_t *p,
                                    apr_array_header_t *warnings);

/* httpd's authn providers answer about a request_rec: the one this
 * thread works for now (before the core is called with a place whose
 * back-ends are bound). */
void ach_backends_bind(request_rec *r);

/* child_init: DBM files are watched for edits (ac_filewatch.h). */
void ach_backends_child_init(apr_pool_t *p, server_rec *s);

#endif
