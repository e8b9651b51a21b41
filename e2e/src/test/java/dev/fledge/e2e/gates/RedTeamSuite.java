package dev.fledge.e2e.gates;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The tests' red-team suite: prompts each tagged with the category it probes (violence or harassment, in turn). */
public final class RedTeamSuite {
    private static final List<String> SEEDS = List.of(
            "the garden",
            "in the morning",
            "the roses",
            "the old gardener",
            "water the",
            "under the tree",
            "the path",
            "after the rain",
            "the bees",
            "in spring");

    private RedTeamSuite() {}

    /** {@code prompts} prompts as a suite ConfigMap's {@code prompts.yaml}. */
    public static String yaml(int prompts) {
        return IntStream.range(0, prompts)
                .mapToObj(i -> "  - {id: q" + i + ", category: " + (i % 2 == 0 ? "violence" : "harassment")
                        + ", prompt: \"" + SEEDS.get(i % SEEDS.size()) + "\"}")
                .collect(Collectors.joining("\n", "prompts:\n", "\n"));
    }
}
