/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * htchallenge — the admin tool of mod_authchallenge (docs/htchallenge.1): users,
 * Digest HA1 and userhash records, opaque Bearer tokens in a DBM file;
 * server secrets; LDIF values for LDAP.  Links the core and APR only.
 *
 * Exit codes: 0 done; 1 runtime error or, with -v, a wrong password;
 * 2 usage error (bad option or argument); 3 no such user (-v, -D).
 * No password, hash or token ever goes to stderr; -T prints the token
 * once on stdout.
 */
#include "htc_msg.h"
#include "htc_ops.h"
#include "htc_options.h"
#include "htc_tty.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>

static const char usage_text[] =
"Usage:\n"
"  htchallenge [-c] [-t type] [-r realm] [-a alg,...] [-g groups] [-C cost]\n"
"              [-i] FILE USER      add a user or set the password\n"
"  htchallenge -D [-t type] FILE USER  delete every record of USER\n"
"  htchallenge -l [-t type] FILE       list users (never hashes)\n"
"  htchallenge -v [-t type] [-i] FILE USER  verify a password\n"
"  htchallenge -T [-c] [-t type] [-s \"scopes\"] [-e seconds] FILE USER\n"
"                 issue an opaque Bearer token, print it once,\n"
"                 store only its hash\n"
"  htchallenge -S SECRETFILE           write a new server secret\n"
"  htchallenge -L -r realm [-a alg,...] [-i] USER\n"
"                 print the LDAP attribute values for USER\n"
"\n"
"  -c        create FILE if it does not exist (an existing file is\n"
"            updated, never truncated); without -c FILE must exist\n"
"  -t type   DBM type: default, sdbm, gdbm or db (default: default)\n"
"  -r realm  also write Digest HA1 and userhash records for realm;\n"
"            the user's records of other realms are kept\n"
"  -a algs   MD5, SHA-256, SHA-512-256, comma-separated (default: all\n"
"            three); limits both HA1 and userhash records\n"
"  -g groups comma-separated groups, replacing the user's groups\n"
"            (\"\" removes them); kept when -g is not given\n"
"  -C cost   bcrypt cost, 4 to 31 (default 10)\n"
"  -i        read the password from one line of standard input\n"
"            instead of the terminal\n"
"  -s scopes space-separated scopes of the token\n"
"  -e secs   the token expires after secs seconds (default: never)\n"
"  -S        refuses to overwrite SECRETFILE; writes 64 hex digits\n"
"            and a newline, mode 0640\n"
"  -h        this help\n"
"\n"
"Exit status: 0 done, 1 error or wrong password (-v), 2 usage error,\n"
"3 no such user (-v, -D).\n";

static void usage_error(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("htchallenge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    fputs(usage_text, stderr);
    exit(EXIT_USAGE);
}

/* ------------------------------------------------------------ options */

/* Options each mode accepts, besides the mode letter itself. */
static const char *allowed_options(char mode)
{
    switch (mode) {
    case 'a': return "ctragiC";
    case 'D': return "t";
    case 'l': return "t";
    case 'v': return "ti";
    case 'T': return "ctse";
    case 'S': return "";
    case 'L': return "rai";
    }
    return "";
}

static int wanted_args(char mode)
{
    return (mode == 'l' || mode == 'S' || mode == 'L') ? 1 : 2;
}

static void set_mode(htc_options *o, int c)
{
    if (o->mode != 'a') {
        usage_error("options -%c and -%c cannot be combined", o->mode, c);
    }
    o->mode = (char)c;
}

static void take_option(htc_options *o, int c, const char *arg)
{
    switch (c) {
    case 'c': o->create = 1; break;
    case 'i': o->stdin_pw = 1; break;
    case 't': o->type = arg; break;
    case 'r': o->realm = arg; break;
    case 'a': o->algs_text = arg; break;
    case 'g': o->groups = arg; break;
    case 's': o->scopes = arg; break;
    case 'e': o->expiry = arg; break;
    case 'C': o->cost_text = arg; break;
    case 'h': fputs(usage_text, stdout); exit(0);
    case 'D': case 'l': case 'v': case 'T': case 'S': case 'L':
        set_mode(o, c);
        return;
    default:
        usage_error("unknown option -%c", c);
    }
    if (strchr(o->seen, c)) {
        usage_error("option -%c given twice", c);
    }
    o->seen[strlen(o->seen)] = (char)c;
}

static void check_combination(const htc_options *o)
{
    const char *ok = allowed_options(o->mode);
    const char *c;

    for (c = o->seen; *c; c++) {
        if (!strchr(ok, *c)) {
            if (o->mode == 'a') {
                usage_error("option -%c does not apply when adding a user",
                            *c);
            }
            usage_error("option -%c does not apply to -%c", *c, o->mode);
        }
    }
    if (o->mode == 'a' && o->algs_text && !o->realm) {
        usage_error("option -a needs -r realm");
    }
    if (o->mode == 'L' && !o->realm) {
        usage_error("-L needs -r realm");
    }
}

static void parse_args(htc_options *o, int argc, char **argv)
{
    int c, n;

    memset(o, 0, sizeof(*o));
    o->mode = 'a';
    o->type = "default";
    opterr = 0;
    while ((c = getopt(argc, argv, "+hcDlvTSLit:r:a:g:s:e:C:")) != -1) {
        if (c == '?' || c == ':') {
            usage_error("%s -%c", strchr("traseCg", optopt)
                        ? "missing argument for option" : "unknown option",
                        optopt);
        }
        take_option(o, c, optarg);
    }
    check_combination(o);
    n = wanted_args(o->mode);
    if (argc - optind != n) {
        usage_error("expected %s, got %d argument%s",
            n == 2 ? "FILE USER" : o->mode == 'L' ? "USER"
            : o->mode == 'S' ? "SECRETFILE" : "FILE",
            argc - optind, argc - optind == 1 ? "" : "s");
    }
    if (o->mode == 'L') {
        o->user = argv[optind];
    }
    else {
        o->file = argv[optind];
        o->user = n == 2 ? argv[optind + 1] : NULL;
    }
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    apr_pool_t *p;
    htc_options o;

    parse_args(&o, argc, argv);
    if (apr_app_initialize(&argc, (const char *const **)&argv, NULL)
        != APR_SUCCESS || apr_pool_create(&p, NULL) != APR_SUCCESS) {
        htc_die(EXIT_RUNTIME, "cannot initialise APR");
    }
    atexit(apr_terminate);
    atexit(htc_wipe_passwords);
    switch (o.mode) {
    case 'a': htc_cmd_add(p, &o); break;
    case 'D': htc_cmd_delete(p, &o); break;
    case 'l': htc_cmd_list(p, &o); break;
    case 'v': htc_cmd_verify(p, &o); break;
    case 'T': htc_cmd_token(p, &o); break;
    case 'S': htc_cmd_secret(p, &o); break;
    case 'L': htc_cmd_ldif(p, &o); break;
    }
    return 0;
}
