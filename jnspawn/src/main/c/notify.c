/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify(3) for the hand-over to systemd (see exec-stage.c). */
#include "stage.h"

/*
 * sd_notify(3) done by hand: one datagram to $NOTIFY_SOCKET (a path, or '@' for the abstract
 * namespace). With BARRIER=1 it carries the write end of a pipe, and systemd closing it tells us
 * every earlier message was processed (sd_notify_barrier). Java cannot send unix datagrams.
 */
int notify(const char *msg, size_t len) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path)
                return -ENOENT;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t plen = strlen(path);
        if (plen >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, plen);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = 0;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        int barrier[2] = { -1, -1 };
        int want_barrier = memmem(msg, len, "BARRIER=1", 9) != NULL;
        struct iovec iov = { .iov_base = (void *) msg, .iov_len = len };
        union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
        memset(&control, 0, sizeof control);
        struct msghdr mh = {
                .msg_name = &sa,
                .msg_namelen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + plen),
                .msg_iov = &iov,
                .msg_iovlen = 1,
        };
        if (want_barrier) {
                if (pipe2(barrier, O_CLOEXEC) < 0) {
                        close(fd);
                        return -errno;
                }
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof control.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &barrier[1], sizeof(int));
        }
        int r = sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
        close(fd);
        if (want_barrier) {
                close(barrier[1]);
                if (r == 0) {
                        struct pollfd p = { .fd = barrier[0], .events = 0 };
                        if (poll(&p, 1, 25000) == 0)
                                r = -ETIMEDOUT;
                }
                close(barrier[0]);
        }
        return r;
}
