/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: reading a password from the terminal (echo off, the
 * terminal restored on a signal) or from one line of standard input
 * (-i), into static buffers wiped at exit. */
#include "htc_tty.h"
#include "htc_msg.h"
#include "ac_util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define PW_MAX         4096

static char pw1[PW_MAX + 1], pw2[PW_MAX + 1];

void htc_wipe_passwords(void)
{
    OPENSSL_cleanse(pw1, sizeof(pw1));
    OPENSSL_cleanse(pw2, sizeof(pw2));
}

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

/* The password, in a static buffer wiped at exit: from stdin (-i) or
 * the terminal, asked twice when confirm is set. */
const char *htc_read_password(int from_stdin, int confirm)
{
    const char *err = NULL;
    int fd, n;

    if (from_stdin) {
        if (read_line(STDIN_FILENO, pw1, &err) < 0) {
            htc_die(EXIT_RUNTIME, "%s on standard input", err);
        }
        return pw1;
    }
    fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0 || tcgetattr(fd, &saved_tio) != 0) {
        htc_die(EXIT_RUNTIME, "no terminal to read the password from "
                "(use -i to read it from standard input)");
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
        htc_die(EXIT_RUNTIME, "%s", err);
    }
    return pw1;
}

/* Checks for a password about to be stored. */
void htc_check_new_password(const char *pw)
{
    apr_size_t n = strlen(pw);

    if (!n) {
        htc_die(EXIT_RUNTIME, "empty password refused");
    }
    if (!ac_utf8_valid(pw, n)) {
        htc_note("warning: the password is not valid UTF-8; it works only "
                 "where AuthChallengeCharset is Off");
    }
    if (n > 72) {
        htc_note("warning: bcrypt uses only the first 72 bytes of a "
                 "password");
    }
}
