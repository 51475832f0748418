package dev.failfast.worker;

import dev.failfast.batch.JobError;
import dev.failfast.job.CancellationToken;
import dev.failfast.job.JobCancelledException;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobFailedException;
import dev.failfast.job.JobHandler;
import dev.failfast.job.RetryLaterException;
import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code remote:<name>} job types: an attempt waits on its engine thread for a worker
 * serving {@code <name>} to claim it and report. Holding the thread is what lets every
 * rule of local attempts apply unchanged (parallelism, quotas, timeout, grace and
 * abandonment); its cost is one executor thread per remote attempt in flight, waiting or
 * running (docs/workers.md).
 *
 * <p>
 * On a cancel the worker is told at once (on the cancelling thread, by the token's
 * callback). The handler then waits for the worker to report that it stopped, for the
 * cancel grace period and a margin: a worker that stops in time ends the job
 * {@code CANCELLED}; one that does not is abandoned by the engine at the grace period, as
 * a local thread would be, and the handler frees the thread a little later.
 */
@Component
final class RemoteJobHandler implements JobHandler<ObjectNode> {

    static final String PREFIX = "remote:";

    /** The wait between checks of the token, in case an interrupt went missing. */
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    private final RemoteAttempts attempts;

    private final Duration cancelGrace;

    RemoteJobHandler(RemoteAttempts attempts, FailfastProperties properties) {
        this.attempts = attempts;
        this.cancelGrace = properties.engine().cancelGrace();
    }

    @Override
    public String type() {
        return PREFIX;
    }

    /** Remote params are the worker's business: they are passed on as they are. */
    @Override
    public ObjectNode parseParams(ObjectNode params, String tenant) {
        return params;
    }

    @Override
    public @Nullable Object execute(JobContext<ObjectNode> context) throws Exception {
        var offer = new RemoteOffer(UUID.randomUUID(), context.batchId(), context.tenant(), context.jobId(),
                context.type().substring(PREFIX.length()), context.params(), context.attempt());
        CancellationToken token = context.cancellation();
        // The cause may have come between the attempt's start and here: offer nothing
        // then.
        token.throwIfCancelled();
        try (OfferedAttempt offered = attempts.offer(offer, token)) {
            AttemptReport report;
            CancellationToken.Registration onCancel = token.onCancel(() -> offered.cancel(reasonOf(token)));
            try {
                report = awaitReport(offered, token);
            }
            finally {
                onCancel.close();
            }
            if (report == null) {
                report = stopped(offered, token);
                if (!(report instanceof AttemptReport.Completed)) {
                    throw new JobCancelledException();
                }
            }
            return outcome(report);
        }
    }

    /** The worker's report, or null once the token is cancelled. */
    private static @Nullable AttemptReport awaitReport(OfferedAttempt offered, CancellationToken token)
            throws InterruptedException {
        while (!token.isCancelled()) {
            try {
                AttemptReport report = offered.awaitReport(CHECK_EVERY);
                if (report != null) {
                    return report;
                }
            }
            catch (InterruptedException e) {
                if (!token.isCancelled()) {
                    throw e; // the service stops
                }
            }
        }
        return null;
    }

    /**
     * Waits for the cancelled attempt's worker to report that it stopped, up to the grace
     * period (an attempt no worker had claimed was withdrawn at once). Past it the
     * worker's reports are refused, and the thread waits a margin more, so that the
     * engine's abandonment comes first and the job is not reported cancelled while its
     * worker still runs it.
     */
    private @Nullable AttemptReport stopped(OfferedAttempt offered, CancellationToken token) {
        if (!offered.cancel(reasonOf(token))) {
            return null;
        }
        boolean interrupted = false;
        try {
            AttemptReport report = awaitStopped(offered, cancelGrace);
            if (report != null) {
                return report;
            }
            offered.close();
            long until = System.nanoTime() + RemoteAttempts.ABANDON_MARGIN.toNanos();
            for (long left = RemoteAttempts.ABANDON_MARGIN.toNanos(); left > 0; left = until - System.nanoTime()) {
                LockSupport.parkNanos(left);
                interrupted |= Thread.interrupted();
            }
            return null;
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits up to {@code timeout}, through the cancel's own interrupt (kept for the
     * caller to see), for a report that says the worker stopped: any report but
     * {@link AttemptReport.Lost}, as a worker lost with its lease may still run the
     * attempt, so it is left to the engine's abandonment.
     * @return the report, or null when none came
     */
    private static @Nullable AttemptReport awaitStopped(OfferedAttempt offered, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                try {
                    AttemptReport report = offered.awaitReport(Duration.ofNanos(left));
                    if (report instanceof AttemptReport.Lost) {
                        LockSupport.parkNanos(deadline - System.nanoTime()); // nothing
                                                                             // more will
                                                                             // come
                        interrupted |= Thread.interrupted();
                        return null;
                    }
                    return report;
                }
                catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return null;
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String reasonOf(CancellationToken token) {
        String reason = token.cancelReason();
        return reason == null ? "BATCH_CANCELLED" : reason;
    }

    private static @Nullable JsonNode outcome(AttemptReport report) throws JobFailedException {
        return switch (report) {
            case AttemptReport.Completed(JsonNode result) -> result;
            case AttemptReport.Failed(String type, String message, Integer status, Duration retryAfter) -> {
                if (retryAfter != null) {
                    throw new RetryLaterException(retryAfter, type, message, status);
                }
                throw new JobFailedException(type, message, null, status);
            }
            case AttemptReport.Lost(String message) -> throw new JobFailedException(JobError.WORKER_LOST, message);
            case AttemptReport.Forgotten(String message) -> throw new JobFailedException(JobError.WORKER_LOST, message);
        };
    }

}
