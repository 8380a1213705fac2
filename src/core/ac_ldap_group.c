/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* Group membership and filters in LDAP: see ac_ldap_group.h. */
#include "ac_ldap_group.h"
#include "ac_ldap_filter.h"
#include "ac_ldap_url.h"
#include "ac_util.h"

#include <string.h>
#include <strings.h>
#include <apr_hash.h>
#include <apr_strings.h>

/* The object classes of groups whose members may be groups. */
#define GROUP_CLASSES "(|(objectClass=groupOfNames)" \
                      "(objectClass=groupOfUniqueNames))"

/* Candidates for sub-groups named in one search filter, at most. */
#define CHUNK 64

/* One question: whose membership, and what has been seen. */
typedef struct {
    ac_ldap_call *call;
    const char *value;          /* filter-escaped user DN or name       */
    const char *user_key;       /* the user's DN (never a sub-group)    */
    apr_hash_t *member_of;      /* keys of the user's memberOf values   */
    apr_hash_t *seen;           /* keys of the groups met so far        */
    char **sub_attrs;           /* attributes naming member DNs         */
    int examined;
} ac_ldap_walk;

const char *ac_ldap_dn_key(apr_pool_t *p, const char *dn)
{
    char *n = NULL;
    const char *out = NULL;

    if (dn && *dn && ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAP, &n,
                                       LDAP_DN_FORMAT_LDAPV3)
                     == LDAP_SUCCESS && n && *n) {
        char *copy = apr_pstrdup(p, n);

        ac_str_tolower(copy);
        out = copy;
    }
    ldap_memfree(n);
    return out;
}

/* ------------------------------------------------------------ set-up */

/* member, uniqueMember (the member attributes of the group classes)
 * and, when they hold DNs, the configured group attributes. */
static char **sub_attrs(apr_pool_t *p, const ac_ldap_conf *conf)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(char *));
    const apr_array_header_t *g = conf->group_attrs;
    int i, j;

    APR_ARRAY_PUSH(a, char *) = "member";
    APR_ARRAY_PUSH(a, char *) = "uniqueMember";
    for (i = 0; conf->group_is_dn && i < g->nelts; i++) {
        char *name = APR_ARRAY_IDX(g, i, char *);

        for (j = 0; j < a->nelts; j++) {
            if (!strcasecmp(APR_ARRAY_IDX(a, j, char *), name)) {
                break;
            }
        }
        if (j == a->nelts) {
            APR_ARRAY_PUSH(a, char *) = name;
        }
    }
    APR_ARRAY_PUSH(a, char *) = NULL;
    return (char **)a->elts;
}

/* The user's entry: its DN, and the keys of its memberOf values. */
static ac_be_status find_user(ac_ldap_walk *w, const char *user)
{
    ac_ldap_call *call = w->call;
    ac_ldap_ctx *ctx = call->ctx;
    ac_ldap_search s;
    ac_be_status st;
    int i;

    ac_ldap_search_init(&s, "user", ac_ldap_and_filter(call, ctx->url.attr,
                                                       user, ""),
                        "memberOf", NULL);
    if ((st = ac_ldap_find_one(call, &s)) != AC_BE_OK) {
        return st;
    }
    w->user_key = ac_ldap_dn_key(call->p, s.dn);
    w->value = ac_ldap_escape_str(call->p, ctx->conf.group_is_dn ? s.dn
                                                                 : user);
    w->member_of = apr_hash_make(call->p);
    for (i = 0; i < s.vals[0]->nelts; i++) {
        const char *k = ac_ldap_dn_key(call->p, APR_ARRAY_IDX(s.vals[0], i,
                                                              const char *));
        if (k) {
            apr_hash_set(w->member_of, k, APR_HASH_KEY_STRING, "");
        }
    }
    return AC_BE_OK;
}

/* ------------------------------------------------------------ one group */

/* (|(member=<value>)(uniqueMember=<value>)...) */
static const char *member_filter(ac_ldap_walk *w)
{
    const apr_array_header_t *attrs = w->call->ctx->conf.group_attrs;
    const char *f = "(|";
    int i;

    for (i = 0; i < attrs->nelts; i++) {
        f = apr_pstrcat(w->call->p, f, "(", APR_ARRAY_IDX(attrs, i, char *),
                        "=", w->value, ")", NULL);
    }
    return apr_pstrcat(w->call->p, f, ")", NULL);
}

