/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge's operations on a DBM file (add, delete, list, verify,
 * token) and on a secret file. */
#include "htc_ops.h"
#include "htc_args.h"
#include "htc_dbm.h"
#include "htc_msg.h"
#include "htc_tty.h"
#include "ac_backend_dbm.h"
#include "ac_records.h"
#include "ac_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <apr_md5.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#define BCRYPT_COST    10
#define TOKEN_BYTES    32
#define SECRET_BYTES   32
#define MAX_EXPIRY     (100LL * 366 * 86400)

static void random_bytes(unsigned char *buf, int n)
{
    if (RAND_bytes(buf, n) != 1) {
        htc_die(EXIT_RUNTIME, "OpenSSL cannot produce random bytes");
    }
}

static const char *bcrypt_hash(apr_pool_t *p, const char *password,
                               unsigned int cost)
{
    unsigned char salt[16];
    char out[128];
    apr_status_t rv;

    random_bytes(salt, sizeof(salt));
    rv = apr_bcrypt_encode(password, cost, salt, sizeof(salt), out,
                           sizeof(out));
    if (rv != APR_SUCCESS) {
        htc_die(EXIT_RUNTIME, "bcrypt hashing failed");
    }
    return apr_pstrdup(p, out);
}

/* ------------------------------------------------------------ add */

static int in_records(apr_array_header_t *records, const char *key)
{
    int i;

    for (i = 0; i < records->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(records, i, ac_record).key, key)) {
            return 1;
        }
    }
    return 0;
}

static int in_strings(apr_array_header_t *list, const char *s)
{
    int i;

    for (i = 0; i < list->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(list, i, const char *), s)) {
            return 1;
        }
    }
    return 0;
}

/* With -r the user's Digest records of that realm become exactly the
 * new set (an HA1 left for an algorithm outside -a would keep the old
 * password); HA1 records of other realms are kept, with a warning. */
static void replace_realm(apr_pool_t *p, apr_dbm_t *db, const htc_options *o,
                          apr_array_header_t *new_records)
{
    apr_array_header_t *all = htc_all_records(p, db);
    apr_array_header_t *others = apr_array_make(p, 4, sizeof(char *));
    const char *realm;
    ac_record *r;
    int i;

    for (i = 0; i < all->nelts; i++) {
        r = &APR_ARRAY_IDX(all, i, ac_record);
        if (o->realm && ac_records_in_realm(p, r->key, r->value, o->user,
                                            o->realm)) {
            if (!in_records(new_records, r->key)) {
                htc_delete_key(db, r->key);
            }
        }
        else if ((realm = ac_records_ha1_realm(p, r->key, o->user))
                 && !in_strings(others, realm)) {
            APR_ARRAY_PUSH(others, const char *) = realm;
        }
    }
    for (i = 0; i < others->nelts; i++) {
        htc_note("warning: the Digest records of realm \"%s\" were not "
                 "updated and may hold an older password (use -r)",
                 APR_ARRAY_IDX(others, i, const char *));
    }
}

/* Every argument of an add is checked before the password prompt. */
static unsigned int check_add_args(apr_pool_t *p, const htc_options *o)
{
    htc_check_user_arg(o->user, 1);
    if (o->realm) {
        htc_check_text_arg("realm", o->realm, 0, NULL);
    }
    if (o->groups) {
        htc_check_groups(p, o->groups);
    }
    if (!o->cost_text) {
        return BCRYPT_COST;
    }
    return (unsigned int)htc_number_arg("the bcrypt cost", o->cost_text, 4, 31);
}

void htc_cmd_add(apr_pool_t *p, const htc_options *o)
{
    ac_user_input in = { 0 };
    apr_array_header_t *records = apr_array_make(p, 8, sizeof(ac_record));
    const char *err, *old, *pw;
    apr_dbm_t *db;
    unsigned int cost = check_add_args(p, o);
    int i;

    in.algs = htc_algs_arg(p, o);
    htc_check_file(p, o);
    pw = htc_read_password(o->stdin_pw, 1);
    htc_check_new_password(pw);
    in.user = o->user;
    in.realm = o->realm;
    in.password = pw;
    in.pw_hash = bcrypt_hash(p, pw, cost);
    db = htc_open_dbm(p, o, o->create ? APR_DBM_RWCREATE : APR_DBM_READWRITE);
    old = htc_fetch(p, db, ac_dbm_key_user(p, o->user));
    in.user_tail = ac_records_user_tail(p, old, o->groups);
    if ((err = ac_records_for_user(p, &in, records)) != NULL) {
        htc_die(EXIT_RUNTIME, "%s", err);
    }
    replace_realm(p, db, o, records);
    for (i = 0; i < records->nelts; i++) {
        htc_store(db, APR_ARRAY_IDX(records, i, ac_record).key,
                  APR_ARRAY_IDX(records, i, ac_record).value);
    }
    apr_dbm_close(db);
    htc_note("%s user '%s' (%d record%s)", old ? "updated" : "added", o->user,
             records->nelts, records->nelts == 1 ? "" : "s");
}

/* ------------------------------------------------------------ delete */

