package dev.traceflow.http;

import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Puts {@link JsonErrorReportValve} in place of Tomcat's HTML error page. */
@Configuration(proxyBeanMethods = false)
class ContainerErrorConfiguration {

    @Bean
    JsonContainerErrors jsonContainerErrors() {
        return new JsonContainerErrors();
    }

    /**
     * Runs after Spring Boot's own customizer, which adds a plain {@link ErrorReportValve} to the
     * host, and leaves the host one error page valve: ours.
     */
    static final class JsonContainerErrors implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                StandardHost host = (StandardHost) context.getParent();
                Pipeline hostPipeline = host.getPipeline();
                for (Valve valve : hostPipeline.getValves()) {
                    if (valve instanceof ErrorReportValve) {
                        hostPipeline.removeValve(valve);
                    }
                }
                hostPipeline.addValve(new JsonErrorReportValve());
                // At start the host adds a valve of this class unless the pipeline holds one (it
                // compares class names): name ours, or Tomcat's HTML page would sit in front of it.
                host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
