/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The io_uring loop backend: fd readiness through IORING_OP_POLL_ADD. Watches use one-shot
 * polls re-armed after each dispatch, which keeps the loop's level-triggered contract (a
 * multishot poll only reports new wake-ups, i.e. it is edge-triggered); the wake eventfd,
 * where edges are all we need, uses a multishot poll when the kernel has it (5.13+). */
#include "owsk_config.h"

#if OWSK_HAVE_LIBURING

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "loop/loop.h"
#include "loop/loop_backend.h"

#define SQ_ENTRIES 256
#define CQ_ENTRIES 4096

/* user_data: the wake fd's poll, our POLL_REMOVE requests (their results are not needed),
 * or (generation << 32 | slot) for a watch's poll. */
#define UD_WAKE (1ull << 63)
#define UD_IGNORE (~0ull)
#define UD_WATCH(slot, gen) (((uint64_t)(gen) << 32) | (slot))

/* What the backend knows of one watch; w->registered is the slot index + 1. A slot outlives
 * its watch until every poll submitted for it has completed, so a late completion never
 * touches memory the caller freed after owsk_loop_watch_remove(). */
struct slot {
    struct owsk_loop_watch *w; /* NULL once removed */
    uint32_t gen;              /* of the poll that counts; older completions are stale */
    uint32_t mask;             /* poll mask of the poll in flight for gen, 0 = none */
    uint32_t inflight;         /* polls submitted and not yet completed, any generation */
    uint32_t next_free;        /* free list link: index + 1, 0 = end */
};

struct uring_state {
    struct owsk_loop *loop;
    struct io_uring ring;
    int wake_fd;
    bool wake_multishot; /* cleared if the kernel refuses IORING_POLL_ADD_MULTI */
    struct slot *slots;
    uint32_t nslots, cap, free_head;
};

static struct io_uring_sqe *get_sqe(struct uring_state *s)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);

    /* A full submission queue is flushed early; the kernel copies SQEs on submit. */
    while (!sqe) {
        int r = io_uring_submit(&s->ring);
        if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
            OWSK_ERR(OWSK_CH_LOOP, "io_uring_submit: %s", strerror(-r));
            abort(); /* no way to report this to whoever arms the next poll */
        }
        sqe = io_uring_get_sqe(&s->ring);
    }
    return sqe;
}

static void arm_wake(struct uring_state *s)
{
    struct io_uring_sqe *sqe = get_sqe(s);

    if (s->wake_multishot)
        io_uring_prep_poll_multishot(sqe, s->wake_fd, POLLIN);
    else
        io_uring_prep_poll_add(sqe, s->wake_fd, POLLIN);
    io_uring_sqe_set_data64(sqe, UD_WAKE);
}

int owsk_loop_uring_probe(const char **ret_why)
{
    struct io_uring ring;
    struct io_uring_probe *probe;
    int r = io_uring_queue_init(4, &ring, 0);

    if (r < 0) {
        /* ENOSYS: no io_uring in this kernel or a seccomp filter (Docker's default);
         * EPERM: kernel.io_uring_disabled or a sandbox; ENOMEM: RLIMIT_MEMLOCK. */
        *ret_why = r == -ENOSYS ? "io_uring_setup is not available (ENOSYS)"
                 : r == -EPERM  ? "io_uring_setup is not permitted (EPERM)"
                 : r == -ENOMEM ? "io_uring_setup found too little lockable memory (ENOMEM)"
                                : "io_uring_setup failed";
        return r;
    }
    probe = io_uring_get_probe_ring(&ring);
    if (!probe) {
        r = -ENOTSUP; /* IORING_REGISTER_PROBE is 5.6+ */
        *ret_why = "the kernel cannot list io_uring operations (before 5.6)";
    } else if (!io_uring_opcode_supported(probe, IORING_OP_POLL_ADD) ||
               !io_uring_opcode_supported(probe, IORING_OP_POLL_REMOVE)) {
        r = -ENOTSUP;
        *ret_why = "the kernel lacks IORING_OP_POLL_ADD/POLL_REMOVE";
    }
    if (probe)
        io_uring_free_probe(probe);
    io_uring_queue_exit(&ring);
    return r;
}

