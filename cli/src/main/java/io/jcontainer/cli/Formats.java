package io.jcontainer.cli;

import io.jcontainer.image.Digest;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** How values are shown to people: image IDs, sizes and ages as {@code docker images} shows them. */
final class Formats {
    /** Docker's short image ID: the first 12 hex digits of the digest. */
    static final int SHORT_ID_LENGTH = 12;
    private static final String[] SIZE_UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private Formats() {
    }

    static String shortId(Digest digest) {
        return digest.hex().substring(0, SHORT_ID_LENGTH);
    }

    /** Decimal units with three significant digits, as the docker CLI prints sizes: {@code 5.58MB}, {@code 230kB}. */
    static String size(long bytes) {
        BigDecimal value = BigDecimal.valueOf(bytes);
        int unit = 0;
        BigDecimal thousand = BigDecimal.valueOf(1000);
        while (value.round(new MathContext(3)).compareTo(thousand) >= 0 && unit < SIZE_UNITS.length - 1) {
            value = value.divide(thousand);
            unit++;
        }
        return value.round(new MathContext(3)).stripTrailingZeros().toPlainString() + SIZE_UNITS[unit];
    }

    /** {@code created} (RFC 3339, as image configs have it) as an age: {@code 3 days ago}; {@code N/A} if unknown. */
    static String age(String created, Instant now) {
        Instant then = instant(created);
        return then == null ? "N/A" : duration(Duration.between(then, now)) + " ago";
    }

    /** RFC 3339 text as an instant, or null when absent or unreadable (configs are not always tidy). */
    static Instant instant(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Docker's HumanDuration (go-units): coarse, rounded down, words first. */
    static String duration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        long minutes = seconds / 60;
        long hours = minutes / 60;
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        } else if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        } else if (Math.round(seconds / 3600.0) == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }
}
