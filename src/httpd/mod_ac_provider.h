/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * httpd glue: the authn provider "challenge" (docs/httpd.md).  httpd's
 * own modules — mod_auth_basic (AuthBasicProvider challenge),
 * mod_auth_form (AuthFormProvider), mod_auth_digest (AuthDigestProvider,
 * MD5) and <AuthnProviderAlias challenge name> — ask it, and it answers
 * from the module's back-ends with the credential cache, the LDAP
 * deadline, the failure limit and the module's log lines.
 */
#ifndef MOD_AC_PROVIDER_H
#define MOD_AC_PROVIDER_H

#include "httpd.h"

/* register_hooks: the provider, and what finishes its work: a 429 where
 * the calling module would answer a blocked client with 500, and the
 * outcome of a Digest check that the calling module makes. */
void ach_provider_register(apr_pool_t *p);

#endif
