/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
#include "ac_backend_dbm.h"
#include "ac_filewatch.h"
#include "ac_util.h"
#include "ac_defaults.h"

#include <stdlib.h>
#include <string.h>
#include <apr_dbm.h>
#include <apr_errno.h>
#include <apr_file_info.h>
#include <apr_hash.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>

/*
 * One open handle per back-end, shared by the threads of a process under
 * a mutex: opening a Berkeley DB costs ~75 µs, a fetch under a µs.  The
 * handle is re-opened when the file has changed, so edits (htchallenge,
 * htdbm) take effect at once.  Where the process has a file watcher
 * (ac_filewatch.h: inotify), a lookup takes in the queued events (one
 * non-blocking read, so an edit finished before the request counts)
 * and knows the file is unchanged without a stat(), which follows only
 * an event on it or runs once a second (for what inotify cannot see:
 * an edit from another machine on a network file system).  Without
 * one, every lookup stat()s the file.
 *
 * Records found are also kept in a small table of the handle's, for as
 * long as the handle is open (so an edit empties it like it re-opens
 * the handle): a hit costs a hash lookup, not Berkeley DB's page walk,
 * locks and buffer pool.  It holds what the handle's own page cache
 * holds, in the same process memory, never in shared memory; at
 * MEMO_MAX records it starts over.
 */
#define RECHECK apr_time_from_sec(1)
#define MEMO_MAX 1024
typedef struct {
    apr_time_t mtime, ctime;
    apr_off_t size;
    apr_ino_t ino;
} ac_dbm_stamp;

typedef struct {
    const char *path;
    const char *type;
    const char *used1, *used2;      /* the file(s) behind path          */
    apr_pool_t *pool;               /* the back-end's, long-lived       */
    apr_thread_mutex_t *lock;
    apr_pool_t *dbpool;             /* the open handle's                */
    apr_dbm_t *db;                  /* NULL: not open                   */
    apr_pool_t *memopool;
    apr_hash_t *memo;               /* key -> record found, or NULL     */
    ac_dbm_stamp stamp;             /* of the file when it was opened   */
    int watch_tried;
    ac_watched *watch;              /* NULL: stat() on every lookup     */
    apr_uint32_t seen;              /* its generation at the last stat  */
    apr_time_t checked;             /* when that stat was               */
    /* The costliest password hash seen in the file, checked against
     * for users it does not hold (docs/security.md, "Timing"). */
    char dummy[128];
    int dummy_cost;
} ac_dbm_ctx;

static const char *const known_types[] = {
    "default", "sdbm", "gdbm", "db", NULL
};

int ac_dbm_type_known(const char *type)
{
    int i;

    for (i = 0; known_types[i]; i++) {
        if (!strcasecmp(type, known_types[i])) {
            return 1;
        }
    }
    return 0;
}

static const char *apr_err(apr_pool_t *p, apr_status_t rv)
{
    char buf[256];

    return apr_pstrdup(p, apr_strerror(rv, buf, sizeof(buf)));
}

int ac_dbm_open(apr_dbm_t **db, apr_pool_t *p, const char *path,
                const char *type, int mode, const char **err)
{
    apr_status_t rv;

    if (!ac_dbm_type_known(type)) {
        *err = apr_psprintf(p, "unknown DBM type '%s' (use default, sdbm, "
                            "gdbm or db)", type);
        return 0;
    }
    rv = apr_dbm_open_ex(db, type, path, mode, APR_FPROT_UREAD
                         | APR_FPROT_UWRITE | APR_FPROT_GREAD, p);
    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot open DBM file %s as type %s: %s "
                            "(is it a DBM file of that type? "
                            "AuthChallengeDBMType names the type)",
                            path, type, apr_err(p, rv));
        return 0;
    }
    return 1;
}

