/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Log channels: OWSK_DEBUG parsing, "[channel] func: message" formatting and the sink that
 * receives whole lines. No per-line timestamps, no log files of our own: the host redirects. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/core.h"

/* Written by owsk_log_init() (start-up, or a test), read racily by every thread after. */
unsigned char owsk_log_level[OWSK_CH_COUNT];

static const char *const channel_names[OWSK_CH_COUNT] = {
    [OWSK_CH_CORE] = "core", [OWSK_CH_RTL] = "rtl",   [OWSK_CH_EX] = "ex",
    [OWSK_CH_OB] = "ob",     [OWSK_CH_KE] = "ke",     [OWSK_CH_PS] = "ps",
    [OWSK_CH_IO] = "io",     [OWSK_CH_NMR] = "nmr",   [OWSK_CH_WSK] = "wsk",
    [OWSK_CH_LOOP] = "loop", [OWSK_CH_HOST] = "host", [OWSK_CH_VERIFIER] = "verifier",
    [OWSK_CH_DRIVER] = "driver",
};

/* The sink pair is swapped as a whole under sink_lock; lines are written outside it. */
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*sink_fn)(const char *line, void *ctx);
static void *sink_ctx;

const char *owsk_log_channel_name(enum owsk_channel ch)
{
    return (unsigned)ch < OWSK_CH_COUNT ? channel_names[ch] : "?";
}

bool owsk_log_channel_from_name(const char *name, size_t len, enum owsk_channel *ret_ch)
{
    for (unsigned i = 0; i < OWSK_CH_COUNT; i++) {
        if (strlen(channel_names[i]) == len && strncasecmp(channel_names[i], name, len) == 0) {
            *ret_ch = (enum owsk_channel)i;
            return true;
        }
    }
    return false;
}

static int level_from_name(const char *name, size_t len)
{
    static const struct {
        const char *name;
        enum owsk_level lvl;
    } aliases[] = {
        {"err", OWSK_LVL_ERR},     {"error", OWSK_LVL_ERR},  {"warn", OWSK_LVL_WARN},
        {"warning", OWSK_LVL_WARN}, {"fixme", OWSK_LVL_FIXME}, {"info", OWSK_LVL_INFO},
        {"trace", OWSK_LVL_TRACE}, {"all", OWSK_LVL_TRACE},
    };

    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strlen(aliases[i].name) == len && strncasecmp(aliases[i].name, name, len) == 0)
            return (int)aliases[i].lvl;
    return -1;
}

static void set_defaults(void)
{
    for (unsigned i = 0; i < OWSK_CH_COUNT; i++)
        owsk_log_level[i] = OWSK_LVL_WARN;
    /* DbgPrint output is what a driver developer runs the host to see. */
    owsk_log_level[OWSK_CH_DRIVER] = OWSK_LVL_INFO;
}

static void apply(int ch, int lvl)
{
    if (ch < 0) {
        for (unsigned i = 0; i < OWSK_CH_COUNT; i++)
            owsk_log_level[i] = (unsigned char)lvl;
    } else {
        owsk_log_level[ch] = (unsigned char)lvl;
    }
}

/* One item: "wsk" or "+wsk" (trace), "-wsk" (errors only), "wsk:info", "all:warn", or a bare
 * level ("trace") for every channel. Returns false for an unknown channel or level. */
static bool parse_item(const char *item, size_t len)
{
    const char *colon = memchr(item, ':', len);
    size_t name_len = colon ? (size_t)(colon - item) : len;
    int lvl = OWSK_LVL_TRACE, ch = -1;
    enum owsk_channel c;

    if (len == 0)
        return true;
    if (item[0] == '+' || item[0] == '-') {
        if (colon)
            return false;
        lvl = item[0] == '-' ? OWSK_LVL_ERR : OWSK_LVL_TRACE;
        item++;
        name_len--;
    } else if (colon) {
        lvl = level_from_name(colon + 1, len - name_len - 1);
        if (lvl < 0)
            return false;
    } else if (level_from_name(item, name_len) >= 0 &&
               !(name_len == 3 && strncasecmp(item, "all", 3) == 0)) {
        apply(-1, level_from_name(item, name_len));
        return true;
    }
    if (name_len == 3 && strncasecmp(item, "all", 3) == 0)
        ch = -1;
    else if (owsk_log_channel_from_name(item, name_len, &c))
        ch = (int)c;
    else
        return false;
    apply(ch, lvl);
    return true;
}

