/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* End-to-end test helpers (see e2e.h). Every wait has a deadline; waits use poll() on fds,
 * pidfds and condition variables, never sleeps. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

int e2e_failures;

/* Hosts started by this test, dumped when a check fails. Test main thread only. */
static struct e2e_host *hosts[16];
static size_t nhosts;

void e2e_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    e2e_failures++;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int e2e_done(void)
{
    if (e2e_failures) {
        for (size_t i = 0; i < nhosts; i++)
            if (hosts[i] && hosts[i]->log)
                e2e_host_dump(hosts[i]);
        fprintf(stderr, "FAIL: %d check(s) failed\n", e2e_failures);
        return 1;
    }
    fprintf(stderr, "PASS\n");
    return 0;
}

uint64_t e2e_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *build_path(const char *env, const char *rel)
{
    static char bufs[3][4096];
    static int next;
    const char *v = getenv(env), *root = getenv("OWSK_BUILD_ROOT");
    char *b;

    if (v && *v)
        return v;
    b = bufs[next++ % 3];
    snprintf(b, sizeof(bufs[0]), "%s/%s", root ? root : ".", rel);
    return b;
}

const char *e2e_wskhost(void)
{
    return build_path("OWSK_WSKHOST", "src/host/wskhost");
}
const char *e2e_wskctl(void)
{
    return build_path("OWSK_WSKCTL", "src/ctl/wskctl");
}
const char *e2e_echosrv(void)
{
    return build_path("OWSK_ECHOSRV", "samples/echosrv/echosrv.so");
}

unsigned long e2e_raise_nofile(unsigned long want)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 0;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    return (unsigned long)rl.rlim_cur;
}

/* ---- the host child ---- */

static void *reader_main(void *arg)
{
    struct e2e_host *h = arg;
    char buf[4096];

    for (;;) {
        ssize_t n = read(h->err_fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        pthread_mutex_lock(&h->lock);
        if (n <= 0) {
            h->eof = true;
            pthread_cond_broadcast(&h->cond);
            pthread_mutex_unlock(&h->lock);
            break;
        }
        if (h->log_len + (size_t)n + 1 > h->log_cap) {
            size_t cap = (h->log_cap ? h->log_cap * 2 : 65536) + (size_t)n;
            char *p = realloc(h->log, cap);
            if (p) {
                h->log = p;
                h->log_cap = cap;
            }
        }
        if (h->log_len + (size_t)n + 1 <= h->log_cap) {
            memcpy(h->log + h->log_len, buf, (size_t)n);
            h->log_len += (size_t)n;
            h->log[h->log_len] = '\0';
        }
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->lock);
    }
    return NULL;
}

int e2e_host_init(struct e2e_host *h)
{
    memset(h, 0, sizeof(*h));
    h->pid = -1;
    h->err_fd = -1;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->cond, NULL);
    snprintf(h->dir, sizeof(h->dir), "/tmp/owsk-e2e-XXXXXX");
    if (!mkdtemp(h->dir)) {
        perror("mkdtemp");
        h->dir[0] = '\0';
        return -1;
    }
    snprintf(h->ctl, sizeof(h->ctl), "%s/wskhost.sock", h->dir);
    return 0;
}

int e2e_host_spawn(struct e2e_host *h, const char *const *argv_tail)
{
    return e2e_host_spawn_prog(h, e2e_wskhost(), argv_tail);
}

