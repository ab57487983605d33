/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loop tests, run by test-loop-epoll.c and test-loop-uring.c on their backend: task
 * order and exactly-once delivery, level-triggered watches, timers, loop identity, stop.
 * Loop threads never call CHECK (the tallies are not thread-safe): they record, main checks. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "owsk_test.h"
#include "loop/loop.h"

#define WAIT_MS 10000
#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* A task that posts a semaphore: once it runs, everything posted to that loop before it by
 * this thread (and by threads joined before) has run. */
struct sem_task {
    struct owsk_loop_task task;
    sem_t *sem;
};

static void sem_task_fn(struct owsk_loop_task *task)
{
    sem_post(((struct sem_task *)task)->sem);
}

static bool flush_loop(struct owsk_loop *loop)
{
    sem_t sem;
    struct sem_task st = { .task.fn = sem_task_fn, .sem = &sem };
    bool ok;

    sem_init(&sem, 0, 0);
    owsk_loop_post(loop, &st.task);
    ok = t_sem_wait_ms(&sem, WAIT_MS);
    sem_destroy(&sem);
    return ok;
}

/* ---- 4 posters x 10,000 tasks: exactly once, in per-poster order ---- */

#define POSTERS 4
#define PER_POSTER 10000

struct order_task {
    struct owsk_loop_task task;
    unsigned poster, seq;
    struct owsk_loop *loop;
};

static struct order_task order_tasks[POSTERS][PER_POSTER];
static unsigned order_runs[POSTERS][PER_POSTER]; /* __atomic */
/* Next expected seq per poster; only the poster's target loop thread touches its slot. */
static unsigned order_next[POSTERS];
static unsigned order_bad;       /* __atomic: out-of-order runs */
static unsigned order_wrong_loop; /* __atomic: ran on a thread other than the target loop */

static void order_fn(struct owsk_loop_task *task)
{
    struct order_task *t = (struct order_task *)task;

    if (owsk_loop_current() != t->loop)
        __atomic_fetch_add(&order_wrong_loop, 1, __ATOMIC_RELAXED);
    if (order_next[t->poster] != t->seq)
        __atomic_fetch_add(&order_bad, 1, __ATOMIC_RELAXED);
    order_next[t->poster] = t->seq + 1;
    __atomic_fetch_add(&order_runs[t->poster][t->seq], 1, __ATOMIC_RELAXED);
}

static void *poster_main(void *arg)
{
    unsigned p = (unsigned)(uintptr_t)arg;
    struct owsk_loop *loop = owsk_loop_get(p % owsk_loop_count());

    for (unsigned i = 0; i < PER_POSTER; i++) {
        struct order_task *t = &order_tasks[p][i];
        t->task.fn = order_fn;
        t->poster = p;
        t->seq = i;
        t->loop = loop;
        owsk_loop_post(loop, &t->task);
    }
    return NULL;
}

static void test_post_order(void)
{
    pthread_t th[POSTERS];
    unsigned once = 0;

    for (unsigned p = 0; p < POSTERS; p++)
        CHECK_INT(pthread_create(&th[p], NULL, poster_main, (void *)(uintptr_t)p), 0);
    for (unsigned p = 0; p < POSTERS; p++)
        pthread_join(th[p], NULL);
    for (unsigned i = 0; i < owsk_loop_count(); i++)
        CHECK(flush_loop(owsk_loop_get(i)));
    for (unsigned p = 0; p < POSTERS; p++)
        for (unsigned i = 0; i < PER_POSTER; i++)
            once += __atomic_load_n(&order_runs[p][i], __ATOMIC_RELAXED) == 1;
    CHECK_UINT(once, POSTERS * PER_POSTER);
    CHECK_UINT(__atomic_load_n(&order_bad, __ATOMIC_RELAXED), 0);
    CHECK_UINT(__atomic_load_n(&order_wrong_loop, __ATOMIC_RELAXED), 0);
}

/* ---- loop identity ---- */

struct ident_task {
    struct owsk_loop_task task;
    struct owsk_loop *seen;
    sem_t sem;
};

static void ident_fn(struct owsk_loop_task *task)
{
    struct ident_task *t = (struct ident_task *)task;

    t->seen = owsk_loop_current();
    sem_post(&t->sem);
}

