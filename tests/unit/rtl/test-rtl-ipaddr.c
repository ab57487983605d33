/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ip2string.h: Windows' parse results (terminators, strict vs inet_addr forms, Ex ports) as
 * recorded by Wine's Windows-validated ntdll tests, Windows' IPv6 text forms, and round trips
 * against glibc's inet_pton/inet_ntop for the forms both accept. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <ntddk.h>
#include <ip2string.h>

#include "owsk_test.h"

int libc_ntop(int v6, const void *addr, char *out, unsigned size);
int libc_pton(int v6, const char *s, void *addr);

#define U 0xabababab /* "not written" */

static uint32_t ip4(int a, int b, int c, int d)
{
    unsigned char x[4] = {(unsigned char)a, (unsigned char)b, (unsigned char)c, (unsigned char)d};
    uint32_t v;

    memcpy(&v, x, 4);
    return v;
}

static const struct v4case {
    const char *s;
    NTSTATUS res;
    int term;
    int ip[4]; /* ip[0] == -1: untouched */
    bool strict_differs;
    NTSTATUS res_strict;
    int term_strict;
} v4cases[] = {
    {"", STATUS_INVALID_PARAMETER, 0, {-1}},
    {" ", STATUS_INVALID_PARAMETER, 0, {-1}},
    {"1.1.1.1", STATUS_SUCCESS, 7, {1, 1, 1, 1}},
    {"0.0.0.0", STATUS_SUCCESS, 7, {0, 0, 0, 0}},
    {"255.255.255.255", STATUS_SUCCESS, 15, {255, 255, 255, 255}},
    {"255.255.255.255:123", STATUS_SUCCESS, 15, {255, 255, 255, 255}},
    {"255.255.255.256", STATUS_INVALID_PARAMETER, 15, {-1}},
    {"255.255.255.4294967295", STATUS_INVALID_PARAMETER, 22, {-1}},
    {"255.255.255.4294967296", STATUS_INVALID_PARAMETER, 21, {-1}},
    {"a", STATUS_INVALID_PARAMETER, 0, {-1}},
    {"1.1.1.0xaA", STATUS_SUCCESS, 10, {1, 1, 1, 170}, true, STATUS_INVALID_PARAMETER, 8},
    {"1.1.1.0x", STATUS_INVALID_PARAMETER, 8, {-1}},
    {"1.1.1.0x100", STATUS_INVALID_PARAMETER, 11, {-1}, true, STATUS_INVALID_PARAMETER, 8},
    {"1.1.1.0x100000000", STATUS_INVALID_PARAMETER, 16, {-1}, true, STATUS_INVALID_PARAMETER, 8},
    {"1.1.1.010", STATUS_SUCCESS, 9, {1, 1, 1, 8}, true, STATUS_INVALID_PARAMETER, 7},
    {"1.1.1.00", STATUS_SUCCESS, 8, {1, 1, 1, 0}, true, STATUS_INVALID_PARAMETER, 7},
    {"1.1.1.08", STATUS_INVALID_PARAMETER, 7, {-1}},
    {"1.1.1.008", STATUS_SUCCESS, 8, {1, 1, 1, 0}, true, STATUS_INVALID_PARAMETER, 7},
    {"1.1.1.0a", STATUS_SUCCESS, 7, {1, 1, 1, 0}},
    {"1.1.1.-2", STATUS_INVALID_PARAMETER, 6, {-1}},
    {"1", STATUS_SUCCESS, 1, {0, 0, 0, 1}, true, STATUS_INVALID_PARAMETER, 1},
    {"-1", STATUS_INVALID_PARAMETER, 0, {-1}},
    {"203569230", STATUS_SUCCESS, 9, {12, 34, 56, 78}, true, STATUS_INVALID_PARAMETER, 9},
    {"1.223756", STATUS_SUCCESS, 8, {1, 3, 106, 12}, true, STATUS_INVALID_PARAMETER, 8},
    {"3.4.756", STATUS_SUCCESS, 7, {3, 4, 2, 244}, true, STATUS_INVALID_PARAMETER, 7},
    {"3.4.756.1", STATUS_INVALID_PARAMETER, 9, {-1}},
    {"3.4.65536", STATUS_INVALID_PARAMETER, 9, {-1}},
    {"3.4.5.6.7", STATUS_INVALID_PARAMETER, 7, {-1}},
    {"3.4.5.+6", STATUS_INVALID_PARAMETER, 6, {-1}},
    {" 3.4.5.6", STATUS_INVALID_PARAMETER, 0, {-1}},
    {"3.4.5.6 ", STATUS_SUCCESS, 7, {3, 4, 5, 6}},
    {"3. 4.5.6", STATUS_INVALID_PARAMETER, 2, {-1}},
    {".", STATUS_INVALID_PARAMETER, 1, {-1}},
    {"1.", STATUS_INVALID_PARAMETER, 2, {-1}},
    {"1..", STATUS_INVALID_PARAMETER, 3, {-1}},
    {".1.2.3", STATUS_INVALID_PARAMETER, 1, {-1}},
    {"0.1.2.3.", STATUS_INVALID_PARAMETER, 7, {-1}},
    {"[0.1.2.3]", STATUS_INVALID_PARAMETER, 0, {-1}},
    {"::1", STATUS_INVALID_PARAMETER, 0, {-1}},
};

