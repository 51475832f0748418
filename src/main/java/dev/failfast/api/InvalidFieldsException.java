package dev.failfast.api;

import java.util.List;

/** A request the web layer found invalid after binding: a 400 naming each bad field. */
class InvalidFieldsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<ProblemHandler.FieldProblem> errors;

    InvalidFieldsException(List<ProblemHandler.FieldProblem> errors) {
        super(errors.size() + " invalid field(s)");
        this.errors = List.copyOf(errors);
    }

    List<ProblemHandler.FieldProblem> errors() {
        return errors;
    }

}
