/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SOCKADDR translation between Windows (AF_INET6 = 23) and Linux (AF_INET6 = 10): the only
 * place family numbers cross. Layouts are byte-compatible apart from the family; only IPv4
 * and IPv6 are translated (other families are refused). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wsk/lx.h"

_Static_assert(sizeof(struct sockaddr_storage) == sizeof(((struct owsk_lx_addr *)0)->u),
               "owsk_lx_addr holds a sockaddr_storage");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "SOCKADDR_IN6 is 28 bytes on both sides");
_Static_assert(sizeof(struct sockaddr_in) == 16, "SOCKADDR_IN is 16 bytes on both sides");

size_t owsk_wsk_addr_win_len(unsigned win_family)
{
    switch (win_family) {
    case OWSK_WIN_AF_INET:
        return sizeof(struct sockaddr_in);
    case OWSK_WIN_AF_INET6:
        return sizeof(struct sockaddr_in6);
    default:
        return 0;
    }
}

int owsk_wsk_family_to_lx(unsigned win_family)
{
    switch (win_family) {
    case OWSK_WIN_AF_INET:
        return AF_INET;
    case OWSK_WIN_AF_INET6:
        return AF_INET6;
    default:
        return -EAFNOSUPPORT;
    }
}

static unsigned short win_family_of(const void *win_sa)
{
    unsigned short f;

    memcpy(&f, win_sa, sizeof(f)); /* USHORT sa_family at offset 0 in every SOCKADDR */
    return f;
}

int owsk_wsk_addr_from_win(const void *win_sa, bool want_v6, struct owsk_lx_addr *ret_addr)
{
    struct owsk_lx_addr a;

    if (!win_sa)
        return -EINVAL;
    memset(&a, 0, sizeof(a));
    switch (win_family_of(win_sa)) {
    case OWSK_WIN_AF_INET: {
        struct sockaddr_in sin;

        memcpy(&sin, win_sa, sizeof(sin));
        sin.sin_family = AF_INET;
        memset(sin.sin_zero, 0, sizeof(sin.sin_zero));
        if (want_v6) {
            /* A dual-mode IPv6 socket reaches IPv4 peers through v4-mapped addresses. */
            struct sockaddr_in6 sin6;

            memset(&sin6, 0, sizeof(sin6));
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = sin.sin_port;
            sin6.sin6_addr.s6_addr[10] = 0xff;
            sin6.sin6_addr.s6_addr[11] = 0xff;
            memcpy(&sin6.sin6_addr.s6_addr[12], &sin.sin_addr, 4);
            memcpy(a.u.bytes, &sin6, sizeof(sin6));
            a.len = sizeof(sin6);
        } else {
            memcpy(a.u.bytes, &sin, sizeof(sin));
            a.len = sizeof(sin);
        }
        break;
    }
    case OWSK_WIN_AF_INET6: {
        struct sockaddr_in6 sin6;

        memcpy(&sin6, win_sa, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        memcpy(a.u.bytes, &sin6, sizeof(sin6));
        a.len = sizeof(sin6);
        break;
    }
    default:
        return -EAFNOSUPPORT;
    }
    *ret_addr = a;
    return 0;
}

unsigned owsk_wsk_addr_win_family(const struct owsk_lx_addr *addr)
{
    sa_family_t f;

    if (!addr || addr->len < sizeof(sa_family_t))
        return OWSK_WIN_AF_UNSPEC;
    memcpy(&f, addr->u.bytes, sizeof(f));
    if (f == AF_INET)
        return OWSK_WIN_AF_INET;
    if (f == AF_INET6)
        return OWSK_WIN_AF_INET6;
    return OWSK_WIN_AF_UNSPEC;
}

int owsk_wsk_addr_to_win(const struct owsk_lx_addr *addr, void *win_sa)
{
    unsigned short wf = (unsigned short)owsk_wsk_addr_win_family(addr);

    if (wf == OWSK_WIN_AF_INET) {
        struct sockaddr_in sin;

        memcpy(&sin, addr->u.bytes, sizeof(sin));
        memset(sin.sin_zero, 0, sizeof(sin.sin_zero));
        memcpy(win_sa, &sin, sizeof(sin));
        memcpy(win_sa, &wf, sizeof(wf));
        return sizeof(sin);
    }
    if (wf == OWSK_WIN_AF_INET6) {
        struct sockaddr_in6 sin6;

        memcpy(&sin6, addr->u.bytes, sizeof(sin6));
        memcpy(win_sa, &sin6, sizeof(sin6));
        memcpy(win_sa, &wf, sizeof(wf));
        return sizeof(sin6);
    }
    return -EAFNOSUPPORT;
}

int owsk_wsk_addr_any(unsigned win_family, struct owsk_lx_addr *ret_addr)
{
    unsigned char win[28];

    memset(win, 0, sizeof(win));
    memcpy(win, &(unsigned short){(unsigned short)win_family}, sizeof(unsigned short));
    if (!owsk_wsk_addr_win_len(win_family))
        return -EAFNOSUPPORT;
    return owsk_wsk_addr_from_win(win, false, ret_addr);
}

void owsk_wsk_addr_format(const struct owsk_lx_addr *addr, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    unsigned wf = owsk_wsk_addr_win_family(addr);

    if (wf == OWSK_WIN_AF_INET) {
        struct sockaddr_in sin;

        memcpy(&sin, addr->u.bytes, sizeof(sin));
        inet_ntop(AF_INET, &sin.sin_addr, host, sizeof(host));
        snprintf(buf, size, "%s:%u", host, ntohs(sin.sin_port));
    } else if (wf == OWSK_WIN_AF_INET6) {
        struct sockaddr_in6 sin6;

        memcpy(&sin6, addr->u.bytes, sizeof(sin6));
        inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof(host));
        snprintf(buf, size, "[%s]:%u", host, ntohs(sin6.sin6_port));
    } else {
        snprintf(buf, size, "-");
    }
}
