/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* S-01/S-02: the default control socket is a pathname socket, mode 0600, in a 0700
 * directory it created, never abstract; another user cannot connect (EACCES from the file
 * modes), and even with the modes loosened on purpose the host refuses that user after its
 * SO_PEERCRED check. The other-user part needs root (else exit 77 after the mode checks). */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

#define NOBODY 65534

/* In a child running as NOBODY: 0 = connect failed with EACCES, 10 = connected and the host
 * refused the request, other values = a failure. */
static int as_nobody(const char *path, bool expect_connect)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        struct timeval tv = {.tv_sec = 10};
        char buf[512] = {0};
        ssize_t n;
        int fd;

        if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
            _exit(2);
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
            _exit(errno == EACCES ? 0 : 3);
        if (!expect_connect)
            _exit(4);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        /* The host may already have replied and closed: a failed send is fine as long as
         * its refusal can be read. */
        (void)send(fd, "{\"cmd\":\"list\"}\n", 15, MSG_NOSIGNAL);
        n = recv(fd, buf, sizeof(buf) - 1, MSG_WAITALL);
        if (n <= 0)
            _exit(6);
        _exit(strstr(buf, "permission denied") && !strstr(buf, "drivers") ? 10 : 7);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static bool abstract_openwsk_sockets(void)
{
    FILE *f = fopen("/proc/net/unix", "r");
    char line[512];
    bool found = false;

    if (!f)
        return false;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, " @") && strstr(line, "openwsk"))
            found = true;
    fclose(f);
    return found;
}

int main(void)
{
    char runtime[64], path[160], dir[128];
    struct e2e_host h;
    struct stat st;

    /* A private XDG_RUNTIME_DIR, so the host uses (and creates) its default location. */
    snprintf(runtime, sizeof(runtime), "/tmp/owsk-xdg-XXXXXX");
    E2E_CHECK(mkdtemp(runtime) != NULL);
    E2E_CHECK_INT(chmod(runtime, 0755), 0);
    setenv("XDG_RUNTIME_DIR", runtime, 1);
    snprintf(dir, sizeof(dir), "%s/openwsk", runtime);
    snprintf(path, sizeof(path), "%s/wskhost.sock", dir);

    /* A stale socket file (its host died without removing it) is replaced, not a reason
     * to refuse to start. */
    E2E_CHECK_INT(mkdir(dir, 0700), 0);
    {
        struct sockaddr_un sun = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(sun.sun_path, sizeof(sun.sun_path), "%.100s", path);
        E2E_CHECK_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
        close(fd);
        E2E_CHECK_INT(lstat(path, &st), 0);
    }

    E2E_CHECK_INT(e2e_host_init(&h), 0);
    {
        const char *args[] = {"--param", "echosrv:Port=0", e2e_echosrv(), NULL};
        E2E_CHECK_INT(e2e_host_spawn(&h, args), 0);
    }
    E2E_CHECK(e2e_host_wait_log(&h, "wskhost: ready:", 60000));
    E2E_CHECK(e2e_host_log_has(&h, path));

    E2E_CHECK_INT(stat(dir, &st), 0);
    E2E_CHECK(S_ISDIR(st.st_mode));
    E2E_CHECK_INT(st.st_mode & 07777, 0700);
    E2E_CHECK_INT(lstat(path, &st), 0);
    E2E_CHECK(S_ISSOCK(st.st_mode));
    E2E_CHECK_INT(st.st_mode & 07777, 0600);
    E2E_CHECK(!abstract_openwsk_sockets());

    if (geteuid() == 0) {
        /* The file modes keep nobody out... */
        E2E_CHECK_INT(as_nobody(path, false), 0);
        /* ...and with them loosened on purpose, SO_PEERCRED still does. */
        E2E_CHECK_INT(chmod(dir, 0755), 0);
        E2E_CHECK_INT(chmod(path, 0666), 0);
        E2E_CHECK_INT(as_nobody(path, true), 10);
    }

    E2E_CHECK_INT(e2e_host_wait(&h, SIGTERM, 30000), 0);
    /* The host removes its socket file on the way out. */
    E2E_CHECK(lstat(path, &st) < 0 && errno == ENOENT);
    e2e_host_free(&h);
    rmdir(dir);
    rmdir(runtime);
    if (geteuid() != 0 && e2e_failures == 0) {
        fprintf(stderr, "SKIP: the other-user checks need root\n");
        return E2E_SKIP;
    }
    return e2e_done();
}
