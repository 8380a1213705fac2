/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_filewatch: a generation per watched file that changes with every
 * edit (write, rename over, removal), not with edits of other files;
 * lost with its directory; nothing watched in a process that did not
 * enable it.  And the DBM back-end on top of it: edits seen at once
 * although lookups no longer stat() the file.
 *
 * Events reach the watcher thread a moment after the edit, so a test
 * waits for a change (up to 5 s: a bound on a hang, not a speed
 * claim).  "Unchanged" is checked after a later event on another
 * watched file has arrived: inotify keeps the order of events.
 */
#include "ac_test.h"
#include "ac_backend.h"
#include "ac_backend_dbm.h"
#include "ac_filewatch.h"

#include <apr_dbm.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static int dir_setup(void **state)
{
    ac_test_pool_setup(state);
    strcpy(dir, "/tmp/ac-fw-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        return -1;
    }
    return ac_test_pool_teardown(state);
}

#define FW_TEST(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)

static const char *in_dir(apr_pool_t *p, const char *name)
{
    return apr_pstrcat(p, dir, "/", name, NULL);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "a");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Wait until w's generation is no longer gen; 1 if it changed. */
static int changes(const ac_watched *w, apr_uint32_t gen)
{
    int i;

    for (i = 0; i < 5000; i++) {
        if (ac_watched_generation(w) != gen) {
            return 1;
        }
        pause_ms(1);
    }
    return 0;
}

static void edits_change_the_generation(void **state)
{
    apr_pool_t *p = *state;
    const char *f = in_dir(p, "users.db");
    ac_watched *w;
    apr_uint32_t g;

    put(f, "one\n");
    ac_filewatch_enable(p);
    w = ac_filewatch_add(f, NULL, p);
    assert_non_null(w);
    assert_false(ac_watched_lost(w));

    g = ac_watched_generation(w);
    put(f, "two\n");                            /* written in place */
    assert_true(changes(w, g));

    g = ac_watched_generation(w);
    put(in_dir(p, "users.db.new"), "three\n");  /* replaced by rename */
    assert_int_equal(rename(in_dir(p, "users.db.new"), f), 0);
    assert_true(changes(w, g));

    g = ac_watched_generation(w);
    assert_int_equal(chmod(f, 0600), 0);        /* attributes */
    assert_true(changes(w, g));

    g = ac_watched_generation(w);
    assert_int_equal(unlink(f), 0);             /* removed */
    assert_true(changes(w, g));

    g = ac_watched_generation(w);
    put(f, "four\n");                           /* created again */
    assert_true(changes(w, g));
    assert_false(ac_watched_lost(w));
}

/* A DBM of two files (sdbm: .dir and .pag): either one counts. */
/* ac_filewatch_sync: an edit that has finished counts at once, without
 * waiting for the watcher thread (a request right after htdbm exits
 * sees it, however busy the machine). */
static void sync_sees_finished_edits(void **state)
{
    apr_pool_t *p = *state;
    const char *f = in_dir(p, "users.db");
    ac_watched *w;
    apr_uint32_t g;
    int i;

    put(f, "one\n");
    ac_filewatch_enable(p);
    w = ac_filewatch_add(f, NULL, p);
    assert_non_null(w);
    for (i = 0; i < 200; i++) {
        g = ac_watched_generation(w);
        put(f, "more\n");
        ac_filewatch_sync();
        assert_int_not_equal(ac_watched_generation(w), g);
    }
    ac_filewatch_sync();                /* nothing queued: no change */
    g = ac_watched_generation(w);
    ac_filewatch_sync();
    assert_int_equal(ac_watched_generation(w), g);
}

static void two_files_one_watch(void **state)
{
    apr_pool_t *p = *state;
    const char *a = in_dir(p, "u.dir"), *b = in_dir(p, "u.pag");
    ac_watched *w;
    apr_uint32_t g;

    put(a, "");
    put(b, "");
    ac_filewatch_enable(p);
    w = ac_filewatch_add(a, b, p);
    assert_non_null(w);
    g = ac_watched_generation(w);
    put(b, "x");
    assert_true(changes(w, g));
    g = ac_watched_generation(w);
    put(a, "x");
    assert_true(changes(w, g));
    /* the two files of one DBM are in one directory */
    assert_null(ac_filewatch_add(a, "/tmp/elsewhere.pag", p));
}

