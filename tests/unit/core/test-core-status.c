/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The errno -> NTSTATUS table (wsk-reference §3.14, recommended column), the unknown-errno
 * fallback, and status names in both directions for every STATUS_* in include/ntstatus.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openwsk/host.h>

#include "core/core.h"
#include "owsk_test.h"

static const struct {
    int err;
    NTSTATUS status;
} expected[] = {
    {0, STATUS_SUCCESS},
    {EADDRINUSE, STATUS_ADDRESS_ALREADY_ASSOCIATED},
    {ECONNREFUSED, STATUS_CONNECTION_REFUSED},
    {ECONNRESET, STATUS_CONNECTION_RESET},
    {EPIPE, STATUS_CONNECTION_RESET},
    {ETIMEDOUT, STATUS_IO_TIMEOUT},
    {ENOMEM, STATUS_INSUFFICIENT_RESOURCES},
    {ENOBUFS, STATUS_INSUFFICIENT_RESOURCES},
    {EINVAL, STATUS_INVALID_PARAMETER},
    {EDESTADDRREQ, STATUS_INVALID_PARAMETER},
    {ENOPROTOOPT, STATUS_INVALID_PARAMETER},
    {EAFNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPFNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPROTONOSUPPORT, STATUS_NOT_SUPPORTED},
    {ESOCKTNOSUPPORT, STATUS_NOT_SUPPORTED},
    {EPROTOTYPE, STATUS_NOT_SUPPORTED},
    {EOPNOTSUPP, STATUS_NOT_SUPPORTED},
    {ENOTSUP, STATUS_NOT_SUPPORTED},
    {EADDRNOTAVAIL, STATUS_INVALID_ADDRESS_COMPONENT},
    {ENETUNREACH, STATUS_NETWORK_UNREACHABLE},
    {EHOSTUNREACH, STATUS_HOST_UNREACHABLE},
    {ECONNABORTED, STATUS_CONNECTION_ABORTED},
    {EMFILE, STATUS_TOO_MANY_OPENED_FILES},
    {ENFILE, STATUS_TOO_MANY_OPENED_FILES},
    {EACCES, STATUS_ACCESS_DENIED},
    {EPERM, STATUS_ACCESS_DENIED},
    {ECANCELED, STATUS_CANCELLED},
    {ENOTCONN, STATUS_CONNECTION_DISCONNECTED},
    {EISCONN, STATUS_CONNECTION_ACTIVE},
    {EHOSTDOWN, STATUS_HOST_DOWN},
    {EMSGSIZE, STATUS_BUFFER_OVERFLOW},
    {EFAULT, STATUS_ACCESS_VIOLATION},
    {EAGAIN, STATUS_CANT_WAIT},
    {EWOULDBLOCK, STATUS_CANT_WAIT},
    {EALREADY, STATUS_NETWORK_BUSY},
    {ENETDOWN, STATUS_NETWORK_BUSY},
    {EBADF, STATUS_INVALID_HANDLE},
    {ENOTSOCK, STATUS_INVALID_HANDLE},
    {ESHUTDOWN, STATUS_PIPE_DISCONNECTED},
    {ENOSYS, STATUS_NOT_IMPLEMENTED},
};
#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static int lines;
static char last_line[512];

static void count_sink(const char *line, void *ctx)
{
    (void)ctx;
    lines++;
    snprintf(last_line, sizeof(last_line), "%s", line);
}

static void test_errno_table(void)
{
    int err;
    NTSTATUS st;

    for (size_t i = 0; i < N_EXPECTED; i++) {
        CHECK_STATUS(owsk_status_from_errno(expected[i].err), expected[i].status);
        /* The Linux-facing layer's negative errno is accepted as well. */
        CHECK_STATUS(owsk_status_from_errno(-expected[i].err), expected[i].status);
    }
    /* Every row of the library's table is covered above, with the same result. */
    for (size_t i = 0; owsk_status_errno_at(i, &err, &st); i++) {
        bool found = false;
        for (size_t j = 0; j < N_EXPECTED; j++)
            if (expected[j].err == err) {
                found = true;
                CHECK_STATUS(st, expected[j].status);
            }
        if (!found)
            t_fail(__FILE__, __LINE__, "errno %d in the table but not in this test", err);
        t_checks++;
    }
}

