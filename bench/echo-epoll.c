/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A plain epoll echo server (the benchmarks' baseline): per connection one 64 KiB buffer;
 * read, write back, and wait for EPOLLOUT only when the peer is slower than us. On EOF it
 * flushes and closes, like echosrv's graceful disconnect. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "echo-epoll.h"

#define BUF_SIZE 65536

struct conn {
    int fd;
    size_t len, off; /* bytes in buf not yet written back */
    uint8_t buf[BUF_SIZE];
};

struct worker {
    pthread_t thread;
    int ep;
    struct epoll_echo *srv;
};

struct epoll_echo {
    int listen_fd, stop_fd;
    unsigned nworkers;
    struct worker *workers;
};

static void drop(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
}

/* Writes what is pending; returns 1 when done, 0 when the socket is full, -1 on error. */
static int flush(struct conn *c)
{
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);

        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->off += (size_t)n;
    }
    c->len = c->off = 0;
    return 1;
}

static void on_conn(int ep, struct conn *c, uint32_t events)
{
    struct epoll_event ev = {.data.ptr = c};
    int r;

    if (c->len) {
        r = flush(c);
        if (r < 0)
            goto drop;
        if (r == 0)
            return;
        ev.events = EPOLLIN;
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    for (;;) {
        ssize_t n = recv(c->fd, c->buf, BUF_SIZE, 0);

        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            goto drop; /* EOF (everything was echoed already) or error */
        c->len = (size_t)n;
        c->off = 0;
        r = flush(c);
        if (r < 0)
            goto drop;
        if (r == 0) {
            ev.events = EPOLLOUT;
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            return;
        }
    }
drop:
    drop(ep, c);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[128];

    for (;;) {
        int n = epoll_wait(w->ep, evs, 128, -1);

        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &w->srv->stop_fd)
                return NULL;
            if (evs[i].data.ptr == &w->srv->listen_fd) {
                int fd = accept4(w->srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                struct conn *c;
                struct epoll_event ev = {.events = EPOLLIN};

                if (fd < 0)
                    continue;
                c = malloc(sizeof(*c));
                if (!c) {
                    close(fd);
                    continue;
                }
                c->fd = fd;
                c->len = c->off = 0;
                ev.data.ptr = c;
                epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
                continue;
            }
            on_conn(w->ep, evs[i].data.ptr, evs[i].events);
        }
    }
}

struct epoll_echo *epoll_echo_start(unsigned threads, unsigned *ret_port)
{
    struct epoll_echo *srv = calloc(1, sizeof(*srv));
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
    socklen_t len = sizeof(a);
    int off = 0;

    if (!srv)
        return NULL;
    srv->listen_fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    srv->stop_fd = eventfd(0, EFD_CLOEXEC);
    setsockopt(srv->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    if (bind(srv->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(srv->listen_fd, 4096) < 0 ||
        getsockname(srv->listen_fd, (struct sockaddr *)&a, &len) < 0)
        goto fail;
    *ret_port = ntohs(a.sin6_port);
    srv->nworkers = threads ? threads : 1;
    srv->workers = calloc(srv->nworkers, sizeof(*srv->workers));
    if (!srv->workers)
        goto fail;
    for (unsigned i = 0; i < srv->nworkers; i++) {
        struct worker *w = &srv->workers[i];
        struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &srv->listen_fd};
        struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &srv->stop_fd};

        w->srv = srv;
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        epoll_ctl(w->ep, EPOLL_CTL_ADD, srv->listen_fd, &lev);
        epoll_ctl(w->ep, EPOLL_CTL_ADD, srv->stop_fd, &sev);
        pthread_create(&w->thread, NULL, worker_main, w);
    }
    return srv;
fail:
    close(srv->listen_fd);
    close(srv->stop_fd);
    free(srv);
    return NULL;
}

/* Connections still open at stop are leaked to the process exit; the bench stops last. */
void epoll_echo_stop(struct epoll_echo *srv)
{
    uint64_t one = 1;

    if (write(srv->stop_fd, &one, sizeof(one)) < 0)
        return;
    for (unsigned i = 0; i < srv->nworkers; i++) {
        pthread_join(srv->workers[i].thread, NULL);
        close(srv->workers[i].ep);
    }
    close(srv->listen_fd);
    close(srv->stop_fd);
    free(srv->workers);
    free(srv);
}
