package dev.creditgate.gateway.web;

/** {@code ?p=&page_size=} as new-api reads them: p from 1 (0 is taken as 1), page_size 1..100 (default 10). */
public record Paging(int page, int pageSize) {

    public static final int MAX_PAGE_SIZE = 100;

    public static Paging of(Integer p, Integer pageSize) {
        int page = p == null || p == 0 ? 1 : p;
        int size = pageSize == null ? 10 : pageSize;
        if (page < 1) {
            throw GatewayException.badRequest("p: " + page + " (expected: >= 1)");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw GatewayException.badRequest("page_size: " + size + " (expected: 1.." + MAX_PAGE_SIZE + ")");
        }
        return new Paging(page, size);
    }

    public int offset() {
        return (page - 1) * pageSize;
    }
}