void htc_cmd_delete(apr_pool_t *p, const htc_options *o)
{
    apr_array_header_t *all;
    apr_dbm_t *db;
    ac_record *r;
    int i, n = 0;

    htc_check_user_arg(o->user, 0);
    htc_check_file(p, o);
    db = htc_open_dbm(p, o, APR_DBM_READWRITE);
    all = htc_all_records(p, db);
    for (i = 0; i < all->nelts; i++) {
        r = &APR_ARRAY_IDX(all, i, ac_record);
        if (ac_records_owner_kind(p, r->key, r->value, o->user)) {
            htc_delete_key(db, r->key);
            n++;
        }
    }
    apr_dbm_close(db);
    if (!n) {
        htc_die(EXIT_NO_USER, "user '%s' not found in %s", o->user, o->file);
    }
    htc_note("deleted user '%s' (%d record%s)", o->user, n, n == 1 ? "" : "s");
}

/* ------------------------------------------------------------ list */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void htc_cmd_list(apr_pool_t *p, const htc_options *o)
{
    apr_array_header_t *keys, *names = apr_array_make(p, 64, sizeof(char *));
    apr_dbm_t *db;
    const char *key;
    int i;

    htc_check_file(p, o);
    db = htc_open_dbm(p, o, APR_DBM_READONLY);
    keys = htc_all_keys(p, db);
    apr_dbm_close(db);
    for (i = 0; i < keys->nelts; i++) {
        key = APR_ARRAY_IDX(keys, i, const char *);
        if (ac_records_is_user_key(key)) {
            APR_ARRAY_PUSH(names, const char *) = key;
        }
    }
    qsort(names->elts, names->nelts, sizeof(char *), by_name);
    for (i = 0; i < names->nelts; i++) {
        printf("%s\n", APR_ARRAY_IDX(names, i, const char *));
    }
}

/* ------------------------------------------------------------ verify */

void htc_cmd_verify(apr_pool_t *p, const htc_options *o)
{
    const char *value, *colon, *pw;
    apr_dbm_t *db;
    int ok;

    htc_check_user_arg(o->user, 0);
    htc_check_file(p, o);
    db = htc_open_dbm(p, o, APR_DBM_READONLY);
    value = htc_fetch(p, db, ac_dbm_key_user(p, o->user));
    apr_dbm_close(db);
    if (!value) {
        htc_die(EXIT_NO_USER, "user '%s' not found in %s", o->user, o->file);
    }
    colon = strchr(value, ':');
    if (colon) {
        value = apr_pstrmemdup(p, value, colon - value);
    }
    pw = htc_read_password(o->stdin_pw, 0);
    ok = apr_password_validate(pw, value) == APR_SUCCESS;
    if (!ok) {
        htc_die(EXIT_RUNTIME, "wrong password for user '%s'", o->user);
    }
    htc_note("password for user '%s' is correct", o->user);
}

/* ------------------------------------------------------------ token */

void htc_cmd_token(apr_pool_t *p, const htc_options *o)
{
    ac_user_input in = { 0 };
    apr_array_header_t *records = apr_array_make(p, 1, sizeof(ac_record));
    unsigned char raw[TOKEN_BYTES];
    const char *err;
    ac_record *r;
    apr_dbm_t *db;
    long secs = 0;

    htc_check_user_arg(o->user, 1);
    in.token_scopes = o->scopes ? htc_scopes_arg(p, o->scopes) : "";
    if (o->expiry) {
        secs = htc_number_arg("the expiry", o->expiry, 1, MAX_EXPIRY);
    }
    htc_check_file(p, o);
    random_bytes(raw, sizeof(raw));
    in.user = o->user;
    in.token = ac_base64url_encode(p, raw, sizeof(raw));
    in.token_exp = secs ? (apr_int64_t)time(NULL) + secs : 0;
    OPENSSL_cleanse(raw, sizeof(raw));
    if ((err = ac_records_for_user(p, &in, records)) != NULL) {
        htc_die(EXIT_RUNTIME, "%s", err);
    }
    db = htc_open_dbm(p, o, o->create ? APR_DBM_RWCREATE : APR_DBM_READWRITE);
    if (!htc_fetch(p, db, ac_dbm_key_user(p, o->user))) {
        htc_note("note: '%s' has no password record; the token alone "
                 "authenticates as '%s'", o->user, o->user);
    }
    r = &APR_ARRAY_IDX(records, 0, ac_record);
    htc_store(db, r->key, r->value);
    apr_dbm_close(db);
    printf("%s\n", in.token);
    fflush(stdout);
    OPENSSL_cleanse((char *)in.token, strlen(in.token));
}

/* ------------------------------------------------------------ secret */

void htc_cmd_secret(apr_pool_t *p, const htc_options *o)
{
    unsigned char raw[SECRET_BYTES];
    char *text;
    int fd, ok;

    fd = open(o->file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0640);
    if (fd < 0) {
        htc_die(EXIT_RUNTIME, errno == EEXIST
                ? "%s exists; not overwritten (remove it first to change the "
              "secret: every nonce then becomes invalid)"
                : "cannot create %s", o->file);
    }
    random_bytes(raw, sizeof(raw));
    text = apr_pstrcat(p, ac_hex(p, raw, sizeof(raw)), "\n", NULL);
    OPENSSL_cleanse(raw, sizeof(raw));
    ok = fchmod(fd, 0640) == 0
         && write(fd, text, strlen(text)) == (ssize_t)strlen(text)
         && fsync(fd) == 0;
    OPENSSL_cleanse(text, strlen(text));
    if (close(fd) != 0 || !ok) {
        unlink(o->file);
        htc_die(EXIT_RUNTIME, "cannot write %s: %s", o->file, strerror(errno));
    }
    htc_note("wrote a new secret to %s (mode 0640)", o->file);
}
