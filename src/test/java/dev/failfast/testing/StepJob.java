package dev.failfast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobFailedException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Job type {@code step} for tests that tell a story step by step: a job with params
 * {@code {"gate": name, "fail": true|false}} signals that its attempt started, then waits
 * until the test {@linkplain #open opens} its gate and succeeds, or fails with
 * {@code JOB_ERROR} if {@code fail}; a gate never opened holds the job until its
 * cancellation interrupts it. One instance per test: its gates are its own.
 */
public final class StepJob extends RawParamsHandler {

    private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();

    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();

    public StepJob() {
        super("step");
    }

    /** A {@code step} job that waits at {@code gate}, then succeeds or fails. */
    public static JobSpec job(String id, String gate, boolean fail) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("gate", gate).put("fail", fail);
        return new JobSpec(id, "step", params, null, RetryPolicy.NONE);
    }

    /** Waits until an attempt of job {@code jobId} started (a few seconds at most). */
    public void awaitStarted(String jobId) throws InterruptedException {
        assertThat(latch(started, jobId).await(30, TimeUnit.SECONDS)).as("job %s started", jobId).isTrue();
    }

    /** Lets the jobs waiting at {@code gate}, now or later, end. */
    public void open(String gate) {
        latch(gates, gate).countDown();
    }

    @Override
    public @Nullable Object execute(JobContext<ObjectNode> context) throws Exception {
        latch(started, context.jobId()).countDown();
        latch(gates, context.params().get("gate").asString()).await();
        if (context.params().path("fail").asBoolean()) {
            throw new JobFailedException("JOB_ERROR", "step " + context.jobId() + " failed");
        }
        return null;
    }

    private static CountDownLatch latch(Map<String, CountDownLatch> latches, String name) {
        return latches.computeIfAbsent(name, n -> new CountDownLatch(1));
    }

}
