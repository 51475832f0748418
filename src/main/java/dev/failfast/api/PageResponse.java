package dev.failfast.api;

import dev.failfast.store.Page;
import java.util.List;
import java.util.function.Function;

/** One page of a list, in Spring's {@code PagedModel} shape. */
record PageResponse<T>(List<T> content, PageMetadata page) {

    static <S, T> PageResponse<T> of(Page<S> page, Function<S, T> mapper) {
        return new PageResponse<>(page.content().stream().map(mapper).toList(), new PageMetadata(page.request().size(),
                page.request().number(), page.totalElements(), page.totalPages()));
    }

    record PageMetadata(long size, long number, long totalElements, long totalPages) {
    }
}
