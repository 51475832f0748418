package dev.failfast.engine;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A platform thread of its own that runs a poll every interval until interrupted, so that
 * a slow database delays only that poll, never the job timers. A poll that throws (the
 * database is unreachable, say) is logged, and the next one runs on time.
 */
public final class PollingThread {

    private static final Logger log = LoggerFactory.getLogger(PollingThread.class);

    private PollingThread() {
    }

    /** Starts the thread; interrupt it to stop. */
    public static Thread start(String name, Duration interval, Runnable poll) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(interval);
                }
                catch (InterruptedException e) {
                    return;
                }
                try {
                    poll.run();
                }
                catch (RuntimeException e) {
                    log.warn("{} failed; trying again in {}", name, interval, e);
                }
            }
        });
    }

}
