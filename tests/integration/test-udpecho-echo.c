/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* udpecho in a real wskhost against plain Linux UDP clients: datagrams of 0, 1, 1472 and
 * 65507 bytes echoed exactly over IPv4 and IPv6, a truncated read of an echo, 10,000
 * requests from 50 clients (a window of 4 each) with every reply matched to its request by
 * content, requests re-sent after a timeout (UDP on a loaded loopback drops when a receive
 * buffer overflows) and every loss accounted for by the kernel's drop counters, then a clean
 * unload with nothing left behind and nothing dropped by the driver. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define CLIENTS 50
#define PER_CLIENT 200  /* 50 x 200 = 10,000 requests */
#define WINDOW 4        /* outstanding per client: 200 requests in flight at most */
#define RTO_MS 200      /* no reply after this long: send the request again */
#define RTO_MAX_MS 1600 /* the timeout doubles per copy up to this */
#define DEADLINE_MS 90000

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

/* Datagrams the kernel dropped, machine-wide (this network namespace for the UDP MIBs):
 * UDP and UDPv6 InErrors (receive buffer and memory overflows) plus the per-CPU backlog drops
 * of /proc/net/softnet_stat (loopback queues there). false if any of them cannot be read. */
static bool kernel_udp_drops(uint64_t *ret_drops)
{
    char line[1024], names[1024];
    uint64_t total = 0;
    bool v4 = false, v6 = false, backlog = false;
    FILE *f;

    f = fopen("/proc/net/snmp", "r");
    if (f) {
        names[0] = 0;
        while (fgets(line, sizeof(line), f)) {
            char *save1, *save2, *n, *v;

            if (strncmp(line, "Udp: ", 5) != 0)
                continue;
            if (!names[0]) {
                snprintf(names, sizeof(names), "%s", line);
                continue;
            }
            /* The value line: the column whose header is InErrors. */
            n = strtok_r(names, " \n", &save1);
            v = strtok_r(line, " \n", &save2);
            for (; n && v; n = strtok_r(NULL, " \n", &save1), v = strtok_r(NULL, " \n", &save2))
                if (!strcmp(n, "InErrors")) {
                    total += strtoull(v, NULL, 10);
                    v4 = true;
                }
            break;
        }
        fclose(f);
    }
    f = fopen("/proc/net/snmp6", "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            unsigned long long n;

            if (sscanf(line, "Udp6InErrors %llu", &n) == 1) {
                total += n;
                v6 = true;
            }
        }
        fclose(f);
    }
    f = fopen("/proc/net/softnet_stat", "r");
    if (f) {
        while (fgets(line, sizeof(line), f)) {
            unsigned processed, dropped;

            if (sscanf(line, "%x %x", &processed, &dropped) == 2) {
                total += dropped;
                backlog = true;
            }
        }
        fclose(f);
    }
    *ret_drops = total;
    return v4 && v6 && backlog;
}

/* One request's state: when its latest copy went out, how many copies and replies. */
struct req {
    uint64_t sent_ms;
    uint16_t copies;
    uint16_t replies;
};

struct load {
    int fds[CLIENTS];
    struct pollfd p[CLIENTS];
    struct req req[CLIENTS][PER_CLIENT];
    unsigned next[CLIENTS];        /* requests started, in order */
    unsigned low[CLIENTS];         /* the oldest request without a reply */
    unsigned outstanding[CLIENTS]; /* started, no reply yet */
    unsigned matched, bad;
    uint64_t sent, received, retransmitted, duplicates, deferred;
};

/* The retransmission timeout of a request sent copies times: RTO_MS doubling, capped, so a
 * loaded machine is not flooded with copies. */
static uint64_t rto_ms(unsigned copies)
{
    unsigned shift = copies > 1 ? copies - 1 : 0;

    return shift >= 3 ? RTO_MAX_MS : (uint64_t)RTO_MS << shift;
}

/* Sends (a copy of) request i of client c. false if the socket had no room right now (it is
 * tried again later); a hard error fails the test and returns false. */
static bool send_request(struct load *l, unsigned c, unsigned i, bool *ret_hard)
{
    unsigned char buf[1024];
    size_t len = request(c, i, buf);
    ssize_t k = send(l->fds[c], buf, len, 0);

    if (k == (ssize_t)len) {
        l->req[c][i].sent_ms = e2e_now_ms();
        l->req[c][i].copies++;
        l->sent++;
        return true;
    }
    if (k < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
        l->deferred++;
        return false;
    }
    e2e_fail(__FILE__, __LINE__, "client %u: send of request %u: %zd (%s)", c, i, k,
             k < 0 ? strerror(errno) : "short");
    *ret_hard = true;
    return false;
}

