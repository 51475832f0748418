package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens, on a connection of its own, for the notices other replicas send when they record a
 * batch's cause or have jobs to claim ({@code LISTEN}), and hands them on at once. A lost
 * connection is opened again after the poll interval; meanwhile the engine's poll catches what
 * the notices would have said.
 */
final class CauseListener {

    private static final Logger log = LoggerFactory.getLogger(CauseListener.class);
    private static final int WAIT_MILLIS = 250;

    private final DataSource dataSource;
    private final Duration retryInterval;
    private final Consumer<UUID> causeRecorded;
    private final Runnable workAvailable;
    private volatile boolean stopped;
    private @Nullable Thread thread;

    CauseListener(DataSource dataSource, Duration retryInterval, Consumer<UUID> causeRecorded, Runnable workAvailable) {
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
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (!stopped) {
            try (Connection connection = dataSource.getConnection()) {
                listen(connection);
            } catch (SQLException | RuntimeException e) {
                if (stopped) {
                    return;
                }
                log.warn("Listening for cluster notices failed; polling meanwhile, listening again in {}", retryInterval, e);
                try {
                    Thread.sleep(retryInterval);
                } catch (InterruptedException interrupted) {
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
        try {
            receive(connection);
        } finally {
            // The connection goes back to the pool: it must not keep collecting notices there.
            try (Statement statement = connection.createStatement()) {
                statement.execute("UNLISTEN *");
            } catch (SQLException e) {
                log.debug("UNLISTEN failed; the pool checks the connection before lending it again", e);
            }
        }
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (!stopped) {
            PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
            if (notices == null) {
                continue;
            }
            boolean work = false;
            for (PGNotification notice : notices) {
                if (ClusterStore.CANCEL_CHANNEL.equals(notice.getName())) {
                    causeRecorded.accept(UUID.fromString(notice.getParameter()));
                } else {
                    work = true;
                }
            }
            if (work) {
                workAvailable.run();
            }
        }
    }
}
