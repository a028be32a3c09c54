package io.jcontainer.generator;

import io.jcontainer.jnspawn.settings.UnitFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code src/main/systemd/jcontainer@.service}, the template every container runs as. */
class TemplateUnitTest {

    static final Path TEMPLATE = Path.of(System.getProperty("jcontainer.generator.template",
            "src/main/systemd/jcontainer@.service"));
    static final String JNSPAWN = "/usr/libexec/jcontainer/jnspawn";

    static List<String> values(UnitFile unit, String section, String key) {
        return GoldenUnitsTest.values(unit, section, key);
    }

    @Test
    void hasWhatSystemdNspawnsTemplateHas() throws Exception {
        UnitFile unit = UnitFile.parse(TEMPLATE);
        String[][] expected = {
            {"Unit", "Description", "Container %i"},
            {"Unit", "PartOf", "machines.target"},
            {"Unit", "Before", "machines.target"},
            {"Service", "Type", "notify"},
            {"Service", "NotifyAccess", "all"},
            {"Service", "ExecStart", JNSPAWN + " --quiet --keep-unit --machine=%i"},
            {"Service", "ExecStopPost", "-" + JNSPAWN + " --cleanup --machine=%i"},
            {"Service", "KillMode", "mixed"},
            {"Service", "Delegate", "yes"},
            {"Service", "Slice", "machine.slice"},
            {"Service", "TasksMax", "16384"},
            {"Service", "DevicePolicy", "closed"},
            {"Service", "SuccessExitStatus", "133"},
            {"Service", "RestartForceExitStatus", "133 SIGHUP"},
            {"Install", "WantedBy", "machines.target"},
        };
        for (String[] e : expected) {
            assertEquals(List.of(e[2]), values(unit, e[0], e[1]), e[0] + "/" + e[1]);
        }
        assertEquals(List.of("/dev/net/tun rwm", "char-pts rw", "/dev/loop-control rw", "block-loop rw",
                "block-blkext rw", "/dev/mapper/control rw", "block-device-mapper rw"),
                values(unit, "Service", "DeviceAllow"));
        List<String> after = ContainerUnitConverter.words(String.join(" ", values(unit, "Unit", "After")));
        for (String u : List.of("network.target", "systemd-resolved.service", "modprobe@tun.service",
                "modprobe@loop.service", "modprobe@dm_mod.service")) {
            assertTrue(after.contains(u), "After= lacks " + u);
        }
        // Every module it orders after, it also pulls in (Debian 12's nspawn unit got dm-mod/dm_mod wrong).
        List<String> wants = ContainerUnitConverter.words(String.join(" ", values(unit, "Unit", "Wants")));
        for (String u : wants) {
            assertTrue(after.contains(u), "Wants=" + u + " without After=");
        }
        // The stop signal is the generator's to choose; a watchdog would kill a container once jnspawn is gone.
        assertEquals(List.of(), values(unit, "Service", "KillSignal"));
        assertEquals(List.of(), values(unit, "Service", "WatchdogSec"));
    }

    /**
     * systemd's own parser on a copy of the template (jnspawn replaced by a stub, since verify checks
     * that ExecStart= is executable) together with the drop-ins generated from every golden case
     * that expects success. verify logs and ignores what it cannot parse, so any output is a failure.
     */
    @Test
    void systemdAnalyzeVerifyAcceptsTemplateAndDropIns(@TempDir Path tmp) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path dir = Files.createDirectories(tmp.resolve("units"));
        Path stub = tmp.resolve("jnspawn");
        Files.writeString(stub, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve(ContainerUnitConverter.TEMPLATE),
                Files.readString(TEMPLATE).replace(JNSPAWN, stub.toString()));

        Path etc = Files.createDirectories(tmp.resolve("etc"));
        List<String> units = new ArrayList<>();
        units.add(dir.resolve("jcontainer@plain.service").toString());
        for (String name : (Iterable<String>) GoldenUnitsTest.cases()::iterator) {
            boolean fails = false;
            for (List<String> d : GoldenUnitsTest.directives(GoldenUnitsTest.UNITS.resolve(name))) {
                fails |= d.get(0).equals("assert-failed");
            }
            if (!fails) {
                Files.copy(GoldenUnitsTest.UNITS.resolve(name), etc.resolve(name));
                units.add(dir.resolve("jcontainer@" + name.replace(".container", ".service")).toString());
            }
        }
        GeneratorRun run = GeneratorRun.run(List.of(etc), null, dir.toString());
        assertEquals(0, run.status(), run.toString());

        List<String> command = new ArrayList<>(List.of(analyze.toString(), "verify", "--man=no"));
        command.addAll(units);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // Without systemd as PID 1 verify still loads units in a test manager; if this host's
        // systemd-analyze cannot even do that, the reason is in the output and we skip.
        Assumptions.assumeFalse(output.contains("Failed to initialize manager"),
                "systemd-analyze verify cannot run here: " + output);
        assertEquals("", output.replace(tmp.toString(), "TMP"), "systemd-analyze verify");
        assertEquals(0, p.exitValue(), output);
    }

    @Test
    void systemdAnalyzeVerifyWouldCatchAnUnknownKey(@TempDir Path tmp) throws IOException, InterruptedException {
        // Guards the test above: verify here reports problems on its output rather than staying silent.
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        Path unit = tmp.resolve("probe.service");
        Files.writeString(unit, "[Service]\nExecStart=/bin/true\nFrobnicate=yes\n");
        Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(output.contains("Unknown key 'Frobnicate'"), output);
    }
}