int e2e_host_spawn_prog(struct e2e_host *h, const char *prog, const char *const *argv_tail)
{
    const char *argv[64];
    size_t n = 0;
    int p[2];

    argv[n++] = prog;
    for (size_t i = 0; argv_tail && argv_tail[i] && n < 62; i++)
        argv[n++] = argv_tail[i];
    argv[n] = NULL;

    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    h->pid = fork();
    if (h->pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (h->pid == 0) {
        dup2(p[1], STDERR_FILENO);
        dup2(p[1], STDOUT_FILENO);
        /* The host sees the test's signals only when the test sends them. */
        setpgid(0, 0);
        execv(argv[0], (char *const *)argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    h->err_fd = p[0];
    if (pthread_create(&h->reader, NULL, reader_main, h) == 0)
        h->reader_started = true;
    if (nhosts < sizeof(hosts) / sizeof(hosts[0]))
        hosts[nhosts++] = h;
    return 0;
}

bool e2e_host_log_has(struct e2e_host *h, const char *needle)
{
    bool r;

    pthread_mutex_lock(&h->lock);
    r = h->log && strstr(h->log, needle) != NULL;
    pthread_mutex_unlock(&h->lock);
    return r;
}

bool e2e_host_wait_log(struct e2e_host *h, const char *needle, unsigned timeout_ms)
{
    struct timespec ts;
    bool found;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&h->lock);
    for (;;) {
        found = h->log && strstr(h->log, needle) != NULL;
        if (found || h->eof)
            break;
        if (pthread_cond_timedwait(&h->cond, &h->lock, &ts) == ETIMEDOUT) {
            found = h->log && strstr(h->log, needle) != NULL;
            break;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return found;
}

void e2e_host_dump(struct e2e_host *h)
{
    const char *p;

    pthread_mutex_lock(&h->lock);
    fprintf(stderr, "---- wskhost (pid %d) output ----\n", (int)h->pid);
    for (p = h->log; p && *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);

        fprintf(stderr, "host| %.*s\n", len, p);
        p += len + (nl ? 1 : 0);
    }
    fprintf(stderr, "---- end ----\n");
    pthread_mutex_unlock(&h->lock);
}

int e2e_host_start(struct e2e_host *h, const char *const *params, const char *const *host_args,
                   unsigned timeout_ms)
{
    const char *argv[64];
    char scoped[32][128];
    size_t n = 0, np = 0;
    const char *at;

    if (e2e_host_init(h) < 0)
        return -1;
    argv[n++] = "--control";
    argv[n++] = h->ctl;
    argv[n++] = "--param";
    argv[n++] = "echosrv:Port=0";
    for (size_t i = 0; params && params[i] && np < 32 && n < 56; i++) {
        snprintf(scoped[np], sizeof(scoped[0]), "echosrv:%s", params[i]);
        argv[n++] = "--param";
        argv[n++] = scoped[np++];
    }
    for (size_t i = 0; host_args && host_args[i] && n < 60; i++)
        argv[n++] = host_args[i];
    argv[n++] = e2e_echosrv();
    argv[n] = NULL;

    if (e2e_host_spawn(h, argv) < 0)
        return -1;
    if (!e2e_host_wait_log(h, "wskhost: ready:", timeout_ms)) {
        fprintf(stderr, "e2e: wskhost did not become ready within %u ms\n", timeout_ms);
        e2e_host_wait(h, SIGKILL, 5000);
        e2e_host_dump(h);
        return -1;
    }
    pthread_mutex_lock(&h->lock);
    at = strstr(h->log, "listening on [::]:");
    if (at)
        h->port = (unsigned)strtoul(at + strlen("listening on [::]:"), NULL, 10);
    pthread_mutex_unlock(&h->lock);
    if (!at || h->port == 0) {
        fprintf(stderr, "e2e: no \"listening on [::]:PORT\" line from echosrv\n");
        e2e_host_wait(h, SIGKILL, 5000);
        e2e_host_dump(h);
        return -1;
    }
    return 0;
}

static int decode_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int e2e_host_wait(struct e2e_host *h, int sig, unsigned timeout_ms)
{
    uint64_t deadline = e2e_now_ms() + timeout_ms;
    int pidfd, status;

    if (h->pid <= 0)
        return -1;
    if (h->reaped)
        return decode_status(h->status);
    if (sig)
        kill(h->pid, sig);
    pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
    for (;;) {
        pid_t r = waitpid(h->pid, &status, WNOHANG);
        uint64_t now = e2e_now_ms();

        if (r == h->pid) {
            h->reaped = true;
            h->status = status;
            break;
        }
        if (now >= deadline) {
            fprintf(stderr, "e2e: wskhost pid %d still running after %u ms; killing it\n",
                    (int)h->pid, timeout_ms);
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &status, 0);
            h->reaped = true;
            h->status = status;
            if (pidfd >= 0)
                close(pidfd);
            return -1;
        }
        if (pidfd >= 0) {
            struct pollfd p = {.fd = pidfd, .events = POLLIN};
            poll(&p, 1, (int)(deadline - now));
        } else {
            /* No pidfd (old kernel): poll nothing for a short tick. */
            poll(NULL, 0, 10);
        }
    }
    if (pidfd >= 0)
        close(pidfd);
    /* Let the reader catch the last lines. */
    if (h->reader_started) {
        pthread_join(h->reader, NULL);
        h->reader_started = false;
    }
    return decode_status(h->status);
}

void e2e_host_free(struct e2e_host *h)
{
    if (h->pid > 0 && !h->reaped)
        e2e_host_wait(h, SIGKILL, 5000);
    /* The host's output explains most failures: show it before it is gone. */
    if (e2e_failures && h->log)
        e2e_host_dump(h);
    if (h->reader_started) {
        pthread_join(h->reader, NULL);
        h->reader_started = false;
    }
    if (h->err_fd >= 0)
        close(h->err_fd);
    h->err_fd = -1;
    if (h->dir[0]) {
        unlink(h->ctl);
        rmdir(h->dir);
        h->dir[0] = '\0';
    }
    for (size_t i = 0; i < nhosts; i++)
        if (hosts[i] == h)
            hosts[i] = NULL;
    pthread_mutex_lock(&h->lock);
    free(h->log);
    h->log = NULL;
    pthread_mutex_unlock(&h->lock);
}

/* ---- clients ---- */

/* Containers sometimes run without IPv6 on lo: the IPv6 cases then fall back to IPv4, once
 * announced, rather than fail for a reason that is not ours. */
static bool have_ipv6_loopback(void)
{
    static int cached = -1;
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd;

    if (cached >= 0)
        return cached;
    fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cached = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    if (!cached)
        fprintf(stderr, "e2e: no IPv6 loopback here; IPv6 cases use IPv4\n");
    return cached;
}

socklen_t e2e_loopback_addr(bool v6, unsigned port, struct sockaddr_storage *ret_ss)
{
    memset(ret_ss, 0, sizeof(*ret_ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ret_ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        a->sin6_addr = in6addr_loopback;
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ret_ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof(*a);
}

int e2e_connect(bool v6, unsigned port, unsigned timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, flags, err = 0;
    socklen_t elen = sizeof(err);
    struct pollfd p;

    if (v6 && !have_ipv6_loopback())
        v6 = false;
    len = e2e_loopback_addr(v6, port, &ss);
    fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
        goto fail;
    p = (struct pollfd){.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, (int)timeout_ms) != 1)
        goto fail;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err) {
        errno = err;
        goto fail;
    }
    flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
fail:
    close(fd);
    return -1;
}

int e2e_echo_check(int fd, size_t len, uint32_t seed, unsigned timeout_ms)
{
    uint64_t deadline = e2e_now_ms() + timeout_ms;
    size_t sent = 0, got = 0;
    bool shut = false;
    uint8_t out[65536], in[65536];
    uint32_t rnd = seed * 2654435761u + 1;
    int flags = fcntl(fd, F_GETFL), r = -1;

    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        uint64_t now = e2e_now_ms();

        if (sent == len && !shut) {
            shutdown(fd, SHUT_WR);
            shut = true;
        }
        if (!shut)
            p.events |= POLLOUT;
        if (now >= deadline) {
            fprintf(stderr, "e2e: echo of %zu bytes timed out (sent %zu, received %zu)\n", len,
                    sent, got);
            break;
        }
        if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR)
            break;
        if ((p.revents & POLLOUT) && sent < len) {
            size_t chunk;
            ssize_t n;

            rnd ^= rnd << 13, rnd ^= rnd >> 17, rnd ^= rnd << 5;
            chunk = 1 + rnd % sizeof(out);
            if (chunk > len - sent)
                chunk = len - sent;
            for (size_t i = 0; i < chunk; i++)
                out[i] = e2e_pattern(seed, sent + i);
            n = send(fd, out, chunk, MSG_NOSIGNAL);
            if (n > 0)
                sent += (size_t)n;
            else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                fprintf(stderr, "e2e: send: %s (sent %zu of %zu)\n", strerror(errno), sent, len);
                break;
            }
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = recv(fd, in, sizeof(in), 0);

            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (n < 0) {
                fprintf(stderr, "e2e: recv: %s (received %zu of %zu)\n", strerror(errno), got, len);
                break;
            }
            if (n == 0) {
                if (got == len && shut)
                    r = 0;
                else
                    fprintf(stderr, "e2e: EOF after %zu of %zu bytes\n", got, len);
                break;
            }
            if (got + (size_t)n > len) {
                fprintf(stderr, "e2e: received %zu bytes, more than the %zu sent\n",
                        got + (size_t)n, len);
                break;
            }
            for (ssize_t i = 0; i < n; i++) {
                if (in[i] != e2e_pattern(seed, got + (size_t)i)) {
                    fprintf(stderr, "e2e: byte %zu differs: got %#x, sent %#x\n", got + (size_t)i,
                            in[i], e2e_pattern(seed, got + (size_t)i));
                    goto out;
                }
            }
            got += (size_t)n;
        }
    }
