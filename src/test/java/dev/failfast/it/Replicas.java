package dev.failfast.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Failfast replicas in cluster mode: built jars, each a separate process, on one schema
 * of the PostgreSQL test database, with that database at hand to check what they wrote.
 * Skips the test when PostgreSQL is not reachable, unless {@code CI=true}: then it fails.
 */
final class Replicas implements AutoCloseable {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

    private final Path logDir;

    private final String schema;

    private final List<String> commonArgs;

    private final Map<String, ServiceProcess> replicas = new LinkedHashMap<>();

    private final SingleConnectionDataSource database;

    final JdbcClient sql;

    private Replicas(Path logDir, String schema, List<String> commonArgs, SingleConnectionDataSource database) {
        this.logDir = logDir;
        this.schema = schema;
        this.commonArgs = commonArgs;
        this.database = database;
        this.sql = JdbcClient.create(database);
    }

    /** An empty schema {@code schema}; replicas are started with {@link #start}. */
    static Replicas on(Path logDir, String schema, String... commonArgs) {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
                var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            statement.execute("CREATE SCHEMA " + schema);
        }
        catch (SQLException e) {
            if (!"true".equals(System.getenv("CI"))) {
                assumeTrue(false, "PostgreSQL is not reachable at " + URL + " (" + e.getMessage()
                        + "); start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start");
            }
            throw new IllegalStateException("PostgreSQL must be reachable when CI=true", e);
        }
        var database = new SingleConnectionDataSource(URL + "?currentSchema=" + schema, "postgres", "", true);
        return new Replicas(logDir, schema, List.of(commonArgs), database);
    }

    /**
     * Starts a replica named {@code name} (its node ids start with it) and waits until it
     * is ready.
     */
    ServiceProcess start(String name, String... args) throws IOException {
        List<String> all = new ArrayList<>(commonArgs);
        all.add("--failfast.cluster.node-name=" + name);
        all.addAll(List.of(args));
        var replica = ServiceProcess.startReplica(logDir.resolve(name + "-" + UUID.randomUUID() + ".log"), schema,
                all.toArray(String[]::new));
        replicas.put(name, replica);
        return replica;
    }

    ServiceProcess get(String name) {
        return replicas.get(name);
    }

    /** The replica name that owns each job of a batch (jobs that never ran have none). */
    Map<String, String> ownerOfEachJob(String batchId) {
        Map<String, String> owners = new LinkedHashMap<>();
        sql.sql("SELECT id, owner_node FROM job WHERE batch_id = ? ORDER BY seq")
            .param(UUID.fromString(batchId))
            .query((rs, row) -> owners.put(rs.getString("id"), replicaName(rs.getString("owner_node"))))
            .list();
        return owners;
    }

    /** Node ids are the replica's name, a dash and eight random characters. */
    static String replicaName(String node) {
        return node == null ? "none" : node.substring(0, node.length() - 9);
    }

    @Override
    public void close() {
        replicas.values().forEach(ServiceProcess::close);
        database.destroy();
    }

}
