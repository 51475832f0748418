package dev.failfast.worker;

import java.util.UUID;

/**
 * A worker reported on an attempt it does not hold: never claimed, reported already, lost
 * with its lease, or given up by the engine after a cancel it ignored.
 */
public class AttemptNotHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AttemptNotHeldException(UUID workerId, UUID attemptId) {
        super("Worker " + workerId + " does not hold attempt " + attemptId
                + " (never claimed, reported already, lost with its lease, or given up after a cancel)");
    }

}
