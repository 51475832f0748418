package dev.failfast.security;

import org.springframework.security.access.AccessDeniedException;

/** The caller is authenticated but lacks the scope the operation needs. */
public class MissingScopeException extends AccessDeniedException {

    private static final long serialVersionUID = 1L;

    private final Scope required;

    MissingScopeException(Scope required) {
        super("This operation needs the scope " + required.value() + " (or admin)");
        this.required = required;
    }

    /** The scope the operation needs. */
    public Scope required() {
        return required;
    }

}
