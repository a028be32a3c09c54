package io.jcontainer.jnspawn.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WordsTest {

    static Stream<Arguments> splits() {
        return Stream.of(
                split("empty", "", List.of()),
                split("blank", " \t ", List.of()),
                split("whitespace separates", "/bin/httpd  -f\t-p 80", List.of("/bin/httpd", "-f", "-p", "80")),
                split("double quotes group", "sh -c \"echo a  b\"", List.of("sh", "-c", "echo a  b")),
                split("single quotes group", "sh -c 'echo \"hi\"'", List.of("sh", "-c", "echo \"hi\"")),
                split("quotes inside a word", "--opt=\"a b\"c", List.of("--opt=a bc")),
                split("empty quotes are an empty word", "a \"\" ''", List.of("a", "", "")),
                split("backslash escapes", "a\\\\b \\\"q\\\" \\'s\\'", List.of("a\\b", "\"q\"", "'s'")),
                split("backslash-space joins", "a\\ b c", List.of("a b", "c")),
                split("\\s is a space", "a\\sb", List.of("a b")),
                split("C escapes", "\\n\\t\\r\\a\\b\\f\\v", List.of("\n\t\r\u0007\b\f\u000b")),
                split("hex escape", "\\x41\\x7e", List.of("A~")),
                split("octal escape", "\\101", List.of("A")),
                split("unicode escapes", "\\u00e9\\U0001F600", List.of("é\uD83D\uDE00")),
                split("escapes inside quotes", "\"a\\\"b\\n\" 'c\\'d'", List.of("a\"b\n", "c'd")),
                split("other quote inside quotes is literal", "\"it's\"", List.of("it's")),
                split("non-ASCII as is", "écho ☃", List.of("écho", "☃")));
    }

    private static Arguments split(String name, String value, List<String> words) {
        return Arguments.of(Named.of(name, value), words);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("splits")
    void splitsLikeSystemd(String value, List<String> expected) throws SettingsException {
        assertEquals(expected, Words.split(value));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            unterminated double quote | echo "hi      | Invalid value 'echo "hi': unterminated double quote
            unterminated single quote | echo 'hi      | Invalid value 'echo 'hi': unterminated single quote
            trailing backslash        | echo hi\\     | Invalid value 'echo hi\\': trailing backslash
            unknown escape            | a\\qb         | Invalid value 'a\\qb': unknown escape '\\q'
            short hex escape          | \\x4          | Invalid value '\\x4': incomplete escape '\\x4'
            bad hex digit             | \\x4g         | Invalid value '\\x4g': incomplete escape '\\x4g'
            short octal escape        | \\10          | Invalid value '\\10': incomplete escape '\\10'
            NUL escape                | a\\x00        | Invalid value 'a\\x00': escape '\\x00' is a NUL character
            non-ASCII byte escape     | \\xc3\\xa9    | Invalid value '\\xc3\\xa9': escape '\\xc3' is out of range; byte escapes are limited to ASCII, use \\u for other characters
            surrogate escape          | \\ud800       | Invalid value '\\ud800': escape '\\ud800' is a lone surrogate
            code point out of range   | \\U00110000   | Invalid value '\\U00110000': escape '\\U00110000' is out of range
            """)
    void rejectsBadQuotingAndEscapes(String name, String value, String message) {
        SettingsException e = assertThrows(SettingsException.class, () -> Words.split(value));
        assertEquals(message, e.getMessage());
    }
}
