package dev.failfast.security;

import org.springframework.security.access.AccessDeniedException;

/** The caller is authenticated but lacks the scope the operation needs. */
public class MissingScopeException extends AccessDeniedException {

    private static final long serialVersionUID = 1L;

    private final Scope required;

    MissingScopeException(Scope required) {
        this(required, "This operation needs the scope " + required.value() + " (or admin)");
    }

    private MissingScopeException(Scope required, String message) {
        super(message);
        this.required = required;
    }

    /** A refusal the web layer decides itself, such as a filter on another tenant. */
    public static MissingScopeException of(Scope required, String message) {
        return new MissingScopeException(required, message);
    }

    /** The scope the operation needs. */
    public Scope required() {
        return required;
    }

}
