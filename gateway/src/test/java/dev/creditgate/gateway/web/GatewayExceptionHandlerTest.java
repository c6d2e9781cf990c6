package dev.creditgate.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

class GatewayExceptionHandlerTest {

    @Test
    void anthropicTypesFollowTheStatus() {
        assertThat(GatewayExceptionHandler.anthropicType(400)).isEqualTo("invalid_request_error");
        assertThat(GatewayExceptionHandler.anthropicType(401)).isEqualTo("authentication_error");
        assertThat(GatewayExceptionHandler.anthropicType(403)).isEqualTo("permission_error");
        assertThat(GatewayExceptionHandler.anthropicType(404)).isEqualTo("not_found_error");
        assertThat(GatewayExceptionHandler.anthropicType(413)).isEqualTo("request_too_large");
        assertThat(GatewayExceptionHandler.anthropicType(429)).isEqualTo("rate_limit_error");
        assertThat(GatewayExceptionHandler.anthropicType(500)).isEqualTo("api_error");
        assertThat(GatewayExceptionHandler.anthropicType(502)).isEqualTo("api_error");
        assertThat(GatewayExceptionHandler.anthropicType(503)).isEqualTo("api_error");
        assertThat(GatewayExceptionHandler.anthropicType(529)).isEqualTo("overloaded_error");
        assertThat(GatewayExceptionHandler.anthropicType(415)).isEqualTo("invalid_request_error");
    }

    @Test
    void everyGatewayErrorOnTheMessagesRouteComesInAnthropicsShape() {
        for (ErrorCode code : ErrorCode.values()) {
            MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/messages");
            ResponseEntity<Object> answer = GatewayExceptionHandler.render(request, code, "why", null);

            assertThat(answer.getStatusCode().value()).isEqualTo(code.status());
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) answer.getBody();
            assertThat(body).containsEntry("type", "error");
            assertThat(body.get("error")).isEqualTo(Map.of("type",
                    GatewayExceptionHandler.anthropicType(code.status()), "message", "why"));
        }
        ResponseEntity<Object> tooLarge = GatewayExceptionHandler.render(
                new MockHttpServletRequest("POST", "/v1/messages"), ErrorCode.BODY_TOO_LARGE, "big", null);
        assertThat(tooLarge.getStatusCode().value()).isEqualTo(413);
        assertThat(((Map<?, ?>) tooLarge.getBody()).get("error")).isEqualTo(Map.of("type", "request_too_large",
                "message", "big"));
    }
}
