/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vm-tests/sd-notify MESSAGE...: sends the arguments, one per line, as one datagram to
 * $NOTIFY_SOCKET (sd_notify(3) by hand), for scenarios whose busybox root has no systemd-notify.
 * Built static by make-test-image into the test image as /usr/local/bin/sd-notify. Exit 0 on
 * success, 1 with a line on stderr otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path) {
                fprintf(stderr, "sd-notify: NOTIFY_SOCKET is not set\n");
                return 1;
        }
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t plen = strlen(path);
        if (plen >= sizeof sa.sun_path) {
                fprintf(stderr, "sd-notify: NOTIFY_SOCKET too long\n");
                return 1;
        }
        memcpy(sa.sun_path, path, plen);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        char msg[4096];
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
                size_t l = strlen(argv[i]);
                if (n + l + 1 > sizeof msg) {
                        fprintf(stderr, "sd-notify: message too long\n");
                        return 1;
                }
                memcpy(msg + n, argv[i], l);
                n += l;
                msg[n++] = '\n';
        }
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *) &sa,
                             (socklen_t) (offsetof(struct sockaddr_un, sun_path) + plen)) < 0) {
                fprintf(stderr, "sd-notify: sending to '%s': %s\n", path, strerror(errno));
                return 1;
        }
        return 0;
}
