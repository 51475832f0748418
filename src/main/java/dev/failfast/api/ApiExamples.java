package dev.failfast.api;

/** Examples shown in the OpenAPI document. */
final class ApiExamples {

    static final String CALLER = """
            {"tenant": "team-a", "principal": "key:0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f",
             "scopes": ["batches:cancel", "batches:read", "batches:write"]}""";

    static final String SUBMIT = """
            {
              "name": "nightly-import",
              "labels": {"team": "data"},
              "failurePolicy": "FAIL_FAST",
              "maxParallelism": 8,
              "deadline": "PT10M",
              "jobs": [
                {"id": "download-1", "type": "http", "timeout": "PT30S",
                 "params": {"url": "https://example.com/a.csv",
                            "headers": {"Authorization": {"secretRef": "partner-api", "prefix": "Bearer "}}},
                 "retry": {"maxAttempts": 3, "backoff": "PT1S", "multiplier": 2.0, "maxBackoff": "PT10S"}},
                {"id": "step-2", "type": "sleep", "params": {"duration": "PT1S", "steps": 10}}
              ],
              "notifications": [
                {"url": "https://hooks.example.com/failfast", "events": ["batch.failed", "batch.first_failure"],
                 "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
              ]
            }""";

    /**
     * A tolerance by ratio and rules per error: retry I/O errors under a retry of their
     * own, never count a 404, stop at once on any other 4xx.
     */
    static final String SUBMIT_RULES = """
            {
              "name": "partner-sync",
              "maxFailureRatio": 0.25,
              "minJobsForRatio": 4,
              "onError": [
                {"errorType": "IO", "action": "RETRY",
                 "retry": {"maxAttempts": 5, "backoff": "PT2S", "multiplier": 2.0, "maxBackoff": "PT30S"}},
                {"httpStatus": 429, "action": "RETRY"},
                {"httpStatus": 404, "action": "IGNORE"},
                {"httpStatus": "4xx", "action": "FAIL_BATCH"},
                {"errorType": "HTTP_STATUS", "message": "checksum (mismatch|missing)", "action": "COUNT"}
              ],
              "jobs": [
                {"id": "region-eu", "type": "http", "params": {"url": "https://partner.example.com/sync/eu"},
                 "retry": {"maxAttempts": 3}},
                {"id": "region-us", "type": "http", "params": {"url": "https://partner.example.com/sync/us"},
                 "retry": {"maxAttempts": 3}},
                {"id": "region-ap", "type": "http", "params": {"url": "https://partner.example.com/sync/ap"},
                 "retry": {"maxAttempts": 3}},
                {"id": "region-sa", "type": "http", "params": {"url": "https://partner.example.com/sync/sa"},
                 "retry": {"maxAttempts": 3}}
              ]
            }""";

    /**
     * A race of mirrors: the first download that succeeds ends the batch SUCCEEDED and
     * stops the others.
     */
    static final String SUBMIT_RACE = """
            {
              "name": "fetch-release",
              "failurePolicy": "CONTINUE",
              "succeedWhen": {"minSucceeded": 1},
              "jobs": [
                {"id": "mirror-1", "type": "http", "params": {"url": "https://mirror1.example.com/release.tar.gz"}},
                {"id": "mirror-2", "type": "http", "params": {"url": "https://mirror2.example.com/release.tar.gz"}},
                {"id": "mirror-3", "type": "http", "params": {"url": "https://mirror3.example.com/release.tar.gz"}}
              ]
            }""";

    static final String INVALID = """
            {
              "type": "https://failfast.dev/problems/invalid-request",
              "title": "Invalid request",
              "status": 400,
              "detail": "The request has 2 invalid field(s).",
              "instance": "/api/v1/batches",
              "errors": [
                {"field": "jobs[0].type", "message": "unknown job type 'sleeep'; known types: [http, sleep]"},
                {"field": "jobs[1].params.duration", "message": "must not be null"}
              ]
            }""";

