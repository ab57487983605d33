/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader with a real module (iotestdrv.so, argv[1]): DriverEntry on its own PASSIVE_LEVEL
 * thread with the Services\<service> registry path and its Parameters value; the module's own
 * send()/bind() winning over libc's (-Bsymbolic); a failing DriverEntry reported with its
 * status and DriverUnload not called (Windows); modules that do not load or have no
 * DriverEntry; DriverUnload with a deadline (-ETIMEDOUT, then done); a leaked pool block
 * reported with its tag. This program exports its symbols (-rdynamic): the module resolves
 * its DDIs, and io_test_note, against it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openwsk/host.h>

#include "owsk_test.h"

#define MAX_NOTES 64

static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;
static char notes[MAX_NOTES][160];
static LONGLONG note_values[MAX_NOTES];
static int nnotes;

/* Called by the module (exported from this program). */
void io_test_note(const char *what, LONGLONG value);
void io_test_note(const char *what, LONGLONG value)
{
    pthread_mutex_lock(&notes_lock);
    if (nnotes < MAX_NOTES) {
        snprintf(notes[nnotes], sizeof(notes[0]), "%s", what);
        note_values[nnotes++] = value;
    }
    pthread_mutex_unlock(&notes_lock);
}

/* The value of the note named what, or -1 if there is none. */
static LONGLONG note(const char *what)
{
    LONGLONG v = -1;

    pthread_mutex_lock(&notes_lock);
    for (int i = 0; i < nnotes; i++)
        if (!strcmp(notes[i], what))
            v = note_values[i];
    pthread_mutex_unlock(&notes_lock);
    return v;
}

static void clear_notes(void)
{
    pthread_mutex_lock(&notes_lock);
    nnotes = 0;
    pthread_mutex_unlock(&notes_lock);
}

struct lines {
    char text[2048];
    int count;
};

static void collect(const char *text, void *ctx)
{
    struct lines *l = ctx;
    size_t used = strlen(l->text);

    fprintf(stderr, "leak report: %s\n", text);
    snprintf(l->text + used, sizeof(l->text) - used, "%s\n", text);
    l->count++;
}

static const char *module;

static void load_run_unload(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv;
    struct owsk_leak_report r;
    struct lines lines = {{0}, 0};
    owsk_ntstatus_t reg;
    uint64_t leaked;

    clear_notes();
    reg = owsk_registry_set_dword("iotestdrv", "Mode", 7);
    drv = owsk_driver_load(module, NULL, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK(drv != NULL);
    if (!drv) {
        fprintf(stderr, "%s\n", owsk_host_last_error());
        return;
    }
    CHECK_STR(owsk_driver_name(drv), "iotestdrv");
    CHECK_STR(owsk_driver_path(drv), module);
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_RUNNING);
    CHECK(owsk_driver_find("iotestdrv") == drv);
    CHECK_INT(note("entry-irql"), PASSIVE_LEVEL);
    CHECK(note("\\Registry\\Machine\\System\\CurrentControlSet\\Services\\iotestdrv") > 0);
    CHECK_INT(note("own-send"), 1);
    CHECK_INT(note("libc-send"), -1);
    CHECK_INT(note("sysroutine-found"), 1);
    CHECK_INT(note("sysroutine-absent"), 1);
    if (NT_SUCCESS(reg))
        CHECK_INT(note("Mode"), 7);
    else
        TODO_OWSK(NT_SUCCESS(reg)); /* registry not in this build */

    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    CHECK_INT(note("unload"), PASSIVE_LEVEL);
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_STOPPED);

    owsk_driver_leaks(drv, &r);
    CHECK_UINT(r.pool_allocations, 1);
    CHECK_UINT(r.pool_bytes, 100);
    CHECK_UINT(r.irps + r.mdls + r.work_items + r.threads + r.timers, 0);
    leaked = owsk_driver_report_leaks(drv, collect, &lines);
    CHECK_UINT(leaked, 1);
    CHECK(lines.count >= 1);
    CHECK(strstr(lines.text, "Leak") != NULL); /* 'kaeL' in memory order, as poolmon */
    CHECK(strstr(lines.text, "iotestdrv") != NULL);
}

static void failing_entry(void)
{
    owsk_ntstatus_t st = -1;

    clear_notes();
    CHECK(owsk_driver_load(module, "iotestfail", &st) == NULL);
    CHECK_STATUS(st, STATUS_INSUFFICIENT_RESOURCES);
    CHECK(strstr(owsk_host_last_error(), "STATUS_INSUFFICIENT_RESOURCES") != NULL);
    CHECK(strstr(owsk_host_last_error(), "iotestfail") != NULL);
    CHECK_INT(note("own-send"), 1); /* DriverEntry ran */
    CHECK_INT(note("unload"), -1); /* and DriverUnload did not */
    CHECK(owsk_driver_find("iotestfail") == NULL ||
          owsk_driver_state(owsk_driver_find("iotestfail")) == OWSK_DRIVER_STOPPED);
}

static void bad_modules(void)
{
    owsk_ntstatus_t st = -1;

    CHECK(owsk_driver_load("/nonexistent/driver.so", NULL, &st) == NULL);
    CHECK_STATUS(st, STATUS_DRIVER_UNABLE_TO_LOAD);
    CHECK(strstr(owsk_host_last_error(), "/nonexistent/driver.so") != NULL);
    st = -1;
    CHECK(owsk_driver_load("libm.so.6", "nolibm", &st) == NULL); /* loads, no DriverEntry */
    CHECK_STATUS(st, STATUS_DRIVER_ENTRYPOINT_NOT_FOUND);
    CHECK(strstr(owsk_host_last_error(), "DriverEntry") != NULL);
    st = -1;
    CHECK(owsk_driver_load(module, "bad/name", &st) == NULL);
    CHECK_STATUS(st, STATUS_OBJECT_NAME_INVALID);
}

static void slow_unload(void)
{
    owsk_ntstatus_t st = -1;
    struct owsk_driver *drv;
    uint64_t t0;

    clear_notes();
    drv = owsk_driver_load(module, "iotestslow", &st);
    CHECK(drv != NULL);
    if (!drv)
        return;
    t0 = t_now_ms();
    CHECK_INT(owsk_driver_unload(drv, 100), -ETIMEDOUT);
    CHECK(t_now_ms() - t0 < 900);
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_UNLOADING);
    CHECK(strstr(owsk_host_last_error(), "iotestslow") != NULL);
    CHECK_INT(owsk_driver_unload(drv, 5000), 0);
    CHECK_INT(note("unload"), PASSIVE_LEVEL);
    CHECK_INT(owsk_driver_state(drv), OWSK_DRIVER_STOPPED);
}

static int count_driver(struct owsk_driver *drv, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    int n = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s iotestdrv.so\n", argv[0]);
        return T_SKIP;
    }
    module = argv[1];
    load_run_unload();
    failing_entry();
    bad_modules();
    slow_unload();
    owsk_driver_foreach(count_driver, &n);
    CHECK(n >= 2);
    return t_done();
}
