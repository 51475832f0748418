package dev.failfast.engine;

import java.util.List;

/**
 * A submitted batch breaks a rule only the engine can check (job types, their params,
 * unique ids).
 */
public final class InvalidBatchException extends RuntimeException {

    private final List<Violation> violations;

    public InvalidBatchException(List<Violation> violations) {
        super("Invalid batch: " + violations.size() + " problem(s), first: " + violations.getFirst());
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    /**
     * @param field the field's path in the request, e.g. {@code jobs[3].params.duration}
     * @param message what is wrong with it
     */
    public record Violation(String field, String message) {
    }

}
