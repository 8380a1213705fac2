/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_records.h"
#include "ac_backend_dbm.h"
#include "ac_util.h"

#include <string.h>
#include <apr_strings.h>

#define USERHASH_PREFIX "userhash:"
#define BEARER_PREFIX   "bearer:"

typedef const char *(*record_writer)(apr_pool_t *p, const ac_user_input *in,
                                     apr_array_header_t *out);
typedef int (*record_owner)(apr_pool_t *p, const char *key,
                            const char *value, const char *user);

/* ------------------------------------------------------------ helpers */

static int has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* Keys that belong to the shared namespaces, never to a user prefix. */
static int shared_key(const char *key)
{
    return has_prefix(key, USERHASH_PREFIX) || has_prefix(key, BEARER_PREFIX);
}

static void push(apr_array_header_t *out, const char *kind, const char *key,
                 const char *value)
{
    ac_record *r = apr_array_push(out);

    r->kind = kind;
    r->key = key;
    r->value = value;
}

/* Only the base algorithms carry records (a -sess HA1 is derived). */
static const ac_hash_alg *const *base_algs(apr_pool_t *p)
{
    const ac_hash_alg *const *all = ac_hash_all();
    apr_array_header_t *list = apr_array_make(p, 4, sizeof(ac_hash_alg *));
    int i;

    for (i = 0; all[i]; i++) {
        if (!all[i]->sess) {
            APR_ARRAY_PUSH(list, const ac_hash_alg *) = all[i];
        }
    }
    APR_ARRAY_PUSH(list, const ac_hash_alg *) = NULL;
    return (const ac_hash_alg *const *)list->elts;
}

const ac_hash_alg *const *ac_records_default_algs(apr_pool_t *p)
{
    return base_algs(p);
}

/* The HA1 key: MD5 lives under mod_authn_dbm's <user>:<realm>. */
static const char *ha1_key(apr_pool_t *p, const ac_hash_alg *alg,
                           const char *user, const char *realm)
{
    return ac_dbm_key_ha1(p, user, realm,
                          strcmp(alg->name, "MD5") ? alg->name : NULL);
}

static const char *userhash_key(apr_pool_t *p, const ac_hash_alg *alg,
                                const char *user, const char *realm)
{
    const char *hex = ac_hash_hex(p, alg, user, realm, NULL);

    return hex ? ac_dbm_key_userhash(p, alg->name, realm, hex) : NULL;
}

/* ------------------------------------------------------------ writers */

static const char *write_basic(apr_pool_t *p, const ac_user_input *in,
                               apr_array_header_t *out)
{
    if (in->pw_hash) {
        push(out, "basic", ac_dbm_key_user(p, in->user),
             apr_pstrcat(p, in->pw_hash,
                         in->user_tail ? in->user_tail : "", NULL));
    }
    return NULL;
}

static const char *write_ha1(apr_pool_t *p, const ac_user_input *in,
                             apr_array_header_t *out)
{
    const char *ha1;
    int i;

    for (i = 0; in->realm && in->password && in->algs && in->algs[i]; i++) {
        ha1 = ac_hash_ha1(p, in->algs[i], in->user, in->realm,
                          in->password);
        if (!ha1) {
            return apr_psprintf(p, "cannot compute the %s HA1",
                                in->algs[i]->name);
        }
        push(out, "ha1", ha1_key(p, in->algs[i], in->user, in->realm), ha1);
    }
    return NULL;
}

static const char *write_userhash(apr_pool_t *p, const ac_user_input *in,
                                  apr_array_header_t *out)
{
    const char *key;
    int i;

    for (i = 0; in->realm && in->algs && in->algs[i]; i++) {
        key = userhash_key(p, in->algs[i], in->user, in->realm);
        if (!key) {
            return apr_psprintf(p, "cannot compute the %s userhash",
                                in->algs[i]->name);
        }
        push(out, "userhash", key, in->user);
    }
    return NULL;
}

