/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskctl: inspect and control a running wskhost over its control socket (list, sockets,
 * pool, irps, load, unload), or run a foreground host (run). Leaves out the sc.exe-style
 * service database (create/start/stop/delete) and the verifier and trace verbs. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "owsk_config.h"

#include "client.h"
#include "host/ctlpath.h"
#include "host/svcname.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* Reads are quick; load and unload wait for DriverEntry/DriverUnload and their deadline. */
#define READ_TIMEOUT_MS 15000
#define CHANGE_TIMEOUT_MS 180000

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *help;
};

static const char *sock_path;
static bool sock_given; /* --socket was given: run passes it on as --control */
static bool json_out;

static const char main_help[] =
    "NAME\n"
    "    wskctl - inspect and control a running wskhost\n"
    "\n"
    "SYNOPSIS\n"
    "    wskctl [--socket PATH] [--json] COMMAND [ARGS]...\n"
    "    wskctl COMMAND --help\n"
    "\n"
    "DESCRIPTION\n"
    "    wskctl talks to the wskhost that serves the control socket (see FILES). Read\n"
    "    commands print tables in the layout of the matching Windows tool (sc query, poolmon);\n"
    "    with --json they print the host's JSON reply instead, one object per line.\n"
    "\n"
    "COMMANDS\n"
    "%s"
    "\n"
    "OPTIONS\n"
    "    -s, --socket PATH   talk to the host whose control socket is PATH\n"
    "    -j, --json          print JSON instead of text (every read command)\n"
    "    -h, --help          show this help; \"wskctl COMMAND --help\" shows a command's\n"
    "    -V, --version       show the version\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 the operation failed (or no host is running), 2 usage error\n"
    "\n"
    "FILES\n"
    "    $XDG_RUNTIME_DIR/openwsk/wskhost.sock, or /run/openwsk/wskhost.sock when\n"
    "    XDG_RUNTIME_DIR is unset: the default control socket.\n"
    "\n"
    "EXAMPLES\n"
    "    wskctl run ./echosrv.so --param Port=40007     (foreground host, Ctrl-C stops it)\n"
    "    wskctl list\n"
    "    wskctl pool --json | python3 -m json.tool\n"
    "\n"
    "SEE ALSO\n"
    "    wskhost(8), docs/wskctl.md\n";

static void usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "wskctl: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'wskctl %s%s--help' for more information.\n", cmd ? cmd : "",
            cmd ? " " : "");
    exit(EXIT_USAGE);
}

static void print_json(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);

    if (text)
        puts(text);
    free(text);
}

/* Sends req (consumed), prints errors; returns the reply when it says ok, else NULL. In
 * --json mode every reply, good or bad, is printed as the host sent it, unless echo is
 * false (the caller then prints its own JSON, and errors still go to stderr). */
static json_t *request_echo(json_t *req, int timeout_ms, bool echo, int *ret_exit)
{
    json_t *reply = ctl_request(sock_path, req, timeout_ms);
    json_t *ok;

    json_decref(req);
    *ret_exit = EXIT_FAILED;
    if (!reply)
        return NULL;
    ok = json_object_get(reply, "ok");
    if (json_out && echo)
        print_json(reply);
    if (!json_is_true(ok)) {
        const char *err = json_string_value(json_object_get(reply, "error"));
        if (!json_out || !echo)
            fprintf(stderr, "wskctl: %s\n", err ? err : "the host reported an error");
        json_decref(reply);
        return NULL;
    }
    *ret_exit = 0;
    return reply;
}

static json_t *request(json_t *req, int timeout_ms, int *ret_exit)
{
    return request_echo(req, timeout_ms, true, ret_exit);
}

static const char *str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "-";
}

static long long num(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

/* Common option parsing for the read commands: --json, --help, --all (only where ret_all
 * is given) and an optional DRIVER filter. Returns the filter or NULL. */
static const char *parse_read_args_all(const struct command *cmd, int argc, char **argv,
                                       bool *ret_all)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"all", no_argument, NULL, 'a'},
                                         {0}};
    const char *filter = NULL;
    int c;

    optind = 0; /* 0, not 1: glibc then also resets its permutation state */
    while ((c = getopt_long(argc, argv, "jha", opts, NULL)) != -1) {
        if (c == 'j')
            json_out = true;
        else if (c == 'a' && ret_all)
            *ret_all = true;
        else if (c == 'h') {
            fputs(cmd->help, stdout);
            exit(0);
        } else
            usage(cmd->name, "bad option for %s", cmd->name);
    }
    if (optind < argc)
        filter = argv[optind++];
    if (optind < argc)
        usage(cmd->name, "unexpected argument \"%s\"", argv[optind]);
    return filter;
}

