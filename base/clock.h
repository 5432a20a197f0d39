/*
 * clock: the one monotonic clock of the program, for timeouts, back-off,
 * rates and durations.  Never the wall clock: a clock set backwards must
 * not stall a timeout.
 */
#ifndef BASE_CLOCK_H
#define BASE_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t clock_ms(void);
/* Seconds, with the fraction, on the same clock. */
double clock_s(void);

#endif