static void test_v4_parse(void)
{
    for (size_t i = 0; i < sizeof(v4cases) / sizeof(v4cases[0]); i++) {
        const struct v4case *c = &v4cases[i];
        for (int strict = 0; strict < 2; strict++) {
            struct in_addr a;
            PCSTR term = NULL;
            PCWSTR wterm = NULL;
            WCHAR w[64];
            NTSTATUS exp = strict && c->strict_differs ? c->res_strict : c->res;
            int exp_term = strict && c->strict_differs ? c->term_strict : c->term;
            uint32_t exp_ip = (strict && c->strict_differs) || c->ip[0] < 0
                                  ? U
                                  : ip4(c->ip[0], c->ip[1], c->ip[2], c->ip[3]);
            a.s_addr = U;
            CHECK_STATUS(RtlIpv4StringToAddressA(c->s, (BOOLEAN)strict, &term, &a), exp);
            if (term - c->s != exp_term)
                fprintf(stderr, "  \"%s\" strict %d\n", c->s, strict);
            CHECK_INT(term - c->s, exp_term);
            CHECK_UINT(a.s_addr, exp_ip);
            /* The W form gives the same answer at the same offset. */
            for (size_t k = 0; k <= strlen(c->s); k++)
                w[k] = (WCHAR)c->s[k];
            a.s_addr = U;
            CHECK_STATUS(RtlIpv4StringToAddressW(w, (BOOLEAN)strict, &wterm, &a), exp);
            CHECK_INT(wterm - w, exp_term);
            CHECK_UINT(a.s_addr, exp_ip);
        }
    }
}

