package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore;
import dev.failfast.store.PostgresListener;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.BiConsumer;
import javax.sql.DataSource;

/**
 * Hears the notices other replicas send when they record a batch's cause or have jobs to
 * claim, on a {@link PostgresListener} of its own, and hands them on at once: each cause,
 * and one wake-up for however many work notices came together. A lost connection is
 * opened again after the poll interval; meanwhile the engine's poll catches what the
 * notices would have said.
 */
final class CauseListener {

    private final PostgresListener listener;

    private final BiConsumer<UUID, Integer> causeRecorded;

    private final Runnable workAvailable;

    CauseListener(DataSource dataSource, Duration retryInterval, BiConsumer<UUID, Integer> causeRecorded,
            Runnable workAvailable) {
        this.causeRecorded = causeRecorded;
        this.workAvailable = workAvailable;
        this.listener = new PostgresListener(dataSource, retryInterval, "listen",
                List.of(ClusterStore.CANCEL_CHANNEL, ClusterStore.WORK_CHANNEL), this::received);
    }

    void start() {
        listener.start();
    }

    void stop() {
        listener.stop();
    }

    /** Connections given up because they failed or stopped answering. */
    long reconnects() {
        return listener.reconnects();
    }

    private void received(List<PostgresListener.Notice> notices) {
        boolean work = false;
        for (PostgresListener.Notice notice : notices) {
            if (ClusterStore.CANCEL_CHANNEL.equals(notice.channel())) {
                causeNotice(notice.payload());
            }
            else {
                work = true;
            }
        }
        if (work) {
            workAvailable.run();
        }
    }

    /**
     * {@code <batch id>:<run>}, or a bare batch id for run 1 (see
     * {@code LockedBatch#announceCause}), as replicas of earlier versions, which know no
     * redrive, send it.
     */
    private void causeNotice(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            causeRecorded.accept(UUID.fromString(payload), 1);
        }
        else {
            causeRecorded.accept(UUID.fromString(payload.substring(0, colon)),
                    Integer.parseInt(payload.substring(colon + 1)));
        }
    }

}
