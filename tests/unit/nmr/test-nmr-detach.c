/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NMR detach: a detach callback returning STATUS_PENDING and completed later from another
 * thread, NmrWaitFor*DeregisterComplete returning only after that completion and the
 * cleanup callbacks, completion from inside the detach callback, and both sides
 * deregistering at once (each detach callback still called exactly once). Expected
 * behaviour from the NMR guide (network-module-detachment) and the netioddk.h DDI pages. */
#include "nmr_modules.h"

/* A thread that calls NmrWaitFor{Client,Provider}DeregisterComplete and records what it
 * saw the moment the wait returned. */
struct waiter {
    pthread_t thread;
    HANDLE handle;
    bool client;
    NTSTATUS status;
    LONG *complete_called; /* set by the completer before it completes */
    LONG *cleanups;        /* cleanup count to sample on return */
    LONG *cleanups2;
    LONG seen_complete, seen_cleanups;
    sem_t started, returned;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;

    sem_post(&w->started);
    w->status = w->client ? NmrWaitForClientDeregisterComplete(w->handle)
                          : NmrWaitForProviderDeregisterComplete(w->handle);
    w->seen_complete = LOAD(*w->complete_called);
    w->seen_cleanups = LOAD(*w->cleanups) + LOAD(*w->cleanups2);
    sem_post(&w->returned);
    return NULL;
}

/* Completes a pending detach from its own thread once told to. */
struct completer {
    pthread_t thread;
    HANDLE binding;
    bool client;
    LONG called;
    sem_t go;
};

static void *completer_main(void *arg)
{
    struct completer *c = arg;

    if (!t_sem_wait_ms(&c->go, 10000))
        return NULL;
    __atomic_store_n(&c->called, 1, __ATOMIC_SEQ_CST);
    if (c->client)
        NmrClientDetachProviderComplete(c->binding);
    else
        NmrProviderDetachClientComplete(c->binding);
    return NULL;
}

static void register_pair(CLIENT_CONTEXT *c)
{
    client_init(c);
    CHECK_STATUS(NmrRegisterProvider(&ProviderCharacteristics, &Provider,
                                     &Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_STATUS(NmrRegisterClient(&ClientCharacteristics, c, &c->NmrClientHandle),
                 STATUS_SUCCESS);
    CHECK_INT(LOAD(c->Binding.Attached), 1);
}

/* One side's detach pends; the deregistering side's wait holds until the completion. */
static void pending_case(bool client_pends, bool client_deregisters)
{
    CLIENT_CONTEXT c;
    PROVIDER_BINDING *pb;
    struct completer comp = { .client = client_pends };
    struct waiter w = { .client = client_deregisters };

    reset_modules();
    register_pair(&c);
    pb = provider_binding_for(c.Binding.NmrBindingHandle);
    CHECK(pb != NULL);
    if (!pb)
        return;
    if (client_pends)
        ClientDetachResult = STATUS_PENDING;
    else
        ProviderDetachResult = STATUS_PENDING;

    comp.binding = c.Binding.NmrBindingHandle;
    sem_init(&comp.go, 0, 0);
    CHECK_INT(pthread_create(&comp.thread, NULL, completer_main, &comp), 0);

    w.handle = client_deregisters ? c.NmrClientHandle : Provider.NmrProviderHandle;
    w.complete_called = &comp.called;
    w.cleanups = &c.Binding.CleanupCalls;
    w.cleanups2 = &pb->CleanupCalls;
    sem_init(&w.started, 0, 0);
    sem_init(&w.returned, 0, 0);

    if (client_deregisters)
        CHECK_STATUS(NmrDeregisterClient(c.NmrClientHandle), STATUS_PENDING);
    else
        CHECK_STATUS(NmrDeregisterProvider(Provider.NmrProviderHandle), STATUS_PENDING);
    CHECK_INT(LOAD(c.Binding.DetachCalls), 1);
    CHECK_INT(LOAD(pb->DetachCalls), 1);
    CHECK_INT(LOAD(c.Binding.CleanupCalls), 0); /* one side still pending */
    CHECK_INT(LOAD(pb->CleanupCalls), 0);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 1);

    CHECK_INT(pthread_create(&w.thread, NULL, waiter_main, &w), 0);
    CHECK(t_sem_wait_ms(&w.started, 10000));
    /* The wait must still be blocked: a deadline, not a sleep, bounds this check. */
    CHECK(!t_sem_wait_ms(&w.returned, 200));

    sem_post(&comp.go);
    CHECK(t_sem_wait_ms(&w.returned, 10000));
    pthread_join(w.thread, NULL);
    pthread_join(comp.thread, NULL);
    CHECK_STATUS(w.status, STATUS_SUCCESS);
    CHECK_INT(w.seen_complete, 1);  /* returned after the completion... */
    CHECK_INT(w.seen_cleanups, 2);  /* ...and after both cleanup callbacks */
    CHECK_INT(LOAD(c.Binding.DetachCalls), 1);
    CHECK_INT(LOAD(pb->DetachCalls), 1);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 0);

    /* The other side is still registered; it leaves with nothing to detach. */
    reset_modules();
    if (client_deregisters) {
        CHECK_STATUS(NmrDeregisterProvider(Provider.NmrProviderHandle), STATUS_PENDING);
        CHECK_STATUS(NmrWaitForProviderDeregisterComplete(Provider.NmrProviderHandle),
                     STATUS_SUCCESS);
    } else {
        CHECK_STATUS(NmrDeregisterClient(c.NmrClientHandle), STATUS_PENDING);
        CHECK_STATUS(NmrWaitForClientDeregisterComplete(c.NmrClientHandle), STATUS_SUCCESS);
    }
    CHECK_INT(LOAD(c.Binding.DetachCalls), 1);
    CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
    sem_destroy(&comp.go);
    sem_destroy(&w.started);
    sem_destroy(&w.returned);
}

