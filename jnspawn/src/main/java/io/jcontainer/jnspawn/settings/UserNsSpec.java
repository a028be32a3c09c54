package io.jcontainer.jnspawn.settings;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Whether and how a container gets a user namespace, as systemd-nspawn's
 * {@code --private-users=} and {@code PrivateUsers=}: none, "pick a range for me", or a fixed
 * host range {@code BASE:RANGE} onto which container ids 0.. are mapped.
 *
 * <p>Ids are uid_t: unsigned 32 bit. {@link #base()} and {@link #range()} return them in an
 * {@code int}, so values of 2^31 and up read as negative; use {@link Integer#toUnsignedLong} or
 * {@link Integer#toUnsignedString} on them. A picked base is always below 2^31.
 */
public final class UserNsSpec {

    /** The range a picked base gets, and the default range of {@code BASE}: 65536 ids, as nspawn. */
    public static final int DEFAULT_RANGE = 0x10000;

    /** Lowest base {@link #resolve} picks; nspawn's UID_SHIFT_PICK_MIN leaves room below for others. */
    public static final int PICK_MIN = 0x00080000;

    /**
     * Highest base {@link #resolve} picks; nspawn's UID_SHIFT_PICK_MAX stays out of the upper half of
     * the id space because devpts parses gid= as a signed number.
     */
    public static final int PICK_MAX = 0x6FFF0000;

    /** (uid_t) -1 is "no id", so the last id of a range must be below it. */
    private static final long UID_INVALID = 0xFFFFFFFFL;

    /**
     * The SipHash key for {@link #resolve}. Never change it: it decides which host ids every
     * container's files are owned by, and a new key would move them all.
     */
    private static final long PICK_KEY_0 = 0x5a1b6c3e8f0d4127L;
    private static final long PICK_KEY_1 = 0x93c7e2a4d6b8f015L;

    public static final UserNsSpec NONE = new UserNsSpec(Mode.NONE, 0, 0);
    public static final UserNsSpec PICK = new UserNsSpec(Mode.PICK, 0, DEFAULT_RANGE);

    private enum Mode { NONE, PICK, FIXED }

    private final Mode mode;
    private final int base;
    private final int range;

    private UserNsSpec(Mode mode, int base, int range) {
        this.mode = mode;
        this.base = base;
        this.range = range;
    }

    /**
     * Parses, in nspawn's order: a systemd boolean (false: none; true: pick), {@code pick},
     * {@code BASE} or {@code BASE:RANGE} in decimal. So {@code 0} and {@code 1} are booleans, as
     * in nspawn. Where nspawn's {@code yes} takes the base from the owner of the root directory,
     * ours picks, since our roots are overlays we create.
     *
     * @throws SettingsException {@code Invalid user namespace '0:65536': base must be above 0}
     */
    public static UserNsSpec parse(String value) throws SettingsException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "0", "no", "n", "false", "f", "off":
                return NONE;
            case "1", "yes", "y", "true", "t", "on", "pick":
                return PICK;
            default:
                break;
        }
        int colon = value.indexOf(':');
        long base = number(value, colon < 0 ? value : value.substring(0, colon), "base");
        long range = colon < 0 ? DEFAULT_RANGE : number(value, value.substring(colon + 1), "range");
        if (base == 0) {
            throw SettingsException.invalid("user namespace", value,
                    "base must be above 0, base 0 would map the host's own ids");
        }
        if (range < 1) {
            throw SettingsException.invalid("user namespace", value, "range must be at least 1");
        }
        if (base + range > UID_INVALID) {
            throw SettingsException.invalid("user namespace", value,
                    "base + range must not exceed " + UID_INVALID);
        }
        return new UserNsSpec(Mode.FIXED, (int) base, (int) range);
    }

    private static long number(String value, String digits, String what) throws SettingsException {
        // Ten digits already exceed every valid id; checking the length first keeps parseLong safe.
        if (digits.length() > 10 || !Signals.isDigits(digits)) {
            throw SettingsException.invalid("user namespace", value,
                    what + " must be a decimal number; expected no, yes, pick, BASE or BASE:RANGE");
        }
        return Long.parseLong(digits);
    }

    /** A fixed range; {@code base} and {@code range} as unsigned 32-bit ids. */
    public static UserNsSpec fixed(int base, int range) {
        long b = Integer.toUnsignedLong(base);
        long r = Integer.toUnsignedLong(range);
        if (b == 0 || r == 0 || b + r > UID_INVALID) {
            throw new IllegalArgumentException("Invalid user namespace range "
                    + b + ":" + r);
        }
        return new UserNsSpec(Mode.FIXED, base, range);
    }

    /** Whether the container gets a user namespace at all. */
    public boolean enabled() {
        return mode != Mode.NONE;
    }

    /** Whether the base is still to be picked by {@link #resolve}. */
    public boolean pick() {
        return mode == Mode.PICK;
    }

    /**
     * The first host id of the range (unsigned).
     *
     * @throws IllegalStateException when there is no fixed range: none, or pick before {@link #resolve}
     */
    public int base() {
        if (mode != Mode.FIXED) {
            throw new IllegalStateException("User namespace '" + this + "' has no base");
        }
        return base;
    }

    /**
     * The number of ids in the range (unsigned); {@value #DEFAULT_RANGE} for pick.
     *
     * @throws IllegalStateException for none
     */
    public int range() {
        if (mode == Mode.NONE) {
            throw new IllegalStateException("User namespace '" + this + "' has no range");
        }
        return range;
    }

    /**
     * Turns pick into a fixed range for {@code machineName}; other specs are returned as they are.
     *
     * <p>The base is derived the way nspawn's uid_shift_pick() turns a candidate into a base: 32
     * bits of hash, {@code % (PICK_MAX - PICK_MIN) + PICK_MIN}, then aligned down to 0x10000, with
     * a range of 0x10000. nspawn's first candidate is the owner of the image's root directory and
     * later ones are random; ours is a SipHash of the machine name (as systemd's DynamicUser= starts
     * from a hash of the user name), so the same container always gets the same ids and its files
     * keep their owners across restarts. nspawn then also checks that the range is unused (a lock
     * file under /run/systemd/nspawn-uid/ and the user database) and tries again if not; we do not
     * yet, so two machine names can collide.
     */
    public UserNsSpec resolve(String machineName) {
        if (mode != Mode.PICK) {
            return this;
        }
        long hash = SipHash.hash(machineName.getBytes(StandardCharsets.UTF_8), PICK_KEY_0, PICK_KEY_1);
        long candidate = hash & 0xFFFFFFFFL;   // uid_t is 32 bits; nspawn truncates the same way
        candidate = candidate % (PICK_MAX - PICK_MIN) + PICK_MIN;
        candidate &= 0xFFFF0000L;
        return new UserNsSpec(Mode.FIXED, (int) candidate, DEFAULT_RANGE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserNsSpec other && mode == other.mode && base == other.base && range == other.range;
    }

    @Override
    public int hashCode() {
        return (mode.hashCode() * 31 + base) * 31 + range;
    }

    /** The spec in the syntax {@link #parse} reads: {@code no}, {@code pick} or {@code BASE:RANGE}. */
    @Override
    public String toString() {
        return switch (mode) {
            case NONE -> "no";
            case PICK -> "pick";
            case FIXED -> Integer.toUnsignedString(base) + ':' + Integer.toUnsignedString(range);
        };
    }
}
