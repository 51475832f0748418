package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens, on a connection of its own, for the notices other replicas send when they
 * record a batch's cause or have jobs to claim ({@code LISTEN}), and hands them on at
 * once. A lost connection is opened again after the poll interval; meanwhile the engine's
 * poll catches what the notices would have said.
 *
 * <p>
 * A connection can die without an error: a half-open socket (a peer or a middlebox that
 * vanished) just stops delivering notices. So every check interval the listener makes a
 * round trip on its connection ({@link Connection#isValid}, bounded by a timeout), and
 * opens a new one when it gets no answer. {@link #reconnects()} counts the connections
 * given up.
 */
final class CauseListener {

    private static final Logger log = LoggerFactory.getLogger(CauseListener.class);

    private static final int WAIT_MILLIS = 250;

    /**
     * How long a round trip on the listening connection may take before it is declared
     * dead.
     */
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    private final Duration retryInterval;

    private final BiConsumer<UUID, Integer> causeRecorded;

    private final Runnable workAvailable;

    private final AtomicLong reconnects = new AtomicLong();

    private volatile boolean stopped;

    private @Nullable Thread thread;

    CauseListener(DataSource dataSource, Duration retryInterval, BiConsumer<UUID, Integer> causeRecorded,
            Runnable workAvailable) {
        this.dataSource = dataSource;
        this.retryInterval = retryInterval;
        this.causeRecorded = causeRecorded;
        this.workAvailable = workAvailable;
    }

    void start() {
        stopped = false;
        thread = Thread.ofPlatform().name("failfast-listen").daemon().start(this::run);
    }

    void stop() {
        stopped = true;
        Thread running = thread;
        if (running != null) {
            try {
                running.join(Duration.ofMillis(WAIT_MILLIS * 4L));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Connections given up because they failed or stopped answering. */
    long reconnects() {
        return reconnects.get();
    }

    private void run() {
        while (!stopped) {
            try (Connection connection = dataSource.getConnection()) {
                listen(connection);
            }
            catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                reconnects.incrementAndGet();
                log.warn("Listening for cluster notices failed; polling meanwhile, listening again in {}",
                        retryInterval, e);
                try {
                    Thread.sleep(retryInterval);
                }
                catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void listen(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + ClusterStore.CANCEL_CHANNEL);
            statement.execute("LISTEN " + ClusterStore.WORK_CHANNEL);
        }
        boolean stoppedListening = false;
        try {
            receive(connection);
            stoppedListening = true;
        }
        finally {
            if (stoppedListening) {
                // The connection goes back to the pool: it must not keep collecting
                // notices there.
                try (Statement statement = connection.createStatement()) {
                    statement.execute("UNLISTEN *");
                }
                catch (SQLException e) {
                    log.debug("UNLISTEN failed; the pool checks the connection before lending it again", e);
                }
            }
            else {
                // Failed or dead: a statement on it could hang, and the pool must not
                // lend it again.
                abort(connection);
            }
        }
    }

    private static void abort(Connection connection) {
        try {
            connection.abort(Runnable::run);
        }
        catch (SQLException | RuntimeException e) {
            log.debug("Aborting the listening connection failed", e);
        }
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        long nextCheck = System.nanoTime() + retryInterval.toNanos();
        while (!stopped) {
            if (System.nanoTime() - nextCheck >= 0) {
                if (!connection.isValid(VALID_TIMEOUT_SECONDS)) {
                    throw new SQLException("The listening connection gave no answer within " + VALID_TIMEOUT_SECONDS
                            + " s: it is dead (a half-open socket, or the server is gone)");
                }
                nextCheck = System.nanoTime() + retryInterval.toNanos();
            }
            PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
            if (notices == null) {
                continue;
            }
            boolean work = false;
            for (PGNotification notice : notices) {
                if (ClusterStore.CANCEL_CHANNEL.equals(notice.getName())) {
                    causeNotice(notice.getParameter());
                }
                else {
                    work = true;
                }
            }
            if (work) {
                workAvailable.run();
            }
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
