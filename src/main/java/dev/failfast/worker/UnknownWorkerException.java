package dev.failfast.worker;

import java.util.UUID;

/**
 * No live worker of the caller's tenant has this id (never registered, lost, stopped).
 */
public class UnknownWorkerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnknownWorkerException(UUID id) {
        super("Worker " + id + " not found (its lease may have expired: register again)");
    }

}
