/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default control socket path. A pathname socket only: abstract sockets have no
 * permission checks (unix(7)), so the host never uses one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/un.h>

#include "ctlpath.h"

int owsk_ctl_default_path(char *buf, size_t len)
{
    const char *dir = getenv("XDG_RUNTIME_DIR");
    struct sockaddr_un sun;
    int n;

    if (dir && *dir)
        n = snprintf(buf, len, "%s/openwsk/wskhost.sock", dir);
    else
        n = snprintf(buf, len, "/run/openwsk/wskhost.sock");
    if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sun.sun_path))
        return -ENAMETOOLONG;
    return 0;
}
