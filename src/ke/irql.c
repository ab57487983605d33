/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IRQL as per-thread bookkeeping: KeGetCurrentIrql, KeRaiseIrql/KfRaiseIrql, KeLowerIrql and
 * the checks Windows makes on them. IRQL does not mask anything here; it lets the runtime
 * catch drivers that block or page at DISPATCH_LEVEL. */
#include <wdm.h>

#include "core/core.h"
#include "ke/ke.h"

/* Owned by the thread itself; starts at PASSIVE_LEVEL on every thread. */
static _Thread_local KIRQL cur_irql = PASSIVE_LEVEL;

KIRQL owsk_ke_irql_set(KIRQL irql)
{
    KIRQL old = cur_irql;
    cur_irql = irql;
    return old;
}

KIRQL owsk_ke_irql_get(void)
{
    return cur_irql;
}

void owsk_ke_irql_check_le(KIRQL max, const char *ddi, const void *object)
{
    if (cur_irql <= max)
        return;
    owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)object, cur_irql, 0,
                     (ULONG_PTR)__builtin_return_address(0),
                     "%s called at IRQL %u; its maximum is %u", ddi, cur_irql, max);
}

KIRQL KeGetCurrentIrql(VOID)
{
    return cur_irql;
}

/* Windows' HAL bug checks IRQL_NOT_LESS_OR_EQUAL when "raising" to a lower level. */
KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = cur_irql;

    if (NewIrql < old)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL, 0, old, NewIrql,
                         (ULONG_PTR)__builtin_return_address(0),
                         "KeRaiseIrql to %u from the higher IRQL %u", NewIrql, old);
    if (NewIrql > HIGH_LEVEL)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_LESS_OR_EQUAL, 0, old, NewIrql,
                         (ULONG_PTR)__builtin_return_address(0),
                         "KeRaiseIrql to %u, above HIGH_LEVEL", NewIrql);
    cur_irql = NewIrql;
    return old;
}

/* ... and IRQL_NOT_GREATER_OR_EQUAL when "lowering" to a higher level. */
VOID KeLowerIrql(KIRQL NewIrql)
{
    KIRQL old = cur_irql;

    if (NewIrql > old)
        owsk_ke_bugcheck(OWSK_BUGCHECK_IRQL_NOT_GREATER_OR_EQUAL, 0, old, NewIrql,
                         (ULONG_PTR)__builtin_return_address(0),
                         "KeLowerIrql to %u from the lower IRQL %u", NewIrql, old);
    cur_irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

KIRQL KeRaiseIrqlToSynchLevel(VOID)
{
    return KfRaiseIrql(SYNCH_LEVEL);
}

/* Critical regions disable normal kernel APCs on Windows; there are no APCs here, so only
 * the depth is kept (for KeAreApcsDisabled and the unbalanced-leave bug check). */
static _Thread_local int critical_depth;

VOID KeEnterCriticalRegion(VOID)
{
    critical_depth++;
}

VOID KeLeaveCriticalRegion(VOID)
{
    if (critical_depth == 0)
        owsk_ke_bugcheck(OWSK_BUGCHECK_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x40003, 0, 0, 0,
                         "KeLeaveCriticalRegion without a matching KeEnterCriticalRegion "
                         "(CriticalRegions rule)");
    critical_depth--;
}

BOOLEAN KeAreApcsDisabled(VOID)
{
    return critical_depth > 0 || cur_irql >= APC_LEVEL;
}

/* Installed once by the verifier at start-up; read atomically on every lock operation. */
const struct owsk_ke_sync_hooks *owsk_ke_sync_hooks_installed;

void owsk_ke_set_sync_hooks(const struct owsk_ke_sync_hooks *hooks)
{
    __atomic_store_n(&owsk_ke_sync_hooks_installed, hooks, __ATOMIC_RELEASE);
}
