/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The portable loop backend: level-triggered epoll. An interest of 0 takes the fd out of the
 * epoll set, so a hung-up socket nobody listens to cannot spin the loop with EPOLLHUP. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop/loop.h"
#include "loop/loop_backend.h"

#define MAX_EVENTS 256

struct epoll_state {
    struct owsk_loop *loop;
    int epfd;
    int wake_fd;
    /* The batch being dispatched, so watch_remove can cancel events still queued for a watch
     * a callback has just removed (and perhaps freed). */
    struct epoll_event *batch;
    int batch_pos, batch_len;
    struct epoll_event events[MAX_EVENTS];
};

/* data.ptr of an event whose watch went away during the batch; the wake fd uses NULL. */
static char removed_mark;

static int ep_init(struct owsk_loop *loop, int wake_fd, void **ret_state)
{
    struct epoll_state *s = calloc(1, sizeof(*s));
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    int r;

    if (!s)
        return -ENOMEM;
    s->loop = loop;
    s->wake_fd = wake_fd;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        r = -errno;
        free(s);
        return r;
    }
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, wake_fd, &ev) < 0) {
        r = -errno;
        close(s->epfd);
        free(s);
        return r;
    }
    *ret_state = s;
    return 0;
}

static void ep_fini(void *state)
{
    struct epoll_state *s = state;

    close(s->epfd);
    free(s);
}

static void forget_pending(struct epoll_state *s, struct owsk_loop_watch *w)
{
    for (int i = s->batch_pos; s->batch && i < s->batch_len; i++)
        if (s->batch[i].data.ptr == w)
            s->batch[i].data.ptr = &removed_mark;
}

/* Thread: owner loop. w->registered: 1 while w->fd is in the epoll set. */
static int ep_watch_update(void *state, struct owsk_loop_watch *w, uint32_t want)
{
    struct epoll_state *s = state;
    struct epoll_event ev = { .events = 0, .data.ptr = w };

    if (!want) {
        if (w->registered) {
            /* ENOENT/EBADF: the caller closed the fd early; it is out of the set anyway. */
            if (epoll_ctl(s->epfd, EPOLL_CTL_DEL, w->fd, NULL) < 0 && errno != ENOENT &&
                errno != EBADF)
                return -errno;
            w->registered = 0;
        }
        return 0;
    }
    if (want & OWSK_LOOP_IN)
        ev.events |= EPOLLIN | EPOLLRDHUP;
    if (want & OWSK_LOOP_OUT)
        ev.events |= EPOLLOUT;
    if (epoll_ctl(s->epfd, w->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, w->fd, &ev) < 0)
        return -errno;
    w->registered = 1;
    return 0;
}

static void ep_watch_remove(void *state, struct owsk_loop_watch *w)
{
    struct epoll_state *s = state;

    ep_watch_update(state, w, 0);
    forget_pending(s, w);
}

static uint32_t map_events(uint32_t e)
{
    uint32_t r = 0;

    if (e & EPOLLIN)
        r |= OWSK_LOOP_IN;
    if (e & EPOLLOUT)
        r |= OWSK_LOOP_OUT;
    if (e & EPOLLRDHUP)
        r |= OWSK_LOOP_HUP;
    if (e & (EPOLLERR | EPOLLHUP))
        r |= OWSK_LOOP_ERR | OWSK_LOOP_HUP;
    return r;
}

static int ep_wait(void *state, int timeout_ms,
                   void (*dispatch)(struct owsk_loop *loop, struct owsk_loop_watch *w,
                                    uint32_t revents))
{
    struct epoll_state *s = state;
    int n = epoll_wait(s->epfd, s->events, MAX_EVENTS, timeout_ms);

    if (n < 0)
        return -errno;
    s->batch = s->events;
    s->batch_len = n;
    for (s->batch_pos = 0; s->batch_pos < n;) {
        struct epoll_event *ev = &s->events[s->batch_pos++];
        if (ev->data.ptr == &removed_mark)
            continue;
        dispatch(s->loop, ev->data.ptr, map_events(ev->events));
    }
    s->batch = NULL;
    return n;
}

const struct owsk_loop_backend_ops owsk_loop_epoll_ops = {
    .name = "epoll",
    .init = ep_init,
    .fini = ep_fini,
    .watch_update = ep_watch_update,
    .watch_remove = ep_watch_remove,
    .wait = ep_wait,
};
