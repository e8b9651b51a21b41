package dev.fledge.e2e.cluster;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The tier's red-team suite: 40 prompts, each tagged with the category it probes (violence or harassment). */
final class RedTeamSuite {
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

    /** The suite as the ConfigMap's {@code prompts.yaml}. */
    static final String YAML = IntStream.range(0, 40)
            .mapToObj(i -> "  - {id: q" + i + ", category: " + (i % 2 == 0 ? "violence" : "harassment") + ", prompt: \""
                    + SEEDS.get(i % SEEDS.size()) + "\"}")
            .collect(Collectors.joining("\n", "prompts:\n", "\n"));

    private RedTeamSuite() {}
}
