/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Escape attempts run inside a jnspawn container by the root integration tests. Each check prints
 * one line "<check>: <result>" where result is "blocked <errno name>" or "ESCAPED ...". The tests
 * also run some checks outside a container (plain chroot) to prove that the check can see an escape.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int report(const char *check, long r) {
        if (r < 0)
                printf("%s: blocked %s\n", check, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
        else
                printf("%s: ESCAPED (returned %ld)\n", check, r);
        return 0;
}

/* The classic chroot escape: chroot into a subdirectory, walk up, chroot to what we reach. */
static int chroot_escape(const char *marker) {
        mkdir("/tmp/jail", 0755);
        if (chroot("/tmp/jail") < 0) {
                printf("chroot: blocked %s\n", strerrorname_np(errno));
                return 0;
        }
        for (int i = 0; i < 64; i++)
                if (chdir("..") < 0)
                        break;
        if (chroot(".") < 0) {
                printf("chroot: blocked %s\n", strerrorname_np(errno));
                return 0;
        }
        if (access(marker, F_OK) == 0)
                printf("chroot: ESCAPED (host marker %s visible)\n", marker);
        else
                printf("chroot: contained\n");
        return 0;
}

/* mknod a node for a host device ("b" or "c") and try to open it. */
static int mknod_open(const char *dir, const char *type, unsigned maj, unsigned min) {
        char path[256];
        snprintf(path, sizeof path, "%s/hostdev", dir);
        unlink(path);
        if (mknod(path, (type[0] == 'b' ? S_IFBLK : S_IFCHR) | 0600, makedev(maj, min)) < 0) {
                printf("mknod: blocked %s\n", strerrorname_np(errno));
                return 0;
        }
        return report("mknod-open", open(path, O_RDONLY));
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: escape CHECK [ARGS]\n");
                return 2;
        }
        const char *c = argv[1];
        if (!strcmp(c, "chroot"))
                return chroot_escape(argv[2]);
        if (!strcmp(c, "mknod"))
                return mknod_open(argv[2], argv[3], (unsigned) atoi(argv[4]), (unsigned) atoi(argv[5]));
        if (!strcmp(c, "mknod-tmpfs")) {
                mkdir("/tmp/devfs", 0755);
                if (mount("tmpfs", "/tmp/devfs", "tmpfs", 0, NULL) < 0)
                        return report("mount-tmpfs", -1);
                return mknod_open("/tmp/devfs", argv[2], (unsigned) atoi(argv[3]), (unsigned) atoi(argv[4]));
        }
        if (!strcmp(c, "open_by_handle_at")) {
                /* "shocker": a forged handle for inode 2 of the host's root file system. */
                struct { unsigned int bytes; int type; unsigned char f[8]; } h = { 8, 1, { 2, 0, 0, 0, 0, 0, 0, 0 } };
                return report("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY));
        }
        if (!strcmp(c, "bpf"))
                return report("bpf", syscall(SYS_bpf, 0, NULL, 0));
        if (!strcmp(c, "perf_event_open"))
                return report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
        if (!strcmp(c, "keyctl"))
                return report("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
        if (!strcmp(c, "init_module"))
                return report("init_module", syscall(SYS_init_module, NULL, 0, ""));
        if (!strcmp(c, "kexec_load"))
                return report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
        if (!strcmp(c, "swapon"))
                return report("swapon", syscall(SYS_swapon, "/nonexistent", 0));
        if (!strcmp(c, "sysrq")) {
                int fd = open("/proc/sysrq-trigger", O_WRONLY);
                return report("sysrq", fd < 0 ? -1 : write(fd, "h", 1));
        }
        if (!strcmp(c, "proc-sys")) {
                int fd = open("/proc/sys/kernel/domainname", O_WRONLY);
                return report("proc-sys", fd < 0 ? -1 : write(fd, "x", 1));
        }
        if (!strcmp(c, "read")) {
                /* A /proc file that leaks host state must read as empty (masked by /dev/null). */
                char buf[16];
                int fd = open(argv[2], O_RDONLY);
                long n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
                printf("read: %s\n", n > 0 ? "ESCAPED (readable)" : "blocked empty");
                return 0;
        }
        fprintf(stderr, "unknown check '%s'\n", c);
        return 2;
}