/* Both detach callbacks complete from inside themselves, then return STATUS_PENDING. */
static void test_complete_inside_detach(void)
{
    CLIENT_CONTEXT c;

    reset_modules();
    register_pair(&c);
    ClientDetachResult = STATUS_PENDING;
    ProviderDetachResult = STATUS_PENDING;
    ClientCompletesInsideDetach = TRUE;
    ProviderCompletesInsideDetach = TRUE;
    CHECK_STATUS(NmrDeregisterClient(c.NmrClientHandle), STATUS_PENDING);
    CHECK_INT(c.Binding.CleanupCalls, 1);
    CHECK_UINT(owsk_nmr_bindings_outstanding(), 0);
    CHECK_STATUS(NmrWaitForClientDeregisterComplete(c.NmrClientHandle), STATUS_SUCCESS);
    CHECK_STATUS(NmrDeregisterProvider(Provider.NmrProviderHandle), STATUS_PENDING);
    CHECK_STATUS(NmrWaitForProviderDeregisterComplete(Provider.NmrProviderHandle),
                 STATUS_SUCCESS);
    CHECK_INT(c.Binding.DetachCalls, 1);
}

/* Both sides deregister from two threads at once: still one detach call per side. */
struct dereg_thread {
    pthread_t thread;
    HANDLE handle;
    bool client;
    NTSTATUS dereg, wait;
    sem_t *start;
};

static void *dereg_main(void *arg)
{
    struct dereg_thread *d = arg;

    t_sem_wait_ms(d->start, 10000);
    if (d->client) {
        d->dereg = NmrDeregisterClient(d->handle);
        d->wait = NmrWaitForClientDeregisterComplete(d->handle);
    } else {
        d->dereg = NmrDeregisterProvider(d->handle);
        d->wait = NmrWaitForProviderDeregisterComplete(d->handle);
    }
    return NULL;
}

static void test_both_deregister(void)
{
    for (int round = 0; round < 50; round++) {
        CLIENT_CONTEXT c;
        PROVIDER_BINDING *pb;
        sem_t start;
        struct dereg_thread dc = { .client = true, .start = &start };
        struct dereg_thread dp = { .client = false, .start = &start };

        reset_modules();
        register_pair(&c);
        pb = provider_binding_for(c.Binding.NmrBindingHandle);
        CHECK(pb != NULL);
        if (!pb)
            return;
        sem_init(&start, 0, 0);
        dc.handle = c.NmrClientHandle;
        dp.handle = Provider.NmrProviderHandle;
        pthread_create(&dc.thread, NULL, dereg_main, &dc);
        pthread_create(&dp.thread, NULL, dereg_main, &dp);
        sem_post(&start);
        sem_post(&start);
        pthread_join(dc.thread, NULL);
        pthread_join(dp.thread, NULL);
        CHECK_STATUS(dc.dereg, STATUS_PENDING);
        CHECK_STATUS(dp.dereg, STATUS_PENDING);
        CHECK_STATUS(dc.wait, STATUS_SUCCESS);
        CHECK_STATUS(dp.wait, STATUS_SUCCESS);
        CHECK_INT(c.Binding.DetachCalls, 1);
        CHECK_INT(pb->DetachCalls, 1);
        CHECK_INT(c.Binding.CleanupCalls, 1);
        CHECK_INT(pb->CleanupCalls, 1);
        CHECK_UINT(owsk_nmr_modules_outstanding(), 0);
        sem_destroy(&start);
    }
}

int main(void)
{
    pending_case(true, true);   /* client pends, client deregisters */
    pending_case(true, false);  /* client pends, provider deregisters */
    pending_case(false, true);  /* provider pends, client deregisters */
    pending_case(false, false); /* provider pends, provider deregisters */
    test_complete_inside_detach();
    test_both_deregister();
    return t_done();
}
