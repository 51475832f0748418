package dev.failfast.batch;

/**
 * Something changed in a batch. Events of one batch are published in the order they
 * happened.
 */
public sealed interface BatchEvent {

    /** The batch as it stands after the change. */
    Batch batch();

    /** The batch was accepted, all its jobs PENDING. */
    record Submitted(Batch batch) implements BatchEvent {
    }

    /** A job changed state (or recorded a failed attempt before a retry). */
    record JobChanged(Batch batch, Job job) implements BatchEvent {
    }

    /** The batch changed state; {@code previous} is the state it left. */
    record BatchChanged(Batch batch, BatchState previous) implements BatchEvent {
    }

}
