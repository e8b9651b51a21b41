package dev.fledge.server.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the serving path's own CPU leaves of HTTP / in-process throughput. The load client, the server and the
 * in-process run share the same two cores, and both sides keep them about as busy, so throughput goes as one over the
 * CPU per request: HTTP / in-process is about {@code inProcess / http}, times how busy the HTTP side kept the cores
 * against the in-process side (within a few per cent either way). It is an estimate, not a bound, and the model's own
 * cost moves by about 0.1 ms between runs. The difference of the two CPU costs is what the path adds to the model (HTTP
 * parsing, JSON in and out, the guard, the counters, the client), and the goal is only met reliably while that is at
 * most {@code inProcess * (1 / goal - 1)}: a fixed cost per request weighs more the faster the model.
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

    /** HTTP / in-process throughput expected from the CPU per request alone (both sides keeping the cores as busy). */
    double cpuRatio() {
        return inProcessMs / httpMs;
    }

    /** The most the serving path may add per request, at this model's cost, for the CPU ratio to reach the goal. */
    double overheadAllowedMs() {
        return inProcessMs * (1 / goal - 1);
    }

    /** The least CPU per request a model would need for this overhead to leave a CPU ratio at the goal. */
    double modelNeededMs() {
        return overheadMs() * goal / (1 - goal);
    }

    /** The estimate beside the {@code measured} ratio, and what is left of it: how busy HTTP kept the cores. */
    String describe(double measured) {
        return String.format(
                "what the serving path leaves: it adds %.3f ms of CPU per request (HTTP: server + client %.3f;"
                        + " in-process %.3f), so the CPU alone gives HTTP / in-process %.3f (%s the goal of %.2f);"
                        + " measured %.3f = %.3f x %.3f (how busy HTTP kept the cores against in-process). The goal"
                        + " needs the path at most %.3f ms at this model's cost, or a model of at least %.2f ms at"
                        + " this cost of the path",
                overheadMs(),
                httpMs,
                inProcessMs,
                cpuRatio(),
                cpuRatio() >= goal ? "at or above" : "below",
                goal,
                measured,
                cpuRatio(),
                measured / cpuRatio(),
                overheadAllowedMs(),
                modelNeededMs());
    }

    /**
     * Each round's HTTP / in-process throughput (same requests each way), their median, and the median of each order
     * (in-process first in rounds 1, 3, ...; HTTP first in rounds 2, 4, ...).
     */
    static String describeRounds(List<Double> ratios) {
        StringBuilder out = new StringBuilder("each round's HTTP / in-process (in-process first in rounds 1, 3, ...):");
        ratios.forEach(r -> out.append(String.format(" %.3f", r)));
        List<Double> inProcessFirst = new ArrayList<>();
        List<Double> httpFirst = new ArrayList<>();
        for (int i = 0; i < ratios.size(); i++) {
            (i % 2 == 0 ? inProcessFirst : httpFirst).add(ratios.get(i));
        }
        return out.append(String.format(
                        "; median %.3f (in-process first %.3f, HTTP first %.3f)",
                        median(ratios), median(inProcessFirst), median(httpFirst)))
                .toString();
    }

    private static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
