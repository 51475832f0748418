package dev.failfast.api;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.PageRequest;
import java.util.List;

/**
 * The bounds of a list page: its size is cut to {@code failfast.limits.max-page-size},
 * and a page of a list that grows without bound (batches, API keys) may start at most
 * {@code failfast.limits.max-page-offset} rows in. A database skips an offset by reading
 * every row before it, so {@code page=10000000} would be a scan of ten million rows per
 * request; filters narrow a list instead.
 */
final class PageLimits {

    private final int maxPageSize;

    private final long maxPageOffset;

    PageLimits(FailfastProperties.Limits limits) {
        this.maxPageSize = limits.maxPageSize();
        this.maxPageOffset = limits.maxPageOffset();
    }

    /** A page of a batch's jobs, read by position: any depth is cheap. */
    PageRequest byPosition(int page, int size) {
        return new PageRequest(page, Math.min(size, maxPageSize));
    }

    /**
     * A page of a list read by offset.
     * @param narrowing how to narrow the list, for the error message
     * @throws InvalidFieldsException naming {@code page} when it starts too deep
     */
    PageRequest byOffset(int page, int size, String narrowing) {
        PageRequest request = byPosition(page, size);
        if (request.offset() > maxPageOffset) {
            throw new InvalidFieldsException(List.of(new ProblemHandler.FieldProblem("page",
                    "page × size may be at most " + maxPageOffset + " (failfast.limits.max-page-offset), was "
                            + request.offset() + "; narrow the list with " + narrowing + " instead")));
        }
        return request;
    }

}
