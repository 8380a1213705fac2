/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * Fuzz the DBM record formats (docs/architecture.md, docs/directives.md:
 * "<user>", "<user>:<realm>[:<ALG>]", "userhash:<ALG>:<realm>:<hex>",
 * "bearer:<hex>"): the parsers of record values, the owner and realm
 * tests htchallenge uses to find a user's records, the name and
 * algorithm-list checks.
 *
 * The whole input is one record value (and a user name, an algorithm
 * list); split at '\n' it is also key, value, user and realm.  When the
 * user is one htchallenge accepts, the records it would write for that
 * user and realm must be recognised as that user's again, each as the
 * kind written and in that realm, and a token record must parse back to
 * what was written.  Any defect aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "fuzz.h"
#include "ac_backend_dbm.h"
#include "ac_records.h"
#include "ac_util.h"

/* A token record value, as ac_dbm_parse_token gives it. */
static void check_token(apr_pool_t *p, const char *value)
{
    ac_token t, again;
    const char *scopes = "";
    int i;

    if (!ac_dbm_parse_token(p, value, &t)) {
        return;
    }
    CHECK(t.user && *t.user && !strchr(t.user, '|') && t.exp >= 0
          && t.scopes);
    for (i = 0; i < t.scopes->nelts; i++) {
        const char *s = APR_ARRAY_IDX(t.scopes, i, const char *);
        CHECK(*s && !strchr(s, ' '));
        scopes = apr_pstrcat(p, scopes, i ? " " : "", s, NULL);
    }
    /* written again the way htchallenge writes it: the same record */
    CHECK(ac_dbm_parse_token(p, apr_psprintf(p, "%s|%" APR_INT64_T_FMT
                                             "|%s", t.user,
                                             (apr_int64_t)apr_time_sec(t.exp),
                                             scopes), &again));
    CHECK(!strcmp(again.user, t.user) && again.exp == t.exp
          && again.scopes->nelts == t.scopes->nelts);
}

/* A "<user>" and an HA1 value, as the DBM back-end reads them. */
static void check_values(apr_pool_t *p, const char *value)
{
    apr_array_header_t *groups;
    const char *hash = ac_dbm_parse_user(p, value, &groups), *ha1;
    int i;

    CHECK(hash && !strchr(hash, ':'));
    CHECK(!strcmp(hash, ac_dbm_parse_user(p, value, NULL)));
    for (i = 0; i < groups->nelts; i++) {
        const char *g = APR_ARRAY_IDX(groups, i, const char *);
        CHECK(*g && !strchr(g, ',') && !strchr(g, ':'));
    }
    if ((ha1 = ac_dbm_parse_ha1(p, value)) != NULL) {
        CHECK(*ha1 && ac_is_hex(ha1, 0) && !strcmp(ha1, ac_lower(p, ha1)));
    }
}

static void check_names(apr_pool_t *p, const char *s)
{
    const ac_hash_alg *const *algs;
    const char *err = NULL;
    int i, j;

    if (!ac_records_check_user(s)) {
        CHECK(ac_records_is_user_key(s));
    }
    ac_records_user_reserved(s);
    if ((algs = ac_records_parse_algs(p, s, &err)) != NULL) {
        CHECK(algs[0]);
        for (i = 0; algs[i]; i++) {
            CHECK(!algs[i]->sess);
            for (j = 0; j < i; j++) {
                CHECK(algs[i] != algs[j]);
            }
        }
    }
    else {
        CHECK(err);
    }
    /* the tail kept after a new hash: what followed the old one */
    {
        const char *tail = ac_records_user_tail(p, s, NULL);
        const char *colon = strchr(s, ':');
        CHECK(colon ? !strcmp(tail, colon) : !*tail);
        tail = ac_records_user_tail(p, s, "g");
        CHECK(!strncmp(tail, ":g", 2));
    }
}

