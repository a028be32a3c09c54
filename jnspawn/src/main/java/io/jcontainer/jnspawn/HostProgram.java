package io.jcontainer.jnspawn;

/**
 * Every program of the host that jcontainer runs (the Java code, the sh launchers and the package scripts), with
 * the Debian package and the RPM requirement that provide it. The one list of the product's runtime tools:
 * packaging/test fails when one of them has no package in the .deb's {@code Depends:} (or is not Essential there)
 * or no requirement in the .rpm's {@code Requires:}. Run this class to print the list, one program a line:
 * {@code NAME DEBIAN-PACKAGE RPM-REQUIREMENT}.
 *
 * <p>Not listed: jcontainer's own programs (jnspawn, jcontainer-exec), what runs inside a container (its own root),
 * and a registry credential helper ({@code docker-credential-NAME}), which only a user's configuration names.
 */
public enum HostProgram {
    // jnspawn: container networks (internal/network/Commands)
    IP("ip", "iproute2", "iproute"),
    NFT("nft", "nftables", "nftables"),
    NSENTER("nsenter", "util-linux", "/usr/bin/nsenter"),
    // cli: units, logs, signals
    SYSTEMCTL("systemctl", "systemd", "systemd"),
    JOURNALCTL("journalctl", "systemd", "systemd"),
    KILL("kill", "procps", "/usr/bin/kill"),
    // cli: build's COPY and ADD
    CP("cp", "coreutils", "coreutils"),
    CHOWN("chown", "coreutils", "coreutils"),
    TAR("tar", "tar", "tar"),
    // the sh launchers (bin/jcontainer, bin/jnspawn, jcontainer-generator) and refresh-cds
    JAVA("java", "default-jre-headless", "java-headless"),
    READLINK("readlink", "coreutils", "coreutils"),
    MKTEMP("mktemp", "coreutils", "coreutils"),
    // the package scripts (postinst, %post)
    SYSTEMD_SYSUSERS("systemd-sysusers", "systemd", "systemd"),
    SYSTEMD_TMPFILES("systemd-tmpfiles", "systemd", "systemd");

    private final String command;
    private final String debianPackage;
    private final String rpmRequirement;

    HostProgram(String command, String debianPackage, String rpmRequirement) {
        this.command = command;
        this.debianPackage = debianPackage;
        this.rpmRequirement = rpmRequirement;
    }

    /** The program's name, as run through $PATH or looked up in the system directories. */
    public String command() {
        return command;
    }

    public String debianPackage() {
        return debianPackage;
    }

    /** A package name or an absolute path (RPM resolves file requirements through whichever package provides it). */
    public String rpmRequirement() {
        return rpmRequirement;
    }

    /** The listed program of this name; an unlisted one is a bug (a tool the packages may not install). */
    public static HostProgram of(String command) {
        for (HostProgram p : values()) {
            if (p.command.equals(command)) {
                return p;
            }
        }
        throw new IllegalArgumentException("'" + command + "' is not a HostProgram: list it with its packages");
    }

    /** Prints the list for packaging/test. */
    public static void main(String[] args) {
        for (HostProgram p : values()) {
            System.out.println(p.command + " " + p.debianPackage + " " + p.rpmRequirement);
        }
    }
}
