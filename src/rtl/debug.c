/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DbgPrint(Ex), vDbgPrintEx(WithPrefix), DbgBreakPoint and RtlAssert: driver debug output on
 * the log's "driver" channel, one line per call, prefixed "<service>: ". DbgPrintEx filters as
 * Windows' default does (only DPFLTR_ERROR_LEVEL) unless OWSK_DEBUG=driver:trace or a
 * component mask is raised. No 512-byte truncation, no kernel-debugger prompt. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wdm.h>

#include <dpfilter.h>

#include "core/core.h"
#include "ke/ke.h"
#include "rtl/rtl.h"

/* Per-component masks (Kd_<component>_Mask), raised by the host; read racily by printers. */
#define N_COMPONENTS 256
static ULONG component_mask[N_COMPONENTS];

void owsk_rtl_debug_set_component_mask(ULONG component_id, ULONG mask)
{
    if (component_id < N_COMPONENTS)
        __atomic_store_n(&component_mask[component_id], mask, __ATOMIC_RELAXED);
}

/* Levels 0-31 are bit numbers, larger values are masks (DbgPrintEx docs). Windows' default
 * filter (Kd_DEFAULT_Mask) passes only bit 0, DPFLTR_ERROR_LEVEL. */
static bool passes(ULONG ComponentId, ULONG Level, enum owsk_level *ret_lvl)
{
    ULONG mask = Level <= 31 ? 1u << Level : Level & ~(ULONG)DPFLTR_MASK;
    ULONG comp = ComponentId < N_COMPONENTS
                     ? __atomic_load_n(&component_mask[ComponentId], __ATOMIC_RELAXED)
                     : 0;

    if (mask & 1u) {
        *ret_lvl = OWSK_LVL_ERR;
        return true;
    }
    *ret_lvl = OWSK_LVL_INFO;
    if (OWSK_LOG_ON(OWSK_CH_DRIVER, OWSK_LVL_TRACE))
        return true;
    return (mask & comp) != 0;
}

/* One log line per line of text; the trailing newline is dropped (the sink adds one), an
 * empty message prints nothing. */
static void emit(enum owsk_level lvl, const char *prefix, const char *text)
{
    struct owsk_owner *owner = owsk_current_owner;
    const char *who = owner ? owner->name : "host";

    while (*text) {
        size_t n = strcspn(text, "\n");
        size_t len = n;
        if (len && text[len - 1] == '\r')
            len--;
        owsk_log(OWSK_CH_DRIVER, lvl, NULL, "%s: %s%.*s", who, prefix ? prefix : "", (int)len,
                 text);
        text += n;
        if (*text == '\n')
            text++;
    }
}

static void vprint(enum owsk_level lvl, const char *prefix, const char *Format, va_list ap)
{
    char small[512], *buf = small;
    size_t need;
    va_list ap2;

    if (!Format)
        return;
    va_copy(ap2, ap);
    need = owsk_rtl_vsnprintf(small, sizeof(small), Format, ap2);
    va_end(ap2);
    if (need >= sizeof(small)) {
        buf = malloc(need + 1);
        if (buf)
            owsk_rtl_vsnprintf(buf, need + 1, Format, ap);
        else
            buf = small; /* print the truncated text rather than nothing */
    }
    emit(lvl, prefix, buf);
    if (buf != small)
        free(buf);
}

NTSYSAPI ULONG NTAPI vDbgPrintExWithPrefix(_In_z_ PCCH Prefix, _In_ ULONG ComponentId,
                                           _In_ ULONG Level, _In_z_ PCCH Format,
                                           _In_ va_list arglist)
{
    enum owsk_level lvl;

    if (passes(ComponentId, Level, &lvl) && OWSK_LOG_ON(OWSK_CH_DRIVER, lvl))
        vprint(lvl, Prefix, Format, arglist);
    return STATUS_SUCCESS;
}

NTSYSAPI ULONG NTAPI vDbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level, _In_z_ PCCH Format,
                                 _In_ va_list arglist)
{
    return vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, arglist);
}

NTSYSAPI ULONG __cdecl DbgPrintEx(_In_ ULONG ComponentId, _In_ ULONG Level,
                                  _In_z_ _Printf_format_string_ PCSTR Format, ...)
{
    va_list ap;

    va_start(ap, Format);
    vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

/* DbgPrint: since Vista, Windows files it under DPFLTR_DEFAULT_ID at INFO level and the default
 * mask hides it; here it is shown whenever the driver channel is at INFO (the default), because
 * seeing it is why a developer runs the host. */
NTSYSAPI ULONG __cdecl DbgPrint(_In_z_ _Printf_format_string_ PCSTR Format, ...)
{
    va_list ap;

    if (!OWSK_LOG_ON(OWSK_CH_DRIVER, OWSK_LVL_INFO))
        return STATUS_SUCCESS;
    va_start(ap, Format);
    vprint(OWSK_LVL_INFO, NULL, Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

static bool debugger_attached(void)
{
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");
    bool attached = false;

    if (!f)
        return false;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "TracerPid:", 10) == 0) {
            attached = atoi(line + 10) != 0;
            break;
        }
    fclose(f);
    return attached;
}

/* A breakpoint with no kernel debugger attached is an unhandled kernel-mode exception: bug
 * check 0x1E with STATUS_BREAKPOINT. Under gdb it is a SIGTRAP, which gdb catches. */
static void breakpoint(void *where)
{
    if (debugger_attached()) {
        raise(SIGTRAP);
        return;
    }
    owsk_ke_bugcheck(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)STATUS_BREAKPOINT,
                     (ULONG_PTR)where, 0, 0,
                     "breakpoint (DbgBreakPoint, or a failed ASSERT) with no debugger attached");
}

NTSYSAPI VOID NTAPI DbgBreakPoint(VOID)
{
    breakpoint(__builtin_return_address(0));
}

/* RtlAssert: prints what Windows' debugger shows, then breaks as DbgBreakPoint does (the
 * debugger's "Break, Ignore, Terminate" prompt does not exist here). */
NTSYSAPI VOID NTAPI RtlAssert(_In_ PVOID VoidFailedAssertion, _In_ PVOID VoidFileName,
                              _In_ ULONG LineNumber, _In_opt_ PSTR MutableMessage)
{
    struct owsk_owner *owner = owsk_current_owner;

    owsk_log(OWSK_CH_DRIVER, OWSK_LVL_ERR, NULL, "%s: %s%sAssertion failed: %s, file %s, line %u",
             owner ? owner->name : "host", MutableMessage ? MutableMessage : "",
             MutableMessage ? " " : "",
             VoidFailedAssertion ? (const char *)VoidFailedAssertion : "?",
             VoidFileName ? (const char *)VoidFileName : "?", LineNumber);
    breakpoint(__builtin_return_address(0));
}