static void other_files_do_not_count(void **state)
{
    apr_pool_t *p = *state;
    const char *f = in_dir(p, "users.db"), *g2 = in_dir(p, "groups.db");
    ac_watched *w, *sentinel;
    apr_uint32_t g, gs;

    put(f, "one\n");
    put(g2, "one\n");
    ac_filewatch_enable(p);
    w = ac_filewatch_add(f, NULL, p);
    sentinel = ac_filewatch_add(g2, NULL, p);
    assert_non_null(w);
    assert_non_null(sentinel);
    g = ac_watched_generation(w);
    gs = ac_watched_generation(sentinel);
    put(in_dir(p, "unrelated"), "x\n");
    put(in_dir(p, "users.db.bak"), "x\n");
    put(g2, "two\n");
    assert_true(changes(sentinel, gs));
    assert_int_equal(ac_watched_generation(w), g);
}

static void lost_with_its_directory(void **state)
{
    apr_pool_t *p = *state;
    const char *sub = in_dir(p, "sub");
    const char *f = apr_pstrcat(p, sub, "/users.db", NULL);
    ac_watched *w;
    apr_uint32_t g;
    int i;

    assert_int_equal(mkdir(sub, 0700), 0);
    put(f, "one\n");
    ac_filewatch_enable(p);
    w = ac_filewatch_add(f, NULL, p);
    assert_non_null(w);
    g = ac_watched_generation(w);
    assert_int_equal(rename(sub, in_dir(p, "sub.old")), 0);
    assert_true(changes(w, g));
    for (i = 0; i < 5000 && !ac_watched_lost(w); i++) {
        pause_ms(1);
    }
    assert_true(ac_watched_lost(w));
}

