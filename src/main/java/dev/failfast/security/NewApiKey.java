package dev.failfast.security;

/**
 * A key just created: the only time the service has the key itself to show.
 *
 * @param apiKey the key as the service keeps it
 * @param secret the key its holder sends as {@code Authorization: Bearer}
 */
public record NewApiKey(ApiKey apiKey, String secret) {

    @Override
    public String toString() {
        return "NewApiKey[" + apiKey + ", secret=(hidden)]";
    }

}
