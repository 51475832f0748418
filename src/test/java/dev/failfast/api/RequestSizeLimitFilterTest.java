package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.settings.FailfastProperties;
import jakarta.servlet.FilterChain;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The filter's counting stream, for the case MockMvc cannot send: a body that does not
 * announce its length (chunked). End to end, over Tomcat, {@code ProblemResponsesTest}
 * sends one.
 */
class RequestSizeLimitFilterTest {

    final RequestSizeLimitFilter filter = new RequestSizeLimitFilter(
            new Binder(new MapConfigurationPropertySource(Map.of("failfast.limits.max-request-size", "10B")))
                .bindOrCreate("failfast", FailfastProperties.class));

    final AtomicReference<String> read = new AtomicReference<>();

    /** Reads the whole body, as the JSON converter would. */
    final FilterChain readBody = (request, response) -> {
        try (InputStream in = request.getInputStream()) {
            read.set(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    };

    @Test
    void aChunkedBodyWithinTheLimitIsReadWhole() throws Exception {
        filter.doFilter(chunked("0123456789"), new MockHttpServletResponse(), readBody);

        assertThat(read).hasValue("0123456789");
    }

    @Test
    void aChunkedBodyOverTheLimitFailsOnceTheLimitIsPassed() {
        assertThatThrownBy(() -> filter.doFilter(chunked("0123456789A"), new MockHttpServletResponse(), readBody))
            .isInstanceOf(RequestSizeLimitFilter.RequestTooLargeException.class)
            .hasMessage("The request body is larger than the limit of 10 bytes");
        assertThat(read).hasNullValue();
    }

    @Test
    void aBodyAnnouncedOverTheLimitIsRefusedBeforeAByteIsRead() {
        var request = new MockHttpServletRequest("POST", "/api/v1/batches");
        request.setContent("0123456789A".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> filter.doFilter(request, new MockHttpServletResponse(), readBody))
            .isInstanceOf(RequestSizeLimitFilter.RequestTooLargeException.class);
    }

    /**
     * A request whose length is not known in advance, as with
     * {@code Transfer-Encoding: chunked}.
     */
    private static MockHttpServletRequest chunked(String body) {
        var request = new MockHttpServletRequest("POST", "/api/v1/batches") {
            @Override
            public long getContentLengthLong() {
                return -1;
            }

            @Override
            public int getContentLength() {
                return -1;
            }
        };
        request.setContent(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }

}