static void not_watched(void **state)
{
    apr_pool_t *p = *state;
    const char *f = in_dir(p, "users.db"), *l = in_dir(p, "link.db");
    pid_t pid;
    int status;

    put(f, "one\n");
    /* not enabled in this process yet */
    assert_null(ac_filewatch_add(f, NULL, p));
    ac_filewatch_enable(p);
    /* a symbolic link: its target can change with no event here */
    assert_int_equal(symlink(f, l), 0);
    assert_null(ac_filewatch_add(l, NULL, p));
    /* no directory */
    assert_null(ac_filewatch_add("/nonexistent-ac/users.db", NULL, p));
    assert_non_null(ac_filewatch_add(f, NULL, p));
    /* a fork has no watcher thread: it watches nothing until enabled */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(ac_filewatch_add(f, NULL, p) == NULL ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A watched file's pool goes before the watcher: no event reaches it. */
static void removed_with_its_pool(void **state)
{
    apr_pool_t *p = *state, *sub;
    const char *f = in_dir(p, "users.db"), *s = in_dir(p, "sentinel");
    ac_watched *w, *sentinel;
    apr_uint32_t gs;

    put(f, "one\n");
    put(s, "one\n");
    ac_filewatch_enable(p);
    apr_pool_create(&sub, p);
    w = ac_filewatch_add(f, NULL, sub);
    sentinel = ac_filewatch_add(s, NULL, p);
    assert_non_null(w);
    assert_non_null(sentinel);
    apr_pool_destroy(sub);
    gs = ac_watched_generation(sentinel);
    put(f, "two\n");
    put(s, "two\n");
    assert_true(changes(sentinel, gs));  /* and ASan saw no use of w */
}

/* ------------------------------------------- the DBM back-end on it */

static void store(apr_pool_t *p, const char *path, const char *key,
                  const char *value)
{
    apr_dbm_t *db;
    apr_datum_t k = { (char *)key, strlen(key) };
    apr_datum_t v = { (char *)value, value ? strlen(value) : 0 };

    assert_int_equal(apr_dbm_open_ex(&db, "default", path, APR_DBM_RWCREATE,
                                     APR_OS_DEFAULT, p), APR_SUCCESS);
    if (value) {
        assert_int_equal(apr_dbm_store(db, k, v), APR_SUCCESS);
    }
    else {
        assert_int_equal(apr_dbm_delete(db, k), APR_SUCCESS);
    }
    apr_dbm_close(db);
}

/* A DBM back-end on path, in a process with a watcher, and the test's
 * own view of the file's events (*probe), to know when the watcher has
 * had them; the probe is added first, as the watcher passes an event to
 * the newest watch first (the back-end's, from its first lookup). */
static const ac_backend *watched_dbm(apr_pool_t *p, const char *path,
                                     ac_watched **probe)
{
    ac_filewatch_enable(p);
    *probe = ac_filewatch_add(path, NULL, p);
    assert_non_null(*probe);
    return ac_backend_dbm_make(p, path, "default");
}

/* Store (or, with value NULL, delete) key, and wait until the watcher
 * has seen it. */
static void edit(apr_pool_t *p, const char *path, ac_watched *probe,
                 const char *key, const char *value)
{
    apr_uint32_t g = ac_watched_generation(probe);

    store(p, path, key, value);
    assert_true(changes(probe, g));
}

/* The handle is re-opened after any event on the file, even when the
 * edit leaves size and times as they were. */
static void dbm_edits_seen_at_once(void **state)
{
    apr_pool_t *p = *state;
    const char *path = in_dir(p, "users.dbm");
    const ac_backend *be;
    ac_watched *probe;
    const char *ha1 = NULL, *why = NULL;
    const char *h1 = "0123456789abcdef0123456789abcdef";
    const char *h2 = "fedcba9876543210fedcba9876543210";
    int round;

    store(p, path, "ann:R:MD5", h1);
    be = watched_dbm(p, path, &probe);
    assert_int_equal(be->get_ha1(be->ctx, "ann", "R", "MD5", &ha1, NULL, &why, p),
                     AC_BE_OK);
    assert_string_equal(ha1, h1);
    for (round = 0; round < 3; round++) {
        const char *want = round % 2 ? h1 : h2;

        edit(p, path, probe, "ann:R:MD5", want);
        assert_int_equal(be->get_ha1(be->ctx, "ann", "R", "MD5", &ha1, NULL, &why,
                                     p), AC_BE_OK);
        assert_string_equal(ha1, want);
    }
    edit(p, path, probe, "ann:R:MD5", NULL);
    assert_int_equal(be->get_ha1(be->ctx, "ann", "R", "MD5", &ha1, NULL, &why, p),
                     AC_BE_NOT_FOUND);
}

/* More users than the back-end keeps in memory (1024): each lookup
 * still finds its own record, and an edit reaches remembered ones. */
static void dbm_many_users(void **state)
{
    apr_pool_t *p = *state;
    const char *path = in_dir(p, "many.dbm");
    const ac_backend *be;
    ac_watched *probe;
    const char *ha1 = NULL, *why = NULL;
    apr_dbm_t *db;
    int i, pass;

    assert_int_equal(apr_dbm_open_ex(&db, "default", path, APR_DBM_RWCREATE,
                                     APR_OS_DEFAULT, p), APR_SUCCESS);
    for (i = 0; i < 1500; i++) {
        char *k = apr_psprintf(p, "u%d:R:MD5", i);
        char *v = apr_psprintf(p, "%032x", i);
        apr_datum_t kd = { k, strlen(k) }, vd = { v, strlen(v) };
        assert_int_equal(apr_dbm_store(db, kd, vd), APR_SUCCESS);
    }
    apr_dbm_close(db);
    be = watched_dbm(p, path, &probe);
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < 1500; i += 7) {
            assert_int_equal(be->get_ha1(be->ctx, apr_psprintf(p, "u%d", i),
                                         "R", "MD5", &ha1, NULL, &why, p),
                             AC_BE_OK);
            assert_string_equal(ha1, apr_psprintf(p, "%032x", i));
        }
    }
    assert_int_equal(be->get_ha1(be->ctx, "nobody", "R", "MD5", &ha1, NULL, &why,
                                 p), AC_BE_NOT_FOUND);
    edit(p, path, probe, "u7:R:MD5", "0123456789abcdef0123456789abcdef");
    assert_int_equal(be->get_ha1(be->ctx, "u7", "R", "MD5", &ha1, NULL, &why, p),
                     AC_BE_OK);
    assert_string_equal(ha1, "0123456789abcdef0123456789abcdef");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FW_TEST(not_watched),
        FW_TEST(edits_change_the_generation),
        FW_TEST(sync_sees_finished_edits),
        FW_TEST(two_files_one_watch),
        FW_TEST(other_files_do_not_count),
        FW_TEST(lost_with_its_directory),
        FW_TEST(removed_with_its_pool),
        FW_TEST(dbm_edits_seen_at_once),
        FW_TEST(dbm_many_users),
    };

    /* APR stays up between tests: apr-util loads its DBM driver once,
     * with a lock in APR's global pool, which apr_terminate would free */
    apr_initialize();

    return cmocka_run_group_tests(tests, NULL, NULL);
}
