/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IoCancelIrp: its return value with and without a cancel routine (DDI page: TRUE iff the
 * routine was called; Cancel is always set), the routine running with the cancel spin lock
 * held, and cancel racing normal completion under the protocol io.h gives providers: every
 * IRP completes exactly once, with STATUS_CANCELLED or STATUS_SUCCESS. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "io/io.h"
#include "owsk_test.h"

/* A one-slot provider queue, as a WSK socket's receive queue would hold it. */
static KSPIN_LOCK queue_lock;
static PIRP queued;

static atomic_int completions;
static NTSTATUS last_status;
static KEVENT done_event;

static NTSTATUS count_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    last_status = Irp->IoStatus.Status;
    atomic_fetch_add(&completions, 1);
    KeSetEvent(&done_event, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static KIRQL cancel_irql_seen;
static atomic_int cancel_found_wrong; /* CHECK is not thread-safe: counted, checked by main */

static VOID provider_cancel(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KIRQL irql;

    cancel_irql_seen = KeGetCurrentIrql();
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    KeAcquireSpinLock(&queue_lock, &irql);
    if (queued != Irp) /* the completing side must have left it for us */
        atomic_fetch_add(&cancel_found_wrong, 1);
    queued = NULL;
    KeReleaseSpinLock(&queue_lock, irql);
    owsk_io_complete_irp(Irp, STATUS_CANCELLED, 0);
}

/* Queue side of the protocol; returns what the WSK function would. */
static NTSTATUS provider_queue(PIRP irp)
{
    KIRQL irql;

    owsk_io_irp_begin(irp, NULL, "WskReceive", NULL);
    KeAcquireSpinLock(&queue_lock, &irql);
    queued = irp;
    IoSetCancelRoutine(irp, provider_cancel);
    if (__atomic_load_n(&irp->Cancel, __ATOMIC_SEQ_CST) && IoSetCancelRoutine(irp, NULL)) {
        queued = NULL;
        KeReleaseSpinLock(&queue_lock, irql);
        owsk_io_complete_irp(irp, STATUS_CANCELLED, 0);
        return STATUS_PENDING;
    }
    KeReleaseSpinLock(&queue_lock, irql);
    return STATUS_PENDING;
}

/* Normal-completion side of the protocol. */
static void provider_complete(void)
{
    PIRP irp;
    KIRQL irql;

    KeAcquireSpinLock(&queue_lock, &irql);
    irp = queued;
    if (irp && IoSetCancelRoutine(irp, NULL) == NULL)
        irp = NULL; /* the cancel routine owns it */
    else
        queued = NULL;
    KeReleaseSpinLock(&queue_lock, irql);
    if (irp)
        owsk_io_complete_irp(irp, STATUS_SUCCESS, 1);
}

static PIRP arm(PIRP irp)
{
    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(irp, count_done, NULL, TRUE, TRUE, TRUE);
    KeClearEvent(&done_event);
    atomic_store(&completions, 0);
    return irp;
}

static bool wait_done(void)
{
    LARGE_INTEGER timeout = {.QuadPart = -10LL * 1000 * 5000};

    return KeWaitForSingleObject(&done_event, Executive, KernelMode, FALSE, &timeout) ==
           STATUS_SUCCESS;
}

static void return_values(PIRP irp)
{
    /* No cancel routine: FALSE, but Cancel is set. */
    arm(irp);
    CHECK_INT(IoCancelIrp(irp), FALSE);
    CHECK_INT(irp->Cancel, TRUE);
    /* Queued after the cancel: the provider completes it at once. */
    CHECK_STATUS(provider_queue(irp), STATUS_PENDING);
    CHECK(wait_done());
    CHECK_STATUS(last_status, STATUS_CANCELLED);
    CHECK_INT(atomic_load(&completions), 1);

    /* Queued with a routine: TRUE, the routine ran at DISPATCH_LEVEL under the lock. */
    arm(irp);
    CHECK_STATUS(provider_queue(irp), STATUS_PENDING);
    CHECK(irp->CancelRoutine == provider_cancel);
    cancel_irql_seen = 0xff;
    CHECK_INT(IoCancelIrp(irp), TRUE);
    CHECK_INT(cancel_irql_seen, DISPATCH_LEVEL);
    CHECK(wait_done());
    CHECK_STATUS(last_status, STATUS_CANCELLED);
    CHECK_UINT(irp->IoStatus.Information, 0);
    CHECK_INT(atomic_load(&completions), 1);
    CHECK(irp->CancelRoutine == NULL);
    CHECK_INT(KeGetCurrentIrql(), PASSIVE_LEVEL); /* the lock was released at CancelIrql */

    /* Completed first, cancelled after: no routine left, FALSE. */
    arm(irp);
    provider_queue(irp);
    provider_complete();
    CHECK(wait_done());
    CHECK_STATUS(last_status, STATUS_SUCCESS);
    CHECK_INT(IoCancelIrp(irp), FALSE);
    CHECK_INT(atomic_load(&completions), 1);
}

static atomic_int ready;

static void rendezvous(void)
{
    uint64_t deadline = t_now_ms() + 2000;

    atomic_fetch_add(&ready, 1);
    while (atomic_load(&ready) < 2 && t_now_ms() < deadline)
        sched_yield();
}

static void *completer(void *arg)
{
    rendezvous();
    provider_complete();
    return NULL;
}

static void *canceller(void *arg)
{
    rendezvous();
    IoCancelIrp(arg);
    return NULL;
}

static void race(PIRP irp)
{
    uint64_t deadline = t_now_ms() + 15000;
    int n, cancelled = 0, succeeded = 0, bad = 0;

    for (n = 0; n < 10000 && t_now_ms() < deadline; n++) {
        pthread_t a, b;

        arm(irp);
        provider_queue(irp);
        atomic_store(&ready, 0);
        pthread_create(&a, NULL, completer, NULL);
        pthread_create(&b, NULL, canceller, irp);
        pthread_join(a, NULL);
        pthread_join(b, NULL);
        if (!wait_done() || atomic_load(&completions) != 1) {
            bad++;
            break;
        }
        if (last_status == STATUS_CANCELLED)
            cancelled++;
        else if (last_status == STATUS_SUCCESS)
            succeeded++;
        else
            bad++;
    }
    fprintf(stderr, "race: %d iterations, %d cancelled, %d succeeded\n", n, cancelled,
            succeeded);
    CHECK_INT(bad, 0);
    CHECK_INT(atomic_load(&cancel_found_wrong), 0);
    CHECK(n >= 1000);
    CHECK_INT(cancelled + succeeded, n);
}

int main(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);

    KeInitializeSpinLock(&queue_lock);
    KeInitializeEvent(&done_event, NotificationEvent, FALSE);
    return_values(irp);
    race(irp);
    IoFreeIrp(irp);
    return t_done();
}
