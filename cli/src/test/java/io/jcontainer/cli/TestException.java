package io.jcontainer.cli;

/** Stands for a module's own exception type (ImageStoreException, MachinedException, ...). */
final class TestException extends RuntimeException {
    TestException(String message) {
        super(message);
    }
}
