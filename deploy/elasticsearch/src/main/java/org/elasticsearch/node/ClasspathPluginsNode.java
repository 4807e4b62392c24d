package org.elasticsearch.node;

import java.util.Collection;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.MockPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * A node whose plugins are classes on the classpath rather than directories under {@code modules/}: Maven Central
 * has the server and module jars but not the distribution's module directories. It lives in Elasticsearch's
 * package because node construction is package-private; the test framework's MockNode does the same, but its
 * constructors pull in the randomized-testing bootstrap, which refuses to run as root.
 */
public final class ClasspathPluginsNode extends Node {

    public ClasspathPluginsNode(final Environment environment, final Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(environment, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(final Environment env, final PluginsLoader loader) {
                return new MockPluginsService(env.settings(), env, plugins);
            }
        }, true));
    }
}
