/*
 * testutil.h - small conveniences shared by the Criterion suites.
 */
#ifndef DIALTONE_TEST_TESTUTIL_H
#define DIALTONE_TEST_TESTUTIL_H

/* The context's message, or "" when none was set (safe for strstr). */
#define MSG(ctx) ((ctx).msg ? (const char *)(ctx).msg : "")

#endif