static int ur_init(struct owsk_loop *loop, int wake_fd, void **ret_state)
{
    struct uring_state *s = calloc(1, sizeof(*s));
    struct io_uring_params p;
    int r;

    if (!s)
        return -ENOMEM;
    memset(&p, 0, sizeof(p));
    /* Every watch can have a poll in flight: a large CQ keeps completions from overflowing. */
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP;
    p.cq_entries = CQ_ENTRIES;
    r = io_uring_queue_init_params(SQ_ENTRIES, &s->ring, &p);
    if (r < 0) {
        free(s);
        return r;
    }
    s->loop = loop;
    s->wake_fd = wake_fd;
    s->wake_multishot = true;
    arm_wake(s);
    *ret_state = s;
    return 0;
}

static void ur_fini(void *state)
{
    struct uring_state *s = state;

    io_uring_queue_exit(&s->ring);
    free(s->slots);
    free(s);
}

static int slot_alloc(struct uring_state *s, uint32_t *ret_index)
{
    uint32_t i;

    if (s->free_head) {
        i = s->free_head - 1;
        s->free_head = s->slots[i].next_free;
    } else {
        if (s->nslots == s->cap) {
            uint32_t cap = s->cap ? s->cap * 2 : 64;
            struct slot *n = realloc(s->slots, cap * sizeof(*n));
            if (!n)
                return -ENOMEM;
            s->slots = n;
            s->cap = cap;
        }
        i = s->nslots++;
        s->slots[i].gen = 0;
    }
    s->slots[i].w = NULL;
    s->slots[i].mask = 0;
    s->slots[i].inflight = 0;
    s->slots[i].next_free = 0;
    *ret_index = i;
    return 0;
}

static void slot_free(struct uring_state *s, uint32_t i)
{
    s->slots[i].w = NULL;
    s->slots[i].next_free = s->free_head;
    s->free_head = i + 1;
}

static uint32_t poll_mask(uint32_t want)
{
    uint32_t m = 0;

    if (want & OWSK_LOOP_IN)
        m |= POLLIN | POLLRDHUP;
    if (want & OWSK_LOOP_OUT)
        m |= POLLOUT;
    return m;
}

/* Cancels the poll in flight for slot i, if any; its completion becomes stale. */
static void disarm(struct uring_state *s, uint32_t i)
{
    struct slot *sl = &s->slots[i];
    struct io_uring_sqe *sqe;

    if (!sl->mask)
        return;
    sqe = get_sqe(s);
    io_uring_prep_poll_remove(sqe, UD_WATCH(i, sl->gen));
    io_uring_sqe_set_data64(sqe, UD_IGNORE);
    sl->mask = 0;
    sl->gen++;
}

static void arm(struct uring_state *s, uint32_t i, uint32_t mask)
{
    struct slot *sl = &s->slots[i];
    struct io_uring_sqe *sqe = get_sqe(s);

    /* One-shot: the kernel checks readiness when the poll is armed, so re-arming after each
     * dispatch reports a still-ready fd again, as level-triggered epoll would. */
    io_uring_prep_poll_add(sqe, sl->w->fd, mask);
    io_uring_sqe_set_data64(sqe, UD_WATCH(i, sl->gen));
    sl->mask = mask;
    sl->inflight++;
}

/* Cancels w's poll and gives up its slot (freed once no poll of it is in flight). */
static void release(struct uring_state *s, struct owsk_loop_watch *w)
{
    uint32_t i;

    if (!w->registered)
        return;
    i = w->registered - 1;
    disarm(s, i);
    s->slots[i].w = NULL;
    if (!s->slots[i].inflight)
        slot_free(s, i);
    w->registered = 0;
}

/* Thread: owner loop. */
static int ur_watch_update(void *state, struct owsk_loop_watch *w, uint32_t want)
{
    struct uring_state *s = state;
    uint32_t mask = poll_mask(want);
    uint32_t i;

    if (!want) {
        /* Like epoll's EPOLL_CTL_DEL: no interest, no backend state, so a watch left at 0
         * and never removed costs nothing. */
        release(s, w);
        return 0;
    }
    if (!w->registered) {
        int r;
        /* Report a bad fd now, as epoll_ctl does, rather than as a later poll error (once:
         * w->loop is set after the first successful update). */
        if (!w->loop && fcntl(w->fd, F_GETFD) < 0)
            return -errno;
        r = slot_alloc(s, &i);
        if (r < 0)
            return r;
        s->slots[i].w = w;
        w->registered = i + 1;
    }
    i = w->registered - 1;
    if (s->slots[i].mask == mask)
        return 0;
    disarm(s, i);
    if (mask)
        arm(s, i, mask);
    return 0;
}

