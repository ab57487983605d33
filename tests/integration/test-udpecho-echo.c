/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* udpecho in a real wskhost against plain Linux UDP clients: datagrams of 0, 1, 1472 and
 * 65507 bytes echoed exactly over IPv4 and IPv6, a truncated read of an echo, 10,000
 * datagrams from 50 clients with every reply matched to its request (windowed so loopback
 * buffers never overflow), then a clean unload with nothing left behind. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define CLIENTS 50
#define PER_CLIENT 200 /* 50 x 200 = 10,000 datagrams */
#define WINDOW 2       /* outstanding per client: 100 datagrams in flight at most */
#define DEADLINE_MS 60000

static const char *udpecho_path(void)
{
    static char path[4096];
    const char *p = getenv("OWSK_UDPECHO"), *root = getenv("OWSK_BUILD_ROOT");

    if (p)
        return p;
    snprintf(path, sizeof(path), "%s/samples/udpecho/udpecho.so", root ? root : ".");
    return path;
}

static int start(struct e2e_host *h)
{
    const char *argv[8];
    const char *at;
    size_t n = 0;

    if (e2e_host_init(h) < 0)
        return -1;
    argv[n++] = "--control";
    argv[n++] = h->ctl;
    argv[n++] = "--param";
    argv[n++] = "udpecho:Port=0";
    argv[n++] = udpecho_path();
    argv[n] = NULL;
    if (e2e_host_spawn(h, argv) < 0)
        return -1;
    if (!e2e_host_wait_log(h, "wskhost: ready:", 20000)) {
        e2e_host_wait(h, SIGKILL, 5000);
        e2e_host_dump(h);
        return -1;
    }
    pthread_mutex_lock(&h->lock);
    at = strstr(h->log, "listening on udp [::]:");
    if (at)
        h->port = (unsigned)strtoul(at + strlen("listening on udp [::]:"), NULL, 10);
    pthread_mutex_unlock(&h->lock);
    if (!h->port) {
        e2e_host_dump(h);
        return -1;
    }
    return 0;
}

static int client(bool v6, unsigned port)
{
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 1 << 20;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    if (v6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
                                 .sin6_addr = IN6ADDR_LOOPBACK_INIT};

        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
            goto fail;
    } else {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
            goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

static ssize_t recv_deadline(int fd, void *buf, size_t cap, int flags, unsigned ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, (int)ms);

    if (r <= 0)
        return r == 0 ? -ETIMEDOUT : -errno;
    r = (int)recv(fd, buf, cap, flags | MSG_DONTWAIT);
    return r < 0 ? -errno : r;
}

static void sizes(unsigned port, bool v6)
{
    static const size_t lens[] = {0, 1, 1472, 65507};
    static unsigned char out[65507], in[65536];
    int fd = client(v6, port);

    E2E_CHECK(fd >= 0);
    if (fd < 0)
        return;
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        ssize_t k;

        for (size_t j = 0; j < lens[i]; j++)
            out[j] = e2e_pattern((uint32_t)(i + 1), j);
        E2E_CHECK_INT(send(fd, out, lens[i], 0), lens[i]);
        k = recv_deadline(fd, in, sizeof(in), MSG_TRUNC, 5000);
        E2E_CHECK_INT(k, lens[i]);
        if (k == (ssize_t)lens[i] && memcmp(in, out, lens[i]) != 0)
            e2e_fail(__FILE__, __LINE__, "%s echo of %zu bytes differs", v6 ? "IPv6" : "IPv4",
                     lens[i]);
    }
    /* The echo of a large datagram read into a small buffer: truncated, flagged, and the
     * next datagram is intact. */
    {
        struct msghdr mh;
        struct iovec iov = {in, 100};
        struct pollfd p = {fd, POLLIN, 0};

        E2E_CHECK_INT(send(fd, out, 3000, 0), 3000);
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        E2E_CHECK_INT(poll(&p, 1, 5000), 1);
        E2E_CHECK_INT(recvmsg(fd, &mh, MSG_DONTWAIT), 100);
        E2E_CHECK(mh.msg_flags & MSG_TRUNC);
        E2E_CHECK_INT(send(fd, "ok", 2, 0), 2);
        E2E_CHECK_INT(recv_deadline(fd, in, sizeof(in), 0, 5000), 2);
    }
    close(fd);
}

