package dev.failfast.store;

import java.util.List;

/**
 * One page of a list and where it lies in the whole.
 *
 * @param content the elements on this page
 * @param request which page this is
 * @param totalElements elements over all pages
 */
public record Page<T>(List<T> content, PageRequest request, long totalElements) {

    public Page {
        content = List.copyOf(content);
    }

    public long totalPages() {
        return (totalElements + request.size() - 1) / request.size();
    }
}
