/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RtlGetVersion: Windows 10.0 build 19045 workstation for both structure sizes; any other
 * dwOSVersionInfoSize is STATUS_INVALID_PARAMETER and leaves the structure alone. */
#include <string.h>

#include <ntddk.h>

#include "owsk_test.h"

int main(void)
{
    RTL_OSVERSIONINFOW v;
    RTL_OSVERSIONINFOEXW ex;

    t_poison(&v, sizeof(v));
    v.dwOSVersionInfoSize = sizeof(v);
    CHECK_STATUS(RtlGetVersion(&v), STATUS_SUCCESS);
    CHECK_UINT(v.dwOSVersionInfoSize, sizeof(v));
    CHECK_UINT(v.dwMajorVersion, 10);
    CHECK_UINT(v.dwMinorVersion, 0);
    CHECK_UINT(v.dwBuildNumber, 19045);
    CHECK_UINT(v.dwPlatformId, VER_PLATFORM_WIN32_NT);
    CHECK_UINT(v.szCSDVersion[0], 0);

    t_poison(&ex, sizeof(ex));
    ex.dwOSVersionInfoSize = sizeof(ex);
    CHECK_STATUS(RtlGetVersion((PRTL_OSVERSIONINFOW)&ex), STATUS_SUCCESS);
    CHECK_UINT(ex.dwMajorVersion, 10);
    CHECK_UINT(ex.wProductType, VER_NT_WORKSTATION);
    CHECK_UINT(ex.wServicePackMajor, 0);
    CHECK_UINT(ex.wServicePackMinor, 0);
    CHECK_UINT(ex.wSuiteMask, 0x100); /* VER_SUITE_SINGLEUSERTS, as a Windows 10 client */
    CHECK_UINT(ex.wReserved, 0);

    t_poison(&v, sizeof(v));
    v.dwOSVersionInfoSize = sizeof(v) + 1;
    CHECK_STATUS(RtlGetVersion(&v), STATUS_INVALID_PARAMETER);
    CHECK_UINT(v.dwMajorVersion, 0xdeadbeef);
    v.dwOSVersionInfoSize = 0;
    CHECK_STATUS(RtlGetVersion(&v), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlGetVersion(NULL), STATUS_INVALID_PARAMETER);
    return t_done();
}