/* The identity of the file(s) now; 0 when one cannot be stat()ed. */
static int stamp_of(const ac_dbm_ctx *ctx, ac_dbm_stamp *st, apr_pool_t *p)
{
    const char *names[2] = { ctx->used1, ctx->used2 };
    apr_finfo_t fi;
    int i;

    memset(st, 0, sizeof(*st));
    for (i = 0; i < 2 && names[i]; i++) {
        if (apr_stat(&fi, names[i], APR_FINFO_MTIME | APR_FINFO_CTIME
                     | APR_FINFO_SIZE | APR_FINFO_INODE, p) != APR_SUCCESS) {
            return 0;
        }
        st->mtime = fi.mtime > st->mtime ? fi.mtime : st->mtime;
        st->ctime = fi.ctime > st->ctime ? fi.ctime : st->ctime;
        st->size += fi.size;
        st->ino ^= fi.inode;
    }
    return 1;
}

static void forget(ac_dbm_ctx *ctx)
{
    ctx->memo = NULL;
    apr_pool_clear(ctx->memopool);
}

static void close_db(ac_dbm_ctx *ctx)
{
    if (ctx->db) {
        apr_dbm_close(ctx->db);
        ctx->db = NULL;
    }
    forget(ctx);
    apr_pool_clear(ctx->dbpool);
}

static apr_status_t cleanup_db(void *v)
{
    close_db(v);
    return APR_SUCCESS;
}

static void sample_costs(ac_dbm_ctx *ctx);

/* Under the lock: an open handle on the file as now (its stamp, taken
 * before the lock so that no thread waits on another's stat(); NULL when
 * it could not be stat()ed).  A stamp that lost a race with an edit only
 * costs one more re-open: the open always sees the file as it is. */
static int current_db(ac_dbm_ctx *ctx, const ac_dbm_stamp *now,
                      const char **reason, apr_pool_t *p)
{
    if (!now) {
        apr_dbm_t *db;

        close_db(ctx);
        *reason = apr_psprintf(p, "cannot stat DBM file %s", ctx->path);
        if (ac_dbm_open(&db, p, ctx->path, ctx->type, APR_DBM_READONLY,
                        reason)) {      /* else the open says why */
            apr_dbm_close(db);
        }
        return 0;
    }
    if (ctx->db && !memcmp(now, &ctx->stamp, sizeof(*now))) {
        return 1;
    }
    close_db(ctx);
    if (!ac_dbm_open(&ctx->db, ctx->dbpool, ctx->path, ctx->type,
                     APR_DBM_READONLY, reason)) {
        ctx->db = NULL;
        *reason = apr_pstrdup(p, *reason);
        return 0;
    }
    ctx->stamp = *now;
    sample_costs(ctx);
    return 1;
}

/* Under the lock, on the open handle. */
static ac_be_status fetch_open(ac_dbm_ctx *ctx, const char *key,
                               const char **value, const char **reason,
                               apr_pool_t *p)
{
    apr_datum_t k, v;
    apr_status_t rv;
    const char *known;

    if (ctx->memo
        && (known = apr_hash_get(ctx->memo, key, APR_HASH_KEY_STRING))) {
        *value = apr_pstrdup(p, known);
        return AC_BE_OK;
    }

    k.dptr = (char *)key;
    k.dsize = strlen(key);
    rv = apr_dbm_fetch(ctx->db, k, &v);
    if (rv != APR_SUCCESS) {
        *reason = apr_psprintf(p, "cannot read DBM file %s: %s",
                               ctx->path, apr_err(p, rv));
        close_db(ctx);
        return AC_BE_ERROR;
    }
    if (!v.dptr) {
        return AC_BE_NOT_FOUND;
    }
    *value = apr_pstrmemdup(p, v.dptr, v.dsize);
    if (ctx->memo && apr_hash_count(ctx->memo) >= MEMO_MAX) {
        forget(ctx);
    }
    if (!ctx->memo) {
        ctx->memo = apr_hash_make(ctx->memopool);
    }
    apr_hash_set(ctx->memo, apr_pstrdup(ctx->memopool, key),
                 APR_HASH_KEY_STRING, apr_pstrdup(ctx->memopool, *value));
    return AC_BE_OK;
}

