/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskctl against a live host: list, query, sockets, pool and irps in text and --json (parsed
 * here), --help, usage errors, "no host running", a second host refused on the same socket,
 * then unload and load again through the control socket (one list row per service, the
 * newest; --all shows the superseded one), and a clean stop. */
#include <jansson.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e.h"

static struct e2e_host h;

/* Runs "wskctl --socket CTL args..."; returns the exit code, *out gets stdout. */
static int ctl(char **out, char **err, const char *a1, const char *a2, const char *a3,
               const char *a4)
{
    const char *argv[] = {e2e_wskctl(), "--socket", h.ctl, a1, a2, a3, a4, NULL};

    return e2e_run(argv, out, err, 60000);
}

static json_t *ctl_json(const char *cmd)
{
    char *out = NULL, *err = NULL;
    json_error_t jerr;
    json_t *j = NULL;
    int rc = ctl(&out, &err, "--json", cmd, NULL, NULL);

    if (rc != 0)
        e2e_fail(__FILE__, __LINE__, "wskctl --json %s exited %d: %s", cmd, rc, err);
    else if (!(j = json_loads(out, 0, &jerr)))
        e2e_fail(__FILE__, __LINE__, "wskctl --json %s printed no JSON: %s", cmd, out);
    else if (!json_is_true(json_object_get(j, "ok")))
        e2e_fail(__FILE__, __LINE__, "wskctl --json %s: not ok: %s", cmd, out);
    free(out);
    free(err);
    return j;
}

/* "wskctl --json query NAME": the exit code follows the LSB contract (0 running, 3 stopped,
 * 4 unknown) and stdout is that driver's JSON object alone (nothing for an unknown one). */
static void check_query_json(const char *name, int want_rc, const char *want_state)
{
    char *out = NULL, *err = NULL;
    json_error_t jerr;
    json_t *j;
    int rc = ctl(&out, &err, "--json", "query", name, NULL);

    if (rc != want_rc)
        e2e_fail(__FILE__, __LINE__, "wskctl --json query %s exited %d, not %d: %s", name, rc,
                 want_rc, err);
    if (!want_state) {
        E2E_CHECK(out && out[0] == '\0');
        E2E_CHECK(err && strstr(err, "ERROR_SERVICE_DOES_NOT_EXIST") != NULL);
    } else if (!(j = json_loads(out, 0, &jerr))) {
        e2e_fail(__FILE__, __LINE__, "wskctl --json query %s printed no JSON: %s", name, out);
    } else {
        const char *n = json_string_value(json_object_get(j, "name"));
        const char *st = json_string_value(json_object_get(j, "state"));
        const char *path = json_string_value(json_object_get(j, "path"));

        E2E_CHECK(json_is_object(j));
        E2E_CHECK(json_object_get(j, "drivers") == NULL); /* not the whole list */
        E2E_CHECK(n && strcmp(n, name) == 0);
        if (!st || strcmp(st, want_state) != 0)
            e2e_fail(__FILE__, __LINE__, "query %s: state %s, not %s", name, st ? st : "(none)",
                     want_state);
        E2E_CHECK_INT(json_integer_value(json_object_get(j, "state_code")),
                      strcmp(want_state, "RUNNING") == 0 ? 4 : 1);
        E2E_CHECK(path && strstr(path, "echosrv.so") != NULL);
        json_decref(j);
    }
    free(out), free(err);
}

