package dev.failfast.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** The wait of {@link OfferedAttempt#awaitReport}, for the registries' offers. */
final class Reports {

    private Reports() {
    }

    /**
     * Waits up to {@code timeout} for {@code report}.
     * @return the report, or null when {@code timeout} passed first
     */
    static @Nullable AttemptReport await(CompletableFuture<AttemptReport> report, Duration timeout)
            throws InterruptedException {
        try {
            return report.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException e) {
            return null;
        }
        catch (ExecutionException e) {
            throw new IllegalStateException("A report is never completed exceptionally", e);
        }
    }

}