static const char *write_token(apr_pool_t *p, const ac_user_input *in,
                               apr_array_header_t *out)
{
    const char *hex;

    if (!in->token) {
        return NULL;
    }
    /* "<user>|<exp>|<scopes>": a '|' in the user or a scope, or a
     * negative time, would not read back as written. */
    if (strchr(in->user, '|')
        || (in->token_scopes && strchr(in->token_scopes, '|'))) {
        return "a token record cannot hold '|' in the user name or a "
               "scope";
    }
    if (in->token_exp < 0) {
        return "a token record cannot hold a negative expiry time";
    }
    hex = ac_sha256_hex(p, in->token);
    if (!hex) {
        return "cannot hash the token";
    }
    push(out, "token", ac_dbm_key_token(p, hex),
         apr_psprintf(p, "%s|%" APR_INT64_T_FMT "|%s", in->user,
                      in->token_exp,
                      in->token_scopes ? in->token_scopes : ""));
    return NULL;
}

const char *ac_records_ldap_values(apr_pool_t *p, const char *user,
                                   const char *realm, const char *password,
                                   const ac_hash_alg *const *algs,
                                   apr_array_header_t *out)
{
    const char *ha1, *uh;
    int i;

    for (i = 0; algs[i]; i++) {
        ha1 = ac_hash_ha1(p, algs[i], user, realm, password);
        if (!ha1) {
            return apr_psprintf(p, "cannot compute the %s HA1",
                                algs[i]->name);
        }
        push(out, "digest", NULL,
             apr_pstrcat(p, realm, ":", algs[i]->name, ":", ha1, NULL));
    }
    for (i = 0; algs[i]; i++) {
        uh = ac_hash_hex(p, algs[i], user, realm, NULL);
        if (!uh) {
            return apr_psprintf(p, "cannot compute the %s userhash",
                                algs[i]->name);
        }
        push(out, "userhash", NULL,
             apr_pstrcat(p, realm, ":", algs[i]->name, ":", uh, NULL));
    }
    return NULL;
}

/* ------------------------------------------------------- owner tests */

static int owns_basic(apr_pool_t *p, const char *key, const char *value,
                      const char *user)
{
    return !strcmp(key, ac_dbm_key_user(p, user));
}

static int owns_ha1(apr_pool_t *p, const char *key, const char *value,
                    const char *user)
{
    return ac_records_ha1_realm(p, key, user) != NULL;
}

static int owns_userhash(apr_pool_t *p, const char *key, const char *value,
                         const char *user)
{
    return has_prefix(key, USERHASH_PREFIX) && !strcmp(value, user);
}

static int owns_token(apr_pool_t *p, const char *key, const char *value,
                      const char *user)
{
    ac_token t;

    return has_prefix(key, BEARER_PREFIX)
           && ac_dbm_parse_token(p, value, &t) && !strcmp(t.user, user);
}

/* ------------------------------------------------------- the table */

