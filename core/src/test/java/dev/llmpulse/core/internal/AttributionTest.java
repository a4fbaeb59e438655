package dev.llmpulse.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmpulse.core.Attribution;
import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.CostModel;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attribution keys: bounded label values on the tokens, cost and calls counters, named drops,
 * the request tag over the scope, and nothing at all when no key is declared.
 */
class AttributionTest {
  /** Recorded: gpt-4o-mini, 12 input and 5 output tokens. */
  private static final Recording WHOLE =
      Recording.load("openai/test_chat_completion_with_content.json", 0);
  private static final Recording STREAM =
      Recording.load("openai/test_chat_stream_with_include_usage_option.json", 0);
  /** One dollar per input token, two per output token: sums stay exact in doubles. */
  private static final CostModel PRICES =
      (provider, model, usage) -> CallCost.ofUsd(usage.inputTokens(), 0, 0,
          2.0 * usage.outputTokens());

  private final PrometheusRegistry registry = new PrometheusRegistry();

  @AfterEach
  void noScopeLeaks() {
    assertThat(Attribution.current().asMap()).isEmpty();
  }

  private Binding binding(Attribution.Key... keys) {
    Binding.Settings settings = Binding.settings().registry(registry).prices(PRICES);
    for (Attribution.Key key : keys) settings.attribution(key);
    return settings.build(CostModel.NONE);
  }

  private static LlmCall start(Binding binding, Recording r, Attribution.Tags tags) {
    byte[] request = r.requestBody.getBytes(StandardCharsets.UTF_8);
    return binding.start(binding.formatOf("POST", r.path), "api.openai.com", r.path, request,
        request.length, true, tags);
  }

  private static void answer(LlmCall call, Recording r, int status) {
    call.onResponse(status, r.contentType, RateLimitSnapshot.EMPTY);
    call.onBody(r.body, 0, r.body.length);
    call.onBodyEnd();
  }

  private static void call(Binding binding, Attribution.Tags tags) {
    answer(start(binding, WHOLE, tags), WHOLE, 200);
  }

  /** Sum of a counter's samples whose labels include every given pair. */
  private double sum(String metric, String... labelPairs) {
    double total = 0;
    for (MetricSnapshot m : registry.scrape()) {
      if (!m.getMetadata().getName().equals(metric)) continue;
      for (CounterSnapshot.CounterDataPointSnapshot p
          : ((CounterSnapshot) m).getDataPoints()) {
        if (matches(p.getLabels(), labelPairs)) total += p.getValue();
      }
    }
    return total;
  }

  private int series(String metric) {
    for (MetricSnapshot m : registry.scrape()) {
      if (m.getMetadata().getName().equals(metric)) return m.getDataPoints().size();
    }
    return 0;
  }

  private static boolean matches(Labels labels, String... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (!pairs[i + 1].equals(labels.get(pairs[i]))) return false;
    }
    return true;
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutKeysTheMetricsCarryNoAttributionAndTagsAreNotRead() throws IOException {
    Binding binding = binding();
    try (Attribution.Scope s = Attribution.with("feature", "refunds")) {
      call(binding, Attribution.tags("tenant", "acme"));
    }
    String text = scrape();
    assertThat(text).contains("gen_ai_client_tokens_total{gen_ai_operation_name=\"chat\","
        + "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-mini\","
        + "gen_ai_response_model=\"gpt-4o-mini-2024-07-18\",gen_ai_token_type=\"input\","
        + "server_address=\"api.openai.com\"} 12.0");
    assertThat(text).doesNotContain("gen_ai_client_calls").doesNotContain("attribution")
        .doesNotContain("refunds").doesNotContain("acme");
  }

  @Test
  void valuesLabelTokensCostAndCallsButNotTheHistograms() throws IOException {
    Binding binding = binding(Attribution.key("feature"), Attribution.key("tenant"));
    try (Attribution.Scope s = Attribution.with("feature", "refunds")) {
      call(binding, Attribution.tags("tenant", "acme"));
      call(binding, null);
    }
    call(binding, null); // no value: the empty string

    assertThat(sum("gen_ai_client_tokens", "gen_ai_token_type", "input", "feature", "refunds",
        "tenant", "acme")).isEqualTo(12);
    assertThat(sum("gen_ai_client_tokens", "gen_ai_token_type", "input", "feature", "refunds",
        "tenant", "")).isEqualTo(12);
    assertThat(sum("gen_ai_client_tokens", "gen_ai_token_type", "input", "feature", "",
        "tenant", "")).isEqualTo(12);
    assertThat(sum("gen_ai_client_cost_usd", "gen_ai_token_type", "output", "feature",
        "refunds")).isEqualTo(20);
    assertThat(sum("gen_ai_client_calls", "error_type", "", "feature", "refunds"))
        .isEqualTo(2);
    String text = scrape();
    for (String line : text.split("\n")) {
      if (line.startsWith("gen_ai_client_operation_duration_seconds")
          || line.startsWith("gen_ai_client_token_usage")
          || line.startsWith("gen_ai_client_requests_in_flight")) {
        assertThat(line).doesNotContain("feature=").doesNotContain("tenant=");
      }
    }
  }

