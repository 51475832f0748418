# Failfast container image.
#
# Build:  docker build -t failfast:0.1.0 .
# Run:    docker run -p 8080:8080 -v failfast-data:/data --stop-timeout 75 failfast:0.1.0
#
# Both base images are build arguments, pinned by digest (the tag is informative only), so a
# rebuild uses the very images that were reviewed, whatever the tag points at later; a mirror or a
# locally built base can stand in for them (.ci/image-test.sh builds this file against
# Debian-based images it makes itself). They must provide `java` on the PATH; the runtime one also
# `groupadd`/`useradd`. To update: `docker buildx imagetools inspect eclipse-temurin:<tag>` (or
# `skopeo inspect`) prints the digest of the multi-platform index; pin that.
ARG BUILD_IMAGE=eclipse-temurin:25.0.3_9-jdk-noble@sha256:3eb81ed94d8c1a34422f19f8188548bdf02cae69c91d0328afdbb7abed90f617
ARG RUNTIME_IMAGE=eclipse-temurin:25.0.3_9-jre-noble@sha256:2f1da100788559b397bcf48c736169ea5b070bde84e55f203bbee8e83d87a175

FROM ${BUILD_IMAGE} AS build
WORKDIR /build
# Dependencies first: this layer is reused until the POM or the wrapper changes.
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q -DskipTests dependency:go-offline
COPY src/main/ src/main/
# Tests and the format check run in CI before the image is built, not here (the stage has no
# .springjavaformatconfig). The jar is split into Spring Boot's layers
# (dependencies / snapshot-dependencies / application) so a code change only replaces the last.
# Extracted files get the time of extraction; one fixed time instead keeps an unchanged layer
# byte-for-byte the same, so builders and registries reuse it.
RUN ./mvnw -B -q -DskipTests -Dspotless.check.skip=true package \
 && cp target/failfast-*.jar application.jar \
 && java -Djarmode=tools -jar application.jar extract --layers --destination /extracted \
 && find /extracted -exec touch --no-dereference --date=@315532800 {} +

FROM ${RUNTIME_IMAGE}
# A fixed, unprivileged UID/GID so Kubernetes can check runAsNonRoot and volumes can be chowned.
RUN groupadd --gid 10001 failfast \
 && useradd --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin failfast \
 && install -d -o 10001 -g 10001 -m 0750 /data
WORKDIR /app
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
# Logs are one JSON object per line (Elastic Common Schema), what log collectors parse without a
# pattern, and where a client's text can never start a line of its own. Set
# LOGGING_STRUCTURED_FORMAT_CONSOLE=logstash or gelf for another schema, or to "" for plain text.
# Set before the AOT training run, so the cache holds the JSON writer's classes too.
ENV LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs
# AOT cache (JDK 25, JEP 483/514): a training run that stops right after the application context
# is refreshed records the loaded and linked classes; the runtime maps them instead of loading
# them again. It needs the plain `-jar application.jar` class path of the extracted layout: the
# Spring Boot launcher's own class loader (`extract --launcher`) is not supported by the cache.
# The training run uses an in-memory database so no data is baked into the image, and a throwaway
# bootstrap key (kept in that database only) so it writes no generated key file.
# Absolute paths: the cache is only used with the class path it was trained with.
RUN ["java", "-XX:AOTCacheOutput=/app/failfast.aot", "-Dspring.context.exit=onRefresh", \
     "-Dspring.datasource.url=jdbc:h2:mem:aot-training", \
     "-Dfailfast.security.bootstrap-key=aot-training-run-only-never-valid-anywhere-else", \
     "-jar", "/app/application.jar"]

# The embedded H2 database lives on a volume; PostgreSQL deployments override the URL.
ENV SPRING_DATASOURCE_URL="jdbc:h2:file:/data/failfast;WRITE_DELAY=0"
# Without FAILFAST_SECURITY_BOOTSTRAP_KEY, the first start writes a generated admin key here.
ENV FAILFAST_SECURITY_GENERATED_KEY_FILE=/data/admin-key
# The heap follows the container's memory limit. Replacing JDK_JAVA_OPTIONS replaces this too.
ENV JDK_JAVA_OPTIONS=-XX:MaxRAMPercentage=75.0
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080
# Spring Boot shuts down gracefully on SIGTERM: readiness goes down, running jobs get
# failfast.shutdown.drain-timeout (30 s), then the rest are cancelled and saved. Give the
# container more than that before SIGKILL (docker stop -t / stop_grace_period /
# terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
# Exec form: no shell at runtime. JVM flags go in JDK_JAVA_OPTIONS, Spring settings in
# environment variables (SPRING_*, FAILFAST_*) or in arguments after the image name.
ENTRYPOINT ["java", "-XX:AOTCache=/app/failfast.aot", "-XX:+ExitOnOutOfMemoryError", \
            "-jar", "/app/application.jar"]
