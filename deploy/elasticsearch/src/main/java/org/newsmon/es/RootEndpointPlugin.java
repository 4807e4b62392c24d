package org.newsmon.es;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.util.Version;
import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * {@code GET /} and {@code HEAD /}: the node's name and version, which clients use to ping the node and check
 * its version. The official module for it is not published to Maven Central, so this small handler stands in.
 */
public final class RootEndpointPlugin extends Plugin implements ActionPlugin {

    private final Settings settings;

    public RootEndpointPlugin(final Settings settings) {
        this.settings = settings;
    }

    @Override
    public Collection<RestHandler> getRestHandlers(final Settings nodeSettings, final NamedWriteableRegistry registry,
            final RestController controller, final ClusterSettings clusterSettings, final IndexScopedSettings indexSettings,
            final SettingsFilter filter, final IndexNameExpressionResolver resolver, final Supplier<DiscoveryNodes> nodes,
            final Predicate<NodeFeature> clusterSupportsFeature) {
        return List.of(new RootHandler(settings));
    }

    private static final class RootHandler extends BaseRestHandler {

        private final Settings settings;

        RootHandler(final Settings settings) {
            this.settings = settings;
        }

        @Override
        public String getName() {
            return "newsmon_root_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(final RestRequest request, final NodeClient client) {
            if (request.method() == RestRequest.Method.HEAD) {
                return channel -> channel.sendResponse(new RestResponse(RestStatus.OK, RestResponse.TEXT_CONTENT_TYPE, BytesArray.EMPTY));
            }
            return channel -> {
                final XContentBuilder body = channel.newBuilder();
                body.startObject();
                body.field("name", settings.get("node.name", "newsmon-local"));
                body.field("cluster_name", settings.get("cluster.name", "elasticsearch"));
                body.startObject("version");
                body.field("number", Build.current().version());
                body.field("build_flavor", "default");
                body.field("build_type", "jar");
                body.field("lucene_version", Version.LATEST.toString());
                body.endObject();
                body.field("tagline", "You Know, for Search");
                body.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, body));
            };
        }
    }
}
