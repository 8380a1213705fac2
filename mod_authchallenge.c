/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * mod_authchallenge: Basic, Digest (RFC 7616) and Bearer (RFC 6750)
 * authentication with proxy-aware challenges.
 *
 * This file is only the module record, the hook registration and the
 * glue's two tables: the directives (each file that adds some gives
 * them as a macro) and the schemes' request steps.  The glue lives in
 * src/httpd/, the logic in the httpd-free core, src/core/ (which has the
 * scheme and back-end tables; docs/architecture.md).
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_request.h"

#include "mod_ac_authz.h"
#include "mod_ac_backends.h"
#include "mod_ac_bearer.h"
#include "mod_ac_body.h"
#include "mod_ac_config.h"
#include "mod_ac_dbm.h"
#include "mod_ac_digest.h"
#include "mod_ac_ldap.h"
#include "mod_ac_log.h"
#include "mod_ac_place.h"
#include "mod_ac_provider.h"
#include "mod_ac_registry.h"
#include "mod_ac_request.h"
#include "mod_ac_rs.h"
#include "mod_ac_state.h"

#include "ac_bearer.h"

/* Every directive: the general ones, then each scheme's and each
 * back-end's. */
static const command_rec ach_cmds[] = {
    ACH_GENERAL_CMDS,
    ACH_DIGEST_CMDS,
    ACH_BEARER_CMDS,
    ACH_DBM_CMDS,
    ACH_LDAP_CMDS,
    { NULL }
};

/* The schemes whose glue has a step before the core sees a request. */
const ach_scheme_glue ach_scheme_glues[] = {
    { &ac_scheme_bearer, ach_bearer_prepare },
    { NULL, NULL }
};

static void ach_register_hooks(apr_pool_t *p)
{
    /* Before mod_auth_basic / mod_auth_digest (APR_HOOK_MIDDLE): we
     * decline wherever AuthChallengeProvider is not in effect. */
    ap_hook_check_authn(ach_check_authn, NULL, NULL, APR_HOOK_FIRST,
                        AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_note_auth_failure(ach_note_auth_failure, NULL, NULL,
                              APR_HOOK_FIRST);
    ap_hook_fixups(ach_proxy_fixups, NULL, NULL, APR_HOOK_LAST);
    ach_body_register(p);
    ach_authz_register(p);
    ach_provider_register(p);
    ap_hook_pre_config(ach_state_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ach_state_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ach_log_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ach_registry_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_post_config(ach_rs_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_test_config(ach_rs_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(ach_rs_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ach_config_child_init, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_child_init(ach_state_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ach_backends_child_init, NULL, NULL,
                       APR_HOOK_MIDDLE);
    /* last: its cleanup runs first, while the shared state still works */
    ap_hook_child_init(ach_rs_child_init, NULL, NULL, APR_HOOK_LAST);
}

AP_DECLARE_MODULE(authchallenge) = {
    STANDARD20_MODULE_STUFF,
    ach_create_dir_conf,
    ach_merge_dir_conf,
    ach_create_srv_conf,
    ach_merge_srv_conf,
    ach_cmds,
    ach_register_hooks,
    AP_MODULE_FLAG_NONE
};
