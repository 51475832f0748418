package dev.failfast.security;

/** The API key store contract in memory. */
class InMemoryApiKeyStoreTest extends ApiKeyStoreContract {

    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();

    @Override
    ApiKeyStore store() {
        return store;
    }

}
