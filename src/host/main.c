/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskhost: runs WSK driver modules in this process until SIGINT/SIGTERM, then unloads them
 * in reverse order and reports what they left behind. Leaves out services, INF installation
 * and host groups (later issues); one host runs what its command line and wskctl load it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "owsk_config.h"

#include "ctlpath.h"
#include "wskhost.h"

static const char help_text[] =
    "NAME\n"
    "    wskhost - run Windows Winsock Kernel (WSK) drivers on Linux\n"
    "\n"
    "SYNOPSIS\n"
    "    wskhost [OPTION]... [DRIVER.so]...\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads each DRIVER.so (a WDK-style driver built against openwsk), calls its DriverEntry\n"
    "    and keeps it running on real Linux sockets until SIGINT or SIGTERM. Then it calls each\n"
    "    DriverUnload in reverse load order, with a deadline, and reports anything a driver\n"
    "    left behind (pool allocations by tag, IRPs, MDLs, sockets, threads, timers).\n"
    "\n"
    "    A driver's service name is its file name without \".so\"; its registry parameters\n"
    "    live under Services\\NAME\\Parameters. Driver DbgPrint output goes to standard error,\n"
    "    prefixed with the service name. With no DRIVER the host runs empty and waits for\n"
    "    \"wskctl load\". When every driver is up it prints one line,\n"
    "        wskhost: ready: echosrv (pid 1234, control /run/user/1000/openwsk/wskhost.sock)\n"
    "    and sends READY=1 to $NOTIFY_SOCKET when that is set (systemd Type=notify).\n"
    "\n"
    "OPTIONS\n"
    "    -p, --param DRIVER:NAME=VALUE\n"
    "        Set registry value NAME under DRIVER's Parameters key before it loads: a REG_DWORD\n"
    "        when VALUE is a decimal or 0x number, else a REG_SZ. Repeatable.\n"
    "    --loops N\n"
    "        Number of event-loop threads (default: one per CPU, or $OWSK_LOOPS).\n"
    "    --unload-timeout SECONDS\n"
    "        How long each DriverUnload may take (default 10). A driver that overruns is\n"
    "        reported and the host exits with status 1.\n"
    "    --control PATH\n"
    "        Serve the control socket at PATH instead of the default (see FILES).\n"
    "    --no-control\n"
    "        Run without a control socket (wskctl cannot reach this host).\n"
    "    -h, --help\n"
    "        Show this help and exit.\n"
    "    -V, --version\n"
    "        Show the version and exit.\n"
    "\n"
    "EXIT STATUS\n"
    "    0  every driver loaded, ran and unloaded in time, leaving nothing behind\n"
    "    1  a driver failed to load (DriverEntry's NTSTATUS is printed), an unload timed out,\n"
    "       a driver left something behind, or the host could not start\n"
    "    2  usage error\n"
    "\n"
    "ENVIRONMENT\n"
    "    OWSK_DEBUG       log channels, e.g. OWSK_DEBUG=wsk,io:trace (driver output: driver)\n"
    "    OWSK_LOOPS       default number of event-loop threads\n"
    "    OWSK_LOOP        epoll to force the epoll backend instead of io_uring\n"
    "    NOTIFY_SOCKET    where READY=1 and STOPPING=1 are sent (sd_notify protocol)\n"
    "    XDG_RUNTIME_DIR  where the control socket goes\n"
    "\n"
    "FILES\n"
    "    $XDG_RUNTIME_DIR/openwsk/wskhost.sock, or /run/openwsk/wskhost.sock when\n"
    "    XDG_RUNTIME_DIR is unset: the control socket (mode 0600 in a 0700 directory; only\n"
    "    the host's user and root may connect). The host refuses to start while another\n"
    "    live host holds it; a stale socket file is replaced.\n"
    "\n"
    "EXAMPLES\n"
    "    wskhost --param echosrv:Port=40007 /usr/lib/openwsk/drivers/echosrv.so\n"
    "    wskhost --control /tmp/t/ctl.sock --param echosrv:Port=0 ./echosrv.so\n"
    "\n"
    "SEE ALSO\n"
    "    wskctl(1), docs/wskhost.md\n";

