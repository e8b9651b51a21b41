package dev.fledge.e2e.gates;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.spec.ServerProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A stand-in for one pod of vLLM, TGI, NIM or Triton: {@code /metrics} in the text exposition format, with the names,
 * types, units and own labels of that server as docs/servers.md quotes them from its documentation. Counters and
 * histograms grow with the seconds since start at a fixed request rate; a {@code bad} pod fails some requests, has
 * a slow tail (a fifth of its requests) and a long queue, a good one has neither.
 */
final class ServerExposition implements AutoCloseable {
    /** Requests a second. */
    static final double RPS = 20;

    /** One latency observation: this share of the requests at this value (in the histogram's unit). */
    record Share(double value, double share) {}

    private final ServerProfile profile;
    private final boolean bad;
    private final long started = System.nanoTime();
    private final HttpServer http;

    ServerExposition(ServerProfile profile, boolean bad) {
        this.profile = profile;
        this.bad = bad;
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.createContext("/metrics", ex -> {
            byte[] body = text().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    int port() {
        return http.getAddress().getPort();
    }

    private double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** Good: every request at {@code fast}; bad: a fifth at {@code slow}. */
    private List<Share> latency(double fast, double slow) {
        return bad ? List.of(new Share(fast, 0.8), new Share(slow, 0.2)) : List.of(new Share(fast, 1.0));
    }

    private double queue() {
        return bad ? 40 : 1;
    }

    String text() {
        double t = seconds();
        StringBuilder b = new StringBuilder();
        switch (profile) {
            case FLEDGE -> {
                // Fledge's own release and version labels, here not the pod's: the scrape's (the pod's) must win
                String l = "audience=\"public\",release=\"self-reported\",version=\"self-reported\"";
                b.append("# TYPE fledge_model_requests_total counter\n");
                counter(b, "fledge_model_requests_total", l + ",outcome=\"success\"", RPS * t);
                counter(b, "fledge_model_requests_total", l + ",outcome=\"invalid\"", RPS * 0.5 * t);
                counter(b, "fledge_model_requests_total", l + ",outcome=\"error\"", bad ? RPS * 0.2 * t : 0);
                histogram(
                        b,
                        "fledge_model_request_duration_seconds",
                        l,
                        t,
                        new double[] {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
                        latency(0.8, 5.0));
            }
            case VLLM -> {
                String l = "engine=\"0\",model_name=\"llama\"";
                b.append("# HELP http_requests_total Total number of requests by method, status and handler.\n")
                        .append("# TYPE http_requests_total counter\n");
                counter(
                        b,
                        "http_requests_total",
                        "handler=\"/v1/completions\",method=\"POST\",status=\"2xx\"",
                        RPS * 0.6 * t);
                counter(
                        b,
                        "http_requests_total",
                        "handler=\"/v1/chat/completions\",method=\"POST\",status=\"2xx\"",
                        RPS * 0.4 * t);
                // the client's own errors and other routes: neither counts
                counter(
                        b,
                        "http_requests_total",
                        "handler=\"/v1/completions\",method=\"POST\",status=\"4xx\"",
                        RPS * 0.5 * t);
                counter(b, "http_requests_total", "handler=\"/metrics\",method=\"GET\",status=\"5xx\"", RPS * t);
                if (bad) {
                    counter(
                            b,
                            "http_requests_total",
                            "handler=\"/v1/completions\",method=\"POST\",status=\"5xx\"",
                            RPS * 0.2 * t);
                }
                histogram(
                        b,
                        "vllm:e2e_request_latency_seconds",
                        l,
                        t,
                        new double[] {
                            0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0,
                            240.0, 480.0, 960.0, 1920.0, 7680.0
                        },
                        latency(0.8, 30.0));
                histogram(
                        b,
                        "vllm:time_to_first_token_seconds",
                        l,
                        t,
                        new double[] {
                            0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
                            20.0, 40.0, 80.0, 160.0, 640.0, 2560.0
                        },
                        latency(0.05, 2.0));
                histogram(
                        b,
                        "vllm:time_per_output_token_seconds",
                        l,
                        t,
                        new double[] {
                            0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
                            20.0, 40.0, 80.0
                        },
                        latency(0.02, 0.5));
                gauge(b, "vllm:num_requests_waiting", l, queue());
                b.append("# TYPE vllm:num_requests_running gauge\n");
                b.append("vllm:num_requests_running{").append(l).append("} 3.0\n");
            }
            case TGI -> {
                b.append("# TYPE tgi_request_success counter\n");
                counter(b, "tgi_request_success", "", RPS * t);
                b.append("# TYPE tgi_request_failure counter\n");
                counter(b, "tgi_request_failure", "err=\"validation\"", RPS * 0.5 * t); // the client's
                if (bad) {
                    counter(b, "tgi_request_failure", "err=\"generation\"", RPS * 0.2 * t);
                }
                b.append("# TYPE tgi_request_count counter\n");
                counter(b, "tgi_request_count", "", RPS * (bad ? 1.7 : 1.5) * t);
                double[] buckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
                histogram(b, "tgi_request_duration", "", t, buckets, latency(0.8, 30.0));
                histogram(b, "tgi_request_mean_time_per_token_duration", "", t, buckets, latency(0.02, 0.5));
                gauge(b, "tgi_queue_size", "", queue());
            }
            case NIM -> {
                String l = "model_name=\"meta/llama-3.1-8b-instruct\"";
                b.append("# TYPE request_success_total counter\n");
                counter(b, "request_success_total", l, RPS * t);
                b.append("# TYPE request_failure_total counter\n");
                counter(b, "request_failure_total", l, bad ? RPS * 0.2 * t : 0);
                histogram(
                        b,
                        "e2e_request_latency_seconds",
                        l,
                        t,
                        new double[] {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0},
                        latency(0.8, 30.0));
                histogram(
                        b,
                        "time_to_first_token_seconds",
                        l,
                        t,
                        new double[] {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0},
                        latency(0.05, 2.0));
                histogram(
                        b,
                        "time_per_output_token_seconds",
                        l,
                        t,
                        new double[] {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5},
                        latency(0.02, 0.5));
                gauge(b, "num_requests_waiting", l, queue());
            }
            case TRITON -> {
                // Triton's own label "version" is its model version: the scrape's version (the pod's) must win
                String l = "model=\"llama\",version=\"1\"";
                b.append("# TYPE nv_inference_request_success counter\n");
                counter(b, "nv_inference_request_success", l, RPS * t);
                b.append("# TYPE nv_inference_request_failure counter\n");
                for (String reason : new String[] {"REJECTED", "CANCELED", "BACKEND", "OTHER"}) {
                    counter(
                            b,
                            "nv_inference_request_failure",
                            "model=\"llama\",reason=\"" + reason + "\",version=\"1\"",
                            bad && reason.equals("BACKEND") ? RPS * 0.2 * t : 0);
                }
                b.append("# TYPE nv_inference_request_duration_us counter\n");
                counter(b, "nv_inference_request_duration_us", l, RPS * t * 800_000);
                double p99us = bad ? 30_000_000 : 800_000;
                b.append(
                                "# HELP nv_inference_request_summary_us Summary of inference request duration in microseconds\n")
                        .append("# TYPE nv_inference_request_summary_us summary\n");
                for (String q : new String[] {"0.5", "0.9", "0.95", "0.99", "0.999"}) {
                    b.append("nv_inference_request_summary_us{")
                            .append(l)
                            .append(",quantile=\"")
                            .append(q)
                            .append("\"} ")
                            .append(num(q.equals("0.5") ? 800_000 : p99us))
                            .append('\n');
                }
                b.append("nv_inference_request_summary_us_sum{")
                        .append(l)
                        .append("} ")
                        .append(num(RPS * t * 800_000))
                        .append('\n');
                b.append("nv_inference_request_summary_us_count{")
                        .append(l)
                        .append("} ")
                        .append(num(RPS * t))
                        .append('\n');
                histogram(
                        b,
                        "nv_inference_first_response_histogram_ms",
                        l,
                        t,
                        new double[] {100, 500, 2000, 5000},
                        latency(50, 3000));
                gauge(b, "nv_inference_pending_request_count", "model=\"llama\",version=\"1\"", queue());
            }
            default -> throw new IllegalArgumentException("no exposition for " + profile);
        }
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String labels, double value) {
        b.append(name)
                .append(labels.isEmpty() ? "" : "{" + labels + "}")
                .append(' ')
                .append(num(value))
                .append('\n');
    }

    private static void gauge(StringBuilder b, String name, String labels, double value) {
        b.append("# TYPE ").append(name).append(" gauge\n");
        counter(b, name, labels, value);
    }

    /** A cumulative histogram of {@code RPS * t} observations spread as {@code shares}. */
    private static void histogram(
            StringBuilder b, String name, String labels, double t, double[] les, List<Share> shares) {
        String sep = labels.isEmpty() ? "" : labels + ",";
        double total = RPS * t;
        b.append("# TYPE ").append(name).append(" histogram\n");
        for (double le : les) {
            double below = shares.stream()
                    .filter(s -> s.value() <= le)
                    .mapToDouble(Share::share)
                    .sum();
            b.append(name)
                    .append("_bucket{")
                    .append(sep)
                    .append("le=\"")
                    .append(num(le))
                    .append("\"} ")
                    .append(num(Math.floor(total * below)))
                    .append('\n');
        }
        b.append(name)
                .append("_bucket{")
                .append(sep)
                .append("le=\"+Inf\"} ")
                .append(num(Math.floor(total)))
                .append('\n');
        double sum = shares.stream().mapToDouble(s -> s.value() * s.share()).sum() * total;
        b.append(name)
                .append("_sum")
                .append(labels.isEmpty() ? "" : "{" + labels + "}")
                .append(' ')
                .append(num(sum))
                .append('\n');
        b.append(name)
                .append("_count")
                .append(labels.isEmpty() ? "" : "{" + labels + "}")
                .append(' ')
                .append(num(Math.floor(total)))
                .append('\n');
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
