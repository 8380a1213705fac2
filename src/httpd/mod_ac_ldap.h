/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* httpd glue: the LDAP back-end's directives (ac_backend_ldap.c is the
 * back-end). */
#ifndef MOD_AC_LDAP_H
#define MOD_AC_LDAP_H

#include <stddef.h>
#include "mod_ac_config.h"
#include "ac_backend_ldap.h"

const char *ach_ldap_url(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_string(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_bind_pw(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_starttls(cmd_parms *cmd, void *cfg, int on);
const char *ach_ldap_ca_cert(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_timeout(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_group_attr(cmd_parms *cmd, void *cfg, const char *arg);
const char *ach_ldap_group_is_dn(cmd_parms *cmd, void *cfg, int on);
const char *ach_ldap_group_depth(cmd_parms *cmd, void *cfg,
                                 const char *arg);
const char *ach_ldap_group_cache(cmd_parms *cmd, void *cfg,
                                 const char *arg);

/* cmd->info of ach_ldap_string: the field it sets */
#define ACH_LDAP_FIELD(f) (void *)offsetof(ac_ldap_conf, f)

#define ACH_LDAP_CMDS \
    AP_INIT_TAKE1("AuthChallengeLDAPURL", ach_ldap_url, NULL, ACH_DIRCTX, \
        "RFC 4516 LDAP URL"), \
    AP_INIT_TAKE1("AuthChallengeLDAPBindDN", ach_ldap_string, \
        ACH_LDAP_FIELD(bind_dn), ACH_DIRCTX, "search identity"), \
    AP_INIT_TAKE1("AuthChallengeLDAPBindPassword", ach_ldap_bind_pw, NULL, \
        ACH_DIRCTX, "its password, or file:path"), \
    AP_INIT_FLAG("AuthChallengeLDAPStartTLS", ach_ldap_starttls, NULL, \
        ACH_DIRCTX, "StartTLS before binding"), \
    AP_INIT_TAKE1("AuthChallengeLDAPCACert", ach_ldap_ca_cert, NULL, \
        ACH_DIRCTX, "CA certificate for ldaps/StartTLS"), \
    AP_INIT_TAKE1("AuthChallengeLDAPTimeout", ach_ldap_timeout, NULL, \
        ACH_DIRCTX, "seconds for a whole lookup"), \
    AP_INIT_TAKE1("AuthChallengeLDAPDigestAttribute", ach_ldap_string, \
        ACH_LDAP_FIELD(digest_attr), ACH_DIRCTX, \
        "attribute with realm:ALG:HA1"), \
    AP_INIT_TAKE1("AuthChallengeLDAPUserhashAttribute", ach_ldap_string, \
        ACH_LDAP_FIELD(userhash_attr), ACH_DIRCTX, \
        "attribute with userhashes"), \
    AP_INIT_ITERATE("AuthChallengeLDAPGroupAttribute", ach_ldap_group_attr, \
        NULL, ACH_DIRCTX, "group membership attributes"), \
    AP_INIT_TAKE1("AuthChallengeLDAPTokenAttribute", ach_ldap_string, \
        ACH_LDAP_FIELD(token_attr), ACH_DIRCTX, \
        "attribute with opaque tokens"), \
    AP_INIT_FLAG("AuthChallengeLDAPGroupAttributeIsDN", \
        ach_ldap_group_is_dn, NULL, ACH_DIRCTX, \
        "On: group members are DNs; Off: user names (memberUid)"), \
    AP_INIT_TAKE1("AuthChallengeLDAPGroupDepth", ach_ldap_group_depth, \
        NULL, ACH_DIRCTX, "nested groups followed this deep (0: none)"), \
    AP_INIT_TAKE1("AuthChallengeLDAPGroupCache", ach_ldap_group_cache, \
        NULL, ACH_DIRCTX, "seconds group answers are kept, or Off")

#endif
