/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backend-neutral event loop: one thread per loop, an intrusive lock-free MPSC task queue
 * woken through an eventfd, a timer min-heap per loop, backend selection at start.
 * Leaves out: tasks posted after owsk_loop_system_stop() has drained a loop are never run. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "owsk_config.h"
#include "core/core.h"
#include "loop/loop.h"
#include "loop/loop_backend.h"

#define MAX_LOOPS 256
/* Tasks run per iteration before the loop looks at I/O again, so a task that keeps posting
 * to its own loop cannot starve sockets and timers. */
#define TASK_BATCH 1024

struct owsk_loop {
    unsigned index;
    pthread_t thread;
    int wake_fd;
    void *state; /* the backend's */

    /* Vyukov's intrusive MPSC queue: producers exchange `head`, the loop thread alone walks
     * from `tail`. `stub` keeps the queue non-empty so push is one exchange and one store. */
    struct owsk_loop_task *head; /* __atomic_* only */
    struct owsk_loop_task *tail; /* loop thread only */
    struct owsk_loop_task stub;
    /* 1 while an eventfd write is outstanding or the loop is about to drain: producers write
     * the eventfd only on the 0 -> 1 transition (see post()). */
    int wake_pending; /* __atomic_* only */

    /* Loop thread only. */
    bool stopping;
    struct owsk_loop_task stop_task;
    struct owsk_loop_timer **heap; /* 1-based min-heap on due_ms; heap[0] unused */
    unsigned heap_len, heap_cap;
};

/* The set of loops. Written by start/stop under sys_lock; read without it by the loops and by
 * callers, which may only use the loops between a start and the matching stop. */
static pthread_mutex_t sys_lock = PTHREAD_MUTEX_INITIALIZER;
static struct owsk_loop *loops[MAX_LOOPS];
static unsigned loop_count;
static bool sys_running; /* __atomic_* only */
static unsigned next_rr;   /* __atomic_* only */
static const struct owsk_loop_backend_ops *backend;

static _Thread_local struct owsk_loop *current_loop;

