package dev.failfast.security;

import org.springframework.security.core.AuthenticationException;

/**
 * A credential that could not be checked, because what checks it (the database, the token
 * issuer) is unavailable: answered 503, so clients retry instead of discarding a good
 * key.
 */
public class CredentialsUncheckableException extends AuthenticationException {

    private static final long serialVersionUID = 1L;

    CredentialsUncheckableException(String message, Throwable cause) {
        super(message, cause);
    }

}
