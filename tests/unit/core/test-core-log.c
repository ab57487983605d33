/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Log channels: OWSK_DEBUG parsing and defaults, the line format, sinks, and whole-line writes
 * from concurrent threads through the default stderr sink. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "owsk_test.h"

static char got[8][4096];
static int n_got;

static void capture(const char *line, void *ctx)
{
    CHECK(ctx == (void *)0x1234);
    if (n_got < 8)
        snprintf(got[n_got], sizeof(got[0]), "%s", line);
    n_got++;
}

static void check_levels(int expect_all, int expect_driver)
{
    for (int i = 0; i < OWSK_CH_COUNT; i++)
        if (i != OWSK_CH_DRIVER)
            CHECK_INT(owsk_log_level[i], expect_all);
    CHECK_INT(owsk_log_level[OWSK_CH_DRIVER], expect_driver);
}

static void test_parse(void)
{
    CHECK(owsk_log_parse(NULL));
    check_levels(OWSK_LVL_WARN, OWSK_LVL_INFO);
    CHECK(owsk_log_parse(""));
    check_levels(OWSK_LVL_WARN, OWSK_LVL_INFO);

    CHECK(owsk_log_parse("wsk,ke:trace"));
    CHECK_INT(owsk_log_level[OWSK_CH_WSK], OWSK_LVL_TRACE);
    CHECK_INT(owsk_log_level[OWSK_CH_KE], OWSK_LVL_TRACE);
    CHECK_INT(owsk_log_level[OWSK_CH_IO], OWSK_LVL_WARN);
    CHECK_INT(owsk_log_level[OWSK_CH_DRIVER], OWSK_LVL_INFO);

    CHECK(owsk_log_parse("all:info"));
    check_levels(OWSK_LVL_INFO, OWSK_LVL_INFO);
    CHECK(owsk_log_parse("all:trace,-loop"));
    CHECK_INT(owsk_log_level[OWSK_CH_LOOP], OWSK_LVL_ERR);
    CHECK_INT(owsk_log_level[OWSK_CH_NMR], OWSK_LVL_TRACE);
    CHECK(owsk_log_parse("+io"));
    CHECK_INT(owsk_log_level[OWSK_CH_IO], OWSK_LVL_TRACE);
    CHECK(owsk_log_parse("trace"));
    check_levels(OWSK_LVL_TRACE, OWSK_LVL_TRACE);
    CHECK(owsk_log_parse("driver:err,WSK:Fixme,verifier:error"));
    CHECK_INT(owsk_log_level[OWSK_CH_DRIVER], OWSK_LVL_ERR);
    CHECK_INT(owsk_log_level[OWSK_CH_WSK], OWSK_LVL_FIXME);
    CHECK_INT(owsk_log_level[OWSK_CH_VERIFIER], OWSK_LVL_ERR);
    CHECK_INT(owsk_log_level[OWSK_CH_HOST], OWSK_LVL_WARN);

    /* Unknown items are ignored (and warned about); the rest applies. */
    n_got = 0;
    owsk_log_set_sink(capture, (void *)0x1234);
    CHECK(!owsk_log_parse("nosuch,rtl:trace"));
    CHECK_INT(owsk_log_level[OWSK_CH_RTL], OWSK_LVL_TRACE);
    CHECK_INT(n_got, 1);
    CHECK(strstr(got[0], "nosuch") != NULL);
    CHECK(!owsk_log_parse("wsk:loud"));
    CHECK_INT(owsk_log_level[OWSK_CH_WSK], OWSK_LVL_WARN);
    CHECK(!owsk_log_parse("-wsk:info"));
    owsk_log_set_sink(NULL, NULL);

    setenv("OWSK_DEBUG", "nmr:info", 1);
    owsk_log_init();
    CHECK_INT(owsk_log_level[OWSK_CH_NMR], OWSK_LVL_INFO);
    CHECK_INT(owsk_log_level[OWSK_CH_WSK], OWSK_LVL_WARN);
    unsetenv("OWSK_DEBUG");
    owsk_log_init();
    check_levels(OWSK_LVL_WARN, OWSK_LVL_INFO);

    CHECK_STR(owsk_log_channel_name(OWSK_CH_VERIFIER), "verifier");
    CHECK_STR(owsk_log_channel_name(OWSK_CH_DRIVER), "driver");
}

