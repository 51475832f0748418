package dev.failfast.metrics;

import dev.failfast.store.BatchStore;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

/**
 * Times every write to the {@link BatchStore} bean ({@code failfast.store.write}, tagged
 * by operation, store class and exception).
 *
 * <p>
 * The store bean is wrapped in a Spring AOP proxy rather than a hand-written decorator:
 * the proxy keeps every interface the store implements (a store may also be a
 * {@code SmartLifecycle} that flushes on shutdown) and, unless the class is final, its
 * class, so the store can still be injected by its concrete type.
 */
@Component
class StoreMetrics implements BeanPostProcessor {

    private static final Set<String> WRITES = Set.of("create", "update", "delete", "deleteFinishedBefore", "flush");

    private final ObjectProvider<MeterRegistry> registry;

    StoreMetrics(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (!(bean instanceof BatchStore)) {
            return bean;
        }
        Class<?> storeClass = ClassUtils.getUserClass(bean);
        var factory = new ProxyFactory(bean);
        factory.setProxyTargetClass(!Modifier.isFinal(storeClass.getModifiers()));
        factory.addAdvice(new WriteTimer(registry.getObject(), storeClass.getSimpleName()));
        return factory.getProxy(storeClass.getClassLoader());
    }

    private static final class WriteTimer implements MethodInterceptor {

        private final MeterRegistry registry;

        private final MeterProvider<Timer> timer;

        /**
         * Per method: the timer of its successful calls, or empty if the method is not a
         * write.
         */
        private final Map<Method, Optional<Timer>> successTimers = new ConcurrentHashMap<>();

        WriteTimer(MeterRegistry registry, String store) {
            this.registry = registry;
            this.timer = Timer.builder(BatchMetrics.PREFIX + "store.write")
                .description("Writes to the batch store, by operation")
                .tag("store", store)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .withRegistry(registry);
        }

        @Override
        public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            Optional<Timer> success = successTimers.computeIfAbsent(method,
                    m -> isStoreWrite(m) ? Optional.of(timer(m, "none")) : Optional.empty());
            if (success.isEmpty()) {
                return invocation.proceed();
            }
            Timer.Sample sample = Timer.start(registry);
            try {
                Object result = invocation.proceed();
                sample.stop(success.get());
                return result;
            }
            catch (Throwable e) {
                sample.stop(timer(method, e.getClass().getSimpleName()));
                throw e;
            }
        }

        private Timer timer(Method method, String exception) {
            return timer.withTags("operation", method.getName(), "exception", exception);
        }

        private static boolean isStoreWrite(Method method) {
            if (!WRITES.contains(method.getName())) {
                return false;
            }
            try {
                BatchStore.class.getMethod(method.getName(), method.getParameterTypes());
                return true;
            }
            catch (NoSuchMethodException e) {
                return false;
            }
        }

    }

}
