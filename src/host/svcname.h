/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service name of a driver module, shared by wskhost and wskctl (run scopes parameters to
 * it, so both must derive it the same way). */
#ifndef OWSK_HOST_SVCNAME_H
#define OWSK_HOST_SVCNAME_H

#include <stddef.h>

/* The service name of a module path: its file name without ".so". 0, or -ENAMETOOLONG. */
int host_service_name(const char *path, char *buf, size_t len);

#endif
