/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskhost's shutdown contract: on SIGTERM it unloads its drivers in reverse load order (the
 * last loaded, udpecho, is stopped completely before echosrv's DriverUnload starts), and on
 * SIGINT with a DriverUnload that overruns --unload-timeout it names the driver and the
 * deadline, still unloads the others, and exits non-zero long before the stuck wait ends. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static const char *module(const char *env, const char *rel, char *buf, size_t len)
{
    const char *v = getenv(env), *root = getenv("OWSK_BUILD_ROOT");

    if (v && *v)
        return v;
    snprintf(buf, len, "%s/%s", root ? root : ".", rel);
    return buf;
}

/* Offset of needle in the host's captured stderr, or -1. */
static long log_pos(struct e2e_host *h, const char *needle)
{
    const char *at;
    long pos;

    pthread_mutex_lock(&h->lock);
    at = h->log ? strstr(h->log, needle) : NULL;
    pos = at ? (long)(at - h->log) : -1;
    pthread_mutex_unlock(&h->lock);
    return pos;
}

/* needle_a appears, and before needle_b (which appears too). */
static void check_before(struct e2e_host *h, const char *needle_a, const char *needle_b)
{
    long a = log_pos(h, needle_a), b = log_pos(h, needle_b);

    if (a < 0 || b < 0 || a >= b)
        e2e_fail(__FILE__, __LINE__, "\"%s\" (at %ld) should come before \"%s\" (at %ld)", needle_a,
                 a, needle_b, b);
}

static void check_reverse_order(const char *udpecho)
{
    struct e2e_host h;
    const char *argv[] = {"--control",
                          NULL,
                          "--unload-timeout",
                          "10",
                          "--param",
                          "echosrv:Port=0",
                          "--param",
                          "udpecho:Port=0",
                          e2e_echosrv(),
                          udpecho,
                          NULL};
    uint64_t t;
    int rc;

    E2E_CHECK_INT(e2e_host_init(&h), 0);
    argv[1] = h.ctl;
    E2E_CHECK_INT(e2e_host_spawn(&h, argv), 0);
    if (!e2e_host_wait_log(&h, "wskhost: ready: echosrv, udpecho", 60000)) {
        e2e_fail(__FILE__, __LINE__, "the host with echosrv and udpecho did not become ready");
        e2e_host_wait(&h, SIGKILL, 5000);
        e2e_host_dump(&h);
        e2e_host_free(&h);
        return;
    }
    t = e2e_now_ms();
    rc = e2e_host_wait(&h, SIGTERM, 30000);
    fprintf(stderr, "SIGTERM: host exited %d after %llu ms\n", rc,
            (unsigned long long)(e2e_now_ms() - t));
    E2E_CHECK_INT(rc, 0);
    E2E_CHECK(e2e_now_ms() - t < 10000);
    E2E_CHECK(log_pos(&h, "wskhost: Terminated: unloading echosrv, udpecho") >= 0);
    /* Reverse load order, one driver at a time: udpecho is loaded last, so it stops first
     * and finishes before echosrv's DriverUnload begins. */
    check_before(&h, "wskhost: Terminated: unloading", "udpecho: stopping");
    check_before(&h, "udpecho: stopping", "udpecho: stopped (");
    check_before(&h, "udpecho: stopped (", "echosrv: stopping (");
    check_before(&h, "echosrv: stopping (", "echosrv: stopped (");
    check_before(&h, "echosrv: stopped (", "wskhost: stopped");
    E2E_CHECK(log_pos(&h, "did not finish") < 0);
    E2E_CHECK(log_pos(&h, "left behind") < 0);
    if (e2e_failures)
        e2e_host_dump(&h);
    e2e_host_free(&h);
}

static void check_deadline_overrun(const char *stuck)
{
    struct e2e_host h;
    const char *argv[] = {"--control",   NULL,      "--unload-timeout",
                          "1",           "--param", "echosrv:Port=0",
                          e2e_echosrv(), stuck,     NULL};
    int failures = e2e_failures;
    uint64_t t, took;
    int rc;

    E2E_CHECK_INT(e2e_host_init(&h), 0);
    argv[1] = h.ctl;
    E2E_CHECK_INT(e2e_host_spawn(&h, argv), 0);
    if (!e2e_host_wait_log(&h, "wskhost: ready: echosrv, stuckunload", 60000)) {
        e2e_fail(__FILE__, __LINE__, "the host with stuckunload did not become ready");
        e2e_host_wait(&h, SIGKILL, 5000);
        e2e_host_dump(&h);
        e2e_host_free(&h);
        return;
    }
    E2E_CHECK(e2e_host_log_has(&h, "stuckunload: started"));
    t = e2e_now_ms();
    /* The stuck DriverUnload waits 30 s; the host must give up after its 1 s deadline. */
    rc = e2e_host_wait(&h, SIGINT, 20000);
    took = e2e_now_ms() - t;
    fprintf(stderr, "SIGINT with a stuck DriverUnload: host exited %d after %llu ms\n", rc,
            (unsigned long long)took);
    E2E_CHECK_INT(rc, 1);
    E2E_CHECK(took >= 1000);
    E2E_CHECK(took < 15000);
    E2E_CHECK(log_pos(&h, "wskhost: Interrupt: unloading echosrv, stuckunload") >= 0);
    /* One clear line naming the driver and the deadline. */
    E2E_CHECK(log_pos(&h, "wskhost: stuckunload: DriverUnload did not finish within the 1000 ms "
                          "unload deadline") >= 0);
    /* The stuck driver is first (reverse order); the host still unloads echosrv after it. */
    check_before(&h, "stuckunload: unloading: waiting",
                 "did not finish within the 1000 ms unload deadline");
    check_before(&h, "did not finish within the 1000 ms unload deadline", "echosrv: stopped (");
    check_before(&h, "echosrv: stopped (", "wskhost: exiting with a driver still unloading");
    E2E_CHECK(log_pos(&h, "echosrv: left behind") < 0);
    /* The host did not sit out the driver's 30 s wait. */
    E2E_CHECK(log_pos(&h, "unload wait ended") < 0);
    E2E_CHECK(log_pos(&h, "wskhost: stopped") < 0);
    if (e2e_failures != failures)
        e2e_host_dump(&h);
    e2e_host_free(&h);
}

int main(void)
{
    char udp_buf[512], stuck_buf[512];
    const char *udpecho =
        module("OWSK_UDPECHO", "samples/udpecho/udpecho.so", udp_buf, sizeof(udp_buf));
    const char *stuck = module("OWSK_STUCKUNLOAD", "tests/integration/stuckunload.so", stuck_buf,
                               sizeof(stuck_buf));

    check_reverse_order(udpecho);
    check_deadline_overrun(stuck);
    return e2e_done();
}
