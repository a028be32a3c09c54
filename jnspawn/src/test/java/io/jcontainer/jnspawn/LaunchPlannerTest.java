package io.jcontainer.jnspawn;

import static org.junit.jupiter.api.Assertions.*;

import io.jcontainer.jnspawn.internal.security.Capabilities;
import io.jcontainer.jnspawn.settings.Network;
import io.jcontainer.jnspawn.settings.PortMapping;
import io.jcontainer.jnspawn.settings.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decisions made from the command line and the container file, before anything runs. */
class LaunchPlannerTest {
    @TempDir
    Path tmp;
    Path root;
    Path etc;

    @BeforeEach
    void setUp() throws Exception {
        root = tmp.resolve("myroot");
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("sbin"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nweb:x:33:44:w:/srv/www:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\nwww:x:44:\nlog:x:4:web,other\n");
        etc = tmp.resolve("etc-jcontainer");
        Files.createDirectories(etc);
    }

    LaunchPlan plan(boolean deviceCgroup, String... args) throws Exception {
        return new LaunchPlanner(List.of(etc), false, deviceCgroup).plan(JnspawnOptions.parse(args));
    }

    @Test
    void defaultsFollowSystemdNspawn() throws Exception {
        LaunchPlan p = plan(true, "-D", root.toString());
        assertEquals("myroot", p.machine());
        assertEquals("myroot", p.hostname());
        assertEquals(Network.HOST, p.network());
        assertEquals(List.of("/bin/sh"), p.argv());
        assertEquals(15, p.killSignal());
        assertFalse(p.userNamespace());
        assertEquals(Capabilities.nspawnDefault(false), p.capabilities());
        assertEquals("/", p.workingDirectory());
        assertTrue(p.env().contains("container=jcontainer"));
        assertTrue(p.env().contains("HOME=/root"));
        assertFalse(p.pty());
    }

    @Test
    void privateNetworkAddsNetAdminAsNspawnDoes() throws Exception {
        LaunchPlan p = plan(true, "--private-network", "-D", root.toString(), "true");
        assertEquals(Network.NONE, p.network());
        assertEquals(Capabilities.nspawnDefault(true), p.capabilities());
    }

    @Test
    void withoutADeviceCgroupCapMknodIsDropped() throws Exception {
        long mknod = 1L << Capabilities.number("CAP_MKNOD");
        assertEquals(mknod, plan(true, "-D", root.toString()).capabilities() & mknod);
        assertEquals(0, plan(false, "-D", root.toString()).capabilities() & mknod);
    }

    @Test
    void capabilitiesAreAddedAndDropped() throws Exception {
        LaunchPlan p = plan(true, "--capability=CAP_SYS_TIME", "--drop-capability=CAP_SYS_ADMIN,net_raw", "-D", root.toString());
        assertTrue(Capabilities.contains(p.capabilities(), "CAP_SYS_TIME"));
        assertFalse(Capabilities.contains(p.capabilities(), "CAP_SYS_ADMIN"));
        assertFalse(Capabilities.contains(p.capabilities(), "CAP_NET_RAW"));
    }

    @Test
    void bootLooksForAnInitAndStopsItWithSigrtminPlus3() throws Exception {
        assertThrows(LaunchException.class, () -> plan(true, "-b", "-D", root.toString()));
        Files.writeString(root.resolve("sbin/init"), "#!/bin/sh\n");
        LaunchPlan p = plan(true, "-b", "-D", root.toString(), "--", "--unit=x");
        assertEquals(List.of("/sbin/init", "--unit=x"), p.argv());
        assertEquals(37, p.killSignal());
        assertTrue(p.boot());
    }

    @Test
    void userIsResolvedInTheContainersOwnPasswd() throws Exception {
        LaunchPlan p = plan(true, "-u", "web", "-D", root.toString(), "id");
        assertEquals(33, p.uid());
        assertEquals(44, p.gid());
        assertEquals(List.of(4), p.groups());
        assertTrue(p.env().contains("HOME=/srv/www"));
        assertTrue(p.env().contains("USER=web"));
        LaunchPlan numeric = plan(true, "-u", "1234:44", "-D", root.toString(), "id");
        assertEquals(1234, numeric.uid());
        assertEquals(44, numeric.gid());
        LaunchException e = assertThrows(LaunchException.class, () -> plan(true, "-u", "ghost", "-D", root.toString()));
        assertTrue(e.getMessage().contains("'ghost'"), e.getMessage());
    }

    @Test
    void userNamespacePickIsDeterministicPerMachine() throws Exception {
        LaunchPlan a = plan(true, "-U", "-M", "alpha", "-D", root.toString());
        LaunchPlan b = plan(true, "-U", "-M", "alpha", "-D", root.toString());
        assertTrue(a.userNamespace());
        assertEquals(a.userNsBase(), b.userNsBase());
        assertEquals(65536, a.userNsRange());
        LaunchPlan explicit = plan(true, "--private-users=100000:1000", "-D", root.toString());
        assertEquals(100000, explicit.userNsBase());
        assertEquals(1000, explicit.userNsRange());
    }

    @Test
    void layersEphemeralAndReadOnlyMakeTheRoot() throws Exception {
        Path upper = tmp.resolve("upper");
        Files.createDirectories(upper);
        LaunchPlan layered = plan(true, "--layer", root.toString(), "-D", upper.toString());
        assertEquals(List.of(root), layered.root().lowers());
        assertEquals(upper, layered.root().upper());
        assertEquals(List.of(upper, root), layered.root().searchOrder());
        LaunchPlan eph = plan(true, "-x", "-D", root.toString());
        assertTrue(eph.root().overlay());
        assertNull(eph.root().upper());
        assertThrows(LaunchException.class, () -> plan(true, "--layer", root.toString()),
                "lower layers without an upper dir need --ephemeral or --read-only");
        assertTrue(plan(true, "--read-only", "--layer", root.toString()).root().readOnly());
    }

    @Test
    void environmentOverridesDefaultsAndTheCommandLineWinsOverTheFile() throws Exception {
        Files.writeString(etc.resolve("app.container"), String.join("\n", "[Container]", "Directory=" + root,
                "Exec=/bin/app --serve", "Environment=MODE=prod PATH=/opt/bin", "Hostname=apphost", "Network=none",
                "KillSignal=SIGINT", "ReadOnly=yes", ""));
        LaunchPlan fromFile = plan(true, "-M", "app");
        assertEquals(List.of("/bin/app", "--serve"), fromFile.argv());
        assertTrue(fromFile.env().contains("MODE=prod"));
        assertTrue(fromFile.env().contains("PATH=/opt/bin"));
        assertFalse(fromFile.env().contains("PATH=" + LaunchPlanner.DEFAULT_PATH));
        assertEquals("apphost", fromFile.hostname());
        assertEquals(Network.NONE, fromFile.network());
        assertEquals(2, fromFile.killSignal());
        assertTrue(fromFile.root().readOnly());
        LaunchPlan overridden = plan(true, "-M", "app", "--hostname=other", "-E", "MODE=dev", "--read-only=no", "echo", "hi");
        assertEquals(List.of("echo", "hi"), overridden.argv());
        assertTrue(overridden.env().contains("MODE=dev"));
        assertEquals("other", overridden.hostname());
        assertFalse(overridden.root().readOnly());
    }

    @Test
    void publishedPortsComeFromTheFileAndTheCommandLine() throws Exception {
        Path f = etc.resolve("img.container");
        Files.writeString(f, "[Container]\nDirectory=" + root + "\nPublishPort=8080:80\n");
        LaunchPlan p = plan(true, "-M", "img", "-p", "udp:5353:53");
        assertEquals(Network.PRIVATE, p.network());
        assertEquals(List.of(new PortMapping("tcp", 8080, 80), new PortMapping("udp", 5353, 53)), p.ports());
    }

    @Test
    void publishedPortsNeedAPrivateNetworkNamingTheLine() throws Exception {
        Path f = etc.resolve("img.container");
        Files.writeString(f, "[Container]\nDirectory=" + root + "\nNetwork=host\nPublishPort=8080:80\n");
        LaunchException e = assertThrows(LaunchException.class, () -> plan(true, "-M", "img"));
        assertEquals(f + ":4: PublishPort= needs Network=private, not host", e.getMessage());
        LaunchException cli = assertThrows(LaunchException.class, () -> plan(true, "-D", root.toString(), "-p", "80"));
        assertEquals("-p/--port needs --network-veth (or Network=private), not network 'host'.", cli.getMessage());
    }

    @Test
    void networkOptionsAsNspawnNamesThem() throws Exception {
        assertEquals(Network.HOST, plan(true, "-D", root.toString()).network());
        assertEquals(Network.NONE, plan(true, "-D", root.toString(), "--private-network").network());
        assertEquals(Network.PRIVATE, plan(true, "-D", root.toString(), "-n").network());
        assertEquals(Network.PRIVATE, plan(true, "-D", root.toString(), "--network-veth", "--private-network").network());
    }

    @Test
    void imageAndDirectoryTogetherAreRefusedAndAMissingImageIsNamed() throws Exception {
        Path f = etc.resolve("both.container");
        Files.writeString(f, "[Container]\nImage=web:1\nDirectory=" + root + "\n");
        LaunchException e = assertThrows(LaunchException.class, () -> plan(true, "-M", "both"));
        assertTrue(e.getMessage().startsWith(f + ":2: Image= cannot be combined"), e.getMessage());
        e = assertThrows(LaunchException.class, () -> plan(true, "--image=nosuch/thing:1", "-M", "x"));
        assertTrue(e.getMessage().contains("'nosuch/thing:1' is not in the store"), e.getMessage());
    }

    @Test
    void mountTargetsThroughSymlinksOfTheRootAreRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("var"), Path.of("/etc"));
        LaunchException e = assertThrows(LaunchException.class,
                () -> plan(true, "--tmpfs=/var/cache", "-D", root.toString()));
        assertTrue(e.getMessage().contains("'/var'"), e.getMessage());
        Files.createSymbolicLink(root.resolve("tmp"), Path.of("/var/tmp"));
        assertThrows(LaunchException.class, () -> plan(true, "-D", root.toString()), "standard mount points too");
    }

    @Test
    void badRootsAndBindSourcesAreNamed() throws Exception {
        LaunchException e = assertThrows(LaunchException.class, () -> plan(true, "-D", tmp.resolve("nope").toString()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(LaunchException.class, () -> plan(true, "--bind=/no/where", "-D", root.toString()));
        assertTrue(e.getMessage().contains("'/no/where'"), e.getMessage());
        Path comma = tmp.resolve("a,b");
        Files.createDirectories(comma);
        assertThrows(LaunchException.class, () -> plan(true, "-x", "-D", comma.toString()));
        assertThrows(LaunchException.class, () -> plan(true), "no root at all");
    }
}
