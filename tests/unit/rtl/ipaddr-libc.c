/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* glibc's inet_pton/inet_ntop for test-rtl-ipaddr, in a file of its own because the Windows
 * and Linux struct in_addr cannot share a translation unit. */
#include <arpa/inet.h>
#include <stddef.h>

int libc_ntop(int v6, const void *addr, char *out, unsigned size)
{
    return inet_ntop(v6 ? AF_INET6 : AF_INET, addr, out, size) != NULL;
}

int libc_pton(int v6, const char *s, void *addr)
{
    return inet_pton(v6 ? AF_INET6 : AF_INET, s, addr) == 1;
}
