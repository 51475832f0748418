package dev.failfast.engine;

import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobFailedException;
import dev.failfast.job.JobHandler;
import dev.failfast.job.JobHandlers;
import dev.failfast.job.RetryLaterException;
import java.io.IOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one attempt of a job on the current (worker) thread and reports its outcome; both
 * engines use it.
 */
public final class AttemptRunner {

    private final JobHandlers handlers;

    private final JsonMapper jsonMapper;

    private final long maxResultBytes;

    private final Deferrals deferrals;

    public AttemptRunner(JobHandlers handlers, JsonMapper jsonMapper, long maxResultBytes, Deferrals deferrals) {
        this.handlers = handlers;
        this.jsonMapper = jsonMapper;
        this.maxResultBytes = maxResultBytes;
        this.deferrals = deferrals;
    }

    /**
     * Runs a started attempt on this thread and hands its outcome to {@code finish}, even
     * when the JVM fails (the error is then rethrown).
     */
    public void run(UUID batchId, String tenant, Attempt attempt, Consumer<Outcome> finish) {
        Outcome outcome;
        try {
            outcome = execute(batchId, tenant, attempt);
        }
        catch (VirtualMachineError e) {
            attempt.detachWorker();
            finish.accept(new Outcome.Failed(errorOf(e)));
            throw e;
        }
        attempt.detachWorker();
        finish.accept(outcome);
    }

    private Outcome execute(UUID batchId, String tenant, Attempt attempt) {
        JobSpec spec = attempt.job().job().spec();
        try {
            Object result = invoke(handlers.find(spec.type()).orElseThrow(), batchId, tenant, spec,
                    attempt.job().parsedParams(), attempt);
            return succeeded(result);
        }
        catch (Throwable e) {
            if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
                throw fatal; // out of memory or a JVM fault: run() settles the attempt
                             // and rethrows
            }
            // Whatever else a handler throws, even an Error, ends its attempt; otherwise
            // the batch would never end.
            StopReason stopped = attempt.token().reason();
            if (stopped != null) {
                return new Outcome.Stopped(stopped);
            }
            if (e instanceof RetryLaterException later && deferrals.allows(attempt.job().job())) {
                return new Outcome.Deferred(errorOf(e), later.delay());
            }
            return new Outcome.Failed(errorOf(e));
        }
    }

    // The parsed params came from this handler's parseParams at submission.
    @SuppressWarnings("unchecked")
    private static <P> @Nullable Object invoke(JobHandler<P> handler, UUID batchId, String tenant, JobSpec spec,
            @Nullable Object parsedParams, Attempt attempt) throws Exception {
        P params = parsedParams != null ? (P) parsedParams : handler.parseParams(spec.params(), tenant);
        return handler.execute(
                new JobContext<>(batchId, tenant, spec.id(), spec.type(), params, attempt.number(), attempt.token()));
    }

    private Outcome succeeded(@Nullable Object result) {
        if (result == null) {
            return new Outcome.Succeeded(null);
        }
        JsonNode json = jsonMapper.valueToTree(result);
        int size = jsonMapper.writeValueAsBytes(json).length;
        if (size > maxResultBytes) {
            return new Outcome.Failed(new JobError(JobError.RESULT_TOO_LARGE,
                    "Result of " + size + " bytes exceeds the limit of " + maxResultBytes + " bytes", null));
        }
        return new Outcome.Succeeded(json);
    }

    private static JobError errorOf(Throwable e) {
        String type = switch (e) {
            case JobFailedException failed -> failed.errorType();
            case IOException ignored -> JobError.IO;
            default -> JobError.JOB_ERROR;
        };
        String message = switch (e) {
            case InterruptedException ignored -> "Interrupted although the job was not cancelled";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
        Integer httpStatus = e instanceof JobFailedException failed ? failed.httpStatus() : null;
        return new JobError(type, message, e.getClass().getName(), httpStatus);
    }

}