/* Under the lock: whether the open handle is known to be on the file as
 * it is, without a stat().  Else *gen is the generation to remember once
 * the file has been stat()ed, *watched whether there is one; and after
 * an event on the file the handle is closed, to be opened again even if
 * the stat() looks the same (an edit of the same size within the
 * file system's timestamp granularity). */
static int known_current(ac_dbm_ctx *ctx, apr_time_t now,
                         apr_uint32_t *gen, int *watched)
{
    if (!ctx->watch_tried) {
        ctx->watch_tried = 1;
        ctx->watch = ac_filewatch_add(ctx->used1, ctx->used2, ctx->pool);
    }
    if (ctx->watch) {
        ac_filewatch_sync();        /* every edit finished by now counts */
    }
    *watched = ctx->watch && !ac_watched_lost(ctx->watch);
    if (!*watched) {
        return 0;
    }
    *gen = ac_watched_generation(ctx->watch);
    if (*gen != ctx->seen) {
        close_db(ctx);
        return 0;
    }
    return ctx->db && now >= ctx->checked && now - ctx->checked < RECHECK;
}

/* Fetch key; NOT_FOUND when absent, ERROR when the file is unusable. */
static ac_be_status fetch(ac_dbm_ctx *ctx, const char *key,
                          const char **value, const char **reason,
                          apr_pool_t *p)
{
    ac_be_status st = AC_BE_ERROR;
    ac_dbm_stamp stamp;
    apr_time_t now = apr_time_now();
    apr_uint32_t gen = 0;
    int watched, stat_ok;

    apr_thread_mutex_lock(ctx->lock);
    if (known_current(ctx, now, &gen, &watched)) {
        st = fetch_open(ctx, key, value, reason, p);
        apr_thread_mutex_unlock(ctx->lock);
        return st;
    }
    apr_thread_mutex_unlock(ctx->lock);

    stat_ok = stamp_of(ctx, &stamp, p);
    apr_thread_mutex_lock(ctx->lock);
    if (current_db(ctx, stat_ok ? &stamp : NULL, reason, p)) {
        if (watched) {
            ctx->seen = gen;
            ctx->checked = now;
        }
        st = fetch_open(ctx, key, value, reason, p);
    }
    apr_thread_mutex_unlock(ctx->lock);
    return st;
}

/* First field of a record: everything before the first ':'. */
static const char *first_field(apr_pool_t *p, const char *value)
{
    const char *colon = strchr(value, ':');

    return colon ? apr_pstrmemdup(p, value, colon - value) : value;
}

const char *ac_dbm_parse_user(apr_pool_t *p, const char *value,
                              apr_array_header_t **groups)
{
    const char *colon;
    char *list, *g, *last;

    if (groups) {
        *groups = apr_array_make(p, 4, sizeof(const char *));
        if ((colon = strchr(value, ':')) != NULL) {
            list = apr_pstrdup(p, colon + 1);
            if ((g = strchr(list, ':')) != NULL) {
                *g = '\0';         /* a comment field may follow      */
            }
            for (g = apr_strtok(list, ",", &last); g;
                 g = apr_strtok(NULL, ",", &last)) {
                APR_ARRAY_PUSH(*groups, const char *) = g;
            }
        }
    }
    return first_field(p, value);
}

const char *ac_dbm_parse_ha1(apr_pool_t *p, const char *value)
{
    value = first_field(p, value);
    return ac_is_hex(value, 0) ? ac_lower(p, value) : NULL;
}

/* A bcrypt hash of htchallenge's default cost (10), of a password no
 * one has: what an unknown user is checked against until the file has
 * shown a costlier hash. */
#define DUMMY_HASH "$2y$10$PaNLJRgvlmvWpQn2q9gW..AWPUaL09pTC.Y3ibAXgWrshRWjGfrfS"

/* How costly apr_password_validate is on hash, roughly ordered: bcrypt
 * by its cost, then SHA-crypt, MD5-crypt, the rest. */
