package dev.creditgate.gateway.token;

import dev.creditgate.gateway.web.ApiResponse;
import dev.creditgate.gateway.web.GatewayException;
import dev.creditgate.gateway.web.JsonBody;
import dev.creditgate.gateway.web.Paging;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Tokens (SPEC 3.2), new-api compatible. */
@RestController
@RequestMapping("/api/token")
public class TokenController {

    private final TokenService service;

    TokenController(TokenService service) {
        this.service = service;
    }

    /**
     * 200 with the full key ({@code sk-...}), as new-api answers; an idempotent replay answers the same way with
     * the existing token (message {@code "exists"}).
     */
    @PostMapping({"", "/"})
    public ApiResponse create(@RequestBody JsonNode json) {
        TokenService.Created created = service.create(JsonBody.of(json));
        return new ApiResponse(true, created.existed() ? "exists" : "", TokenView.withFullKey(created.token(), created.key()));
    }

    /**
     * new-api's "copy key" routes ({@code POST /api/token/:id/key}, {@code POST /api/token/batch/keys}) cannot be
     * served: the gateway keeps only a digest of each key. 404 saying so (the full key was in the creating answer).
     */
    @PostMapping("/{id}/key")
    ApiResponse key(@PathVariable long id) {
        service.get(id);
        throw GatewayException.notFound("the key of token " + id + " is not kept (only its SHA-256 is stored): the"
                + " full key was shown once, in the answer that created it");
    }

    @PostMapping("/batch/keys")
    ApiResponse keys() {
        throw GatewayException.notFound("token keys are not kept (only their SHA-256 is stored): each full key was"
                + " shown once, in the answer that created it");
    }

    @GetMapping("/{id}")
    public ApiResponse get(@PathVariable long id) {
        return ApiResponse.ok(TokenView.masked(service.get(id)));
    }

    @GetMapping({"", "/"})
    public ApiResponse list(@RequestParam(name = "p", required = false) Integer p,
                     @RequestParam(name = "page_size", required = false) Integer pageSize,
                     @RequestParam(name = "source", required = false) String source,
                     @RequestParam(name = "remote_key_id", required = false) String remoteKeyId,
                     @RequestParam(name = "user_id", required = false) Long userId) {
        return ApiResponse.ok(service.list(source, remoteKeyId, userId, Paging.of(p, pageSize)));
    }

    @PutMapping({"", "/"})
    public ApiResponse update(@RequestBody JsonNode json,
                       @RequestParam(name = "status_only", required = false) String statusOnly) {
        boolean only = statusOnly != null && !statusOnly.isEmpty() && !"0".equals(statusOnly) && !"false".equals(statusOnly);
        return ApiResponse.ok(TokenView.masked(service.update(JsonBody.of(json), only)));
    }

    @DeleteMapping("/{id}")
    public ApiResponse delete(@PathVariable long id) {
        service.delete(id);
        return ApiResponse.ok(null);
    }
}
