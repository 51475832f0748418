package dev.failfast.job;

import java.util.List;

/** A job's params do not fit its type; each problem names the param it is about. */
public class InvalidJobParamsException extends RuntimeException {

    private final List<ParamError> errors;

    public InvalidJobParamsException(List<ParamError> errors) {
        super("Invalid job params: " + errors);
        this.errors = List.copyOf(errors);
    }

    public InvalidJobParamsException(String param, String message) {
        this(List.of(new ParamError(param, message)));
    }

    public List<ParamError> errors() {
        return errors;
    }

    /**
     * One bad param.
     *
     * @param param the param's path within the job's params, e.g. {@code duration} or
     * {@code headers.Accept}
     * @param message what is wrong with it
     */
    public record ParamError(String param, String message) {
    }

}
