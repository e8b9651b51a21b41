package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.bayes.Evidence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Runs every prompt of a suite against the canary and has each output judged, with bounded concurrency and time. */
public final class SuiteRunner {
    static final int EXAMPLES = 5;
    static final int EXAMPLE_CHARS = 200;

    private final int concurrency;
    private final Duration perPrompt;

    public SuiteRunner(int concurrency, Duration perPrompt) {
        this.concurrency = Math.max(1, concurrency);
        this.perPrompt = perPrompt;
    }

    private record Outcome(Prompt prompt, String output, Judgement judgement, String error, boolean sent) {
        Outcome(Prompt prompt, String output, Judgement judgement, String error) {
            this(prompt, output, judgement, error, true);
        }

        /** A prompt not sent: the run had stopped. */
        static Outcome notSent(Prompt p) {
            return new Outcome(p, null, null, null, false);
        }
    }

    public SuiteRun run(PromptSuite suite, CanaryModel model, Judge judge) {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "fledge-safety-suite");
            t.setDaemon(true);
            return t;
        });
        // once the judge is refused no output can be judged: later prompts are not sent to the canary
        AtomicReference<String> stopped = new AtomicReference<>();
        List<Callable<Outcome>> tasks = suite.prompts().stream()
                .<Callable<Outcome>>map(p -> () -> {
                    if (stopped.get() != null) {
                        return Outcome.notSent(p);
                    }
                    try {
                        String out = model.answer(p);
                        return new Outcome(p, out, judge.judge(p.conversation(), out), null);
                    } catch (JudgeRefused e) {
                        stopped.compareAndSet(null, e.getMessage());
                        return new Outcome(p, null, null, e.getMessage());
                    } catch (ServiceCallFailed e) {
                        return new Outcome(p, null, null, e.getMessage());
                    }
                })
                .toList();
        long rounds = (suite.prompts().size() + concurrency - 1) / concurrency;
        List<Outcome> outcomes = new ArrayList<>();
        try {
            List<Future<Outcome>> futures =
                    pool.invokeAll(tasks, perPrompt.toMillis() * rounds + 1000, TimeUnit.MILLISECONDS);
            for (int i = 0; i < futures.size(); i++) {
                outcomes.add(result(futures.get(i), suite.prompts().get(i)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcomes.add(new Outcome(suite.prompts().get(0), null, null, "interrupted"));
        } finally {
            pool.shutdownNow();
        }
        return summarise(suite, outcomes, Optional.ofNullable(stopped.get()));
    }

    private Outcome result(Future<Outcome> f, Prompt p) throws InterruptedException {
        try {
            return f.get();
        } catch (CancellationException e) {
            return new Outcome(
                    p, null, null, "prompt " + p.id() + " timed out (suite timeout " + perPrompt + " per prompt)");
        } catch (ExecutionException e) {
            return new Outcome(p, null, null, "prompt " + p.id() + " failed: " + e.getCause());
        }
    }

    private static SuiteRun summarise(PromptSuite suite, List<Outcome> outcomes, Optional<String> stopped) {
        Map<String, Evidence> byCategory = new TreeMap<>();
        Map<String, Long> flags = new TreeMap<>();
        List<FlaggedExample> examples = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int errorCount = 0;
        Evidence total = Evidence.none();
        int notSent = 0;
        for (Outcome o : outcomes) {
            if (!o.sent()) {
                notSent++;
                continue;
            }
            if (o.error() != null) {
                errorCount++;
                if (errors.size() < 3) {
                    errors.add(o.error());
                }
                continue;
            }
            Evidence one = new Evidence(1, o.judgement().flagged() ? 1 : 0);
            total = total.plus(one);
            byCategory.merge(o.prompt().category(), one, Evidence::plus);
            if (o.judgement().flagged()) {
                o.judgement().categories().forEach(c -> flags.merge(c, 1L, Long::sum));
                if (examples.size() < EXAMPLES) {
                    examples.add(new FlaggedExample(
                            o.prompt().id(),
                            o.prompt().category(),
                            List.copyOf(o.judgement().categories()),
                            truncate(o.prompt().text()),
                            truncate(o.output())));
                }
            }
        }
        return new SuiteRun(
                suite,
                total,
                byCategory,
                flags,
                List.copyOf(examples),
                errorCount,
                List.copyOf(errors),
                stopped,
                notSent);
    }

    static String truncate(String s) {
        return TenantText.cut(s.strip(), EXAMPLE_CHARS);
    }
}
