package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.TestDatabases;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The notice listener on a real PostgreSQL server behind a proxy: a connection that
 * silently stops delivering (a half-open socket) is found dead, counted, and replaced,
 * and notices flow again.
 */
class CauseListenerTest {

    private HikariDataSource direct;

    private HikariDataSource viaProxy;

    private FreezingProxy proxy;

    private CauseListener listener;

    /** Each notice heard, as batch id and run: {@code <id>:<run>}. */
    private final Set<String> heard = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() throws Exception {
        direct = TestDatabases.postgres("failfast_listener_test"); // skips (or fails
                                                                   // under CI) without a
                                                                   // server
        proxy = new FreezingProxy(5432);
        viaProxy = new HikariDataSource();
        viaProxy.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test");
        viaProxy.setUsername("postgres");
        viaProxy.setMaximumPoolSize(2);
        listener = new CauseListener(viaProxy, Duration.ofMillis(200), (id, run) -> heard.add(id + ":" + run), () -> {
        });
        listener.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        listener.stop();
        proxy.close();
        viaProxy.close();
        direct.close();
    }

    @Test
    void aListeningConnectionThatStopsAnsweringIsReplacedAndNoticesFlowAgain() {
        UUID before = UUID.randomUUID();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            notifyCause(before + ":3"); // again until the listener is listening
            return heard.contains(before + ":3");
        });

        proxy.freezeOpenConnections();

        await().atMost(Duration.ofSeconds(15)).until(() -> listener.reconnects() >= 1);
        UUID after = UUID.randomUUID();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            notifyCause(after.toString()); // run 1, as replicas of earlier versions send
                                           // it
            return heard.contains(after + ":1");
        });
        assertThat(listener.reconnects()).isOne();
    }

    private void notifyCause(String payload) {
        JdbcClient.create(direct)
            .sql("SELECT pg_notify(?, ?)")
            .params(ClusterStore.CANCEL_CHANNEL, payload)
            .query((rs, row) -> null)
            .list();
    }

}
