/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-datagram IP options through WskControlSocket with Windows numbers: IPV6_UNICAST_HOPS
 * (IPPROTO_IPV6 option 4) and IP_TTL (IPPROTO_IP option 4) read back what was set and are
 * the hop limit / TTL a Linux receiver sees; IPV6_ADD_MEMBERSHIP / IPV6_DROP_MEMBERSHIP
 * (12/13, IPV6_MREQ with the loopback ifindex) join and leave a link-local group on lo.
 * Runs in a private network namespace (lo up, a local ff00::/8 route on lo: Linux makes a
 * plain multicast route via lo a reject route); without one the multicast part is skipped. */
#include <string.h>

#include "dgram_t.h"
#include "lxprobe.h"
#include "lxudp.h"

/* ff02::4242, a link-local group nobody else uses. */
static const unsigned char group[16] = {0xff, 0x02, [14] = 0x42, [15] = 0x42};

static void hops(int v6)
{
    ULONG level = v6 ? IPPROTO_IPV6 : IPPROTO_IP, name = v6 ? IPV6_UNICAST_HOPS : IP_TTL, v;
    SOCKADDR_STORAGE to;
    char buf[16];
    int port, lport, lfd, got;
    PWSK_SOCKET s = d_socket(v6 ? AF_INET6 : AF_INET, NULL, NULL, NULL);

    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_STATUS(d_bind(s, v6, 0, &port), STATUS_SUCCESS);
    lfd = lxu_socket(v6, &lport);
    CHECK_INT(lxp_want_hops(lfd, v6), 0);
    t_addr(&to, v6, lport);
    for (ULONG want = 7; want <= 200; want += 193) {
        CHECK_STATUS(t_setopt(s, level, name, want), STATUS_SUCCESS);
        v = 0;
        CHECK_STATUS(t_getopt(s, level, name, &v), STATUS_SUCCESS);
        CHECK_UINT(v, want);
        CHECK_STATUS(d_sendto(s, "hop", 3, &to, NULL), STATUS_SUCCESS);
        CHECK_INT(lxp_recv_hops(lfd, buf, sizeof(buf), T_WAIT, &got), 3);
        CHECK_INT(got, want);
    }
    /* Out of range (a hop limit is 0..255, -1 = default on Linux): refused, value kept. */
    CHECK(!NT_SUCCESS(t_setopt(s, level, name, 256)));
    CHECK_STATUS(t_getopt(s, level, name, &v), STATUS_SUCCESS);
    CHECK_UINT(v, 200);
    /* The IPv6 option on an IPv4 socket is refused with a Windows status. */
    if (!v6)
        CHECK(!NT_SUCCESS(t_setopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 5)));
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
    lxu_close(lfd);
}

static void multicast6(void)
{
    IPV6_MREQ m;
    ULONG clen, cflags;
    ULONG_PTR info;
    SOCKADDR_STORAGE from;
    char buf[16];
    int port, lo = lxp_lo_index();
    PWSK_SOCKET s = d_socket(AF_INET6, NULL, NULL, NULL);

    CHECK(s != NULL && lo > 0);
    if (!s)
        return;
    CHECK_STATUS(d_bind(s, 1, 1, &port), STATUS_SUCCESS);
    memset(&m, 0, sizeof(m));
    memcpy(&m.ipv6mr_multiaddr, group, sizeof(group));
    m.ipv6mr_interface = (ULONG)lo;
    /* A short IPV6_MREQ is refused. */
    CHECK(!NT_SUCCESS(d_setopt_buf(s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, 8)));
    CHECK_INT(lxp_mc6_joined("lo", group), 0);
    CHECK_STATUS(d_setopt_buf(s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m)),
                 STATUS_SUCCESS);
    CHECK_INT(lxp_mc6_joined("lo", group), 1);
    /* Joined: the group's datagram arrives, flagged MSG_MCAST, from a v6 sender. */
    CHECK_INT(lxp_send_mc6(group, lo, port, "mc6", 3), 3);
    clen = 0;
    cflags = 0xdeadbeef;
    memset(buf, 0, sizeof(buf));
    CHECK_STATUS(d_recvfrom(s, buf, sizeof(buf), &from, NULL, &clen, &cflags, &info),
                 STATUS_SUCCESS);
    CHECK_UINT(info, 3);
    CHECK_STR(buf, "mc6");
    CHECK_INT(from.ss_family, AF_INET6);
    CHECK_UINT(cflags & MSG_MCAST, MSG_MCAST);
    /* Dropped: the host leaves the group on lo; leaving twice is an error. */
    CHECK_STATUS(d_setopt_buf(s, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &m, sizeof(m)),
                 STATUS_SUCCESS);
    CHECK_INT(lxp_mc6_joined("lo", group), 0);
    CHECK(!NT_SUCCESS(d_setopt_buf(s, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, &m, sizeof(m))));
    /* Not checked: that a datagram to the group no longer arrives. Looping multicast on lo
     * needs a *local* ff00::/8 route, and local delivery (ip6_input) does not consult group
     * membership, so Linux would deliver it anyway. Membership is checked in igmp6 above. */
    /* Membership is set, not read. */
    {
        IPV6_MREQ out;
        SIZE_T ret = 0;
        struct t_irp q;
        NTSTATUS st;

        t_irp_init(&q);
        st = T_DD(s)->WskControlSocket(s, WskGetOption, IPV6_ADD_MEMBERSHIP, IPPROTO_IPV6, 0,
                                       NULL, sizeof(out), &out, &ret, t_irp_arm(&q));
        CHECK(!NT_SUCCESS(t_sync_irp_ok(st, &q)));
        t_irp_free(&q);
    }
    CHECK_STATUS(t_close(s), STATUS_SUCCESS);
}

int main(void)
{
    const char *why = NULL;
    int ns = lxp_private_netns_mc6(&why);

    if (ns < 0)
        fprintf(stderr, "IPv6 multicast part skipped: %s (%s)\n", why, strerror(-ns));
    t_wsk_start();
    hops(1);
    hops(0);
    if (ns == 0)
        multicast6();
    t_wsk_stop();
    return t_done();
}
