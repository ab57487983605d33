/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* include/openwsk/host.h "Start-up": starts the event loops, then registers the WSK provider
 * with NMR so drivers can WskRegister (after installing the fault handler, ke/fault.c);
 * stops both in reverse order. */
#include <errno.h>

#include <openwsk/host.h>

#include "io/io_private.h"
#include "ke/ke.h"
#include "loop/loop.h"
#include "wsk/wsk.h"

extern unsigned io_unload_timeout_ms;

/* Guards started. Start and stop are called by the host's main thread, never by drivers. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool started;

int owsk_host_start(const struct owsk_host_config *cfg)
{
    int r = 0;

    pthread_mutex_lock(&lock);
    if (started)
        goto out;
    if (cfg && cfg->unload_timeout_ms)
        io_unload_timeout_ms = cfg->unload_timeout_ms;
    /* Before any thread starts: a fault in driver code becomes a bug-check report (0x50,
     * 0x1E) instead of a silent exit 139. */
    owsk_ke_fault_handler_install();
    r = owsk_loop_system_start(cfg ? cfg->loops : 0);
    if (r < 0) {
        io_set_last_error("cannot start the event loops: errno %d", -r);
        goto out;
    }
    r = owsk_wsk_provider_start();
    if (r < 0) {
        io_set_last_error("cannot register the WSK provider: errno %d", -r);
        owsk_loop_system_stop();
        goto out;
    }
    started = true;
out:
    pthread_mutex_unlock(&lock);
    return r;
}

void owsk_host_stop(void)
{
    pthread_mutex_lock(&lock);
    if (started) {
        owsk_wsk_provider_stop();
        owsk_loop_system_stop();
        started = false;
    }
    pthread_mutex_unlock(&lock);
}
