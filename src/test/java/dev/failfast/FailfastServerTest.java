package dev.failfast;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The whole service on a random port, with the settings most end-to-end tests share (so
 * they share one application context): short cancel grace and drain periods, and an SSRF
 * guard opened as an operator opens it for loopback: {@code http} jobs may reach test
 * servers on 127.0.0.0/8 and their ephemeral ports; every other default (denied metadata
 * hosts and networks, no private ranges) stays. Sleep jobs may ignore their cancellation,
 * so tests can make stuck jobs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.engine.cancel-grace=1s", "failfast.shutdown.drain-timeout=1s",
                "failfast.jobs.http.allowed-networks=127.0.0.0/8", "failfast.jobs.http.allowed-ports=80,443,1024-65535",
                "failfast.jobs.sleep.allow-ignore-cancel=true", })
public @interface FailfastServerTest {

}