/* Does group g list the user?  The server compares (a base-scope search
 * with the membership filter), so its matching rules apply: DN
 * matching for member, caseExactIA5 for memberUid.  *exists is 0 when
 * there is no entry g. */
static ac_be_status has_member(ac_ldap_walk *w, const char *g, int *exists)
{
    ac_ldap_search s;
    ac_be_status st;

    ac_ldap_search_init(&s, "group", member_filter(w), NULL, NULL);
    s.base = g;
    s.scope = LDAP_SCOPE_BASE;
    s.sizelimit = 1;
    s.missing_ok = 1;
    st = ac_ldap_run(w->call, AC_CONN_SEARCH, ac_ldap_op_search, &s);
    *exists = st == AC_BE_OK && !s.missing;
    if (st != AC_BE_OK) {
        return st;
    }
    return s.count > 0 ? AC_BE_OK : AC_BE_DENIED;
}

/* ------------------------------------------------------------ sub-groups */

/* A uniqueMember value is "<DN>[#'<bits>'B]" (RFC 4517 §3.3.21): the
 * DN alone. */
static const char *strip_uid(apr_pool_t *p, const char *v)
{
    const char *hash = strrchr(v, '#');
    apr_size_t n = strlen(v);

    if (hash && hash > v && hash[-1] != '\\' && hash[1] == '\''
        && n >= 2 && v[n - 1] == 'B' && v[n - 2] == '\'') {
        return apr_pstrmemdup(p, v, hash - v);
    }
    return v;
}

/* The filter for the first RDN of dn ("(cn=x)", "(&(cn=x)(sn=y))")
 * and the DN of its parent; 0 when dn cannot be split so. */
