package dev.failfast.testing;

import dev.failfast.job.JobContext;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Job type {@code gate} for tests: a job with params {@code {"gate": name}} runs until
 * the test {@linkplain #open opens} that gate (or the job is cancelled), then succeeds. A
 * test decides exactly when each job ends, without sleeping.
 */
public final class GateJob extends RawParamsHandler {

    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    public GateJob() {
        super("gate");
    }

    /** A gate name no other test uses. */
    public static String newGate(String name) {
        return name + "-" + UUID.randomUUID();
    }

    /** Lets the jobs waiting at {@code gate}, now or later, succeed. */
    public static void open(String gate) {
        latch(gate).countDown();
    }

    /** A {@code gate} job. */
    public static Map<String, Object> job(String id, String gate) {
        return Map.of("id", id, "type", "gate", "params", Map.of("gate", gate));
    }

    @Override
    public @Nullable Object execute(JobContext<ObjectNode> context) throws Exception {
        latch(context.params().get("gate").asString()).await();
        return null;
    }

    private static CountDownLatch latch(String gate) {
        return GATES.computeIfAbsent(gate, name -> new CountDownLatch(1));
    }

}
