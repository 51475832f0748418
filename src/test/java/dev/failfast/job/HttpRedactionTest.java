package dev.failfast.job;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** What of an {@code http} job's params and messages may be shown. */
class HttpRedactionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            https://example.com/a/b                         | https://example.com/a/b
            https://example.com/?token=s3cr3t               | https://example.com/?token=***
            https://example.com/p?a=1&token=s3cr3t&flag     | https://example.com/p?a=***&token=***&***
            https://user:pa55word@example.com:8443/p?x=1#f  | https://***@example.com:8443/p?x=***#***
            https://example.com/p#access_token=s3cr3t       | https://example.com/p#***
            https://example.com/mail@me?x=1                 | https://example.com/mail@me?x=***
            not a url?key=s3cr3t                            | not a url?key=***
            https://example.com/?                           | https://example.com/?
            """)
    void urlsLoseUserInfoQueryValuesAndFragment(String url, String shown) {
        assertThat(HttpRedaction.redactUrl(url)).isEqualTo(shown);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Authorization        | true
            proxy-authorization  | true
            Cookie               | true
            X-Api-Key            | true
            X-Auth-Token         | true
            X-Client-Secret      | true
            X-Db-Password        | true
            Api_Key              | true
            X-Session            | true
            X-Amz-Signature      | true
            X-Partner-Sig        | true
            Accept               | false
            Content-Type         | false
            X-Request-Id         | false
            """)
    void sensitiveHeaderNames(String name, boolean sensitive) {
        assertThat(HttpRedaction.isSensitive(name, List.of("x-partner-sig"))).isEqualTo(sensitive);
    }

    @Test
    void paramsShowSensitiveLiteralsMaskedAndSecretReferencesAsTheyAre() {
        ObjectNode params = (ObjectNode) JSON.readTree("""
                {"url": "https://api.example.com/v1?token=abc123", "method": "POST",
                 "headers": {"Authorization": "Bearer literal", "X-Partner-Sig": "sig",
                             "X-Api-Key": {"secretRef": "partner-api"}, "Accept": "application/json"},
                 "sensitiveHeaders": ["x-partner-sig"], "body": {"token": "body is not masked"}}
                """);
        String before = params.toString();

        ObjectNode shown = HttpRedaction.redactParams(params);

        assertThat(shown).isEqualTo(JSON.readTree("""
                {"url": "https://api.example.com/v1?token=***", "method": "POST",
                 "headers": {"Authorization": "***", "X-Partner-Sig": "***",
                             "X-Api-Key": {"secretRef": "partner-api"}, "Accept": "application/json"},
                 "sensitiveHeaders": ["x-partner-sig"], "body": {"token": "body is not masked"}}
                """));
        assertThat(params.toString()).as("the stored params are not modified").isEqualTo(before);
    }

    @Test
    void paramsWithNothingToMaskAreReturnedAsTheyAre() {
        ObjectNode params = (ObjectNode) JSON.readTree("""
                {"url": "https://example.com/", "headers": {"Accept": "text/plain"}}
                """);

        assertThat(HttpRedaction.redactParams(params)).isSameAs(params);
    }

    @Test
    void paramsThatNoLongerParseAreStillRedacted() {
        ObjectNode params = (ObjectNode) JSON.readTree("""
                {"url": 42, "headers": {"Authorization": ["a", "b"]}, "sensitiveHeaders": "nope"}
                """);

        assertThat(HttpRedaction.redactParams(params).get("headers").get("Authorization").asString()).isEqualTo("***");
    }

    @Test
    void messagesLoseHiddenValuesAndEveryUrlsQueryAndUserInfo() {
        String message = "unsupported URI https://bob:hunter22@example.com/p?token=t0k3n-value (Bearer t0k3n-abc) "
                + "and again t0k3n-value; ok";

        String scrubbed = HttpRedaction.scrub(message, List.of("Bearer t0k3n-abc", "t0k3n-value", "ok"));

        assertThat(scrubbed).isEqualTo("unsupported URI https://example.com/p (***) and again ***; ok");
        assertThat(HttpRedaction.forMessage("http://u:p@127.0.0.1:8080/a%20b?token=x#y"))
            .isEqualTo(HttpRedaction.forMessage(URI.create("http://u:p@127.0.0.1:8080/a%20b?token=x#y")));
    }

    @Test
    void theUrlOfAMessageIsSchemeHostPortAndPath() {
        assertThat(HttpRedaction.forMessage(URI.create("http://u:p@127.0.0.1:8080/a%20b?token=x#y")))
            .isEqualTo("http://127.0.0.1:8080/a%20b");
        assertThat(HttpRedaction.hiddenParts(URI.create("http://u:p@h/?token=a%2Bb&x"))).contains("u:p",
                "token=a%2Bb&x", "a%2Bb", "a+b", "x");
    }

    @Test
    void aReferencesPrefixAndSuffixAreMasked() {
        ObjectNode params = (ObjectNode) JSON.readTree("""
                {"url": "https://h.example/", "headers": {
                  "Authorization": {"secretRef": "partner-api", "prefix": "Basic dXNlcjo", "suffix": "=="},
                  "X-Api-Key": {"secretRef": "plain"}}}
                """);

        ObjectNode shown = HttpRedaction.redactParams(params);

        assertThat(shown.get("headers").get("Authorization").toString())
            .isEqualTo("{\"secretRef\":\"partner-api\",\"prefix\":\"***\",\"suffix\":\"***\"}");
        assertThat(shown.get("headers").get("X-Api-Key").toString()).isEqualTo("{\"secretRef\":\"plain\"}");
        assertThat(params.toString()).contains("dXNlcjo");
    }

    @Test
    void aResponseLosesEveryFormOfAHiddenValueAndTheStartOfOneWhereItWasCut() {
        List<String> hidden = HttpRedaction.withEncodings(List.of("Bearer s3cr3t/\"v"));
        String base64 = java.util.Base64.getEncoder().encodeToString("Bearer s3cr3t/\"v".getBytes(UTF_8));
        String body = "raw Bearer s3cr3t/\"v b64 " + base64 + " pct Bearer%20s3cr3t%2F%22v form Bearer+s3cr3t%2F%22v"
                + " json Bearer s3cr3t\\/\\\"v link https://x.example/?q=kept end Bearer s3c";

        String masked = HttpRedaction.mask(body, hidden, true);

        assertThat(masked)
            .isEqualTo("raw *** b64 *** pct *** form *** json *** link https://x.example/?q=kept end ***");
        assertThat(HttpRedaction.mask("end Bearer s3c", hidden, false)).isEqualTo("end Bearer s3c");
    }

}
