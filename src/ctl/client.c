/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskctl's side of the control socket: connect, send one request line, read one reply line
 * with a deadline. Every failure becomes one line on stderr. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_host(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "wskctl: socket path too long: %s\n", path);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("wskctl: socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
        return fd;
    if (errno == ENOENT)
        fprintf(stderr, "wskctl: no wskhost running (no socket at %s)\n", path);
    else if (errno == ECONNREFUSED)
        fprintf(stderr, "wskctl: no wskhost running (stale socket at %s)\n", path);
    else
        fprintf(stderr, "wskctl: cannot connect to %s: %s\n", path, strerror(errno));
    close(fd);
    return -1;
}

json_t *ctl_request(const char *path, json_t *req, int timeout_ms)
{
    char *text = json_dumps(req, JSON_COMPACT), *buf = NULL, *nl = NULL;
    size_t len, used = 0, cap = 0;
    long long deadline = now_ms() + timeout_ms;
    json_error_t jerr;
    json_t *reply = NULL;
    int fd;

    if (!text)
        return NULL;
    fd = connect_host(path);
    if (fd < 0) {
        free(text);
        return NULL;
    }
    len = strlen(text);
    if (send(fd, text, len, MSG_NOSIGNAL) != (ssize_t)len || send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
        fprintf(stderr, "wskctl: sending to %s: %s\n", path, strerror(errno));
        goto out;
    }
    while (!nl) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left = deadline - now_ms();
        ssize_t n;

        if (left <= 0) {
            fprintf(stderr, "wskctl: no reply from the host within %d s\n", timeout_ms / 1000);
            goto out;
        }
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            goto out;
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        if (cap - used < 4096) {
            char *b = realloc(buf, cap + 65536);
            if (!b)
                goto out;
            buf = b;
            cap += 65536;
        }
        n = recv(fd, buf + used, cap - used, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "wskctl: the host closed the connection without a reply\n");
            goto out;
        }
        nl = memchr(buf + used, '\n', (size_t)n);
        used += (size_t)n;
    }
    reply = json_loadb(buf, (size_t)(nl - buf), 0, &jerr);
    if (!reply || !json_is_object(reply)) {
        fprintf(stderr, "wskctl: the host sent a reply that is not a JSON object\n");
        json_decref(reply);
        reply = NULL;
    }
out:
    close(fd);
    free(text);
    free(buf);
    return reply;
}
