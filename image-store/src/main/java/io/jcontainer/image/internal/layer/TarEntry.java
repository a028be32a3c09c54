package io.jcontainer.image.internal.layer;

import java.util.Map;

/**
 * One tar entry's header, after GNU long names and PAX records are folded in.
 *
 * @param unsafePath the path exactly as the archive gives it: not yet resolved inside any root
 * @param unsafeLinkTarget symlink text or hardlink target path as the archive gives it (null if none)
 * @param xattrs PAX {@code SCHILY.xattr.*} values, byte for byte
 */
public record TarEntry(Type type, String unsafePath, String unsafeLinkTarget, int mode, long uid, long gid, long size,
                       long mtimeSeconds, int mtimeNanos, int devMajor, int devMinor, Map<String, byte[]> xattrs) {
    /** The entry kinds a layer may contain. */
    public enum Type { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO }
}
