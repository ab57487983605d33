/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* getaddrinfo/getnameinfo with Windows flag and family numbers (AI_*, NI_*, AF_INET6 = 23)
 * translated both ways. Blocking: called only on resolver threads (resolve.c). Windows-only
 * hints (AI_FQDN, AI_FILESERVER, AI_SECURE, ...) have no Linux meaning and are ignored. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wsk/dgram_lx.h"

/* Windows AI_* / NI_* (ws2def.h). */
#define W_AI_PASSIVE 0x1
#define W_AI_CANONNAME 0x2
#define W_AI_NUMERICHOST 0x4
#define W_AI_NUMERICSERV 0x8
#define W_AI_ALL 0x100
#define W_AI_ADDRCONFIG 0x400
#define W_AI_V4MAPPED 0x800
#define W_NI_NOFQDN 0x1
#define W_NI_NUMERICHOST 0x2
#define W_NI_NAMEREQD 0x4
#define W_NI_NUMERICSERV 0x8
#define W_NI_DGRAM 0x10

struct fmap {
    int win, lx;
};

static const struct fmap ai_map[] = {
    {W_AI_PASSIVE, AI_PASSIVE},         {W_AI_CANONNAME, AI_CANONNAME},
    {W_AI_NUMERICHOST, AI_NUMERICHOST}, {W_AI_NUMERICSERV, AI_NUMERICSERV},
    {W_AI_ALL, AI_ALL},                 {W_AI_ADDRCONFIG, AI_ADDRCONFIG},
    {W_AI_V4MAPPED, AI_V4MAPPED},
}, ni_map[] = {
    {W_NI_NOFQDN, NI_NOFQDN},           {W_NI_NUMERICHOST, NI_NUMERICHOST},
    {W_NI_NAMEREQD, NI_NAMEREQD},       {W_NI_NUMERICSERV, NI_NUMERICSERV},
    {W_NI_DGRAM, NI_DGRAM},
};

static int map_flags(int v, bool to_lx, const struct fmap *t, size_t n)
{
    int out = 0;

    for (size_t i = 0; i < n; i++)
        if (v & (to_lx ? t[i].win : t[i].lx))
            out |= to_lx ? t[i].lx : t[i].win;
    return out;
}

/* EAI_* -> OWSK_RS_*. A name the resolver cannot find, and one it cannot reach a server for
 * (EAI_AGAIN: an offline Windows machine reports "host not found" as well), both become
 * OWSK_RS_NOT_FOUND. */
static int rs_error(int eai)
{
    switch (eai) {
    case EAI_NONAME:
    case EAI_NODATA:
    case EAI_AGAIN:
    case EAI_SERVICE:
    case EAI_ADDRFAMILY:
        return OWSK_RS_NOT_FOUND;
    case EAI_FAMILY:
        return OWSK_RS_BAD_FAMILY;
    case EAI_MEMORY:
        return OWSK_RS_NO_MEMORY;
    case EAI_BADFLAGS:
        return OWSK_RS_BAD_FLAGS;
    case EAI_SOCKTYPE:
        return OWSK_RS_BAD_SOCKTYPE;
    default:
        return OWSK_RS_FAIL;
    }
}

int owsk_rs_getaddrinfo(const char *node, const char *service, int win_flags, int win_family,
                        int socktype, int protocol, struct owsk_rs_entry **ret_entries,
                        size_t *ret_count, char **ret_canon)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct owsk_rs_entry *e;
    size_t n = 0, i = 0;
    int r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = map_flags(win_flags, true, ai_map, sizeof(ai_map) / sizeof(ai_map[0]));
    if (win_family == OWSK_WIN_AF_UNSPEC)
        hints.ai_family = AF_UNSPEC;
    else if (win_family == OWSK_WIN_AF_INET)
        hints.ai_family = AF_INET;
    else if (win_family == OWSK_WIN_AF_INET6)
        hints.ai_family = AF_INET6;
    else
        return OWSK_RS_BAD_FAMILY;
    hints.ai_socktype = socktype;
    hints.ai_protocol = protocol;
    r = getaddrinfo(node, service, &hints, &res);
    if (r)
        return r == EAI_SYSTEM && errno == ENOMEM ? OWSK_RS_NO_MEMORY : rs_error(r);
    for (ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
            n++;
    e = calloc(n ? n : 1, sizeof(*e));
    if (!e) {
        freeaddrinfo(res);
        return OWSK_RS_NO_MEMORY;
    }
    *ret_canon = NULL;
    if (res && res->ai_canonname) {
        *ret_canon = strdup(res->ai_canonname);
        if (!*ret_canon) {
            free(e);
            freeaddrinfo(res);
            return OWSK_RS_NO_MEMORY;
        }
    }
    for (ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        e[i].win_family = ai->ai_family == AF_INET ? OWSK_WIN_AF_INET : OWSK_WIN_AF_INET6;
        e[i].socktype = ai->ai_socktype;
        e[i].protocol = ai->ai_protocol;
        e[i].win_flags = map_flags(ai->ai_flags, false, ai_map,
                                   sizeof(ai_map) / sizeof(ai_map[0]));
        memcpy(e[i].addr.u.bytes, ai->ai_addr, ai->ai_addrlen);
        e[i].addr.len = ai->ai_addrlen;
        i++;
    }
    freeaddrinfo(res);
    if (!n) {
        free(e);
        free(*ret_canon);
        *ret_canon = NULL;
        return OWSK_RS_NOT_FOUND;
    }
    *ret_entries = e;
    *ret_count = n;
    return OWSK_RS_OK;
}

int owsk_rs_getnameinfo(const struct owsk_lx_addr *addr, int win_flags, char *host,
                        size_t host_cap, char *serv, size_t serv_cap)
{
    int lx_flags = map_flags(win_flags, true, ni_map, sizeof(ni_map) / sizeof(ni_map[0]));
    int r = getnameinfo((const struct sockaddr *)addr->u.bytes, addr->len, host,
                        host ? (socklen_t)host_cap : 0, serv, serv ? (socklen_t)serv_cap : 0,
                        lx_flags);

    /* glibc reports an unreachable DNS server even without NI_NAMEREQD; Windows (and the
     * getnameinfo contract) then returns the numeric form. */
    if (r == EAI_AGAIN && host && !(lx_flags & NI_NAMEREQD))
        r = getnameinfo((const struct sockaddr *)addr->u.bytes, addr->len, host,
                        (socklen_t)host_cap, serv, serv ? (socklen_t)serv_cap : 0,
                        lx_flags | NI_NUMERICHOST);
    return r ? rs_error(r) : OWSK_RS_OK;
}
