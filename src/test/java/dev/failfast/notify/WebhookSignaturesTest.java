package dev.failfast.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.testing.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Standard Webhooks signatures, against the specification's reference vector. */
class WebhookSignaturesTest {

    // From the Standard Webhooks specification and its reference libraries' tests.
    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";

    static final long TIMESTAMP = 1614265330;

    static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void theReferenceVectorSignsAsTheSpecificationSays() {
        assertThat(WebhookSignatures.sign(SECRET, ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
        assertThat(WebhookSignatures.header(List.of(SECRET), ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
    }

    @Test
    void severalSecretsGiveSeveralSignaturesSeparatedBySpacesTheFirstSecretFirst() {
        String other = WebhookSignatures.newSecret();

        String header = WebhookSignatures.header(List.of(other, SECRET), ID, TIMESTAMP, BODY);

        assertThat(header.split(" ", -1)).containsExactly(WebhookSignatures.sign(other, ID, TIMESTAMP, BODY),
                SIGNATURE);
        assertThat(header.split(" ", -1)[0])
            .isEqualTo(WebhookReceiver.sign(other, ID, TIMESTAMP, new String(BODY, StandardCharsets.UTF_8)));
    }

    @Test
    void anyChangeOfIdTimestampOrBodyChangesTheSignature() {
        assertThat(WebhookSignatures.sign(SECRET, ID + "x", TIMESTAMP, BODY)).isNotEqualTo(SIGNATURE);
        assertThat(WebhookSignatures.sign(SECRET, ID, TIMESTAMP + 1, BODY)).isNotEqualTo(SIGNATURE);
        assertThat(WebhookSignatures.sign(SECRET, ID, TIMESTAMP,
                "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8)))
            .isNotEqualTo(SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!",
            "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" })
    void invalidSecretsAreRefusedAndSignNothing(String secret) {
        assertThat(WebhookSignatures.isValidSecret(secret)).isFalse();
        assertThatThrownBy(() -> WebhookSignatures.sign(secret, ID, TIMESTAMP, BODY))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysOf24And64BytesAreTheBounds() {
        assertThat(WebhookSignatures.isValidSecret(secretOf(24))).isTrue();
        assertThat(WebhookSignatures.isValidSecret(secretOf(64))).isTrue();
        assertThat(WebhookSignatures.isValidSecret(secretOf(23))).isFalse();
        assertThat(WebhookSignatures.isValidSecret(secretOf(65))).isFalse();
    }

    @Test
    void newSecretsAreValidThirtyTwoRandomBytesEachTimeAnother() {
        Set<String> made = new HashSet<>();
        IntStream.range(0, 100).forEach(i -> made.add(WebhookSignatures.newSecret()));

        assertThat(made).hasSize(100).allSatisfy(secret -> {
            assertThat(WebhookSignatures.isValidSecret(secret)).isTrue();
            assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);
        });
    }

    private static String secretOf(int bytes) {
        return "whsec_" + Base64.getEncoder().encodeToString(new byte[bytes]);
    }

}
