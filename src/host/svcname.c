/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service name of a driver module path (see svcname.h). No checks beyond length: the
 * loader decides whether the file is a driver. */
#include <errno.h>
#include <string.h>

#include "svcname.h"

int host_service_name(const char *path, char *buf, size_t len)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".so") == 0)
        n -= 3;
    if (n == 0 || n >= len)
        return -ENAMETOOLONG;
    memcpy(buf, base, n);
    buf[n] = '\0';
    return 0;
}
