package io.jcontainer.generator;

import io.jcontainer.jnspawn.settings.ContainerFile;
import io.jcontainer.jnspawn.settings.UnitFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The conversion alone, in memory: what the image config adds, names, and link lists. */
class ContainerUnitConverterTest {

    static ContainerFile parse(String name, String text) throws Exception {
        return ContainerFile.parse(UnitFile.parse("/etc/jcontainer/" + name, text));
    }

    static String killSignal(String containerLines, Map<String, String> imageConfig) throws Exception {
        GeneratedUnit unit = ContainerUnitConverter.convert(
                parse("web.container", "[Container]\nImage=registry.example.org/web:1.2\n" + containerLines), imageConfig);
        String value = null;
        for (UnitFile.Entry e : UnitFile.parse("drop-in", unit.dropIn()).section("Service")) {
            if (e.key().equals("KillSignal")) {
                value = e.value();
            }
        }
        return value;
    }

    @ParameterizedTest(name = "[{0}] with image StopSignal {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "                   | -           | SIGTERM",
        "                   | SIGQUIT     | SIGQUIT",
        "                   | 28          | SIGWINCH",
        "                   | ''          | SIGTERM",
        "Boot=yes           | SIGQUIT     | SIGRTMIN+3",
        "KillSignal=SIGUSR1 | SIGQUIT     | SIGUSR1",
        "Boot=yes\\nKillSignal=SIGINT | - | SIGINT",
    })
    void stopSignalComesFromFileThenBootThenImage(String lines, String stopSignal, String expected) throws Exception {
        String container = lines == null ? "" : lines.replace("\\n", "\n") + "\n";
        Map<String, String> image = stopSignal == null ? Map.of() : Map.of(ContainerUnitConverter.IMAGE_STOP_SIGNAL, stopSignal);
        assertEquals(expected, killSignal(container, image));
        if (stopSignal == null) {
            assertEquals(expected, killSignal(container, null), "no image config at all");
        }
    }

    @Test
    void refusesAnInvalidImageStopSignal() {
        UnitConversionException e = assertThrows(UnitConversionException.class,
                () -> killSignal("", Map.of(ContainerUnitConverter.IMAGE_STOP_SIGNAL, "SIGFOO")));
        assertEquals("/etc/jcontainer/web.container:2: Invalid signal 'SIGFOO' in the image config's StopSignal"
                + " of 'registry.example.org/web:1.2'", e.getMessage());
    }

    @Test
    void describesTheUnitAndItsLinks() throws Exception {
        GeneratedUnit unit = ContainerUnitConverter.convert(parse("web-1.container",
                "[Container]\nDirectory=/srv/web\n[Install]\nWantedBy=machines.target\nRequiredBy=multi-user.target\n"
                        + "WantedBy=machines.target\n"), null);
        assertEquals("web-1", unit.machine());
        assertEquals("/etc/jcontainer/web-1.container", unit.source());
        assertEquals("jcontainer@web-1.service", unit.unitName());
        assertEquals("jcontainer@web-1.service.d/50-container.conf", unit.dropInPath());
        assertEquals(2, unit.links().size(), "a repeated target is linked once");
        assertEquals("machines.target.wants/jcontainer@web-1.service", unit.links().get(0).path(unit.unitName()));
        assertEquals("multi-user.target.requires/jcontainer@web-1.service", unit.links().get(1).path(unit.unitName()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "machines.target      | ",
        "getty@tty1.service   | ",
        "a:b-c_d.e\\x2d.mount | ",
        "machines             | expected NAME.TYPE with TYPE one of service, socket, target, device, mount, automount, swap, timer, path, slice, scope",
        "machines.targt       | expected NAME.TYPE with TYPE one of service, socket, target, device, mount, automount, swap, timer, path, slice, scope",
        ".target              | expected NAME.TYPE with TYPE one of service, socket, target, device, mount, automount, swap, timer, path, slice, scope",
        "getty@.service       | a template needs an instance",
        "@x.service           | misplaced '@'",
        "a@b@c.service        | misplaced '@'",
        "app/x.target         | contains invalid character '/'",
    })
    void checksUnitNamesOfInstall(String name, String problem) {
        assertEquals(problem, ContainerUnitConverter.unitNameProblem(name));
    }

    @Test
    void refusesOverlongUnitNames() {
        assertNull(ContainerUnitConverter.unitNameProblem("a".repeat(247) + ".target"));
        assertEquals("longer than 255 characters", ContainerUnitConverter.unitNameProblem("a".repeat(249) + ".target"));
    }

    @Test
    void escapesPathsForRequiresMountsFor() {
        assertEquals("/srv/web", ContainerUnitConverter.mountsForValue("/srv/web"));
        assertEquals("/srv/a\\ b", ContainerUnitConverter.mountsForValue("/srv/a b"));
        assertEquals("/srv/a\\\tb", ContainerUnitConverter.mountsForValue("/srv/a\tb"));
        assertEquals("/srv/100%%", ContainerUnitConverter.mountsForValue("/srv/100%"));
        assertEquals("/srv/it\\'s", ContainerUnitConverter.mountsForValue("/srv/it's"));
        assertEquals("/srv/\\\"q\\\"", ContainerUnitConverter.mountsForValue("/srv/\"q\""));
        assertEquals("/srv/back\\\\sl", ContainerUnitConverter.mountsForValue("/srv/back\\sl"));
    }

    @Test
    void splitsInstallValuesAtBlanks() {
        assertEquals(List.of("a.target", "b.target"), ContainerUnitConverter.words(" a.target \t b.target "));
        assertEquals(List.of(), ContainerUnitConverter.words("  "));
    }

    @Test
    void machineNameIsTheFileNameWithoutSuffix() throws Exception {
        assertEquals("web", ContainerUnitConverter.machineName(Path.of("/run/jcontainer/web.container")));
        UnitConversionException e = assertThrows(UnitConversionException.class,
                () -> ContainerUnitConverter.machineName(Path.of("/etc/jcontainer/web.conf")));
        assertEquals("/etc/jcontainer/web.conf: Container file name must end in '.container'", e.getMessage());
    }

    @Test
    void everyAllowedKeyIsOutsideTheRefusedOnes() {
        for (String key : List.of("Type", "ExecStart", "KillMode", "KillSignal", "Environment", "User", "Delegate")) {
            assertEquals(false, ContainerUnitConverter.SERVICE_KEYS.contains(key), key);
        }
        assertEquals(false, ContainerUnitConverter.UNIT_KEYS.contains("SourcePath"));
        assertEquals(true, ContainerUnitConverter.UNIT_KEYS.contains("AssertPathExists"));
    }
}
