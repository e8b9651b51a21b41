package dev.fledge.operator.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.quarkiverse.operatorsdk.runtime.QuarkusConfigurationService;
import io.quarkiverse.operatorsdk.runtime.QuarkusControllerConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The JOSDK {@link Operator}, in place of quarkus-operator-sdk's (a default bean, made as this one is), so that each
 * controller runs with its annotation's {@code triggerReconcilerOnAllEvents}. quarkus-operator-sdk 7.7 builds the
 * controller's run-time configuration without it, so JOSDK's default (off) applied in the shipped operator whatever
 * the annotation said: a deletion never reached the reconciler, nor did a release that another finalizer holds after
 * its deletion (JOSDK skips such a release when it carries no finalizer of its own), whose pods an earlier operator may
 * have given a writable hostPath. Everything else is the configuration quarkus-operator-sdk built (namespaces, label
 * selector, retry, the informer's item store), and the configuration service it made (client, threads, leader
 * election). The CRDs are not applied from here: the operator does not apply them ({@code
 * quarkus.operator-sdk.crd.apply=false}).
 */
@Singleton
public class OperatorRegistration {
    private static final Logger LOG = Logger.getLogger(OperatorRegistration.class);

    @Produces
    @ApplicationScoped
    Operator operator(
            QuarkusConfigurationService configuration, Instance<Reconciler<? extends HasMetadata>> reconcilers) {
        Operator operator = new Operator(configuration);
        for (Reconciler<? extends HasMetadata> reconciler : reconcilers) {
            RegisteredController<?> registered = register(operator, configuration, reconciler);
            LOG.infof(
                    "controller %s: triggerReconcilerOnAllEvents=%s",
                    registered.getConfiguration().getName(),
                    registered.getConfiguration().triggerReconcilerOnAllEvents());
        }
        var terminationTimeout = configuration.reconciliationTerminationTimeout();
        if (!terminationTimeout.isZero()) {
            operator.installShutdownHook(terminationTimeout);
        }
        return operator;
    }

    /**
     * Registers {@code reconciler} with the configuration quarkus-operator-sdk built for it, with the annotation's
     * setting. Kept a {@link QuarkusControllerConfiguration} (with its configuration service as parent): JOSDK asks that
     * service's workflow factory for the controller's workflow, and quarkus-operator-sdk's takes no other kind (a
     * configuration rebuilt by JOSDK's {@code ControllerConfigurationOverrider} stops the start with a
     * ClassCastException).
     */
    static <P extends HasMetadata> RegisteredController<P> register(
            Operator operator, QuarkusConfigurationService configuration, Reconciler<P> reconciler) {
        QuarkusControllerConfiguration<P> built = configuration.getConfigurationFor(reconciler);
        boolean allEvents = allEvents(reconciler.getClass());
        QuarkusControllerConfiguration<P> withSetting =
                new QuarkusControllerConfiguration<>(
                        built.getInformerConfig(),
                        built.getName(),
                        built.isGenerationAware(),
                        built.getAssociatedReconcilerClassName(),
                        built.getRetry(),
                        built.getRateLimiter(),
                        built.maxReconciliationInterval().orElse(null),
                        built.getFinalizerName(),
                        built.fieldManager(),
                        built.getWorkflow(),
                        built.getResourceTypeName(),
                        built.getResourceClass()) {
                    @Override
                    public boolean triggerReconcilerOnAllEvents() {
                        return allEvents;
                    }
                };
        withSetting.setParent(configuration);
        return operator.register(reconciler, withSetting);
    }

    /** The annotation's setting, on the class or (a CDI client proxy) on a class it extends; off without one. */
    static boolean allEvents(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            ControllerConfiguration annotation = c.getAnnotation(ControllerConfiguration.class);
            if (annotation != null) {
                return annotation.triggerReconcilerOnAllEvents();
            }
        }
        return false;
    }
}