static const char *parse_read_args(const struct command *cmd, int argc, char **argv)
{
    return parse_read_args_all(cmd, argc, argv, NULL);
}

/* ---- list ---- */

static void print_service(json_t *d)
{
    long long code = num(d, "state_code");

    printf("SERVICE_NAME: %s\n", str(d, "name"));
    printf("        TYPE               : 1  KERNEL_DRIVER\n");
    printf("        STATE              : %lld  %s\n", code, str(d, "state"));
    printf("                                (%s, NOT_PAUSABLE, IGNORES_SHUTDOWN)\n",
           code == 4 ? "STOPPABLE" : "NOT_STOPPABLE");
    printf("        WIN32_EXIT_CODE    : 0  (0x0)\n");
    printf("        SERVICE_EXIT_CODE  : 0  (0x0)\n");
    printf("        CHECKPOINT         : 0x0\n");
    printf("        WAIT_HINT          : 0x0\n");
    printf("        BINARY_PATH_NAME   : %s\n", str(d, "path"));
}

static const struct command *find_command(const char *name);

/* Keeps only the records of service name in the reply's "drivers" array; returns how many. */
static size_t keep_driver(json_t *reply, const char *name)
{
    json_t *drivers = json_object_get(reply, "drivers");
    size_t i = 0;

    while (i < json_array_size(drivers)) {
        if (strcmp(name, str(json_array_get(drivers, i), "name")) == 0)
            i++;
        else
            json_array_remove(drivers, i);
    }
    return i;
}

static void no_such_driver(const char *name)
{
    fprintf(stderr, "wskctl: %s: no such driver in this host (ERROR_SERVICE_DOES_NOT_EXIST 1060)\n",
            name);
}

static int cmd_list(int argc, char **argv)
{
    bool all = false;
    const char *filter = parse_read_args_all(find_command("list"), argc, argv, &all);
    json_t *reply, *d;
    size_t i, shown;
    int rc;

    /* The host lists the newest record per service; --all also the superseded ones. */
    reply = request_echo(json_pack("{s:s, s:b}", "cmd", "list", "all", all), READ_TIMEOUT_MS, false,
                         &rc);
    if (!reply)
        return rc;
    shown =
        filter ? keep_driver(reply, filter) : json_array_size(json_object_get(reply, "drivers"));
    if (json_out) {
        print_json(reply);
    } else {
        json_array_foreach(json_object_get(reply, "drivers"), i, d)
        {
            if (i)
                putchar('\n');
            print_service(d);
        }
        if (!shown && !filter)
            printf("wskhost (pid %lld): no drivers loaded\n", num(reply, "pid"));
    }
    if (!shown && filter) {
        no_such_driver(filter);
        rc = EXIT_FAILED;
    }
    json_decref(reply);
    return rc;
}

/* sc query NAME for scripts, with systemctl's LSB exit codes: 0 running, 3 not running,
 * 4 no such service (1 when no host answers). --json prints that driver's object alone. */
static int cmd_query(int argc, char **argv)
{
    const char *name = parse_read_args(find_command("query"), argc, argv);
    json_t *reply, *found;
    size_t n;
    int rc;

    if (!name)
        usage("query", "%s", "query wants a driver name");
    reply = request_echo(json_pack("{s:s}", "cmd", "list"), READ_TIMEOUT_MS, false, &rc);
    if (!reply)
        return rc;
    /* The host lists one record per service, the newest; take the last to be sure. */
    n = keep_driver(reply, name);
    found = n ? json_array_get(json_object_get(reply, "drivers"), n - 1) : NULL;
    if (!found) {
        no_such_driver(name);
        rc = 4;
    } else {
        if (json_out)
            print_json(found);
        else
            print_service(found);
        rc = num(found, "state_code") == 4 ? 0 : 3;
    }
    json_decref(reply);
    return rc;
}

/* ---- sockets, pool, irps ---- */

