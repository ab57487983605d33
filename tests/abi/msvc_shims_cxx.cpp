/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The C++ side of the header shims: SEH spellings (libstdc++-compatible), FORCEINLINE member
 * functions, RTL_CONSTANT_STRING from const literals, DEFINE_GUID with INITGUID and
 * C linkage of the DDI declarations. */
#define INITGUID
#include <ntddk.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern "C" {
#include "owsk_test.h"
}

DEFINE_GUID(TEST_GUID, 0x998bdf51, 0x0349, 0x4fbc, 0x87, 0x0c, 0xd6, 0x13, 0x0a, 0x95, 0x5a,
            0x5f);

class Counter {
    LONG value_;

public:
    Counter() : value_(0) {}
    FORCEINLINE LONG Bump() { return InterlockedIncrement(&value_); }
};

static int seh_steps()
{
    volatile int steps = 0;

    __try {
        steps += 1;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        steps += 100;
    }
    __try {
        steps += 10;
    } __finally {
        steps += 1000;
    }
    return steps;
}

int main(void)
{
    UNICODE_STRING u = RTL_CONSTANT_STRING(L"abc");
    ANSI_STRING a = RTL_CONSTANT_STRING("abcd");
    Counter c;
    /* A DDI declared in C++ must refer to the C symbol: taking its address links only if the
     * declaration has C linkage. */
    NTSTATUS (*wait)(PVOID, KWAIT_REASON, KPROCESSOR_MODE, BOOLEAN, PLARGE_INTEGER) =
        KeWaitForSingleObject;

    CHECK_INT(seh_steps(), 1011);
    CHECK_INT(u.Length, 6);
    CHECK_INT(a.MaximumLength, 5);
    CHECK_INT(c.Bump(), 1);
    CHECK_INT(c.Bump(), 2);
    CHECK_UINT(TEST_GUID.Data1, 0x998bdf51u);
    CHECK_UINT(TEST_GUID.Data4[7], 0x5f);
    CHECK(IsEqualGUID(TEST_GUID, TEST_GUID));
    CHECK(wait != NULL);
    return t_done();
}
