package dev.failfast.engine;

/** The engine is shutting down and takes no new batches. */
public final class EngineUnavailableException extends RuntimeException {

    public EngineUnavailableException(String message) {
        super(message);
    }

}