/* Reads every reply waiting on client c and matches it by content to one of its requests. */
static void receive_replies(struct load *l, unsigned c)
{
    unsigned char buf[1024], want[1024];
    ssize_t k;

    while ((k = recv(l->fds[c], buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) >= 0) {
        unsigned rc, ri;
        struct req *q;

        l->received++;
        if (k < 8 || k > (ssize_t)sizeof(buf)) {
            if (l->bad++ < 5)
                e2e_fail(__FILE__, __LINE__, "client %u: reply of %zd bytes", c, k);
            continue;
        }
        memcpy(&rc, buf, 4);
        memcpy(&ri, buf + 4, 4);
        /* The reply must be, byte for byte, one of this client's own requests... */
        if (rc != c || ri >= l->next[c] || (size_t)k != request(c, ri, want) ||
            memcmp(buf, want, (size_t)k) != 0) {
            if (l->bad++ < 5)
                e2e_fail(__FILE__, __LINE__,
                         "client %u: reply of %zd bytes (id %u/%u) matches no request sent", c,
                         k, rc, ri);
            continue;
        }
        q = &l->req[c][ri];
        /* ...and answer a copy that was sent: never more replies than copies. */
        if (++q->replies > q->copies) {
            if (l->bad++ < 5)
                e2e_fail(__FILE__, __LINE__, "client %u: request %u echoed %u times, sent %u",
                         c, ri, q->replies, q->copies);
            continue;
        }
        if (q->replies > 1) {
            l->duplicates++; /* the reply to a copy sent after a timeout */
            continue;
        }
        l->matched++;
        l->outstanding[c]--;
        while (l->low[c] < l->next[c] && l->req[c][l->low[c]].replies)
            l->low[c]++;
    }
}

/* Copies sent whose reply never arrived: each is a datagram lost on the way there or back. */
static uint64_t lost(const struct load *l)
{
    uint64_t n = 0;

    for (unsigned c = 0; c < CLIENTS; c++)
        for (unsigned i = 0; i < l->next[c]; i++)
            n += l->req[c][i].copies - l->req[c][i].replies;
    return n;
}

/* 10,000 requests, each client keeping WINDOW outstanding. A request without a reply after
 * its timeout is sent again (UDP on a loaded loopback drops when a receive buffer
 * overflows), every reply must match a request exactly, and every datagram that never came
 * back must be accounted for by the kernel's own drop counters. */
static void load(unsigned port)
{
    static struct load l;
    uint64_t start = e2e_now_ms(), deadline = start + DEADLINE_MS, drops0 = 0, drops1 = 0;
    bool counters = kernel_udp_drops(&drops0), hard = false;
    uint64_t missing;

    memset(&l, 0, sizeof(l));
    for (unsigned c = 0; c < CLIENTS; c++) {
        l.fds[c] = client(c & 1, port); /* half IPv4, half IPv6 */
        E2E_CHECK(l.fds[c] >= 0);
        if (l.fds[c] < 0)
            return;
        l.p[c].fd = l.fds[c];
        l.p[c].events = POLLIN;
    }
    while (l.matched < CLIENTS * PER_CLIENT && !hard && e2e_now_ms() < deadline) {
        uint64_t now = e2e_now_ms();

        for (unsigned c = 0; c < CLIENTS && !hard; c++) {
            for (unsigned i = l.low[c]; i < l.next[c] && !hard; i++) {
                struct req *q = &l.req[c][i];

                if (!q->replies && now - q->sent_ms >= rto_ms(q->copies) &&
                    send_request(&l, c, i, &hard))
                    l.retransmitted++;
            }
            while (!hard && l.next[c] < PER_CLIENT && l.outstanding[c] < WINDOW &&
                   send_request(&l, c, l.next[c], &hard)) {
                l.next[c]++;
                l.outstanding[c]++;
            }
        }
        if (poll(l.p, CLIENTS, 20) <= 0)
            continue;
        for (unsigned c = 0; c < CLIENTS; c++)
            if (l.p[c].revents & POLLIN)
                receive_replies(&l, c);
    }

    /* Late replies to copies still in flight are not losses: give them a moment, but only
     * while the losses are not yet explained by kernel drops. */
    if (counters)
        kernel_udp_drops(&drops1);
    for (uint64_t until = e2e_now_ms() + 2000;
         counters && lost(&l) > drops1 - drops0 && e2e_now_ms() < until;
         kernel_udp_drops(&drops1)) {
        if (poll(l.p, CLIENTS, 50) > 0)
            for (unsigned c = 0; c < CLIENTS; c++)
                if (l.p[c].revents & POLLIN)
                    receive_replies(&l, c);
    }
    missing = lost(&l);
    fprintf(stderr,
            "load: %u of %u requests from %u clients matched in %llu ms; datagrams sent %llu "
            "(%llu retransmitted, %llu deferred by a full socket), replies %llu (%llu "
            "duplicates), %llu never answered, kernel UDP drops meanwhile %s%llu\n",
            l.matched, CLIENTS * PER_CLIENT, CLIENTS,
            (unsigned long long)(e2e_now_ms() - start), (unsigned long long)l.sent,
            (unsigned long long)l.retransmitted, (unsigned long long)l.deferred,
            (unsigned long long)l.received, (unsigned long long)l.duplicates,
            (unsigned long long)missing, counters ? "" : "(unreadable) ",
            (unsigned long long)(drops1 - drops0));
    if (l.bad)
        e2e_fail(__FILE__, __LINE__, "%u replies were corrupted or matched no request", l.bad);
    if (l.matched != CLIENTS * PER_CLIENT)
        e2e_fail(__FILE__, __LINE__, "%u of %u requests answered within %u ms", l.matched,
                 CLIENTS * PER_CLIENT, DEADLINE_MS);
    /* Every datagram lost must be one the kernel dropped (the counters are machine-wide, so
     * they can only over-explain): anything else was lost by wskhost or the driver. */
    if (counters && missing > drops1 - drops0)
        e2e_fail(__FILE__, __LINE__,
                 "%llu datagrams never answered but the kernel dropped only %llu",
                 (unsigned long long)missing, (unsigned long long)(drops1 - drops0));
    for (unsigned c = 0; c < CLIENTS; c++)
        close(l.fds[c]);
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
    E2E_CHECK(e2e_host_log_has(&h, " echoed, 0 dropped,")); /* the driver's own drops */
    E2E_CHECK(!e2e_host_log_has(&h, "dropped a datagram"));
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    E2E_CHECK(!e2e_host_log_has(&h, "not released"));
    if (e2e_failures)
        e2e_host_dump(&h);
    e2e_host_free(&h);
    return e2e_done();
}
