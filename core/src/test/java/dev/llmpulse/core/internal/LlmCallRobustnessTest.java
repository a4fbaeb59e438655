package dev.llmpulse.core.internal;

import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.CostModel;
import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmpulse.core.health.HealthPolicy;
import dev.llmpulse.core.health.HealthTracker;
import dev.llmpulse.core.health.UpstreamStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever throws inside LLM Pulse — a metric, the cost model, the observer, a class the host
 * lacks — the call still ends exactly once, with its duration and outcome, and is no longer in
 * flight, neither in the gauge nor for the stall tracker. A failure is injected at every stage
 * of a streamed and a whole answer (recorded ones), ended at EOF, by an early close and by a
 * failure.
 */
class LlmCallRobustnessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] STREAM = recordedBody("openai/test_chat_completion_streaming.json");
  private static final byte[] ANSWER = recordedBody("openai/test_chat_completion_with_content.json");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetrics metrics = LlmMetrics.forRegistry(registry);
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final HealthTracker health =
      HealthTracker.create(HealthPolicy.ofDefaults(), registry, clock::get);
  private final CountingObserver observer = new CountingObserver(health);

  enum End { EOF, EARLY_CLOSE, FAILURE }

  enum Failure {
    RUNTIME {
      @Override
      Throwable make(LlmCall.Stage stage) {
        return new IllegalStateException("injected at " + stage);
      }
    },
    LINKAGE {
      @Override
      Throwable make(LlmCall.Stage stage) {
        return new NoClassDefFoundError("io/prometheus/metrics/tracer/initializer/"
            + "SpanContextSupplier (injected at " + stage + ")");
      }
    };

    abstract Throwable make(LlmCall.Stage stage);
  }

  static Stream<Arguments> everyStageEveryEnd() {
    List<Arguments> all = new ArrayList<>();
    for (LlmCall.Stage stage : LlmCall.Stage.values()) {
      for (Failure failure : Failure.values()) {
        for (End end : End.values()) {
          all.add(Arguments.of(stage, failure, end, true));
          all.add(Arguments.of(stage, failure, end, false));
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2} stream={3}")
  @MethodSource("everyStageEveryEnd")
  void aFailureAtAnyStageStillEndsTheCallExactlyOnce(LlmCall.Stage stage, Failure failure,
      End end, boolean stream) {
    assumeTrue(stage != LlmCall.Stage.CHUNK_GAP || stream, "whole answers have no chunk gaps");
    assumeTrue(stage != LlmCall.Stage.END_COST || end == End.EOF, "cut answers carry no usage");
    Set<LlmCall.Stage> reached = EnumSet.noneOf(LlmCall.Stage.class);
    metrics.stageHook = s -> {
      if (s == stage && reached.add(s)) {
        Throwable t = failure.make(s);
        if (t instanceof Error) throw (Error) t;
        throw (RuntimeException) t;
      }
    };

    String expectedError = call(stream, end);

    assertThat(reached).as("the failure was injected").containsExactly(stage);
    assertThat(observer.ended).as("ended exactly once").isEqualTo(1);
    boolean readerLost = stage == LlmCall.Stage.RESPONSE_SCANNER || stage == LlmCall.Stage.BODY;
    // A call whose reader failed is judged by its status alone: an early close cannot be told
    // from a complete answer any more, so it is not called canceled.
    assertThat(observer.lastErrorType)
        .isEqualTo(readerLost && end == End.EARLY_CLOSE ? "" : expectedError);
    assertThat(observer.lastDurationNanos).isEqualTo(msFromStart(stream, end) * 1_000_000L);
    assertThat(gaugeSum(LlmMetrics.IN_FLIGHT)).as("in flight").isZero();
    for (UpstreamStatus upstream : health.upstreams()) {
      assertThat(upstream.inFlight()).as("tracked as in flight").isZero();
      assertThat(upstream.oldestInFlightSeconds()).as("oldest in flight").isZero();
    }
    clock.addAndGet(60_000_000_000L); // a minute later, nothing has grown
    assertThat(gaugeSum(HealthTracker.OLDEST_IN_FLIGHT)).isZero();
    assertThat(counterSum(LlmMetrics.INSTRUMENTATION_ERRORS)).isEqualTo(1);
    boolean durationLost = stage == LlmCall.Stage.END_SERIES || stage == LlmCall.Stage.END_DURATION;
    assertThat(histogramCount(LlmMetrics.DURATION)).isEqualTo(durationLost ? 0 : 1);
    if (end == End.EOF && !EnumSet.of(LlmCall.Stage.RESPONSE_SCANNER, LlmCall.Stage.BODY,
        LlmCall.Stage.END_SERIES, LlmCall.Stage.END_USAGE).contains(stage)) {
      assertThat(counter(LlmMetrics.TOKENS, "output")).isEqualTo(5);
    }

    // The metric set is not broken for the calls that follow.
    metrics.stageHook = null;
    double outputBefore = counter(LlmMetrics.TOKENS, "output");
    call(stream, End.EOF);
    assertThat(counter(LlmMetrics.TOKENS, "output") - outputBefore).isEqualTo(5);
    assertThat(observer.ended).isEqualTo(2);
    assertThat(gaugeSum(LlmMetrics.IN_FLIGHT)).isZero();
  }

  @Test
  void aThrowingObserverAndCostModelNeverLeaveTheCallOpen() {
    CallObserver throwing = new CallObserver() {
      @Override
      public void callStarted(LlmCall call) {
        throw new IllegalStateException("observer start");
      }

      @Override
      public void callEnded(LlmCall call, CallOutcome outcome, long durationNanos,
          long ttfcNanos) {
        throw new IllegalStateException("observer end");
      }
    };
    CostModel broken = (provider, model, usage) -> {
      throw new NoClassDefFoundError("com/fasterxml/jackson/databind/ObjectMapper");
    };
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4",
        "api.openai.com", true, broken, clock::get, throwing);
    call.onResponse(200, "text/event-stream", RateLimitSnapshot.EMPTY);
    call.onBody(STREAM, 0, STREAM.length);
    call.onBodyEnd();
    call.onBodyClosed(); // a second end is ignored
    assertThat(call.isEnded()).isTrue();
    assertThat(gaugeSum(LlmMetrics.IN_FLIGHT)).isZero();
    assertThat(histogramCount(LlmMetrics.DURATION)).isEqualTo(1);
    assertThat(counter(LlmMetrics.TOKENS, "output")).isEqualTo(5);
    assertThat(counterSum(LlmMetrics.UNPRICED)).isEqualTo(1); // never priced at 0
    assertThat(counterSum(LlmMetrics.INSTRUMENTATION_ERRORS)).isEqualTo(3);
  }

  /** Runs one call of the recorded stream or answer; returns the error type it must end with. */
  private String call(boolean stream, End end) {
    byte[] body = stream ? STREAM : ANSWER;
    LlmCall call = metrics.startCall(WireFormat.OPENAI_CHAT, "openai", "gpt-4",
        "api.openai.com", stream, PRICED, clock::get,
        observer);
    long start = clock.get();
    clock.addAndGet(200_000_000L);
    RateLimitSnapshot limits = RateLimitSnapshot.parse(
        name -> name.equalsIgnoreCase("x-ratelimit-remaining-requests") ? "99" : null, 200,
        System.currentTimeMillis());
    call.onResponse(200, stream ? "text/event-stream" : "application/json", limits);
    int length = end == End.EOF ? body.length : body.length / 2;
    for (int i = 0; i < length; i += 64) {
      clock.addAndGet(1_000_000L);
      call.onBody(body, i, Math.min(64, length - i));
    }
    clock.set(start + msFromStart(stream, end) * 1_000_000L);
    switch (end) {
      case EOF:
        call.onBodyEnd();
        return "";
      case EARLY_CLOSE:
        call.onBodyClosed();
        return stream ? "canceled" : "";
      default:
        call.onFailure("io_error");
        return "io_error";
    }
  }

  private static long msFromStart(boolean stream, End end) {
    return 1_000 + (stream ? 1 : 2) * 100 + end.ordinal() * 10;
  }

  /** Prices every model at $1 per million tokens each way. */
  private static final CostModel PRICED = (provider, model, usage) ->
      CallCost.ofUsd(usage.inputTokens() / 1e6, 0, 0, usage.outputTokens() / 1e6);

  private static byte[] recordedBody(String fixture) {
    Path root = Paths.get(System.getenv().getOrDefault("LLMPULSE_FIXTURES", "../fixtures"));
    try {
      JsonNode node = JSON.readTree(root.resolve(fixture).toFile());
      return node.get("interactions").get(0).get("response").get("body").asText()
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + fixture, e);
    }
  }

  private MetricSnapshot snapshot(String name) {
    for (MetricSnapshot s : registry.scrape()) {
      if (s.getMetadata().getPrometheusName().equals(name)) return s;
    }
    return null;
  }

  private double gaugeSum(String name) {
    MetricSnapshot s = snapshot(name);
    double sum = 0;
    if (s == null) return 0;
    for (GaugeSnapshot.GaugeDataPointSnapshot p : ((GaugeSnapshot) s).getDataPoints()) {
      sum += p.getValue();
    }
    return sum;
  }

  private double counterSum(String name) {
    MetricSnapshot s = snapshot(name);
    double sum = 0;
    if (s == null) return 0;
    for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) s).getDataPoints()) {
      sum += p.getValue();
    }
    return sum;
  }

  private double counter(String name, String tokenType) {
    MetricSnapshot s = snapshot(name);
    double sum = 0;
    if (s == null) return 0;
    for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) s).getDataPoints()) {
      if (tokenType.equals(p.getLabels().get("gen_ai_token_type"))) sum += p.getValue();
    }
    return sum;
  }

  private long histogramCount(String name) {
    MetricSnapshot s = snapshot(name);
    long count = 0;
    if (s == null) return 0;
    for (HistogramSnapshot.HistogramDataPointSnapshot p
        : ((HistogramSnapshot) s).getDataPoints()) {
      count += p.getCount();
    }
    return count;
  }

  /** Passes every event on to the health tracker and remembers the last end. */
  private static final class CountingObserver implements CallObserver {
    private final CallObserver delegate;
    int ended;
    String lastErrorType;
    long lastDurationNanos;

    CountingObserver(CallObserver delegate) {
      this.delegate = delegate;
    }

    @Override
    public void callStarted(LlmCall call) {
      delegate.callStarted(call);
    }

    @Override
    public void callEnded(LlmCall call, CallOutcome outcome, long durationNanos,
        long ttfcNanos) {
      ended++;
      lastErrorType = outcome.errorType();
      lastDurationNanos = durationNanos;
      delegate.callEnded(call, outcome, durationNanos, ttfcNanos);
    }
  }
}
