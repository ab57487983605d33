/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, a pathname or an abstract
 * ("@...") AF_UNIX address. Leaves out fd passing and the vsock transport. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wskhost.h"

int notify_send(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    size_t plen;
    socklen_t alen;
    ssize_t n;
    int fd, err = 0;

    if (!path || !*path)
        return 0;
    plen = strlen(path);
    if (path[0] != '/' && path[0] != '@')
        return -EAFNOSUPPORT;
    if (plen >= sizeof(sun.sun_path))
        return -ENAMETOOLONG;
    memcpy(sun.sun_path, path, plen);
    /* systemd's abstract addresses start with '@', which stands for the leading NUL byte. */
    if (path[0] == '@')
        sun.sun_path[0] = '\0';
    alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '/'));

    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
    if (n < 0)
        err = -errno;
    close(fd);
    return err;
}
