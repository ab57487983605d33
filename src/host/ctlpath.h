/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where the control socket of wskhost lives, shared by wskhost and wskctl. */
#ifndef OWSK_HOST_CTLPATH_H
#define OWSK_HOST_CTLPATH_H

#include <stddef.h>

/* Longest line either side sends on the control socket (a request or one reply). */
#define OWSK_CTL_MAX_REQUEST (64 * 1024)

/* Writes the default control socket path: $XDG_RUNTIME_DIR/openwsk/wskhost.sock, or
 * /run/openwsk/wskhost.sock when XDG_RUNTIME_DIR is unset or empty. Returns 0, or -ENAMETOOLONG
 * when it does not fit in a sockaddr_un (len is the buffer size). */
int owsk_ctl_default_path(char *buf, size_t len);

#endif
