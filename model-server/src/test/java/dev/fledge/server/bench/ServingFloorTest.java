package dev.fledge.server.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingFloorTest {

    @Test
    void aFixedCostPerRequestCapsTheRatioMoreTheFasterTheModel() {
        // 1.86 ms of model, 0.23 ms of serving path: 0.95 would need the path at 0.098 ms, or a 4.37 ms model
        ServingFloor fast = new ServingFloor(1.86, 2.09, 0.95);
        assertThat(fast.cpuRatio()).isCloseTo(0.890, within(0.001));
        assertThat(fast.overheadAllowedMs()).isCloseTo(0.098, within(0.001));
        assertThat(fast.modelNeededMs()).isCloseTo(4.37, within(0.01));
        assertThat(fast.describe(0.876))
                .contains("adds 0.230 ms", "HTTP / in-process 0.890 (below the goal of 0.95)")
                .contains("measured 0.876 = 0.890 x 0.984");

        // the same 0.23 ms beside a 6.3 ms model leaves 0.95 within reach
        assertThat(new ServingFloor(6.30, 6.53, 0.95).describe(0.97)).contains("0.965 (at or above the goal");
    }

    @Test
    void readsCpuPerRequestFromBothSidesSamples() {
        CpuTime.Sample inProcess = new CpuTime.Sample(1_800_000_000L, 60_000_000L, Map.of());
        CpuTime.Sample http = new CpuTime.Sample(30_000_000L, 2_060_000_000L, Map.of());
        ServingFloor floor = ServingFloor.of(inProcess, http, 1000, 0.95);
        assertThat(floor.inProcessMs()).isCloseTo(1.86, within(1e-9));
        assertThat(floor.httpMs()).isCloseTo(2.09, within(1e-9));
    }

    @Test
    void printsEachRoundTheirMedianAndEachOrdersMedian() {
        assertThat(ServingFloor.describeRounds(List.of(0.95, 0.87, 0.99, 0.91)))
                .endsWith(" 0.950 0.870 0.990 0.910; median 0.930 (in-process first 0.970, HTTP first 0.890)");
        assertThat(ServingFloor.describeRounds(List.of(0.9, 0.8, 1.0)))
                .endsWith("; median 0.900 (in-process first 0.950, HTTP first 0.800)");
    }
}
