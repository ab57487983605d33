/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The control socket of wskhost: a pathname AF_UNIX stream socket (0600, in a 0700 directory)
 * speaking line-delimited JSON, served by one thread, one client at a time, each peer checked
 * with SO_PEERCRED. Leaves out the SOCK_SEQPACKET transport and group-based access. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlpath.h"
#include "wskhost.h"

/* A client that sends nothing for this long is dropped, so one stuck wskctl cannot hold the
 * control socket. */
#define CLIENT_IDLE_MS 5000

/* Owned by control_start/control_stop (main thread); the server thread only reads them. */
static int listen_fd = -1;
static int stop_pipe[2] = {-1, -1};
static pthread_t thread;
static bool thread_started;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

/* ---- owner id -> driver name, for the introspection tables ---- */

struct owner_map {
    unsigned ids[256];
    char names[256][64];
    size_t n;
};

static int add_owner(struct owsk_driver *drv, void *ctx)
{
    struct owner_map *m = ctx;

    if (m->n < sizeof(m->ids) / sizeof(m->ids[0])) {
        m->ids[m->n] = owsk_driver_owner_id(drv);
        snprintf(m->names[m->n], sizeof(m->names[0]), "%s", owsk_driver_name(drv));
        m->n++;
    }
    return 0;
}

static const char *owner_name(const struct owner_map *m, unsigned id)
{
    if (id == 0)
        return "host";
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == id)
            return m->names[i];
    return "?";
}

static json_t *pointer_json(const void *p)
{
    char buf[32];

    if (!p)
        return json_null();
    snprintf(buf, sizeof(buf), "%p", p);
    return json_string(buf);
}

static json_t *error_reply(const char *msg)
{
    return json_pack("{s:b, s:s}", "ok", 0, "error", msg);
}

/* ---- commands ---- */

/* sc.exe's SERVICE_STATUS.dwCurrentState numbering. */
static void state_of(enum owsk_driver_state s, const char **ret_name, int *ret_code)
{
    switch (s) {
    case OWSK_DRIVER_LOADING:
        *ret_name = "START_PENDING", *ret_code = 2;
        break;
    case OWSK_DRIVER_RUNNING:
        *ret_name = "RUNNING", *ret_code = 4;
        break;
    case OWSK_DRIVER_UNLOADING:
        *ret_name = "STOP_PENDING", *ret_code = 3;
        break;
    default:
        *ret_name = "STOPPED", *ret_code = 1;
        break;
    }
}

static json_t *driver_json(struct owsk_driver *drv)
{
    const char *state;
    int code;

    state_of(owsk_driver_state(drv), &state, &code);
    return json_pack("{s:s, s:s, s:s, s:i, s:I}", "name", owsk_driver_name(drv), "path",
                     owsk_driver_path(drv) ? owsk_driver_path(drv) : "", "state", state,
                     "state_code", code, "owner_id", (json_int_t)owsk_driver_owner_id(drv));
}

static int add_driver(struct owsk_driver *drv, void *ctx)
{
    json_array_append_new(ctx, driver_json(drv));
    return 0;
}

/* True when a later record in arr (load order) has the same service name as arr[i]. */
static bool superseded(json_t *arr, size_t i)
{
    const char *name = json_string_value(json_object_get(json_array_get(arr, i), "name"));

    for (size_t k = i + 1; name && k < json_array_size(arr); k++) {
        const char *later = json_string_value(json_object_get(json_array_get(arr, k), "name"));

        if (later && strcmp(name, later) == 0)
            return true;
    }
    return false;
}

/* Like sc query, one record per service: the newest. The runtime keeps the records of
 * earlier loads (their leak reports stay readable); {"all":true} lists those too, marked
 * "superseded". */
static json_t *cmd_list(json_t *req)
{
    bool all = json_is_true(json_object_get(req, "all"));
    json_t *arr = json_array(), *out = json_array();

    owsk_driver_foreach(add_driver, arr);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *d = json_array_get(arr, i);
        bool old = superseded(arr, i);

        if (old && !all)
            continue;
        if (all)
            json_object_set_new(d, "superseded", json_boolean(old));
        json_array_append(out, d);
    }
    json_decref(arr);
    return json_pack("{s:b, s:I, s:o}", "ok", 1, "pid", (json_int_t)getpid(), "drivers", out);
}

