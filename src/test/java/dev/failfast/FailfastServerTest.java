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
 * guard that lets {@code http} jobs reach test servers on loopback while still denying
 * link-local addresses and a metadata host. Sleep jobs may ignore their cancellation, so
 * tests can make stuck jobs.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.engine.cancel-grace=1s", "failfast.shutdown.drain-timeout=1s",
                "failfast.jobs.http.denied-hosts=metadata.google.internal",
                "failfast.jobs.http.denied-networks=169.254.0.0/16", "failfast.jobs.sleep.allow-ignore-cancel=true", })
public @interface FailfastServerTest {

}
