package dev.failfast.engine;

/** Why a cancellation token was cancelled. */
public enum StopReason {

    /** The batch was cancelled (any cause). */
    BATCH_CANCELLED,
    /** The attempt ran past its job's timeout. */
    TIMEOUT

}