struct table_ctx {
    struct owner_map map;
    json_t *arr;
};

static int add_socket(const struct owsk_socket_row *row, void *ctx)
{
    struct table_ctx *t = ctx;

    json_array_append_new(
        t->arr,
        json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:I}", "driver",
                  owner_name(&t->map, row->owner_id), "socket", pointer_json(row->socket),
                  "category", row->category ? row->category : "?", "state",
                  row->state ? row->state : "?", "local", row->local, "remote", row->remote,
                  "pending_irps", (json_int_t)row->pending_irps, "loop", (json_int_t)row->loop));
    return 0;
}

static int add_pool(const struct owsk_pool_row *row, void *ctx)
{
    struct table_ctx *t = ctx;
    char tag[5];

    /* poolmon shows a tag in memory order: 'sksw' reads "wsks". */
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(row->tag >> (8 * i));
        tag[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    tag[4] = '\0';
    json_array_append_new(
        t->arr, json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I}", "driver",
                          owner_name(&t->map, row->owner_id), "tag", tag, "tag_value",
                          (json_int_t)row->tag, "type", row->paged ? "Paged" : "Nonp", "allocs",
                          (json_int_t)row->allocs, "frees", (json_int_t)row->frees, "diff",
                          (json_int_t)(row->allocs - row->frees), "bytes", (json_int_t)row->bytes));
    return 0;
}

static int add_irp(const struct owsk_irp_row *row, void *ctx)
{
    struct table_ctx *t = ctx;

    json_array_append_new(
        t->arr,
        json_pack("{s:s, s:o, s:s, s:o, s:I}", "driver", owner_name(&t->map, row->owner_id), "irp",
                  pointer_json(row->irp), "operation", row->operation ? row->operation : "?",
                  "socket", pointer_json(row->socket), "age_ms", (json_int_t)row->age_ms));
    return 0;
}

static json_t *cmd_table(const char *key)
{
    struct table_ctx *t = calloc(1, sizeof(*t));
    json_t *reply;

    if (!t)
        return error_reply("out of memory");
    owsk_driver_foreach(add_owner, &t->map);
    t->arr = json_array();
    if (strcmp(key, "sockets") == 0)
        owsk_socket_foreach(add_socket, t);
    else if (strcmp(key, "pool") == 0)
        owsk_pool_foreach(add_pool, t);
    else
        owsk_irp_foreach(add_irp, t);
    reply = json_pack("{s:b, s:o}", "ok", 1, key, t->arr);
    free(t);
    return reply;
}

static void collect_line(const char *text, void *ctx)
{
    json_array_append_new(ctx, json_string(text));
}

static json_t *cmd_load(json_t *req)
{
    json_t *path = json_object_get(req, "path"), *params = json_object_get(req, "params");
    const char **list = NULL;
    struct owsk_driver *drv;
    owsk_ntstatus_t st = 0;
    char err[512];
    size_t n = 0, i;
    json_t *v, *reply;

    if (!json_is_string(path) || json_string_length(path) == 0)
        return error_reply("load: \"path\" must be a non-empty string");
    if (params && !json_is_array(params))
        return error_reply("load: \"params\" must be an array of \"NAME=VALUE\" strings");
    if (params) {
        n = json_array_size(params);
        list = calloc(n ? n : 1, sizeof(*list));
        if (!list)
            return error_reply("out of memory");
        json_array_foreach(params, i, v)
        {
            if (!json_is_string(v) || !strchr(json_string_value(v), '=')) {
                free(list);
                return error_reply("load: \"params\" must be an array of \"NAME=VALUE\" strings");
            }
            list[i] = json_string_value(v);
        }
    }
    if (host_load(json_string_value(path), list, n, &drv, &st, err, sizeof(err)) < 0) {
        char code[16];

        snprintf(code, sizeof(code), "%#x", (unsigned)st);
        reply = json_pack("{s:b, s:s, s:s, s:s}", "ok", 0, "error", err, "status",
                          owsk_ntstatus_name(st), "ntstatus", code);
    } else {
        fprintf(stderr, "wskhost: loaded %s (%s)\n", owsk_driver_name(drv),
                json_string_value(path));
        reply = json_pack("{s:b, s:o}", "ok", 1, "driver", driver_json(drv));
    }
    free(list);
    return reply;
}

