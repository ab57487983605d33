/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Echo benchmarks: echosrv in a real wskhost against a plain epoll echo server in this
 * process, measured side by side in the same run. One JSON line per result, then a ratio
 * line per benchmark (echosrv / baseline; for times, higher means echosrv is slower).
 *   latency:    one connection, 64-byte ping-pong, warm-up then a fixed duration (p50/p99)
 *   throughput: 64 connections x 4 MiB each, random chunks, every byte verified
 *   load:       1,000 connections x 1 MiB (the E-02 figure), wall time */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../tests/integration/e2e.h"
#include "../tests/integration/load.h"
#include "echo-epoll.h"

#define LAT_MSG 64
#define LAT_WARMUP_MS 500
#define LAT_RUN_MS 3000

struct result {
    double ops_per_s, mb_per_s, p50_us, p99_us;
    uint64_t wall_ms;
    int ok;
};

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static struct result latency(unsigned port)
{
    struct result r = {0};
    size_t cap = 1 << 20, n = 0;
    uint64_t *samples = malloc(cap * sizeof(*samples));
    uint8_t msg[LAT_MSG], back[LAT_MSG];
    uint64_t start, t;
    int one = 1, fd = e2e_connect(false, port, 10000);
    struct timeval tv = {.tv_sec = 5};

    if (fd < 0 || !samples) {
        free(samples);
        return r;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    memset(msg, 'x', sizeof(msg));
    start = now_us();
    for (;;) {
        size_t got = 0;

        t = now_us();
        if (t - start >= (LAT_WARMUP_MS + LAT_RUN_MS) * 1000ull)
            break;
        if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
            goto out;
        while (got < sizeof(back)) {
            ssize_t k = recv(fd, back + got, sizeof(back) - got, 0);
            if (k <= 0)
                goto out;
            got += (size_t)k;
        }
        if (t - start >= LAT_WARMUP_MS * 1000ull && n < cap)
            samples[n++] = now_us() - t;
    }
    if (n) {
        qsort(samples, n, sizeof(*samples), cmp_u64);
        r.p50_us = (double)samples[n / 2];
        r.p99_us = (double)samples[n * 99 / 100];
        r.ops_per_s = (double)n / (LAT_RUN_MS / 1000.0);
        r.ok = 1;
    }
out:
    close(fd);
    free(samples);
    return r;
}

static struct result throughput(unsigned port, unsigned conns, uint64_t bytes_each)
{
    struct load_result lr;
    struct result r = {0};

    r.ok = load_run(port, false, conns, bytes_each, 600000, &lr) == 0;
    r.wall_ms = lr.wall_ms;
    if (lr.wall_ms)
        r.mb_per_s = (double)lr.bytes / 1048576.0 / ((double)lr.wall_ms / 1000.0);
    return r;
}

static void print(const char *name, const char *server, unsigned threads, unsigned msg,
                  const struct result *r)
{
    const char *backend = getenv("OWSK_LOOP");

    printf("{\"name\":\"%s\",\"server\":\"%s\",\"backend\":\"%s\",\"threads\":%u,"
           "\"msg_size\":%u,\"ok\":%s,\"ops_per_s\":%.0f,\"mb_per_s\":%.1f,\"p50_us\":%.1f,"
           "\"p99_us\":%.1f,\"wall_ms\":%llu}\n",
           name, server, strcmp(server, "echosrv") ? "native" : (backend ? backend : "auto"),
           threads, msg, r->ok ? "true" : "false", r->ops_per_s, r->mb_per_s, r->p50_us, r->p99_us,
           (unsigned long long)r->wall_ms);
}

static void ratio(const char *name, const char *metric, double echosrv, double base)
{
    printf("{\"name\":\"%s\",\"ratio\":\"echosrv/baseline\",\"metric\":\"%s\",\"value\":%.3f}\n",
           name, metric, base > 0 ? echosrv / base : 0.0);
}

int main(int argc, char **argv)
{
    static const char *const params[] = {"MaxConnections=4096", "BufferSize=65536", NULL};
    unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN), base_port;
    unsigned load_conns = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
    struct result e, b;
    struct epoll_echo *srv;
    struct e2e_host h;

    e2e_raise_nofile(load_conns * 2 + 256);
    srv = epoll_echo_start(threads, &base_port);
    if (!srv || e2e_host_start(&h, params, NULL, 60000) < 0) {
        fprintf(stderr, "bench: cannot start the servers\n");
        return 1;
    }

    e = latency(h.port), b = latency(base_port);
    print("echo-latency", "echosrv", threads, LAT_MSG, &e);
    print("echo-latency", "epoll-baseline", threads, LAT_MSG, &b);
    ratio("echo-latency", "p50_us", e.p50_us, b.p50_us);
    ratio("echo-latency", "p99_us", e.p99_us, b.p99_us);
    fflush(stdout);

    e = throughput(h.port, 64, 4 << 20), b = throughput(base_port, 64, 4 << 20);
    print("echo-throughput-64x4MiB", "echosrv", threads, 65536, &e);
    print("echo-throughput-64x4MiB", "epoll-baseline", threads, 65536, &b);
    ratio("echo-throughput-64x4MiB", "mb_per_s", e.mb_per_s, b.mb_per_s);
    fflush(stdout);

    e = throughput(h.port, load_conns, 1 << 20), b = throughput(base_port, load_conns, 1 << 20);
    print("echo-load-1000x1MiB", "echosrv", threads, 65536, &e);
    print("echo-load-1000x1MiB", "epoll-baseline", threads, 65536, &b);
    ratio("echo-load-1000x1MiB", "wall_ms", (double)e.wall_ms, (double)b.wall_ms);
    fflush(stdout);

    e2e_host_wait(&h, SIGTERM, 30000);
    e2e_host_free(&h);
    epoll_echo_stop(srv);
    return e.ok && b.ok ? 0 : 1;
}
