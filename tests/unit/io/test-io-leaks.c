/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unload leak report counts and names a DPC the driver left queued and a lookaside list
 * it never deleted (owsk_driver_leaks .dpcs/.lookasides, owsk_driver_report_leaks lines), and
 * both counts go back to zero once the DPC runs and the list is deleted. To keep a DPC queued
 * the test blocks the (single) DPC thread in a first DPC until the report has been taken. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openwsk/host.h>

#include "owsk_test.h"

static KDPC blocker, leaked;
static NPAGED_LOOKASIDE_LIST lookaside;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool blocker_running, gate_open;
static int leaked_runs; /* read under gate_lock */

/* Holds the DPC thread until the test opens the gate (bounded: 10 s). */
static VOID blocker_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&gate_lock);
    blocker_running = true;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open && pthread_cond_timedwait(&gate_cv, &gate_lock, &until) == 0)
        ;
    pthread_mutex_unlock(&gate_lock);
}

static VOID leaked_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    pthread_mutex_lock(&gate_lock);
    leaked_runs++;
    pthread_mutex_unlock(&gate_lock);
}

static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PVOID p;

    /* Initialised here, so both belong to this driver. */
    KeInitializeDpc(&blocker, blocker_dpc, NULL);
    KeInitializeDpc(&leaked, leaked_dpc, NULL);
    ExInitializeNPagedLookasideList(&lookaside, NULL, NULL, 0, 64, 'kaeL', 0);
    p = ExAllocateFromNPagedLookasideList(&lookaside);
    if (p)
        ExFreeToNPagedLookasideList(&lookaside, p); /* cached in the list, not a pool leak */
    return STATUS_SUCCESS;
}

struct lines {
    char text[2048];
    int n;
};

static void collect(const char *text, void *ctx)
{
    struct lines *l = ctx;
    size_t used = strlen(l->text);

    snprintf(l->text + used, sizeof(l->text) - used, "%s\n", text);
    l->n++;
}

int main(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv = owsk_driver_load_entry((owsk_driver_entry_fn)DriverEntry,
                                                     "ioleaks", &st);
    struct owsk_leak_report r;
    struct lines l = {{0}, 0};
    struct timespec until;
    uint64_t total;

    CHECK_STATUS(st, STATUS_SUCCESS);
    if (!drv)
        return t_done();
    owsk_driver_leaks(drv, &r);
    CHECK_UINT(r.dpcs, 0);
    CHECK_UINT(r.lookasides, 1);

    /* blocker runs and holds the DPC thread; leaked stays queued behind it. */
    CHECK(KeInsertQueueDpc(&blocker, NULL, NULL));
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&gate_lock);
    while (!blocker_running && pthread_cond_timedwait(&gate_cv, &gate_lock, &until) == 0)
        ;
    CHECK(blocker_running);
    pthread_mutex_unlock(&gate_lock);
    CHECK(KeInsertQueueDpc(&leaked, NULL, NULL));

    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    owsk_driver_leaks(drv, &r);
    CHECK_UINT(r.dpcs, 1);
    CHECK_UINT(r.lookasides, 1);
    CHECK_UINT(r.pool_allocations, 1); /* the entry cached in the list */
    total = owsk_driver_report_leaks(drv, collect, &l);
    fprintf(stderr, "%s", l.text);
    CHECK_UINT(total, 3);
    CHECK(strstr(l.text, "ioleaks: 1 DPC(s) still queued") != NULL);
    CHECK(strstr(l.text, "ioleaks: 1 lookaside list(s) not deleted") != NULL);

    /* Let the DPC run and delete the list: nothing left. */
    pthread_mutex_lock(&gate_lock);
    gate_open = true;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_lock);
    KeFlushQueuedDpcs();
    pthread_mutex_lock(&gate_lock);
    CHECK_INT(leaked_runs, 1);
    pthread_mutex_unlock(&gate_lock);
    ExDeleteNPagedLookasideList(&lookaside);
    owsk_driver_leaks(drv, &r);
    CHECK_UINT(r.dpcs, 0);
    CHECK_UINT(r.lookasides, 0);
    CHECK_UINT(r.pool_allocations, 0);
    l.text[0] = 0;
    CHECK_UINT(owsk_driver_report_leaks(drv, collect, &l), 0);
    return t_done();
}
