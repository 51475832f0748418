package dev.failfast.store;

/**
 * One page of a list.
 *
 * @param number zero-based page number
 * @param size elements per page
 */
public record PageRequest(int number, int size) {

    public PageRequest {
        if (number < 0) {
            throw new IllegalArgumentException("page number must not be negative, was " + number);
        }
        if (size < 1) {
            throw new IllegalArgumentException("page size must be at least 1, was " + size);
        }
    }

    public long offset() {
        return (long) number * size;
    }
}
