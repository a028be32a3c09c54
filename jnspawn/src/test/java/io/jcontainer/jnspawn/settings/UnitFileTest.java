package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcontainer.jnspawn.settings.UnitFile.Entry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitFileTest {

    private static final String NAME = "/etc/jcontainer/web.container";

    private static UnitFile parse(String text) throws SettingsException {
        return UnitFile.parse(NAME, text);
    }

    @Test
    void keepsSectionsAndEntriesInOrderWithTheirLines() throws Exception {
        UnitFile f = parse("""
                [Container]
                Image=web
                Exec=/bin/httpd

                [Service]
                MemoryMax=512M
                [Container]
                Hostname=web
                """);
        assertEquals(List.of(
                new Entry("Container", "Image", "web", 2),
                new Entry("Container", "Exec", "/bin/httpd", 3),
                new Entry("Service", "MemoryMax", "512M", 6),
                new Entry("Container", "Hostname", "web", 8)), f.entries());
        assertEquals(List.of("Image", "Exec", "Hostname"),
                f.section("Container").stream().map(Entry::key).toList());
        assertEquals(List.of(), f.section("Install"));
        assertEquals(NAME, f.displayName());
    }

    @Test
    void trimsWhitespaceAroundKeyAndValueButKeepsItInside() throws Exception {
        UnitFile f = parse("[A]\n  Key \t=  a  b \t\n");
        assertEquals(new Entry("A", "Key", "a  b", 2), f.entries().get(0));
    }

    @Test
    void splitsAtTheFirstEqualsSign() throws Exception {
        assertEquals("MODE=prod=1", parse("[A]\nEnvironment=MODE=prod=1\n").entries().get(0).value());
    }

    @Test
    void keepsEmptyAssignments() throws Exception {
        assertEquals(new Entry("A", "Bind", "", 2), parse("[A]\nBind=\n").entries().get(0));
    }

    @Test
    void skipsCommentsAndBlankLines() throws Exception {
        UnitFile f = parse("""
                # a comment
                ; another
                [A]
                   # indented comment
                \t; indented too
                Key=v # not a comment: systemd has no trailing comments

                """);
        assertEquals(List.of(new Entry("A", "Key", "v # not a comment: systemd has no trailing comments", 6)),
                f.entries());
    }

    @Test
    void joinsContinuationLinesWithASingleSpace() throws Exception {
        UnitFile f = parse("[A]\nExec=/bin/httpd \\\n    -f \\\n\t-p 80\nNext=1\n");
        assertEquals(List.of(new Entry("A", "Exec", "/bin/httpd -f -p 80", 2), new Entry("A", "Next", "1", 5)),
                f.entries());
    }

    @Test
    void skipsCommentLinesInsideAContinuation() throws Exception {
        UnitFile f = parse("[A]\nExec=/bin/echo \\\n# the greeting\n  ; or this\n  hello\n");
        assertEquals(List.of(new Entry("A", "Exec", "/bin/echo hello", 2)), f.entries());
    }

    @Test
    void anEscapedBackslashAtTheEndDoesNotContinue() throws Exception {
        UnitFile f = parse("[A]\nKey=a\\\\\nOther=b\n");
        assertEquals(List.of(new Entry("A", "Key", "a\\\\", 2), new Entry("A", "Other", "b", 3)), f.entries());
    }

    @Test
    void aContinuationAtTheEndOfTheFileEndsTheValue() throws Exception {
        assertEquals(List.of(new Entry("A", "Key", "a", 2)), parse("[A]\nKey=a \\").entries());
    }

    @Test
    void anEmptyLineEndsAContinuation() throws Exception {
        assertEquals(List.of(new Entry("A", "Key", "a", 2), new Entry("A", "B", "c", 4)),
                parse("[A]\nKey=a \\\n\nB=c\n").entries());
    }

    @Test
    void acceptsCrLfLineEndingsAndAByteOrderMark() throws Exception {
        UnitFile f = parse("\uFEFF[A]\r\nKey=a \\\r\n b\r\n");
        assertEquals(List.of(new Entry("A", "Key", "a b", 2)), f.entries());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            assignment outside a section | Image=web                 | 1 | Assignment 'Image=web' to key 'Image' is outside of any section
            line without equals sign     | [A]\\nImage web            | 2 | Missing '=' in 'Image web'
            empty key                    | [A]\\n  =web               | 2 | Empty key in '=web'
            unterminated header          | [A]\\n[Container           | 2 | Invalid section header '[Container'
            empty header                 | []                        | 1 | Invalid section header '[]'
            text after header            | [Container] x             | 1 | Invalid section header '[Container] x'
            nested brackets              | [[A]]                     | 1 | Invalid section header '[[A]]'
            error in a continued line    | [A]\\nok=1\\nImage \\\\\\n web | 3 | Missing '=' in 'Image web'
            """)
    void rejectsBadSyntaxWithFileAndLine(String name, String text, int line, String message) {
        SettingsException e = assertThrows(SettingsException.class,
                () -> parse(text.replace("\\n", "\n").replace("\\\\", "\\")));
        assertEquals(NAME + ":" + line + ": " + message, e.getMessage());
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("web.container");
        Files.writeString(file, "[Container]\nImage=web\nbroken\n");
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(file));
        assertEquals(file + ":3: Missing '=' in 'broken'", e.getMessage());

        Files.writeString(file, "[Container]\nImage=wéb\n");
        UnitFile f = UnitFile.parse(file);
        assertEquals(file.toString(), f.displayName());
        assertEquals("wéb", f.entries().get(0).value());
    }

    @Test
    void refusesAFileLargerThanOneMebibyte(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.container");
        String line = "# " + "x".repeat(1021) + "\n";   // 1 KiB
        Files.writeString(file, "[A]\n" + line.repeat(1024));
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(file));
        assertEquals(file + ": File is larger than 1048576 bytes, refusing.", e.getMessage());

        Files.writeString(file, line.repeat(1024));   // exactly 1 MiB is fine
        assertEquals(List.of(), UnitFile.parse(file).entries());
    }

    @Test
    void refusesTextLargerThanOneMebibyte() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> parse("#".repeat(UnitFile.MAX_SIZE + 1)));
        assertTrue(e.getMessage().startsWith(NAME + ": File is larger than"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNotUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("latin1.container");
        Files.write(file, "[A]\nK=w\u00e9b\n".getBytes(StandardCharsets.ISO_8859_1));
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(file));
        assertEquals(file + ": File is not valid UTF-8, refusing.", e.getMessage());
    }

    @Test
    void reportsAMissingFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.container");
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(file));
        assertEquals("Failed to read " + file + ": No such file or directory", e.getMessage());
    }

    @Test
    void reportsAFileThatCannotBeRead(@TempDir Path dir) throws Exception {
        Path directory = Files.createDirectory(dir.resolve("web.container"));
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(directory));
        assertEquals("Failed to read " + directory + ": Is a directory", e.getMessage());
    }

    @Test
    void reportsAnOpenFailureWithTheSystemsReason(@TempDir Path dir) throws Exception {
        Path loop = Files.createSymbolicLink(dir.resolve("loop.container"), dir.resolve("loop.container"));
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(loop));
        assertEquals("Failed to read " + loop + ": Too many levels of symbolic links", e.getMessage());
    }

    @Test
    void readsAFileThatReportsNoSize() throws Exception {
        // /proc files have st_size 0: read all the same (and refused: line 1 is no assignment).
        SettingsException e = assertThrows(SettingsException.class, () -> UnitFile.parse(Path.of("/proc/self/mountinfo")));
        assertTrue(e.getMessage().startsWith("/proc/self/mountinfo:1: "), e.getMessage());
    }

    @Test
    void formatsEntriesWithAHeaderWhereTheSectionChanges() throws Exception {
        UnitFile f = parse("""
                # dropped
                [Container]
                Image=web
                Exec=/bin/httpd \\
                  -f
                [Service]
                MemoryMax=512M
                [Container]
                Hostname=web
                """);
        assertEquals("""
                [Container]
                Image=web
                Exec=/bin/httpd -f

                [Service]
                MemoryMax=512M

                [Container]
                Hostname=web
                """, f.format());
    }

    @Test
    void formattedTextParsesBackToTheSameEntries() throws Exception {
        UnitFile made = UnitFile.of("gen", List.of(
                new Entry("Unit", "Description", "web; the # is data", 0),
                new Entry("Service", "ExecStart", "/usr/bin/jnspawn --machine=web", 0),
                new Entry("Service", "Environment", "A=\\\\", 0),
                new Entry("Install", "WantedBy", "", 0)));
        UnitFile back = UnitFile.parse("gen", made.format());
        for (int i = 0; i < made.entries().size(); i++) {
            Entry m = made.entries().get(i);
            Entry b = back.entries().get(i);
            assertEquals(List.of(m.section(), m.key(), m.value()), List.of(b.section(), b.key(), b.value()));
        }
        assertEquals(made.entries().size(), back.entries().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            newline in value        | Service | Key     | 'a\\nb'
            trailing backslash      | Service | Key     | 'a\\'
            padded value            | Service | Key     | ' a'
            empty key               | Service | ''      | a
            key with equals sign    | Service | 'A=B'   | a
            comment-looking key     | Service | '#Key'  | a
            empty section           | ''      | Key     | a
            bracket in section      | 'A]'    | Key     | a
            """)
    void refusesEntriesThatCannotBeWrittenBack(String name, String section, String key, String value) {
        assertThrows(IllegalArgumentException.class,
                () -> new Entry(section, key, value.replace("\\n", "\n"), 0));
    }
}