static int split_dn(apr_pool_t *p, const char *dn, const char **rdn,
                    const char **parent)
{
    LDAPDN parsed = NULL;
    char *par = NULL;
    int i, ok = 0;

    if (ldap_str2dn(dn, &parsed, LDAP_DN_FORMAT_LDAP) != LDAP_SUCCESS
        || !parsed || !parsed[0] || !parsed[1]) {
        ldap_dnfree(parsed);
        return 0;
    }
    *rdn = "";
    for (i = 0; parsed[0][i]; i++) {
        LDAPAVA *ava = parsed[0][i];
        const char *type = apr_pstrmemdup(p, ava->la_attr.bv_val,
                                          ava->la_attr.bv_len);

        if ((ava->la_flags & LDAP_AVA_BINARY) || !ac_ldap_attr_valid(type)) {
            goto out;
        }
        *rdn = apr_pstrcat(p, *rdn, "(", type, "=",
                           ac_ldap_escape(p, ava->la_value.bv_val,
                                          ava->la_value.bv_len), ")", NULL);
    }
    if (i > 1) {
        *rdn = apr_pstrcat(p, "(&", *rdn, ")", NULL);
    }
    if (ldap_dn2str(parsed + 1, &par, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS
        && par) {
        *parent = apr_pstrdup(p, par);
        ok = 1;
    }
out:
    ldap_memfree(par);
    ldap_dnfree(parsed);
    return ok;
}

/* The candidates under one parent entry: its DN, and a filter for the
 * first RDN of each ("(cn=team)"). */
typedef struct {
    const char *dn;
    apr_array_header_t *rdns;   /* const char * */
} ac_ldap_parent;

/* Group g's member values that may be groups: DNs not met yet, by
 * parent (parent key -> ac_ldap_parent); into cand, key -> 1. */
static ac_be_status members(ac_ldap_walk *w, const char *g,
                            apr_hash_t *parents, apr_hash_t *cand)
{
    apr_pool_t *p = w->call->p;
    ac_ldap_search s;
    ac_be_status st;
    int i;

    ac_ldap_search_init(&s, "group", "(objectClass=*)", NULL, NULL);
    s.attr_list = w->sub_attrs;
    s.base = g;
    s.scope = LDAP_SCOPE_BASE;
    s.missing_ok = 1;
    st = ac_ldap_run(w->call, AC_CONN_SEARCH, ac_ldap_op_search, &s);
    for (i = 0; st == AC_BE_OK && i < s.all->nelts; i++) {
        const char *dn = strip_uid(p, APR_ARRAY_IDX(s.all, i, const char *));
        const char *key = ac_ldap_dn_key(p, dn), *rdn, *par, *pkey;
        ac_ldap_parent *pa;

        if (!key || apr_hash_get(w->seen, key, APR_HASH_KEY_STRING)
            || apr_hash_get(cand, key, APR_HASH_KEY_STRING)
            || (w->user_key && !strcmp(key, w->user_key))
            || !split_dn(p, dn, &rdn, &par)
            || !(pkey = ac_ldap_dn_key(p, par))) {
            continue;
        }
        apr_hash_set(cand, key, APR_HASH_KEY_STRING, "");
        if (!(pa = apr_hash_get(parents, pkey, APR_HASH_KEY_STRING))) {
            pa = apr_pcalloc(p, sizeof(*pa));
            pa->dn = par;
            pa->rdns = apr_array_make(p, 4, sizeof(const char *));
            apr_hash_set(parents, pkey, APR_HASH_KEY_STRING, pa);
        }
        APR_ARRAY_PUSH(pa->rdns, const char *) = rdn;
    }
    return st;
}

/* Entries under pa that filter finds and that are candidates not met
 * yet, into next; *truncated (may be NULL) when a size limit cut the
 * answer short. */
static ac_be_status search_under(ac_ldap_walk *w, ac_ldap_parent *pa,
                                 const char *filter, apr_hash_t *cand,
                                 apr_array_header_t *next, int *truncated)
{
    apr_pool_t *p = w->call->p;
    ac_ldap_search s;
    ac_be_status st;
    int j;

    ac_ldap_search_init(&s, "group", filter, NULL, NULL);
    s.base = pa->dn;
    s.scope = LDAP_SCOPE_ONELEVEL;
    s.missing_ok = 1;
    st = ac_ldap_run(w->call, AC_CONN_SEARCH, ac_ldap_op_search, &s);
    if (st != AC_BE_OK) {
        return st;
    }
    for (j = 0; j < s.dns->nelts; j++) {
        const char *dn = APR_ARRAY_IDX(s.dns, j, const char *);
        const char *key = ac_ldap_dn_key(p, dn);

        if (key && apr_hash_get(cand, key, APR_HASH_KEY_STRING)
            && !apr_hash_get(w->seen, key, APR_HASH_KEY_STRING)) {
            apr_hash_set(w->seen, key, APR_HASH_KEY_STRING, "");
            APR_ARRAY_PUSH(next, const char *) = dn;
        }
    }
    if (truncated) {
        *truncated = s.truncated;
    }
    return AC_BE_OK;
}

/* Groups under parent pa among the candidates, into next.  With few
 * candidates: one search naming them; with many: one search for every
 * group under pa (people's containers hold none), or, should that hit
 * a size limit, searches naming CHUNK of them each.  The server finds
 * by name; the DNs it returns are checked against the candidates. */
static ac_be_status groups_under(ac_ldap_walk *w, ac_ldap_parent *pa,
                                 apr_hash_t *cand, apr_array_header_t *next)
{
    apr_pool_t *p = w->call->p;
    ac_be_status st;
    int i, j, truncated = 0;

    if (pa->rdns->nelts > CHUNK) {
        st = search_under(w, pa, GROUP_CLASSES, cand, next, &truncated);
        if (st != AC_BE_OK || !truncated) {
            return st;
        }
    }
    for (i = 0; i < pa->rdns->nelts; i += CHUNK) {
        const char *names = "";

        for (j = i; j < pa->rdns->nelts && j < i + CHUNK; j++) {
            names = apr_pstrcat(p, names, APR_ARRAY_IDX(pa->rdns, j,
                                                        const char *), NULL);
        }
        st = search_under(w, pa, apr_pstrcat(p, "(&" GROUP_CLASSES "(|",
                                             names, "))", NULL),
                          cand, next, NULL);
        if (st != AC_BE_OK) {
            return st;
        }
    }
    return AC_BE_OK;
}

/* The members of g that are groups not met before, into next. */
static ac_be_status subgroups(ac_ldap_walk *w, const char *g,
                              apr_array_header_t *next)
{
    apr_hash_t *parents = apr_hash_make(w->call->p);
    apr_hash_t *cand = apr_hash_make(w->call->p);
    apr_hash_index_t *hi;
    ac_be_status st = members(w, g, parents, cand);

    for (hi = apr_hash_first(w->call->p, parents);
         st == AC_BE_OK && hi; hi = apr_hash_next(hi)) {
        void *pa;

        apr_hash_this(hi, NULL, NULL, &pa);
        st = groups_under(w, pa, cand, next);
    }
    return st;
}

/* ------------------------------------------------------------ the walk */

/* One level of groups: the user in one of them (OK); else, when deeper
 * levels are wanted, their sub-groups into next.  *bound is set when
 * the walk has looked at AC_LDAP_MAX_GROUPS groups. */
static ac_be_status level(ac_ldap_walk *w, apr_array_header_t *groups,
                          int deeper, apr_array_header_t *next, int *bound)
{
    ac_be_status st;
    int i, exists, *found = apr_pcalloc(w->call->p,
                                        groups->nelts * sizeof(int));

    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        const char *key = ac_ldap_dn_key(w->call->p, g);

        if (++w->examined > AC_LDAP_MAX_GROUPS) {
            *bound = 1;
            return AC_BE_DENIED;
        }
        if (key && apr_hash_get(w->member_of, key, APR_HASH_KEY_STRING)) {
            return AC_BE_OK;
        }
        if ((st = has_member(w, g, &exists)) != AC_BE_DENIED) {
            return st;
        }
        found[i] = exists;
    }
    for (i = 0; deeper && i < groups->nelts; i++) {
        if (found[i] && (st = subgroups(w, APR_ARRAY_IDX(groups, i,
                                                         const char *),
                                        next)) != AC_BE_OK) {
            return st;
        }
    }
    return AC_BE_DENIED;
}

