package dev.failfast.job;

/**
 * Thrown by a JSON creator of a params type when the value it reads has the wrong shape;
 * {@link JsonErrors} gives the client its message, under the path of the value. The
 * message must say what is expected, never repeat the value (it may be a credential).
 */
class InvalidParamValueException extends IllegalArgumentException {

    InvalidParamValueException(String message) {
        super(message);
    }

}