static int hash_cost(const char *hash)
{
    if (!strncmp(hash, "$2y$", 4) || !strncmp(hash, "$2a$", 4)
        || !strncmp(hash, "$2b$", 4)) {
        return 100 + atoi(hash + 4);
    }
    if (!strncmp(hash, "$5$", 3) || !strncmp(hash, "$6$", 3)) {
        return 50;
    }
    return !strncmp(hash, "$apr1$", 6) ? 20 : 10;
}

/* Remember hash when it is the costliest seen (under no lock: a torn
 * read only makes one dummy check cheaper or dearer). */
static void remember_cost(ac_dbm_ctx *ctx, const char *hash)
{
    int cost = hash_cost(hash);

    if (cost > ctx->dummy_cost && strlen(hash) < sizeof(ctx->dummy)) {
        apr_thread_mutex_lock(ctx->lock);
        if (cost > ctx->dummy_cost) {
            strcpy(ctx->dummy, hash);
            ctx->dummy_cost = cost;
        }
        apr_thread_mutex_unlock(ctx->lock);
    }
}

/*
 * A user the file does not hold costs what a known one costs: the
 * password is checked against a hash as costly as the costliest the
 * file has shown (the first records are sampled when it is opened), so
 * that the time of a wrong password does not tell who has an account
 * (docs/security.md, "Timing").
 */
static void spend_like_a_user(ac_dbm_ctx *ctx, const char *password)
{
    char hash[sizeof(ctx->dummy)];

    apr_thread_mutex_lock(ctx->lock);
    strcpy(hash, ctx->dummy_cost ? ctx->dummy : DUMMY_HASH);
    apr_thread_mutex_unlock(ctx->lock);
    (void)apr_password_validate(password, hash);
}

/* Under the lock, on a freshly opened handle: the costliest password
 * hash among the first records (user records are the keys without ':'). */
#define SAMPLE 32
static void sample_costs(ac_dbm_ctx *ctx)
{
    apr_datum_t k, v;
    int i;

    if (apr_dbm_firstkey(ctx->db, &k) != APR_SUCCESS) {
        return;
    }
    for (i = 0; i < SAMPLE && k.dptr; i++) {
        if (!memchr(k.dptr, ':', k.dsize)
            && apr_dbm_fetch(ctx->db, k, &v) == APR_SUCCESS && v.dptr) {
            char *hash = apr_pstrmemdup(ctx->dbpool, v.dptr, v.dsize);
            char *colon = strchr(hash, ':');
            int cost;

            if (colon) {
                *colon = '\0';
            }
            cost = hash_cost(hash);
            if (cost > ctx->dummy_cost && strlen(hash) < sizeof(ctx->dummy)) {
                strcpy(ctx->dummy, hash);
                ctx->dummy_cost = cost;
            }
        }
        if (apr_dbm_nextkey(ctx->db, &k) != APR_SUCCESS) {
            break;
        }
    }
}

static ac_be_status dbm_check_password(void *vctx, const char *user,
                                       const char *password,
                                       const char **canon,
                                       const char **reason, apr_pool_t *p)
{
    ac_dbm_ctx *ctx = vctx;
    const char *value, *hash;
    ac_be_status st;

    st = fetch(ctx, ac_dbm_key_user(p, user), &value, reason, p);
    if (st == AC_BE_NOT_FOUND) {
        spend_like_a_user(ctx, password);
    }
    if (st != AC_BE_OK) {
        return st;
    }
    hash = ac_dbm_parse_user(p, value, NULL);
    remember_cost(ctx, hash);
    if (apr_password_validate(password, hash) != APR_SUCCESS) {
        *reason = "wrong password";
        return AC_BE_DENIED;
    }
    return AC_BE_OK;
}

/* The record itself: a cached verdict is trusted only while it is the
 * same (docs/security.md, "Credential cache"). */