static void test_identity(unsigned expect_count, const char *backend)
{
    unsigned n = owsk_loop_count();
    unsigned hits[8] = {0};

    CHECK_UINT(n, expect_count);
    CHECK_STR(owsk_loop_backend(), backend);
    CHECK(owsk_loop_system_running());
    CHECK(owsk_loop_current() == NULL);
    CHECK(owsk_loop_get(n) == NULL);
    for (unsigned i = 0; i < n; i++) {
        struct ident_task t = { .task.fn = ident_fn };
        struct owsk_loop *loop = owsk_loop_get(i);
        CHECK(loop != NULL);
        CHECK_UINT(owsk_loop_index(loop), i);
        sem_init(&t.sem, 0, 0);
        owsk_loop_post(loop, &t.task);
        CHECK(t_sem_wait_ms(&t.sem, WAIT_MS));
        CHECK(t.seen == loop);
        sem_destroy(&t.sem);
    }
    /* Round-robin: 2n picks visit every loop exactly twice. */
    for (unsigned i = 0; i < 2 * n && n <= 8; i++) {
        struct owsk_loop *loop = owsk_loop_next();
        CHECK(loop != NULL);
        if (loop)
            hits[owsk_loop_index(loop)]++;
    }
    for (unsigned i = 0; i < n && n <= 8; i++)
        CHECK_UINT(hits[i], 2);
}

/* ---- watches ---- */

struct watch_case {
    struct owsk_loop_watch w;
    struct owsk_loop *loop;
    unsigned fires;        /* __atomic */
    uint32_t last_revents; /* __atomic */
    unsigned clear_after;  /* clear want after this many fires (0 = never) */
    bool read_data;        /* drain the socket in the callback */
    sem_t sem;             /* posted when fires reaches clear_after, or on every HUP */
};

static void watch_cb(struct owsk_loop_watch *w, uint32_t revents)
{
    struct watch_case *c = (struct watch_case *)w;
    char buf[64];

    /* Atomic: main reads these after writing to the peer socket, an ordering TSan cannot see. */
    __atomic_fetch_add(&c->fires, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&c->last_revents, revents, __ATOMIC_RELAXED);
    if (c->read_data && (revents & OWSK_LOOP_IN))
        while (read(w->fd, buf, sizeof(buf)) > 0)
            ;
    if (revents & OWSK_LOOP_HUP) {
        owsk_loop_watch_set(c->loop, w, 0);
        sem_post(&c->sem);
        return;
    }
    if (c->clear_after && LOAD(c->fires) == c->clear_after) {
        owsk_loop_watch_set(c->loop, w, 0);
        sem_post(&c->sem);
    }
}

struct watch_op {
    struct owsk_loop_task task;
    struct watch_case *c;
    uint32_t want; /* ~0u = remove */
    int result;
    sem_t done;
};

static void watch_op_fn(struct owsk_loop_task *task)
{
    struct watch_op *op = (struct watch_op *)task;

    if (op->want == ~0u) {
        owsk_loop_watch_remove(&op->c->w);
        op->result = 0;
    } else {
        op->result = owsk_loop_watch_set(op->c->loop, &op->c->w, op->want);
    }
    sem_post(&op->done);
}

/* Runs watch_set/remove on the owner loop and waits for it; returns its result. */
static int watch_op(struct watch_case *c, uint32_t want)
{
    struct watch_op op = { .task.fn = watch_op_fn, .c = c, .want = want, .result = -ETIME };

    sem_init(&op.done, 0, 0);
    owsk_loop_post(c->loop, &op.task);
    if (!t_sem_wait_ms(&op.done, WAIT_MS))
        op.result = -ETIMEDOUT;
    sem_destroy(&op.done);
    return op.result;
}

/* Lets the loop go round its wait a few times, so a level-triggered fd would fire again. */
static void spin_loop(struct owsk_loop *loop)
{
    for (int i = 0; i < 3; i++)
        CHECK(flush_loop(loop));
}