    static final String FAILED_BATCH = """
            {
              "id": "019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44",
              "tenant": "team-a",
              "submittedBy": "key:019abf50-1c2d-7e3f-8a4b-5c6d7e8f9a0b",
              "name": "seed-ff",
              "labels": {},
              "failurePolicy": "FAIL_FAST",
              "maxFailures": 0,
              "maxFailureRatio": null,
              "minJobsForRatio": null,
              "onError": [],
              "succeedWhen": null,
              "maxParallelism": 8,
              "deadline": null,
              "state": "FAILED",
              "createdAt": "2026-11-25T10:00:00.000123Z",
              "startedAt": "2026-11-25T10:00:00.001456Z",
              "finishedAt": "2026-11-25T10:00:00.252789Z",
              "counts": {"total": 100, "pending": 0, "running": 0, "succeeded": 0, "failed": 1, "cancelled": 7, "skipped": 92,
                         "ignored": 0},
              "cancellation": {
                "cause": "JOB_FAILED",
                "jobId": "job-003",
                "errorType": "JOB_ERROR",
                "message": "simulated failure",
                "reason": null,
                "requestedBy": null,
                "requestedAt": "2026-11-25T10:00:00.251901Z",
                "completedAt": "2026-11-25T10:00:00.252301Z",
                "propagationMillis": 0.4,
                "rule": null,
                "report": {"runningAtCause": 7, "stoppedRunning": 7, "neverStarted": 92, "abandoned": 0,
                           "discardedJobSeconds": 1.75, "savedJobSeconds": null}
              },
              "run": 1,
              "runs": [
                {"number": 1, "queuedAt": "2026-11-25T10:00:00.000123Z", "startedAt": "2026-11-25T10:00:00.001456Z",
                 "finishedAt": "2026-11-25T10:00:00.252789Z", "state": "FAILED",
                 "cancellation": {"cause": "JOB_FAILED", "jobId": "job-003", "errorType": "JOB_ERROR",
                                  "message": "simulated failure", "reason": null, "requestedBy": null,
                                  "requestedAt": "2026-11-25T10:00:00.251901Z",
                                  "completedAt": "2026-11-25T10:00:00.252301Z", "propagationMillis": 0.4, "rule": null,
                                  "report": {"runningAtCause": 7, "stoppedRunning": 7, "neverStarted": 92,
                                             "abandoned": 0, "discardedJobSeconds": 1.75, "savedJobSeconds": null}},
                 "redrivenBy": null, "redrivenJobs": null}
              ]
            }""";

    static final String REDRIVE = """
            {"states": ["FAILED", "SKIPPED"], "jobIds": ["job-003", "job-093"]}""";

    /** The batch of FAILED_BATCH after a redrive of every job that did not succeed. */
    static final String REDRIVEN_BATCH = """
            {
              "id": "019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44",
              "tenant": "team-a",
              "submittedBy": "key:019abf50-1c2d-7e3f-8a4b-5c6d7e8f9a0b",
              "name": "seed-ff",
              "labels": {},
              "failurePolicy": "FAIL_FAST",
              "maxFailures": 0,
              "maxFailureRatio": null,
              "minJobsForRatio": null,
              "onError": [],
              "succeedWhen": null,
              "maxParallelism": 8,
              "deadline": null,
              "state": "QUEUED",
              "createdAt": "2026-11-25T10:00:00.000123Z",
              "startedAt": null,
              "finishedAt": null,
              "counts": {"total": 100, "pending": 100, "running": 0, "succeeded": 0, "failed": 0, "cancelled": 0, "skipped": 0,
                         "ignored": 0},
              "cancellation": null,
              "run": 2,
              "runs": [
                {"number": 1, "queuedAt": "2026-11-25T10:00:00.000123Z", "startedAt": "2026-11-25T10:00:00.001456Z",
                 "finishedAt": "2026-11-25T10:00:00.252789Z", "state": "FAILED",
                 "cancellation": {"cause": "JOB_FAILED", "jobId": "job-003", "errorType": "JOB_ERROR",
                                  "message": "simulated failure", "reason": null, "requestedBy": null,
                                  "requestedAt": "2026-11-25T10:00:00.251901Z",
                                  "completedAt": "2026-11-25T10:00:00.252301Z", "propagationMillis": 0.4, "rule": null,
                                  "report": {"runningAtCause": 7, "stoppedRunning": 7, "neverStarted": 92,
                                             "abandoned": 0, "discardedJobSeconds": 1.75, "savedJobSeconds": null}},
                 "redrivenBy": null, "redrivenJobs": null},
                {"number": 2, "queuedAt": "2026-11-25T10:05:00.000Z", "startedAt": null, "finishedAt": null,
                 "state": "QUEUED", "cancellation": null,
                 "redrivenBy": "key:019abf50-1c2d-7e3f-8a4b-5c6d7e8f9a0b", "redrivenJobs": 100}
              ]
            }""";

    static final String JOB_WITH_HISTORY = """
            {
              "id": "download-1",
              "type": "http",
              "params": {"url": "https://example.com/a.csv"},
              "timeout": "PT30S",
              "retry": {"maxAttempts": 2, "backoff": "PT2S", "multiplier": 2.0, "maxBackoff": "PT10S"},
              "state": "FAILED",
              "attempts": 2,
              "deferrals": 0,
              "startedAt": "2026-11-25T10:00:00.100Z",
              "finishedAt": "2026-11-25T10:00:02.400Z",
              "durationMillis": 2300,
              "abandoned": false,
              "error": {"type": "HTTP_STATUS", "message": "Unexpected HTTP status 503", "exception": "dev.failfast.job.JobFailedException", "httpStatus": 503},
              "result": null,
              "stoppedBy": null,
              "run": 1,
              "attemptHistory": [
                {"run": 1, "number": 1, "startedAt": "2026-11-25T10:00:00.100Z", "endedAt": "2026-11-25T10:00:00.250Z",
                 "outcome": "FAILED",
                 "error": {"type": "HTTP_STATUS", "message": "Unexpected HTTP status 503", "exception": "dev.failfast.job.JobFailedException", "httpStatus": 503},
                 "rule": null, "backoff": "PT2S", "backoffReason": "job retry policy: attempt 2 of 2, backoff PT2S",
                 "abandoned": false},
                {"run": 1, "number": 2, "startedAt": "2026-11-25T10:00:02.250Z", "endedAt": "2026-11-25T10:00:02.400Z",
                 "outcome": "FAILED",
                 "error": {"type": "HTTP_STATUS", "message": "Unexpected HTTP status 503", "exception": "dev.failfast.job.JobFailedException", "httpStatus": 503},
                 "rule": null, "backoff": null, "backoffReason": null, "abandoned": false}
              ],
              "droppedAttempts": 0
            }""";