static ac_be_status dbm_stamp(void *vctx, ac_stamp_kind kind,
                              const char *name, const char **out,
                              const char **reason, apr_pool_t *p)
{
    const char *key = kind == AC_STAMP_TOKEN ? ac_dbm_key_token(p, name)
                                             : ac_dbm_key_user(p, name);
    ac_be_status st = fetch(vctx, key, out, reason, p);

    if (st == AC_BE_NOT_FOUND) {
        *out = "";
        return AC_BE_OK;
    }
    return st;
}

static ac_be_status hex_record(ac_dbm_ctx *ctx, const char *key,
                               const char **hex, const char **reason,
                               apr_pool_t *p)
{
    const char *value;
    ac_be_status st = fetch(ctx, key, &value, reason, p);

    if (st != AC_BE_OK) {
        return st;
    }
    if (!(*hex = ac_dbm_parse_ha1(p, value))) {
        *reason = apr_psprintf(p, "malformed HA1 record in %s", ctx->path);
        return AC_BE_ERROR;
    }
    return AC_BE_OK;
}

static ac_be_status dbm_get_ha1(void *vctx, const char *user,
                                const char *realm, const char *alg,
                                const char **hex, const char **canon,
                                const char **reason, apr_pool_t *p)
{
    ac_dbm_ctx *ctx = vctx;
    ac_be_status st;

    if (!strcasecmp(alg, "MD5")) {
        st = hex_record(ctx, ac_dbm_key_ha1(p, user, realm, NULL), hex,
                        reason, p);
        if (st != AC_BE_NOT_FOUND) {
            return st;
        }
    }
    return hex_record(ctx, ac_dbm_key_ha1(p, user, realm, alg), hex,
                      reason, p);
}

static ac_be_status dbm_resolve_userhash(void *vctx, const char *hash,
                                         const char *realm,
                                         const char *alg,
                                         const char **user,
                                         const char **reason,
                                         apr_pool_t *p)
{
    return fetch(vctx, ac_dbm_key_userhash(p, alg, realm, ac_lower(p, hash)),
                 user, reason, p);
}

/* The group field of a user record ("<hash>:<group>,<group>[:comment]",
 * mod_authn_dbm's format) names group, exactly. */
static ac_be_status dbm_member_of(void *vctx, const char *user,
                                  const char *group, const char **reason,
                                  apr_pool_t *p)
{
    const char *value;
    apr_array_header_t *groups;
    ac_be_status st;
    int i;

    st = fetch(vctx, ac_dbm_key_user(p, user), &value, reason, p);
    if (st != AC_BE_OK) {
        return st;
    }
    ac_dbm_parse_user(p, value, &groups);
    for (i = 0; i < groups->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(groups, i, const char *), group)) {
            return AC_BE_OK;
        }
    }
    *reason = "not in the group";
    return AC_BE_DENIED;
}

int ac_dbm_parse_token(apr_pool_t *p, const char *value, ac_token *out)
{
    char *copy = apr_pstrdup(p, value), *bar1, *bar2, *end, *s, *last;
    apr_int64_t exp;

    bar1 = strchr(copy, '|');
    bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (!bar1 || !bar2 || bar1 == copy) {
        return 0;
    }
    *bar1 = *bar2 = '\0';
    exp = apr_strtoi64(bar1 + 1, &end, 10);
    /* seconds that apr_time_t's microseconds can hold */
    if (*end || end == bar1 + 1 || exp < 0
        || exp > apr_time_sec(APR_INT64_MAX)) {
        return 0;
    }
    out->user = copy;
    out->exp = exp ? apr_time_from_sec(exp) : 0;
    out->scopes = apr_array_make(p, 4, sizeof(const char *));
    for (s = apr_strtok(bar2 + 1, " ", &last); s;
         s = apr_strtok(NULL, " ", &last)) {
        APR_ARRAY_PUSH(out->scopes, const char *) = s;
    }
    return 1;
}

