/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stand-in for systemd's notification socket, for the hand-over tests (the build machines have
 * no systemd as PID 1). Binds a unix datagram socket at argv[1], prints every message it gets on
 * one line ("\n" inside a message becomes " "), closes any file descriptor passed with it (that
 * completes a BARRIER=1), and exits after argv[2] messages.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        if (argc != 3)
                return 2;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
        int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        unlink(argv[1]);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                perror("bind");
                return 1;
        }
        printf("listening\n");
        fflush(stdout);
        for (int n = atoi(argv[2]); n > 0; n--) {
                char buf[4097];
                union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int) * 4)]; } control;
                struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
                                     .msg_controllen = sizeof control.b };
                ssize_t r = recvmsg(fd, &mh, 0);
                if (r < 0) {
                        perror("recvmsg");
                        return 1;
                }
                buf[r] = 0;
                for (char *p = buf; *p; p++)
                        if (*p == '\n')
                                *p = ' ';
                int fds = 0;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_type == SCM_RIGHTS)
                                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                                        int passed;
                                        memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                        close(passed);
                                        fds++;
                                }
                printf("%s%s\n", buf, fds ? " [fd]" : "");
                fflush(stdout);
        }
        return 0;
}