static void test_v4_ex(void)
{
    static const struct {
        const char *s;
        NTSTATUS res;
        uint32_t ip;
        USHORT port;
    } cases[] = {
        {"", STATUS_INVALID_PARAMETER, U, 0xdead},
        {"1.1.1.1:", STATUS_INVALID_PARAMETER, 0x01010101, 0xdead},
        {"1.1.1.1+", STATUS_INVALID_PARAMETER, 0x01010101, 0xdead},
        {"1.1.1.1:1", STATUS_SUCCESS, 0x01010101, 0x100},
        {"1.1.1.1", STATUS_SUCCESS, 0x01010101, 0},
        {"256.1.1.1:1", STATUS_INVALID_PARAMETER, U, 0xdead},
        {"0.0.0.0:0", STATUS_INVALID_PARAMETER, 0, 0xdead},
        {"0.0.0.0:1", STATUS_SUCCESS, 0, 0x100},
        {"1.2.3.4:65535", STATUS_SUCCESS, 0x04030201, 65535},
        {"1.2.3.4:65536", STATUS_INVALID_PARAMETER, 0x04030201, 0xdead},
        {"1.2.3.4:0xffff", STATUS_SUCCESS, 0x04030201, 65535},
        {"1.2.3.4:0XfFfF", STATUS_SUCCESS, 0x04030201, 65535},
        {"1.2.3.4:011064", STATUS_SUCCESS, 0x04030201, 0x3412},
        {"1.2.3.4:1234a", STATUS_INVALID_PARAMETER, 0x04030201, 0xdead},
        {"1.2.3.4: 1234", STATUS_INVALID_PARAMETER, 0x04030201, 0xdead},
        {"3.4.5.6 ", STATUS_INVALID_PARAMETER, 0x06050403, 0xdead},
        {"1.1.1.008", STATUS_INVALID_PARAMETER, 0x00010101, 0xdead},
    };
    struct in_addr a;
    USHORT port;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        WCHAR w[64];
        a.s_addr = U;
        port = 0xdead;
        CHECK_STATUS(RtlIpv4StringToAddressExA(cases[i].s, FALSE, &a, &port), cases[i].res);
        CHECK_UINT(a.s_addr, cases[i].ip);
        CHECK_UINT(port, cases[i].port);
        for (size_t k = 0; k <= strlen(cases[i].s); k++)
            w[k] = (WCHAR)cases[i].s[k];
        a.s_addr = U;
        port = 0xdead;
        CHECK_STATUS(RtlIpv4StringToAddressExW(w, TRUE, &a, &port), cases[i].res);
        CHECK_UINT(port, cases[i].port);
    }
    port = 0xdead;
    CHECK_STATUS(RtlIpv4StringToAddressExA(NULL, FALSE, &a, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExA("1.1.1.1", FALSE, NULL, &port),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExA("1.1.1.1", FALSE, &a, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_UINT(port, 0xdead);
}

static void test_v4_to_string(void)
{
    char buf[32], ref[32];
    WCHAR wbuf[32];
    struct in_addr a;
    ULONG len;
    PSTR end;

    a.s_addr = ip4(192, 168, 0, 1);
    memset(buf, '#', sizeof(buf));
    end = RtlIpv4AddressToStringA(&a, buf);
    CHECK_STR(buf, "192.168.0.1");
    CHECK(end == buf + 11);
    CHECK(RtlIpv4AddressToStringW(&a, wbuf) == wbuf + 11);
    CHECK(wbuf[0] == u'1' && wbuf[10] == u'1' && wbuf[11] == 0);

    len = sizeof(buf);
    CHECK_STATUS(RtlIpv4AddressToStringExA(&a, 0x901f, buf, &len), STATUS_SUCCESS);
    CHECK_STR(buf, "192.168.0.1:8080");
    CHECK_UINT(len, 17);
    len = 16;
    memset(buf, '#', sizeof(buf));
    CHECK_STATUS(RtlIpv4AddressToStringExA(&a, 0x901f, buf, &len), STATUS_INVALID_PARAMETER);
    CHECK_UINT(len, 17);
    CHECK(buf[0] == '#');
    len = 12;
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a, 0, wbuf, &len), STATUS_SUCCESS);
    CHECK_UINT(len, 12);
    CHECK_STATUS(RtlIpv4AddressToStringExA(NULL, 0, buf, &len), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4AddressToStringExA(&a, 0, buf, NULL), STATUS_INVALID_PARAMETER);

    /* Random addresses against inet_ntop / inet_pton. */
    srand(42);
    for (int i = 0; i < 2000; i++) {
        struct in_addr back;
        PCSTR term;
        uint32_t v = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
        memcpy(&a, &v, 4);
        RtlIpv4AddressToStringA(&a, buf);
        CHECK(libc_ntop(0, &v, ref, sizeof(ref)));
        CHECK_STR(buf, ref);
        back.s_addr = U;
        CHECK_STATUS(RtlIpv4StringToAddressA(ref, TRUE, &term, &back), STATUS_SUCCESS);
        CHECK_UINT(back.s_addr, v);
        CHECK(*term == 0);
    }
}

static void set6(struct in6_addr *a, const uint16_t w[8])
{
    unsigned char *b = (unsigned char *)a;

    for (int i = 0; i < 8; i++) {
        b[2 * i] = (unsigned char)(w[i] >> 8);
        b[2 * i + 1] = (unsigned char)w[i];
    }
}

