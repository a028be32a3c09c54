package io.jcontainer.image.internal.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A streaming tar writer (ustar headers, PAX extended headers where ustar cannot say it) that writes PAX values
 * as raw bytes: the counterpart of {@link TarReader}.
 *
 * <p>Why not Commons Compress: its {@code addPaxHeader} takes a String and writes it as UTF-8, so a binary
 * {@code SCHILY.xattr.security.capability} would be corrupted (see TarReader). A PAX record is
 * {@code "LEN key=value\n"}, LEN counting the whole record in bytes, itself included (POSIX pax, "pax Header Block").
 */
final class TarWriter {
    private static final int BLOCK = TarReader.BLOCK;
    private static final long MAX_OCTAL_7 = 07777777L;
    private static final long MAX_OCTAL_11 = 077777777777L;

    /** One entry's header as written. {@code size} is the length of the data that follows (regular files only). */
    record Header(String name, char type, int mode, long uid, long gid, long size, long mtimeSeconds, String linkName,
                  int devMajor, int devMinor, Map<String, byte[]> xattrs) {
    }

    private final OutputStream out;
    private final byte[] zeros = new byte[BLOCK];

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes a header and, for a regular file, exactly {@code h.size()} bytes of {@code data}, then padding. */
    void put(Header h, InputStream data) throws IOException {
        byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
        byte[] link = h.linkName() == null ? new byte[0] : h.linkName().getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (name.length > 100) {
            pax.put("path", name);
        }
        if (link.length > 100) {
            pax.put("linkpath", link);
        }
        if (h.uid() > MAX_OCTAL_7) {
            pax.put("uid", Long.toString(h.uid()).getBytes(StandardCharsets.US_ASCII));
        }
        if (h.gid() > MAX_OCTAL_7) {
            pax.put("gid", Long.toString(h.gid()).getBytes(StandardCharsets.US_ASCII));
        }
        if (h.size() > MAX_OCTAL_11) {
            pax.put("size", Long.toString(h.size()).getBytes(StandardCharsets.US_ASCII));
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            String paxName = "PaxHeaders.0/" + h.name();
            writeHeader(paxName, 'x', 0644, 0, 0, records.length, h.mtimeSeconds(), "", 0, 0);
            out.write(records);
            pad(records.length);
        }
        writeHeader(h.name(), h.type(), h.mode(), Math.min(h.uid(), MAX_OCTAL_7), Math.min(h.gid(), MAX_OCTAL_7),
                Math.min(h.size(), MAX_OCTAL_11), h.mtimeSeconds(), h.linkName() == null ? "" : h.linkName(),
                h.devMajor(), h.devMinor());
        if (h.size() > 0) {
            byte[] buf = new byte[64 * 1024];
            long left = h.size();
            while (left > 0) {
                int n = data.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("'" + h.name() + "' shrank while being archived");
                }
                out.write(buf, 0, n);
                left -= n;
            }
            pad(h.size());
        }
    }

    /** The end-of-archive marker: two zero blocks. */
    void finish() throws IOException {
        out.write(zeros);
        out.write(zeros);
    }

    static byte[] paxRecords(Map<String, byte[]> pax) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : pax.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int rest = 1 + key.length + 1 + e.getValue().length + 1; // ' ' key '=' value '\n'
            int len = rest + 1;
            while (len != rest + Integer.toString(len).length()) {
                len = rest + Integer.toString(len).length();
            }
            b.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
            b.write(' ');
            b.writeBytes(key);
            b.write('=');
            b.writeBytes(e.getValue());
            b.write('\n');
        }
        return b.toByteArray();
    }

    private void writeHeader(String name, char type, int mode, long uid, long gid, long size, long mtime, String link,
                             int major, int minor) throws IOException {
        byte[] h = new byte[BLOCK];
        copyTruncated(name, h, 0, 100);
        octal(mode & 07777, h, 100, 8);
        octal(uid, h, 108, 8);
        octal(gid, h, 116, 8);
        octal(size, h, 124, 12);
        octal(Math.max(0, Math.min(mtime, MAX_OCTAL_11)), h, 136, 12);
        h[156] = (byte) type;
        copyTruncated(link, h, 157, 100);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        octal(major, h, 329, 8);
        octal(minor, h, 337, 8);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        String s = String.format("%06o", sum);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    private static void copyTruncated(String s, byte[] h, int off, int len) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(b.length, len));
    }

    /** {@code len - 1} zero-padded octal digits and a NUL. */
    private static void octal(long value, byte[] h, int off, int len) {
        String s = Long.toOctalString(value);
        StringBuilder padded = new StringBuilder();
        for (int i = s.length(); i < len - 1; i++) {
            padded.append('0');
        }
        padded.append(s);
        System.arraycopy(padded.toString().getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int r = (int) (size % BLOCK);
        if (r != 0) {
            out.write(zeros, 0, BLOCK - r);
        }
    }
}
