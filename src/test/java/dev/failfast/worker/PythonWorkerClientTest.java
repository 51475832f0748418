package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Python worker client ({@code clients/python}) passes its own tests against this
 * service: {@code python3 -m unittest} with {@code FAILFAST_URL} and a key of scopes
 * {@code batches:read/write/cancel} and {@code workers:run} in its environment. Without a
 * {@code python3} (3.9+) on the PATH the test is skipped, unless {@code CI=true}.
 */
@FailfastServerTest
class PythonWorkerClientTest {

    private static final Path TESTS = Path.of("clients/python/tests");

    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in", Pattern.MULTILINE);

    @LocalServerPort
    int port;

    @Test
    void thePythonClientsTestsPassAgainstTheService(@TempDir Path temp) throws IOException, InterruptedException {
        Path python = python3();
        String key = new ApiClient(port)
            .createKey("py-worker", "batches:read", "batches:write", "batches:cancel", "workers:run")
            .get("key")
            .asString();
        Path log = temp.resolve("unittest.log");
        ProcessBuilder builder = new ProcessBuilder(python.toString(), "-m", "unittest", "discover", "-s",
                TESTS.toString(), "-v")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().put("FAILFAST_URL", "http://127.0.0.1:" + port);
        builder.environment().put("FAILFAST_API_KEY", key);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        Process process = builder.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(ended).as("python3 -m unittest did not end in 5 minutes:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("python3 -m unittest failed:%n%s", output).isZero();
        Matcher ran = RAN.matcher(output);
        assertThat(ran.find()).as(output).isTrue();
        assertThat(Integer.parseInt(ran.group(1))).as(output).isGreaterThanOrEqualTo(14);
        assertThat(output).as("the service tests must run, not be skipped:%n%s", output)
            .doesNotContain("skipped '")
            .containsPattern("(?m)^OK$");
        assertThat(Pattern.compile("\\(test_worker\\.WorkerTest\\.").matcher(output).results().count()).as(output)
            .isGreaterThanOrEqualTo(10);
    }

    /** python3 (3.9+) from the PATH, or the test is skipped (failed under CI=true). */
    private static Path python3() throws IOException, InterruptedException {
        Optional<Path> python = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .map(dir -> Path.of(dir, "python3"))
            .filter(Files::isExecutable)
            .findFirst();
        String missing = python.isEmpty() ? "python3 is not on the PATH" : tooOld(python.get());
        if (missing != null) {
            assertThat("true".equals(System.getenv("CI"))).as("CI=true but " + missing).isFalse();
            Assumptions.abort(missing + "; the Python worker client needs 3.9+ (set CI=true to require it)");
        }
        return python.get();
    }

    /** Why {@code python} will not do, or null if it will. */
    private static @Nullable String tooOld(Path python) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                List.of(python.toString(), "-c", "import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)"))
            .redirectErrorStream(true)
            .start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0 ? null : python + " is older than 3.9";
    }

}