static void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "wskhost: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'wskhost --help' for more information.\n");
    exit(2);
}

static void print_line(const char *text, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "wskhost: %s\n", text);
}

/* --param DRIVER:NAME=VALUE: checked while parsing, before anything is started. */
static void check_param(const char *arg)
{
    const char *colon = strchr(arg, ':'), *eq = strchr(arg, '=');

    if (!colon || !eq || colon > eq || colon == arg || eq == colon + 1 || colon - arg >= 64)
        usage_error("--param wants DRIVER:NAME=VALUE, not \"%s\"", arg);
}

/* --param DRIVER:NAME=VALUE -> service "DRIVER", assignment "NAME=VALUE". */
static int apply_param(const char *arg)
{
    const char *colon = strchr(arg, ':');
    char service[64];
    owsk_ntstatus_t st;

    memcpy(service, arg, (size_t)(colon - arg));
    service[colon - arg] = '\0';
    st = owsk_registry_set_param(service, colon + 1);
    if (st < 0) {
        fprintf(stderr, "wskhost: --param %s: %s (%#x)\n", arg, owsk_ntstatus_name(st),
                (unsigned)st);
        return -1;
    }
    return 0;
}

/* What the command line asks for. */
struct options {
    struct owsk_host_config cfg;
    const char **params; /* --param arguments, checked, not yet applied */
    size_t nparams;
    const char *control_path; /* NULL: the default */
    bool use_control;
};

/* Parses the options into o. Returns -1 when the host should run, else the exit status
 * (--help and --version print and return 0; a bad option returns 2 or exits through
 * usage_error). */
