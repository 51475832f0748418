package dev.failfast.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Helm chart in {@code helm/failfast}, linted and rendered by the real Helm 3 engine
 * that helm-java bundles, the output parsed strictly into Kubernetes model classes.
 */
class HelmChartTest {

    static final Path CHART = Path.of("helm/failfast");
    static final Path ALL_FEATURES = Path.of("src/test/resources/helm/all-features.yaml");
    static final String RELEASE = "ff";

    /**
     * Helm renders for Kubernetes 1.20 unless told; the chart needs 1.30 (preStop sleep).
     */
    static final String KUBE_VERSION = "1.33.0";

    @Test
    void lintsCleanInStrictMode() {
        var result = new Helm(CHART).lint().strict().call();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void defaultsRenderOneReplicaOnEmbeddedH2BehindANetworkPolicyWithNoOptionalFeature() {
        Manifests manifests = render(t -> t);

        assertThat(manifests.kinds()).as("the API's Service and the management port's")
            .containsExactly("ConfigMap", "Deployment", "NetworkPolicy", "PersistentVolumeClaim", "Service", "Service",
                    "ServiceAccount");
        Deployment deployment = manifests.one(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("one instance per database, so never two at once")
            .isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        Container container = container(deployment);
        assertThat(container.getEnv()).extracting(EnvVar::getName)
            .as("cluster mode is off by default")
            .doesNotContain("FAILFAST_CLUSTER_ENABLED", "FAILFAST_CLUSTER_POLL_INTERVAL");
        assertThat(container.getImage()).isEqualTo("ghcr.io/failfast-dev/failfast:0.1.0");
        assertThat(env(container, "SPRING_DATASOURCE_URL").getValue())
            .isEqualTo("jdbc:h2:file:/data/failfast;WRITE_DELAY=0");
        assertThat(mountPath(container, "data")).isEqualTo("/data");
        PersistentVolumeClaim claim = manifests.one(PersistentVolumeClaim.class);
        assertThat(volume(deployment, "data").getPersistentVolumeClaim().getClaimName())
            .isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    }

    @Test
    void probesUseTheActuatorHealthGroups() {
        Container container = container(render(t -> t).one(Deployment.class));

        assertHttpProbe(container.getStartupProbe(), "/actuator/health/liveness", "management");
        assertHttpProbe(container.getLivenessProbe(), "/actuator/health/liveness", "management");
        assertHttpProbe(container.getReadinessProbe(), "/actuator/health/readiness", "management");
        assertThat(container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold())
            .as("seconds a start may take")
            .isGreaterThanOrEqualTo(60);
    }

    @Test
    void runsLockedDown() {
        Deployment deployment = render(t -> t).one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        var container = container(deployment);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as("the image's UID").isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var security = container.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(volume(deployment, "tmp").getEmptyDir()).as("a writable /tmp").isNotNull();
        assertThat(mountPath(container, "tmp")).isEqualTo("/tmp");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(env(container, "JDK_JAVA_OPTIONS").getValue()).isEqualTo("-XX:MaxRAMPercentage=75");
    }

    @Test
    void givesShutdownMoreTimeThanTheDrainTimeout() throws IOException {
        Manifests manifests = render(t -> t);
        Deployment deployment = manifests.one(Deployment.class);
        JsonNode config = applicationYaml(manifests.one(ConfigMap.class));

        Duration drain = Duration.parse("PT" + config.at("/failfast/shutdown/drain-timeout").asText());
        long preStop = container(deployment).getLifecycle().getPreStop().getSleep().getSeconds();
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        assertThat(drain).isEqualTo(Duration.ofSeconds(30));
        assertThat(grace).isGreaterThan(preStop + drain.toSeconds());
        assertThat(Duration.parse("PT" + config.at("/spring/lifecycle/timeout-per-shutdown-phase").asText()))
            .isGreaterThan(drain);
    }

    @Test
    void aConfigChangeRollsThePods() throws IOException {
        Manifests defaults = render(t -> t);
        Manifests changed = render(t -> t.set("config.failfast.executor.pool-size", 32));

        assertThat(applicationYaml(changed.one(ConfigMap.class)).at("/failfast/executor/pool-size").asInt())
            .isEqualTo(32);
        assertThat(podAnnotation(changed, "checksum/config")).isNotBlank()
            .isNotEqualTo(podAnnotation(defaults, "checksum/config"));
    }

    @Test
    void everyOptionalFeatureRendersValidManifests() {
        Manifests manifests = render(t -> t.withValuesFile(ALL_FEATURES));

        assertThat(manifests.kinds()).containsExactly("ConfigMap", "ConfigMap", "Deployment", "Ingress",
                "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Service", "Service", "ServiceAccount",
                "ServiceMonitor");
        Deployment deployment = manifests.one(Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("on PostgreSQL too: one instance per database")
            .isEqualTo("Recreate");
        assertThat(manifests.one(PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
        assertThat(manifests.one(Ingress.class)
            .getSpec()
            .getRules()
            .getFirst()
            .getHttp()
            .getPaths()
            .getFirst()
            .getBackend()
            .getService()
            .getName()).isEqualTo(apiService(manifests).getMetadata().getName());
        assertThat(manifests.one(NetworkPolicy.class).getSpec().getIngress()).hasSize(2);
    }

    @Test
    void clusterModeOnPostgresqlRunsSeveralReplicasThatRollOneByOne() {
        Deployment deployment = render(
                t -> t.withValuesFile(ALL_FEATURES).set("cluster.enabled", "true").set("replicaCount", "3"))
            .one(Deployment.class);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        var strategy = deployment.getSpec().getStrategy();
        assertThat(strategy.getType()).as("replicas of one cluster may overlap").isEqualTo("RollingUpdate");
        assertThat(strategy.getRollingUpdate().getMaxSurge().getIntVal()).isEqualTo(1);
        assertThat(strategy.getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(0);
        Container container = container(deployment);
        assertThat(env(container, "FAILFAST_CLUSTER_ENABLED").getValue()).isEqualTo("true");
        assertThat(container.getEnv()).extracting(EnvVar::getName)
            .as("the service's default poll interval")
            .doesNotContain("FAILFAST_CLUSTER_POLL_INTERVAL")
            .as("the node name defaults to the host name, i.e. the pod name")
            .doesNotContain("FAILFAST_CLUSTER_NODE_NAME");
    }

    @Test
    void clusterModePassesAPollIntervalOnlyWhenSet() {
        Container container = container(render(
                t -> t.withValuesFile(ALL_FEATURES).set("cluster.enabled", "true").set("cluster.pollInterval", "500ms"))
            .one(Deployment.class));

        assertThat(env(container, "FAILFAST_CLUSTER_POLL_INTERVAL").getValue()).isEqualTo("500ms");
    }

    @Test
    void clusterModeOnEmbeddedH2IsRefused() {
        assertThatThrownBy(() -> render(t -> t.set("cluster.enabled", "true")))
            .hasMessageContaining("cluster.enabled=true needs database.type=postgresql")
            .hasMessageContaining("embedded H2 runs a single instance");
        assertThatThrownBy(() -> render(t -> t.set("cluster.enabled", "true").set("replicaCount", "3")))
            .as("the database, not the replica count, is what to change")
            .hasMessageContaining("cluster.enabled=true needs database.type=postgresql");
    }

    @Test
    void severalReplicasOnPostgresqlNeedClusterMode() {
        assertThatThrownBy(() -> render(t -> t.withValuesFile(ALL_FEATURES).set("replicaCount", "2")))
            .hasMessageContaining("replicaCount must be 0 or 1 unless cluster mode is on")
            .hasMessageContaining("set cluster.enabled=true with database.type=postgresql");
    }

    @Test
    void postgresqlComesFromAnExistingSecretItsCredentialsAsFiles() {
        Deployment deployment = render(t -> t.withValuesFile(ALL_FEATURES)).one(Deployment.class);
        Container container = container(deployment);

        var url = env(container, "SPRING_DATASOURCE_URL").getValueFrom().getSecretKeyRef();
        assertThat(url.getName()).isEqualTo("failfast-db");
        assertThat(url.getKey()).isEqualTo("jdbc-url");
        assertThat(secretSources(deployment)).filteredOn(source -> source.getName().equals("failfast-db"))
            .singleElement()
            .satisfies(
                    source -> assertThat(source.getOptional()).as("the database Secret must exist").isNotEqualTo(true))
            .satisfies(source -> assertThat(source.getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(tuple("username", "spring.datasource.username"),
                        tuple("password", "spring.datasource.password")));
        assertThat(container.getVolumeMounts()).noneMatch(m -> m.getName().equals("data"));
        assertThat(container.getImage()).endsWith(":0.1.0-test@sha256:" + "0123456789abcdef".repeat(4));
    }

    @Test
    void noSecretIsInTheEnvironmentAllAreFilesForSpringsConfigtree() {
        Deployment deployment = render(t -> t.withValuesFile(ALL_FEATURES)).one(Deployment.class);
        Container container = container(deployment);

        assertThat(container.getEnv()).filteredOn(e -> e.getValueFrom() != null)
            .as("only the JDBC URL, which must win over the image's H2 default, comes from a Secret as a variable")
            .extracting(EnvVar::getName)
            .containsExactly("SPRING_DATASOURCE_URL");
        assertThat(container.getEnv()).extracting(EnvVar::getName)
            .noneMatch(name -> name.contains("PASSWORD") || name.contains("KEY") || name.contains("USERNAME"));
        assertThat(env(container, "SPRING_CONFIG_IMPORT").getValue())
            .isEqualTo("optional:configtree:/etc/failfast/secrets/");
        assertThat(container.getVolumeMounts()).filteredOn(m -> m.getName().equals("secrets"))
            .singleElement()
            .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/etc/failfast/secrets"))
            .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(volume(deployment, "secrets").getProjected().getDefaultMode()).as("0440: owner and fsGroup read")
            .isEqualTo(0440);
        assertThat(mountPath(container, "config")).as("beside the secrets, not above them")
            .isEqualTo("/etc/failfast/config");
        assertThat(env(container, "SPRING_CONFIG_ADDITIONAL_LOCATION").getValue())
            .isEqualTo("optional:file:/etc/failfast/config/");
    }

    @Test
    void theAdminKeyAndOidcSettingsComeFromTheSecretAsFilesEachKeyOptional() {
        Deployment deployment = render(t -> t.set("security.existingSecret", "failfast-auth")).one(Deployment.class);

        assertThat(securityEnv(container(deployment))).isEmpty();
        assertThat(secretSources(deployment)).singleElement()
            .satisfies(source -> assertThat(source.getName()).isEqualTo("failfast-auth"))
            .satisfies(source -> assertThat(source.getOptional())
                .as("a Secret with only the admin key, or only OIDC, works")
                .isTrue())
            .satisfies(source -> assertThat(source.getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
                .containsExactly(tuple("bootstrap-key", "failfast.security.bootstrap-key"),
                        tuple("issuer-uri", "spring.security.oauth2.resourceserver.jwt.issuer-uri"),
                        tuple("jwk-set-uri", "spring.security.oauth2.resourceserver.jwt.jwk-set-uri")));

        Deployment renamed = render(t -> t.set("security.existingSecret", "auth")
            .set("security.bootstrapKeyKey", "admin")
            .set("security.issuerUriKey", "iss")
            .set("security.jwkSetUriKey", "jwks")).one(Deployment.class);
        assertThat(secretSources(renamed)).singleElement()
            .satisfies(source -> assertThat(source.getItems()).extracting(KeyToPath::getKey)
                .containsExactly("admin", "iss", "jwks"));
    }

    @Test
    void withoutASecretTheServiceGetsNoSecuritySettings() throws IOException {
        Manifests manifests = render(t -> t);
        Deployment deployment = manifests.one(Deployment.class);

        assertThat(securityEnv(container(deployment))).isEmpty();
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).extracting(Volume::getName)
            .doesNotContain("secrets");
        assertThat(container(deployment).getVolumeMounts()).extracting(VolumeMount::getName).doesNotContain("secrets");
        assertThat(applicationYaml(manifests.one(ConfigMap.class)).at("/failfast/security").isMissingNode()).isTrue();
    }

    /**
     * The default signing secret of notifications is a file of its own, read at each
     * delivery: a directory mount (no subPath), so that a rotated Secret reaches it.
     */
    @Test
    void theNotificationSigningSecretIsAFileFromItsSecretThatARotationReaches() throws IOException {
        Manifests manifests = render(t -> t.withValuesFile(ALL_FEATURES));
        Deployment deployment = manifests.one(Deployment.class);
        Container container = container(deployment);

        var secret = volume(deployment, "notifications").getSecret();
        assertThat(secret.getSecretName()).isEqualTo("failfast-webhooks");
        assertThat(secret.getOptional()).as("a configured secret must exist").isNotEqualTo(true);
        assertThat(secret.getDefaultMode()).as("0440: owner and fsGroup read").isEqualTo(0440);
        assertThat(secret.getItems()).extracting(KeyToPath::getKey, KeyToPath::getPath)
            .containsExactly(tuple("whsec", "signing-secret"));
        assertThat(container.getVolumeMounts()).filteredOn(m -> m.getName().equals("notifications"))
            .singleElement()
            .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/etc/failfast/notifications"))
            .satisfies(m -> assertThat(m.getReadOnly()).isTrue())
            .satisfies(m -> assertThat(m.getSubPath()).as("a subPath mount never sees a rotation").isNull());
        JsonNode config = applicationYaml(manifests.find(ConfigMap.class, RELEASE + "-failfast").orElseThrow());
        assertThat(config.at("/failfast/notifications/signing-secret-file").asText())
            .isEqualTo("/etc/failfast/notifications/signing-secret");
        assertThat(config.at("/failfast/notifications/public-url").asText()).isEqualTo("https://failfast.example.com");
        assertThat(container.getEnv()).extracting(EnvVar::getName).noneMatch(name -> name.contains("NOTIFICATION"));

        Manifests defaults = render(t -> t);
        assertThat(defaults.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
            .extracting(Volume::getName)
            .doesNotContain("notifications");
        assertThat(applicationYaml(defaults.one(ConfigMap.class)).at("/failfast/notifications").isMissingNode())
            .as("without a Secret targets bring their own secrets")
            .isTrue();
    }

    @Test
    void theSleepSimulatorAndTheApiDocsAreOffUnlessTurnedOn() throws IOException {
        JsonNode defaults = applicationYaml(render(t -> t).one(ConfigMap.class));
        assertThat(defaults.at("/failfast/jobs/sleep/enabled").asBoolean(true)).isFalse();
        assertThat(defaults.at("/springdoc/api-docs/enabled").asBoolean(true)).isFalse();
        assertThat(defaults.at("/springdoc/swagger-ui/enabled").asBoolean(true)).isFalse();
        assertThat(notes(t -> t)).doesNotContain("\"type\": \"sleep\"")
            .contains("\"type\": \"http\"")
            .contains("jobs.sleep.enabled=true")
            .doesNotContain("$FAILFAST/swagger-ui.html");

        JsonNode on = applicationYaml(
                render(t -> t.withValuesFile(ALL_FEATURES)).find(ConfigMap.class, RELEASE + "-failfast").orElseThrow());
        assertThat(on.at("/failfast/jobs/sleep/enabled").asBoolean(false)).isTrue();
        assertThat(on.has("springdoc")).as("springdoc's defaults: served").isFalse();
        assertThat(notes(t -> t.set("jobs.sleep.enabled", "true").set("apiDocs.enabled", "true")))
            .contains("\"type\": \"sleep\"")
            .contains("$FAILFAST/swagger-ui.html");
    }

    @Test
    void theNetworkPolicyIsOnByDefaultAndLetsOutOnlyDnsAndTheWebOutsideThePrivateNetworks() {
        NetworkPolicy policy = render(t -> t).one(NetworkPolicy.class);

        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
        assertThat(egress).hasSize(2);
        NetworkPolicyEgressRule dns = egress.get(0);
        assertThat(dns.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                .containsExactly(entry("kubernetes.io/metadata.name", "kube-system"));
            assertThat(peer.getPodSelector().getMatchLabels()).containsExactly(entry("k8s-app", "kube-dns"));
        });
        assertThat(dns.getPorts()).extracting(p -> p.getPort().getIntVal(), NetworkPolicyPort::getProtocol)
            .containsExactly(tuple(53, "UDP"), tuple(53, "TCP"));
        NetworkPolicyEgressRule web = egress.get(1);
        assertThat(web.getPorts()).extracting(p -> p.getPort().getIntVal(), NetworkPolicyPort::getProtocol)
            .containsExactly(tuple(80, "TCP"), tuple(443, "TCP"));
        assertThat(web.getTo()).extracting(NetworkPolicyPeer::getIpBlock).satisfiesExactly(v4 -> {
            assertThat(v4.getCidr()).isEqualTo("0.0.0.0/0");
            assertThat(v4.getExcept()).containsExactly("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                    "169.254.0.0/16", "127.0.0.0/8");
        }, v6 -> {
            assertThat(v6.getCidr()).isEqualTo("::/0");
            assertThat(v6.getExcept()).containsExactly("fc00::/7", "fe80::/10", "::1/128");
        });
        assertThat(web.getTo()).as("no pod or namespace of the cluster")
            .allSatisfy(peer -> assertThat(peer.getPodSelector()).isNull())
            .allSatisfy(peer -> assertThat(peer.getNamespaceSelector()).isNull());
    }

    @Test
    void onPostgresqlTheNetworkPolicyLetsThePodsReachTheDatabaseAndTheExtraRules() {
        List<NetworkPolicyEgressRule> egress = render(t -> t.withValuesFile(ALL_FEATURES)).one(NetworkPolicy.class)
            .getSpec()
            .getEgress();

        assertThat(egress).hasSize(4);
        assertThat(egress.get(0).getTo().getFirst().getPodSelector().getMatchLabels())
            .containsExactly(entry("k8s-app", "coredns"));
        assertThat(egress.get(1).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(443);
        assertThat(egress.get(2).getTo()).singleElement()
            .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.20.0.5/32"));
        assertThat(egress.get(2).getPorts()).extracting(p -> p.getPort().getIntVal(), NetworkPolicyPort::getProtocol)
            .containsExactly(tuple(6432, "TCP"));
        assertThat(egress.get(3).getTo().getFirst().getNamespaceSelector().getMatchLabels())
            .containsExactly(entry("kubernetes.io/metadata.name", "keycloak"));

        List<NetworkPolicyEgressRule> noWeb = render(t -> t.set("networkPolicy.egress.publicPorts", "null"))
            .one(NetworkPolicy.class)
            .getSpec()
            .getEgress();
        assertThat(noWeb).as("DNS only")
            .singleElement()
            .satisfies(rule -> assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsOnly(53));
    }

    @Test
    void withoutANetworkPolicyPostgresqlNeedsNoDatabasePeers() {
        Manifests manifests = render(t -> t.withValuesFile(ALL_FEATURES)
            .set("networkPolicy.enabled", "false")
            .set("networkPolicy.egress.database.to", "null"));

        assertThat(manifests.kinds()).doesNotContain("NetworkPolicy");
    }

    @Test
    void jwtClaimsGoIntoTheConfigMapOnlyWhenSet() throws IOException {
        JsonNode tenantOnly = applicationYaml(
                render(t -> t.set("security.jwt.tenantClaim", "org")).one(ConfigMap.class));
        assertThat(tenantOnly.at("/failfast/security/jwt"))
            .as("an empty scopesClaim keeps the service default, the standard scope/scp claims")
            .isEqualTo(Manifests.YAML.readTree("tenant-claim: org"));
        assertThat(tenantOnly.at("/failfast/shutdown/drain-timeout").asText()).isEqualTo("30s");

        Manifests both = render(t -> t.withValuesFile(ALL_FEATURES));
        JsonNode config = applicationYaml(both.find(ConfigMap.class, RELEASE + "-failfast").orElseThrow());
        assertThat(config.at("/failfast/security/jwt"))
            .isEqualTo(Manifests.YAML.readTree("{tenant-claim: org, scopes-claim: permissions}"));
        assertThat(config.at("/failfast/executor/pool-size").asInt()).as("values.config still merged").isEqualTo(32);
        assertThat(securityEnv(container(both.one(Deployment.class))))
            .as("claims are plain settings, not taken from the Secret")
            .extracting(EnvVar::getName)
            .noneMatch(name -> name.contains("CLAIM"));
    }

    @Test
    void theNotesSayWhereTheAdminKeyIs() {
        assertThat(notes(t -> t)).contains("/data/admin-key")
            .contains("kubectl --namespace batch exec deployment/ff-failfast -- cat /data/admin-key")
            .contains("-H \"Authorization: Bearer $FAILFAST_KEY\"");
        assertThat(notes(t -> t.set("security.existingSecret", "failfast-auth")))
            .contains("kubectl --namespace batch get secret failfast-auth -o jsonpath='{.data.bootstrap-key}'")
            .doesNotContain("/data/admin-key");
    }

    @Test
    void theActuatorIsOnASeparateManagementPortByDefault() throws IOException {
        Manifests manifests = render(t -> t.set("metrics.serviceMonitor.enabled", "true"));
        Container container = container(manifests.one(Deployment.class));

        assertThat(container.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
            .containsExactly(tuple("http", 8080), tuple("management", 8081));
        assertThat(applicationYaml(manifests.one(ConfigMap.class)).at("/management/server/port").asInt())
            .isEqualTo(8081);
        assertHttpProbe(container.getStartupProbe(), "/actuator/health/liveness", "management");
        assertHttpProbe(container.getReadinessProbe(), "/actuator/health/readiness", "management");
        assertThat(apiService(manifests).getSpec().getPorts()).extracting(ServicePort::getName)
            .as("the API's Service carries no actuator")
            .containsExactly("http");
        Service management = managementService(manifests);
        assertThat(management.getSpec().getPorts()).singleElement()
            .satisfies(p -> assertThat(p.getName()).isEqualTo("management"))
            .satisfies(p -> assertThat(p.getPort()).isEqualTo(8081))
            .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("management"));
        var monitor = manifests.one(ServiceMonitor.class);
        var endpoint = monitor.getSpec().getEndpoints().getFirst();
        assertThat(endpoint.getPort()).isEqualTo("management");
        assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
        assertThat(endpoint.getAuthorization()).as("the management port needs no token").isNull();
        assertThat(management.getMetadata().getLabels()).as("the ServiceMonitor selects the management Service")
            .containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        assertThat(apiService(manifests).getMetadata().getLabels()).as("and only that one")
            .doesNotContainEntry("app.kubernetes.io/component", "management");
    }

    @Test
    void theManagementPortStaysInsideTheClusterWhateverTheServiceType() {
        Manifests manifests = render(t -> t.set("service.type", "LoadBalancer"));

        assertThat(apiService(manifests).getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(managementService(manifests).getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(manifests.all(Service.class)).filteredOn(s -> s.getSpec().getType().equals("LoadBalancer"))
            .flatExtracting(s -> s.getSpec().getPorts())
            .extracting(ServicePort::getName)
            .containsExactly("http");
    }

    @Test
    void managementPortZeroServesTheActuatorOnTheHttpPort() throws IOException {
        Manifests manifests = render(t -> t.set("management.port", "0"));
        Container container = container(manifests.one(Deployment.class));

        assertThat(container.getPorts()).extracting(ContainerPort::getName).containsExactly("http");
        assertThat(applicationYaml(manifests.one(ConfigMap.class)).has("management")).isFalse();
        assertHttpProbe(container.getLivenessProbe(), "/actuator/health/liveness", "http");
        assertHttpProbe(container.getReadinessProbe(), "/actuator/health/readiness", "http");
        assertThat(manifests.all(Service.class)).singleElement()
            .satisfies(
                    s -> assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("http"));
    }

    @Test
    void onTheHttpPortPrometheusScrapesWithAnApiKeyFromASecret() {
        Manifests manifests = render(t -> t.set("management.port", "0")
            .set("metrics.serviceMonitor.enabled", "true")
            .set("metrics.serviceMonitor.authorization.secretName", "failfast-metrics"));

        var endpoint = manifests.one(ServiceMonitor.class).getSpec().getEndpoints().getFirst();
        assertThat(endpoint.getPort()).isEqualTo("http");
        assertThat(endpoint.getAuthorization().getType()).isEqualTo("Bearer");
        assertThat(endpoint.getAuthorization().getCredentials().getName()).isEqualTo("failfast-metrics");
        assertThat(endpoint.getAuthorization().getCredentials().getKey()).isEqualTo("api-key");
        assertThat(manifests.one(Service.class).getMetadata().getLabels())
            .containsAllEntriesOf(manifests.one(ServiceMonitor.class).getSpec().getSelector().getMatchLabels());
    }

    @Test
    void theNetworkPolicyAdmitsScrapersToTheManagementPortOnly() {
        var rules = render(t -> t.withValuesFile(ALL_FEATURES)).one(NetworkPolicy.class).getSpec().getIngress();

        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).getPorts()).singleElement()
            .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
        assertThat(rules.get(0).getFrom()).singleElement()
            .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
        assertThat(rules.get(1).getPorts()).singleElement()
            .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("management"));
        assertThat(rules.get(1).getFrom()).singleElement()
            .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", "monitoring"));

        var onePort = render(t -> t.withValuesFile(ALL_FEATURES)
            .set("management.port", "0")
            .set("metrics.serviceMonitor.authorization.secretName", "failfast-metrics")).one(NetworkPolicy.class)
            .getSpec()
            .getIngress();
        assertThat(onePort).as("with the actuator on the HTTP port, scrapers come in through ingressFrom")
            .singleElement()
            .satisfies(rule -> assertThat(rule.getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http")));
    }

    @Test
    void shipsTheDashboardAndAlertRulesFilesVerbatim() throws IOException {
        Manifests manifests = render(t -> t.withValuesFile(ALL_FEATURES));

        ConfigMap dashboard = manifests.find(ConfigMap.class, RELEASE + "-failfast-dashboard").orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        String dashboardFile = Files.readString(CHART.resolve("dashboards/failfast.json"));
        assertThat(Manifests.JSON.readTree(dashboard.getData().get("failfast.json")))
            .isEqualTo(Manifests.JSON.readTree(dashboardFile));

        PrometheusRule rule = manifests.one(PrometheusRule.class);
        JsonNode rulesFile = Manifests.YAML.readTree(CHART.resolve("rules/failfast-alerts.yaml").toFile());
        assertThat(rulesFile.get("groups")).isNotEmpty();
        assertThat(Manifests.YAML.valueToTree(rule.getSpec()).get("groups")).isEqualTo(rulesFile.get("groups"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|',
            textBlock = """
                    replicaCount=2                                          | replicaCount must be 0 or 1 unless cluster mode is on: without it Failfast runs one instance per database
                    cluster.enabled=true                                    | cluster.enabled=true needs database.type=postgresql
                    database.type=postgresql                                | needs database.postgresql.existingSecret
                    shutdown.terminationGracePeriodSeconds=30               | must be at least preStopSleepSeconds + drainTimeoutSeconds + 10 = 45
                    metrics.serviceMonitor.enabled=true management.port=0   | metrics.serviceMonitor.enabled with management.port=0 needs metrics.serviceMonitor.authorization.secretName
                    database.type=postgresql database.postgresql.existingSecret=db | database.type=postgresql needs security.existingSecret: the name of a Secret with the admin API key
                    database.type=postgresql database.postgresql.existingSecret=db cluster.enabled=true replicaCount=3 | generates its admin key into /data/admin-key of the first pod to start
                    database.type=postgresql database.postgresql.existingSecret=db security.existingSecret=auth | networkPolicy.enabled with database.type=postgresql needs networkPolicy.egress.database.to: the NetworkPolicy lets the pods reach only DNS
                    """)
    void refusesUnsafeCombinationsWithAClearMessage(String settings, String message) {
        assertThatThrownBy(() -> render(t -> {
            for (String setting : settings.split(" ", -1)) {
                String[] keyValue = setting.split("=", 2);
                t.set(keyValue[0], keyValue[1]);
            }
            return t;
        })).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            replicas=2                    | replicas
            autoscaling.enabled=true      | autoscaling
            image.pullPolicy=Sometimes    | pullPolicy
            database.type=mysql           | type
            metrics.serviceMonitor.interval=soon | interval
            cluster.pollInterval=soon     | pollInterval
            cluster.replicas=3            | replicas
            metrics.serviceMonitor.authorization.name=x | name
            security.bootstrapKey=x       | bootstrapKey
            security.existingsecret=x     | existingsecret
            security.jwt.tenant=org       | tenant
            security.bootstrapKeyKey=a/b  | bootstrapKeyKey
            jobs.sleep.enabled=maybe      | enabled
            jobs.sleep.maxDuration=1h     | maxDuration
            apiDocs.swaggerUi=true        | swaggerUi
            networkPolicy.egress.proxy=x  | proxy
            networkPolicy.egress.database.host=db | host
            networkPolicy.egress.publicIpv4Except[0]=private | publicIpv4Except
            """)
    void schemaRejectsUnknownOrInvalidValues(String setting, String field) {
        String[] keyValue = setting.split("=", 2);

        assertThatThrownBy(() -> render(t -> t.set(keyValue[0], keyValue[1]))).hasMessageContaining("schema")
            .hasMessageContaining(field);
    }

    @Test
    void strictParsingRejectsAMisspeltField() {
        String misspelt = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          readinesProbe:
                            httpGet: {path: /actuator/health/readiness, port: http}
                """;

        assertThatThrownBy(() -> Manifests.parse(misspelt))
            .hasMessageContaining("spec.template.spec.containers[0] [readinesProbe]");
    }

    static Manifests render(UnaryOperator<TemplateCommand> values) {
        return Manifests.parse(values
            .apply(new Helm(CHART).template().withName(RELEASE).withNamespace("batch").withKubeVersion(KUBE_VERSION))
            .call());
    }

    /**
     * The output of a client-only {@code helm install --dry-run}, with the rendered
     * NOTES.txt.
     */
    static String notes(UnaryOperator<InstallCommand> values) {
        return values
            .apply(new Helm(CHART).install()
                .withName(RELEASE)
                .withNamespace("batch")
                .withKubeVersion(KUBE_VERSION)
                .clientOnly()
                .dryRun())
            .call()
            .getOutput();
    }

    /** The Secrets projected into the {@code secrets} volume, Spring's configtree. */
    static List<SecretProjection> secretSources(Deployment deployment) {
        return volume(deployment, "secrets").getProjected()
            .getSources()
            .stream()
            .map(VolumeProjection::getSecret)
            .toList();
    }

    /** The container's environment variables that configure authentication. */
    static List<EnvVar> securityEnv(Container container) {
        return container.getEnv().stream().filter(e -> e.getName().contains("SECURITY")).toList();
    }

    /** The Service of the HTTP API. */
    static Service apiService(Manifests manifests) {
        return manifests.find(Service.class, RELEASE + "-failfast").orElseThrow();
    }

    /** The cluster-internal Service of the management port. */
    static Service managementService(Manifests manifests) {
        return manifests.find(Service.class, RELEASE + "-failfast-management").orElseThrow();
    }

    static Container container(Deployment deployment) {
        var containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.getFirst();
    }

    static EnvVar env(Container container, String name) {
        return container.getEnv()
            .stream()
            .filter(e -> e.getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no env " + name));
    }

    static Volume volume(Deployment deployment, String name) {
        return deployment.getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .stream()
            .filter(v -> v.getName().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static String mountPath(Container container, String volume) {
        return container.getVolumeMounts()
            .stream()
            .filter(m -> m.getName().equals(volume))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no mount of " + volume))
            .getMountPath();
    }

    static String podAnnotation(Manifests manifests, String key) {
        return manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get(key);
    }

    static JsonNode applicationYaml(ConfigMap configMap) throws IOException {
        return Manifests.YAML.readTree(configMap.getData().get("application.yaml"));
    }

    static void assertHttpProbe(Probe probe, String path, String port) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(port);
    }

}
