package dev.failfast.api;

import dev.failfast.job.HttpLoopMarker;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Refuses, with 508 Loop Detected, every request that carries the header each
 * {@code http} job request carries ({@link HttpLoopMarker#HEADER}): an {@code http} job
 * that calls Failfast itself, through whatever address or ingress, cannot submit, cancel
 * or read anything. Runs before Spring Security, so the refusal does not depend on the
 * credentials the job sent.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class LoopedRequestFilter extends OncePerRequestFilter {

    private final HandlerExceptionResolver problems;

    LoopedRequestFilter(@Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getHeader(HttpLoopMarker.HEADER) != null) {
            problems.resolveException(request, response, null, new LoopDetectedException());
            return;
        }
        chain.doFilter(request, response);
    }

    /** A request sent by one of Failfast's own {@code http} jobs. */
    static final class LoopDetectedException extends RuntimeException {

        LoopDetectedException() {
            super("The request comes from a Failfast http job (it carries " + HttpLoopMarker.HEADER
                    + "); jobs may not call Failfast itself");
        }

    }

}
