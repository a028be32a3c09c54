package io.jcontainer.jnspawn.internal.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps Linux capability names to their numbers and computes the 64-bit keep mask that the
 * exec stage applies ({@code OP_CAPS} in protocol.h: bit {@code n} set keeps capability
 * {@code n}).
 *
 * <p>Numbers are those of {@code linux/capability.h}; CapabilitiesTest checks them against the
 * installed kernel header.
 */
public final class Capabilities {

    /** The highest capability number this table knows, CAP_LAST_CAP in linux/capability.h. */
    public static final int LAST_CAP = 40;

    // Index = capability number; keep in sync with linux/capability.h (CapabilitiesTest checks).
    private static final String[] NAMES = {
        "CAP_CHOWN",              //  0
        "CAP_DAC_OVERRIDE",       //  1
        "CAP_DAC_READ_SEARCH",    //  2
        "CAP_FOWNER",             //  3
        "CAP_FSETID",             //  4
        "CAP_KILL",               //  5
        "CAP_SETGID",             //  6
        "CAP_SETUID",             //  7
        "CAP_SETPCAP",            //  8
        "CAP_LINUX_IMMUTABLE",    //  9
        "CAP_NET_BIND_SERVICE",   // 10
        "CAP_NET_BROADCAST",      // 11
        "CAP_NET_ADMIN",          // 12
        "CAP_NET_RAW",            // 13
        "CAP_IPC_LOCK",           // 14
        "CAP_IPC_OWNER",          // 15
        "CAP_SYS_MODULE",         // 16
        "CAP_SYS_RAWIO",          // 17
        "CAP_SYS_CHROOT",         // 18
        "CAP_SYS_PTRACE",         // 19
        "CAP_SYS_PACCT",          // 20
        "CAP_SYS_ADMIN",          // 21
        "CAP_SYS_BOOT",           // 22
        "CAP_SYS_NICE",           // 23
        "CAP_SYS_RESOURCE",       // 24
        "CAP_SYS_TIME",           // 25
        "CAP_SYS_TTY_CONFIG",     // 26
        "CAP_MKNOD",              // 27
        "CAP_LEASE",              // 28
        "CAP_AUDIT_WRITE",        // 29
        "CAP_AUDIT_CONTROL",      // 30
        "CAP_SETFCAP",            // 31
        "CAP_MAC_OVERRIDE",       // 32
        "CAP_MAC_ADMIN",          // 33
        "CAP_SYSLOG",             // 34
        "CAP_WAKE_ALARM",         // 35
        "CAP_BLOCK_SUSPEND",      // 36
        "CAP_AUDIT_READ",         // 37
        "CAP_PERFMON",            // 38
        "CAP_BPF",                // 39
        "CAP_CHECKPOINT_RESTORE", // 40
    };

    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        for (int i = 0; i < NAMES.length; i++) {
            NUMBERS.put(NAMES[i], i);
        }
    }

    /** Every capability this table knows. */
    public static final long ALL = (1L << (LAST_CAP + 1)) - 1;

    /**
     * The set systemd-nspawn keeps for a container by default: {@code arg_caps_retain} in
     * systemd src/nspawn/nspawn.c. Notably absent: CAP_NET_ADMIN (see
     * {@link #nspawnDefault(boolean)}), CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_SYS_TIME,
     * CAP_SYS_PACCT, CAP_SYSLOG, CAP_IPC_LOCK, CAP_MAC_*, CAP_BPF, CAP_PERFMON.
     */
    public static final long NSPAWN_DEFAULT = parseList(List.of(
            "CAP_AUDIT_CONTROL", "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
            "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_IPC_OWNER", "CAP_KILL",
            "CAP_LEASE", "CAP_LINUX_IMMUTABLE", "CAP_MKNOD", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
            "CAP_SETUID", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_NICE",
            "CAP_SYS_PTRACE", "CAP_SYS_RESOURCE", "CAP_SYS_TTY_CONFIG"));

    private Capabilities() {
    }

    /**
     * The default keep mask, plus CAP_NET_ADMIN when the container has its own network
     * namespace: nspawn.c does {@code arg_caps_retain |= arg_private_network ? 1 << CAP_NET_ADMIN : 0}
     * (and nspawn-settings does the same for {@code Private=}/{@code VirtualEthernet=} in
     * .nspawn files), since administering a private network cannot touch the host's.
     */
    public static long nspawnDefault(boolean privateNetwork) {
        return privateNetwork ? NSPAWN_DEFAULT | bit(number("CAP_NET_ADMIN")) : NSPAWN_DEFAULT;
    }

    /**
     * The number of a capability, given as {@code CAP_NET_ADMIN} or {@code net_admin}, in
     * any case (the forms nspawn's {@code --capability=} and Docker's {@code --cap-add} accept).
     *
     * @throws IllegalArgumentException for a name this table does not know
     */
    public static int number(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        Integer number = NUMBERS.get(upper.startsWith("CAP_") ? upper : "CAP_" + upper);
        if (number == null) {
            throw new IllegalArgumentException("Unknown capability '" + name + "'");
        }
        return number;
    }

    /**
     * The canonical name ({@code CAP_...}) of a capability number.
     *
     * @throws IllegalArgumentException for a number above {@link #LAST_CAP} or below zero
     */
    public static String name(int number) {
        if (number < 0 || number > LAST_CAP) {
            throw new IllegalArgumentException("Unknown capability number " + number);
        }
        return NAMES[number];
    }

    /**
     * The keep mask of a list of capability names; {@code all} (any case) stands for every
     * capability, as in nspawn's {@code --capability=all}.
     *
     * @throws IllegalArgumentException for a name this table does not know
     */
    public static long parseList(Collection<String> names) {
        long mask = 0;
        for (String name : names) {
            mask |= name.equalsIgnoreCase("all") ? ALL : bit(number(name));
        }
        return mask;
    }

    /**
     * The canonical names of the capabilities in a mask, in number order.
     *
     * @throws IllegalArgumentException if the mask has a bit above {@link #LAST_CAP}: the
     *         kernel would reject it, and silently dropping it would hide a caller's bug
     */
    public static List<String> names(long mask) {
        if ((mask & ~ALL) != 0) {
            throw new IllegalArgumentException("Unknown capability number "
                    + Long.numberOfTrailingZeros(mask & ~ALL) + " in mask 0x" + Long.toHexString(mask));
        }
        List<String> names = new ArrayList<>(Long.bitCount(mask));
        for (int i = 0; i <= LAST_CAP; i++) {
            if ((mask & bit(i)) != 0) {
                names.add(NAMES[i]);
            }
        }
        return Collections.unmodifiableList(names);
    }

    /** Whether {@code mask} keeps the capability named {@code name}. */
    public static boolean contains(long mask, String name) {
        return (mask & bit(number(name))) != 0;
    }

    private static long bit(int number) {
        return 1L << number;
    }
}
