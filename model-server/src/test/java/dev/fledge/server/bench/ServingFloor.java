package dev.fledge.server.bench;

import java.util.List;

/**
 * The floor the serving path's own CPU puts under HTTP / in-process throughput. The load client, the server and the
 * in-process run share the same two cores, and both sides keep them busy, so throughput goes as one over the CPU per
 * request: HTTP reaches about {@code inProcess / http} of in-process, whatever else is tuned (a little more where
 * in-process leaves the cores idle a moment more often; runs move the model's own cost by about 0.1 ms either way). The difference is
 * what the path costs besides the model (HTTP parsing, JSON in and out, the guard, the counters, the client), and the
 * goal can only be met while that cost is at most {@code inProcess * (1 / goal - 1)}: a fixed cost per request weighs
 * more the faster the model.
 *
 * @param inProcessMs CPU per request in-process (the model's own cost, generation and sampling)
 * @param httpMs CPU per request over HTTP: the server process and the load client together
 * @param goal the HTTP / in-process throughput goal
 */
record ServingFloor(double inProcessMs, double httpMs, double goal) {

    static ServingFloor of(CpuTime.Sample inProcess, CpuTime.Sample http, int requests, double goal) {
        return new ServingFloor(
                (inProcess.clientNanos() + inProcess.serverNanos()) / 1e6 / requests,
                (http.clientNanos() + http.serverNanos()) / 1e6 / requests,
                goal);
    }

    /** CPU per request the serving path adds to the model's. */
    double overheadMs() {
        return httpMs - inProcessMs;
    }

    /** The most HTTP / in-process throughput can be with this CPU per request on both sides. */
    double ceiling() {
        return inProcessMs / httpMs;
    }

    /** The most the serving path may add per request, at this model's cost, for the goal to be reachable. */
    double overheadAllowedMs() {
        return inProcessMs * (1 / goal - 1);
    }

    /** The least CPU per request a model would need for this overhead to leave the goal reachable. */
    double modelNeededMs() {
        return overheadMs() * goal / (1 - goal);
    }

    String describe() {
        return String.format(
                "floor of the serving path: it adds %.2f ms of CPU per request (server + client %.2f against"
                        + " in-process %.2f), so HTTP reaches about %.3f of in-process throughput while both keep"
                        + " the cores busy (goal >= %.2f: %s); the goal needs it at most %.2f ms at this model's cost, or a model of"
                        + " at least %.2f ms per request at this overhead",
                overheadMs(),
                httpMs,
                inProcessMs,
                ceiling(),
                goal,
                ceiling() >= goal ? "reachable" : "out of reach",
                overheadAllowedMs(),
                modelNeededMs());
    }

    /** Each round's HTTP / in-process throughput (same requests each way) and their median. */
    static String describeRounds(List<Double> ratios) {
        StringBuilder out = new StringBuilder("each round's HTTP / in-process (in-process first in rounds 1, 3, ...):");
        ratios.forEach(r -> out.append(String.format(" %.3f", r)));
        double[] sorted =
                ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length == 0
                ? Double.NaN
                : sorted.length % 2 == 1
                        ? sorted[sorted.length / 2]
                        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return out.append(String.format("; median %.3f", median)).toString();
    }
}
