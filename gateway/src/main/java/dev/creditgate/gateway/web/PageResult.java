package dev.creditgate.gateway.web;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** new-api's page answer: {@code {"items","total","page","page_size"}}; {@code page} counts from 1. */
public record PageResult<T>(List<T> items, long total, int page, @JsonProperty("page_size") int pageSize) {}