static const struct {
    const char *kind;
    record_writer write;
    record_owner owns;
} kinds[] = {
    { "basic",    write_basic,    owns_basic },
    { "ha1",      write_ha1,      owns_ha1 },
    { "userhash", write_userhash, owns_userhash },
    { "token",    write_token,    owns_token },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const char *ac_records_for_user(apr_pool_t *p, const ac_user_input *in,
                                apr_array_header_t *out)
{
    const char *err;
    apr_size_t i;

    for (i = 0; i < NKINDS; i++) {
        if ((err = kinds[i].write(p, in, out)) != NULL) {
            return err;
        }
    }
    return NULL;
}

const char *ac_records_owner_kind(apr_pool_t *p, const char *key,
                                  const char *value, const char *user)
{
    apr_size_t i;

    for (i = 0; i < NKINDS; i++) {
        if (kinds[i].owns(p, key, value, user)) {
            return kinds[i].kind;
        }
    }
    return NULL;
}

/* ------------------------------------------------------- realms */

int ac_records_in_realm(apr_pool_t *p, const char *key, const char *value,
                        const char *user, const char *realm)
{
    const ac_hash_alg *const *algs = base_algs(p);
    const char *uh;
    int i;

    if (!strcmp(key, ac_dbm_key_ha1(p, user, realm, NULL))) {
        return 1;
    }
    for (i = 0; algs[i]; i++) {
        if (!strcmp(key, ac_dbm_key_ha1(p, user, realm, algs[i]->name))) {
            return 1;
        }
        uh = userhash_key(p, algs[i], user, realm);
        if (uh && !strcmp(key, uh) && !strcmp(value, user)) {
            return 1;
        }
    }
    return 0;
}

const char *ac_records_ha1_realm(apr_pool_t *p, const char *key,
                                 const char *user)
{
    const ac_hash_alg *const *algs = base_algs(p);
    apr_size_t ulen = strlen(user), rlen, alen;
    const char *rest;
    int i;

    if (shared_key(key) || strncmp(key, user, ulen) || key[ulen] != ':'
        || !key[ulen + 1]) {
        return NULL;
    }
    rest = key + ulen + 1;
    rlen = strlen(rest);
    for (i = 0; algs[i]; i++) {
        alen = strlen(algs[i]->name);
        if (rlen > alen + 1 && rest[rlen - alen - 1] == ':'
            && !strcmp(rest + rlen - alen, algs[i]->name)) {
            return apr_pstrmemdup(p, rest, rlen - alen - 1);
        }
    }
    return rest;
}

/* ------------------------------------------------------- names, lists */

int ac_records_is_user_key(const char *key)
{
    return *key && !strchr(key, ':');
}

int ac_records_user_reserved(const char *user)
{
    return !strcmp(user, "userhash") || !strcmp(user, "bearer");
}

const char *ac_records_check_user(const char *s)
{
    apr_size_t n = strlen(s);

    if (!n) {
        return "the user name is empty";
    }
    if (ac_has_ctl(s, n)) {
        return "the user name contains a control character";
    }
    if (!ac_utf8_valid(s, n)) {
        return "the user name is not valid UTF-8";
    }
    if (strchr(s, ':')) {
        return "the user name contains ':'";
    }
    return NULL;
}

const ac_hash_alg *const *ac_records_parse_algs(apr_pool_t *p,
                                                const char *list,
                                                const char **err)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(ac_hash_alg *));
    const ac_hash_alg *alg;
    char *copy = apr_pstrdup(p, list), *name, *last;
    int i, dup;

    for (name = apr_strtok(copy, ", ", &last); name;
         name = apr_strtok(NULL, ", ", &last)) {
        alg = ac_hash_find(name);
        if (!alg || alg->sess) {
            *err = apr_psprintf(p, "%s algorithm '%s' (use MD5, SHA-256 "
                                "or SHA-512-256; a -sess variant uses its "
                                "base algorithm's HA1)",
                                alg ? "no records for" : "unknown", name);
            return NULL;
        }
        for (i = 0, dup = 0; i < out->nelts; i++) {
            dup |= APR_ARRAY_IDX(out, i, const ac_hash_alg *) == alg;
        }
        if (!dup) {
            APR_ARRAY_PUSH(out, const ac_hash_alg *) = alg;
        }
    }
    if (!out->nelts) {
        *err = "empty algorithm list";
        return NULL;
    }
    APR_ARRAY_PUSH(out, const ac_hash_alg *) = NULL;
    return (const ac_hash_alg *const *)out->elts;
}

const char *ac_records_user_tail(apr_pool_t *p, const char *old,
                                 const char *groups)
{
    const char *rest = old ? strchr(old, ':') : NULL;
    const char *comment = rest ? strchr(rest + 1, ':') : NULL;

    if (!groups) {
        return rest ? rest : "";
    }
    if (comment) {
        return apr_pstrcat(p, ":", groups, comment, NULL);
    }
    return *groups ? apr_pstrcat(p, ":", groups, NULL) : "";
}
