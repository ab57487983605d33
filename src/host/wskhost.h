/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pieces of the wskhost program: the drivers it hosts (drivers.c), the control socket
 * (control.c) and the service-manager notification (notify.c). */
#ifndef OWSK_WSKHOST_H
#define OWSK_WSKHOST_H

#include <stdbool.h>
#include <stddef.h>

#include <openwsk/host.h>

#include "svcname.h"

/* Receives one line of a report (no trailing newline). */
typedef void (*host_line_fn)(const char *text, void *ctx);

/* ---- drivers.c: the hosted drivers, in load order. Thread-safe: one lock serialises every
 * load and unload (DriverEntry and DriverUnload run one at a time). ---- */

/* The unload deadline for every driver, in milliseconds. Set once at start-up. */
extern unsigned host_unload_timeout_ms;

/* Feeds params ("NAME=VALUE" each) to the service's Parameters key, then loads the module.
 * On failure returns -1, fills err with one line such as "echosrv: DriverEntry failed:
 * STATUS_ADDRESS_ALREADY_ASSOCIATED (0xc0000238)" and *ret_status with the NTSTATUS. */
int host_load(const char *path, const char *const *params, size_t nparams,
              struct owsk_driver **ret_drv, owsk_ntstatus_t *ret_status, char *err, size_t errlen);

/* Unloads one driver with the deadline and reports what it left behind through line().
 * Returns 0 clean, 1 when it timed out or leaked, -1 when no such driver is loaded (err). */
int host_unload(const char *name, host_line_fn line, void *ctx, char *err, size_t errlen);

/* Refuses further loads, then unloads every driver in reverse load order. Returns 0 clean,
 * 1 if any unload timed out or leaked; *ret_timed_out tells whether one timed out. */
int host_unload_all(host_line_fn line, void *ctx, bool *ret_timed_out);

/* Names of the hosted drivers, comma-separated, into buf ("echosrv, udpecho"). */
void host_driver_names(char *buf, size_t len);

/* ---- control.c: the control socket ---- */

/* Creates the socket (directory 0700, socket 0600; refuses when a live host holds it,
 * replaces a stale file) and starts the thread serving it. 0; -2 when another live host
 * holds the socket; -1 for other failures. Prints why. */
int control_start(const char *path);
/* Stops the thread and removes the socket file. Safe to call when never started. */
void control_stop(void);

/* ---- notify.c: sd_notify without libsystemd ---- */

/* Sends state ("READY=1\nSTATUS=...") to $NOTIFY_SOCKET; does nothing when it is unset.
 * Returns 0 or negative errno. */
int notify_send(const char *state);

#endif
