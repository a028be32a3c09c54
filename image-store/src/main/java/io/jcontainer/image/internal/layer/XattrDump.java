package io.jcontainer.image.internal.layer;

import io.jcontainer.image.ImageStoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every extended attribute of a tree, all namespaces, byte for byte: one {@code getfattr -R -P -h -d -m - -e hex}
 * (Debian's {@code attr} package) per tree.
 *
 * <p>Why a process: the JDK's xattr view reads only {@code user.*}, and a layer needs {@code security.capability}
 * and {@code trusted.overlay.opaque} (see {@link NativeTools}). getfattr prints {@code # file: PATH} (bytes that
 * are not printable, and the backslash, as {@code \ooo}) and then one {@code name=0xHEX} line per attribute.
 */
final class XattrDump {
    private static final long TIMEOUT_SECONDS = 600;

    private XattrDump() {
    }

    /** The xattrs of every file below {@code dir} that has any, keyed by the path relative to {@code dir}. */
    static Map<String, Map<String, byte[]>> read(Path dir) throws ImageStoreException {
        List<String> command = List.of("getfattr", "-R", "-P", "-h", "-d", "-m", "-", "-e", "hex", "--absolute-names",
                "--", dir.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ImageStoreException("Failed to run 'getfattr' (is it installed? scripts/setup-deps): " + e.getMessage(), e);
        }
        byte[] stdout;
        byte[] stderr;
        try {
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            Thread errPump = new Thread(() -> {
                try (InputStream e = p.getErrorStream()) {
                    e.transferTo(errBytes);
                } catch (IOException ignored) {
                    // the exit status tells
                }
            }, "getfattr-stderr");
            errPump.start();
            stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageStoreException("'getfattr' on '" + dir + "' timed out");
            }
            errPump.join();
            stderr = errBytes.toByteArray();
        } catch (IOException e) {
            p.destroyForcibly();
            throw new ImageStoreException("Failed to read the xattrs of '" + dir + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new ImageStoreException("Interrupted while reading the xattrs of '" + dir + "'");
        }
        if (p.exitValue() != 0) {
            throw new ImageStoreException("Failed to read the xattrs of '" + dir + "': getfattr: "
                    + new String(stderr, StandardCharsets.UTF_8).strip().replace('\n', ' '));
        }
        return parse(stdout, dir.toString());
    }

    static Map<String, Map<String, byte[]>> parse(byte[] output, String dir) throws ImageStoreException {
        Map<String, Map<String, byte[]>> out = new HashMap<>();
        Map<String, byte[]> current = null;
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        for (String line : new String(output, StandardCharsets.ISO_8859_1).split("\n")) {
            if (line.startsWith("# file: ")) {
                String path = unescape(line.substring("# file: ".length()));
                String rel = path.equals(dir) ? "" : path.startsWith(prefix) ? path.substring(prefix.length()) : null;
                if (rel == null) {
                    throw new ImageStoreException("Unexpected path '" + path + "' in getfattr's output for '" + dir + "'");
                }
                current = new LinkedHashMap<>();
                out.put(rel, current);
            } else if (!line.isEmpty() && current != null) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new ImageStoreException("Unexpected line '" + line + "' in getfattr's output for '" + dir + "'");
                }
                String name = unescape(line.substring(0, eq));
                String value = line.substring(eq + 1);
                if (value.startsWith("0x")) {
                    current.put(name, HexFormat.of().parseHex(value.substring(2)));
                } else if (value.equals("\"\"") || value.isEmpty()) {
                    current.put(name, new byte[0]);
                } else {
                    throw new ImageStoreException("Unexpected value of '" + name + "' in getfattr's output for '" + dir + "'");
                }
            }
        }
        return out;
    }

    /** getfattr's {@code \ooo} escapes back to bytes, the bytes read as UTF-8. */
    private static String unescape(String latin1) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c == '\\' && isOctal(latin1, i + 1)) {
                b.write(Integer.parseInt(latin1.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