/* key/value/user from the input: what the owner tests say of them. */
static void check_owner(apr_pool_t *p, const char *key, const char *value,
                        const char *user, const char *realm)
{
    const char *kind = ac_records_owner_kind(p, key, value, user);
    const char *r = ac_records_ha1_realm(p, key, user);
    apr_size_t ulen = strlen(user);
    ac_token t;

    if (r) {
        CHECK(!strncmp(key, user, ulen) && key[ulen] == ':' && *r);
    }
    if (!kind) {
        return;
    }
    if (!strcmp(kind, "basic")) {
        CHECK(!strcmp(key, user));
    }
    else if (!strcmp(kind, "ha1")) {
        CHECK(r);
    }
    else if (!strcmp(kind, "userhash")) {
        CHECK(!strncmp(key, "userhash:", 9) && !strcmp(value, user));
    }
    else {
        CHECK(!strcmp(kind, "token") && !strncmp(key, "bearer:", 7)
              && ac_dbm_parse_token(p, value, &t) && !strcmp(t.user, user));
    }
    ac_records_in_realm(p, key, value, user, realm);
}

/* The records htchallenge writes for user in realm are user's again. */
static void check_written(apr_pool_t *p, const char *user, const char *realm,
                          const char *extra, apr_int64_t exp)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(ac_record));
    ac_user_input in;
    const char *err;
    ac_token t;
    int i;

    /* what htchallenge refuses (htc_args.c) is never written */
    if (ac_records_check_user(user) || ac_records_user_reserved(user)
        || !*realm || ac_has_ctl(realm, strlen(realm))
        || !ac_utf8_valid(realm, strlen(realm))) {
        return;
    }
    memset(&in, 0, sizeof(in));
    in.user = user;
    in.pw_hash = "$2y$05$abcdefghijklmnopqrstuu"
                 "5b1Hq7rIMFiGjBNWTz6mp9hbcsZ6Zu6";
    in.user_tail = ac_records_user_tail(p, extra, NULL);
    in.realm = realm;
    in.password = extra;
    in.algs = ac_records_default_algs(p);
    in.token = extra;
    in.token_exp = exp;
    in.token_scopes = "read write";
    err = ac_records_for_user(p, &in, out);
    if (strchr(user, '|')) {                /* no token record for it */
        CHECK(err);
        return;
    }
    CHECK(!err && out->nelts == 8);
    for (i = 0; i < out->nelts; i++) {
        const ac_record *rec = &APR_ARRAY_IDX(out, i, ac_record);
        const char *kind = ac_records_owner_kind(p, rec->key, rec->value,
                                                 user);

        CHECK(kind && !strcmp(kind, rec->kind));
        if (!strcmp(kind, "ha1") || !strcmp(kind, "userhash")) {
            CHECK(ac_records_in_realm(p, rec->key, rec->value, user,
                                      realm));
        }
        if (!strcmp(kind, "ha1")) {
            CHECK(ac_dbm_parse_ha1(p, rec->value));
        }
        if (!strcmp(kind, "basic")) {
            CHECK(!strcmp(ac_dbm_parse_user(p, rec->value, NULL),
                          in.pw_hash));
        }
        if (!strcmp(kind, "token")) {
            CHECK(ac_dbm_parse_token(p, rec->value, &t)
                  && !strcmp(t.user, user)
                  && apr_time_sec(t.exp) == exp && t.scopes->nelts == 2);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *in, *f[4] = { "", "", "", "" };
    char *copy, *nl, *s;
    int i;

    p = fuzz_pool();
    in = apr_pstrmemdup(p, (const char *)data, size);
    check_token(p, in);
    check_values(p, in);
    check_names(p, in);

    /* key \n value \n user \n realm */
    copy = apr_pstrdup(p, in);
    for (i = 0, s = copy; i < 4 && s; i++) {
        f[i] = s;
        if ((nl = strchr(s, '\n')) != NULL) {
            *nl = '\0';
        }
        s = nl ? nl + 1 : NULL;
    }
    check_owner(p, f[0], f[1], f[2], f[3]);
    check_token(p, f[1]);
    check_values(p, f[1]);
    check_written(p, f[2], f[3], f[0], (apr_int64_t)(size * 86400));
    apr_pool_destroy(p);
    return 0;
}
