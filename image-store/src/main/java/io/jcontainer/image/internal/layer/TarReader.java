package io.jcontainer.image.internal.layer;

import io.jcontainer.image.ImageStoreException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A streaming tar reader (ustar, GNU long names, PAX) that keeps PAX values as raw bytes.
 *
 * <p>Why not Commons Compress: 1.28.0 decodes every PAX value as UTF-8, so a binary
 * {@code SCHILY.xattr.security.capability} comes out corrupted. The format is small: 512-byte headers, and
 * PAX extended headers made of {@code "LEN key=value\n"} records whose LEN counts the whole record in bytes.
 */
public final class TarReader {
    static final int BLOCK = 512;
    /** Long names and PAX headers above this are refused: they exist to exhaust memory. */
    static final int MAX_META = 1024 * 1024;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private long remaining;
    private long padding;
    private boolean done;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. */
    public TarEntry next() throws IOException {
        skipRest();
        String longName = null;
        String longLink = null;
        Map<String, byte[]> pax = null;
        while (true) {
            if (done || !readBlock()) {
                done = true;
                return null;
            }
            if (isZero(header)) {
                done = true;
                return null;
            }
            verifyChecksum();
            char flag = (char) (header[156] & 0xff);
            long size = number(124, 12, "size");
            if (size < 0) {
                throw corrupt("negative size");
            }
            switch (flag) {
                case 'L', 'K', 'x', 'g' -> {
                    if (size > MAX_META) {
                        throw corrupt("extended header of " + size + " bytes");
                    }
                    byte[] data = readFully((int) size);
                    skipFully(pad(size));
                    if (flag == 'L') {
                        longName = cString(data, 0, data.length);
                    } else if (flag == 'K') {
                        longLink = cString(data, 0, data.length);
                    } else if (flag == 'x') {
                        pax = parsePax(data);
                    } else {
                        // POSIX: a global header applies to every following entry.
                        globalPax.putAll(parsePax(data));
                    }
                    continue;
                }
                case 'V' -> {
                    skipFully(size + pad(size));
                    continue;
                }
                default -> {
                    return entry(flag, size, longName, longLink, pax);
                }
            }
        }
    }