/* Request i of client c: {c, i} then a pattern whose length depends on both. */
static size_t request(unsigned c, unsigned i, unsigned char *buf)
{
    size_t len = 8 + (c * 131 + i * 17) % 600;

    memcpy(buf, &c, 4);
    memcpy(buf + 4, &i, 4);
    for (size_t j = 8; j < len; j++)
        buf[j] = e2e_pattern(c * 100000 + i, j);
    return len;
}

static void load(unsigned port)
{
    int fds[CLIENTS];
    unsigned sent[CLIENTS], got[CLIENTS];
    bool seen[CLIENTS][PER_CLIENT];
    struct pollfd p[CLIENTS];
    unsigned char buf[1024], want[1024];
    uint64_t deadline = e2e_now_ms() + DEADLINE_MS;
    unsigned done = 0, bad = 0;

    memset(seen, 0, sizeof(seen));
    for (unsigned c = 0; c < CLIENTS; c++) {
        fds[c] = client(c & 1, port); /* half IPv4, half IPv6 */
        E2E_CHECK(fds[c] >= 0);
        if (fds[c] < 0)
            return;
        sent[c] = got[c] = 0;
        p[c].fd = fds[c];
        p[c].events = POLLIN;
    }
    while (done < CLIENTS * PER_CLIENT && e2e_now_ms() < deadline) {
        for (unsigned c = 0; c < CLIENTS; c++) {
            while (sent[c] < PER_CLIENT && sent[c] - got[c] < WINDOW) {
                size_t len = request(c, sent[c], buf);

                if (send(fds[c], buf, len, 0) != (ssize_t)len) {
                    e2e_fail(__FILE__, __LINE__, "client %u: send: %s", c, strerror(errno));
                    return;
                }
                sent[c]++;
            }
        }
        if (poll(p, CLIENTS, 1000) <= 0)
            continue;
        for (unsigned c = 0; c < CLIENTS; c++) {
            ssize_t k;
            unsigned rc, ri;

            if (!(p[c].revents & POLLIN))
                continue;
            while ((k = recv(fds[c], buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
                if (k < 8) {
                    bad++;
                    continue;
                }
                memcpy(&rc, buf, 4);
                memcpy(&ri, buf + 4, 4);
                /* The reply must answer one of this client's own requests, once. */
                if (rc != c || ri >= sent[c] || seen[c][ri] ||
                    (size_t)k != request(c, ri, want) || memcmp(buf, want, (size_t)k) != 0) {
                    bad++;
                    continue;
                }
                seen[c][ri] = true;
                got[c]++;
                done++;
            }
        }
    }
    fprintf(stderr, "%u datagrams from %u clients echoed and matched in %llu ms\n", done,
            CLIENTS, (unsigned long long)(e2e_now_ms() + DEADLINE_MS - deadline));
    if (bad)
        e2e_fail(__FILE__, __LINE__, "%u replies did not match a request", bad);
    if (done != CLIENTS * PER_CLIENT) {
        unsigned total = 0;

        for (unsigned c = 0; c < CLIENTS; c++)
            total += sent[c];
        e2e_fail(__FILE__, __LINE__, "%u of %u datagrams echoed within %u ms (%u sent)", done,
                 CLIENTS * PER_CLIENT, DEADLINE_MS, total);
    }
    for (unsigned c = 0; c < CLIENTS; c++)
        close(fds[c]);
}

int main(void)
{
    struct e2e_host h;
    int rc;

    if (start(&h) < 0) {
        fprintf(stderr, "could not start wskhost with udpecho\n");
        return 1;
    }
    sizes(h.port, false);
    sizes(h.port, true);
    load(h.port);
    rc = e2e_host_wait(&h, SIGTERM, 20000);
    E2E_CHECK_INT(rc, 0);
    E2E_CHECK(e2e_host_log_has(&h, "stopped ("));
    E2E_CHECK(e2e_host_log_has(&h, "0 dropped"));
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    E2E_CHECK(!e2e_host_log_has(&h, "not released"));
    if (e2e_failures)
        e2e_host_dump(&h);
    e2e_host_free(&h);
    return e2e_done();
}