static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_LOOPS = 256, OPT_UNLOAD_TIMEOUT, OPT_CONTROL, OPT_NO_CONTROL };
    static const struct option opts[] = {
        {"param", required_argument, NULL, 'p'},
        {"loops", required_argument, NULL, OPT_LOOPS},
        {"unload-timeout", required_argument, NULL, OPT_UNLOAD_TIMEOUT},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"no-control", no_argument, NULL, OPT_NO_CONTROL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {0},
    };
    int c;

    o->use_control = true;
    while ((c = getopt_long(argc, argv, "p:hV", opts, NULL)) != -1) {
        char *end;

        switch (c) {
        case 'p':
            check_param(optarg);
            o->params = realloc(o->params, (o->nparams + 1) * sizeof(*o->params));
            if (!o->params)
                return 1;
            o->params[o->nparams++] = optarg;
            break;
        case OPT_LOOPS: {
            unsigned long n;

            errno = 0;
            n = strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg || n == 0 || n > 1024)
                usage_error("--loops wants a number from 1 to 1024, not \"%s\"", optarg);
            o->cfg.loops = (unsigned)n;
            break;
        }
        case OPT_UNLOAD_TIMEOUT: {
            double s = strtod(optarg, &end);

            if (*end || end == optarg || !(s > 0) || s > 86400)
                usage_error("--unload-timeout wants seconds (> 0), not \"%s\"", optarg);
            o->cfg.unload_timeout_ms = (unsigned)ceil(s * 1000);
            break;
        }
        case OPT_CONTROL:
            o->control_path = optarg;
            o->use_control = true;
            break;
        case OPT_NO_CONTROL:
            o->use_control = false;
            break;
        case 'h':
            fputs(help_text, stdout);
            return 0;
        case 'V':
            printf("wskhost (openwsk) %s\n", OWSK_VERSION);
            return 0;
        default:
            fprintf(stderr, "Try 'wskhost --help' for more information.\n");
            return 2;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct options o = {0};
    char path_buf[108], names[512], status_msg[768];
    bool timed_out = false;
    struct signalfd_siginfo si;
    sigset_t sigs;
    int sfd, r;

    r = parse_options(argc, argv, &o);
    if (r >= 0)
        return r;
    if (o.cfg.unload_timeout_ms)
        host_unload_timeout_ms = o.cfg.unload_timeout_ms;
    o.cfg.unload_timeout_ms = host_unload_timeout_ms;

    /* Signals are read from a signalfd on this thread, never handled asynchronously; block
     * them before the runtime starts its threads so every thread inherits the mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("wskhost: signalfd");
        return 1;
    }

    if (o.use_control && !o.control_path) {
        if (owsk_ctl_default_path(path_buf, sizeof(path_buf)) < 0) {
            fprintf(stderr, "wskhost: the default control socket path is too long; use "
                            "--control PATH\n");
            return 1;
        }
        o.control_path = path_buf;
    }
    /* Claim the control socket first: a second host on the same socket fails before it
     * loads anything (and before it could take the drivers' ports). Without XDG_RUNTIME_DIR
     * a normal user cannot create /run/openwsk: the default location is then best effort. */
    if (o.use_control) {
        r = control_start(o.control_path);
        if (r == -2 || (r < 0 && o.control_path != path_buf))
            return 1;
        if (r < 0) {
            fprintf(stderr, "wskhost: running without a control socket (set XDG_RUNTIME_DIR "
                            "or use --control PATH)\n");
            o.use_control = false;
        }
    }

    r = owsk_host_start(&o.cfg);
    if (r < 0) {
        fprintf(stderr, "wskhost: cannot start the runtime: %s\n", strerror(-r));
        control_stop();
        return 1;
    }
    for (size_t i = 0; i < o.nparams; i++) {
        if (apply_param(o.params[i]) < 0) {
            control_stop();
            owsk_host_stop();
            return 1;
        }
    }
    free(o.params);

    for (int i = optind; i < argc; i++) {
        char err[512];

        if (host_load(argv[i], NULL, 0, NULL, NULL, err, sizeof(err)) < 0) {
            fprintf(stderr, "wskhost: %s\n", err);
            control_stop();
            host_unload_all(print_line, NULL, &timed_out);
            if (timed_out)
                _exit(1);
            owsk_host_stop();
            return 1;
        }
    }

    host_driver_names(names, sizeof(names));
    /* ss -p and top show which driver a host runs: "wsk-echosrv". */
    if (argc - optind == 1) {
        char comm[16];

        snprintf(comm, sizeof(comm), "wsk-%.11s", names);
        prctl(PR_SET_NAME, comm, 0, 0, 0);
    }
    if (o.use_control)
        fprintf(stderr, "wskhost: ready: %s (pid %d, control %s)\n", names, (int)getpid(),
                o.control_path);
    else
        fprintf(stderr, "wskhost: ready: %s (pid %d, no control socket)\n", names, (int)getpid());
    snprintf(status_msg, sizeof(status_msg), "READY=1\nSTATUS=running %s\nMAINPID=%d", names,
             (int)getpid());
    notify_send(status_msg);

    for (;;) {
        ssize_t n = read(sfd, &si, sizeof(si));

        if (n == (ssize_t)sizeof(si))
            break;
        if (n < 0 && errno != EINTR) {
            perror("wskhost: reading signals");
            break;
        }
    }
    host_driver_names(names, sizeof(names));
    fprintf(stderr, "wskhost: %s: unloading %s\n", strsignal((int)si.ssi_signo), names);
    notify_send("STOPPING=1");
    /* The control socket stays up while drivers unload: a stuck DriverUnload can then be
     * looked at with wskctl list/sockets/irps (loads are refused from here on). */
    r = host_unload_all(print_line, NULL, &timed_out);
    control_stop();
    if (timed_out) {
        /* Driver code may still be running: do not tear the runtime down under it. */
        fprintf(stderr, "wskhost: exiting with a driver still unloading\n");
        fflush(stderr);
        _exit(1);
    }
    owsk_host_stop();
    fprintf(stderr, "wskhost: stopped%s\n", r ? " (drivers left things behind)" : "");
    close(sfd);
    return r ? 1 : 0;
}
