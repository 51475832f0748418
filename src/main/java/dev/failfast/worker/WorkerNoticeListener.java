package dev.failfast.worker;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens ({@code LISTEN}), on a connection of its own, for the notices replicas send on
 * {@link JdbcRemoteAttempts#CHANNEL}, and hands each payload on at once, on its own
 * thread. A lost connection is opened again after the retry interval; meanwhile the
 * registry's poll catches what the notices would have said. Like the engine's cause
 * listener, it makes a round trip on its connection every retry interval, so a connection
 * that died silently (a half-open socket) is found and replaced.
 */
final class WorkerNoticeListener {

    private static final Logger log = LoggerFactory.getLogger(WorkerNoticeListener.class);

    private static final int WAIT_MILLIS = 250;

    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    private final Duration retryInterval;

    private final Consumer<String> notice;

    private final AtomicLong reconnects = new AtomicLong();

    private volatile boolean stopped;

    private volatile boolean listening;

    private @Nullable Thread thread;

    WorkerNoticeListener(DataSource dataSource, Duration retryInterval, Consumer<String> notice) {
        this.dataSource = dataSource;
        this.retryInterval = retryInterval;
        this.notice = notice;
    }

    void start() {
        stopped = false;
        thread = Thread.ofPlatform().name("failfast-workers-listen").daemon().start(this::run);
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

    /** Whether the connection listens now (notices sent from now on are heard). */
    boolean listening() {
        return listening;
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
                listening = false;
                if (stopped) {
                    return;
                }
                reconnects.incrementAndGet();
                log.warn("Listening for remote worker notices failed; polling meanwhile, listening again in {}",
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
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + JdbcRemoteAttempts.CHANNEL);
        }
        listening = true;
        boolean stoppedListening = false;
        try {
            receive(connection);
            stoppedListening = true;
        }
        finally {
            listening = false;
            if (stoppedListening) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("UNLISTEN *");
                }
                catch (SQLException e) {
                    log.debug("UNLISTEN failed; the pool checks the connection before lending it again", e);
                }
            }
            else {
                try {
                    connection.abort(Runnable::run);
                }
                catch (SQLException | RuntimeException e) {
                    log.debug("Aborting the listening connection failed", e);
                }
            }
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
            for (PGNotification received : notices) {
                try {
                    notice.accept(received.getParameter());
                }
                catch (RuntimeException e) {
                    log.warn("A remote worker notice could not be handled", e);
                }
            }
        }
    }

}