static void stderr_line(const char *text, void *ctx)
{
    fprintf(stderr, "wskhost: %s\n", text);
    collect_line(text, ctx);
}

static json_t *cmd_unload(json_t *req)
{
    json_t *name = json_object_get(req, "name"), *report;
    char err[256];
    int r;

    if (!json_is_string(name))
        return error_reply("unload: \"name\" must be a string");
    report = json_array();
    r = host_unload(json_string_value(name), stderr_line, report, err, sizeof(err));
    if (r < 0) {
        json_decref(report);
        return error_reply(err);
    }
    fprintf(stderr, "wskhost: unloaded %s\n", json_string_value(name));
    /* Unloaded, but "clean" says whether it finished in time and left nothing behind. */
    return json_pack("{s:b, s:s, s:b, s:o}", "ok", 1, "name", json_string_value(name), "clean",
                     r == 0, "report", report);
}

static json_t *dispatch(const char *line, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, 0, &jerr), *reply;
    const char *cmd;

    if (!req || !json_is_object(req)) {
        json_decref(req);
        return error_reply("request is not a JSON object");
    }
    cmd = json_string_value(json_object_get(req, "cmd"));
    if (!cmd)
        reply = error_reply("request has no \"cmd\" string");
    else if (strcmp(cmd, "list") == 0)
        reply = cmd_list(req);
    else if (strcmp(cmd, "sockets") == 0 || strcmp(cmd, "pool") == 0 || strcmp(cmd, "irps") == 0)
        reply = cmd_table(cmd);
    else if (strcmp(cmd, "load") == 0)
        reply = cmd_load(req);
    else if (strcmp(cmd, "unload") == 0)
        reply = cmd_unload(req);
    else
        reply = error_reply("unknown command (list, sockets, pool, irps, load, unload)");
    json_decref(req);
    return reply ? reply : error_reply("out of memory");
}

/* ---- the server thread ---- */

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int send_reply(int fd, json_t *reply)
{
    char *text = json_dumps(reply, JSON_COMPACT);
    size_t len;
    char *line;
    int r;

    json_decref(reply);
    if (!text)
        return -1;
    /* One write for the line and its newline, so readers see whole lines. */
    len = strlen(text);
    line = realloc(text, len + 2);
    if (!line) {
        free(text);
        return -1;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    r = write_all(fd, line, len + 1);
    free(line);
    return r;
}

static bool peer_allowed(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return false;
    return cred.uid == 0 || cred.uid == geteuid();
}

/* Serves one client until it closes, idles out, misbehaves or the host stops. */
static void serve_client(int fd)
{
    char *buf = malloc(OWSK_CTL_MAX_REQUEST + 1);
    size_t used = 0;

    if (!buf)
        return;
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = stop_pipe[0], .events = POLLIN}};
        char *nl;
        ssize_t n;
        int r = poll(p, 2, CLIENT_IDLE_MS);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || p[1].revents)
            break;
        n = recv(fd, buf + used, OWSK_CTL_MAX_REQUEST - used, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
        while ((nl = memchr(buf, '\n', used)) != NULL) {
            size_t line_len = (size_t)(nl - buf);

            if (send_reply(fd, dispatch(buf, line_len)) < 0)
                goto out;
            memmove(buf, nl + 1, used - line_len - 1);
            used -= line_len + 1;
        }
        if (used == OWSK_CTL_MAX_REQUEST) {
            send_reply(fd, error_reply("request longer than 64 KiB"));
            break;
        }
    }
out:
    free(buf);
}

/* Thread: the control thread; serves one client at a time. IRQL: PASSIVE_LEVEL. Locks: none
 * held; loads and unloads take the drivers lock in drivers.c. */
