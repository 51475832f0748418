package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.job.HeaderValue.Literal;
import dev.failfast.job.HeaderValue.SecretRef;
import dev.failfast.job.InvalidJobParamsException.ParamError;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Turns an {@code http} job's {@code headers} into what is sent: literal values as they
 * are, secret references ({@link SecretRef}) checked at submission and resolved at every
 * attempt, so that their values are neither stored nor shown.
 */
@Component
class SecretHeaders {

    /** What stands in for a secret where a header must be checked before it is sent. */
    private static final String STAND_IN = "secret";

    private final HttpSecrets secrets;

    SecretHeaders(HttpSecrets secrets) {
        this.secrets = secrets;
    }

    /**
     * At submission: each secret reference names a secret {@code tenant} may send to
     * {@code url}.
     * @throws InvalidJobParamsException naming {@code headers.<Name>} of each refused one
     */
    void check(@Nullable Map<String, HeaderValue> headers, String tenant, URI url) {
        if (headers == null) {
            return;
        }
        List<ParamError> errors = new ArrayList<>();
        headers.forEach((name, value) -> {
            if (value instanceof SecretRef ref) {
                secrets.refusal(ref.name(), tenant, url)
                    .ifPresent(reason -> errors.add(new ParamError("headers." + name, reason)));
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidJobParamsException(errors);
        }
    }

    /**
     * The headers with a stand-in for each secret, for checks at submission that need
     * header values (a secret itself is not read before an attempt).
     */
    static Map<String, String> withStandIns(@Nullable Map<String, HeaderValue> headers) {
        Map<String, String> values = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> values.put(name, switch (value) {
                case Literal(String text) -> text;
                case SecretRef ref -> ref.around(STAND_IN);
            }));
        }
        return values;
    }

    /**
     * At an attempt: the headers to send, each secret read now.
     * @param sensitiveHeaders header names the job declared sensitive, beyond those
     * {@link HttpRedaction#isSensitive} knows
     * @throws JobFailedException ({@value JobError#SECRET_UNAVAILABLE}) when a secret
     * cannot be read or may no longer be sent there (the settings changed since
     * submission)
     */
    Resolved resolve(@Nullable Map<String, HeaderValue> headers, @Nullable Collection<String> sensitiveHeaders,
            String tenant, URI url) throws JobFailedException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> hidden = new ArrayList<>();
        if (headers == null) {
            return new Resolved(values, hidden);
        }
        for (Map.Entry<String, HeaderValue> header : headers.entrySet()) {
            String name = header.getKey();
            switch (header.getValue()) {
                case Literal(String text) -> {
                    values.put(name, text);
                    if (HttpRedaction.isSensitive(name, sensitiveHeaders)) {
                        hidden.add(text);
                    }
                }
                case SecretRef ref -> {
                    Optional<String> refusal = secrets.refusal(ref.name(), tenant, url);
                    if (refusal.isPresent()) {
                        throw new JobFailedException(JobError.SECRET_UNAVAILABLE,
                                "Header " + name + ": " + refusal.get());
                    }
                    String secret = secrets.value(ref.name());
                    String value = ref.around(secret);
                    values.put(name, value);
                    hidden.add(value);
                    hidden.add(secret);
                }
            }
        }
        return new Resolved(values, hidden);
    }

    /**
     * Headers ready to send.
     *
     * @param values by name, in the job's order
     * @param hidden the values no message may contain: secrets and sensitive literals
     */
    record Resolved(Map<String, String> values, List<String> hidden) {

        Resolved {
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
            hidden = List.copyOf(hidden);
        }
    }

}