static ac_be_status dbm_lookup_token(void *vctx, const char *sha256_hex,
                                     ac_token *out, const char **reason,
                                     apr_pool_t *p)
{
    const char *value;
    ac_be_status st;

    st = fetch(vctx, ac_dbm_key_token(p, sha256_hex), &value, reason, p);
    if (st != AC_BE_OK) {
        return st;
    }
    if (!ac_dbm_parse_token(p, value, out)) {
        *reason = "malformed token record";
        return AC_BE_ERROR;
    }
    return AC_BE_OK;
}

const ac_backend *ac_backend_dbm_make(apr_pool_t *p, const char *path,
                                      const char *type)
{
    ac_backend *be = apr_pcalloc(p, sizeof(*be));
    ac_dbm_ctx *ctx = apr_pcalloc(p, sizeof(*ctx));

    ctx->path = apr_pstrdup(p, path);
    ctx->type = apr_pstrdup(p, type ? type : "default");
    ctx->pool = p;
    if (apr_dbm_get_usednames_ex(p, ctx->type, ctx->path, &ctx->used1,
                                 &ctx->used2) != APR_SUCCESS) {
        ctx->used1 = ctx->path;     /* unknown type: open reports it */
        ctx->used2 = NULL;
    }
    apr_thread_mutex_create(&ctx->lock, APR_THREAD_MUTEX_DEFAULT, p);
    apr_pool_create(&ctx->dbpool, p);
    apr_pool_create(&ctx->memopool, p);
    /* before p's subpools go: dbpool, and with it the handle, is one */
    apr_pool_pre_cleanup_register(p, ctx, cleanup_db);
    be->name = "dbm";
    be->ctx = ctx;
    be->scope = apr_pstrcat(p, "dbm\n", ctx->type, "\n", ctx->path, NULL);
    be->stamp = dbm_stamp;
    be->check_password = dbm_check_password;
    be->get_ha1 = dbm_get_ha1;
    be->resolve_userhash = dbm_resolve_userhash;
    be->member_of = dbm_member_of;
    be->lookup_token = dbm_lookup_token;
    return be;
}

/* ------------------------------------------------------------- kind */

static void *dbm_conf_create(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(ac_dbm_conf));
}

static void *dbm_conf_merge(apr_pool_t *p, const void *basev,
                            const void *addv)
{
    const ac_dbm_conf *base = basev, *add = addv;
    ac_dbm_conf *c = apr_pcalloc(p, sizeof(*c));

    c->file = add->file ? add->file : base->file;
    c->type = add->type ? add->type : base->type;
    return c;
}

static const char *dbm_type(const ac_dbm_conf *c)
{
    return c->type ? c->type : ac_default.dbm_type;
}

static const char *dbm_key(const void *conf, apr_pool_t *p)
{
    const ac_dbm_conf *c = conf;

    return c->file ? apr_pstrcat(p, "dbm\n", dbm_type(c), "\n", c->file,
                                 NULL) : NULL;
}

static const ac_backend *dbm_make(apr_pool_t *p, const void *conf,
                                  const char **err)
{
    const ac_dbm_conf *c = conf;

    *err = NULL;
    return ac_backend_dbm_make(p, c->file, dbm_type(c));
}

const ac_backend_kind ac_backend_kind_dbm = {
    "dbm",
    dbm_conf_create,
    dbm_conf_merge,
    dbm_key,
    dbm_make
};

const char *ac_dbm_key_user(apr_pool_t *p, const char *user)
{
    return user;
}

const char *ac_dbm_key_ha1(apr_pool_t *p, const char *user,
                           const char *realm, const char *alg)
{
    if (!alg) {
        return apr_pstrcat(p, user, ":", realm, NULL);
    }
    return apr_pstrcat(p, user, ":", realm, ":", alg, NULL);
}

const char *ac_dbm_key_userhash(apr_pool_t *p, const char *alg,
                                const char *realm, const char *hex)
{
    return apr_pstrcat(p, "userhash:", alg, ":", realm, ":", hex, NULL);
}

const char *ac_dbm_key_token(apr_pool_t *p, const char *sha256_hex)
{
    return apr_pstrcat(p, "bearer:", sha256_hex, NULL);
}