static void ur_watch_remove(void *state, struct owsk_loop_watch *w)
{
    release(state, w);
}

static uint32_t map_events(int res)
{
    uint32_t r = 0;

    if (res < 0)
        return OWSK_LOOP_ERR | OWSK_LOOP_HUP; /* e.g. EBADF: the fd is unusable */
    if (res & POLLIN)
        r |= OWSK_LOOP_IN;
    if (res & POLLOUT)
        r |= OWSK_LOOP_OUT;
    if (res & POLLRDHUP)
        r |= OWSK_LOOP_HUP;
    if (res & (POLLERR | POLLHUP | POLLNVAL))
        r |= OWSK_LOOP_ERR | OWSK_LOOP_HUP;
    return r;
}

typedef void (*dispatch_fn)(struct owsk_loop *loop, struct owsk_loop_watch *w, uint32_t revents);

static void complete_watch(struct uring_state *s, uint64_t ud, int res, dispatch_fn dispatch)
{
    uint32_t i = (uint32_t)ud, gen = (uint32_t)(ud >> 32);
    struct owsk_loop_watch *w;

    if (i >= s->nslots)
        return;
    s->slots[i].inflight--;
    w = s->slots[i].w;
    if (!w) {
        if (!s->slots[i].inflight)
            slot_free(s, i);
        return;
    }
    if (gen != s->slots[i].gen)
        return; /* interest changed since this poll was armed */
    s->slots[i].mask = 0;
    if (res == -ECANCELED)
        return;
    dispatch(s->loop, w, map_events(res));
    /* The callback may have changed the interest (which arms a new poll), removed the
     * watch, or grown the slot array: look again. */
    if (s->slots[i].w == w && !s->slots[i].mask && w->want)
        arm(s, i, poll_mask(w->want));
}

static int ur_wait(void *state, int timeout_ms, dispatch_fn dispatch)
{
    struct uring_state *s = state;
    struct io_uring_cqe *cqe;
    int r, n = 0;

    if (timeout_ms == 0) {
        r = io_uring_submit(&s->ring);
    } else if (timeout_ms < 0) {
        r = io_uring_submit_and_wait(&s->ring, 1);
    } else {
        struct __kernel_timespec ts = {
            .tv_sec = timeout_ms / 1000,
            .tv_nsec = (long long)(timeout_ms % 1000) * 1000000,
        };
        r = io_uring_submit_and_wait_timeout(&s->ring, &cqe, 1, &ts, NULL);
    }
    /* ETIME: the timeout passed; EBUSY: completions must be reaped first, done below. */
    if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN)
        return r;

    while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
        uint64_t ud = io_uring_cqe_get_data64(cqe);
        int res = cqe->res;
        unsigned flags = cqe->flags;

        /* Seen before dispatching, so a callback may queue and submit freely. */
        io_uring_cqe_seen(&s->ring, cqe);
        n++;
        if (ud == UD_IGNORE)
            continue;
        if (ud == UD_WAKE) {
            if (res == -EINVAL && s->wake_multishot) {
                s->wake_multishot = false; /* kernel before 5.13 */
                arm_wake(s);
                continue;
            }
            if (res < 0 && res != -ECANCELED) {
                OWSK_ERR(OWSK_CH_LOOP, "poll on the wake eventfd failed: %s", strerror(-res));
                return res;
            }
            if (!(flags & IORING_CQE_F_MORE))
                arm_wake(s);
            if (res > 0)
                dispatch(s->loop, NULL, OWSK_LOOP_IN);
            continue;
        }
        complete_watch(s, ud, res, dispatch);
    }
    return n;
}

const struct owsk_loop_backend_ops owsk_loop_uring_ops = {
    .name = "io_uring",
    .init = ur_init,
    .fini = ur_fini,
    .watch_update = ur_watch_update,
    .watch_remove = ur_watch_remove,
    .wait = ur_wait,
};

#endif
