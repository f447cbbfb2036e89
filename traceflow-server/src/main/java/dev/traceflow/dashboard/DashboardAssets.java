package dev.traceflow.dashboard;

import dev.traceflow.http.DashboardPaths;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import java.time.Duration;

/**
 * The build's JavaScript and CSS under {@code /assets/}: their names carry a hash of their content
 * (Vite), so a browser may keep them for a year without asking again, and a new build is new
 * names. A name that is not there answers the API's JSON 404.
 */
@Configuration(proxyBeanMethods = false)
class DashboardAssets implements WebMvcConfigurer {

    static final CacheControl HASHED_FILES = CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable();

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler(DashboardPaths.ASSETS)
                .addResourceLocations("classpath:/dashboard/assets/")
                .setCacheControl(HASHED_FILES);
    }
}