bool owsk_log_parse(const char *spec)
{
    bool ok = true;

    set_defaults();
    if (!spec)
        return true;
    while (*spec) {
        size_t n = strcspn(spec, ",; ");
        if (!parse_item(spec, n)) {
            ok = false;
            owsk_log(OWSK_CH_CORE, OWSK_LVL_WARN, __func__, "OWSK_DEBUG: ignoring \"%.*s\"",
                     (int)n, spec);
        }
        spec += n;
        if (*spec)
            spec++;
    }
    return ok;
}

void owsk_log_init(void)
{
    owsk_log_parse(getenv("OWSK_DEBUG"));
}

__attribute__((constructor)) static void log_ctor(void)
{
    owsk_log_init();
}

void owsk_log_set_sink(void (*sink)(const char *line, void *ctx), void *ctx)
{
    pthread_mutex_lock(&sink_lock);
    sink_fn = sink;
    sink_ctx = sink ? ctx : NULL;
    pthread_mutex_unlock(&sink_lock);
}

/* One write() per line so lines from concurrent threads never interleave. */
static void stderr_sink(char *line, size_t len)
{
    line[len] = '\n';
    len++;
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, line, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        line += n;
        len -= (size_t)n;
    }
}

void owsk_log_line(const char *line)
{
    void (*fn)(const char *, void *);
    void *ctx;
    size_t len = strlen(line);
    char small[512], *buf = small;

    pthread_mutex_lock(&sink_lock);
    fn = sink_fn;
    ctx = sink_ctx;
    pthread_mutex_unlock(&sink_lock);
    if (fn) {
        fn(line, ctx);
        return;
    }
    if (len + 1 > sizeof(small)) {
        buf = malloc(len + 1);
        if (!buf)
            return;
    }
    memcpy(buf, line, len);
    stderr_sink(buf, len);
    if (buf != small)
        free(buf);
}

void owsk_vlog(enum owsk_channel ch, enum owsk_level lvl, const char *func, const char *fmt,
               va_list ap)
{
    char small[1024], *buf = small;
    size_t cap = sizeof(small);
    int prefix, n;
    va_list ap2;

    if ((unsigned)ch >= OWSK_CH_COUNT)
        ch = OWSK_CH_CORE;
    /* The driver channel carries DbgPrint text that already has its "service: " prefix. */
    if (ch == OWSK_CH_DRIVER)
        prefix = 0;
    else if (func)
        prefix = snprintf(buf, cap, "[%s] %s: ", channel_names[ch], func);
    else
        prefix = snprintf(buf, cap, "[%s] ", channel_names[ch]);
    if (prefix < 0 || (size_t)prefix >= cap)
        prefix = 0;
    va_copy(ap2, ap);
    n = vsnprintf(buf + prefix, cap - (size_t)prefix, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        n = 0;
    if ((size_t)prefix + (size_t)n >= cap) {
        char *big = malloc((size_t)prefix + (size_t)n + 1);
        if (big) {
            memcpy(big, buf, (size_t)prefix);
            vsnprintf(big + prefix, (size_t)n + 1, fmt, ap);
            buf = big;
        }
    }
    (void)lvl; /* filtering is the caller's (OWSK_LOG_ON); the line format is the same */
    owsk_log_line(buf);
    if (buf != small)
        free(buf);
}

void owsk_log(enum owsk_channel ch, enum owsk_level lvl, const char *func, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    owsk_vlog(ch, lvl, func, fmt, ap);
    va_end(ap);
}