ac_be_status ac_ldap_member_of(ac_ldap_ctx *ctx, const char *user,
                               const char *group, const char **reason,
                               apr_pool_t *p)
{
    ac_ldap_call call;
    ac_ldap_walk w;
    apr_array_header_t *todo, *next;
    ac_be_status st;
    int depth, bound = 0;
    const char *key = ac_ldap_dn_key(p, group);

    if (!key) {
        *reason = apr_psprintf(p, "\"%s\" is not an LDAP DN", group);
        return AC_BE_DENIED;
    }
    memset(&w, 0, sizeof(w));
    ac_ldap_call_init(&call, ctx, reason, p);
    w.call = &call;
    if ((st = find_user(&w, user)) != AC_BE_OK) {
        return st;
    }
    w.sub_attrs = sub_attrs(p, &ctx->conf);
    w.seen = apr_hash_make(p);
    apr_hash_set(w.seen, key, APR_HASH_KEY_STRING, "");
    todo = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(todo, const char *) = group;
    for (depth = 0; todo->nelts; depth++, todo = next) {
        next = apr_array_make(p, 4, sizeof(const char *));
        st = level(&w, todo, depth < ctx->conf.group_depth, next, &bound);
        if (st != AC_BE_DENIED) {
            return st;
        }
    }
    *reason = bound ? apr_psprintf(p, "not found in %s within %d groups: "
                                   "gave up", group, AC_LDAP_MAX_GROUPS)
                    : apr_psprintf(p, "not a member of %s (%d groups, "
                                   "nested %d deep at most, looked at)",
                                   group, w.examined,
                                   ctx->conf.group_depth);
    return AC_BE_DENIED;
}

ac_be_status ac_ldap_matches(ac_ldap_ctx *ctx, const char *user,
                             const char *filter, const char **reason,
                             apr_pool_t *p)
{
    ac_ldap_call call;
    ac_ldap_search s;
    ac_be_status st;
    const char *dn;

    ac_ldap_call_init(&call, ctx, reason, p);
    ac_ldap_search_init(&s, "user", ac_ldap_and_filter(&call, ctx->url.attr,
                                                       user, ""),
                        NULL, NULL);
    if ((st = ac_ldap_find_one(&call, &s)) != AC_BE_OK) {
        return st;
    }
    dn = s.dn;
    ac_ldap_search_init(&s, "user", filter, NULL, NULL);
    s.base = dn;
    s.scope = LDAP_SCOPE_BASE;
    s.sizelimit = 1;
    if ((st = ac_ldap_run(&call, AC_CONN_SEARCH, ac_ldap_op_search, &s))
        != AC_BE_OK) {
        return st;
    }
    if (s.count == 0) {
        *reason = apr_psprintf(p, "the entry does not match %s", filter);
        return AC_BE_DENIED;
    }
    return AC_BE_OK;
}
