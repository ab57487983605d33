/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MmGetSystemRoutineAddress: finds a DDI the runtime exports by name, so drivers that probe
 * for newer DDIs (ExAllocatePool2, ...) see exactly what is implemented. Only PascalCase
 * symbols defined in the runtime's own object and unknown to libc qualify (never "malloc",
 * even as a sanitizer's interceptor); data exports are found too. Leaves out ntoskrnl's
 * lowercase C-library exports ("strlen"). */
#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>

#include "io/io_private.h"

PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    static void *const self = (void *)MmGetSystemRoutineAddress;
    Dl_info me, it;
    char name[128];
    void *sym, *libc;
    USHORT i, n;

    if (!SystemRoutineName || !SystemRoutineName->Buffer)
        return NULL;
    n = SystemRoutineName->Length / sizeof(WCHAR);
    if (n == 0 || n >= sizeof(name))
        return NULL;
    /* DDI names are PascalCase (ExAllocatePool2, RtlGetVersion, ...); this also keeps out the
     * C library and sanitizer symbols that share the object when the runtime is linked into a
     * program statically. ntoskrnl's lowercase CRT exports are therefore not found. */
    if (SystemRoutineName->Buffer[0] < 'A' || SystemRoutineName->Buffer[0] > 'Z')
        return NULL;
    for (i = 0; i < n; i++) {
        WCHAR c = SystemRoutineName->Buffer[i];

        if (c == 0 || c > 0x7e)
            return NULL; /* DDI names are ASCII */
        name[i] = (char)c;
    }
    name[n] = 0;

    /* The global scope holds the runtime (libopenwsk.so, or a program linking it with its
     * DDIs exported); the base check keeps out every other object's symbols. */
    if (!dladdr(self, &me))
        return NULL;
    sym = dlsym(RTLD_DEFAULT, name);
    if (!sym || !dladdr(sym, &it) || it.dli_fbase != me.dli_fbase)
        return NULL;
    /* A sanitizer linked into the program with the runtime defines its interceptors of libc
     * ("malloc", "memcpy", ...) in that same object. No DDI shares a name with libc, so a
     * name libc defines is never one. */
    libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    if (libc) {
        bool in_libc = dlsym(libc, name) != NULL;

        dlclose(libc);
        if (in_libc)
            return NULL;
    }
    OWSK_TRACE(OWSK_CH_IO, "%s -> %p", name, sym);
    return sym;
}
