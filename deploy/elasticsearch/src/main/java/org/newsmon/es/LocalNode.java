package org.newsmon.es;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.node.ClasspathPluginsNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Runs one real Elasticsearch node in this JVM, configured with {@code -Ekey=value} arguments like the
 * official launcher, with the Netty HTTP/transport module and the root endpoint as classpath plugins.
 * SIGTERM closes the node cleanly (flushes and closes its indices) before the JVM exits.
 */
public final class LocalNode {

    private LocalNode() {}

    public static void main(final String[] args) throws Exception {
        final Settings.Builder settings = Settings.builder();
        for (final String arg : args) {
            final int equals = arg.indexOf('=');
            if (!arg.startsWith("-E") || equals < 3) {
                System.err.println("newsmon-es: arguments must look like -Ekey=value, got: " + arg);
                System.exit(2);
            }
            settings.put(arg.substring(2, equals), arg.substring(equals + 1));
        }
        final Settings nodeSettings = settings.build();
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(nodeSettings);
        final CountDownLatch closed = new CountDownLatch(1);
        final Node node = new ClasspathPluginsNode(
                InternalSettingsPreparer.prepareEnvironment(nodeSettings, Map.of(), null, () -> "newsmon-local"),
                List.of(Netty4Plugin.class, RootEndpointPlugin.class));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
                closed.countDown();
                System.out.println("newsmon-es: stopped");
            } catch (final Exception e) {
                System.err.println("newsmon-es: error while stopping: " + e);
            }
        }, "newsmon-es-shutdown"));
        node.start();
        System.out.println("newsmon-es: started");
        closed.await();
    }
}