/* Windows' text for these (Wine's Windows-validated RtlIpv6AddressToString table). */
static const struct {
    const char *s;
    uint16_t w[8];
} v6text[] = {
    {"::", {0}},
    {"::1", {0, 0, 0, 0, 0, 0, 0, 1}},
    {"::13.1.68.3", {0, 0, 0, 0, 0, 0, 0x0d01, 0x4403}},
    {"::ffff:13.1.68.3", {0, 0, 0, 0, 0, 0xffff, 0x0d01, 0x4403}},
    {"::feff:d01:4403", {0, 0, 0, 0, 0, 0xfeff, 0x0d01, 0x4403}},
    {"::1:d01:4403", {0, 0, 0, 0, 0, 1, 0x0d01, 0x4403}},
    {"::ffff:0:4403", {0, 0, 0, 0, 0, 0xffff, 0, 0x4403}},
    {"::ffff:13.1.0.0", {0, 0, 0, 0, 0, 0xffff, 0x0d01, 0}},
    {"::ffff:0:0", {0, 0, 0, 0, 0, 0xffff, 0, 0}},
    {"::ffff:0:13.1.68.3", {0, 0, 0, 0, 0xffff, 0, 0x0d01, 0x4403}},
    {"::ffff:ffff:d01:4403", {0, 0, 0, 0, 0xffff, 0xffff, 0x0d01, 0x4403}},
    {"::5efe:129.144.52.38", {0, 0, 0, 0, 0, 0x5efe, 0x8190, 0x3426}},
    {"1111:2222:3333:4444:0:5efe:129.144.52.38",
     {0x1111, 0x2222, 0x3333, 0x4444, 0, 0x5efe, 0x8190, 0x3426}},
    {"1111:2222:3333::5efe:129.144.52.38", {0x1111, 0x2222, 0x3333, 0, 0, 0x5efe, 0x8190, 0x3426}},
    {"::200:5efe:129.144.52.38", {0, 0, 0, 0, 0x200, 0x5efe, 0x8190, 0x3426}},
    {"::100:5efe:8190:3426", {0, 0, 0, 0, 0x100, 0x5efe, 0x8190, 0x3426}},
    {"1080::8:800:200c:417a", {0x1080, 0, 0, 0, 8, 0x800, 0x200c, 0x417a}},
    {"1111:2222:3333:4444:5555:6666::", {0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0}},
    {"1111:2222:3333:4444:5555:6666:0:8888",
     {0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0, 0x8888}},
    {"1111:0:3333:4444:5555:6666:7b7b:7b7b",
     {0x1111, 0, 0x3333, 0x4444, 0x5555, 0x6666, 0x7b7b, 0x7b7b}},
    {"2001:0:1234::c1c0:abcd:876", {0x2001, 0, 0x1234, 0, 0, 0xc1c0, 0xabcd, 0x876}},
    {"3ffe:b00::1:0:0:a", {0x3ffe, 0xb00, 0, 0, 1, 0, 0, 0xa}},
    {"::a:b:c:d:e", {0, 0, 0, 0xa, 0xb, 0xc, 0xd, 0xe}},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}},
};