static void test_watch_in(void)
{
    int sv[2];
    struct watch_case c;

    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    memset(&c, 0, sizeof(c));
    c.w.fd = sv[0];
    c.w.on_ready = watch_cb;
    c.loop = owsk_loop_get(owsk_loop_count() - 1);
    c.clear_after = 3;
    sem_init(&c.sem, 0, 0);

    CHECK_INT(watch_op(&c, OWSK_LOOP_IN), 0);
    spin_loop(c.loop);
    CHECK_UINT(LOAD(c.fires), 0); /* nothing to read yet */

    CHECK_INT(write(sv[1], "x", 1), 1);
    /* Level-triggered and never read: fires on every wait until want is cleared at 3. */
    CHECK(t_sem_wait_ms(&c.sem, WAIT_MS));
    spin_loop(c.loop);
    CHECK_UINT(LOAD(c.fires), 3);
    CHECK_UINT(LOAD(c.last_revents), OWSK_LOOP_IN);

    /* Interest back on: the unread byte is reported again; this time the callback reads. */
    c.clear_after = 4;
    c.read_data = true;
    CHECK_INT(watch_op(&c, OWSK_LOOP_IN), 0);
    CHECK(t_sem_wait_ms(&c.sem, WAIT_MS));
    CHECK_UINT(LOAD(c.fires), 4);
    CHECK_INT(watch_op(&c, OWSK_LOOP_IN), 0);
    spin_loop(c.loop);
    CHECK_UINT(LOAD(c.fires), 4); /* drained: level-triggered but not ready */

    /* Peer close: IN|HUP (read returns 0), then the callback clears the interest. */
    close(sv[1]);
    CHECK(t_sem_wait_ms(&c.sem, WAIT_MS));
    spin_loop(c.loop);
    CHECK_UINT(LOAD(c.fires), 5);
    CHECK(LOAD(c.last_revents) & OWSK_LOOP_HUP);
    CHECK(LOAD(c.last_revents) & OWSK_LOOP_IN);

    CHECK_INT(watch_op(&c, ~0u), 0);
    close(sv[0]);
    sem_destroy(&c.sem);
}

static void test_watch_out(void)
{
    int sv[2];
    struct watch_case c;

    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    memset(&c, 0, sizeof(c));
    c.w.fd = sv[0];
    c.w.on_ready = watch_cb;
    c.loop = owsk_loop_get(0);
    c.clear_after = 1;
    sem_init(&c.sem, 0, 0);
    /* An empty socket is writable at once; OUT alone reports OUT, not IN. */
    CHECK_INT(watch_op(&c, OWSK_LOOP_OUT), 0);
    CHECK(t_sem_wait_ms(&c.sem, WAIT_MS));
    CHECK_UINT(LOAD(c.last_revents), OWSK_LOOP_OUT);
    CHECK_INT(watch_op(&c, ~0u), 0);
    /* Removing twice is harmless, and a removed watch never fires. */
    CHECK_INT(watch_op(&c, ~0u), 0);
    CHECK_INT(write(sv[1], "y", 1), 1);
    spin_loop(c.loop);
    CHECK_UINT(LOAD(c.fires), 1);
    close(sv[0]);
    close(sv[1]);
    sem_destroy(&c.sem);
}

/* Two watches ready in the same wait: whichever runs first removes the other, which must then
 * not be called (its event may already sit in the backend's batch). */
struct pair_watch {
    struct owsk_loop_watch w;
    struct pair_watch *other;
    unsigned *fires;
    sem_t *sem;
};

static void pair_cb(struct owsk_loop_watch *w, uint32_t revents)
{
    struct pair_watch *p = (struct pair_watch *)w;

    __atomic_fetch_add(p->fires, 1, __ATOMIC_RELAXED);
    owsk_loop_watch_remove(&p->other->w);
    owsk_loop_watch_remove(&p->w);
    sem_post(p->sem);
}

struct pair_task {
    struct owsk_loop_task task;
    struct pair_watch *a, *b;
    int r1, r2;
    sem_t done;
};

static void pair_arm_fn(struct owsk_loop_task *task)
{
    struct pair_task *t = (struct pair_task *)task;
    struct owsk_loop *loop = owsk_loop_current();

    t->r1 = owsk_loop_watch_set(loop, &t->a->w, OWSK_LOOP_IN);
    t->r2 = owsk_loop_watch_set(loop, &t->b->w, OWSK_LOOP_IN);
    sem_post(&t->done);
}

