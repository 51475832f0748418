package dev.failfast.batch;

/**
 * A state machine was asked for a transition it does not allow: always a bug in the
 * engine.
 */
public final class IllegalStateTransitionException extends IllegalStateException {

    public IllegalStateTransitionException(String what, Enum<?> from, Enum<?> to) {
        super("Illegal " + what + " state transition " + from + " -> " + to);
    }

}
