/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * The DBM records of one user (docs/directives.md, "Record formats"), as htchallenge writes and
 * deletes them.  One table lists every record kind — the Basic record,
 * an HA1 per algorithm, the userhash index, opaque tokens — with a
 * writer (which records a given input yields) and an owner test (does
 * this key/value belong to a user): a new record kind is one table
 * entry.  Pure functions over strings; no file is touched here.
 */
#ifndef AC_RECORDS_H
#define AC_RECORDS_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "ac_hash.h"

/* One DBM record; both strings are stored without a trailing NUL. */
typedef struct {
    const char *kind;               /* "basic", "ha1", "userhash", ... */
    const char *key;
    const char *value;
} ac_record;

/* What the writers need; a writer whose inputs are NULL writes nothing. */
typedef struct {
    const char *user;
    const char *pw_hash;            /* bcrypt hash: the <user> record  */
    const char *user_tail;          /* ":groups[:comment]" or ""       */
    const char *realm;              /* HA1 and userhash records        */
    const char *password;           /* HA1 records                     */
    const ac_hash_alg *const *algs; /* NULL-terminated base algorithms */
    const char *token;              /* opaque Bearer token text        */
    apr_int64_t token_exp;          /* unix time, 0: never             */
    const char *token_scopes;       /* space-separated, may be ""      */
} ac_user_input;

/* The algorithms written when -a is not given: MD5, SHA-256,
 * SHA-512-256 (NULL-terminated). */
const ac_hash_alg *const *ac_records_default_algs(apr_pool_t *p);

/* Parse "MD5,SHA-256" into a NULL-terminated list of base algorithms
 * (duplicates dropped); NULL with *err set for an unknown or -sess
 * name or an empty list. */
const ac_hash_alg *const *ac_records_parse_algs(apr_pool_t *p,
                                                const char *list,
                                                const char **err);

/* Append (ac_record) every record that in yields to out.  NULL, or a
 * message (never holding a secret) when hashing fails. */
const char *ac_records_for_user(apr_pool_t *p, const ac_user_input *in,
                                apr_array_header_t *out);

/* Append (ac_record, key NULL) the LDAP attribute values of docs/ldap.md
 * for user in realm: kind "digest" with "<realm>:<ALG>:<hex HA1>" and
 * kind "userhash" with "<realm>:<ALG>:<hex userhash>", one per alg.
 * NULL, or a message when hashing fails. */
const char *ac_records_ldap_values(apr_pool_t *p, const char *user,
                                   const char *realm, const char *password,
                                   const ac_hash_alg *const *algs,
                                   apr_array_header_t *out);

/* The kind of record that key/value is for user, or NULL when it is no
 * record of user.  Keys starting "userhash:" or "bearer:" are matched
 * by their value only, so no user name can claim them by prefix. */
const char *ac_records_owner_kind(apr_pool_t *p, const char *key,
                                  const char *value, const char *user);

/* 1 when key/value is a Digest record (HA1 or userhash) of user for
 * exactly realm, with any base algorithm. */
int ac_records_in_realm(apr_pool_t *p, const char *key, const char *value,
                        const char *user, const char *realm);

/* The realm of an HA1 key of user ("<user>:<realm>[:<ALG>]"), or NULL
 * when key is not one. */
const char *ac_records_ha1_realm(apr_pool_t *p, const char *key,
                                 const char *user);

/* 1 when key is a plain user record: no ':' (what -l lists). */
int ac_records_is_user_key(const char *key);

/* User names that would make keys ambiguous ("userhash", "bearer"). */
int ac_records_user_reserved(const char *user);

/* NULL when s is a usable user name: non-empty, valid UTF-8, no ':'
 * and no control character; else the reason. */
const char *ac_records_check_user(const char *s);

/* The tail of a "<user>" record, put after the new hash: the fields
 * after the hash in old (NULL: no old record) — groups and comment — or,
 * when groups is not NULL, ":<groups>" plus old's comment field (just
 * "" when groups is "" and there is no comment). */
const char *ac_records_user_tail(apr_pool_t *p, const char *old,
                                 const char *groups);

#endif
