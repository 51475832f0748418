package dev.failfast.worker;

/** The registry contract on a single instance's in-memory registry. */
class InMemoryRemoteAttemptsTest extends RemoteAttemptsContractTest {

    private InMemoryRemoteAttempts registry;

    @Override
    RemoteAttempts newRegistry() {
        registry = new InMemoryRemoteAttempts(clock, settings, WorkerObserver.NONE);
        return registry;
    }

    @Override
    void expireLapsedLeases() {
        registry.expireLapsedLeases();
    }

    @Override
    void closeRegistry() {
        registry.close();
    }

}
