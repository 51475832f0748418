package dev.failfast.settings;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every Failfast setting, under the {@code failfast.} prefix. Documented in the README's
 * configuration table.
 *
 * @param executor the thread pool jobs run on
 * @param engine how batches are run and stopped
 * @param limits admission limits that protect the service
 * @param jobs settings of the built-in job types
 * @param store where batches and jobs are kept
 * @param recovery what happens on startup to batches a previous process left unfinished
 * @param shutdown how the service stops
 * @param retention how long finished batches are kept
 * @param cluster several replicas on one PostgreSQL database
 * @param security who may call the API (docs/security.md)
 * @param tenants each tenant's quotas and share of the pool (docs/quotas.md)
 * @param streams server-sent event streams: how many, how long, and resuming them
 * @param notifications webhooks told of batch outcomes (docs/notifications.md)
 * @param console the web console (docs/console.md)
 */
@Validated
@ConfigurationProperties("failfast")
public record FailfastProperties(@DefaultValue @Valid Executor executor, @DefaultValue @Valid Engine engine,
        @DefaultValue @Valid Limits limits, @DefaultValue @Valid Jobs jobs, @DefaultValue @Valid Store store,
        @DefaultValue @Valid Recovery recovery, @DefaultValue @Valid Shutdown shutdown,
        @DefaultValue @Valid Retention retention, @DefaultValue @Valid Cluster cluster,
        @DefaultValue @Valid Security security, @DefaultValue @Valid Tenants tenants,
        @DefaultValue @Valid Streams streams, @DefaultValue @Valid Notifications notifications,
        @DefaultValue @Valid Console console, @DefaultValue @Valid Workers workers) {

    @AssertTrue(message = "failfast.tenants: every tenant's max-pending-jobs must be at least "
            + "failfast.limits.max-jobs-per-batch, or a full batch of that tenant could never be admitted")
    boolean isTenantPendingLimitReachable() {
        // Unset limits are the global one, which Limits checks.
        return tenants.smallestPendingLimit(Long.MAX_VALUE) >= limits.maxJobsPerBatch();
    }

    /**
     * The {@code ThreadPoolTaskExecutor} jobs run on.
     *
     * @param poolSize worker threads: the most jobs running at once, over all batches
     * @param queueCapacity attempts the engine may hand to the executor ahead of a free
     * thread. The default 0 hands a job over only when a thread is free, so every waiting
     * job stays in the engine, where it is ordered fairly across batches and skipped at
     * once on cancellation
     * @param threadNamePrefix prefix of worker thread names
     * @param awaitTermination how long shutdown waits for worker threads to finish
     * @param maxAbandoned threads the executor has beyond {@code poolSize} for attempts
     * that were abandoned because they ignored their cancellation or timeout past the
     * cancel grace period. Such a thread runs on until its job returns, but no longer
     * counts against its batch's {@code maxParallelism} nor against the pool, so stuck
     * jobs do not stop other batches. Once this many threads are stuck, readiness reports
     * the engine saturated and submissions get 429; each thread stuck beyond it takes one
     * place from the pool
     */
    public record Executor(@DefaultValue("16") @Min(1) int poolSize, @DefaultValue("0") @Min(0) int queueCapacity,
            @DefaultValue("failfast-job-") @NotBlank String threadNamePrefix,
            @DefaultValue("30s") @NotNull Duration awaitTermination, @DefaultValue("16") @Min(1) int maxAbandoned) {

        /**
         * Attempts the engine hands to the executor at most: one per thread plus the
         * queue.
         */
        public int dispatchCapacity() {
            return poolSize + queueCapacity;
        }
    }

    /**
     * @param defaultMaxParallelism a batch's {@code maxParallelism} when the request
     * gives none
     * @param cancelGrace how long a cancelled (or timed-out) job may keep running before
     * it is reported abandoned and its batch becomes terminal without it
     * @param schedulerPoolSize threads for timers: job timeouts, deadlines, retry
     * backoff, grace
     * @param maxRetryLater longest a job waits when its target asks to be called again
     * later (a job type's {@code RetryLaterException}, such as the {@code http} job's 429
     * or 503 with {@code Retry-After}): a longer wait asked for is cut to this, and no
     * wait goes past the batch's deadline. Such a wait is backpressure, not a failure: it
     * counts no failed attempt and never triggers the failure policy
     * @param maxDeferralsPerJob how often one job may wait like that; the next request to
     * wait is a failed attempt like any other, with the job type's error type and message
     * (retried if the job has attempts left). Bounds how long a target that always
     * answers 503 can keep a job, and its batch, alive
     */
    public record Engine(@DefaultValue("8") @Min(1) int defaultMaxParallelism,
            @DefaultValue("5s") @NotNull Duration cancelGrace, @DefaultValue("2") @Min(1) int schedulerPoolSize,
            @DefaultValue("5m") @NotNull Duration maxRetryLater, @DefaultValue("10") @Min(0) int maxDeferralsPerJob) {
    }

    /**
     * @param maxRequestSize largest accepted request body; larger gets 413
     * @param maxJobsPerBatch most jobs in one batch; more gets 400
     * @param maxPendingJobs most jobs waiting to run over all batches; a batch that would
     * go over gets 429 with {@code Retry-After}
     * @param retryAfter the {@code Retry-After} sent with a 429
     * @param maxResultSize largest job result (serialized JSON); a job returning more
     * fails with {@code RESULT_TOO_LARGE}
     * @param maxPageSize largest {@code size} of a list page
     * @param minRetryBackoff shortest retry {@code backoff} a job may ask for; shorter
     * gets 400. A failed attempt retried at once mostly meets the same fault again, and a
     * batch of jobs retrying with no wait turns one failing target into a hot loop of
     * requests; a tenth of a second keeps retries of fast internal targets quick. It is
     * also the shortest wait of a deferral ({@code max-retry-later}), whatever the target
     * asked, so a {@code Retry-After: 0} is no hot loop either
     * @param maxAttemptsPerBatch most attempts one batch may make: the sum over its jobs
     * of {@code retry.maxAttempts} (1 for a job without retry); more gets 400. Bounds the
     * requests one submission can send to a failing target (100 000 jobs of 100 attempts
     * would be 10 million)
     * @param maxPageOffset deepest position a list page may start at ({@code page ×
     * size}) when listing batches or API keys; deeper gets 400 asking for filters. A
     * database skips an offset by reading every row before it. A batch's jobs are read by
     * position and may be paged through to the end
     * @param maxActiveBatches most batches queued, running or cancelling at once (over
     * the cluster in cluster mode, as of its last poll); a submission beyond gets 429
     * with {@code Retry-After}. Each active batch holds memory, timers and a place in
     * dispatch, so many tiny batches are bounded even when every tenant stays within its
     * batches per minute
     * @param maxRedrives most times one batch may be redriven ({@code POST
     * /batches/{id}/redrive}); one more gets 409. Each run is kept on the batch (its
     * times, end and cause), and each redrive can send every failed job's requests again:
     * a client that redrives in a loop is stopped here. 0 turns redrive off
     */
    public record Limits(@DefaultValue("16MB") @NotNull DataSize maxRequestSize,
            @DefaultValue("100000") @Min(1) int maxJobsPerBatch, @DefaultValue("1000000") @Min(1) long maxPendingJobs,
            @DefaultValue("5s") @NotNull Duration retryAfter, @DefaultValue("16KB") @NotNull DataSize maxResultSize,
            @DefaultValue("1000") @Min(1) int maxPageSize, @DefaultValue("100ms") @NotNull Duration minRetryBackoff,
            @DefaultValue("1000000") @Min(1) long maxAttemptsPerBatch,
            @DefaultValue("10000") @Min(0) long maxPageOffset, @DefaultValue("10000") @Min(1) int maxActiveBatches,
            @DefaultValue("10") @Min(0) @Max(1000) int maxRedrives) {

        @AssertTrue(message = "max-attempts-per-batch must be at least max-jobs-per-batch, "
                + "or a full batch without retries could never be submitted")
        boolean isAttemptsLimitReachable() {
            return maxAttemptsPerBatch >= maxJobsPerBatch;
        }

        @AssertTrue(message = "min-retry-backoff must not be negative")
        boolean isMinRetryBackoffValid() {
            return !minRetryBackoff.isNegative();
        }

        @AssertTrue(
                message = "max-pending-jobs must be at least max-jobs-per-batch, or a full batch could never be admitted")
        boolean isPendingLimitReachable() {
            return maxPendingJobs >= maxJobsPerBatch;
        }
    }

    /**
     * @param http the {@code http} job type
     * @param sleep the {@code sleep} job type, a simulator
     */
    public record Jobs(@DefaultValue @Valid Http http, @DefaultValue @Valid Sleep sleep) {
    }

    /**
     * The {@code sleep} job type: it does nothing but wait, fail on request or ignore its
     * cancellation, to try the service out and to test it. On in the default
     * configuration (the README's examples use it); off in the Helm chart's, as a
     * production deployment has no use for it.
     *
     * @param enabled register the type. Off, {@code sleep} is an unknown job type: a
     * batch with one gets 400 naming it
     * @param allowIgnoreCancel accept {@code ignoreCancel: true}, a job that keeps
     * running through its cancellation and timeout to show how stuck jobs are abandoned.
     * Off by default: each such job holds a thread until it ends by itself, and once
     * {@code failfast.executor.max-abandoned} threads are held the service accepts no
     * batch. Off, such a job gets 400
     * @param maxDuration the longest {@code duration} a sleep job may ask for; longer
     * gets 400. At most 365 days
     */
    public record Sleep(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean allowIgnoreCancel,
            @DefaultValue("1h") @NotNull Duration maxDuration) {

        @AssertTrue(message = "failfast.jobs.sleep.max-duration must be positive and at most 365 days")
        boolean isMaxDurationInRange() {
            return maxDuration.isPositive() && maxDuration.compareTo(Duration.ofDays(365)) <= 0;
        }
    }

    /**
     * The {@code http} job type and its guard against server-side request forgery
     * (docs/security.md, "SSRF"). By default a job may call only globally routable
     * unicast addresses on ports 80 and 443. A target is refused when its host is in
     * {@code deniedHosts}, when {@code allowedHosts} is not empty and does not list it,
     * when its port is not in {@code allowedPorts} (or its tenant's), or when any address
     * it resolves to lies in {@code deniedNetworks}, is one of this host's own addresses,
     * or is not globally routable, unless {@code allowedNetworks} (or its tenant's) holds
     * it. Denied hosts and networks always win over allowed ones.
     *
     * @param connectTimeout TCP connect timeout
     * @param defaultTimeout the whole exchange's timeout when a job gives none: waiting
     * for a connection slot, connecting, sending and reading the whole response body
     * @param maxResponseBody how much of a response body is kept in the job's result
     * @param allowedHosts if not empty, the only hosts jobs may call
     * ({@code *.example.com} matches subdomains); their addresses are checked all the
     * same
     * @param deniedHosts hosts jobs may never call
     * @param deniedNetworks networks (CIDR) jobs may never call, even where
     * {@code allowedNetworks} holds them; by default the cloud metadata and platform
     * endpoints (link-local 169.254.0.0/16 and fe80::/10, AWS fd00:ec2::/32, Azure
     * 168.63.129.16, Alibaba 100.100.100.200, Oracle 192.0.0.192), unspecified and
     * multicast addresses
     * @param allowedNetworks networks (CIDR) jobs may call although they are not globally
     * routable, e.g. {@code 10.20.0.0/16} for an internal fleet
     * @param allowedPorts the ports jobs may call, single ports or ranges
     * ({@code 80,443,8000-8999})
     * @param tenants more networks and ports for named tenants
     * ({@code failfast.jobs.http.tenants.<tenant>.allowed-networks}), added to the global
     * ones
     * @param maxConnectionsPerHost most requests in flight to one host name at once, over
     * all jobs; further jobs to it wait (within their timeout) for one to finish
     * @param secrets credentials jobs may send as a header value without knowing them
     * ({@code "Authorization": {"secretRef": "<name>"}}), by name
     * ({@code failfast.jobs.http.secrets.<name>.*}; docs/security.md)
     */
    public record Http(@DefaultValue("5s") @NotNull Duration connectTimeout,
            @DefaultValue("30s") @NotNull Duration defaultTimeout,
            @DefaultValue("4KB") @NotNull DataSize maxResponseBody, @DefaultValue( {
            }) List<String> allowedHosts,
            @DefaultValue({ "metadata.google.internal", "metadata", "instance-data",
                    "localhost" }) List<String> deniedHosts,
            @DefaultValue({ "169.254.0.0/16", "fe80::/10", "fd00:ec2::/32", "168.63.129.16/32", "100.100.100.200/32",
                    "192.0.0.192/32", "0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8" }) List<String> deniedNetworks,
            @DefaultValue({}) List<String> allowedNetworks, @DefaultValue({ "80", "443" }) List<String> allowedPorts,
            @DefaultValue Map<String, @Valid HttpTenant> tenants, @DefaultValue("16") @Min(1) int maxConnectionsPerHost,
            @DefaultValue Map<String, @Valid HttpSecret> secrets){

        public Http {
            tenants = Map.copyOf(tenants);
            secrets = Map.copyOf(secrets);
        }
    }

    /**
     * What one tenant's {@code http} jobs may call beyond the global settings.
     *
     * @param allowedNetworks networks (CIDR) added to
     * {@code failfast.jobs.http.allowed-networks} for this tenant
     * @param allowedPorts ports or ranges added to
     * {@code failfast.jobs.http.allowed-ports} for this tenant
     */
    public record HttpTenant(@DefaultValue( {
        }) List<String> allowedNetworks, @DefaultValue({}) List<String> allowedPorts){

        public HttpTenant {
            allowedNetworks = List.copyOf(allowedNetworks);
            allowedPorts = List.copyOf(allowedPorts);
        }
    }

    /**
     * A secret {@code http} jobs may send as a header value (docs/security.md). The value
     * is never stored with a job nor shown to clients; jobs hold only its name.
     *
     * @param value the secret itself, for instance from a file of a
     * {@code spring.config.import=optional:configtree:/etc/failfast/secrets/} directory;
     * set either this or {@code file}. Read at startup
     * @param file a file holding the secret (a trailing line break is dropped), read at
     * every attempt, so that a rotated secret is used at once
     * @param hosts required: the only hosts the secret is ever sent to, patterns as in
     * {@code allowed-hosts} ({@code *.example.com} matches subdomains); a job that would
     * send it elsewhere is refused
     * @param tenants the tenants whose jobs may use the secret; empty (the default) means
     * {@code failfast.security.default-tenant} only, {@code *} every tenant
     * @param allowPlainHttp whether the secret may be sent over {@code http://}; by
     * default only over {@code https://}, where nobody on the way reads it
     */
    public record HttpSecret(@Nullable String value, @Nullable Path file, @DefaultValue List<String> hosts,
            @DefaultValue List<String> tenants, @DefaultValue("false") boolean allowPlainHttp) {

        @AssertTrue(message = "set exactly one of value and file")
        boolean isSourceSet() {
            return (value != null && !value.isEmpty()) != (file != null);
        }

        @AssertTrue(message = "hosts must name at least one host the secret may be sent to")
        boolean isHostsSet() {
            return hosts.stream().anyMatch(host -> !host.isBlank());
        }

        /** Never shows the value (startup errors and debug output print settings). */
        @Override
        public String toString() {
            return "HttpSecret[value=" + (value == null ? "none" : "***") + ", file=" + file + ", hosts=" + hosts
                    + ", tenants=" + tenants + ", allowPlainHttp=" + allowPlainHttp + "]";
        }
    }

    /** Which {@code BatchStore} keeps batches and jobs. */
    public enum StoreType {

        /** In the JVM's heap; nothing survives a restart (tests, benchmarks). */
        MEMORY,
        /**
         * In the {@code spring.datasource} database (embedded H2 file by default,
         * PostgreSQL by profile).
         */
        JDBC

    }

    /**
     * @param type {@code jdbc} (durable, the default) or {@code memory}
     * @param flushInterval how often the write-behind buffer is written: each flush
     * starts this long after the previous one started (at once if that one took longer).
     * A job state change waits at most this long for the flush that writes it to start,
     * so a kill -9 loses at most this much of job progress plus the time of the flush in
     * progress
     * @param flushBatchSize job rows per JDBC batch statement; a buffer holding this many
     * changed jobs is flushed before the interval ends
     * @param leaseTtl how long the instance lease on the database lasts unless renewed
     * (every third of it): the longest a restart after a crash waits for the dead
     * instance's lease to expire
     */
    public record Store(@DefaultValue("jdbc") @NotNull StoreType type,
            @DefaultValue("100ms") @NotNull Duration flushInterval, @DefaultValue("5000") @Min(1) int flushBatchSize,
            @DefaultValue("15s") @NotNull Duration leaseTtl) {

        @AssertTrue(message = "lease-ttl must be at least 1s: the lease is renewed every third of it")
        boolean isLeaseTtlRenewable() {
            return leaseTtl.compareTo(Duration.ofSeconds(1)) >= 0;
        }
    }

    /**
     * How batches that a previous process left QUEUED, RUNNING or CANCELLING are settled
     * on startup.
     */
    public enum RecoveryMode {

        /**
         * End them: jobs that were running become FAILED with error type
         * {@code INTERRUPTED}, jobs that never started SKIPPED, the batch FAILED with
         * cause {@code OWNER_LOST}.
         */
        FAIL,
        /**
         * Run them on: jobs that never started are run, jobs that were running are
         * retried if they have attempts left (so such a job may run twice:
         * at-least-once).
         */
        RESUME

    }

    /**
     * @param mode {@code FAIL} (default) or {@code RESUME}
     */
    public record Recovery(@DefaultValue("FAIL") @NotNull RecoveryMode mode) {
    }

    /**
     * @param drainTimeout on shutdown, how long running jobs may finish on their own (no
     * new job starts meanwhile) before every active batch is cancelled with cause
     * {@code SHUTDOWN}
     */
    public record Shutdown(@DefaultValue("30s") @NotNull Duration drainTimeout) {
    }

    /**
     * @param ttl terminal batches whose end lies further back than this are deleted with
     * their jobs (and their idempotency keys)
     * @param purgeInterval how often the purge runs
     */
    public record Retention(@DefaultValue("7d") @NotNull Duration ttl,
            @DefaultValue("1h") @NotNull Duration purgeInterval) {
    }

    /**
     * Cluster mode: every replica on the same PostgreSQL database runs every batch
     * (docs/cluster.md).
     *
     * @param enabled run as one replica of several; needs PostgreSQL
     * ({@code failfast.store.type=jdbc} on a PostgreSQL {@code spring.datasource.url}).
     * Every instance on the database must have it on: a single instance and replicas
     * refuse to share one
     * @param nodeName the start of this replica's id, which owns the jobs it claims (a
     * random suffix is added at each start); the host name when empty
     * @param pollInterval how often a replica checks the database for what notices may
     * have missed (causes, jobs to claim), settles the jobs of replicas whose lease
     * expired, and fires deadlines
     * @param claimSize most jobs a replica claims from a batch in one transaction
     * @param eventPollInterval how often a replica reads the changes of the batches its
     * event streams follow, which any replica may have made
     */
    public record Cluster(@DefaultValue("false") boolean enabled, @DefaultValue("") String nodeName,
            @DefaultValue("1s") @NotNull Duration pollInterval, @DefaultValue("16") @Min(1) int claimSize,
            @DefaultValue("100ms") @NotNull Duration eventPollInterval) {
    }

    /**
     * Authentication and tenants (docs/security.md). Clients send an API key or an OAuth2
     * bearer token (configured with Spring Boot's
     * {@code spring.security.oauth2.resourceserver.jwt.*}) as
     * {@code Authorization: Bearer}.
     *
     * @param enabled false turns authentication off, for a local sandbox only: every
     * caller is then an administrator of tenant {@code defaultTenant}, and the service
     * warns at startup
     * @param bootstrapKey an admin key (at least 32 characters) the service creates, or
     * keeps, at startup: how a deployment gets its first key from a secret
     * @param generatedKeyFile when no bootstrap key is set and no key exists, the service
     * generates an admin key at first start and writes it here, readable by the service
     * user only
     * @param defaultTenant the tenant of the bootstrap and generated keys, and of every
     * call when authentication is off (batches stored before tenants existed belong to
     * tenant {@code default}, whatever this says)
     * @param jwt how bearer tokens map to tenants and scopes
     * @param publicApiDocs serve the OpenAPI document and Swagger UI to anonymous callers
     * too, so Swagger UI can load in a browser and authorize with its Authorize button.
     * Off by default: then only the health probes answer anonymous callers
     */
    public record Security(@DefaultValue("true") boolean enabled, @Nullable String bootstrapKey,
            @DefaultValue("./data/admin-key") @NotNull Path generatedKeyFile,
            @DefaultValue("default") @NotBlank String defaultTenant, @DefaultValue @Valid Jwt jwt,
            @DefaultValue("false") boolean publicApiDocs) {

        @AssertTrue(message = "failfast.security.bootstrap-key must be at least 32 characters that a client can "
                + "send as a bearer token (letters, digits and - . _ ~ + /, no spaces), with no two dots")
        boolean isBootstrapKeySendable() {
            return bootstrapKey == null || bootstrapKey.isEmpty()
                    || (bootstrapKey.length() >= 32 && bootstrapKey.matches("[A-Za-z0-9._~+/-]+=*")
                            && bootstrapKey.chars().filter(c -> c == '.').count() != 2);
        }

        @AssertTrue(message = "failfast.security.default-tenant must be 1 to 64 letters, digits, '.', '_' or '-', "
                + "starting with a letter or digit")
        boolean isDefaultTenantValid() {
            return defaultTenant.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        }

        /** Without the bootstrap key, which may end up in a log. */
        @Override
        public String toString() {
            return "Security[enabled=" + enabled + ", bootstrapKey=" + (bootstrapKey == null ? "unset" : "(hidden)")
                    + ", generatedKeyFile=" + generatedKeyFile + ", defaultTenant=" + defaultTenant + ", jwt=" + jwt
                    + ", publicApiDocs=" + publicApiDocs + "]";
        }

        /** The bootstrap key, if one is set. */
        public @Nullable String bootstrapKeyIfSet() {
            return bootstrapKey == null || bootstrapKey.isEmpty() ? null : bootstrapKey;
        }
    }

    /**
     * @param tenantClaim the claim that holds the caller's tenant; a token without it is
     * refused
     * @param scopesClaim the claim that holds the caller's scopes (a list, or a string of
     * space-separated scopes), such as {@code roles}; empty for the standard
     * {@code scope} and {@code scp} claims
     * @param principalClaim the claim that names the caller, recorded as
     * {@code jwt:<value>}
     */
    public record Jwt(@DefaultValue("tenant") @NotBlank String tenantClaim, @DefaultValue("") String scopesClaim,
            @DefaultValue("sub") @NotBlank String principalClaim) {
    }

    /**
     * The web console (docs/console.md).
     *
     * @param oidcRegistration the id of a Spring Security OAuth2 client registration
     * ({@code spring.security.oauth2.client.registration.<id>.*}, its provider an OIDC
     * issuer) the console offers as "Sign in with ...": the ID token's claims give the
     * tenant, scopes and principal as {@code failfast.security.jwt.*} says for bearer
     * tokens, and the console then calls the API with a session cookie and a CSRF token.
     * Unset (the default), the console signs in with API keys only and makes no session
     */
    public record Console(@Nullable String oidcRegistration) {

        /** The registration the console signs in with, if one is set. */
        public @Nullable String oidcRegistrationIfSet() {
            return oidcRegistration == null || oidcRegistration.isBlank() ? null : oidcRegistration;
        }
    }

    /**
     * Remote workers (docs/workers.md): processes that run {@code remote:<name>} jobs.
     *
     * @param leaseTtl how long a worker stays registered without a heartbeat or a claim;
     * past it the worker is lost and each attempt it held fails with {@code WORKER_LOST}
     * (the job's retry policy applies)
     * @param heartbeatInterval how often workers are told to heartbeat; at most half of
     * {@code lease-ttl}, so one late heartbeat does not lose a worker. A heartbeat's
     * answer also repeats the cancels of the worker's attempts, for one its stream
     * missed: keep it under {@code failfast.engine.cancel-grace} so that such a cancel
     * still arrives in time
     * @param maxClaimWait longest a claim may wait for a job before it answers with none
     * @param maxCapacity most attempts one worker may hold at once
     * @param maxWorkersPerTenant most live workers of one tenant; one more gets 429
     * @param maxProgressSize largest progress a heartbeat may report for one attempt
     * (serialized JSON); larger gets 400
     */
    public record Workers(@DefaultValue("15s") @NotNull Duration leaseTtl,
            @DefaultValue("2s") @NotNull Duration heartbeatInterval,
            @DefaultValue("30s") @NotNull Duration maxClaimWait, @DefaultValue("256") @Min(1) int maxCapacity,
            @DefaultValue("100") @Min(1) int maxWorkersPerTenant,
            @DefaultValue("4KB") @NotNull DataSize maxProgressSize) {

        @AssertTrue(message = "failfast.workers.heartbeat-interval must be positive and at most half of lease-ttl")
        boolean isHeartbeatIntervalValid() {
            return heartbeatInterval.isPositive() && heartbeatInterval.multipliedBy(2).compareTo(leaseTtl) <= 0;
        }

        @AssertTrue(message = "failfast.workers.max-claim-wait must not be negative")
        boolean isMaxClaimWaitValid() {
            return !maxClaimWait.isNegative();
        }

    }

    /**
     * Quotas and fairness between tenants (docs/quotas.md): what one tenant may take of a
     * shared service, so that no tenant can keep another from submitting or running.
     *
     * @param defaults the limits of every tenant that has no override
     * @param overrides limits of named tenants
     * ({@code failfast.tenants.overrides.<tenant>.*}); a key an override leaves unset is
     * taken from {@code defaults}. Tenant names with characters other than lower-case
     * letters, digits and {@code -} need brackets in a properties key
     * ({@code failfast.tenants.overrides[Acme.Corp].max-running-jobs})
     */
    public record Tenants(@DefaultValue @Valid TenantDefaults defaults,
            @DefaultValue Map<String, @Valid TenantOverride> overrides) {

        public Tenants {
            overrides = Map.copyOf(overrides);
        }

        /**
         * The limits of {@code tenant}: its override where set, else the defaults.
         * @param globalMaxPendingJobs {@code failfast.limits.max-pending-jobs}, the
         * pending-jobs limit of a tenant that sets none
         */
        public TenantLimits of(String tenant, long globalMaxPendingJobs) {
            return resolve(overrides.get(tenant), globalMaxPendingJobs);
        }

        private TenantLimits resolve(@Nullable TenantOverride override, long globalMaxPendingJobs) {
            Long pending = defaults.maxPendingJobs();
            Integer running = defaults.maxRunningJobs();
            int rate = defaults.batchesPerMinute();
            if (override != null) {
                pending = override.maxPendingJobs() != null ? override.maxPendingJobs() : pending;
                running = override.maxRunningJobs() != null ? override.maxRunningJobs() : running;
                rate = override.batchesPerMinute() != null ? override.batchesPerMinute() : rate;
            }
            return new TenantLimits(pending != null ? pending : globalMaxPendingJobs, running, rate);
        }

        /**
         * The smallest pending-jobs limit of any tenant, named or not; those that set
         * none count as {@code globalMaxPendingJobs}.
         */
        long smallestPendingLimit(long globalMaxPendingJobs) {
            long smallest = resolve(null, globalMaxPendingJobs).maxPendingJobs();
            for (TenantOverride override : overrides.values()) {
                smallest = Math.min(smallest, resolve(override, globalMaxPendingJobs).maxPendingJobs());
            }
            return smallest;
        }

    }

    /**
     * The limits of every tenant, unless overridden. The defaults suit a service shared
     * by a handful of tenants, where one tenant must not keep the others from running but
     * a lone tenant (a service without authentication has just {@code default}) may use
     * all of it.
     *
     * @param maxPendingJobs most jobs one tenant may have waiting to run; a batch that
     * would go over gets 429 with {@code Retry-After}. Unset, it is
     * {@code failfast.limits.max-pending-jobs}: that limit protects the service's memory
     * and database, and dispatch is fair whatever a tenant has queued, so one tenant's
     * backlog delays nobody else's jobs. Set it lower, say to the global limit divided by
     * the tenants expected, so that one tenant's backlog cannot take all of the global
     * limit and leave the others with 429s
     * @param maxRunningJobs most jobs of one tenant running at once (over the whole
     * cluster in cluster mode). Unset, a tenant may use the whole pool when no one else
     * has work: fairness still shares the pool between the tenants that have jobs ready,
     * by giving each free thread to the tenant with the fewest running. Set it to keep a
     * share of the pool free for other tenants even before they submit, at the cost of
     * threads left idle while only one tenant has work
     * @param batchesPerMinute most batches one tenant may submit per minute, as a token
     * bucket: up to this many at once, then one every {@code 60s / batchesPerMinute}
     * (600: a burst of 600, then 10 per second). High enough for any client that batches
     * its work, low enough that a client submitting in a loop cannot flood the database
     * with batch rows. Over it the submission gets 429 with the time until the next token
     * as {@code Retry-After}. Each replica keeps its own buckets in cluster mode
     */
    public record TenantDefaults(@Nullable @Min(1) Long maxPendingJobs, @Nullable @Min(1) Integer maxRunningJobs,
            @DefaultValue("600") @Min(1) int batchesPerMinute) {
    }

    /**
     * One tenant's limits where they differ from {@link TenantDefaults}; each key left
     * unset is the default's.
     *
     * @param maxPendingJobs as {@link TenantDefaults#maxPendingJobs()}
     * @param maxRunningJobs as {@link TenantDefaults#maxRunningJobs()}
     * @param batchesPerMinute as {@link TenantDefaults#batchesPerMinute()}
     */
    public record TenantOverride(@Nullable @Min(1) Long maxPendingJobs, @Nullable @Min(1) Integer maxRunningJobs,
            @Nullable @Min(1) Integer batchesPerMinute) {
    }

    /**
     * One tenant's limits, its override and the defaults taken together.
     *
     * @param maxPendingJobs most jobs waiting to run
     * @param maxRunningJobs most jobs running at once; null for no limit but the pool's
     * @param batchesPerMinute most batches submitted per minute
     */
    public record TenantLimits(long maxPendingJobs, @Nullable Integer maxRunningJobs, int batchesPerMinute) {
    }

    /**
     * Server-sent event streams ({@code GET /api/v1/batches/{id}/events}, docs/api.md). A
     * stream holds one of the web server's connections as long as it is open (Tomcat
     * takes at most {@code server.tomcat.max-connections}, 8192 by default, for API
     * calls, streams and probes alike), one virtual thread and a queue, so the number
     * open is capped well below that: the API and the health probes on the same port
     * always find a connection.
     *
     * @param maxOpen most streams open at once over all tenants; one more gets 429
     * ({@code limit: open-streams}) with {@code Retry-After}
     * ({@code failfast.limits.retry-after}). 1000 leaves seven in eight of Tomcat's
     * default connections to everything else
     * @param maxOpenPerTenant most streams the callers of one tenant may have open at
     * once; one more gets 429 ({@code limit: tenant-open-streams}). 100 lets a dashboard
     * follow a hundred batches, and keeps one tenant from taking more than a tenth of
     * {@code maxOpen}
     * @param maxLifetime how long a stream stays open at most: then the server ends it
     * with a {@code reconnect} event, and the client reconnects with
     * {@code Last-Event-ID} and its credential, checked again (a revoked key stops
     * streaming then at the latest). Each stream ends up to a tenth earlier, at random,
     * so streams opened together do not reconnect together
     * @param heartbeat a comment line is sent when nothing else was sent for this long,
     * so proxies keep the connection and a client that went away is noticed (and its slot
     * freed) at the latest then
     * @param reconnectDelay the {@code retry:} hint sent at the start and the end of a
     * stream: how long a client waits before it reconnects
     * @param replayEvents how many of a followed batch's last events a single instance
     * keeps for streams that reconnect; a stream that reconnects after more were
     * published gets a {@code reset} event and the batch's status instead. In cluster
     * mode the database tells what changed since any event, and this bounds how many
     * changed jobs a resuming stream is sent: more gets the {@code reset} too
     * @param replayWindow how long a single instance keeps a batch's events after its
     * last stream closed, for that stream to reconnect
     */
    public record Streams(@DefaultValue("1000") @Min(1) int maxOpen, @DefaultValue("100") @Min(1) int maxOpenPerTenant,
            @DefaultValue("30m") @NotNull Duration maxLifetime, @DefaultValue("15s") @NotNull Duration heartbeat,
            @DefaultValue("1s") @NotNull Duration reconnectDelay, @DefaultValue("1024") @Min(0) int replayEvents,
            @DefaultValue("2m") @NotNull Duration replayWindow) {

        @AssertTrue(message = "failfast.streams.max-open-per-tenant must be at most max-open")
        boolean isTenantCapWithinGlobalCap() {
            return maxOpenPerTenant <= maxOpen;
        }

        @AssertTrue(message = "failfast.streams.max-lifetime, heartbeat and reconnect-delay must be positive, "
                + "and replay-window not negative")
        boolean isTimingValid() {
            return maxLifetime.isPositive() && heartbeat.isPositive() && reconnectDelay.isPositive()
                    && !replayWindow.isNegative();
        }
    }

    /**
     * Outcome notifications (docs/notifications.md): signed webhooks told of a batch's
     * end and first failure, recorded with the change that causes them and delivered at
     * least once, with retries, to URLs under the {@code http} job's SSRF policy
     * ({@code failfast.jobs.http.*}).
     *
     * @param signingSecret the Standard Webhooks secret ({@code whsec_} + base64) that
     * signs a notification whose target names none and whose tenant has none; without it,
     * such a target is refused at submission. Prefer {@code signingSecretFile}
     * @param signingSecretFile a file holding that secret, read at each delivery (so a
     * rotated file takes effect at once); wins over {@code signingSecret}
     * @param tenants per tenant, its own default signing secret
     * ({@code failfast.notifications.tenants.<tenant>.signing-secret})
     * @param publicUrl the service's URL as receivers reach it, for the link to the batch
     * in each payload ({@code links.batch}); without it the link is a path
     * ({@code /api/v1/batches/<id>})
     * @param timeout how long one delivery attempt may take: connecting, sending and the
     * receiver's answer
     * @param initialBackoff the wait after a first failed attempt; each further wait
     * doubles, up to {@code maxBackoff}; half of each wait is random (jitter)
     * @param maxBackoff the longest wait between two attempts
     * @param retryFor how long after it was recorded (or re-sent) a notification is
     * retried; then it is FAILED, kept, and can be re-sent
     * @param pollInterval how often a replica looks for notifications due (retries, and
     * those another replica recorded); an event of this replica wakes it at once
     * @param claimTtl how long a replica's claim on a notification holds: if it dies
     * while delivering, another replica delivers it after this
     * @param deliveryThreads how many deliveries one replica makes at once
     * @param maxTargetsPerBatch the most notification targets one batch may name
     * @param maxSubscriptionsPerTenant the most standing subscriptions one tenant may
     * register
     * @param rotationOverlap how long a subscription's previous secret keeps signing
     * after a rotation (both signatures are sent meanwhile)
     */
    public record Notifications(@Nullable String signingSecret, @Nullable Path signingSecretFile,
            @DefaultValue Map<String, @Valid NotificationTenant> tenants, @Nullable URI publicUrl,
            @DefaultValue("10s") @NotNull Duration timeout, @DefaultValue("1s") @NotNull Duration initialBackoff,
            @DefaultValue("10m") @NotNull Duration maxBackoff, @DefaultValue("24h") @NotNull Duration retryFor,
            @DefaultValue("1s") @NotNull Duration pollInterval, @DefaultValue("30s") @NotNull Duration claimTtl,
            @DefaultValue("4") @Min(1) int deliveryThreads,
            @DefaultValue("10") @Min(0) @Max(100) int maxTargetsPerBatch,
            @DefaultValue("50") @Min(0) int maxSubscriptionsPerTenant,
            @DefaultValue("24h") @NotNull Duration rotationOverlap) {

        public Notifications {
            tenants = Map.copyOf(tenants);
        }

        @AssertTrue(message = "failfast.notifications: timeout, initial-backoff, max-backoff, retry-for, "
                + "poll-interval and claim-ttl must be positive, and claim-ttl longer than timeout")
        boolean isTimingValid() {
            return Stream.of(timeout, initialBackoff, maxBackoff, retryFor, pollInterval, claimTtl)
                .allMatch(d -> d.isPositive()) && claimTtl.compareTo(timeout) > 0;
        }

        @AssertTrue(message = "failfast.notifications.signing-secret and each tenant's signing-secret must be a "
                + "Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes")
        boolean isEverySecretWellFormed() {
            return Stream.concat(Stream.of(signingSecret), tenants.values().stream().map(t -> t.signingSecret()))
                .allMatch(secret -> secret == null || isSigningSecret(secret));
        }

        @AssertTrue(message = "failfast.notifications.signing-secret-file must be a readable file holding a "
                + "Standard Webhooks secret (whsec_ and the base64 of 24 to 64 random bytes)")
        boolean isSigningSecretFileUsable() {
            if (signingSecretFile == null) {
                return true;
            }
            try {
                return isSigningSecret(Files.readString(signingSecretFile).strip());
            }
            catch (IOException e) {
                return false;
            }
        }

        /**
         * Whether {@code secret} is {@code whsec_} and the base64 of 24 to 64 bytes: what
         * receivers' Standard Webhooks libraries take.
         */
        public static boolean isSigningSecret(String secret) {
            if (!secret.startsWith("whsec_")) {
                return false;
            }
            try {
                int bytes = Base64.getDecoder().decode(secret.substring("whsec_".length())).length;
                return bytes >= 24 && bytes <= 64;
            }
            catch (IllegalArgumentException e) {
                return false;
            }
        }

        /** Hides the secrets. */
        @Override
        public String toString() {
            return "Notifications[signingSecret=" + (signingSecret == null ? "none" : "***") + ", signingSecretFile="
                    + signingSecretFile + ", tenants=" + tenants.keySet() + ", publicUrl=" + publicUrl + "]";
        }
    }

    /**
     * One tenant's notification settings.
     *
     * @param signingSecret the secret that signs the tenant's notifications whose target
     * names none
     */
    public record NotificationTenant(@Nullable String signingSecret) {

        @Override
        public String toString() {
            return "NotificationTenant[signingSecret=" + (signingSecret == null ? "none" : "***") + "]";
        }
    }

}
