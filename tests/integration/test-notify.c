/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify: with NOTIFY_SOCKET set (a pathname, then an abstract "@" address as systemd
 * uses), wskhost sends READY=1 once echosrv is up and STOPPING=1 when told to stop. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

/* Waits up to timeout_ms for a datagram containing needle. */
static bool got_datagram(int fd, const char *needle, unsigned timeout_ms)
{
    uint64_t deadline = e2e_now_ms() + timeout_ms;
    char buf[1024];

    while (e2e_now_ms() < deadline) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (poll(&p, 1, (int)(deadline - e2e_now_ms())) != 1)
            continue;
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        if (strstr(buf, needle))
            return true;
    }
    return false;
}

static void run(bool abstract)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    char env[128];
    socklen_t len;
    struct e2e_host h;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    E2E_CHECK(fd >= 0);
    if (abstract) {
        /* sun_path[0] stays NUL: an abstract name, written "@name" in NOTIFY_SOCKET. */
        int n =
            snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "owsk-notify-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
        snprintf(env, sizeof(env), "@%s", sun.sun_path + 1);
    } else {
        snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/owsk-notify-%d.sock", (int)getpid());
        unlink(sun.sun_path);
        len = sizeof(sun);
        snprintf(env, sizeof(env), "%s", sun.sun_path);
    }
    E2E_CHECK_INT(bind(fd, (struct sockaddr *)&sun, len), 0);
    setenv("NOTIFY_SOCKET", env, 1);
    if (e2e_host_start(&h, NULL, NULL, 60000) == 0) {
        E2E_CHECK(got_datagram(fd, "READY=1", 10000));
        E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
        E2E_CHECK(got_datagram(fd, "STOPPING=1", 5000));
    } else {
        e2e_fail(__FILE__, __LINE__, "host did not start");
    }
    e2e_host_free(&h);
    unsetenv("NOTIFY_SOCKET");
    if (!abstract)
        unlink(sun.sun_path);
    close(fd);
}

int main(void)
{
    run(false);
    run(true);
    return e2e_done();
}
