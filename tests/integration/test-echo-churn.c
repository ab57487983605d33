/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* E-08 (reduced): 1,000 sequential connect -> echo -> close, alternating client-first and
 * server-first close. Afterwards echosrv's pool (wskctl pool --json), the host's sockets and
 * its fd count are back where they started: nothing grows per connection. */
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e.h"

#define ROUNDS 1000

static int count_fds(pid_t pid)
{
    char path[64];
    struct dirent *d;
    int n = 0;
    DIR *dir;

    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    dir = opendir(path);
    if (!dir)
        return -1;
    while ((d = readdir(dir)))
        if (d->d_name[0] != '.')
            n++;
    closedir(dir);
    return n;
}

/* Outstanding allocations of echosrv's per-connection tags (ecCn, ecBf), or -1. */
static long long per_connection_pool(struct e2e_host *h)
{
    const char *argv[] = {e2e_wskctl(), "--socket", h->ctl, "--json", "pool", NULL};
    char *out = NULL, *err = NULL;
    long long diff = -1;
    json_t *j, *row;
    size_t i;

    if (e2e_run(argv, &out, &err, 30000) == 0 && (j = json_loads(out, 0, NULL))) {
        diff = 0;
        json_array_foreach(json_object_get(j, "pool"), i, row)
        {
            const char *tag = json_string_value(json_object_get(row, "tag"));

            if (tag && (!strcmp(tag, "ecCn") || !strcmp(tag, "ecBf")))
                diff += json_integer_value(json_object_get(row, "diff"));
        }
        json_decref(j);
    }
    free(out);
    free(err);
    return diff;
}

static int count_sockets(struct e2e_host *h)
{
    const char *argv[] = {e2e_wskctl(), "--socket", h->ctl, "--json", "sockets", NULL};
    char *out = NULL, *err = NULL;
    int n = -1;
    json_t *j;

    if (e2e_run(argv, &out, &err, 30000) == 0 && (j = json_loads(out, 0, NULL))) {
        n = (int)json_array_size(json_object_get(j, "sockets"));
        json_decref(j);
    }
    free(out);
    free(err);
    return n;
}

int main(void)
{
    struct e2e_host h;
    int fds_before, fds_after = -1, failures = 0;
    uint64_t deadline;

    if (e2e_host_start(&h, NULL, NULL, 60000) < 0)
        return 1;
    fds_before = count_fds(h.pid);
    for (int i = 0; i < ROUNDS; i++) {
        int fd = e2e_connect(i % 4 >= 2, h.port, 10000);

        if (fd < 0) {
            failures++;
            continue;
        }
        if (i % 2 == 0) {
            /* client-first close: FIN after the echo, wait for echosrv's FIN */
            if (e2e_echo_check(fd, 100, (uint32_t)i, 10000) != 0)
                failures++;
        } else {
            /* reset by the client after one round trip */
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            char c = 'c', r = 0;
            struct timeval tv = {.tv_sec = 10};

            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            if (send(fd, &c, 1, 0) != 1 || recv(fd, &r, 1, 0) != 1 || r != c)
                failures++;
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        }
        close(fd);
    }
    E2E_CHECK_INT(failures, 0);

    /* echosrv frees a connection when its close completes: give the last ones time. */
    deadline = e2e_now_ms() + 15000;
    while (e2e_now_ms() < deadline && (per_connection_pool(&h) != 0 || count_sockets(&h) != 1))
        ;
    E2E_CHECK_INT(per_connection_pool(&h), 0);
    E2E_CHECK_INT(count_sockets(&h), 1); /* the listener */
    while (e2e_now_ms() < deadline && (fds_after = count_fds(h.pid)) > fds_before)
        ;
    fprintf(stderr, "host fds: %d before, %d after %d connections\n", fds_before, fds_after,
            ROUNDS);
    E2E_CHECK(fds_after <= fds_before);
    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
