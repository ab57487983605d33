/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RtlGetVersion: this host reports Windows 10.0 build 19045 (22H2), workstation, no service
 * pack, which is what drivers that gate on "Windows 10 workstation" expect. */
#include <string.h>

#include <wdm.h>

#define OWSK_WIN_BUILD 19045

NTSYSAPI NTSTATUS NTAPI RtlGetVersion(_Out_ PRTL_OSVERSIONINFOW lpVersionInformation)
{
    ULONG size;

    if (!lpVersionInformation)
        return STATUS_INVALID_PARAMETER;
    size = lpVersionInformation->dwOSVersionInfoSize;
    if (size != sizeof(RTL_OSVERSIONINFOW) && size != sizeof(RTL_OSVERSIONINFOEXW))
        return STATUS_INVALID_PARAMETER;
    memset(lpVersionInformation, 0, size);
    lpVersionInformation->dwOSVersionInfoSize = size;
    lpVersionInformation->dwMajorVersion = 10;
    lpVersionInformation->dwMinorVersion = 0;
    lpVersionInformation->dwBuildNumber = OWSK_WIN_BUILD;
    lpVersionInformation->dwPlatformId = VER_PLATFORM_WIN32_NT;
    if (size == sizeof(RTL_OSVERSIONINFOEXW)) {
        PRTL_OSVERSIONINFOEXW ex = (PRTL_OSVERSIONINFOEXW)lpVersionInformation;
        ex->wSuiteMask = VER_SUITE_SINGLEUSERTS;
        ex->wProductType = VER_NT_WORKSTATION;
    }
    return STATUS_SUCCESS;
}
