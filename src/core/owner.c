/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-thread "which driver is this code running for" pointer (see core.h). Owners
 * themselves are created and kept alive by io's loader. */
#include "core/core.h"

/* Each thread's own; set around every call out to driver code. NULL = the host. */
_Thread_local struct owsk_owner *owsk_current_owner;