static void test_watch_remove_in_batch(void)
{
    int s1[2], s2[2];
    unsigned fires = 0;
    sem_t sem;
    struct pair_watch a, b;
    struct pair_task t = { .task.fn = pair_arm_fn, .a = &a, .b = &b };
    struct owsk_loop *loop = owsk_loop_get(0);

    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s1), 0);
    CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s2), 0);
    /* Both readable before the interest is set, so both are in the first batch. */
    CHECK_INT(write(s1[1], "a", 1), 1);
    CHECK_INT(write(s2[1], "b", 1), 1);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.w.fd = s1[0];
    b.w.fd = s2[0];
    a.w.on_ready = b.w.on_ready = pair_cb;
    a.other = &b;
    b.other = &a;
    a.fires = b.fires = &fires;
    a.sem = b.sem = &sem;
    sem_init(&sem, 0, 0);
    sem_init(&t.done, 0, 0);
    owsk_loop_post(loop, &t.task);
    CHECK(t_sem_wait_ms(&t.done, WAIT_MS));
    CHECK_INT(t.r1, 0);
    CHECK_INT(t.r2, 0);
    CHECK(t_sem_wait_ms(&sem, WAIT_MS));
    spin_loop(loop);
    CHECK_UINT(LOAD(fires), 1);
    close(s1[0]);
    close(s1[1]);
    close(s2[0]);
    close(s2[1]);
    sem_destroy(&sem);
    sem_destroy(&t.done);
}

/* Many watches armed in one task: more polls than an io_uring submission queue holds, and
 * the backend's per-watch tables must grow. Each callback reads, removes itself, counts. */
#define MANY 300

struct many_watch {
    struct owsk_loop_watch w;
    int peer;
};

static struct many_watch many[MANY];
static unsigned many_fired; /* loop thread only until many_sem */
static int many_arm_errors; /* idem */
static sem_t many_sem;

static void many_cb(struct owsk_loop_watch *w, uint32_t revents)
{
    char c;

    if (read(w->fd, &c, 1) != 1)
        many_arm_errors++;
    owsk_loop_watch_remove(w);
    if (++many_fired == MANY)
        sem_post(&many_sem);
}

static void many_arm_fn(struct owsk_loop_task *task)
{
    for (unsigned i = 0; i < MANY; i++)
        if (owsk_loop_watch_set(owsk_loop_current(), &many[i].w, OWSK_LOOP_IN) < 0)
            many_arm_errors++;
    sem_post(&many_sem);
}

static void test_many_watches(void)
{
    struct owsk_loop_task task = { .fn = many_arm_fn };
    struct owsk_loop *loop = owsk_loop_get(1 % owsk_loop_count());
    unsigned made = 0;

    sem_init(&many_sem, 0, 0);
    for (unsigned i = 0; i < MANY; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
            break;
        memset(&many[i], 0, sizeof(many[i]));
        many[i].w.fd = sv[0];
        many[i].w.on_ready = many_cb;
        many[i].peer = sv[1];
        made++;
    }
    CHECK_UINT(made, MANY);
    if (made != MANY)
        return;
    owsk_loop_post(loop, &task);
    CHECK(t_sem_wait_ms(&many_sem, WAIT_MS));
    for (unsigned i = 0; i < MANY; i++)
        CHECK_INT(write(many[i].peer, "m", 1), 1);
    CHECK(t_sem_wait_ms(&many_sem, WAIT_MS));
    spin_loop(loop);
    CHECK_UINT(many_fired, MANY);
    CHECK_INT(many_arm_errors, 0);
    for (unsigned i = 0; i < MANY; i++) {
        close(many[i].w.fd);
        close(many[i].peer);
    }
    sem_destroy(&many_sem);
}

/* ---- timers ---- */

#define NTIMERS 6

struct timer_case {
    struct owsk_loop_timer t;
    unsigned id;
    uint64_t delay, armed_at, fired_at;
};

static struct timer_case timers[NTIMERS];
static unsigned timer_order[NTIMERS + 2], timer_fired; /* loop thread only until the sem */
static struct owsk_loop_timer cancelled, rearmed;
static unsigned cancelled_fires, rearmed_fires;
static sem_t timer_sem;

static void timer_fn(struct owsk_loop_timer *t)
{
    struct timer_case *c = (struct timer_case *)t;

    c->fired_at = t_now_ms();
    timer_order[timer_fired++] = c->id;
    if (timer_fired == NTIMERS)
        sem_post(&timer_sem);
}

static void cancelled_fn(struct owsk_loop_timer *t)
{
    cancelled_fires++;
}

