package io.jcontainer.jnspawn.settings;

import java.nio.file.Path;

/**
 * The rules every host or container path in a setting follows: absolute, no {@code ..}, no NUL.
 *
 * <p>{@code ..} is refused rather than resolved because the container side of a bind is resolved
 * inside the container's root later, where {@code /a/../b} and a symlinked {@code /a} disagree; a
 * path that says plainly where it goes is the only kind we check (nspawn's path_is_valid() plus
 * path_simplify() for the same reason).
 */
final class PathRules {

    private PathRules() {
    }

    /** Why {@code path} is not acceptable, phrased to follow a noun ("source ..."), or null. */
    static String problem(String path) {
        if (path.isEmpty()) {
            return "must not be empty";
        }
        if (path.charAt(0) != '/') {
            return "must be an absolute path";
        }
        if (path.indexOf('\0') >= 0) {
            return "must not contain a NUL character";
        }
        for (String component : path.split("/")) {
            if (component.equals("..")) {
                return "must not contain a '..' component";
            }
        }
        return null;
    }

    /**
     * Checks {@code path} and returns it normalized ({@code //} and {@code .} removed, no trailing
     * slash).
     *
     * @param what  the kind of value for the message ("bind")
     * @param whole the whole value the user typed, quoted in the message
     * @param role  which part of it {@code path} is ("source"), or null when it is the whole value
     */
    static Path absolute(String what, String whole, String role, String path) throws SettingsException {
        String problem = problem(path);
        if (problem != null) {
            throw SettingsException.invalid(what, whole, role == null ? problem : role + ' ' + problem);
        }
        return Path.of(path).normalize();
    }
}
