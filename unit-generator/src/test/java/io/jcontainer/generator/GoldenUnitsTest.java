package io.jcontainer.generator;

import io.jcontainer.jnspawn.settings.UnitFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the generator on each {@code src/test/resources/units/*.container}, alone in a search
 * directory, and checks the expectations its leading {@code ##} lines carry (the way Podman's
 * test/e2e/quadlet files do):
 *
 * <pre>
 * ## assert-key-is SECTION KEY VALUE...      the drop-in's values of KEY, in order
 * ## assert-key-contains SECTION KEY TEXT    its last value of KEY contains TEXT
 * ## assert-key-missing SECTION KEY
 * ## assert-wants UNIT                       UNIT.wants/jcontainer@NAME.service links to the template
 * ## assert-requires UNIT / assert-upholds UNIT / assert-not-wants UNIT
 * ## assert-links N                          the number of dependency links
 * ## assert-failed                           exit status 1 and nothing generated
 * ## assert-unit-key-is UNIT SECTION KEY VALUE...  the same for the whole unit UNIT the generator wrote
 * ## assert-no-unit UNIT                     the generator wrote no unit UNIT
 * ## assert-stderr-contains TEXT / assert-kmsg-contains TEXT
 * ## image REF CONFIG                        the image store holds REF, whose config's "config" object is the
 *                                            JSON text CONFIG (rest of the line); image-store must read it too
 * ## image-config-blob REF BLOB              the same with BLOB (rest of the line) as the whole config blob
 * ## image-ref REF TEXT                      the store's ref file of REF holds TEXT
 * </pre>
 *
 * The generator reads the image store in {@code TMP/store}, which exists only when a case puts an image
 * in it; it must leave the store as it found it.
 *
 * Words are split at blanks; {@code "..."} keeps blanks, and backslashes are literal. In values,
 * {@code ${SOURCE}} stands for the container file's path. A case that does not expect failure
 * must succeed with nothing on stderr.
 */
class GoldenUnitsTest {

    static final Path UNITS = Path.of(System.getProperty("jcontainer.generator.units", "src/test/resources/units"));

    static Stream<String> cases() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(UNITS)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".container")).sorted().forEach(names::add);
        }
        assertFalse(names.isEmpty(), "no cases in " + UNITS);
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void generatesWhatTheFileExpects(String fileName, @TempDir Path tmp) throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Path out = tmp.resolve("out");
        Path kmsg = Files.createFile(tmp.resolve("kmsg"));
        Path source = Files.copy(UNITS.resolve(fileName), etc.resolve(fileName));
        List<List<String>> directives = directives(source);
        assertFalse(directives.isEmpty(), fileName + " carries no expectations");

        Path store = tmp.resolve("store");
        List<String> goodImages = new ArrayList<>();
        for (List<String> d : directives) {
            switch (d.get(0)) {
                case "image" -> {
                    TestStore.addImage(store, d.get(1), TestStore.config(d.get(2)));
                    goodImages.add(d.get(1));
                }
                case "image-config-blob" -> TestStore.addImage(store, d.get(1), d.get(2));
                case "image-ref" -> TestStore.putRef(store, d.get(1), d.get(2));
                default -> { }
            }
        }
        String storeBefore = listing(store);

        GeneratorRun run = GeneratorRun.run(List.of(etc), kmsg, store, out.toString());
        assertEquals(storeBefore, listing(store), "the generator changed the image store");
        for (String image : goodImages) {
            // image-store reads the store these cases make as the generator does.
            new io.jcontainer.image.ImageStore(store).inspect(io.jcontainer.image.ImageReference.parse(image));
        }
        boolean expectFailure = false;
        for (List<String> d : directives) {
            expectFailure |= d.get(0).equals("assert-failed");
        }
        String machine = fileName.substring(0, fileName.length() - ".container".length());
        String unitName = "jcontainer@" + machine + ".service";
        Path dropIn = out.resolve(unitName + ".d/" + ContainerUnitConverter.DROP_IN_NAME);
        if (expectFailure) {
            assertEquals(GeneratorMain.EXIT_FAILED, run.status(), run.toString());
            assertFalse(Files.exists(out.resolve(unitName + ".d")), "generated despite the error");
        } else {
            assertEquals(GeneratorMain.EXIT_OK, run.status(), run.toString());
            assertEquals("", run.stderr());
            assertEquals("", Files.readString(kmsg));
            String text = Files.readString(dropIn);
            assertTrue(text.startsWith(ContainerUnitConverter.HEADER + "\n"), text);
        }
        UnitFile unit = expectFailure ? null : UnitFile.parse(dropIn);

        for (List<String> d : directives) {
            String what = d.get(0);
            List<String> args = new ArrayList<>();
            for (String a : d.subList(1, d.size())) {
                args.add(a.replace("${SOURCE}", source.toString()));
            }
            switch (what) {
                case "assert-failed", "image", "image-config-blob", "image-ref" -> { }
                case "assert-key-is" -> assertEquals(args.subList(2, args.size()),
                        values(unit, args.get(0), args.get(1)), d.toString());
                case "assert-key-contains" -> {
                    List<String> values = values(unit, args.get(0), args.get(1));
                    assertFalse(values.isEmpty(), d.toString());
                    assertTrue(values.get(values.size() - 1).contains(args.get(2)), d + " in " + values);
                }
                case "assert-key-missing" -> assertEquals(List.of(), values(unit, args.get(0), args.get(1)), d.toString());
                case "assert-wants" -> assertLink(out, args.get(0) + ".wants", unitName);
                case "assert-requires" -> assertLink(out, args.get(0) + ".requires", unitName);
                case "assert-upholds" -> assertLink(out, args.get(0) + ".upholds", unitName);
                case "assert-not-wants" -> assertFalse(Files.exists(out.resolve(args.get(0) + ".wants"), java.nio.file.LinkOption.NOFOLLOW_LINKS), d.toString());
                case "assert-unit-key-is" -> {
                    Path other = out.resolve(args.get(0));
                    assertTrue(Files.isRegularFile(other), d + ": no " + other);
                    String text = Files.readString(other);
                    assertTrue(text.startsWith(ContainerUnitConverter.HEADER + "\n"), text);
                    assertEquals(args.subList(3, args.size()), values(UnitFile.parse(other), args.get(1), args.get(2)),
                            d.toString());
                }
                case "assert-no-unit" -> assertFalse(Files.exists(out.resolve(args.get(0))), d.toString());
                case "assert-links" -> assertEquals(Integer.parseInt(args.get(0)), countLinks(out), d.toString());
                case "assert-stderr-contains" -> assertTrue(run.stderr().contains(args.get(0)), d + " in: " + run.stderr());
                case "assert-kmsg-contains" -> {
                    String logged = Files.readString(kmsg);
                    assertTrue(logged.startsWith("<3>jcontainer-generator["), logged);
                    assertTrue(logged.contains(args.get(0)), d + " in: " + logged);
                }
                default -> fail("Unknown directive " + what + " in " + fileName);
            }
        }
    }

    static void assertLink(Path out, String dir, String unitName) throws IOException {
        Path link = out.resolve(dir).resolve(unitName);
        assertTrue(Files.isSymbolicLink(link), link + " is not a symlink");
        assertEquals(Path.of(GeneratorMain.TEMPLATE_PATH), Files.readSymbolicLink(link));
    }

    static int countLinks(Path out) throws IOException {
        if (!Files.exists(out)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(out)) {
            return (int) files.filter(Files::isSymbolicLink).count();
        }
    }

    static List<String> values(UnitFile unit, String section, String key) {
        List<String> values = new ArrayList<>();
        for (UnitFile.Entry e : unit.section(section)) {
            if (e.key().equals(key)) {
                values.add(e.value());
            }
        }
        return values;
    }

    /** Every file and directory under {@code dir} with its size, sorted; empty if there is none. */
    static String listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                sb.append(dir.relativize(p)).append(' ').append(Files.isDirectory(p) ? "dir" : Files.size(p)).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The leading {@code ## } lines, split into words; the image directives keep the rest of
     * the line after REF as one word (JSON has quotes and blanks).
     */
    static List<List<String>> directives(Path file) throws IOException {
        List<List<String>> directives = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("## ")) {
                break;
            }
            String text = line.substring(3);
            if (text.startsWith("image")) {
                String[] parts = text.split(" ", 3);
                directives.add(List.of(parts[0], parts[1], parts[2]));
            } else {
                directives.add(words(text));
            }
        }
        return directives;
    }

    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                if (word == null) {
                    word = new StringBuilder();
                }
            } else if (c == ' ' && !quoted) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                word.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("Unbalanced quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