static void rearmed_fn(struct owsk_loop_timer *t)
{
    /* Re-arming from its own callback must work (the timer is disarmed before fn runs). */
    if (++rearmed_fires < 3)
        owsk_loop_timer_arm(owsk_loop_current(), t, 1);
}

static void timer_arm_fn(struct owsk_loop_task *task)
{
    /* Delays in arming order; ids are the expected firing order. */
    static const uint64_t delays[NTIMERS] = {30, 10, 50, 0, 20, 40};
    static const unsigned ids[NTIMERS] = {3, 1, 5, 0, 2, 4};
    struct owsk_loop *loop = owsk_loop_current();

    for (unsigned i = 0; i < NTIMERS; i++) {
        timers[i].t.fn = timer_fn;
        timers[i].id = ids[i];
        timers[i].delay = delays[i];
        timers[i].armed_at = t_now_ms();
        owsk_loop_timer_arm(loop, &timers[i].t, delays[i]);
    }
    cancelled.fn = cancelled_fn;
    owsk_loop_timer_arm(loop, &cancelled, 15);
    owsk_loop_timer_arm(loop, &cancelled, 25); /* re-arm moves it */
    owsk_loop_timer_cancel(loop, &cancelled);
    owsk_loop_timer_cancel(loop, &cancelled); /* idempotent */
    rearmed.fn = rearmed_fn;
    owsk_loop_timer_arm(loop, &rearmed, 5);
}

static void test_timers(void)
{
    struct owsk_loop_task task = { .fn = timer_arm_fn };
    struct owsk_loop *loop = owsk_loop_get(0);

    sem_init(&timer_sem, 0, 0);
    owsk_loop_post(loop, &task);
    CHECK(t_sem_wait_ms(&timer_sem, WAIT_MS));
    CHECK(flush_loop(loop));
    CHECK_UINT(timer_fired, NTIMERS);
    for (unsigned i = 0; i < NTIMERS; i++) {
        CHECK_UINT(timer_order[i], i);
        CHECK(timers[i].fired_at >= timers[i].armed_at + timers[i].delay);
        CHECK_UINT(timers[i].t.heap_index, 0);
    }
    CHECK_UINT(cancelled_fires, 0);
    CHECK_UINT(cancelled.heap_index, 0);
    CHECK_UINT(rearmed_fires, 3);
    sem_destroy(&timer_sem);
}

/* ---- stop runs what was queued; start again works ---- */

static unsigned stop_runs; /* __atomic */

static void stop_count_fn(struct owsk_loop_task *task)
{
    __atomic_fetch_add(&stop_runs, 1, __ATOMIC_RELAXED);
}

static void test_stop_drains(const char *backend)
{
    static struct owsk_loop_task tasks[1000];

    for (unsigned i = 0; i < 1000; i++) {
        tasks[i].fn = stop_count_fn;
        owsk_loop_post(owsk_loop_get(i % owsk_loop_count()), &tasks[i]);
    }
    owsk_loop_system_stop();
    CHECK(!owsk_loop_system_running());
    CHECK_UINT(__atomic_load_n(&stop_runs, __ATOMIC_RELAXED), 1000);
    CHECK(owsk_loop_get(0) == NULL);
    CHECK(owsk_loop_next() == NULL);
    owsk_loop_system_stop(); /* idempotent */

    /* Count from the environment when the argument is 0. */
    setenv("OWSK_LOOPS", "3", 1);
    CHECK_INT(owsk_loop_system_start(0), 0);
    CHECK_INT(owsk_loop_system_start(5), 0); /* already running: no-op */
    test_identity(3, backend);
    owsk_loop_system_stop();
    unsetenv("OWSK_LOOPS");
}

/* The whole suite on one backend: "epoll" or "io_uring". Returns false, having run no
 * check, if the backend cannot start and may_skip (io_uring: the caller exits 77). */
static bool run_loop_tests(const char *backend, bool may_skip)
{
    int r;

    setenv("OWSK_LOOP", backend, 1);
    r = owsk_loop_system_start(2);
    if (r < 0) {
        fprintf(stderr, "%s backend unavailable: %s\n", backend, strerror(-r));
        if (may_skip)
            return false;
        CHECK_INT(r, 0);
        return true;
    }
    test_identity(2, backend);
    test_post_order();
    test_watch_in();
    test_watch_out();
    test_watch_remove_in_batch();
    test_many_watches();
    test_timers();
    test_stop_drains(backend);
    return true;
}
