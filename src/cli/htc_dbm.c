/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: the DBM file — existence and type checks, open, and
 * record reads, writes and walks that exit on any DBM error. */
#include "htc_dbm.h"
#include "htc_msg.h"
#include "ac_backend_dbm.h"
#include "ac_records.h"

#include <string.h>

#include <apr_file_info.h>
#include <apr_strings.h>

static int path_exists(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS;
}

/* Before the password prompt: FILE exists, or -c may create it. */
void htc_check_file(apr_pool_t *p, const htc_options *o)
{
    const char *main_name = NULL, *other = NULL;

    if (!ac_dbm_type_known(o->type)) {
        htc_die(EXIT_USAGE, "unknown DBM type '%s' (use default, sdbm, gdbm "
                "or db)", o->type);
    }
    apr_dbm_get_usednames_ex(p, o->type, o->file, &main_name, &other);
    if (!main_name || path_exists(p, main_name)) {
        return;
    }
    if (!o->create) {
        htc_die(EXIT_RUNTIME, "%s: no such DBM file (use -c to create it)",
                main_name);
    }
    /* -c must not start a second database beside one of another type. */
    other = strcmp(main_name, o->file) ? o->file
            : apr_pstrcat(p, o->file, ".pag", NULL);
    if (path_exists(p, other)) {
        htc_die(EXIT_RUNTIME, "%s exists but %s does not: is the file of "
                "another DBM type? (use -t)", other, main_name);
    }
}

apr_dbm_t *htc_open_dbm(apr_pool_t *p, const htc_options *o, int mode)
{
    apr_dbm_t *db;
    const char *err;

    if (!ac_dbm_open(&db, p, o->file, o->type, mode, &err)) {
        htc_die(EXIT_RUNTIME, "%s (is it a DBM file of type %s? -t names the "
                "type)", err, o->type);
    }
    return db;
}

static void dbm_fail(apr_dbm_t *db, const char *what)
    __attribute__((noreturn));

static void dbm_fail(apr_dbm_t *db, const char *what)
{
    char buf[256];

    htc_die(EXIT_RUNTIME, "cannot %s the DBM file: %s", what,
            apr_dbm_geterror(db, NULL, buf, sizeof(buf)));
}

static apr_datum_t datum(const char *s)
{
    apr_datum_t d;

    d.dptr = (char *)s;
    d.dsize = strlen(s);
    return d;
}

const char *htc_fetch(apr_pool_t *p, apr_dbm_t *db, const char *key)
{
    apr_datum_t v;

    if (apr_dbm_fetch(db, datum(key), &v) != APR_SUCCESS) {
        dbm_fail(db, "read");
    }
    return v.dptr ? apr_pstrmemdup(p, v.dptr, v.dsize) : NULL;
}

void htc_store(apr_dbm_t *db, const char *key, const char *value)
{
    if (apr_dbm_store(db, datum(key), datum(value)) != APR_SUCCESS) {
        dbm_fail(db, "write");
    }
}

void htc_delete_key(apr_dbm_t *db, const char *key)
{
    if (apr_dbm_delete(db, datum(key)) != APR_SUCCESS) {
        dbm_fail(db, "delete a record of");
    }
}

/* One step of a key walk; sdbm reports the end of an empty file as
 * APR_EOF rather than a NULL key. */
static void walk_step(apr_dbm_t *db, apr_status_t rv, apr_datum_t *k)
{
    if (rv == APR_EOF) {
        k->dptr = NULL;
    }
    else if (rv != APR_SUCCESS) {
        dbm_fail(db, "read");
    }
}

/* Every key of the file, in DBM order. */
apr_array_header_t *htc_all_keys(apr_pool_t *p, apr_dbm_t *db)
{
    apr_array_header_t *out = apr_array_make(p, 64, sizeof(char *));
    apr_datum_t k;

    walk_step(db, apr_dbm_firstkey(db, &k), &k);
    while (k.dptr) {
        APR_ARRAY_PUSH(out, const char *) = apr_pstrmemdup(p, k.dptr,
                                                           k.dsize);
        walk_step(db, apr_dbm_nextkey(db, &k), &k);
    }
    return out;
}

/* Every record of the file (ac_record, kind NULL), read before any
 * change: DBMs do not allow changes during a key walk. */
apr_array_header_t *htc_all_records(apr_pool_t *p, apr_dbm_t *db)
{
    apr_array_header_t *keys = htc_all_keys(p, db);
    apr_array_header_t *out = apr_array_make(p, keys->nelts + 1,
                                             sizeof(ac_record));
    ac_record *r;
    int i;

    for (i = 0; i < keys->nelts; i++) {
        r = apr_array_push(out);
        r->kind = NULL;
        r->key = APR_ARRAY_IDX(keys, i, const char *);
        r->value = htc_fetch(p, db, r->key);
        r->value = r->value ? r->value : "";
    }
    return out;
}
