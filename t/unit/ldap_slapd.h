/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * A real slapd for the LDAP back-end's unit tests (t/ldap/slapd-ctl,
 * fixture t/ldap/fixture.ldif): ldap_slapd_setup starts it as a cmocka
 * group set-up, ldap_slapd_teardown stops it.  Run from the source tree
 * (make does); AC_LDAP_CTL overrides the path of slapd-ctl.  Every
 * function is static inline: each test file uses some of them.
 */
#ifndef AC_LDAP_SLAPD_H
#define AC_LDAP_SLAPD_H

#include "ac_test.h"
#include "ac_backend_ldap.h"
#include "ac_hash.h"
#include <apr_thread_proc.h>

#include <signal.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define REALM "LDAP Realm"
#define BASE "dc=example,dc=org"
#define READER "cn=reader," BASE

static char run_dir[] = "/tmp/ac-ldap-test-XXXXXX";
static char server[64];             /* ldap://127.0.0.1:PORT */
static apr_pool_t *gpool;
static const ac_backend *be;        /* as cn=reader, every attribute   */

static inline const char *ctl_path(void)
{
    const char *env = getenv("AC_LDAP_CTL");

    return env ? env : "t/ldap/slapd-ctl";
}

static inline int slapd_ctl(const char *cmd)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "%s %s %s >/dev/null", ctl_path(), cmd,
             run_dir);
    return system(buf);
}

static inline pid_t slapd_pid(void)
{
    char path[128];
    long pid = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/slapd.pid", run_dir);
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return (pid_t)pid;
}

/* Settings as the directives leave them when only URL, bind DN and
 * timeout are given (and the Digest, userhash and token attributes). */
static inline ac_ldap_conf conf(const char *url, const char *bind_dn,
                         apr_interval_time_t timeout)
{
    ac_ldap_conf c;

    memset(&c, 0, sizeof(c));
    c.url = url;
    c.bind_dn = bind_dn;
    c.bind_pw = bind_dn ? "reader-pw" : NULL;
    c.timeout = timeout;
    c.digest_attr = "acDigestHA1";
    c.userhash_attr = "acUserhash";
    c.token_attr = "acBearerToken";
    c.starttls = AC_UNSET;
    c.group_is_dn = c.group_depth = AC_UNSET;
    c.group_cache = AC_UNSET;
    return c;
}

static inline const ac_backend *make_conf(const ac_ldap_conf *c)
{
    const ac_backend *out;
    const char *err = ac_backend_ldap_make(gpool, c, &out);

    if (err) {
        fail_msg("make: %s", err);
    }
    return out;
}

static inline const ac_backend *make(const char *path, const char *bind_dn,
                              apr_interval_time_t timeout)
{
    ac_ldap_conf c = conf(apr_pstrcat(gpool, server, path, NULL), bind_dn,
                          timeout);

    return make_conf(&c);
}

static inline int ldap_slapd_setup(void **state)
{
    char path[128];
    int port = 0;
    FILE *f;

    apr_initialize();
    apr_pool_create(&gpool, NULL);
    /* slapd-ctl stops slapd when this process dies without teardown */
    snprintf(path, sizeof(path), "%ld", (long)getpid());
    setenv("SLAPD_CTL_OWNER", path, 1);
    if (!mkdtemp(run_dir) || slapd_ctl("start") != 0) {
        fprintf(stderr, "cannot start slapd with %s\n", ctl_path());
        return -1;
    }
    snprintf(path, sizeof(path), "%s/port", run_dir);
    if (!(f = fopen(path, "r")) || fscanf(f, "%d", &port) != 1) {
        return -1;
    }
    fclose(f);
    snprintf(server, sizeof(server), "ldap://127.0.0.1:%d", port);
    be = make("/" BASE, READER, 0);
    return 0;
}

static inline int ldap_slapd_teardown(void **state)
{
    char buf[256];

    slapd_ctl("stop");
    snprintf(buf, sizeof(buf), "rm -rf %s", run_dir);
    if (system(buf) != 0) {
        fprintf(stderr, "cannot remove %s\n", run_dir);
    }
    apr_pool_destroy(gpool);
    apr_terminate();
    return 0;
}

static inline ac_be_status check(const ac_backend *b, const char *user,
                          const char *pw, const char **reason,
                          apr_pool_t *p)
{
    *reason = NULL;
    return b->check_password(b->ctx, user, pw, NULL, reason, p);
}

/* 1 when slapd can be run here; else say why not (the tests skipped). */
static inline int ldap_slapd_usable(void)
{
    if (access("/usr/sbin/slapd", X_OK) != 0) {
        printf("SKIP: /usr/sbin/slapd not installed: LDAP integration "
               "tests not run (apt-get install slapd ldap-utils)\n");
        return 0;
    }
    return 1;
}

#endif