  @Test
  void failedCallsCountByErrorTypeWithTheirAttribution() {
    Binding binding = binding(Attribution.key("feature"));
    Recording error = Recording.load("openai/test_chat_completion_404.json", 0);
    answer(start(binding, error, Attribution.tags("feature", "refunds")), error, error.status);
    start(binding, WHOLE, Attribution.tags("feature", "refunds")).onFailure("timeout");

    assertThat(sum("gen_ai_client_calls", "feature", "refunds", "error_type", "404"))
        .isEqualTo(1);
    assertThat(sum("gen_ai_client_calls", "feature", "refunds", "error_type", "timeout"))
        .isEqualTo(1);
  }

  @Test
  void theRequestTagWinsOverTheScopeAndScopesNestAndRestore() {
    Binding binding = binding(Attribution.key("feature"), Attribution.key("tenant"));
    try (Attribution.Scope outer = Attribution.with("tenant", "acme")) {
      try (Attribution.Scope inner = Attribution.with("feature", "escalation")) {
        assertThat(Attribution.current().asMap())
            .containsEntry("tenant", "acme").containsEntry("feature", "escalation");
        call(binding, Attribution.tags("feature", "refunds"));
      }
      assertThat(Attribution.current().asMap()).containsOnlyKeys("tenant");
    }
    assertThat(sum("gen_ai_client_calls", "feature", "refunds", "tenant", "acme")).isEqualTo(1);
    assertThat(sum("gen_ai_client_calls", "feature", "escalation")).isZero();
  }

  @Test
  void aHundredThousandDistinctValuesStayWithinTheCap() {
    Binding binding = binding(Attribution.key("user_like").maxValues(50));
    for (int i = 0; i < 100_000; i++) {
      call(binding, Attribution.tags("user_like", "u" + i));
    }
    // 50 values + _OTHER, times 5 token types
    assertThat(series("gen_ai_client_tokens")).isEqualTo(51 * 5);
    assertThat(series("gen_ai_client_calls")).isEqualTo(51);
    assertThat(sum("gen_ai_client_calls", "user_like", Attribution.OTHER)).isEqualTo(99_950);
    assertThat(sum("gen_ai_client_attribution_dropped", "reason", "over_cap"))
        .isEqualTo(99_950);
    assertThat(sum("gen_ai_client_tokens", "gen_ai_token_type", "input"))
        .isEqualTo(12.0 * 100_000);
  }

  @Test
  void aHundredThousandDistinctValuesPassAnAllowListOnlyAsOther() {
    Binding binding = binding(Attribution.key("feature").allow("refunds", "order_status"));
    for (int i = 0; i < 100_000; i++) {
      call(binding, Attribution.tags("feature", i % 10 == 0 ? "refunds" : "free text " + i));
    }
    assertThat(series("gen_ai_client_calls")).isEqualTo(2); // refunds, _OTHER
    assertThat(sum("gen_ai_client_calls", "feature", "refunds")).isEqualTo(10_000);
    assertThat(sum("gen_ai_client_calls", "feature", Attribution.OTHER)).isEqualTo(90_000);
    assertThat(sum("gen_ai_client_attribution_dropped", "reason", "not_allowed"))
        .isEqualTo(90_000);
  }

  @Test
  void tooLongAndControlCharacterValuesAreRejectedByName() throws IOException {
    Binding binding = binding(Attribution.key("feature"));
    String tooLong = "x".repeat(Attribution.MAX_VALUE_CHARS + 1);
    call(binding, Attribution.tags("feature", tooLong));
    call(binding, Attribution.tags("feature", "refunds\nuser=42"));
    call(binding, Attribution.tags("feature", "x".repeat(Attribution.MAX_VALUE_CHARS)));

    assertThat(sum("gen_ai_client_calls", "feature", Attribution.INVALID)).isEqualTo(2);
    assertThat(sum("gen_ai_client_attribution_dropped", "reason", "too_long")).isEqualTo(1);
    assertThat(sum("gen_ai_client_attribution_dropped", "reason", "control_character"))
        .isEqualTo(1);
    assertThat(scrape()).doesNotContain(tooLong).doesNotContain("user=42")
        .contains("x".repeat(Attribution.MAX_VALUE_CHARS));
  }

