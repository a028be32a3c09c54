package io.jcontainer.jnspawn;

import io.jcontainer.jnspawn.internal.rootfs.RootFs;
import java.util.ArrayList;
import java.util.List;

/** Resolves {@code --user}/{@code User=} against the container's own /etc/passwd and /etc/group. */
final class UserLookup {
    /** A resolved user; {@code name} is null for a bare uid unknown to the container. */
    record User(String name, int uid, int gid, List<Integer> groups, String home) {
    }

    private UserLookup() {
    }

    static User resolve(RootFs root, String spec) throws LaunchException {
        if (spec == null || spec.isEmpty() || spec.equals("root") || spec.equals("0")) {
            return new User("root", 0, 0, List.of(), "/root");
        }
        String userPart = spec;
        String groupPart = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            userPart = spec.substring(0, colon);
            groupPart = spec.substring(colon + 1);
        }
        List<String> passwd = root.readLines("/etc/passwd");
        List<String> group = root.readLines("/etc/group");
        String[] entry = null;
        for (String line : passwd) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && (f[0].equals(userPart) || f[2].equals(userPart))) {
                entry = f;
                break;
            }
        }
        String name;
        int uid;
        int gid;
        String home;
        if (entry != null) {
            name = entry[0];
            uid = parseId(entry[2], spec);
            gid = parseId(entry[3], spec);
            home = entry[5].isEmpty() ? "/" : entry[5];
        } else if (userPart.matches("[0-9]+")) {
            name = null;
            uid = parseId(userPart, spec);
            gid = uid == 0 ? 0 : uid; // as nspawn: a bare uid gets the same gid
            home = "/";
        } else {
            throw new LaunchException("User '" + userPart + "' not found in the container's /etc/passwd.");
        }
        if (groupPart != null) {
            gid = groupId(group, groupPart, spec);
        }
        List<Integer> groups = new ArrayList<>();
        if (name != null) {
            for (String line : group) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && List.of(f[3].split(",")).contains(name)) {
                    int g = parseId(f[2], spec);
                    if (g != gid && !groups.contains(g)) {
                        groups.add(g);
                    }
                }
            }
        }
        return new User(name, uid, gid, groups, home);
    }

    private static int groupId(List<String> group, String g, String spec) throws LaunchException {
        for (String line : group) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && (f[0].equals(g) || f[2].equals(g))) {
                return parseId(f[2], spec);
            }
        }
        if (g.matches("[0-9]+")) {
            return parseId(g, spec);
        }
        throw new LaunchException("Group '" + g + "' not found in the container's /etc/group.");
    }

    private static int parseId(String s, String spec) throws LaunchException {
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v >= 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new LaunchException("Invalid user or group id '" + s + "' for user '" + spec + "'.");
        }
    }
}
