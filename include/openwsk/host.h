/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The non-WDK interface of libopenwsk for programs that host drivers (wskhost, tests, tools):
 * load and unload driver modules, feed their registry parameters, and look inside a running
 * host. Drivers never include this. Every function is safe to call from any thread unless
 * stated; none may be called from driver callbacks. */
#ifndef OPENWSK_HOST_H
#define OPENWSK_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OWSK_HOST_API __attribute__((visibility("default")))

typedef int32_t owsk_ntstatus_t; /* an NTSTATUS, without pulling in the WDK headers */

/* ---- Start-up (src/io/host.c) ---- */

struct owsk_host_config {
    unsigned loops;            /* event-loop threads; 0 = one per CPU (or $OWSK_LOOPS) */
    unsigned unload_timeout_ms; /* DriverUnload deadline per driver; 0 = 10000 */
};
/* Starts the loops and registers the WSK provider with NMR. Idempotent. 0 or negative errno. */
OWSK_HOST_API int owsk_host_start(const struct owsk_host_config *cfg);
/* Stops the loops; call after every driver is unloaded. */
OWSK_HOST_API void owsk_host_stop(void);

/* ---- Registry parameters (src/rtl/registry.c) ----
 * Values under \Registry\Machine\System\CurrentControlSet\Services\<service>\Parameters,
 * set before the driver loads (what an INF's AddReg or `reg add` would do on Windows). */
OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_dword(const char *service, const char *name,
                                                      uint32_t value);
OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_string(const char *service, const char *name,
                                                       const char *utf8_value);
/* Parses "NAME=VALUE" (DWORD if VALUE is a decimal or 0x number, else REG_SZ). */
OWSK_HOST_API owsk_ntstatus_t owsk_registry_set_param(const char *service, const char *assignment);

/* ---- Drivers (src/io/loader.c) ---- */

struct owsk_driver;
typedef owsk_ntstatus_t (*owsk_driver_entry_fn)(void *driver_object, void *registry_path);

enum owsk_driver_state {
    OWSK_DRIVER_LOADING,   /* DriverEntry running */
    OWSK_DRIVER_RUNNING,   /* DriverEntry succeeded */
    OWSK_DRIVER_UNLOADING, /* DriverUnload running */
    OWSK_DRIVER_STOPPED,   /* unloaded, or DriverEntry failed */
};

/* Loads a module (dlopen RTLD_NOW|RTLD_LOCAL), finds DriverEntry, calls it on a thread of its
 * own at PASSIVE_LEVEL with a DRIVER_OBJECT and the Services\<service> registry path, and
 * waits for it. service NULL = the file name without ".so". On failure *ret_status holds the
 * NTSTATUS DriverEntry returned (or why loading failed) and NULL is returned; the reason is
 * also in owsk_host_last_error(). */
OWSK_HOST_API struct owsk_driver *owsk_driver_load(const char *path, const char *service,
                                                   owsk_ntstatus_t *ret_status);
/* The same for a DriverEntry linked into the calling program (tests). */
OWSK_HOST_API struct owsk_driver *owsk_driver_load_entry(owsk_driver_entry_fn entry,
                                                         const char *service,
                                                         owsk_ntstatus_t *ret_status);
/* Calls DriverUnload (if any) with a deadline; returns 0, or -ETIMEDOUT when the deadline
 * passed (the driver is then left as it is and reported). The driver's record stays, in
 * state STOPPED, so its leak report can still be read after unload. */
OWSK_HOST_API int owsk_driver_unload(struct owsk_driver *drv, unsigned timeout_ms);
OWSK_HOST_API const char *owsk_driver_name(const struct owsk_driver *drv);
OWSK_HOST_API const char *owsk_driver_path(const struct owsk_driver *drv);
OWSK_HOST_API enum owsk_driver_state owsk_driver_state(const struct owsk_driver *drv);
OWSK_HOST_API unsigned owsk_driver_owner_id(const struct owsk_driver *drv);
/* Drivers in load order; fn returns non-zero to stop. */
OWSK_HOST_API void owsk_driver_foreach(int (*fn)(struct owsk_driver *drv, void *ctx), void *ctx);
OWSK_HOST_API struct owsk_driver *owsk_driver_find(const char *service);
/* One line describing the last load/unload failure on this thread. */
OWSK_HOST_API const char *owsk_host_last_error(void);

/* What a driver left behind after unload (or right now, for a running one). */
struct owsk_leak_report {
    uint64_t pool_allocations; /* outstanding allocations */
    uint64_t pool_bytes;
    uint64_t irps;
    uint64_t mdls;
    uint64_t sockets;
    uint64_t threads;
    uint64_t timers; /* timers still queued */
    uint64_t work_items;
    /* Appended later; callers use designated fields. */
    uint64_t dpcs;       /* KDPCs still queued (KeRemoveQueueDpc / KeFlushQueuedDpcs) */
    uint64_t lookasides; /* lookaside lists initialised and not deleted */
};
OWSK_HOST_API void owsk_driver_leaks(const struct owsk_driver *drv,
                                     struct owsk_leak_report *ret_report);
/* Writes a human-readable report (pool by tag, IRPs, MDLs, sockets, threads, DPCs,
 * lookaside lists) through the callback, one line per call; returns the number of leaked items. */
OWSK_HOST_API uint64_t owsk_driver_report_leaks(const struct owsk_driver *drv,
                                                void (*line)(const char *text, void *ctx),
                                                void *ctx);

/* ---- Introspection for wskctl ---- */

/* Pool usage by (owner, tag), as poolmon shows it (src/ex/pool.c). */
struct owsk_pool_row {
    unsigned owner_id; /* 0 = host */
    uint32_t tag;      /* as the driver wrote it, e.g. 'sksw' */
    int paged;         /* PagedPool (1) or NonPagedPool (0) */
    uint64_t allocs, frees, bytes;
};
OWSK_HOST_API void owsk_pool_foreach(int (*fn)(const struct owsk_pool_row *row, void *ctx),
                                     void *ctx);

/* Pending IRPs that a provider holds (src/io/irp.c keeps the registry of pending IRPs). */
struct owsk_irp_row {
    const void *irp;
    unsigned owner_id;
    const char *operation; /* "WskReceive", "WskAccept", ... */
    const void *socket;    /* NULL if not a socket operation */
    uint64_t age_ms;
};
OWSK_HOST_API void owsk_irp_foreach(int (*fn)(const struct owsk_irp_row *row, void *ctx),
                                    void *ctx);

/* WSK sockets (src/wsk). Addresses are printable ("127.0.0.1:40007", "[::1]:40007", "-"). */
struct owsk_socket_row {
    const void *socket;
    unsigned owner_id;
    const char *category; /* "basic", "listen", "connection", "datagram", "stream" */
    const char *state;    /* "open", "bound", "listening", "connected", "closing", ... */
    char local[64];
    char remote[64];
    unsigned pending_irps;
    unsigned loop;
};
OWSK_HOST_API void owsk_socket_foreach(int (*fn)(const struct owsk_socket_row *row, void *ctx),
                                       void *ctx);

/* "STATUS_ADDRESS_ALREADY_ASSOCIATED" for 0xC0000238, or "0x..." when unnamed. */
OWSK_HOST_API const char *owsk_ntstatus_name(owsk_ntstatus_t status);

#ifdef __cplusplus
}
#endif

#endif