    /** The content of the entry last returned by {@link #next()}; valid until the next call. */
    public InputStream content() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) {
                    throw new EOFException("tar archive ends inside an entry's content");
                }
                remaining -= n;
                return n;
            }
        };
    }

    private TarEntry entry(char flag, long size, String longName, String longLink, Map<String, byte[]> localPax)
            throws IOException {
        Map<String, byte[]> pax = new HashMap<>(globalPax);
        if (localPax != null) {
            pax.putAll(localPax);
        }
        TarEntry.Type type = switch (flag) {
            case '0', '\0', '7' -> TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new ImageStoreException("Unsupported tar entry type '" + printable(flag) + "' for '"
                    + cString(header, 0, 100) + "', refusing.");
        };
        for (String key : pax.keySet()) {
            if (key.startsWith("GNU.sparse.")) {
                throw new ImageStoreException("Unsupported sparse tar entry '" + cString(header, 0, 100) + "', refusing.");
            }
        }
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (ustar && header[345] != 0) {
            name = cString(header, 345, 155) + "/" + name;
        }
        if (longName != null) {
            name = longName;
        }
        if (pax.containsKey("path")) {
            name = utf8(pax.get("path"));
        }
        String link = cString(header, 157, 100);
        if (longLink != null) {
            link = longLink;
        }
        if (pax.containsKey("linkpath")) {
            link = utf8(pax.get("linkpath"));
        }
        if (pax.containsKey("size")) {
            size = paxLong(pax, "size");
        }
        long uid = pax.containsKey("uid") ? paxLong(pax, "uid") : number(108, 8, "uid");
        long gid = pax.containsKey("gid") ? paxLong(pax, "gid") : number(116, 8, "gid");
        long mtime = number(136, 12, "mtime");
        int nanos = 0;
        if (pax.containsKey("mtime")) {
            String t = utf8(pax.get("mtime"));
            try {
                java.math.BigDecimal d = new java.math.BigDecimal(t);
                mtime = d.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
                nanos = d.subtract(java.math.BigDecimal.valueOf(mtime)).movePointRight(9).intValue();
            } catch (ArithmeticException | NumberFormatException e) {
                throw corrupt("bad PAX mtime '" + t + "'");
            }
        }
        int mode = (int) (number(100, 8, "mode") & 07777);
        int major = (int) number(329, 8, "devmajor");
        int minor = (int) number(337, 8, "devminor");
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            if (e.getKey().startsWith("SCHILY.xattr.")) {
                xattrs.put(e.getKey().substring("SCHILY.xattr.".length()), e.getValue());
            } else if (e.getKey().startsWith("LIBARCHIVE.xattr.")) {
                // libarchive: URL-encoded name, base64 value
                String xname = java.net.URLDecoder.decode(e.getKey().substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
                try {
                    xattrs.putIfAbsent(xname, Base64.getDecoder().decode(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    throw corrupt("bad base64 in " + e.getKey());
                }
            }
        }
        boolean hasData = type == TarEntry.Type.FILE;
        remaining = hasData ? size : 0;
        // Only regular files carry data; other types with a size still occupy blocks in some writers.
        padding = hasData ? pad(size) : size + pad(size);
        return new TarEntry(type, name, link.isEmpty() ? null : link, mode, uid, gid, hasData ? size : 0, mtime, nanos,
                major, minor, xattrs);
    }

    private static String printable(char c) {
        return c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c);
    }

    private void skipRest() throws IOException {
        if (remaining > 0 || padding > 0) {
            skipFully(remaining + padding);
            remaining = 0;
            padding = 0;
        }
    }

    private static long pad(long size) {
        long r = size % BLOCK;
        return r == 0 ? 0 : BLOCK - r;
    }

    private boolean readBlock() throws IOException {
        int off = 0;
        while (off < BLOCK) {
            int n = in.read(header, off, BLOCK - off);
            if (n < 0) {
                if (off == 0) {
                    return false; // archive without end-of-archive blocks: accepted, as GNU tar does
                }
                throw new EOFException("tar archive ends inside a header");
            }
            off += n;
        }
        return true;
    }

    private byte[] readFully(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("tar archive ends inside an extended header");
        }
        return b;
    }

    private void skipFully(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(65536, Math.max(n, 1))];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new EOFException("tar archive ends inside an entry's content");
            }
            n -= r;
        }
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private void verifyChecksum() throws IOException {
        long stored = number(148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        if (stored != unsigned && stored != signed) {
            throw corrupt("header checksum mismatch");
        }
    }

    /** An octal field (NUL/space terminated) or a GNU base-256 field (high bit set). */
    private long number(int off, int len, String what) throws IOException {
        if ((header[off] & 0x80) != 0) {
            long v = header[off] & 0x7f;
            for (int i = 1; i < len; i++) {
                if ((v >>> 55) != 0) {
                    throw corrupt(what + " out of range");
                }
                v = (v << 8) | (header[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        for (; i < end; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                throw corrupt("bad octal " + what);
            }
            v = (v << 3) | (b - '0');
        }
        return v;
    }

    static Map<String, byte[]> parsePax(byte[] data) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int sp = pos;
            long len = 0;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9') {
                len = len * 10 + (data[sp] - '0');
                if (len > data.length) {
                    throw corruptStatic("PAX record length exceeds its header");
                }
                sp++;
            }
            if (sp == pos && sp < data.length && data[sp] == 0) {
                break; // NUL padding after the last record
            }
            if (sp == pos || sp >= data.length || data[sp] != ' ' || len <= 0 || pos + len > data.length
                    || data[(int) (pos + len - 1)] != '\n') {
                throw corruptStatic("malformed PAX record");
            }
            int end = (int) (pos + len - 1);
            int eq = -1;
            for (int i = sp + 1; i < end; i++) {
                if (data[i] == '=') {
                    eq = i;
                    break;
                }
            }
            if (eq < 0) {
                throw corruptStatic("PAX record without '='");
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end);
            out.put(key, value);
            pos = (int) (pos + len);
        }
        return out;
    }

    private static long paxLong(Map<String, byte[]> pax, String key) throws IOException {
        String v = utf8(pax.get(key));
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw corruptStatic("negative PAX " + key);
            }
            return n;
        } catch (NumberFormatException e) {
            throw corruptStatic("bad PAX " + key + " '" + v + "'");
        }
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private ImageStoreException corrupt(String why) {
        return new ImageStoreException("Corrupt tar header near '" + cString(header, 0, 100) + "': " + why + ", refusing.");
    }

    private static ImageStoreException corruptStatic(String why) {
        return new ImageStoreException("Corrupt tar extended header: " + why + ", refusing.");
    }
}
