/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * htchallenge — the admin tool of mod_authchallenge (SPEC §8–10): users,
 * Digest HA1 and userhash records, opaque Bearer tokens in a DBM file;
 * server secrets; LDIF values for LDAP.  Links the core and APR only.
 *
 * Exit codes: 0 done; 1 runtime error or, with -v, a wrong password;
 * 2 usage error (bad option or argument); 3 no such user (-v, -D).
 * No password, hash or token ever goes to stderr; -T prints the token
 * once on stdout.
 */
#include "ac_backend_dbm.h"
#include "ac_hash.h"
#include "ac_records.h"
#include "ac_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <apr_base64.h>
#include <apr_dbm.h>
#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#define EXIT_RUNTIME   1
#define EXIT_USAGE     2
#define EXIT_NO_USER   3

#define PW_MAX         4096
#define BCRYPT_COST    10
#define TOKEN_BYTES    32
#define SECRET_BYTES   32
#define MAX_EXPIRY     (100LL * 366 * 86400)

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

typedef struct {
    char mode;              /* 'a'dd, 'D', 'l', 'v', 'T', 'S', 'L'  */
    char seen[32];          /* option letters given                 */
    int create;
    int stdin_pw;
    const char *type;
    const char *realm;
    const char *algs_text;
    const char *groups;
    const char *scopes;
    const char *expiry;
    const char *cost_text;
    const char *file;
    const char *user;
} options;

/* ------------------------------------------------------------ errors */

static void die(int code, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

static char pw1[PW_MAX + 1], pw2[PW_MAX + 1];

static void wipe(void)
{
    OPENSSL_cleanse(pw1, sizeof(pw1));
    OPENSSL_cleanse(pw2, sizeof(pw2));
}

static void die(int code, const char *fmt, ...)
{
    va_list ap;

    fputs("htchallenge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (code == EXIT_USAGE) {
        fputs("Try 'htchallenge -h' for help.\n", stderr);
    }
    exit(code);
}

/* A bad command line: the message, then the usage text. */
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

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
    va_list ap;

    fputs("htchallenge: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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

static void set_mode(options *o, int c)
{
    if (o->mode != 'a') {
        usage_error("options -%c and -%c cannot be combined", o->mode, c);
    }
    o->mode = (char)c;
}

static void take_option(options *o, int c, const char *arg)
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

static void check_combination(const options *o)
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

static void parse_args(options *o, int argc, char **argv)
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

/* ------------------------------------------------------------ arguments */

static void check_user_arg(const char *user, int writing)
{
    const char *why = ac_records_check_user(user);

    if (why) {
        die(EXIT_USAGE, "%s", why);
    }
    if (writing && ac_records_user_reserved(user)) {
        die(EXIT_USAGE, "the user name '%s' is reserved (its records "
            "would clash with the index keys)", user);
    }
}

static void check_text_arg(const char *what, const char *s, int empty_ok,
                           const char *forbidden)
{
    apr_size_t n = strlen(s);

    if (!n && !empty_ok) {
        die(EXIT_USAGE, "the %s is empty", what);
    }
    if (ac_has_ctl(s, n)) {
        die(EXIT_USAGE, "the %s contains a control character", what);
    }
    if (!ac_utf8_valid(s, n)) {
        die(EXIT_USAGE, "the %s is not valid UTF-8", what);
    }
    for (; forbidden && *forbidden; forbidden++) {
        if (strchr(s, *forbidden)) {
            die(EXIT_USAGE, "the %s contains '%c'", what, *forbidden);
        }
    }
}

static void check_groups(apr_pool_t *p, const char *groups)
{
    char *copy = apr_pstrdup(p, groups), *g, *next;

    check_text_arg("group list", groups, 1, ":");
    for (g = copy; *groups; g = next + 1) {
        next = strchr(g, ',');
        if (next) {
            *next = '\0';
        }
        if (!*g) {
            die(EXIT_USAGE, "empty group name in '%s'", groups);
        }
        if (!next) {
            break;
        }
    }
}

static const ac_hash_alg *const *algs_arg(apr_pool_t *p, const options *o)
{
    const ac_hash_alg *const *algs;
    const char *err = NULL;

    if (!o->algs_text) {
        return ac_records_default_algs(p);
    }
    algs = ac_records_parse_algs(p, o->algs_text, &err);
    if (!algs) {
        die(EXIT_USAGE, "%s", err);
    }
    return algs;
}

static long number_arg(const char *what, const char *s, long lo, long hi)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        die(EXIT_USAGE, "%s must be a number from %ld to %ld", what, lo,
            hi);
    }
    return (long)v;
}

