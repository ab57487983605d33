/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loops: one thread per CPU (configurable), each owning the sockets assigned to it
 * for their whole life. The seam to src/wsk is small: posted tasks, fd readiness watches and
 * timers. Knows nothing of IRPs or WSK; the backend (epoll, io_uring) is chosen at run time. */
#ifndef OWSK_LOOP_H
#define OWSK_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct owsk_loop;

/* A unit of work handed to a loop from any thread (lock-free MPSC queue + eventfd wake-up).
 * The caller owns the memory (embed it in a request/socket) until fn has started. */
struct owsk_loop_task {
    struct owsk_loop_task *next; /* private to the loop */
    void (*fn)(struct owsk_loop_task *task);
};

#define OWSK_LOOP_IN 0x1u   /* readable, or a connection to accept */
#define OWSK_LOOP_OUT 0x2u  /* writable, or a connect finished */
#define OWSK_LOOP_ERR 0x4u  /* error or hang-up; reported whatever was asked */
#define OWSK_LOOP_HUP 0x8u  /* peer closed (EPOLLRDHUP/EPOLLHUP) */

/* Interest in one fd's readiness. Level-triggered: on_ready keeps being called while the fd
 * is ready for something in `want`, so a callback that cannot make progress must clear the
 * bit with owsk_loop_watch_set(). */
struct owsk_loop_watch {
    int fd;
    void (*on_ready)(struct owsk_loop_watch *w, uint32_t revents);
    /* private to the loop */
    struct owsk_loop *loop;
    uint32_t want;
    uint32_t registered;
};

/* A one-shot timer on a loop. */
struct owsk_loop_timer {
    void (*fn)(struct owsk_loop_timer *timer);
    /* private to the loop */
    uint64_t due_ms;
    unsigned heap_index; /* 0 = not armed */
};

/* Starts the loops once (later calls are no-ops). count 0 = OWSK_LOOPS from the environment,
 * else the number of online CPUs. Backend: io_uring where it works, epoll otherwise or when
 * OWSK_LOOP=epoll. Returns 0 or a negative errno. */
int owsk_loop_system_start(unsigned count);
/* Stops and joins every loop thread; tasks still queued are run first. */
void owsk_loop_system_stop(void);
bool owsk_loop_system_running(void);
unsigned owsk_loop_count(void);
const char *owsk_loop_backend(void); /* "epoll" or "io_uring" */

struct owsk_loop *owsk_loop_get(unsigned index);
/* The loop a new socket should live on (round-robin). */
struct owsk_loop *owsk_loop_next(void);
/* The loop whose thread is calling, or NULL when called from any other thread. */
struct owsk_loop *owsk_loop_current(void);
unsigned owsk_loop_index(const struct owsk_loop *loop);

/* Any thread. Runs task->fn on the loop's thread, in posting order per poster. */
void owsk_loop_post(struct owsk_loop *loop, struct owsk_loop_task *task);

/* Owner thread only. Sets the interest of w->fd on `loop` (0 = none, the fd stays known).
 * Returns 0 or a negative errno. */
int owsk_loop_watch_set(struct owsk_loop *loop, struct owsk_loop_watch *w, uint32_t want);
/* Owner thread only. Forgets the watch; call before closing the fd. */
void owsk_loop_watch_remove(struct owsk_loop_watch *w);

/* Owner thread only. (Re)arms the timer to fire after delay_ms; cancel is idempotent. */
void owsk_loop_timer_arm(struct owsk_loop *loop, struct owsk_loop_timer *t, uint64_t delay_ms);
void owsk_loop_timer_cancel(struct owsk_loop *loop, struct owsk_loop_timer *t);

/* The backend interface: one file per backend in src/loop/. */
struct owsk_loop_backend_ops {
    const char *name;
    /* Prepare per-loop state; wake_fd is the loop's eventfd, always watched for IN. */
    int (*init)(struct owsk_loop *loop, int wake_fd, void **ret_state);
    void (*fini)(void *state);
    int (*watch_update)(void *state, struct owsk_loop_watch *w, uint32_t want);
    void (*watch_remove)(void *state, struct owsk_loop_watch *w);
    /* Wait up to timeout_ms (-1 = forever) and call dispatch(loop, w, revents) for each ready
     * watch (w == NULL for the wake fd). Returns events handled or a negative errno. */
    int (*wait)(void *state, int timeout_ms,
                void (*dispatch)(struct owsk_loop *loop, struct owsk_loop_watch *w,
                                 uint32_t revents));
};

#endif
