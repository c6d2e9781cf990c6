package dev.creditgate.gateway.web;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Smaller per-request buffers in Tomcat, because a relayed stream holds its request's buffers for as long as it
 * runs (heap per held stream: gateway/GATEWAY.md, "Held streams and memory"):
 * <ul>
 *   <li>the servlet response buffer ({@link LeanHttp11NioProtocol}): 4 KiB + 8 KiB instead of 8 KiB + 16 KiB;</li>
 *   <li>the chunked request body's trailer buffer, allocated for every request whether chunked or not: 1 KiB
 *       instead of 8 KiB ({@link #MAX_TRAILER_SIZE}; API clients send no trailers; Tomcat refuses a larger one).</li>
 * </ul>
 * Request and response header limits stay at Tomcat's 8 KiB ({@code server.max-http-request-header-size}).
 */
@Configuration(proxyBeanMethods = false)
class TomcatBuffers {

    static final int MAX_TRAILER_SIZE = 1024;

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> leanTomcatProtocol() {
        return factory -> factory.setProtocol(LeanHttp11NioProtocol.class.getName());
    }

    @Bean
    TomcatProtocolHandlerCustomizer<AbstractHttp11Protocol<?>> smallTrailerBuffer() {
        return protocol -> protocol.setMaxTrailerSize(MAX_TRAILER_SIZE);
    }
}