static void test_unknown_errno(void)
{
    owsk_log_parse(NULL);
    owsk_log_set_sink(count_sink, NULL);
    lines = 0;
    CHECK_STATUS(owsk_status_from_errno(EXDEV), STATUS_UNSUCCESSFUL);
    CHECK_INT(lines, 1);
    CHECK(strstr(last_line, "18") != NULL || strstr(last_line, "EXDEV") != NULL);
    /* Warned once per errno value. */
    CHECK_STATUS(owsk_status_from_errno(EXDEV), STATUS_UNSUCCESSFUL);
    CHECK_INT(lines, 1);
    CHECK_STATUS(owsk_status_from_errno(EROFS), STATUS_UNSUCCESSFUL);
    CHECK_INT(lines, 2);
    CHECK_STATUS(owsk_status_from_errno(100000), STATUS_UNSUCCESSFUL);
    CHECK_INT(lines, 3);
    owsk_log_set_sink(NULL, NULL);
}

static void test_names(void)
{
    NTSTATUS st = 0x12345678;

    CHECK_STR(owsk_status_name(STATUS_SUCCESS), "STATUS_SUCCESS");
    CHECK_STR(owsk_status_name(STATUS_PENDING), "STATUS_PENDING");
    CHECK_STR(owsk_status_name(STATUS_CANCELLED), "STATUS_CANCELLED");
    CHECK_STR(owsk_status_name((NTSTATUS)0xC0000238), "STATUS_ADDRESS_ALREADY_ASSOCIATED");
    CHECK_STR(owsk_ntstatus_name((owsk_ntstatus_t)0xC0000236), "STATUS_CONNECTION_REFUSED");
    CHECK_STR(owsk_status_name((NTSTATUS)0xC0001234), "0xC0001234");
    CHECK_STR(owsk_ntstatus_name((owsk_ntstatus_t)0xE0010001), "0xE0010001");
    CHECK(owsk_status_from_name("STATUS_CONNECTION_RESET", &st));
    CHECK_STATUS(st, STATUS_CONNECTION_RESET);
    CHECK(owsk_status_from_name("0xC0000120", &st));
    CHECK_STATUS(st, STATUS_CANCELLED);
    st = 0x12345678;
    CHECK(!owsk_status_from_name("STATUS_NO_SUCH_THING", &st));
    CHECK(!owsk_status_from_name("0x", &st));
    CHECK(!owsk_status_from_name("0x1FFFFFFFF", &st));
    CHECK(!owsk_status_from_name(NULL, &st));
    CHECK_UINT(st, 0x12345678);
}

/* Every STATUS_* the header defines has a name, both ways; fails when someone adds a status
 * the name table does not know. */
static void test_header_complete(void)
{
    const char *root = getenv("OWSK_SOURCE_ROOT");
    char path[4096], line[512];
    FILE *f;
    size_t n = 0;

    if (root) {
        snprintf(path, sizeof(path), "%s/include/ntstatus.h", root);
    } else {
        /* run by hand: find the source tree from this file's own path */
        const char *me = __FILE__, *cut = strstr(me, "tests/unit/core/");
        snprintf(path, sizeof(path), "%.*sinclude/ntstatus.h", cut ? (int)(cut - me) : 0, me);
    }
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char name[128], *hex;
        NTSTATUS st;

        if (sscanf(line, " #define %127[A-Za-z0-9_]", name) != 1 &&
            sscanf(line, " # define %127[A-Za-z0-9_]", name) != 1)
            continue;
        if (strncmp(name, "STATUS_", 7) != 0 || strncmp(name, "STATUS_SEVERITY_", 16) == 0)
            continue;
        {
            char *after = strstr(line, name) + strlen(name);
            if (*after == '(' )
                continue; /* a function-like macro is not a status */
        }
        n++;
        CHECK(owsk_status_from_name(name, &st));
        if (!owsk_status_from_name(name, &st)) {
            fprintf(stderr, "  no name for %s\n", name);
            continue;
        }
        hex = strstr(line, "0x");
        if (!hex)
            hex = strstr(line, "0X");
        if (hex) {
            unsigned long v = strtoul(hex, NULL, 16);
            CHECK_UINT((uint32_t)st, v);
        }
        /* value -> name gives a name of the same value */
        {
            NTSTATUS back;
            CHECK(owsk_status_from_name(owsk_status_name(st), &back));
            CHECK_UINT((uint32_t)back, (uint32_t)st);
        }
    }
    fclose(f);
    CHECK(n > 40);
    CHECK_UINT(owsk_status_name_count(), n);
}

int main(void)
{
    test_errno_table();
    test_unknown_errno();
    test_names();
    test_header_complete();
    return t_done();
}