  @Test
  void undeclaredKeysAreIgnoredAndCountedOncePerCall() throws IOException {
    Binding binding = binding(Attribution.key("feature"));
    try (Attribution.Scope s = Attribution.with("user_id", "42")) {
      call(binding, Attribution.tags("feature", "refunds", "user_id", "42", "prompt", "hi"));
    }
    assertThat(sum("gen_ai_client_attribution_dropped", "reason", "undeclared_key"))
        .isEqualTo(2); // user_id (tag and scope: once), prompt
    assertThat(scrape()).doesNotContain("user_id").doesNotContain("prompt=");
  }

  @Test
  void everyBindingOnARegistryDeclaresTheSameKeys() {
    binding(Attribution.key("feature"));
    binding(Attribution.key("feature")); // the same: shares the metric set
    assertThatThrownBy(() -> binding(Attribution.key("feature").maxValues(10)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("attribution keys");
    assertThatThrownBy(this::binding).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void keysAreLabelNamesOfOurOwnChoosingAndFew() {
    assertThatThrownBy(() -> Attribution.key("error_type"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Attribution.key("gen_ai_feature"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Attribution.key("Feature-1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Attribution.key("feature").maxValues(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Attribution.key("feature").allow("a\tb"))
        .isInstanceOf(IllegalArgumentException.class);
    Binding.Settings settings = Binding.settings().attribution(Attribution.key("a"));
    assertThatThrownBy(() -> settings.attribution(Attribution.key("a")))
        .isInstanceOf(IllegalArgumentException.class);
    settings.attribution(Attribution.key("b")).attribution(Attribution.key("c"))
        .attribution(Attribution.key("d"));
    assertThatThrownBy(() -> settings.attribution(Attribution.key("e")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4");
  }

  @Test
  void aStreamKeepsTheValuesOfTheThreadThatStartedIt() throws Exception {
    Binding binding = binding(Attribution.key("feature"));
    LlmCall call;
    try (Attribution.Scope s = Attribution.with("feature", "order_status")) {
      call = start(binding, STREAM, null);
    }
    // read and ended on another thread, outside any scope
    CompletableFuture.runAsync(() -> answer(call, STREAM, 200)).get(10, TimeUnit.SECONDS);
    assertThat(sum("gen_ai_client_calls", "feature", "order_status", "error_type", ""))
        .isEqualTo(1);
    assertThat(sum("gen_ai_client_tokens", "feature", "order_status", "gen_ai_token_type",
        "output")).isPositive();
  }

  @Test
  void thirtyTwoThreadsGetExactSumsPerLabel() throws Exception {
    Binding binding = binding(Attribution.key("feature").allow("f0", "f1", "f2", "f3"),
        Attribution.key("tenant").maxValues(8));
    int threads = 32;
    int callsPerThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        go.await();
        try (Attribution.Scope s = Attribution.with("tenant", "t" + (thread % 8))) {
          for (int i = 0; i < callsPerThread; i++) {
            call(binding, Attribution.tags("feature", "f" + (i % 4)));
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
    pool.shutdown();

    Map<String, Double> expectedCalls = new HashMap<>();
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < callsPerThread; i++) {
        expectedCalls.merge("f" + (i % 4) + "/t" + (t % 8), 1.0, Double::sum);
      }
    }
    for (Map.Entry<String, Double> e : expectedCalls.entrySet()) {
      String[] ft = e.getKey().split("/");
      double calls = e.getValue();
      assertThat(sum("gen_ai_client_calls", "feature", ft[0], "tenant", ft[1]))
          .isEqualTo(calls);
      assertThat(sum("gen_ai_client_tokens", "feature", ft[0], "tenant", ft[1],
          "gen_ai_token_type", "input")).isEqualTo(12 * calls);
      assertThat(sum("gen_ai_client_cost_usd", "feature", ft[0], "tenant", ft[1]))
          .isEqualTo((12 + 10) * calls);
    }
    assertThat(series("gen_ai_client_calls")).isEqualTo(4 * 8);
    assertThat(sum("gen_ai_client_attribution_dropped")).isZero();
  }
}
