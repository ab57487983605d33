/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drivers a wskhost hosts, in load order: loading with registry parameters, unloading
 * with a deadline and the leftover report. The runtime (io's loader) does the real work;
 * this file keeps the order and turns results into one-line messages. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wskhost.h"

unsigned host_unload_timeout_ms = 10000;

struct hosted {
    struct owsk_driver *drv;
    char name[64];
};

/* Guards drivers[], count and closed; held across DriverEntry/DriverUnload so loads and
 * unloads from the control thread and from main never interleave. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hosted *drivers;
static size_t count, cap;
static bool closed;

static struct hosted *find(const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(drivers[i].name, name) == 0)
            return &drivers[i];
    return NULL;
}

int host_load(const char *path, const char *const *params, size_t nparams,
              struct owsk_driver **ret_drv, owsk_ntstatus_t *ret_status, char *err, size_t errlen)
{
    char name[64], abs[PATH_MAX];
    owsk_ntstatus_t st = 0;
    struct owsk_driver *drv;
    int r = -1;

    if (host_service_name(path, name, sizeof(name)) < 0) {
        snprintf(err, errlen, "%s: not a driver module name", path);
        return -1;
    }
    pthread_mutex_lock(&lock);
    if (closed) {
        snprintf(err, errlen, "%s: the host is shutting down", name);
        goto out;
    }
    if (find(name)) {
        /* sc.exe says ERROR_SERVICE_ALREADY_RUNNING (1056) here. */
        snprintf(err, errlen, "%s: already loaded (ERROR_SERVICE_ALREADY_RUNNING 1056)", name);
        goto out;
    }
    if (count == cap) {
        size_t ncap = cap ? cap * 2 : 8;
        struct hosted *n = realloc(drivers, ncap * sizeof(*n));
        if (!n) {
            snprintf(err, errlen, "%s: out of memory", name);
            goto out;
        }
        drivers = n;
        cap = ncap;
    }
    for (size_t i = 0; i < nparams; i++) {
        st = owsk_registry_set_param(name, params[i]);
        if (st < 0) {
            snprintf(err, errlen, "%s: bad parameter \"%s\": %s (%#x)", name, params[i],
                     owsk_ntstatus_name(st), (unsigned)st);
            goto out;
        }
    }
    /* An absolute path, so wskctl list shows where the module came from. */
    if (realpath(path, abs))
        path = abs;
    drv = owsk_driver_load(path, name, &st);
    if (!drv) {
        const char *why = owsk_host_last_error();
        /* The loader's line ("echosrv: cannot load ...") says why a module did not load;
         * a failing DriverEntry gets the one-line form scripts grep for. */
        if (why && *why && !strstr(why, "DriverEntry failed"))
            snprintf(err, errlen, "%s", why);
        else
            snprintf(err, errlen, "%s: DriverEntry failed: %s (%#x)", name, owsk_ntstatus_name(st),
                     (unsigned)st);
        goto out;
    }
    drivers[count].drv = drv;
    snprintf(drivers[count].name, sizeof(drivers[count].name), "%s", name);
    count++;
    if (ret_drv)
        *ret_drv = drv;
    r = 0;
out:
    if (ret_status)
        *ret_status = st;
    pthread_mutex_unlock(&lock);
    return r;
}

struct prefixed {
    host_line_fn line;
    void *ctx;
    const char *name;
};

static void prefixed_line(const char *text, void *ctx)
{
    struct prefixed *p = ctx;
    size_t n = strlen(p->name);
    char buf[1024];

    /* The runtime's lines start with "<service>: " already; say it once. */
    if (strncmp(text, p->name, n) == 0 && text[n] == ':' && text[n + 1] == ' ')
        text += n + 2;
    snprintf(buf, sizeof(buf), "%s: left behind: %s", p->name, text);
    p->line(buf, p->ctx);
}

/* Called with lock held; removes drivers[i] from the table. */
static int unload_at(size_t i, host_line_fn line, void *ctx, bool *ret_timed_out)
{
    struct hosted h = drivers[i];
    struct prefixed p = {line, ctx, h.name};
    char buf[256];
    uint64_t leaked;
    int r;

    memmove(&drivers[i], &drivers[i + 1], (count - i - 1) * sizeof(*drivers));
    count--;
    r = owsk_driver_unload(h.drv, host_unload_timeout_ms);
    if (r == -ETIMEDOUT) {
        snprintf(buf, sizeof(buf),
                 "%s: DriverUnload did not finish within the %u ms unload deadline", h.name,
                 host_unload_timeout_ms);
        line(buf, ctx);
        if (ret_timed_out)
            *ret_timed_out = true;
    } else if (r < 0) {
        snprintf(buf, sizeof(buf), "%s: unload failed: %s", h.name, strerror(-r));
        line(buf, ctx);
    }
    leaked = owsk_driver_report_leaks(h.drv, prefixed_line, &p);
    if (leaked) {
        snprintf(buf, sizeof(buf), "%s: %llu item(s) left behind after unload", h.name,
                 (unsigned long long)leaked);
        line(buf, ctx);
    }
    return (r < 0 || leaked) ? 1 : 0;
}

int host_unload(const char *name, host_line_fn line, void *ctx, char *err, size_t errlen)
{
    struct hosted *h;
    int r;

    pthread_mutex_lock(&lock);
    h = find(name);
    if (!h) {
        /* sc.exe: ERROR_SERVICE_NOT_ACTIVE (1062). */
        snprintf(err, errlen, "%s: not loaded (ERROR_SERVICE_NOT_ACTIVE 1062)", name);
        pthread_mutex_unlock(&lock);
        return -1;
    }
    r = unload_at((size_t)(h - drivers), line, ctx, NULL);
    pthread_mutex_unlock(&lock);
    return r;
}

int host_unload_all(host_line_fn line, void *ctx, bool *ret_timed_out)
{
    int r = 0;

    *ret_timed_out = false;
    pthread_mutex_lock(&lock);
    closed = true;
    while (count > 0)
        r |= unload_at(count - 1, line, ctx, ret_timed_out);
    free(drivers);
    drivers = NULL;
    cap = 0;
    pthread_mutex_unlock(&lock);
    return r;
}

void host_driver_names(char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < count && off < len; i++) {
        int n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "", drivers[i].name);
        if (n < 0)
            break;
        off += (size_t)n;
    }
    pthread_mutex_unlock(&lock);
    if (count == 0)
        snprintf(buf, len, "no drivers");
}