#define OWNER_ONLY(loop)                                                                   \
    do {                                                                                   \
        if (current_loop != (loop)) {                                                      \
            OWSK_ERR(OWSK_CH_LOOP, "loop %p used from a thread that does not own it",       \
                     (void *)(loop));                                                      \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* ---- task queue ---- */

static void queue_push(struct owsk_loop *loop, struct owsk_loop_task *task)
{
    struct owsk_loop_task *prev;

    __atomic_store_n(&task->next, NULL, __ATOMIC_RELAXED);
    prev = __atomic_exchange_n(&loop->head, task, __ATOMIC_SEQ_CST);
    /* Between the exchange and this store the queue is briefly cut: the consumer sees the
     * end of the queue at prev and waits for our wake-up, which follows the store. */
    __atomic_store_n(&prev->next, task, __ATOMIC_SEQ_CST);
}

/* Thread: owner loop. Returns the oldest task, or NULL if empty or a push is half done. */
static struct owsk_loop_task *queue_pop(struct owsk_loop *loop)
{
    struct owsk_loop_task *tail = loop->tail;
    struct owsk_loop_task *next = __atomic_load_n(&tail->next, __ATOMIC_SEQ_CST);

    if (tail == &loop->stub) {
        if (!next)
            return NULL;
        loop->tail = next;
        tail = next;
        next = __atomic_load_n(&next->next, __ATOMIC_SEQ_CST);
    }
    if (next) {
        loop->tail = next;
        return tail;
    }
    if (tail != __atomic_load_n(&loop->head, __ATOMIC_SEQ_CST))
        return NULL; /* a producer is between its exchange and its store */
    queue_push(loop, &loop->stub);
    next = __atomic_load_n(&tail->next, __ATOMIC_SEQ_CST);
    if (next) {
        loop->tail = next;
        return tail;
    }
    return NULL;
}

void owsk_loop_post(struct owsk_loop *loop, struct owsk_loop_task *task)
{
    uint64_t one = 1;

    queue_push(loop, task);
    /* The loop clears wake_pending before it drains. If we see 1 the loop has not cleared it
     * yet and will find our task; if we see 0 we owe it a wake-up. A drain stopped by a
     * half-done push is followed by that producer's own exchange here, which then sees 0. */
    if (__atomic_exchange_n(&loop->wake_pending, 1, __ATOMIC_SEQ_CST))
        return;
    while (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
}

/* Thread: owner loop. Runs up to max tasks; returns true if it stopped with tasks left. */
static bool run_tasks(struct owsk_loop *loop, unsigned max)
{
    struct owsk_loop_task *task;
    unsigned n = 0;

    while (n < max && (task = queue_pop(loop))) {
        task->fn(task);
        n++;
    }
    return n == max;
}

/* ---- timers ---- */

static void heap_place(struct owsk_loop *loop, unsigned i, struct owsk_loop_timer *t)
{
    loop->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(struct owsk_loop *loop, unsigned i)
{
    struct owsk_loop_timer *t = loop->heap[i];

    while (i > 1 && loop->heap[i / 2]->due_ms > t->due_ms) {
        heap_place(loop, i, loop->heap[i / 2]);
        i /= 2;
    }
    heap_place(loop, i, t);
}

static void heap_down(struct owsk_loop *loop, unsigned i)
{
    struct owsk_loop_timer *t = loop->heap[i];

    for (;;) {
        unsigned c = i * 2;
        if (c > loop->heap_len)
            break;
        if (c + 1 <= loop->heap_len && loop->heap[c + 1]->due_ms < loop->heap[c]->due_ms)
            c++;
        if (loop->heap[c]->due_ms >= t->due_ms)
            break;
        heap_place(loop, i, loop->heap[c]);
        i = c;
    }
    heap_place(loop, i, t);
}

static void heap_remove(struct owsk_loop *loop, struct owsk_loop_timer *t)
{
    unsigned i = t->heap_index;
    struct owsk_loop_timer *last = loop->heap[loop->heap_len--];

    t->heap_index = 0;
    if (last == t)
        return;
    heap_place(loop, i, last);
    heap_up(loop, i);
    heap_down(loop, last->heap_index);
}

void owsk_loop_timer_cancel(struct owsk_loop *loop, struct owsk_loop_timer *t)
{
    OWNER_ONLY(loop);
    if (!t->heap_index)
        return;
    if (t->heap_index > loop->heap_len || loop->heap[t->heap_index] != t) {
        OWSK_ERR(OWSK_CH_LOOP, "timer %p is armed on another loop than %p", (void *)t,
                 (void *)loop);
        abort();
    }
    heap_remove(loop, t);
}

void owsk_loop_timer_arm(struct owsk_loop *loop, struct owsk_loop_timer *t, uint64_t delay_ms)
{
    OWNER_ONLY(loop);
    owsk_loop_timer_cancel(loop, t);
    if (loop->heap_len + 1 >= loop->heap_cap) {
        unsigned cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
        struct owsk_loop_timer **h = realloc(loop->heap, cap * sizeof(*h));
        if (!h) {
            /* The contract has no failure path and a lost timer would hang its owner. */
            OWSK_ERR(OWSK_CH_LOOP, "out of memory growing the timer heap of loop %u",
                     loop->index);
            abort();
        }
        loop->heap = h;
        loop->heap_cap = cap;
    }
    t->due_ms = owsk_now_ms() + delay_ms;
    loop->heap[++loop->heap_len] = t;
    heap_up(loop, loop->heap_len);
}

/* Thread: owner loop. Fires every due timer (each is disarmed before its fn runs, so fn may
 * re-arm it); returns the wait timeout until the next one, -1 if none. */
static int run_timers(struct owsk_loop *loop)
{
    for (;;) {
        struct owsk_loop_timer *t;
        uint64_t now;

        if (!loop->heap_len)
            return -1;
        t = loop->heap[1];
        now = owsk_now_ms();
        if (t->due_ms > now) {
            uint64_t d = t->due_ms - now;
            return d > 60000 ? 60000 : (int)d;
        }
        heap_remove(loop, t);
        t->fn(t);
    }
}

/* ---- watches ---- */

int owsk_loop_watch_set(struct owsk_loop *loop, struct owsk_loop_watch *w, uint32_t want)
{
    int r;

    OWNER_ONLY(loop);
    if (w->loop && w->loop != loop)
        return -EXDEV;
    want &= OWSK_LOOP_IN | OWSK_LOOP_OUT;
    r = backend->watch_update(loop->state, w, want);
    if (r < 0)
        return r;
    w->loop = loop;
    w->want = want;
    return 0;
}

void owsk_loop_watch_remove(struct owsk_loop_watch *w)
{
    if (!w->loop)
        return;
    OWNER_ONLY(w->loop);
    backend->watch_remove(w->loop->state, w);
    w->loop = NULL;
    w->want = 0;
    w->registered = 0;
}

/* Thread: owner loop, called by the backend's wait for each ready watch. */
static void dispatch(struct owsk_loop *loop, struct owsk_loop_watch *w, uint32_t revents)
{
    if (!w) {
        uint64_t v;
        /* Clear before the drain that follows this wait (see owsk_loop_post). */
        while (read(loop->wake_fd, &v, sizeof(v)) < 0 && errno == EINTR)
            ;
        __atomic_store_n(&loop->wake_pending, 0, __ATOMIC_SEQ_CST);
        return;
    }
    /* A callback earlier in this batch may have narrowed the interest. */
    if (!w->want)
        return;
    revents &= w->want | OWSK_LOOP_ERR | OWSK_LOOP_HUP;
    if (revents)
        w->on_ready(w, revents);
}

/* ---- the loop thread ---- */

/* Thread: owner loop (run as a task). */
static void stop_fn(struct owsk_loop_task *task)
{
    struct owsk_loop *loop = (struct owsk_loop *)((char *)task -
                                                  offsetof(struct owsk_loop, stop_task));
    loop->stopping = true;
}

/* Thread: the loop's own, the owner of every watch, timer and task on it. Locks: none held;
 * handlers run one at a time, in this thread. */
static void *loop_main(void *arg)
{
    struct owsk_loop *loop = arg;
    char name[16];

    current_loop = loop;
    snprintf(name, sizeof(name), "owsk-loop-%u", loop->index);
    pthread_setname_np(pthread_self(), name);

    while (!loop->stopping) {
        bool more = run_tasks(loop, TASK_BATCH);
        int timeout = run_timers(loop);
        int r;

        if (loop->stopping)
            break;
        r = backend->wait(loop->state, more ? 0 : timeout, dispatch);
        if (r < 0 && r != -EINTR) {
            OWSK_ERR(OWSK_CH_LOOP, "loop %u: %s wait failed: %s", loop->index, backend->name,
                     strerror(-r));
            abort(); /* the sockets on this loop would hang forever */
        }
    }
    /* Stop means "after everything posted so far": run what is left, including tasks those
     * tasks post. */
    while (run_tasks(loop, TASK_BATCH))
        ;
    current_loop = NULL;
    return NULL;
}

static void loop_free(struct owsk_loop *loop)
{
    if (!loop)
        return;
    if (loop->state)
        backend->fini(loop->state);
    if (loop->wake_fd >= 0)
        close(loop->wake_fd);
    free(loop->heap);
    free(loop);
}

static int loop_create(unsigned index, struct owsk_loop **ret_loop)
{
    struct owsk_loop *loop = calloc(1, sizeof(*loop));
    int r;

    if (!loop)
        return -ENOMEM;
    loop->index = index;
    loop->head = &loop->stub;
    loop->tail = &loop->stub;
    loop->stop_task.fn = stop_fn;
    loop->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (loop->wake_fd < 0) {
        r = -errno;
        free(loop);
        return r;
    }
    r = backend->init(loop, loop->wake_fd, &loop->state);
    if (r < 0) {
        loop->state = NULL;
        loop_free(loop);
        return r;
    }
    *ret_loop = loop;
    return 0;
}

static unsigned default_count(void)
{
    const char *env = getenv("OWSK_LOOPS");
    long n;

    if (env && *env) {
        char *end;
        n = strtol(env, &end, 10);
        if (*end == '\0' && n > 0)
            return n > MAX_LOOPS ? MAX_LOOPS : (unsigned)n;
        OWSK_WARN(OWSK_CH_LOOP, "ignoring OWSK_LOOPS=\"%s\" (want a positive number)", env);
    }
    n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > MAX_LOOPS ? MAX_LOOPS : (unsigned)n;
}

/* Which backend to try first, and whether falling back to epoll is allowed. */
static const struct owsk_loop_backend_ops *choose_backend(bool *ret_forced)
{
    const char *env = getenv("OWSK_LOOP");

    *ret_forced = false;
    if (env && !strcmp(env, "epoll")) {
        *ret_forced = true;
        return &owsk_loop_epoll_ops;
    }
#if OWSK_LOOP_HAVE_URING
    if (env && (!strcmp(env, "io_uring") || !strcmp(env, "uring"))) {
        *ret_forced = true;
        return &owsk_loop_uring_ops;
    }
    if (env && *env)
        OWSK_WARN(OWSK_CH_LOOP, "unknown OWSK_LOOP=\"%s\" (epoll or io_uring)", env);
    {
        const char *why;
        static bool told; /* under sys_lock */
        if (owsk_loop_uring_probe(&why) == 0)
            return &owsk_loop_uring_ops;
        if (!told) {
            /* Said once, as libuv does: containers commonly forbid io_uring. */
            OWSK_INFO(OWSK_CH_LOOP, "io_uring not used: %s; using epoll", why);
            told = true;
        }
    }
#else
    if (env && !strcmp(env, "io_uring")) {
        *ret_forced = true;
        return NULL; /* built without liburing */
    }
    if (env && *env)
        OWSK_WARN(OWSK_CH_LOOP, "unknown OWSK_LOOP=\"%s\" (epoll or io_uring)", env);
#endif
    return &owsk_loop_epoll_ops;
}

static void destroy_loops(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        loop_free(loops[i]);
        loops[i] = NULL;
    }
}

static int start_locked(unsigned count)
{
    bool forced;
    unsigned i, started;
    int r = 0;

    backend = choose_backend(&forced);
    if (!backend)
        return -ENOSYS;
    if (!count)
        count = default_count();
    if (count > MAX_LOOPS)
        count = MAX_LOOPS;

    for (i = 0; i < count; i++) {
        r = loop_create(i, &loops[i]);
        if (r < 0)
            break;
    }
    if (r < 0 && backend != &owsk_loop_epoll_ops && !forced) {
        /* The probe passed but a ring could not be set up for every loop (e.g. the locked
         * memory limit): use epoll everywhere rather than mixing backends. */
        OWSK_INFO(OWSK_CH_LOOP, "io_uring setup failed for loop %u (%s); using epoll", i,
                  strerror(-r));
        destroy_loops(i);
        backend = &owsk_loop_epoll_ops;
        for (i = 0, r = 0; i < count; i++) {
            r = loop_create(i, &loops[i]);
            if (r < 0)
                break;
        }
    }
    if (r < 0) {
        destroy_loops(i);
        return r;
    }

    for (started = 0; started < count; started++) {
        r = -pthread_create(&loops[started]->thread, NULL, loop_main, loops[started]);
        if (r < 0)
            break;
    }
    loop_count = started;
    if (r < 0) {
        for (i = 0; i < started; i++)
            owsk_loop_post(loops[i], &loops[i]->stop_task);
        for (i = 0; i < started; i++)
            pthread_join(loops[i]->thread, NULL);
        destroy_loops(count);
        loop_count = 0;
        return r;
    }
    OWSK_INFO(OWSK_CH_LOOP, "%u loops on %s", count, backend->name);
    return 0;
}

int owsk_loop_system_start(unsigned count)
{
    int r = 0;

    pthread_mutex_lock(&sys_lock);
    if (!__atomic_load_n(&sys_running, __ATOMIC_ACQUIRE)) {
        r = start_locked(count);
        if (r == 0)
            __atomic_store_n(&sys_running, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&sys_lock);
    return r;
}

void owsk_loop_system_stop(void)
{
    if (current_loop) {
        /* Joining ourselves would deadlock. */
        OWSK_ERR(OWSK_CH_LOOP, "owsk_loop_system_stop called on loop thread %u",
                 current_loop->index);
        abort();
    }
    pthread_mutex_lock(&sys_lock);
    if (__atomic_load_n(&sys_running, __ATOMIC_ACQUIRE)) {
        unsigned n = loop_count;
        for (unsigned i = 0; i < n; i++)
            owsk_loop_post(loops[i], &loops[i]->stop_task);
        for (unsigned i = 0; i < n; i++)
            pthread_join(loops[i]->thread, NULL);
        __atomic_store_n(&sys_running, false, __ATOMIC_RELEASE);
        loop_count = 0;
        destroy_loops(n);
    }
    pthread_mutex_unlock(&sys_lock);
}

bool owsk_loop_system_running(void)
{
    return __atomic_load_n(&sys_running, __ATOMIC_ACQUIRE);
}

unsigned owsk_loop_count(void)
{
    return owsk_loop_system_running() ? loop_count : 0;
}

const char *owsk_loop_backend(void)
{
    return owsk_loop_system_running() ? backend->name : NULL;
}

struct owsk_loop *owsk_loop_get(unsigned index)
{
    return owsk_loop_system_running() && index < loop_count ? loops[index] : NULL;
}

struct owsk_loop *owsk_loop_next(void)
{
    if (!owsk_loop_system_running() || !loop_count)
        return NULL;
    return loops[__atomic_fetch_add(&next_rr, 1, __ATOMIC_RELAXED) % loop_count];
}

struct owsk_loop *owsk_loop_current(void)
{
    return current_loop;
}

unsigned owsk_loop_index(const struct owsk_loop *loop)
{
    return loop->index;
}
