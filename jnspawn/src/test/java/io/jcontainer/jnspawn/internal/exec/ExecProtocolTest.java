package io.jcontainer.jnspawn.internal.exec;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ExecProtocol.java and protocol.h describe one protocol: every value must match. */
class ExecProtocolTest {
    private static final Path HEADER = Path.of(System.getProperty("jcontainer.source.c", "src/main/c"), "protocol.h");

    private static Map<String, Long> headerValues() throws Exception {
        String text = Files.readString(HEADER);
        Map<String, Long> values = new HashMap<>();
        Matcher m = Pattern.compile("\\b(OP_[A-Z_0-9]+)\\s*=\\s*(\\d+)").matcher(text);
        while (m.find()) {
            values.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Matcher d = Pattern.compile("#define JC_([A-Z_]+) \\(?([0-9u* ]+|\"[^\"]*\")\\)?").matcher(text);
        while (d.find()) {
            String v = d.group(2).trim();
            if (v.startsWith("\"")) {
                continue;
            }
            long product = 1;
            for (String factor : v.split("\\*")) {
                product *= Long.parseLong(factor.trim().replace("u", ""));
            }
            values.put(d.group(1), product);
        }
        return values;
    }

    @Test
    void everyOperationCodeMatchesTheHeader() throws Exception {
        Map<String, Long> header = headerValues();
        int checked = 0;
        for (Field f : ExecProtocol.class.getFields()) {
            if (f.getName().startsWith("OP_") && Modifier.isStatic(f.getModifiers())) {
                assertEquals(header.get(f.getName()), (long) f.getInt(null), f.getName());
                checked++;
            }
        }
        long headerOps = header.keySet().stream().filter(k -> k.startsWith("OP_") && !k.equals("OP_MAX")).count();
        assertEquals(headerOps, checked, "operations in protocol.h without a Java constant (or the reverse)");
    }

    @Test
    void limitsExitCodesAndMagicMatchTheHeader() throws Exception {
        Map<String, Long> header = headerValues();
        assertEquals(header.get("PLAN_MAX_BYTES"), (long) ExecProtocol.MAX_BYTES);
        assertEquals(header.get("PLAN_MAX_RECORDS"), (long) ExecProtocol.MAX_RECORDS);
        assertEquals(header.get("EXIT_SETUP_FAILED"), (long) ExecProtocol.EXIT_SETUP_FAILED);
        assertEquals(header.get("EXIT_CANNOT_EXECUTE"), (long) ExecProtocol.EXIT_CANNOT_EXECUTE);
        assertEquals(header.get("EXIT_NOT_FOUND"), (long) ExecProtocol.EXIT_NOT_FOUND);
        assertTrue(Files.readString(HEADER).contains("#define JC_PLAN_MAGIC \"" + ExecProtocol.MAGIC + "\""));
    }

    @Test
    void everyOperationHasADryRunName() {
        for (Field f : ExecProtocol.class.getFields()) {
            if (f.getName().startsWith("OP_")) {
                try {
                    int code = f.getInt(null);
                    assertNotEquals("op" + code, ExecProtocol.opName(code), f.getName());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