static void *control_thread(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[2] = {{.fd = listen_fd, .events = POLLIN},
                              {.fd = stop_pipe[0], .events = POLLIN}};
        int fd;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        if (peer_allowed(fd))
            serve_client(fd);
        else
            send_reply(fd, error_reply("permission denied: only the host's user or root may "
                                       "use its control socket"));
        close(fd);
    }
    return NULL;
}

/* ---- set-up ---- */

/* The directory must be ours and private: a shared directory would let another user replace
 * the socket file. Creates it (one level) when missing. */
static int prepare_dir(const char *path)
{
    char copy[sizeof(sock_path)];
    const char *dir;
    struct stat st;

    snprintf(copy, sizeof(copy), "%s", path);
    dir = dirname(copy);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "wskhost: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "wskhost: %s is not a directory\n", dir);
        return -1;
    }
    /* Only the directory we own is tightened; /tmp and friends are left alone (the socket
     * file's own 0600 mode and the SO_PEERCRED check still apply there). */
    if (st.st_uid == geteuid() && (st.st_mode & 077) && strcmp(basename(copy), "openwsk") == 0 &&
        chmod(dir, 0700) < 0) {
        fprintf(stderr, "wskhost: cannot chmod %s: %s\n", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* 1 when a live host answers on path, 0 when the path is free (a stale file is removed),
 * -1 on error. */
static int probe_existing(const char *path, const struct sockaddr_un *sun)
{
    struct stat st;
    int fd, r;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "wskhost: %s exists and is not a socket\n", path);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
    close(fd);
    if (r == 0)
        return 1;
    if (unlink(path) < 0 && errno != ENOENT) {
        fprintf(stderr, "wskhost: cannot remove stale %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int control_start(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    mode_t old_mask;
    int r;

    if (strlen(path) >= sizeof(sun.sun_path) || path[0] == '\0' || path[0] == '@') {
        fprintf(stderr,
                "wskhost: bad control socket path \"%s\" (a file path, at most %zu "
                "bytes)\n",
                path, sizeof(sun.sun_path) - 1);
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if (prepare_dir(path) < 0)
        return -1;
    r = probe_existing(path, &sun);
    if (r > 0) {
        fprintf(stderr,
                "wskhost: another wskhost is running (control socket %s); use "
                "--control PATH or --no-control\n",
                path);
        return -2;
    }
    if (r < 0) {
        if (errno)
            fprintf(stderr, "wskhost: %s: %s\n", path, strerror(errno));
        return -1;
    }
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd < 0)
        goto fail;
    /* The socket file is created 0600 from the start, not tightened after a window. */
    old_mask = umask(0177);
    r = bind(listen_fd, (struct sockaddr *)&sun, sizeof(sun));
    umask(old_mask);
    if (r < 0)
        goto fail;
    snprintf(sock_path, sizeof(sock_path), "%s", path); /* ours now: control_stop removes it */
    if (chmod(path, 0600) < 0 || listen(listen_fd, 16) < 0)
        goto fail;
    if (pipe2(stop_pipe, O_CLOEXEC) < 0)
        goto fail;
    if (pthread_create(&thread, NULL, control_thread, NULL) != 0) {
        errno = EAGAIN;
        goto fail;
    }
    thread_started = true;
    return 0;
fail:
    fprintf(stderr, "wskhost: control socket %s: %s\n", path, strerror(errno));
    control_stop();
    return -1;
}

void control_stop(void)
{
    if (thread_started) {
        char c = 1;

        while (write(stop_pipe[1], &c, 1) < 0 && errno == EINTR)
            ;
        pthread_join(thread, NULL);
        thread_started = false;
    }
    if (listen_fd >= 0) {
        close(listen_fd);
        listen_fd = -1;
        if (sock_path[0])
            unlink(sock_path);
        sock_path[0] = '\0';
    }
    for (int i = 0; i < 2; i++) {
        if (stop_pipe[i] >= 0)
            close(stop_pipe[i]);
        stop_pipe[i] = -1;
    }
}
