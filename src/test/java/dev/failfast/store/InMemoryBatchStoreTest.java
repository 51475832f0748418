package dev.failfast.store;

/** The store contract on {@link InMemoryBatchStore}. */
class InMemoryBatchStoreTest extends BatchStoreContract {

    private final InMemoryBatchStore store = new InMemoryBatchStore();

    @Override
    BatchStore store() {
        return store;
    }

    @Override
    BatchStore reopened() {
        return store; // nothing to reopen: the same heap
    }

    @Override
    BatchStore written() {
        return store; // written at once
    }

}
