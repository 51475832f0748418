package dev.failfast.batch;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What started a run of a batch after its first: a client's redrive of some of its
 * FAILED, CANCELLED and SKIPPED jobs.
 *
 * @param requestedAt when the redrive was accepted: the run's queue time, from which its
 * deadline counts
 * @param requestedBy who asked: {@code key:<api key id>} or {@code jwt:<token subject>}
 * @param jobs how many jobs it ran again
 * @param idempotencyKey the {@code Idempotency-Key} it was sent with, if any: the same
 * key and request again answer with the batch instead of a further run
 * @param requestFingerprint a hash of that request, to tell a retry from another request
 * with the same key; null without a key
 * @param keptFailures the batch's FAILED jobs it did not run again: they count in the
 * run's failed jobs without having failed in it
 */
public record Redrive(Instant requestedAt, String requestedBy, int jobs, @Nullable String idempotencyKey,
        @Nullable String requestFingerprint, int keptFailures) {

    /** A redrive that kept no FAILED job. */
    public Redrive(Instant requestedAt, String requestedBy, int jobs, @Nullable String idempotencyKey,
            @Nullable String requestFingerprint) {
        this(requestedAt, requestedBy, jobs, idempotencyKey, requestFingerprint, 0);
    }

    public Redrive {
        Objects.requireNonNull(requestedAt, "requestedAt");
        Objects.requireNonNull(requestedBy, "requestedBy");
        if (jobs < 1) {
            throw new IllegalArgumentException("a redrive runs at least one job, not " + jobs);
        }
        if (keptFailures < 0) {
            throw new IllegalArgumentException("a redrive keeps no negative number of failures: " + keptFailures);
        }
        if ((idempotencyKey == null) != (requestFingerprint == null)) {
            throw new IllegalArgumentException("an idempotency key comes with its request's fingerprint");
        }
    }

}
