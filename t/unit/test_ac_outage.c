/* Licensed under the Apache License, Version 2.0 (see LICENSE). */
/*
 * ac_outage: one error when an outage starts and one notice when it
 * ends, per process that saw it — damped while the thing flaps, and
 * told to a process that missed the end.
 */
#include "ac_test.h"
#include "ac_outage.h"

#define SEC(n) apr_time_from_sec(n)
#define MS(n) ((apr_time_t)(n) * 1000)
#define SETTLE AC_OUTAGE_SETTLE

static void one_process(void **state)
{
    ac_outage_shared sh = { 0 };
    ac_outage_local lo = { 0 };
    apr_time_t t = SEC(1000);

    assert_int_equal(ac_outage_answered(&sh, &lo, t, SETTLE),
                     AC_OUTAGE_QUIET);
    assert_int_equal(ac_outage_failed(&sh, &lo, t), AC_OUTAGE_START);
    assert_int_equal(ac_outage_failed(&sh, &lo, t + MS(2)),
                     AC_OUTAGE_ONGOING);
    /* a directory shutting down: answers between failures, ms apart */
    assert_int_equal(ac_outage_answered(&sh, &lo, t + MS(4), SETTLE),
                     AC_OUTAGE_QUIET);
    assert_int_equal(ac_outage_failed(&sh, &lo, t + MS(6)),
                     AC_OUTAGE_ONGOING);
    assert_int_equal(ac_outage_answered(&sh, &lo, t + MS(8), SETTLE),
                     AC_OUTAGE_QUIET);
    /* back for good: the first answer settled after the last failure */
    assert_int_equal(ac_outage_answered(&sh, &lo, t + SEC(2), SETTLE),
                     AC_OUTAGE_END);
    assert_int_equal(sh.ended, 1);
    assert_int_equal(sh.ended_at, 1002);
    assert_int_equal(ac_outage_answered(&sh, &lo, t + SEC(3), SETTLE),
                     AC_OUTAGE_QUIET);
    /* a second outage is a new one */
    assert_int_equal(ac_outage_failed(&sh, &lo, t + SEC(10)),
                     AC_OUTAGE_START);
}

/* A process that got no request while the outage ended (another one saw
 * the end) learns of it at its next request. */
static void missed_end(void **state)
{
    ac_outage_shared sh = { 0 };
    ac_outage_local a = { 0 }, b = { 0 };
    apr_time_t t = SEC(2000);

    assert_int_equal(ac_outage_failed(&sh, &a, t), AC_OUTAGE_START);
    assert_int_equal(ac_outage_failed(&sh, &b, t), AC_OUTAGE_START);
    assert_int_equal(ac_outage_answered(&sh, &b, t + SEC(5), SETTLE),
                     AC_OUTAGE_END);
    /* a second outage: a's first request fails */
    assert_int_equal(ac_outage_failed(&sh, &b, t + SEC(20)),
                     AC_OUTAGE_START);
    assert_int_equal(ac_outage_failed(&sh, &a, t + SEC(20)),
                     AC_OUTAGE_LATE_END_START);
    assert_int_equal(ac_outage_failed(&sh, &a, t + SEC(21)),
                     AC_OUTAGE_ONGOING);
    /* the end of the second one: a sees it itself, b learns later */
    assert_int_equal(ac_outage_answered(&sh, &a, t + SEC(30), SETTLE),
                     AC_OUTAGE_END);
    assert_int_equal(ac_outage_answered(&sh, &b, t + SEC(40), SETTLE),
                     AC_OUTAGE_LATE_END);
    assert_int_equal(ac_outage_answered(&sh, &b, t + SEC(41), SETTLE),
                     AC_OUTAGE_QUIET);
    assert_int_equal(sh.ended, 2);
}

/* An answer in a process that saw the start, after another saw the
 * end, within the settling time: the end is the other's, told now. */
static void late_end_while_settling(void **state)
{
    ac_outage_shared sh = { 0 };
    ac_outage_local a = { 0 }, b = { 0 };
    apr_time_t t = SEC(3000);

    ac_outage_failed(&sh, &a, t);
    ac_outage_failed(&sh, &b, t + SEC(3));
    assert_int_equal(ac_outage_answered(&sh, &a, t + SEC(2), SETTLE),
                     AC_OUTAGE_END);
    assert_int_equal(ac_outage_answered(&sh, &b, t + SEC(3) + MS(10),
                                        SETTLE), AC_OUTAGE_LATE_END);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        AC_TEST(one_process), AC_TEST(missed_end),
        AC_TEST(late_end_while_settling),
    };
    return cmocka_run_group_tests_name("ac_outage", tests, NULL, NULL);
}