static void test_format(void)
{
    char big[3000];

    owsk_log_parse("all:trace");
    owsk_log_set_sink(capture, (void *)0x1234);
    n_got = 0;
    owsk_log(OWSK_CH_WSK, OWSK_LVL_WARN, "wsk_bind", "socket %p, status %s", (void *)0,
             "x");
    CHECK_INT(n_got, 1);
    CHECK_STR(got[0], "[wsk] wsk_bind: socket (nil), status x");
    OWSK_TRACE(OWSK_CH_KE, "irql %d", 2);
    CHECK_INT(n_got, 2);
    CHECK(strstr(got[1], "[ke] test_format: irql 2") == got[1]);
    owsk_log(OWSK_CH_DRIVER, OWSK_LVL_INFO, "DbgPrint", "echosrv: hello %d", 7);
    CHECK_STR(got[2], "echosrv: hello 7");
    owsk_log(OWSK_CH_HOST, OWSK_LVL_INFO, NULL, "plain");
    CHECK_STR(got[3], "[host] plain");

    /* Longer than any internal buffer: still one line, intact. */
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    owsk_log(OWSK_CH_IO, OWSK_LVL_ERR, "f", "%s|end", big);
    CHECK_INT(n_got, 5);
    CHECK_UINT(strlen(got[4]), strlen("[io] f: ") + sizeof(big) - 1 + 4);
    CHECK(strcmp(got[4] + strlen(got[4]) - 4, "|end") == 0);

    /* Filtering by level through the macros. */
    owsk_log_parse("loop:warn");
    OWSK_INFO(OWSK_CH_LOOP, "not shown");
    OWSK_TRACE(OWSK_CH_LOOP, "not shown");
    CHECK_INT(n_got, 5);
    OWSK_WARN(OWSK_CH_LOOP, "shown");
    CHECK_INT(n_got, 6);
    owsk_log_parse("loop:fixme");
    for (int i = 0; i < 3; i++)
        OWSK_FIXME(OWSK_CH_LOOP, "once %d", i);
    CHECK_INT(n_got, 7);
    owsk_log_set_sink(NULL, NULL);
    owsk_log_parse(NULL);
}

#define THREADS 4
#define PER_THREAD 300
static char xs[1000];

static void *writer(void *arg)
{
    long id = (long)arg;

    for (int i = 0; i < PER_THREAD; i++)
        owsk_log(OWSK_CH_HOST, OWSK_LVL_WARN, "writer", "t%ld n%d %.*s|", id, i,
                 (int)(i * 7 % 900), xs);
    return NULL;
}

/* The default sink: stderr, one write() per line, so concurrent lines never interleave. */
static void test_stderr_lines(void)
{
    char path[] = "/tmp/owsk-log-XXXXXX";
    int fd = mkstemp(path), saved = dup(STDERR_FILENO);
    pthread_t th[THREADS];
    FILE *f;
    char line[2048];
    int count = 0, bad = 0;

    CHECK(fd >= 0);
    if (fd < 0)
        return;
    unlink(path);
    fcntl(fd, F_SETFL, O_APPEND);
    dup2(fd, STDERR_FILENO);
    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, writer, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    dup2(saved, STDERR_FILENO);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    f = fdopen(fd, "r");
    while (fgets(line, sizeof(line), f)) {
        long t;
        int n, off = -1;
        count++;
        if (sscanf(line, "[host] writer: t%ld n%d %n", &t, &n, &off) != 2 || off < 0 ||
            strlen(line + off) != (size_t)(n * 7 % 900) + 2 ||
            strcmp(line + off + n * 7 % 900, "|\n") != 0)
            bad++;
    }
    fclose(f);
    CHECK_INT(count, THREADS * PER_THREAD);
    CHECK_INT(bad, 0);
}

int main(void)
{
    memset(xs, 'x', sizeof(xs) - 1);
    test_parse();
    test_format();
    test_stderr_lines();
    return t_done();
}
