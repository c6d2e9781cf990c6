package dev.creditgate.credits.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.credits.CreditsProperties;

/**
 * Refuses bodies above {@code credits.max-body-size} with 413 (lease settlements, batches of up to 500 events:
 * above {@code credits.leases.max-settle-body}): at once when Content-Length says so, and while reading otherwise
 * (chunked bodies), so no endpoint ever buffers more than the limit.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class BodyLimitFilter extends OncePerRequestFilter {

    private final long defaultLimit;
    private final long settleLimit;

    public BodyLimitFilter(CreditsProperties props) {
        this.defaultLimit = props.maxBodySize().toBytes();
        this.settleLimit = Math.max(defaultLimit, props.leases().maxSettleBody().toBytes());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI();
        long limit = path.startsWith(CreditApi.LEASES_PATH + "/") && path.endsWith("/settle") ? settleLimit : defaultLimit;
        if (request.getContentLengthLong() > limit) {
            response.setStatus(413);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.getWriter().write("{\"success\":false,\"code\":\"payload_too_large\",\"message\":\"request body larger than "
                    + limit + " bytes\"}");
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long count;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0 && ++count > limit) {
                            throw new BodyTooLargeException(limit);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = in.read(buf, off, len);
                        if (n > 0 && (count += n) > limit) {
                            throw new BodyTooLargeException(limit);
                        }
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