/* Occurrences of needle in hay. */
static unsigned count_str(const char *hay, const char *needle)
{
    unsigned n = 0;

    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static int round_trip(int fd, char c)
{
    struct timeval tv = {.tv_sec = 10};
    char r = 0;

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return send(fd, &c, 1, 0) == 1 && recv(fd, &r, 1, 0) == 1 && r == c ? 0 : -1;
}

static unsigned count_rows(json_t *arr, const char *key, const char *value, const char *key2,
                           const char *substr)
{
    unsigned n = 0;
    size_t i;
    json_t *row;

    json_array_foreach(arr, i, row)
    {
        const char *v = json_string_value(json_object_get(row, key));
        const char *v2 = key2 ? json_string_value(json_object_get(row, key2)) : NULL;

        if (v && strcmp(v, value) == 0 && (!key2 || (v2 && strstr(v2, substr))))
            n++;
    }
    return n;
}

static void check_reads(unsigned port)
{
    char *out = NULL, *err = NULL, portsuffix[16];
    json_t *j, *d, *rows, *row;
    size_t i;
    bool listener = false;

    E2E_CHECK_INT(ctl(&out, &err, "list", NULL, NULL, NULL), 0);
    E2E_CHECK(strstr(out, "SERVICE_NAME: echosrv") != NULL);
    E2E_CHECK(strstr(out, "STATE              : 4  RUNNING") != NULL);
    free(out), free(err);

    j = ctl_json("list");
    d = json_array_get(json_object_get(j, "drivers"), 0);
    E2E_CHECK(d != NULL);
    if (d) {
        const char *path = json_string_value(json_object_get(d, "path"));

        E2E_CHECK(strcmp(json_string_value(json_object_get(d, "name")), "echosrv") == 0);
        E2E_CHECK(strcmp(json_string_value(json_object_get(d, "state")), "RUNNING") == 0);
        E2E_CHECK_INT(json_integer_value(json_object_get(d, "state_code")), 4);
        E2E_CHECK(path && strstr(path, "echosrv.so") != NULL);
    }
    E2E_CHECK_INT(json_integer_value(json_object_get(j, "pid")), h.pid);
    json_decref(j);

    snprintf(portsuffix, sizeof(portsuffix), ":%u", port);
    j = ctl_json("sockets");
    rows = json_object_get(j, "sockets");
    json_array_foreach(rows, i, row)
    {
        const char *local = json_string_value(json_object_get(row, "local"));
        const char *cat = json_string_value(json_object_get(row, "category"));

        if (cat && strcmp(cat, "listen") == 0 && local && strlen(local) > strlen(portsuffix) &&
            strcmp(local + strlen(local) - strlen(portsuffix), portsuffix) == 0)
            listener = true;
    }
    E2E_CHECK(listener);
    E2E_CHECK(count_rows(rows, "driver", "echosrv", "category", "connection") >= 2);
    json_decref(j);
    E2E_CHECK_INT(ctl(&out, &err, "sockets", NULL, NULL, NULL), 0);
    E2E_CHECK(strstr(out, "listen") != NULL && strstr(out, "CATEGORY") != NULL);
    free(out), free(err);

    /* Two connections: two connection contexts and four buffers outstanding. */
    j = ctl_json("pool");
    rows = json_object_get(j, "pool");
    json_array_foreach(rows, i, row)
    {
        const char *tag = json_string_value(json_object_get(row, "tag"));
        long long diff = json_integer_value(json_object_get(row, "diff"));

        if (!tag || strcmp(json_string_value(json_object_get(row, "driver")), "echosrv"))
            continue;
        if (strcmp(tag, "ecCn") == 0)
            E2E_CHECK_INT(diff, 2);
        if (strcmp(tag, "ecBf") == 0)
            E2E_CHECK_INT(diff, 4);
    }
    E2E_CHECK(count_rows(rows, "tag", "ecCn", NULL, NULL) == 1);
    E2E_CHECK(count_rows(rows, "tag", "ecBf", NULL, NULL) == 1);
    json_decref(j);
    E2E_CHECK_INT(ctl(&out, &err, "pool", NULL, NULL, NULL), 0);
    E2E_CHECK(strstr(out, "Allocs") != NULL && strstr(out, "ecBf") != NULL);
    free(out), free(err);

    /* echosrv keeps two receives pending per connection. */
    j = ctl_json("irps");
    E2E_CHECK(count_rows(json_object_get(j, "irps"), "driver", "echosrv", "operation", "Receive") >=
              4);
    json_decref(j);
    E2E_CHECK_INT(ctl(&out, &err, "irps", NULL, NULL, NULL), 0);
    E2E_CHECK(strstr(out, "OPERATION") != NULL);
    free(out), free(err);
}

static void check_cli(void)
{
    const char *nohost[] = {e2e_wskctl(), "--socket", "/nonexistent/openwsk/x.sock", "list", NULL};
    const char *bogus[] = {e2e_wskctl(), "bogus", NULL};
    char *out = NULL, *err = NULL;

    E2E_CHECK_INT(e2e_run(nohost, &out, &err, 30000), 1);
    E2E_CHECK(strstr(err, "wskctl: no wskhost running (no socket at "
                          "/nonexistent/openwsk/x.sock)") != NULL);
    free(out), free(err);
    E2E_CHECK_INT(e2e_run(bogus, &out, &err, 30000), 2);
    free(out), free(err);
    {
        /* query --json keeps exit 1 when no host answers (not 4: the driver may exist). */
        const char *q[] = {e2e_wskctl(), "--socket", "/nonexistent/openwsk/x.sock",
                           "--json",     "query",    "echosrv",
                           NULL};

        E2E_CHECK_INT(e2e_run(q, &out, &err, 30000), 1);
        E2E_CHECK(out && out[0] == '\0');
        free(out), free(err);
    }
    for (const char *const *c = (const char *const[]){"list", "sockets", "pool", "irps", "load",
                                                      "unload", "run", NULL};
         *c; c++) {
        E2E_CHECK_INT(ctl(&out, &err, *c, "--help", NULL, NULL), 0);
        E2E_CHECK(strstr(out, "SYNOPSIS") != NULL);
        free(out), free(err);
    }
    /* query: sc query NAME with LSB exit codes. */
    E2E_CHECK_INT(ctl(&out, &err, "query", "echosrv", NULL, NULL), 0);
    E2E_CHECK(strstr(out, "4  RUNNING") != NULL);
    free(out), free(err);
    E2E_CHECK_INT(ctl(&out, &err, "query", "nosuchdriver", NULL, NULL), 4);
    free(out), free(err);
    check_query_json("echosrv", 0, "RUNNING");
    check_query_json("nosuchdriver", 4, NULL);
    /* --json after the command name works the same. */
    E2E_CHECK_INT(ctl(&out, &err, "query", "echosrv", "--json", NULL), 0);
    E2E_CHECK(out && out[0] == '{' && strstr(out, "\"drivers\"") == NULL);
    free(out), free(err);
    /* list DRIVER --json: only that driver's rows. */
    E2E_CHECK_INT(ctl(&out, &err, "--json", "list", "echosrv", NULL), 0);
    E2E_CHECK_INT(count_str(out, "\"name\":"), 1);
    free(out), free(err);
    E2E_CHECK_INT(ctl(&out, &err, "list", "nosuchdriver", NULL, NULL), 1);
    free(out), free(err);
    E2E_CHECK_INT(ctl(&out, &err, "unload", NULL, NULL, NULL), 2);
    free(out), free(err);
    E2E_CHECK_INT(ctl(&out, &err, "unload", "nosuchdriver", NULL, NULL), 1);
    free(out), free(err);
}

/* Bad requests get an error reply and never hurt the host (S-03). */
static void check_bad_requests(void)
{
    static const char *const bad[] = {"not json\n",
                                      "[1,2]\n",
                                      "{\"cmd\":1}\n",
                                      "{\"cmd\":\"nope\"}\n",
                                      "{\"cmd\":\"load\"}\n",
                                      "{\"cmd\":\"load\",\"path\":\"/x.so\",\"params\":[1]}\n",
                                      "{\"cmd\":\"unload\",\"name\":null}\n"};
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 10};
    char reply[4096];
    char *big;
    int fd;

    snprintf(sun.sun_path, sizeof(sun.sun_path), "%.100s", h.ctl);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    E2E_CHECK_INT(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ssize_t n;

        E2E_CHECK_INT(send(fd, bad[i], strlen(bad[i]), MSG_NOSIGNAL), (ssize_t)strlen(bad[i]));
        /* One reply line per request. */
        n = 0;
        while (n < (ssize_t)sizeof(reply) - 1 && (n == 0 || reply[n - 1] != '\n')) {
            ssize_t k = recv(fd, reply + n, sizeof(reply) - 1 - (size_t)n, 0);
            if (k <= 0)
                break;
            n += k;
        }
        E2E_CHECK(n > 0);
        if (n <= 0)
            break;
        reply[n] = '\0';
        if (!strstr(reply, "\"ok\":false") || !strstr(reply, "\"error\""))
            e2e_fail(__FILE__, __LINE__, "request %zu: reply %s", i, reply);
    }
    close(fd);

    /* A line longer than 64 KiB: refused, connection closed. */
    big = malloc(70000);
    memset(big, 'x', 70000);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    E2E_CHECK_INT(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    send(fd, big, 70000, MSG_NOSIGNAL);
    {
        ssize_t n = recv(fd, reply, sizeof(reply) - 1, 0);

        E2E_CHECK(n > 0);
        if (n > 0) {
            reply[n] = '\0';
            E2E_CHECK(strstr(reply, "64 KiB") != NULL);
        }
    }
    close(fd);
    free(big);
}

/* A second host on the same control socket must refuse to start. */
static void check_second_host(void)
{
    struct e2e_host h2;
    const char *argv[] = {"--control", h.ctl, NULL};

    E2E_CHECK_INT(e2e_host_init(&h2), 0);
    E2E_CHECK_INT(e2e_host_spawn(&h2, argv), 0);
    E2E_CHECK_INT(e2e_host_wait(&h2, 0, 30000), 1);
    E2E_CHECK(e2e_host_log_has(&h2, "another wskhost is running"));
    e2e_host_free(&h2);
}

/* wskctl run: a foreground wskhost for one driver, NAME=VALUE scoped to it, --socket passed
 * on as the host's control socket; SIGTERM unloads it cleanly. */
static void check_run(void)
{
    struct e2e_host r;
    char *out = NULL, *err = NULL;
    const char *argv[] = {"--socket", NULL,     "run",     e2e_echosrv(),
                          "--param",  "Port=0", "--param", "BufferSize=1000",
                          NULL};
    const char *list[] = {e2e_wskctl(), "--socket", NULL, "list", NULL};
    int fd;

    E2E_CHECK_INT(e2e_host_init(&r), 0);
    argv[1] = r.ctl;
    list[2] = r.ctl;
    E2E_CHECK_INT(e2e_host_spawn_prog(&r, e2e_wskctl(), argv), 0);
    E2E_CHECK(e2e_host_wait_log(&r, "wskhost: ready: echosrv", 60000));
    E2E_CHECK(e2e_host_log_has(&r, "BufferSize 1000"));
    E2E_CHECK_INT(e2e_run(list, &out, &err, 30000), 0);
    E2E_CHECK(strstr(out, "RUNNING") != NULL);
    free(out), free(err);
    {
        const char *at = NULL;

        pthread_mutex_lock(&r.lock);
        at = strstr(r.log, "listening on [::]:");
        r.port = at ? (unsigned)strtoul(at + 18, NULL, 10) : 0;
        pthread_mutex_unlock(&r.lock);
    }
    fd = e2e_connect(false, r.port, 10000);
    E2E_CHECK(fd >= 0);
    if (fd >= 0) {
        E2E_CHECK_INT(e2e_echo_check(fd, 5000, 5, 30000), 0);
        close(fd);
    }
    E2E_CHECK_INT(e2e_host_wait(&r, SIGTERM, 30000), 0);
    e2e_host_free(&r);
}

int main(void)
{
    char *out = NULL, *err = NULL;
    int a, b;
    json_t *j;

    if (e2e_host_start(&h, NULL, NULL, 60000) < 0)
        return 1;
    a = e2e_connect(false, h.port, 10000);
    b = e2e_connect(true, h.port, 10000);
    E2E_CHECK(a >= 0 && b >= 0);
    E2E_CHECK_INT(round_trip(a, 'a'), 0);
    E2E_CHECK_INT(round_trip(b, 'b'), 0);

    check_reads(h.port);
    check_cli();
    check_bad_requests();
    check_reads(h.port);
    check_second_host();
    check_run();

    /* unload through the control socket: echosrv closes both connections itself. */
    E2E_CHECK_INT(ctl(&out, &err, "unload", "echosrv", NULL, NULL), 0);
    E2E_CHECK(strstr(out, "echosrv: unloaded") != NULL);
    free(out), free(err);
    E2E_CHECK_INT(e2e_expect_closed(a, 10000), 0);
    E2E_CHECK_INT(e2e_expect_closed(b, 10000), 0);
    close(a);
    close(b);
    j = ctl_json("list");
    E2E_CHECK_INT(count_rows(json_object_get(j, "drivers"), "state", "RUNNING", NULL, NULL), 0);
    E2E_CHECK_INT(count_rows(json_object_get(j, "drivers"), "name", "echosrv", NULL, NULL), 1);
    json_decref(j);
    E2E_CHECK_INT(ctl(&out, &err, "query", "echosrv", NULL, NULL), 3);
    E2E_CHECK(strstr(out, "1  STOPPED") != NULL);
    free(out), free(err);
    check_query_json("echosrv", 3, "STOPPED");

    /* ... and load it again (Port=0 is still in its Parameters key). */
    E2E_CHECK_INT(ctl(&out, &err, "load", e2e_echosrv(), "--param", "MaxConnections=5"), 0);
    E2E_CHECK(strstr(out, "SERVICE_NAME: echosrv") != NULL);
    free(out), free(err);
    E2E_CHECK(e2e_host_wait_log(&h, "MaxConnections 5", 10000));
    j = ctl_json("list");
    E2E_CHECK_INT(count_rows(json_object_get(j, "drivers"), "state", "RUNNING", NULL, NULL), 1);
    /* Like sc query: one row per service, the newest, not the stopped one next to it. */
    E2E_CHECK_INT(count_rows(json_object_get(j, "drivers"), "name", "echosrv", NULL, NULL), 1);
    E2E_CHECK_INT(json_array_size(json_object_get(j, "drivers")), 1);
    json_decref(j);
    E2E_CHECK_INT(ctl(&out, &err, "list", NULL, NULL, NULL), 0);
    E2E_CHECK_INT(count_str(out, "SERVICE_NAME: echosrv"), 1);
    E2E_CHECK(strstr(out, "STOPPED") == NULL);
    free(out), free(err);
    check_query_json("echosrv", 0, "RUNNING");
    /* --all still shows the superseded record the host keeps for its leak report. */
    E2E_CHECK_INT(ctl(&out, &err, "--json", "list", "--all", NULL), 0);
    {
        json_error_t jerr;
        json_t *all = json_loads(out, 0, &jerr), *rows = json_object_get(all, "drivers"), *row;
        unsigned stopped_old = 0, running_new = 0;
        size_t i;

        E2E_CHECK_INT(json_array_size(rows), 2);
        json_array_foreach(rows, i, row)
        {
            const char *st = json_string_value(json_object_get(row, "state"));
            bool sup = json_is_true(json_object_get(row, "superseded"));

            if (st && strcmp(st, "STOPPED") == 0 && sup && i == 0)
                stopped_old++;
            if (st && strcmp(st, "RUNNING") == 0 && !sup && i == 1)
                running_new++;
        }
        E2E_CHECK_INT(stopped_old, 1);
        E2E_CHECK_INT(running_new, 1);
        json_decref(all);
    }
    free(out), free(err);
    E2E_CHECK_INT(ctl(&out, &err, "list", "--all", NULL, NULL), 0);
    E2E_CHECK_INT(count_str(out, "SERVICE_NAME: echosrv"), 2);
    free(out), free(err);

    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    E2E_CHECK(!e2e_host_log_has(&h, "left behind"));
    e2e_host_free(&h);
    return e2e_done();
}
