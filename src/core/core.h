/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared machinery of every room: log channels, the one errno->NTSTATUS table, status names,
 * and which driver the current thread is running code for. Knows nothing of IRPs or sockets. */
#ifndef OWSK_CORE_H
#define OWSK_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <ntdef.h>

/* Log channels, selected at run time with OWSK_DEBUG=wsk,ke:trace (Wine-style channels). */
enum owsk_channel {
    OWSK_CH_CORE,
    OWSK_CH_RTL,
    OWSK_CH_EX,
    OWSK_CH_OB,
    OWSK_CH_KE,
    OWSK_CH_PS,
    OWSK_CH_IO,
    OWSK_CH_NMR,
    OWSK_CH_WSK,
    OWSK_CH_LOOP,
    OWSK_CH_HOST,
    OWSK_CH_VERIFIER,
    OWSK_CH_DRIVER, /* DbgPrint(Ex) output from drivers */
    OWSK_CH_COUNT
};

enum owsk_level {
    OWSK_LVL_ERR = 0,
    OWSK_LVL_WARN = 1,
    OWSK_LVL_FIXME = 2,
    OWSK_LVL_INFO = 3,
    OWSK_LVL_TRACE = 4,
};

/* Current level per channel; written once at start-up (OWSK_DEBUG), read racily after. */
extern unsigned char owsk_log_level[OWSK_CH_COUNT];

void owsk_log(enum owsk_channel ch, enum owsk_level lvl, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void owsk_vlog(enum owsk_channel ch, enum owsk_level lvl, const char *func, const char *fmt,
               va_list ap) __attribute__((format(printf, 4, 0)));
/* Where log lines go (default stderr); the host may redirect. Called with one whole line. */
void owsk_log_set_sink(void (*sink)(const char *line, void *ctx), void *ctx);
/* Re-reads OWSK_DEBUG (also done by a constructor at load). */
void owsk_log_init(void);

/* Additions (rtl room): channel names, OWSK_DEBUG parsing and raw lines. */
const char *owsk_log_channel_name(enum owsk_channel ch);
bool owsk_log_channel_from_name(const char *name, size_t len, enum owsk_channel *ret_ch);
/* Resets every channel to its default (WARN; driver INFO), then applies spec, a comma list of
 * "wsk", "+wsk" (trace), "-wsk" (errors only), "wsk:info", "all:trace" or a bare level.
 * Returns false if an item was not understood (it is ignored and warned about). */
bool owsk_log_parse(const char *spec);
/* Hands one whole line (no trailing newline) to the sink, as is. */
void owsk_log_line(const char *line);

#define OWSK_LOG_ON(ch, lvl) (owsk_log_level[(ch)] >= (lvl))
#define OWSK_TRACE(ch, ...)                                                                \
    do {                                                                                   \
        if (__builtin_expect(OWSK_LOG_ON(ch, OWSK_LVL_TRACE), 0))                          \
            owsk_log((ch), OWSK_LVL_TRACE, __func__, __VA_ARGS__);                         \
    } while (0)
#define OWSK_INFO(ch, ...)                                                                 \
    do {                                                                                   \
        if (OWSK_LOG_ON(ch, OWSK_LVL_INFO))                                                \
            owsk_log((ch), OWSK_LVL_INFO, __func__, __VA_ARGS__);                          \
    } while (0)
#define OWSK_WARN(ch, ...)                                                                 \
    do {                                                                                   \
        if (OWSK_LOG_ON(ch, OWSK_LVL_WARN))                                                \
            owsk_log((ch), OWSK_LVL_WARN, __func__, __VA_ARGS__);                          \
    } while (0)
#define OWSK_ERR(ch, ...) owsk_log((ch), OWSK_LVL_ERR, __func__, __VA_ARGS__)
/* Partial behaviour: reported once per call site. */
#define OWSK_FIXME(ch, ...)                                                                \
    do {                                                                                   \
        static int fixme_once_;                                                            \
        if (OWSK_LOG_ON(ch, OWSK_LVL_FIXME) && !__atomic_exchange_n(&fixme_once_, 1,       \
                                                                    __ATOMIC_RELAXED))     \
            owsk_log((ch), OWSK_LVL_FIXME, __func__, __VA_ARGS__);                         \
    } while (0)

/* The only errno -> NTSTATUS translation (positive errno). Unknown values warn once and give
 * STATUS_UNSUCCESSFUL. */
NTSTATUS owsk_status_from_errno(int err);
/* "STATUS_PENDING", or "0xC0001234" for values without a name (static buffer per thread). */
const char *owsk_status_name(NTSTATUS status);
/* Name -> value for the host's and tools' parsing; returns false if unknown. */
bool owsk_status_from_name(const char *name, NTSTATUS *ret_status);

/* Additions (rtl room): the i-th errno table row (false past the end), for the unit test;
 * the number of named statuses. owsk_status_from_name also takes "0xC0000236". */
bool owsk_status_errno_at(size_t i, int *ret_err, NTSTATUS *ret_status);
size_t owsk_status_name_count(void);

/* The driver a thread is running code for: DbgPrint prefixes, pool accounting, leak reports.
 * io's loader creates one per loaded driver; threads, work items, timers, DPCs, completions
 * and WSK callbacks run with the owner of the code they call. NULL = the host itself. */
struct owsk_owner {
    char name[64];  /* service name, e.g. "echosrv" */
    unsigned id;    /* small integer, unique for the process lifetime */
};
extern _Thread_local struct owsk_owner *owsk_current_owner;

/* A count per owner id (live threads, queued work items), growing as ids appear. Not
 * thread-safe: its user guards it with its own lock. */
struct owsk_owner_counts {
    struct owsk_owner_count {
        unsigned id;
        uint64_t n;
    } *v;
    size_t len;
};
/* id's counter, added at 0 when new; NULL when out of memory. */
uint64_t *owsk_owner_counter(struct owsk_owner_counts *c, unsigned id);

/* Swap the current owner for a call out to driver code; returns the previous one. */
static inline struct owsk_owner *owsk_owner_enter(struct owsk_owner *o)
{
    struct owsk_owner *prev = owsk_current_owner;
    owsk_current_owner = o;
    return prev;
}
static inline void owsk_owner_leave(struct owsk_owner *prev)
{
    owsk_current_owner = prev;
}

/* Monotonic milliseconds, for deadlines. */
uint64_t owsk_now_ms(void);

/* clock's current time plus ms: an absolute deadline for pthread_cond_timedwait (whose clock
 * is the condition's) or sem_timedwait (CLOCK_REALTIME). */
struct timespec owsk_timespec_after_ms(clockid_t clock, unsigned ms);

#endif
