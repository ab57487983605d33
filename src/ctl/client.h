/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wskctl's side of the control socket: one JSON request line, one JSON reply line. */
#ifndef OWSK_CTL_CLIENT_H
#define OWSK_CTL_CLIENT_H

#include <jansson.h>

/* Sends req (not consumed) to the host at path and returns its parsed reply, or NULL after
 * printing one line to stderr (no host running, permission denied, timeout, bad reply). */
json_t *ctl_request(const char *path, json_t *req, int timeout_ms);

#endif
