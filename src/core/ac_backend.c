/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_backend.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

extern const ac_backend_kind ac_backend_kind_dbm;     /* ac_backend_dbm.c  */
extern const ac_backend_kind ac_backend_kind_ldap;    /* ac_backend_ldap.c */

/* Every back-end the module has of its own; a new one is a line here. */
const ac_backend_kind *const ac_backend_kinds[] = {
    &ac_backend_kind_dbm,
    &ac_backend_kind_ldap,
    NULL
};

const ac_backend_kind *ac_backend_kind_find(const char *name)
{
    int i;

    for (i = 0; name && ac_backend_kinds[i]; i++) {
        if (!strcasecmp(ac_backend_kinds[i]->name, name)) {
            return ac_backend_kinds[i];
        }
    }
    return NULL;
}

int ac_backend_kind_slot(const ac_backend_kind *k)
{
    int i;

    for (i = 0; ac_backend_kinds[i] && ac_backend_kinds[i] != k; i++)
        ;
    return i;
}

/*
 * One walk over the list for every question: the question is a small
 * closure, so the precedence rule (first found decides, an error stops)
 * lives in one place.
 */
typedef ac_be_status (*ac_be_ask)(const ac_backend *be, void *args,
                                  const char **reason, apr_pool_t *p);

static ac_be_status walk(const ac_backend_list *list, ac_be_ask ask,
                         void *args, const char **reason, apr_pool_t *p)
{
    ac_be_status last = AC_BE_NOT_FOUND;
    int i, answered = 0;

    *reason = "user not found";
    for (i = 0; list && i < list->count; i++) {
        const char *why = NULL;
        ac_be_status st = ask(list->items[i], args, &why, p);

        if (st == AC_BE_UNSUPPORTED) {
            continue;
        }
        answered = 1;
        if (st == AC_BE_NOT_FOUND) {
            last = st;
            if (why) {
                *reason = why;
            }
            continue;
        }
        if (why) {
            *reason = why;
        }
        else if (st == AC_BE_DENIED) {
            *reason = "wrong password";
        }
        else if (st == AC_BE_ERROR) {
            *reason = "back-end error";
        }
        return st;
    }
    if (!answered) {
        *reason = "no back-end can answer this";
        return AC_BE_UNSUPPORTED;
    }
    return last;
}

typedef struct {
    const char *a, *b, *c;
    const char **out;
    const char **canon;
    ac_token *token;
} ac_be_args;

static ac_be_status ask_password(const ac_backend *be, void *v,
                                 const char **reason, apr_pool_t *p)
{
    ac_be_args *x = v;
    if (!be->check_password) {
        return AC_BE_UNSUPPORTED;
    }
    return be->check_password(be->ctx, x->a, x->b, x->canon, reason, p);
}

static ac_be_status ask_ha1(const ac_backend *be, void *v,
                            const char **reason, apr_pool_t *p)
{
    ac_be_args *x = v;
    if (!be->get_ha1) {
        return AC_BE_UNSUPPORTED;
    }
    return be->get_ha1(be->ctx, x->a, x->b, x->c, x->out, x->canon, reason,
                       p);
}

static ac_be_status ask_userhash(const ac_backend *be, void *v,
                                 const char **reason, apr_pool_t *p)
{
    ac_be_args *x = v;
    if (!be->resolve_userhash) {
        return AC_BE_UNSUPPORTED;
    }
    return be->resolve_userhash(be->ctx, x->a, x->b, x->c, x->out,
                                reason, p);
}

static ac_be_status ask_member(const ac_backend *be, void *v,
                               const char **reason, apr_pool_t *p)
{
    ac_be_args *x = v;
    if (!be->member_of) {
        return AC_BE_UNSUPPORTED;
    }
    return be->member_of(be->ctx, x->a, x->b, reason, p);
}

static ac_be_status ask_token(const ac_backend *be, void *v,
                              const char **reason, apr_pool_t *p)
{
    ac_be_args *x = v;
    if (!be->lookup_token) {
        return AC_BE_UNSUPPORTED;
    }
    return be->lookup_token(be->ctx, x->a, x->token, reason, p);
}

ac_be_status ac_backend_check_password(const ac_backend_list *list,
                                       const char *user,
                                       const char *password,
                                       const char **canon,
                                       const char **reason,
                                       apr_pool_t *p)
{
    ac_be_args x = { user, password, NULL, NULL, canon, NULL };
    return walk(list, ask_password, &x, reason, p);
}

ac_be_status ac_backend_get_ha1(const ac_backend_list *list,
                                const char *user, const char *realm,
                                const char *alg, const char **hex,
                                const char **canon,
                                const char **reason, apr_pool_t *p)
{
    ac_be_args x = { user, realm, alg, hex, canon, NULL };
    return walk(list, ask_ha1, &x, reason, p);
}

ac_be_status ac_backend_resolve_userhash(const ac_backend_list *list,
                                         const char *hash,
                                         const char *realm,
                                         const char *alg,
                                         const char **user,
                                         const char **reason,
                                         apr_pool_t *p)
{
    ac_be_args x = { hash, realm, alg, user, NULL, NULL };
    return walk(list, ask_userhash, &x, reason, p);
}

ac_be_status ac_backend_member_of(const ac_backend_list *list,
                                  const char *user, const char *group,
                                  const char **reason, apr_pool_t *p)
{
    ac_be_args x = { user, group, NULL, NULL, NULL, NULL };
    return walk(list, ask_member, &x, reason, p);
}

ac_be_status ac_backend_lookup_token(const ac_backend_list *list,
                                     const char *sha256_hex, ac_token *out,
                                     const char **reason, apr_pool_t *p)
{
    ac_be_args x = { sha256_hex, NULL, NULL, NULL, NULL, out };
    return walk(list, ask_token, &x, reason, p);
}

const char *ac_backend_list_scope(const ac_backend_list *list,
                                  apr_pool_t *p)
{
    const char *out = "";
    int i;

    for (i = 0; list && i < list->count; i++) {
        if (!list->items[i]->scope) {
            return NULL;
        }
        out = apr_pstrcat(p, out, "\n", list->items[i]->scope, NULL);
    }
    return out;
}

const char *ac_backend_stamp(const ac_backend_list *list,
                             ac_stamp_kind kind, const char *name,
                             apr_pool_t *p)
{
    const char *out = "", *one, *why;
    int i;

    for (i = 0; list && i < list->count; i++) {
        const ac_backend *be = list->items[i];
        ac_be_status st = AC_BE_UNSUPPORTED;

        one = NULL;
        if (be->stamp) {
            st = be->stamp(be->ctx, kind, name, &one, &why, p);
        }
        if (st == AC_BE_ERROR) {
            return NULL;
        }
        /* length-prefixed: no stamp can pass for another's */
        out = st == AC_BE_OK && one
              ? apr_psprintf(p, "%s%" APR_SIZE_T_FMT ":%s", out,
                             strlen(one), one)
              : apr_pstrcat(p, out, "*", NULL);
    }
    return out;
}