    static final String NOTIFICATIONS = """
            [
              {
                "id": "019abf5f-0a1b-7c2d-8e3f-4a5b6c7d8e9f",
                "event": "batch.failed",
                "run": 1,
                "target": "batch:0",
                "url": "https://hooks.example.com/failfast",
                "status": "PENDING",
                "attempts": 2,
                "lastStatus": 503,
                "lastError": "HTTP status 503",
                "createdAt": "2026-11-25T09:00:03.104Z",
                "lastAttemptAt": "2026-11-25T09:00:04.310Z",
                "nextAttemptAt": "2026-11-25T09:00:06.200Z",
                "deliveredAt": null,
                "giveUpAt": "2026-11-26T09:00:03.104Z"
              }
            ]""";

    static final String SUBSCRIBE = """
            {
              "url": "https://hooks.example.com/failfast",
              "events": ["batch.finished"],
              "headers": {"Authorization": {"secretRef": "hooks-token", "prefix": "Bearer "}}
            }""";

    static final String CREATE_KEY = """
            {
              "name": "ci-deploy",
              "tenant": "team-a",
              "scopes": ["batches:read", "batches:write"],
              "expiresAt": "2027-06-30T00:00:00Z"
            }""";

    static final String CREATED_KEY = """
            {
              "id": "019abf50-1c2d-7e3f-8a4b-5c6d7e8f9a0b",
              "name": "ci-deploy",
              "tenant": "team-a",
              "scopes": ["batches:read", "batches:write"],
              "createdAt": "2026-11-25T09:00:00Z",
              "createdBy": "key:019abf4f-0000-7000-8000-000000000001",
              "expiresAt": "2027-06-30T00:00:00Z",
              "key": "ffk_Xy3qT0pS3cr3tK3yOnlyAnExampleAAAAAAAAAAAA"
            }""";

    static final String EVENTS = """
            retry:1000
            id:p3k9x2a7q.41.0
            event:batch
            data:{"id":"019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44","state":"RUNNING","counts":{"total":3,"pending":1,"running":2,"succeeded":0,"failed":0,"cancelled":0,"skipped":0},"cancellation":null}

            id:p3k9x2a7q.44.0
            event:job
            data:{"id":"b","type":"sleep","state":"FAILED","attempts":1,"error":{"type":"JOB_ERROR","message":"Simulated failure","exception":"dev.failfast.job.JobFailedException"}}

            id:p3k9x2a7q.47.0
            event:batch
            data:{"id":"019abf5e-7b6c-7cc1-9a0e-3c1f1e0b2a44","state":"FAILED","cancellation":{"cause":"JOB_FAILED","jobId":"b"}}
            """;

    private ApiExamples() {
    }

    static final String REGISTER_WORKER = """
            {"name": "downloader-7f9c", "types": ["download"], "capacity": 8}""";

    static final String WORKER = """
            {"id": "0193c3b1-2a4e-7d1f-8b6c-5e4d3c2b1a09", "name": "downloader-7f9c", "types": ["download"],
             "capacity": 8, "tenant": "team-a", "leaseTtl": "PT15S", "heartbeatInterval": "PT5S",
             "registeredAt": "2026-12-02T09:00:00Z", "leaseExpiresAt": "2026-12-02T09:00:15Z", "attempts": []}""";

    static final String CLAIMED = """
            {"attempts": [
              {"id": "0193c3b1-3b5f-7e20-9c7d-6f5e4d3c2b1a", "batchId": "0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f",
               "jobId": "file-017", "type": "remote:download", "name": "download", "attempt": 1,
               "params": {"url": "s3://reports/2026/12/017.csv"}, "claimedAt": "2026-12-02T09:00:01.250Z",
               "progress": null, "cancelReason": null}
            ]}""";

    static final String HEARTBEAT = """
            {"progress": {"0193c3b1-3b5f-7e20-9c7d-6f5e4d3c2b1a": {"bytes": 1048576, "of": 5242880}}}""";

    static final String FAIL_ATTEMPT = """
            {"errorType": "S3_NOT_FOUND", "message": "s3://reports/2026/12/017.csv: 404 Not Found", "status": 404}""";

    static final String WORKER_EVENTS = """
            event:ready
            data:{"workerId":"0193c3b1-2a4e-7d1f-8b6c-5e4d3c2b1a09"}

            event:cancel
            data:{"attemptId":"0193c3b1-3b5f-7e20-9c7d-6f5e4d3c2b1a","batchId":"0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f","jobId":"file-017","reason":"BATCH_CANCELLED","requestedAt":"2026-12-02T09:00:02.125Z"}
            """;

}
