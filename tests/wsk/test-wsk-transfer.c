/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Data integrity: 1 MiB each way between WSK and a Linux peer, byte-verified, through MDL
 * chains with an Offset into the first MDL; several receives outstanding at once fill in
 * posting order (the echo sample's two-receive pattern); sends go out in posting order. */
#include <stdlib.h>
#include <string.h>

#include "lxpeer.h"
#include "wsk_t.h"

#define MIB (1u << 20)

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 7919u) >> 3);
}

/* Three MDLs over one buffer, the first with a 5-byte Offset used. */
static void chain(unsigned char *p, size_t len, PMDL m[3], WSK_BUF *b)
{
    size_t a = len / 3, c = len / 3;

    m[0] = t_mdl(p, a + 5);
    m[1] = t_mdl(p + 5 + a, c);
    m[2] = t_mdl(p + 5 + a + c, len - a - c);
    m[0]->Next = m[1];
    m[1]->Next = m[2];
    b->Mdl = m[0];
    b->Offset = 5;
    b->Length = len;
}

static void free_chain(PMDL m[3])
{
    for (int i = 0; i < 3; i++)
        IoFreeMdl(m[i]);
}

int main(void)
{
    int lport, lfd, fd;
    PWSK_SOCKET c;
    unsigned char *out = malloc(MIB + 5), *in = malloc(MIB + 5), *peer = malloc(MIB);
    PMDL m[3];
    WSK_BUF b;
    struct t_irp tx, rx[4];
    unsigned char small[4][4096];
    WSK_BUF sb[4];
    size_t got = 0;
    NTSTATUS st;

    t_wsk_start();
    lfd = lx_listen(0, &lport);
    c = t_connect(0, lport, NULL, NULL, NULL);
    fd = lx_accept(lfd, T_WAIT);

    /* WSK -> Linux: one 1 MiB send through a 3-MDL chain. */
    for (size_t i = 0; i < MIB; i++)
        out[5 + i] = pattern(i);
    chain(out, MIB, m, &b);
    t_irp_init(&tx);
    st = T_CD(c)->WskSend(c, &b, 0, t_irp_arm(&tx));
    CHECK(st == STATUS_PENDING || st == STATUS_SUCCESS);
    CHECK_INT(lx_recv_all(fd, peer, MIB, T_WAIT), MIB);
    CHECK_STATUS(t_irp_wait(&tx, T_WAIT), STATUS_SUCCESS);
    CHECK_UINT(tx.irp->IoStatus.Information, MIB);
    CHECK(memcmp(peer, out + 5, MIB) == 0);
    free_chain(m);

    /* Linux -> WSK: WAITALL receive of 1 MiB into a 3-MDL chain. */
    memset(in, 0, MIB + 5);
    chain(in, MIB, m, &b);
    st = T_CD(c)->WskReceive(c, &b, WSK_FLAG_WAITALL, t_irp_arm(&tx));
    CHECK(st == STATUS_PENDING || st == STATUS_SUCCESS);
    CHECK_INT(lx_send_all(fd, out + 5, MIB), 0);
    CHECK_STATUS(t_irp_wait(&tx, T_WAIT), STATUS_SUCCESS);
    CHECK_UINT(tx.irp->IoStatus.Information, MIB);
    CHECK(memcmp(in + 5, out + 5, MIB) == 0);
    free_chain(m);

    /* Four receives outstanding: they fill FIFO, so concatenating them in completion order
     * gives the stream back. */
    for (int i = 0; i < 4; i++) {
        t_irp_init(&rx[i]);
        sb[i].Mdl = t_mdl(small[i], sizeof(small[i]));
        sb[i].Offset = 0;
        sb[i].Length = sizeof(small[i]);
        st = T_CD(c)->WskReceive(c, &sb[i], WSK_FLAG_WAITALL, t_irp_arm(&rx[i]));
        CHECK_STATUS(st, STATUS_PENDING);
    }
    CHECK_INT(lx_send_all(fd, out + 5, sizeof(small)), 0);
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(t_irp_wait(&rx[i], T_WAIT), STATUS_SUCCESS);
        CHECK_UINT(rx[i].irp->IoStatus.Information, sizeof(small[i]));
        CHECK(memcmp(small[i], out + 5 + got, sizeof(small[i])) == 0);
        got += sizeof(small[i]);
        if (i)
            CHECK(rx[i - 1].seq < rx[i].seq);
    }

    /* Sends posted back to back arrive in order. */
    for (int i = 0; i < 4; i++) {
        memset(small[i], 'a' + i, sizeof(small[i]));
        st = T_CD(c)->WskSend(c, &sb[i], 0, t_irp_arm(&rx[i]));
        CHECK(st == STATUS_PENDING || st == STATUS_SUCCESS);
    }
    CHECK_INT(lx_recv_all(fd, peer, sizeof(small), T_WAIT), sizeof(small));
    for (int i = 0; i < 4; i++) {
        CHECK_STATUS(t_irp_wait(&rx[i], T_WAIT), STATUS_SUCCESS);
        CHECK(peer[i * sizeof(small[0])] == 'a' + i &&
              peer[(i + 1) * sizeof(small[0]) - 1] == 'a' + i);
        IoFreeMdl(sb[i].Mdl);
        t_irp_free(&rx[i]);
    }

    CHECK_STATUS(t_close(c), STATUS_SUCCESS);
    t_irp_free(&tx);
    lx_close(fd);
    lx_close(lfd);
    free(out);
    free(in);
    free(peer);
    t_wsk_stop();
    return t_done();
}
