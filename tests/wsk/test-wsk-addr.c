/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* P-09: SOCKADDR translation at the Linux boundary (src/wsk/addr.c): Windows AF_INET6 = 23
 * becomes Linux 10 and back, ports stay in network order, flow info and sin6_scope_id
 * survive, sin_zero is cleared, IPv4 addresses become v4-mapped for IPv6 sockets, other
 * families are refused; printable forms for wskctl. */
#include <errno.h>
#include <string.h>

#include "wsk_t.h"
#include "wsk/lx.h"

int main(void)
{
    SOCKADDR_IN in4, back4;
    SOCKADDR_IN6 in6, back6;
    struct owsk_lx_addr lx;
    unsigned short fam;
    char text[64];

    /* IPv4: 10.1.2.3:4660 */
    memset(&in4, 0xab, sizeof(in4));
    in4.sin_family = AF_INET;
    in4.sin_port = 0x3412; /* 4660 in network order */
    in4.sin_addr.S_un.S_un_b.s_b1 = 10;
    in4.sin_addr.S_un.S_un_b.s_b2 = 1;
    in4.sin_addr.S_un.S_un_b.s_b3 = 2;
    in4.sin_addr.S_un.S_un_b.s_b4 = 3;
    CHECK_INT(owsk_wsk_addr_from_win(&in4, false, &lx), 0);
    CHECK_UINT(lx.len, 16);
    memcpy(&fam, lx.u.bytes, 2);
    CHECK_UINT(fam, 2);
    CHECK_UINT(owsk_wsk_addr_win_family(&lx), AF_INET);
    memset(&back4, 0xcd, sizeof(back4));
    CHECK_INT(owsk_wsk_addr_to_win(&lx, &back4), (int)sizeof(SOCKADDR_IN));
    CHECK_UINT(back4.sin_family, AF_INET);
    CHECK_UINT(back4.sin_port, 0x3412);
    CHECK(memcmp(&back4.sin_addr, &in4.sin_addr, 4) == 0);
    for (unsigned i = 0; i < sizeof(back4.sin_zero); i++)
        CHECK_UINT((unsigned char)back4.sin_zero[i], 0);
    owsk_wsk_addr_format(&lx, text, sizeof(text));
    CHECK_STR(text, "10.1.2.3:4660");

    /* IPv6 with flow info and scope id: family 23 <-> 10. */
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = 0x5000; /* 80 */
    in6.sin6_flowinfo = 0x12345;
    in6.sin6_addr.u.Byte[0] = 0xfe;
    in6.sin6_addr.u.Byte[1] = 0x80;
    in6.sin6_addr.u.Byte[15] = 9;
    in6.sin6_scope_id = 7;
    CHECK_INT(owsk_wsk_addr_from_win(&in6, true, &lx), 0);
    CHECK_UINT(lx.len, 28);
    memcpy(&fam, lx.u.bytes, 2);
    CHECK_UINT(fam, 10); /* Linux AF_INET6 */
    CHECK_UINT(owsk_wsk_addr_win_family(&lx), 23);
    memset(&back6, 0xcd, sizeof(back6));
    CHECK_INT(owsk_wsk_addr_to_win(&lx, &back6), (int)sizeof(SOCKADDR_IN6));
    CHECK(memcmp(&back6, &in6, sizeof(in6)) == 0);
    owsk_wsk_addr_format(&lx, text, sizeof(text));
    CHECK_STR(text, "[fe80::9]:80");

    /* IPv4 on an IPv6 socket: v4-mapped, reported back as SOCKADDR_IN6. */
    CHECK_INT(owsk_wsk_addr_from_win(&in4, true, &lx), 0);
    CHECK_UINT(owsk_wsk_addr_win_family(&lx), 23);
    CHECK_INT(owsk_wsk_addr_to_win(&lx, &back6), (int)sizeof(SOCKADDR_IN6));
    CHECK_UINT(back6.sin6_port, 0x3412);
    CHECK_UINT(back6.sin6_addr.u.Byte[10], 0xff);
    CHECK_UINT(back6.sin6_addr.u.Byte[11], 0xff);
    CHECK_UINT(back6.sin6_addr.u.Byte[12], 10);
    CHECK_UINT(back6.sin6_addr.u.Byte[15], 3);

    /* Anything else is refused; the wildcard helper. */
    in4.sin_family = 10; /* Linux's AF_INET6 number means AF_CCITT on Windows */
    CHECK_INT(owsk_wsk_addr_from_win(&in4, false, &lx), -EAFNOSUPPORT);
    CHECK_INT(owsk_wsk_addr_from_win(NULL, false, &lx), -EINVAL);
    CHECK_UINT(owsk_wsk_addr_win_len(AF_INET), 16);
    CHECK_UINT(owsk_wsk_addr_win_len(AF_INET6), 28);
    CHECK_UINT(owsk_wsk_addr_win_len(17), 0);
    CHECK_INT(owsk_wsk_addr_any(AF_INET6, &lx), 0);
    owsk_wsk_addr_format(&lx, text, sizeof(text));
    CHECK_STR(text, "[::]:0");
    memset(&lx, 0, sizeof(lx));
    owsk_wsk_addr_format(&lx, text, sizeof(text));
    CHECK_STR(text, "-");
    return t_done();
}
