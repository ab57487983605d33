/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-thread "which driver is this code running for" pointer (see core.h), and counts
 * kept per owner. Owners themselves are created and kept alive by io's loader. */
#include <stdlib.h>

#include "core/core.h"

/* Each thread's own; set around every call out to driver code. NULL = the host. */
_Thread_local struct owsk_owner *owsk_current_owner;

uint64_t *owsk_owner_counter(struct owsk_owner_counts *c, unsigned id)
{
    struct owsk_owner_count *v;

    for (size_t i = 0; i < c->len; i++)
        if (c->v[i].id == id)
            return &c->v[i].n;
    v = realloc(c->v, (c->len + 1) * sizeof(*v));
    if (!v)
        return NULL;
    c->v = v;
    v[c->len] = (struct owsk_owner_count){id, 0};
    return &v[c->len++].n;
}
