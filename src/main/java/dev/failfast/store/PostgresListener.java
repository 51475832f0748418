package dev.failfast.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens ({@code LISTEN}), on a connection of its own and a thread of its own, for the
 * notices sent on some channels, and hands each batch of them on at once. A lost
 * connection is opened again after the retry interval; meanwhile its user's poll catches
 * what the notices would have said.
 *
 * <p>
 * A connection can die without an error: a half-open socket (a peer or a middlebox that
 * vanished) just stops delivering notices. So every retry interval the listener makes a
 * round trip on its connection ({@link Connection#isValid}, bounded by a timeout), and
 * opens a new one when it gets no answer. {@link #reconnects()} counts the connections
 * given up.
 */
public final class PostgresListener {

    /** A notice as received: its channel, and its payload. */
    public record Notice(String channel, String payload) {
    }

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    private static final int WAIT_MILLIS = 250;

    /**
     * How long a round trip on the listening connection may take before it is declared
     * dead.
     */
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    private final Duration retryInterval;

    private final String name;

    private final List<String> channels;

    private final Consumer<List<Notice>> notices;

    private final AtomicLong reconnects = new AtomicLong();

    private volatile boolean stopped;

    private volatile boolean listening;

    private @Nullable Thread thread;

    /**
     * @param name names the thread ({@code failfast-<name>}) and the log lines
     * @param notices called on the listener's thread with the notices of each receive; an
     * exception it throws is logged, and the next notices are handed on still
     */
    public PostgresListener(DataSource dataSource, Duration retryInterval, String name, List<String> channels,
            Consumer<List<Notice>> notices) {
        this.dataSource = dataSource;
        this.retryInterval = retryInterval;
        this.name = name;
        this.channels = List.copyOf(channels);
        this.notices = notices;
    }

    public void start() {
        stopped = false;
        thread = Thread.ofPlatform().name("failfast-" + name).daemon().start(this::run);
    }

    public void stop() {
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
    public boolean listening() {
        return listening;
    }

    /** Connections given up because they failed or stopped answering. */
    public long reconnects() {
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
                log.warn("Listening for {} notices failed; polling meanwhile, listening again in {}", name,
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
            for (String channel : channels) {
                statement.execute("LISTEN " + channel);
            }
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
            PGNotification[] received = pg.getNotifications(WAIT_MILLIS);
            if (received == null || received.length == 0) {
                continue;
            }
            List<Notice> batch = new ArrayList<>(received.length);
            for (PGNotification notice : received) {
                batch.add(new Notice(notice.getName(), notice.getParameter()));
            }
            try {
                notices.accept(batch);
            }
            catch (RuntimeException e) {
                log.warn("Notices on {} could not be handled", name, e);
            }
        }
    }

}