static void test_v6_to_string(void)
{
    char buf[64];
    WCHAR wbuf[64];
    struct in6_addr a;
    ULONG len;

    for (size_t i = 0; i < sizeof(v6text) / sizeof(v6text[0]); i++) {
        struct in6_addr back;
        PCSTR term;
        PSTR end;

        set6(&a, v6text[i].w);
        memset(buf, '#', sizeof(buf));
        end = RtlIpv6AddressToStringA(&a, buf);
        CHECK_STR(buf, v6text[i].s);
        CHECK(end == buf + strlen(v6text[i].s));
        CHECK(buf[46] == '#');
        /* and the text parses back to the same address */
        memset(&back, 0xab, sizeof(back));
        CHECK_STATUS(RtlIpv6StringToAddressA(v6text[i].s, &term, &back), STATUS_SUCCESS);
        CHECK(memcmp(&back, &a, 16) == 0);
        CHECK(*term == 0);
    }

    set6(&a, (const uint16_t[8]){0, 0, 0, 0, 0, 0, 0, 1});
    len = sizeof(buf);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0, 0, buf, &len), STATUS_SUCCESS);
    CHECK_STR(buf, "::1");
    CHECK_UINT(len, 4);
    len = sizeof(buf);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0xffffbbbb, 0xeeff, buf, &len), STATUS_SUCCESS);
    CHECK_STR(buf, "[::1%4294949819]:65518");
    CHECK_UINT(len, 23);
    len = sizeof(buf);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 1, 0, buf, &len), STATUS_SUCCESS);
    CHECK_STR(buf, "::1%1");
    len = sizeof(buf);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0, 1, buf, &len), STATUS_SUCCESS);
    CHECK_STR(buf, "[::1]:256");
    len = 2;
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0, 0, buf, &len), STATUS_INVALID_PARAMETER);
    CHECK_UINT(len, 4);
    CHECK_STATUS(RtlIpv6AddressToStringExA(NULL, 0, 0, buf, &len), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0, 0, NULL, &len), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a, 0, 0, buf, NULL), STATUS_INVALID_PARAMETER);
    len = 64;
    CHECK_STATUS(RtlIpv6AddressToStringExW(&a, 0, 0x5000, wbuf, &len), STATUS_SUCCESS);
    CHECK_UINT(len, 9); /* "[::1]:80" */
    CHECK(wbuf[0] == u'[' && wbuf[4] == u']' && wbuf[7] == u'0' && wbuf[8] == 0);
    CHECK(RtlIpv6AddressToStringW(&a, wbuf) == wbuf + 3);
}

/* Round trips with glibc on random addresses with runs of zero words; the dotted-tail forms
 * (where Windows and glibc choose differently) are left to the table above. */
static void test_v6_random(void)
{
    char buf[64], ref[64];
    int compared = 0;

    srand(7);
    for (int i = 0; i < 5000; i++) {
        uint16_t w[8];
        struct in6_addr a, back;
        PCSTR term;
        for (int k = 0; k < 8; k++)
            w[k] = (rand() & 1) ? 0 : (uint16_t)(rand() >> (rand() % 13));
        set6(&a, w);
        CHECK(libc_ntop(1, &a, ref, sizeof(ref)));
        /* glibc's text always parses here */
        memset(&back, 0xab, sizeof(back));
        CHECK_STATUS(RtlIpv6StringToAddressA(ref, &term, &back), STATUS_SUCCESS);
        CHECK(memcmp(&back, &a, 16) == 0);
        CHECK(*term == 0);
        /* our text parses with glibc */
        RtlIpv6AddressToStringA(&a, buf);
        CHECK(libc_pton(1, buf, &back));
        CHECK(memcmp(&back, &a, 16) == 0);
        if (!strchr(buf, '.') && !strchr(ref, '.')) {
            CHECK_STR(buf, ref);
            compared++;
        }
    }
    CHECK(compared > 4000);
}

static void test_v6_parse(void)
{
    static const struct {
        const char *s;
        NTSTATUS res;
        int term;
    } cases[] = {
        {"::", STATUS_SUCCESS, 2},
        {"::%16", STATUS_SUCCESS, 2},
        {"::/16", STATUS_SUCCESS, 2},
        {"1111::", STATUS_SUCCESS, 6},
        {"1111:2222:3333:4444:5555:6666:7777:8888:", STATUS_SUCCESS, 39},
        {"1111:2222:3333:4444:5555:6666:7777:8888:9999", STATUS_SUCCESS, 39},
        {"1111:2222:::", STATUS_SUCCESS, 11},
        {"1111::3333::5555:6666:1.2.3.4", STATUS_SUCCESS, 10},
        {"1111::3333:4444:5555:6666:7777::", STATUS_SUCCESS, 30},
        {"1111:2222:3333:4444:5555:6666:123.123.123.123", STATUS_SUCCESS, 45},
        {"1111", STATUS_INVALID_PARAMETER, 4},
        {"1111:2222:", STATUS_INVALID_PARAMETER, 10},
        {"1111:2222:3333", STATUS_INVALID_PARAMETER, 14},
        {"1111::5555:", STATUS_INVALID_PARAMETER, 11},
        {"1.2.3.4", STATUS_INVALID_PARAMETER, 7},
        {"':10.0.0.1", STATUS_INVALID_PARAMETER, 0},
        {"-1", STATUS_INVALID_PARAMETER, 0},
        {"1111:2222:3333:4444:x555:6666:7777:8888", STATUS_INVALID_PARAMETER, 20},
        {"1::1.2.3.256", STATUS_INVALID_PARAMETER, 12},
        {"1::1.", STATUS_INVALID_PARAMETER, 5},
        {"12345::6:7:8", STATUS_INVALID_PARAMETER, -1},
        {"2001:00000:1234:0000:0000:C1C0:ABCD:0876", STATUS_INVALID_PARAMETER, -1},
    };
    struct in6_addr a;
    unsigned char untouched[16];

    memset(untouched, 0xab, 16);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PCSTR term = NULL;
        memset(&a, 0xab, sizeof(a));
        CHECK_STATUS(RtlIpv6StringToAddressA(cases[i].s, &term, &a), cases[i].res);
        if (cases[i].term >= 0)
            CHECK_INT(term - cases[i].s, cases[i].term);
        if (cases[i].res != STATUS_SUCCESS)
            CHECK(memcmp(&a, untouched, 16) == 0);
    }
}

