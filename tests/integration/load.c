/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The echo load client (see load.h). Level-triggered epoll; a connection wants EPOLLOUT only
 * while it has bytes left to send. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"
#include "load.h"

#define MAX_CONNECTING 64
#define CHUNK_MAX 65536

struct conn {
    int fd;
    uint32_t seed, rnd;
    uint64_t sent, got;
    bool connecting, shut, done;
};

static int start_connect(int ep, struct conn *c, unsigned port, bool v6, size_t idx)
{
    struct sockaddr_storage ss;
    socklen_t len = e2e_loopback_addr(v6, port, &ss);
    struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = idx};

    c->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    if (connect(c->fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
        return -1;
    c->connecting = true;
    return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(int ep, struct conn *c, bool ok, struct load_result *r)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->done = true;
    if (ok)
        r->completed++;
    else
        r->failed++;
}

int load_run(unsigned port, bool v6, unsigned conns, uint64_t bytes_each, unsigned timeout_ms,
             struct load_result *ret)
{
    struct conn *cs = calloc(conns ? conns : 1, sizeof(*cs));
    uint8_t *buf = malloc(CHUNK_MAX);
    struct epoll_event evs[256];
    uint64_t start = e2e_now_ms(), deadline = start + timeout_ms;
    unsigned next = 0, connecting = 0, finished = 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct load_result r = {0};

    if (!cs || !buf || ep < 0) {
        free(cs);
        free(buf);
        return -1;
    }
    for (unsigned i = 0; i < conns; i++) {
        cs[i].fd = -1;
        cs[i].seed = i + 1;
        cs[i].rnd = (i + 1) * 2654435761u | 1;
    }
    while (finished < conns) {
        uint64_t now = e2e_now_ms();
        int n;

        while (next < conns && connecting < MAX_CONNECTING) {
            if (start_connect(ep, &cs[next], port, v6, next) < 0) {
                fprintf(stderr, "load: connect %u: %s\n", next, strerror(errno));
                if (cs[next].fd >= 0)
                    close(cs[next].fd);
                cs[next].fd = -1;
                cs[next].done = true;
                r.failed++;
                finished++;
            } else {
                connecting++;
            }
            next++;
        }
        if (now >= deadline) {
            fprintf(stderr, "load: timed out after %u ms with %u of %u connections done\n",
                    timeout_ms, finished, conns);
            break;
        }
        n = epoll_wait(ep, evs, 256, (int)(deadline - now));
        for (int k = 0; k < n; k++) {
            struct conn *c = &cs[evs[k].data.u64];
            uint32_t e = evs[k].events;

            if (c->done)
                continue;
            if (c->connecting) {
                int err = 0;
                socklen_t elen = sizeof(err);
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data = evs[k].data};

                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen);
                connecting--;
                c->connecting = false;
                if (err) {
                    fprintf(stderr, "load: connect: %s\n", strerror(err));
                    finish(ep, c, false, &r);
                    finished++;
                    continue;
                }
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                continue;
            }
            if ((e & EPOLLOUT) && !c->shut) {
                uint64_t left = bytes_each - c->sent;
                size_t chunk;
                ssize_t w;

                c->rnd ^= c->rnd << 13, c->rnd ^= c->rnd >> 17, c->rnd ^= c->rnd << 5;
                chunk = 1 + c->rnd % CHUNK_MAX;
                if (chunk > left)
                    chunk = (size_t)left;
                for (size_t i = 0; i < chunk; i++)
                    buf[i] = e2e_pattern(c->seed, c->sent + i);
                w = chunk ? send(c->fd, buf, chunk, MSG_NOSIGNAL) : 0;
                if (w > 0)
                    c->sent += (uint64_t)w;
                else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                    fprintf(stderr, "load: send: %s\n", strerror(errno));
                    finish(ep, c, false, &r);
                    finished++;
                    continue;
                }
                if (c->sent == bytes_each) {
                    struct epoll_event ev = {.events = EPOLLIN, .data = evs[k].data};

                    shutdown(c->fd, SHUT_WR);
                    c->shut = true;
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t got = recv(c->fd, buf, CHUNK_MAX, 0);

                if (got < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (got <= 0) {
                    bool ok = got == 0 && c->shut && c->got == bytes_each;

                    if (!ok)
                        fprintf(stderr,
                                "load: connection %u ended after %llu of %llu bytes"
                                "%s%s\n",
                                c->seed - 1, (unsigned long long)c->got,
                                (unsigned long long)bytes_each, got < 0 ? ": " : "",
                                got < 0 ? strerror(errno) : "");
                    finish(ep, c, ok, &r);
                    finished++;
                    continue;
                }
                if (c->got + (uint64_t)got > c->sent) {
                    fprintf(stderr, "load: connection %u received more than it sent\n",
                            c->seed - 1);
                    r.mismatched++;
                    finish(ep, c, false, &r);
                    finished++;
                    continue;
                }
                for (ssize_t i = 0; i < got; i++) {
                    if (buf[i] != e2e_pattern(c->seed, c->got + (uint64_t)i)) {
                        fprintf(stderr, "load: connection %u byte %llu differs\n", c->seed - 1,
                                (unsigned long long)(c->got + (uint64_t)i));
                        r.mismatched++;
                        finish(ep, c, false, &r);
                        finished++;
                        goto next_event;
                    }
                }
                c->got += (uint64_t)got;
                r.bytes += (uint64_t)got;
            }
        next_event:;
        }
    }
    for (unsigned i = 0; i < conns; i++)
        if (cs[i].fd >= 0) {
            close(cs[i].fd);
            r.failed++;
        }
    r.wall_ms = e2e_now_ms() - start;
    close(ep);
    free(cs);
    free(buf);
    if (ret)
        *ret = r;
    return r.completed == conns ? 0 : -1;
}
