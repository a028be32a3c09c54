package io.jcontainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * BouncyCastle stays off jnspawn's start path and the generator's (issue 15: its provider is slow to set up and
 * its signed jars stay out of AppCDS archives): no class that jnspawn's or the generator's main can reach through
 * the constant pools of jcontainer's own classes names a BouncyCastle class, while pull's check does.
 */
class BouncyCastleConfinementTest {
    private static final Pattern OURS = Pattern.compile("io/jcontainer/[A-Za-z0-9_/$]+");

    /** Every jcontainer class reachable from {@code main} through class names in constant pools. */
    static Set<String> reachable(String main) throws IOException {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(main));
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (!seen.add(c)) {
                continue;
            }
            String text = constantPool(c);
            if (text == null) {
                continue;
            }
            Matcher m = OURS.matcher(text);
            while (m.find()) {
                if (!seen.contains(m.group())) {
                    todo.push(m.group());
                }
            }
        }
        return seen;
    }

    static String constantPool(String internalName) throws IOException {
        try (InputStream in = BouncyCastleConfinementTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static List<String> namingBouncyCastle(Set<String> classes) throws IOException {
        List<String> out = new java.util.ArrayList<>();
        for (String c : classes) {
            String text = constantPool(c);
            if (text != null && text.contains("org/bouncycastle/")) {
                out.add(c);
            }
        }
        return out;
    }

    @Test
    void jnspawnAndTheGeneratorReachNoBouncyCastleClass() throws Exception {
        Set<String> jnspawn = reachable("io/jcontainer/jnspawn/Main");
        Set<String> generator = reachable("io/jcontainer/generator/GeneratorMain");
        assertTrue(jnspawn.contains("io/jcontainer/image/ImageStore"), "the walk follows jnspawn into the store");
        assertTrue(generator.size() > 10, generator.toString());
        assertEquals(List.of(), namingBouncyCastle(jnspawn));
        assertEquals(List.of(), namingBouncyCastle(generator));
        assertFalse(jnspawn.contains("io/jcontainer/image/trust/SimpleSigning"));
        // The start's re-check of the policy is on both paths, and stays clean.
        assertTrue(jnspawn.contains("io/jcontainer/image/trust/StartCheck"), "jnspawn checks the policy at start");
        assertTrue(generator.contains("io/jcontainer/image/trust/StartCheck"), "the generator checks the policy");
        assertTrue(jnspawn.contains("io/jcontainer/image/trust/KeyFingerprints"));
    }

    @Test
    void pullReachesTheVerifierThatUsesBouncyCastle() throws Exception {
        // The walk would see it if it were there: the same walk from the pull verb finds the OpenPGP classes.
        List<String> pull = namingBouncyCastle(reachable("io/jcontainer/cli/PullCommand"));
        assertTrue(pull.contains("io/jcontainer/image/trust/SimpleSigning"), pull.toString());
        assertTrue(pull.stream().allMatch(c -> c.startsWith("io/jcontainer/image/trust/")), pull.toString());
    }
}