static void test_v6_ex(void)
{
    static const struct {
        const char *s;
        NTSTATUS res;
        ULONG scope;
        USHORT port;
    } cases[] = {
        {"::1", STATUS_SUCCESS, 0, 0},
        {"::1%1", STATUS_SUCCESS, 1, 0},
        {"[::1%4294949819]:65518", STATUS_SUCCESS, 0xffffbbbb, 0xeeff},
        {"[::13.1.68.3]:256", STATUS_SUCCESS, 0, 1},
        {"[2001::ffd3]", STATUS_SUCCESS, 0, 0},
        {"[1111:2222:3333:4444:0:5efe:129.144.52.38%4294949819]:256", STATUS_SUCCESS,
         0xffffbbbb, 1},
        {"::1%", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"::1%4294967296", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"[::1]:", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"[::1]:65536", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"[::1", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"::1]:80", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"::/16", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
        {"1111:2222:3333:4444:5555:6666:7777:8888:", STATUS_INVALID_PARAMETER, 0xdead, 0xdead},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct in6_addr a;
        ULONG scope = 0xdead;
        USHORT port = 0xdead;
        WCHAR w[80];
        CHECK_STATUS(RtlIpv6StringToAddressExA(cases[i].s, &a, &scope, &port), cases[i].res);
        CHECK_UINT(scope, cases[i].scope);
        CHECK_UINT(port, cases[i].port);
        for (size_t k = 0; k <= strlen(cases[i].s); k++)
            w[k] = (WCHAR)cases[i].s[k];
        scope = port = 0xdead;
        CHECK_STATUS(RtlIpv6StringToAddressExW(w, &a, &scope, &port), cases[i].res);
        CHECK_UINT(scope, cases[i].scope);
    }
    {
        struct in6_addr a;
        ULONG scope;
        USHORT port;
        CHECK_STATUS(RtlIpv6StringToAddressExA(NULL, &a, &scope, &port), STATUS_INVALID_PARAMETER);
        CHECK_STATUS(RtlIpv6StringToAddressExA("::1", NULL, &scope, &port),
                     STATUS_INVALID_PARAMETER);
        CHECK_STATUS(RtlIpv6StringToAddressExA("::1", &a, NULL, &port), STATUS_INVALID_PARAMETER);
        CHECK_STATUS(RtlIpv6StringToAddressExA("::1", &a, &scope, NULL), STATUS_INVALID_PARAMETER);
    }
    {
        /* A W string with a non-ASCII character never parses past it. */
        static const WCHAR w[] = u"::1\u00e9";
        PCWSTR term;
        struct in6_addr a;
        CHECK_STATUS(RtlIpv6StringToAddressW(w, &term, &a), STATUS_SUCCESS);
        CHECK(term == w + 3);
    }
}

int main(void)
{
    test_v4_parse();
    test_v4_ex();
    test_v4_to_string();
    test_v6_to_string();
    test_v6_random();
    test_v6_parse();
    test_v6_ex();
    return t_done();
}
