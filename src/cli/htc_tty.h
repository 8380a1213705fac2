/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: password input from the terminal or standard input. */
#ifndef HTC_TTY_H
#define HTC_TTY_H

/* The password, in a static buffer: one line of standard input
 * (from_stdin) or read from /dev/tty with echo off, asked twice when
 * confirm is set.  Exits with EXIT_RUNTIME on any failure. */
const char *htc_read_password(int from_stdin, int confirm);
/* Refuses an empty password; warns about non-UTF-8 and bcrypt's
 * 72-byte limit. */
void htc_check_new_password(const char *pw);
/* Clears the password buffers (registered with atexit). */
void htc_wipe_passwords(void);

#endif
