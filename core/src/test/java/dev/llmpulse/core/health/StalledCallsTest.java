package dev.llmpulse.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.internal.CallOutcome;
import dev.llmpulse.core.internal.LlmCall;
import dev.llmpulse.core.internal.LlmMetrics;
import dev.llmpulse.core.WireFormat;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * gen_ai_client_requests_stalled_total: calls past the stall threshold that no later call
 * overtook, counted once each, whether a scrape sees them in flight or only their end.
 */
class StalledCallsTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final Pattern STALLED = Pattern.compile(
      "gen_ai_client_requests_stalled_total\\{gen_ai_provider_name=\"openai\","
          + "server_address=\"api.openai.com\"} (\\S+)");

  private final AtomicLong now = new AtomicLong(1_000 * S);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);
  private final HealthTracker tracker = HealthTracker.create(HealthPolicy.ofDefaults(), registry,
      now::get);

  private LlmCall start() {
    return metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4o-mini", "api.openai.com",
        false, CostModel.NONE, now::get, tracker);
  }

  private void end(LlmCall call, String errorType) {
    tracker.callEnded(call, HealthTrackerTest.outcome(errorType), now.get() - call.startNanos(), -1);
  }

  @Test
  void aHungCallIsCountedOnceWhenAScrapeSeesItPastTenSecondsAndNotAgainAtItsEnd()
      throws IOException {
    LlmCall hung = start();
    assertThat(stalled()).as("exported at 0 from the first call").isEqualTo(0);
    now.addAndGet(9 * S);
    assertThat(stalled()).isEqualTo(0);
    now.addAndGet(2 * S);
    assertThat(stalled()).isEqualTo(1);
    now.addAndGet(15 * S);
    assertThat(stalled()).isEqualTo(1);
    end(hung, "timeout");
    assertThat(stalled()).isEqualTo(1);
  }

  @Test
  void callsThatStartTogetherAndEndBetweenScrapesAreCountedAtTheirEnd() throws IOException {
    // A closed pool of 8 workers after the jump: every call starts at once and takes 15 s; a
    // scrape at 5 s and the next at 20 s never see one of them in flight past 10 s.
    for (int cycle = 1; cycle <= 3; cycle++) {
      List<LlmCall> pool = new ArrayList<>();
      for (int i = 0; i < 8; i++) pool.add(start());
      now.addAndGet(5 * S);
      stalled();
      now.addAndGet(10 * S);
      for (LlmCall call : pool) end(call, "");
      assertThat(stalled()).as("after cycle %d", cycle).isEqualTo(8 * cycle);
    }
    assertThat(scrape()).contains("# TYPE gen_ai_client_requests_stalled_total counter");
  }

  @Test
  void oneLongAnswerAmongAnswersThatKeepComingBackFastIsNotAStall() throws IOException {
    LlmCall longAnswer = start();
    for (int i = 0; i < 600; i++) {
      now.addAndGet(100 * MS);
      LlmCall fast = start();
      now.addAndGet(200 * MS);
      end(fast, "");
      if (i % 50 == 0) assertThat(stalled()).isEqualTo(0);
    }
    end(longAnswer, "");
    assertThat(stalled()).isEqualTo(0);
  }

  @Test
  void fastAnswersToCallsThatStartedBeforeTheStallDoNotHideIt() throws IOException {
    LlmCall before = start();
    now.addAndGet(100 * MS);
    LlmCall stuck = start();
    now.addAndGet(100 * MS);
    end(before, ""); // started before "stuck": its quick answer says nothing about "stuck"
    now.addAndGet(11 * S);
    assertThat(stalled()).isEqualTo(1);
    end(stuck, "");
  }

  @Test
  void failuresAndSlowSuccessesDoNotOvertakeAStalledCall() throws IOException {
    LlmCall stuck = start();
    now.addAndGet(S);
    LlmCall failedFast = start();
    now.addAndGet(100 * MS);
    end(failedFast, "503");
    LlmCall slowLater = start();
    now.addAndGet(11 * S);
    end(slowLater, ""); // slow itself: counted at its end, and no proof the upstream is fine
    now.addAndGet(S);
    assertThat(stalled()).isEqualTo(2);
    end(stuck, "");
  }

  @Test
  void theThresholdIsThePolicysStallAfter() throws IOException {
    HealthTracker strict = HealthTracker.create(
        HealthPolicy.custom().stallAfter(Duration.ofSeconds(3)).build(), registry, now::get);
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4o-mini",
        "api.openai.com", false, CostModel.NONE, now::get, strict);
    now.addAndGet(4 * S);
    assertThat(stalled()).isEqualTo(1);
    strict.callEnded(call, HealthTrackerTest.outcome(""), 4 * S, -1);
    assertThat(HealthPolicy.ofDefaults().toString()).contains("stalledCounter=PT10S");
  }

  @Test
  void scrapesRacingTheEndsCountEachStalledCallExactlyOnce() throws Exception {
    int calls = 20_000;
    List<LlmCall> started = new ArrayList<>();
    for (int i = 0; i < calls; i++) started.add(start());
    now.addAndGet(11 * S);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int first = t * calls / 2;
      futures.add(pool.submit(() -> {
        go.await();
        for (int i = first; i < first + calls / 2; i++) end(started.get(i), "");
        return null;
      }));
      futures.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 200; i++) stalled();
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(stalled()).isEqualTo(calls);
  }

  private long stalled() throws IOException {
    Matcher m = STALLED.matcher(scrape());
    assertThat(m.find()).as("stalled counter in the scrape").isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8.name());
  }
}