static int cmd_sockets(int argc, char **argv)
{
    const char *filter = parse_read_args(find_command("sockets"), argc, argv);
    json_t *reply, *s;
    size_t i;
    int rc;

    reply = request(json_pack("{s:s}", "cmd", "sockets"), READ_TIMEOUT_MS, &rc);
    if (!reply || json_out) {
        json_decref(reply);
        return rc;
    }
    printf("%-12s %-10s %-46s %-46s %-11s %s\n", "DRIVER", "CATEGORY", "LOCAL", "REMOTE", "STATE",
           "IRPS");
    json_array_foreach(json_object_get(reply, "sockets"), i, s)
    {
        if (filter && strcmp(filter, str(s, "driver")) != 0)
            continue;
        printf("%-12s %-10s %-46s %-46s %-11s %lld\n", str(s, "driver"), str(s, "category"),
               str(s, "local"), str(s, "remote"), str(s, "state"), num(s, "pending_irps"));
    }
    json_decref(reply);
    return rc;
}

static int by_tag(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int r = strcmp(str(x, "tag"), str(y, "tag"));

    return r ? r : strcmp(str(x, "driver"), str(y, "driver"));
}

static int cmd_pool(int argc, char **argv)
{
    const char *filter = parse_read_args(find_command("pool"), argc, argv);
    json_t *reply, *rows, **sorted;
    size_t n;
    int rc;

    reply = request(json_pack("{s:s}", "cmd", "pool"), READ_TIMEOUT_MS, &rc);
    if (!reply || json_out) {
        json_decref(reply);
        return rc;
    }
    rows = json_object_get(reply, "pool");
    n = json_array_size(rows);
    sorted = calloc(n ? n : 1, sizeof(*sorted));
    if (!sorted) {
        json_decref(reply);
        return EXIT_FAILED;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(rows, i);
    qsort(sorted, n, sizeof(*sorted), by_tag);
    /* poolmon's columns, plus the owning driver where poolmon shows Mapped_Driver. */
    printf(" %-4s %-5s %12s %12s %10s %12s %9s  %s\n", "Tag", "Type", "Allocs", "Frees", "Diff",
           "Bytes", "Per Alloc", "Driver");
    for (size_t i = 0; i < n; i++) {
        json_t *r = sorted[i];
        long long diff = num(r, "diff"), bytes = num(r, "bytes");

        if (filter && strcmp(filter, str(r, "driver")) != 0)
            continue;
        printf(" %-4s %-5s %12lld %12lld %10lld %12lld %9lld  %s\n", str(r, "tag"), str(r, "type"),
               num(r, "allocs"), num(r, "frees"), diff, bytes, diff > 0 ? bytes / diff : 0,
               str(r, "driver"));
    }
    free(sorted);
    json_decref(reply);
    return rc;
}

static int cmd_irps(int argc, char **argv)
{
    const char *filter = parse_read_args(find_command("irps"), argc, argv);
    json_t *reply, *r;
    size_t i;
    int rc;

    reply = request(json_pack("{s:s}", "cmd", "irps"), READ_TIMEOUT_MS, &rc);
    if (!reply || json_out) {
        json_decref(reply);
        return rc;
    }
    printf("%-12s %-22s %-18s %-18s %10s\n", "DRIVER", "OPERATION", "SOCKET", "IRP", "AGE");
    json_array_foreach(json_object_get(reply, "irps"), i, r)
    {
        long long age = num(r, "age_ms");

        if (filter && strcmp(filter, str(r, "driver")) != 0)
            continue;
        printf("%-12s %-22s %-18s %-18s %6lld.%03llds\n", str(r, "driver"), str(r, "operation"),
               str(r, "socket"), str(r, "irp"), age / 1000, age % 1000);
    }
    json_decref(reply);
    return rc;
}

/* ---- load, unload ---- */

static int cmd_load(int argc, char **argv)
{
    static const struct option opts[] = {{"param", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const struct command *cmd = find_command("load");
    json_t *params = json_array(), *reply;
    char abs[PATH_MAX];
    int c, rc;

    optind = 0; /* 0, not 1: glibc then also resets its permutation state */
    while ((c = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
        if (c == 'p') {
            if (!strchr(optarg, '=') || optarg[0] == '=')
                usage("load", "--param wants NAME=VALUE, not \"%s\"", optarg);
            json_array_append_new(params, json_string(optarg));
        } else if (c == 'j') {
            json_out = true;
        } else if (c == 'h') {
            fputs(cmd->help, stdout);
            exit(0);
        } else {
            usage("load", "bad option for %s", "load");
        }
    }
    if (optind + 1 != argc)
        usage("load", "%s", "load wants exactly one driver module path");
    /* The host resolves paths from its own working directory, not ours. */
    if (!realpath(argv[optind], abs)) {
        fprintf(stderr, "wskctl: %s: %s\n", argv[optind], strerror(errno));
        json_decref(params);
        return EXIT_FAILED;
    }
    reply = request(json_pack("{s:s, s:s, s:o}", "cmd", "load", "path", abs, "params", params),
                    CHANGE_TIMEOUT_MS, &rc);
    if (reply && !json_out)
        print_service(json_object_get(reply, "driver"));
    json_decref(reply);
    return rc;
}

static int cmd_unload(int argc, char **argv)
{
    const struct command *cmd = find_command("unload");
    const char *name = parse_read_args(cmd, argc, argv);
    json_t *reply, *line;
    size_t i;
    int rc;

    if (!name)
        usage("unload", "%s", "unload wants a driver name (see wskctl list)");
    reply = request(json_pack("{s:s, s:s}", "cmd", "unload", "name", name), CHANGE_TIMEOUT_MS, &rc);
    if (!reply)
        return rc;
    if (!json_out) {
        json_array_foreach(json_object_get(reply, "report"), i, line)
            fprintf(stderr, "wskctl: %s\n", json_string_value(line));
        printf("%s: unloaded%s\n", name,
               json_is_true(json_object_get(reply, "clean")) ? "" : " (not cleanly)");
    }
    /* A driver that overran its deadline or left something behind is a failed unload. */
    if (!json_is_true(json_object_get(reply, "clean")))
        rc = EXIT_FAILED;
    json_decref(reply);
    return rc;
}

/* ---- run ---- */

/* wskhost sits next to wskctl once installed (bin/), and in ../host/ in a build tree. */
static void exec_wskhost(char **args)
{
    char self[PATH_MAX], cand[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n > 0) {
        char *slash;

        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(cand, sizeof(cand), "%s/wskhost", self);
            if (access(cand, X_OK) == 0)
                execv(cand, args);
            snprintf(cand, sizeof(cand), "%s/../host/wskhost", self);
            if (access(cand, X_OK) == 0)
                execv(cand, args);
        }
    }
    execvp("wskhost", args);
    fprintf(stderr, "wskctl: cannot run wskhost (not next to wskctl, nor on PATH): %s\n",
            strerror(errno));
}

static int cmd_run(int argc, char **argv)
{
    const struct command *cmd = find_command("run");
    char **args = calloc((size_t)argc * 2 + 4, sizeof(*args));
    const char *module = NULL;
    char service[64];
    size_t n = 0;
    int i;

    if (!args)
        return EXIT_FAILED;
    args[n++] = "wskhost";
    /* First pass: find the module, so NAME=VALUE params can be scoped to its service. */
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(cmd->help, stdout);
            exit(0);
        }
        if (strcmp(argv[i], "--param") == 0 || strcmp(argv[i], "-p") == 0 ||
            strcmp(argv[i], "--loops") == 0 || strcmp(argv[i], "--unload-timeout") == 0 ||
            strcmp(argv[i], "--control") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] != '-') {
            if (module)
                usage("run", "run takes one driver module, not also \"%s\"", argv[i]);
            module = argv[i];
        }
    }
    if (!module)
        usage("run", "%s", "run wants a driver module (DRIVER.so)");
    if (host_service_name(module, service, sizeof(service)) < 0)
        usage("run", "bad driver module name \"%s\"", module);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--param") == 0 || strcmp(a, "-p") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : NULL;
            const char *eq = v ? strchr(v, '=') : NULL, *colon = v ? strchr(v, ':') : NULL;
            char *scoped;

            if (!eq || eq == v)
                usage("run", "--param wants NAME=VALUE, not \"%s\"", v ? v : "");
            args[n++] = "--param";
            if (colon && colon < eq) {
                args[n++] = (char *)v; /* already DRIVER:NAME=VALUE */
            } else {
                scoped = malloc(strlen(service) + strlen(v) + 2);
                if (!scoped)
                    return EXIT_FAILED;
                sprintf(scoped, "%s:%s", service, v);
                args[n++] = scoped;
            }
        } else if (strcmp(a, "--loops") == 0 || strcmp(a, "--unload-timeout") == 0 ||
                   strcmp(a, "--control") == 0) {
            if (i + 1 >= argc)
                usage("run", "%s needs a value", a);
            args[n++] = (char *)a;
            args[n++] = argv[++i];
        } else if (strcmp(a, "--no-control") == 0) {
            args[n++] = (char *)a;
        } else if (a[0] != '-') {
            continue; /* the module goes last, after every option */
        } else {
            usage("run", "bad option \"%s\" for run", a);
        }
    }
    if (sock_given) {
        args[n++] = "--control";
        args[n++] = (char *)sock_path;
    }
    args[n++] = (char *)module;
    args[n] = NULL;
    exec_wskhost(args);
    return EXIT_FAILED;
}