/* RFC 6749 scope-token characters; '|' separates the record fields. */
static const char *scopes_arg(apr_pool_t *p, const char *s)
{
    apr_array_header_t *list = apr_array_make(p, 4, sizeof(char *));
    char *copy = apr_pstrdup(p, s), *tok, *last;
    const unsigned char *c;

    for (tok = apr_strtok(copy, " ", &last); tok;
         tok = apr_strtok(NULL, " ", &last)) {
        for (c = (const unsigned char *)tok; *c; c++) {
            if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\'
                || *c == '|') {
                die(EXIT_USAGE, "scope '%s' has a character that a scope "
                    "may not hold (RFC 6749 §3.3, or '|')", tok);
            }
        }
        APR_ARRAY_PUSH(list, char *) = tok;
    }
    return apr_array_pstrcat(p, list, ' ');
}

/* ------------------------------------------------------------ passwords */

static struct termios saved_tio;
static volatile sig_atomic_t tty_fd = -1;

static void restore_tty_on_signal(int sig)
{
    if (tty_fd >= 0) {
        tcsetattr(tty_fd, TCSAFLUSH, &saved_tio);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One line from fd into buf, without its LF or CRLF; -1 with *err. */
static int read_line(int fd, char *buf, const char **err)
{
    apr_size_t n = 0;
    ssize_t got;
    char c;

    while ((got = read(fd, &c, 1)) == 1 && c != '\n') {
        if (c == '\0') {
            *err = "the password contains a NUL byte";
            return -1;
        }
        if (n == PW_MAX) {
            *err = "the password is too long";
            return -1;
        }
        buf[n++] = c;
    }
    if (got < 0 || (got == 0 && n == 0)) {
        *err = got < 0 ? "cannot read the password" : "no password given";
        return -1;
    }
    if (n && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = '\0';
    return (int)n;
}

static int read_tty(int fd, const char *prompt, char *buf, const char **err)
{
    struct termios quiet;
    int n;

    fputs(prompt, stderr);
    fflush(stderr);
    quiet = saved_tio;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    tcsetattr(fd, TCSAFLUSH, &quiet);
    n = read_line(fd, buf, err);
    tcsetattr(fd, TCSAFLUSH, &saved_tio);
    return n;
}

static void hook_signals(void (*fn)(int))
{
    signal(SIGINT, fn);
    signal(SIGTERM, fn);
    signal(SIGHUP, fn);
    signal(SIGQUIT, fn);
}

/* The password into pw1: from stdin (-i) or the terminal, asked twice
 * when confirm is set. */
static void read_password(int from_stdin, int confirm)
{
    const char *err = NULL;
    int fd, n;

    if (from_stdin) {
        if (read_line(STDIN_FILENO, pw1, &err) < 0) {
            die(EXIT_RUNTIME, "%s on standard input", err);
        }
        return;
    }
    fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0 || tcgetattr(fd, &saved_tio) != 0) {
        die(EXIT_RUNTIME, "no terminal to read the password from (use -i "
            "to read it from standard input)");
    }
    tty_fd = fd;
    hook_signals(restore_tty_on_signal);
    n = read_tty(fd, confirm ? "New password: " : "Password: ", pw1, &err);
    if (n >= 0 && confirm) {
        n = read_tty(fd, "Re-type new password: ", pw2, &err);
        if (n >= 0 && strcmp(pw1, pw2)) {
            err = "the passwords do not match";
            n = -1;
        }
    }
    hook_signals(SIG_DFL);
    tty_fd = -1;
    close(fd);
    if (n < 0) {
        die(EXIT_RUNTIME, "%s", err);
    }
}

/* Checks for a password about to be stored. */
static void check_new_password(void)
{
    apr_size_t n = strlen(pw1);

    if (!n) {
        die(EXIT_RUNTIME, "empty password refused");
    }
    if (!ac_utf8_valid(pw1, n)) {
        note("warning: the password is not valid UTF-8; it works only "
             "where AuthChallengeCharset is Off");
    }
    if (n > 72) {
        note("warning: bcrypt uses only the first 72 bytes of a password");
    }
}

static void random_bytes(unsigned char *buf, int n)
{
    if (RAND_bytes(buf, n) != 1) {
        die(EXIT_RUNTIME, "OpenSSL cannot produce random bytes");
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
        die(EXIT_RUNTIME, "bcrypt hashing failed");
    }
    return apr_pstrdup(p, out);
}

/* ------------------------------------------------------------ DBM */

static int path_exists(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS;
}

/* Before the password prompt: FILE exists, or -c may create it. */
static void check_file(apr_pool_t *p, const options *o)
{
    const char *main_name = NULL, *other = NULL;

    if (!ac_dbm_type_known(o->type)) {
        die(EXIT_USAGE, "unknown DBM type '%s' (use default, sdbm, gdbm "
            "or db)", o->type);
    }
    apr_dbm_get_usednames_ex(p, o->type, o->file, &main_name, &other);
    if (!main_name || path_exists(p, main_name)) {
        return;
    }
    if (!o->create) {
        die(EXIT_RUNTIME, "%s: no such DBM file (use -c to create it)",
            main_name);
    }
    /* -c must not start a second database beside one of another type. */
    other = strcmp(main_name, o->file) ? o->file
            : apr_pstrcat(p, o->file, ".pag", NULL);
    if (path_exists(p, other)) {
        die(EXIT_RUNTIME, "%s exists but %s does not: is the file of "
            "another DBM type? (use -t)", other, main_name);
    }
}

static apr_dbm_t *open_dbm(apr_pool_t *p, const options *o, int mode)
{
    apr_dbm_t *db;
    const char *err;

    if (!ac_dbm_open(&db, p, o->file, o->type, mode, &err)) {
        die(EXIT_RUNTIME, "%s (is it a DBM file of type %s? -t names the "
            "type)", err, o->type);
    }
    return db;
}

static void dbm_fail(apr_dbm_t *db, const char *what)
    __attribute__((noreturn));

static void dbm_fail(apr_dbm_t *db, const char *what)
{
    char buf[256];

    die(EXIT_RUNTIME, "cannot %s the DBM file: %s", what,
        apr_dbm_geterror(db, NULL, buf, sizeof(buf)));
}

static apr_datum_t datum(const char *s)
{
    apr_datum_t d;

    d.dptr = (char *)s;
    d.dsize = strlen(s);
    return d;
}

static const char *fetch(apr_pool_t *p, apr_dbm_t *db, const char *key)
{
    apr_datum_t v;

    if (apr_dbm_fetch(db, datum(key), &v) != APR_SUCCESS) {
        dbm_fail(db, "read");
    }
    return v.dptr ? apr_pstrmemdup(p, v.dptr, v.dsize) : NULL;
}

static void store(apr_dbm_t *db, const char *key, const char *value)
{
    if (apr_dbm_store(db, datum(key), datum(value)) != APR_SUCCESS) {
        dbm_fail(db, "write");
    }
}

static void delete_key(apr_dbm_t *db, const char *key)
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
static apr_array_header_t *all_keys(apr_pool_t *p, apr_dbm_t *db)
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
static apr_array_header_t *all_records(apr_pool_t *p, apr_dbm_t *db)
{
    apr_array_header_t *keys = all_keys(p, db);
    apr_array_header_t *out = apr_array_make(p, keys->nelts + 1,
                                             sizeof(ac_record));
    ac_record *r;
    int i;

    for (i = 0; i < keys->nelts; i++) {
        r = apr_array_push(out);
        r->kind = NULL;
        r->key = APR_ARRAY_IDX(keys, i, const char *);
        r->value = fetch(p, db, r->key);
        r->value = r->value ? r->value : "";
    }
    return out;
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
static void replace_realm(apr_pool_t *p, apr_dbm_t *db, const options *o,
                          apr_array_header_t *new_records)
{
    apr_array_header_t *all = all_records(p, db);
    apr_array_header_t *others = apr_array_make(p, 4, sizeof(char *));
    const char *realm;
    ac_record *r;
    int i;

    for (i = 0; i < all->nelts; i++) {
        r = &APR_ARRAY_IDX(all, i, ac_record);
        if (o->realm && ac_records_in_realm(p, r->key, r->value, o->user,
                                            o->realm)) {
            if (!in_records(new_records, r->key)) {
                delete_key(db, r->key);
            }
        }
        else if ((realm = ac_records_ha1_realm(p, r->key, o->user))
                 && !in_strings(others, realm)) {
            APR_ARRAY_PUSH(others, const char *) = realm;
        }
    }
    for (i = 0; i < others->nelts; i++) {
        note("warning: the Digest records of realm \"%s\" were not "
             "updated and may hold an older password (use -r)",
             APR_ARRAY_IDX(others, i, const char *));
    }
}

/* Every argument of an add is checked before the password prompt. */
static unsigned int check_add_args(apr_pool_t *p, const options *o)
{
    check_user_arg(o->user, 1);
    if (o->realm) {
        check_text_arg("realm", o->realm, 0, NULL);
    }
    if (o->groups) {
        check_groups(p, o->groups);
    }
    if (!o->cost_text) {
        return BCRYPT_COST;
    }
    return (unsigned int)number_arg("the bcrypt cost", o->cost_text, 4, 31);
}

static void cmd_add(apr_pool_t *p, const options *o)
{
    ac_user_input in = { 0 };
    apr_array_header_t *records = apr_array_make(p, 8, sizeof(ac_record));
    const char *err, *old;
    apr_dbm_t *db;
    unsigned int cost = check_add_args(p, o);
    int i;

    in.algs = algs_arg(p, o);
    check_file(p, o);
    read_password(o->stdin_pw, 1);
    check_new_password();
    in.user = o->user;
    in.realm = o->realm;
    in.password = pw1;
    in.pw_hash = bcrypt_hash(p, pw1, cost);
    db = open_dbm(p, o, o->create ? APR_DBM_RWCREATE : APR_DBM_READWRITE);
    old = fetch(p, db, ac_dbm_key_user(p, o->user));
    in.user_tail = ac_records_user_tail(p, old, o->groups);
    if ((err = ac_records_for_user(p, &in, records)) != NULL) {
        die(EXIT_RUNTIME, "%s", err);
    }
    replace_realm(p, db, o, records);
    for (i = 0; i < records->nelts; i++) {
        store(db, APR_ARRAY_IDX(records, i, ac_record).key,
              APR_ARRAY_IDX(records, i, ac_record).value);
    }
    apr_dbm_close(db);
    note("%s user '%s' (%d record%s)", old ? "updated" : "added", o->user,
         records->nelts, records->nelts == 1 ? "" : "s");
}

/* ------------------------------------------------------------ delete */

static void cmd_delete(apr_pool_t *p, const options *o)
{
    apr_array_header_t *all;
    apr_dbm_t *db;
    ac_record *r;
    int i, n = 0;

    check_user_arg(o->user, 0);
    check_file(p, o);
    db = open_dbm(p, o, APR_DBM_READWRITE);
    all = all_records(p, db);
    for (i = 0; i < all->nelts; i++) {
        r = &APR_ARRAY_IDX(all, i, ac_record);
        if (ac_records_owner_kind(p, r->key, r->value, o->user)) {
            delete_key(db, r->key);
            n++;
        }
    }
    apr_dbm_close(db);
    if (!n) {
        die(EXIT_NO_USER, "user '%s' not found in %s", o->user, o->file);
    }
    note("deleted user '%s' (%d record%s)", o->user, n, n == 1 ? "" : "s");
}

/* ------------------------------------------------------------ list */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void cmd_list(apr_pool_t *p, const options *o)
{
    apr_array_header_t *keys, *names = apr_array_make(p, 64, sizeof(char *));
    apr_dbm_t *db;
    const char *key;
    int i;

    check_file(p, o);
    db = open_dbm(p, o, APR_DBM_READONLY);
    keys = all_keys(p, db);
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

static void cmd_verify(apr_pool_t *p, const options *o)
{
    const char *value, *colon;
    apr_dbm_t *db;
    int ok;

    check_user_arg(o->user, 0);
    check_file(p, o);
    db = open_dbm(p, o, APR_DBM_READONLY);
    value = fetch(p, db, ac_dbm_key_user(p, o->user));
    apr_dbm_close(db);
    if (!value) {
        die(EXIT_NO_USER, "user '%s' not found in %s", o->user, o->file);
    }
    colon = strchr(value, ':');
    if (colon) {
        value = apr_pstrmemdup(p, value, colon - value);
    }
    read_password(o->stdin_pw, 0);
    ok = apr_password_validate(pw1, value) == APR_SUCCESS;
    if (!ok) {
        die(EXIT_RUNTIME, "wrong password for user '%s'", o->user);
    }
    note("password for user '%s' is correct", o->user);
}

/* ------------------------------------------------------------ token */

static void cmd_token(apr_pool_t *p, const options *o)
{
    ac_user_input in = { 0 };
    apr_array_header_t *records = apr_array_make(p, 1, sizeof(ac_record));
    unsigned char raw[TOKEN_BYTES];
    const char *err;
    ac_record *r;
    apr_dbm_t *db;
    long secs = 0;

    check_user_arg(o->user, 1);
    in.token_scopes = o->scopes ? scopes_arg(p, o->scopes) : "";
    if (o->expiry) {
        secs = number_arg("the expiry", o->expiry, 1, MAX_EXPIRY);
    }
    check_file(p, o);
    random_bytes(raw, sizeof(raw));
    in.user = o->user;
    in.token = ac_base64url_encode(p, raw, sizeof(raw));
    in.token_exp = secs ? (apr_int64_t)time(NULL) + secs : 0;
    OPENSSL_cleanse(raw, sizeof(raw));
    if ((err = ac_records_for_user(p, &in, records)) != NULL) {
        die(EXIT_RUNTIME, "%s", err);
    }
    db = open_dbm(p, o, o->create ? APR_DBM_RWCREATE : APR_DBM_READWRITE);
    if (!fetch(p, db, ac_dbm_key_user(p, o->user))) {
        note("note: '%s' has no password record; the token alone "
             "authenticates as '%s'", o->user, o->user);
    }
    r = &APR_ARRAY_IDX(records, 0, ac_record);
    store(db, r->key, r->value);
    apr_dbm_close(db);
    printf("%s\n", in.token);
    fflush(stdout);
    OPENSSL_cleanse((char *)in.token, strlen(in.token));
}

/* ------------------------------------------------------------ secret */

static void cmd_secret(apr_pool_t *p, const options *o)
{
    unsigned char raw[SECRET_BYTES];
    char *text;
    int fd, ok;

    fd = open(o->file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0640);
    if (fd < 0) {
        die(EXIT_RUNTIME, errno == EEXIST
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
        die(EXIT_RUNTIME, "cannot write %s: %s", o->file, strerror(errno));
    }
    note("wrote a new secret to %s (mode 0640)", o->file);
}

/* ------------------------------------------------------------ LDIF */

/* RFC 2849 SAFE-STRING, else the value goes base64-encoded ("::"). */
static int ldif_safe(const char *s)
{
    const unsigned char *c = (const unsigned char *)s;
    apr_size_t n = strlen(s);

    if (n && (c[0] == ' ' || c[0] == ':' || c[0] == '<'
              || c[n - 1] == ' ')) {
        return 0;
    }
    for (; *c; c++) {
        if (*c >= 0x80 || *c == '\n' || *c == '\r') {
            return 0;
        }
    }
    return 1;
}

static void print_ldif(apr_pool_t *p, const char *attr, const char *value)
{
    char *b64;

    if (ldif_safe(value)) {
        printf("%s: %s\n", attr, value);
        return;
    }
    b64 = apr_palloc(p, apr_base64_encode_len((int)strlen(value)));
    apr_base64_encode(b64, value, (int)strlen(value));
    printf("%s:: %s\n", attr, b64);
}

static void cmd_ldif(apr_pool_t *p, const options *o)
{
    apr_array_header_t *values = apr_array_make(p, 8, sizeof(ac_record));
    const ac_hash_alg *const *algs;
    const char *err;
    ac_record *r;
    int i;

    check_user_arg(o->user, 0);
    check_text_arg("realm", o->realm, 0, NULL);
    algs = algs_arg(p, o);
    read_password(o->stdin_pw, 1);
    check_new_password();
    err = ac_records_ldap_values(p, o->user, o->realm, pw1, algs, values);
    if (err) {
        die(EXIT_RUNTIME, "%s", err);
    }
    printf("# replace the attribute names with those of "
           "AuthChallengeLDAPDigestAttribute / "
           "AuthChallengeLDAPUserhashAttribute\n");
    for (i = 0; i < values->nelts; i++) {
        r = &APR_ARRAY_IDX(values, i, ac_record);
        print_ldif(p, strcmp(r->kind, "digest") ? "authChallengeUserhash"
                   : "authChallengeDigest", r->value);
    }
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
    apr_pool_t *p;
    options o;

    parse_args(&o, argc, argv);
    if (apr_app_initialize(&argc, (const char *const **)&argv, NULL)
        != APR_SUCCESS || apr_pool_create(&p, NULL) != APR_SUCCESS) {
        die(EXIT_RUNTIME, "cannot initialise APR");
    }
    atexit(apr_terminate);
    atexit(wipe);
    switch (o.mode) {
    case 'a': cmd_add(p, &o); break;
    case 'D': cmd_delete(p, &o); break;
    case 'l': cmd_list(p, &o); break;
    case 'v': cmd_verify(p, &o); break;
    case 'T': cmd_token(p, &o); break;
    case 'S': cmd_secret(p, &o); break;
    case 'L': cmd_ldif(p, &o); break;
    }
    return 0;
}