out:
    fcntl(fd, F_SETFL, flags);
    return r;
}

int e2e_expect_closed(int fd, unsigned timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c;
    ssize_t n;

    if (poll(&p, 1, (int)timeout_ms) != 1)
        return -1;
    n = recv(fd, &c, 1, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)))
        return 0;
    return -1;
}

/* ---- running wskctl ---- */

static void append(char **buf, size_t *len, const char *data, size_t n)
{
    char *p = realloc(*buf, *len + n + 1);

    if (!p)
        return;
    memcpy(p + *len, data, n);
    *len += n;
    p[*len] = '\0';
    *buf = p;
}

int e2e_run(const char *const *argv, char **out, char **err, unsigned timeout_ms)
{
    uint64_t deadline = e2e_now_ms() + timeout_ms;
    int po[2], pe[2], status, open_fds = 2;
    size_t olen = 0, elen = 0;
    char *obuf = calloc(1, 1), *ebuf = calloc(1, 1);
    pid_t pid;

    if (pipe2(po, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) < 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        dup2(po[1], STDOUT_FILENO);
        dup2(pe[1], STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    while (open_fds > 0 && pid > 0) {
        struct pollfd p[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
        uint64_t now = e2e_now_ms();
        char buf[4096];

        if (now >= deadline)
            break;
        if (poll(p, 2, (int)(deadline - now)) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            ssize_t n;

            if (!(p[i].revents & (POLLIN | POLLHUP)) || p[i].fd < 0)
                continue;
            n = read(p[i].fd, buf, sizeof(buf));
            if (n <= 0) {
                close(i ? pe[0] : po[0]);
                if (i)
                    pe[0] = -1;
                else
                    po[0] = -1;
                open_fds--;
            } else if (i) {
                append(&ebuf, &elen, buf, (size_t)n);
            } else {
                append(&obuf, &olen, buf, (size_t)n);
            }
        }
    }
    if (po[0] >= 0)
        close(po[0]);
    if (pe[0] >= 0)
        close(pe[0]);
    if (open_fds > 0 && pid > 0)
        kill(pid, SIGKILL);
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (out)
        *out = obuf;
    else
        free(obuf);
    if (err)
        *err = ebuf;
    else
        free(ebuf);
    if (pid <= 0 || open_fds > 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