/* ---- help and dispatch ---- */

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"list", cmd_list, "drivers in the host and their state (like sc query)",
     "NAME\n    wskctl list - drivers in the host and their state\n\n"
     "SYNOPSIS\n    wskctl list [--json] [--all] [DRIVER]\n\n"
     "DESCRIPTION\n"
     "    Prints one sc-query block per driver: SERVICE_NAME, TYPE, STATE (2 START_PENDING,\n"
     "    4 RUNNING, 3 STOP_PENDING, 1 STOPPED) and BINARY_PATH_NAME (the module). With\n"
     "    DRIVER, only that one (exit 1 when it is not in the host). A driver unloaded and\n"
     "    loaded again shows once, as its newest load; --all also shows the records of its\n"
     "    earlier loads (the host keeps them for their leak reports).\n\n"
     "    --json prints {\"ok\":true,\"pid\":N,\"drivers\":[{\"name\",\"path\",\"state\",\n"
     "    \"state_code\",\"owner_id\"}]} (with --all each also has \"superseded\").\n"},
    {"query", cmd_query, "one driver's state, with LSB exit codes (like sc query NAME)",
     "NAME\n    wskctl query - one driver's state, for scripts\n\n"
     "SYNOPSIS\n    wskctl query [--json] NAME\n\n"
     "DESCRIPTION\n"
     "    Prints NAME's sc-query block. The exit status follows systemctl's LSB codes: 0\n"
     "    RUNNING, 3 not running (START_PENDING, STOP_PENDING, STOPPED), 4 no such driver\n"
     "    in the host; 1 when no host answers. --json prints the driver's object,\n"
     "    {\"name\",\"path\",\"state\",\"state_code\",\"owner_id\"}, and nothing when there\n"
     "    is no such driver; the exit status is the same as without --json.\n"},
    {"sockets", cmd_sockets, "every WSK socket: driver, category, addresses, state, IRPs",
     "NAME\n    wskctl sockets - the WSK sockets drivers hold\n\n"
     "SYNOPSIS\n    wskctl sockets [--json] [DRIVER]\n\n"
     "DESCRIPTION\n"
     "    One line per WSK socket: owning driver, category (listen, connection, datagram,\n"
     "    stream, basic), local and remote address, state, and the IRPs pending on it.\n"
     "    The sockets are real Linux sockets, so ss -tnp shows them too.\n\n"
     "    --json prints {\"ok\":true,\"sockets\":[{\"driver\",\"socket\",\"category\",\"state\",\n"
     "    \"local\",\"remote\",\"pending_irps\",\"loop\"}]}.\n"},
    {"pool", cmd_pool, "pool usage by tag (poolmon columns)",
     "NAME\n    wskctl pool - pool usage by driver and tag\n\n"
     "SYNOPSIS\n    wskctl pool [--json] [DRIVER]\n\n"
     "DESCRIPTION\n"
     "    poolmon's columns: Tag (in memory order, as poolmon shows 'sksw' as wsks), Type\n"
     "    (Nonp or Paged), Allocs, Frees, Diff (outstanding allocations), Bytes\n"
     "    (outstanding), Per Alloc, and the owning driver.\n\n"
     "    --json prints {\"ok\":true,\"pool\":[{\"driver\",\"tag\",\"tag_value\",\"type\",\n"
     "    \"allocs\",\"frees\",\"diff\",\"bytes\"}]}.\n"},
    {"irps", cmd_irps, "pending IRPs with operation, socket and age",
     "NAME\n    wskctl irps - IRPs the provider holds pending\n\n"
     "SYNOPSIS\n    wskctl irps [--json] [DRIVER]\n\n"
     "DESCRIPTION\n"
     "    One line per pending IRP: driver, WSK operation (WskReceive, WskAccept, ...),\n"
     "    socket, IRP address and how long it has been pending.\n\n"
     "    --json prints {\"ok\":true,\"irps\":[{\"driver\",\"irp\",\"operation\",\"socket\",\n"
     "    \"age_ms\"}]}.\n"},
    {"load", cmd_load, "load a driver module into the running host",
     "NAME\n    wskctl load - load a driver into the running host\n\n"
     "SYNOPSIS\n    wskctl load [--json] PATH [--param NAME=VALUE]...\n\n"
     "DESCRIPTION\n"
     "    Sets each NAME=VALUE under the driver's Parameters key (a REG_DWORD when VALUE is\n"
     "    a number, else REG_SZ), loads PATH and calls DriverEntry. The service name is the\n"
     "    file name without .so. On success prints the driver's sc-query block; when\n"
     "    DriverEntry fails prints its NTSTATUS and exits 1.\n"},
    {"unload", cmd_unload, "call a driver's DriverUnload and report leftovers",
     "NAME\n    wskctl unload - unload a driver from the running host\n\n"
     "SYNOPSIS\n    wskctl unload [--json] NAME\n\n"
     "DESCRIPTION\n"
     "    Calls NAME's DriverUnload with the host's deadline and prints what the driver\n"
     "    left behind (pool by tag, IRPs, MDLs, sockets, threads). Exits 1 when the driver\n"
     "    is not loaded, overran the deadline or left something behind.\n"},
    {"run", cmd_run, "run a driver in a foreground host (Ctrl-C unloads it)",
     "NAME\n    wskctl run - the quick development loop: a foreground host for one driver\n\n"
     "SYNOPSIS\n    wskctl run DRIVER.so [--param NAME=VALUE]... [--loops N]\n"
     "               [--unload-timeout SECONDS] [--control PATH | --no-control]\n\n"
     "DESCRIPTION\n"
     "    Runs wskhost (found next to wskctl, else on PATH) in the foreground with DRIVER.so.\n"
     "    NAME=VALUE parameters go to that driver's Parameters key. DbgPrint output appears\n"
     "    on the terminal; Ctrl-C calls DriverUnload and reports leftovers. The exit status\n"
     "    is wskhost's: 0 clean, 1 load failure, timeout or leak.\n\n"
     "EXAMPLE\n    wskctl run ./echosrv.so --param Port=40007\n"},
    {"help", cmd_help, "show help for wskctl or a command",
     "NAME\n    wskctl help - show help\n\nSYNOPSIS\n    wskctl help [COMMAND]\n"},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void print_main_help(FILE *f)
{
    char list[2048];
    size_t off = 0;

    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]) && off < sizeof(list); i++) {
        int n = snprintf(list + off, sizeof(list) - off, "    %-9s %s\n", commands[i].name,
                         commands[i].summary);
        if (n > 0)
            off += (size_t)n;
    }
    fprintf(f, main_help, list);
}

