package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HealthSpecTest {
    private static final String NAME = ContainerFileTest.NAME;
    private static final HealthSpec IMAGE = new HealthSpec(List.of("CMD", "/bin/check", "--quick"), 5_000, 2_000, 0, 2,
            HealthSpec.OnFailure.NONE);

    @Test
    void theFilesKeysMakeAShellCheckWithPodmansDefaultsForTheRest() throws Exception {
        ContainerFile c = ContainerFileTest.parse("[Container]\nImage=web\nHealthCmd=curl -f http://localhost/ || exit 1\n"
                + "HealthInterval=1m30s\nHealthOnFailure=restart\n");

        HealthSpec h = HealthSpec.effective(c, IMAGE);

        assertEquals(List.of("/bin/sh", "-c", "curl -f http://localhost/ || exit 1"), h.argv());
        assertEquals(90_000, h.intervalMillis());
        assertEquals(HealthSpec.DEFAULT_TIMEOUT_MILLIS, h.timeoutMillis());
        assertEquals(0, h.startPeriodMillis());
        assertEquals(3, h.retries());
        assertEquals(HealthSpec.OnFailure.RESTART, h.onFailure());
    }

    @Test
    void withoutHealthKeysTheImagesCheckApplies() throws Exception {
        assertEquals(IMAGE, HealthSpec.effective(ContainerFileTest.parse("[Container]\nImage=web\n"), IMAGE));
        assertEquals(List.of("/bin/check", "--quick"), IMAGE.argv());
        assertNull(HealthSpec.effective(ContainerFileTest.parse("[Container]\nImage=web\n"), null));
    }

    @Test
    void healthCmdNoneDisablesTheImagesCheck() throws Exception {
        assertNull(HealthSpec.effective(ContainerFileTest.parse("[Container]\nImage=web\nHealthCmd=none\n"), IMAGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HealthInterval=10s", "HealthTimeout=1s", "HealthStartPeriod=1m", "HealthRetries=5",
        "HealthOnFailure=kill"})
    void aHealthKeyWithoutHealthCmdIsOneLineNamingIt(String line) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> ContainerFileTest.parse("[Container]\nImage=web\n" + line + "\n"));
        String key = line.substring(0, line.indexOf('='));
        assertEquals(NAME + ":3: Key '" + key + "' needs HealthCmd= (a health check) in section [Container]",
                e.getMessage());
    }

    @Test
    void healthCmdNoneWithATimingKeyIsRefusedToo() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> ContainerFileTest.parse("[Container]\nImage=web\nHealthCmd=none\nHealthRetries=2\n"));
        assertEquals(NAME + ":4: Key 'HealthRetries' needs HealthCmd= (a health check) in section [Container]",
                e.getMessage());
    }

    @Test
    void intervalDisableMeansNoTimer() throws Exception {
        ContainerFile c = ContainerFileTest.parse("[Container]\nImage=web\nHealthCmd=true\nHealthInterval=disable\n");
        assertEquals(0, HealthSpec.effective(c, null).intervalMillis());
    }

    @ParameterizedTest
    @CsvSource({"30s,30000", "1m30s,90000", "500ms,500", "2h,7200000", "1.5s,1500", "0,0", "1h2m3s,3723000"})
    void readsGoDurations(String text, long millis) throws Exception {
        assertEquals(millis, HealthSpec.durationMillis("interval", text));
    }

    @Test
    void theImagesFormsAndDefaults() throws Exception {
        HealthSpec shell = HealthSpec.fromImage(List.of("CMD-SHELL", "pidof httpd"), 0, 3_000_000_000L, 0, 0);
        assertEquals(List.of("/bin/sh", "-c", "pidof httpd"), shell.argv());
        assertEquals(HealthSpec.DEFAULT_INTERVAL_MILLIS, shell.intervalMillis());
        assertEquals(3_000, shell.timeoutMillis());
        assertEquals(HealthSpec.DEFAULT_RETRIES, shell.retries());
        assertNull(HealthSpec.fromImage(List.of("NONE"), 0, 0, 0, 0));
        assertNull(HealthSpec.fromImage(List.of(), 0, 0, 0, 0));
        assertThrows(SettingsException.class, () -> HealthSpec.fromImage(List.of("SHELL", "x"), 0, 0, 0, 0));
        assertThrows(SettingsException.class, () -> HealthSpec.fromImage(List.of("CMD"), 0, 0, 0, 0));
    }
}
