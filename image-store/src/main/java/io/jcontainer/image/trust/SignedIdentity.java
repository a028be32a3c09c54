package io.jcontainer.image.trust;

import io.jcontainer.image.ImageReference;
import java.util.Objects;

/**
 * The {@code signedIdentity} of a {@code signedBy} or {@code sigstoreSigned} requirement (containers-policy.json(5)):
 * how the reference a signature names must relate to the reference the image is pulled as.
 */
public sealed interface SignedIdentity {
    /** The {@code type} as the policy file spells it. */
    String type();

    /**
     * Whether a signature naming {@code signed} may vouch for the image pulled as {@code image}. Both are
     * normalized references (registry, repository, tag and/or digest).
     */
    boolean matches(ImageReference image, ImageReference signed);

    /** The default: a digest reference needs the same repository, a tagged one the same repository and tag. */
    record MatchRepoDigestOrExact() implements SignedIdentity {
        @Override
        public String type() {
            return "matchRepoDigestOrExact";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            // containers/image: a tagged reference (with or without a digest) exactly; a digest reference by its
            // repository, as the manifest digest is checked against the signature's anyway.
            return image.tag() != null ? image.equals(signed) : sameRepository(image, signed);
        }
    }

    /** Exactly the same reference: registry, repository, tag and digest. */
    record MatchExact() implements SignedIdentity {
        @Override
        public String type() {
            return "matchExact";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            return image.equals(signed);
        }
    }

    /** The same repository, whatever the tags. */
    record MatchRepository() implements SignedIdentity {
        @Override
        public String type() {
            return "matchRepository";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            return sameRepository(image, signed);
        }
    }

    /** The signature names exactly {@code reference}, whatever the image is pulled as (a mirror). */
    record ExactReference(ImageReference reference) implements SignedIdentity {
        public ExactReference {
            Objects.requireNonNull(reference);
        }

        @Override
        public String type() {
            return "exactReference";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            return reference.equals(signed);
        }
    }

    /** The signature names {@code repository} ({@code registry/path}), whatever tag. */
    record ExactRepository(String repository) implements SignedIdentity {
        @Override
        public String type() {
            return "exactRepository";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            return signed.name().equals(repository);
        }
    }

    /**
     * An image whose name starts with {@code prefix} (on whole components) is matched as if its name started with
     * {@code signedPrefix}, by {@link MatchRepoDigestOrExact}; other images as they are.
     */
    record RemapIdentity(String prefix, String signedPrefix) implements SignedIdentity {
        @Override
        public String type() {
            return "remapIdentity";
        }

        @Override
        public boolean matches(ImageReference image, ImageReference signed) {
            return new MatchRepoDigestOrExact().matches(remap(image), signed);
        }

        ImageReference remap(ImageReference image) {
            String name = image.name();
            if (!Scopes.within(name, prefix)) {
                return image;
            }
            String mapped = signedPrefix + name.substring(prefix.length());
            try {
                ImageReference r = ImageReference.parse(mapped);
                return new ImageReference(r.registry(), r.repository(), image.tag(), image.digest());
            } catch (io.jcontainer.image.ImageStoreException e) {
                return image; // the policy parser checks that both prefixes remap to valid names
            }
        }
    }

    private static boolean sameRepository(ImageReference a, ImageReference b) {
        return a.registry().equals(b.registry()) && a.repository().equals(b.repository());
    }
}
