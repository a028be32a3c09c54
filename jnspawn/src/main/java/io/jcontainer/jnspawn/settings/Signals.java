package io.jcontainer.jnspawn.settings;

/**
 * Signal names and numbers as systemd spells them in {@code KillSignal=} (signal_from_string() in
 * src/basic/signal-util.c), with Linux x86_64 numbers.
 *
 * <p>Real-time signals are counted from glibc's SIGRTMIN, 34, not the kernel's 32: glibc keeps
 * 32 and 33 for its threads, and systemd, the images' libc and {@code kill -l} all agree on 34.
 * So {@code SIGRTMIN+3}, what systemd inside a container wants for a clean shutdown, is 37.
 */
public final class Signals {

    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;

    /** Standard signals by number, without the SIG prefix; index 0 is unused. */
    private static final String[] NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
        "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    private Signals() {
    }

    /**
     * Parses {@code SIGTERM}, {@code TERM}, {@code 15}, {@code SIGRTMIN}, {@code SIGRTMIN+3},
     * {@code RTMIN+3}, {@code SIGRTMAX}, {@code SIGRTMAX-2}. Case-sensitive, as systemd.
     *
     * @throws SettingsException {@code Invalid signal 'SIGFOO'}
     */
    public static int parse(String value) throws SettingsException {
        if (isDigits(value)) {
            int n = value.length() <= 9 ? Integer.parseInt(value) : Integer.MAX_VALUE;
            if (n < 1 || n > SIGRTMAX) {
                throw SettingsException.invalid("signal", value, "number must be in 1.." + SIGRTMAX);
            }
            return n;
        }
        String name = value.startsWith("SIG") ? value.substring(3) : value;
        for (int n = 1; n < NAMES.length; n++) {
            if (NAMES[n].equals(name)) {
                return n;
            }
        }
        if (name.startsWith("RTMIN")) {
            return realtime(value, name.substring(5), '+', SIGRTMIN);
        }
        if (name.startsWith("RTMAX")) {
            return realtime(value, name.substring(5), '-', SIGRTMAX);
        }
        throw SettingsException.invalid("signal", value, null);
    }

    /** {@code RTMIN[+N]} or {@code RTMAX[-N]}, N at most SIGRTMAX - SIGRTMIN. */
    private static int realtime(String value, String rest, char sign, int from) throws SettingsException {
        if (rest.isEmpty()) {
            return from;
        }
        String offset = rest.substring(1);
        if (rest.charAt(0) != sign || !isDigits(offset)) {
            throw SettingsException.invalid("signal", value, null);
        }
        int n = offset.length() <= 9 ? Integer.parseInt(offset) : Integer.MAX_VALUE;
        if (n > SIGRTMAX - SIGRTMIN) {
            throw SettingsException.invalid("signal", value,
                    "offset must be at most " + (SIGRTMAX - SIGRTMIN));
        }
        return sign == '+' ? from + n : from - n;
    }

    static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /**
     * The name {@link #parse} reads back: {@code SIGTERM}, {@code SIGRTMIN}, {@code SIGRTMIN+3};
     * the number itself for 32 and 33, which have no name.
     *
     * @throws IllegalArgumentException outside 1..{@value #SIGRTMAX}
     */
    public static String name(int signal) {
        if (signal >= 1 && signal < NAMES.length) {
            return "SIG" + NAMES[signal];
        }
        if (signal == SIGRTMIN) {
            return "SIGRTMIN";
        }
        if (signal > SIGRTMIN && signal <= SIGRTMAX) {
            return "SIGRTMIN+" + (signal - SIGRTMIN);
        }
        if (signal > 0 && signal < SIGRTMIN) {
            return Integer.toString(signal);
        }
        throw new IllegalArgumentException("Invalid signal number " + signal);
    }
}