static int cmd_help(int argc, char **argv)
{
    const struct command *cmd;

    if (argc < 2) {
        print_main_help(stdout);
        return 0;
    }
    cmd = find_command(argv[1]);
    if (!cmd)
        usage(NULL, "unknown command \"%s\"", argv[1]);
    fputs(cmd->help, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {0}};
    static char default_path[108];
    const struct command *cmd;
    int c;

    /* '+': stop at the command name; the command parses its own options. */
    while ((c = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            sock_path = optarg;
            sock_given = true;
            break;
        case 'j':
            json_out = true;
            break;
        case 'h':
            print_main_help(stdout);
            return 0;
        case 'V':
            printf("wskctl (openwsk) %s\n", OWSK_VERSION);
            return 0;
        default:
            fprintf(stderr, "Try 'wskctl --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        print_main_help(stderr);
        return EXIT_USAGE;
    }
    if (!sock_path) {
        if (owsk_ctl_default_path(default_path, sizeof(default_path)) < 0) {
            fprintf(stderr, "wskctl: the default socket path is too long; use --socket\n");
            return EXIT_FAILED;
        }
        sock_path = default_path;
    }
    cmd = find_command(argv[optind]);
    if (!cmd)
        usage(NULL, "unknown command \"%s\"", argv[optind]);
    return cmd->run(argc - optind, argv + optind);
}
