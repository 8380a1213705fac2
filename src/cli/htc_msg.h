/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/* htchallenge: exit codes and messages on stderr. */
#ifndef HTC_MSG_H
#define HTC_MSG_H

#define EXIT_RUNTIME   1
#define EXIT_USAGE     2
#define EXIT_NO_USER   3

/* "htchallenge: <message>" on stderr, then exit(code); EXIT_USAGE adds
 * a pointer to -h. */
void htc_die(int code, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

/* "htchallenge: <message>" on stderr. */
void htc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
