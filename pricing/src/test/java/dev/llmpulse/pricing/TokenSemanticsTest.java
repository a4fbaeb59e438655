package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmpulse.core.CallCost;
import dev.llmpulse.core.TokenUsage;
import java.io.IOException;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Each provider's usage block, read from a real recorded response, mapped onto {@link TokenUsage}
 * the way the parsers do (OpenTelemetry semantics), and priced with the bundled table. Expected
 * amounts are computed by hand from the bundled rates (per 1M tokens) in the comments.
 */
class TokenSemanticsTest {
  private static final Offset<Double> EXACT = within(1e-12);
  private final PriceTable prices = PriceTable.bundled();

  @Test
  void openAiCachedTokensArePartOfThePrompt() throws IOException {
    String file = "openai/mirascope__test_caching_system_message__openai_gpt_4o_completions.json";
    JsonNode first = Fixtures.responseJson(file, 0);
    JsonNode second = Fixtures.responseJson(file, 1);
    assertThat(second.path("model").asText()).startsWith("gpt-4o-2024-");

    // prompt 3659, cached 0, completion 28 -- gpt-4o: input 2.50, cached 1.25, output 10.00
    CallCost c1 = prices.cost("openai", first.path("model").asText(), openAi(first));
    assertThat(c1.inputUsd()).isCloseTo(0.0091475, EXACT); // 3659 * 2.50e-6
    assertThat(c1.cacheReadUsd()).isZero();
    assertThat(c1.cacheCreationUsd()).isZero();
    assertThat(c1.outputUsd()).isCloseTo(0.00028, EXACT); // 28 * 10.00e-6

    // prompt 3663 of which 3584 cached, completion 117
    TokenUsage u2 = openAi(second);
    assertThat(u2.cacheReadTokens()).isEqualTo(3584);
    CallCost c2 = prices.cost("openai", second.path("model").asText(), u2);
    assertThat(c2.inputUsd()).isCloseTo(0.0001975, EXACT); // (3663 - 3584) * 2.50e-6
    assertThat(c2.cacheReadUsd()).isCloseTo(0.00448, EXACT); // 3584 * 1.25e-6
    assertThat(c2.outputUsd()).isCloseTo(0.00117, EXACT); // 117 * 10.00e-6
    assertThat(c2.totalUsd()).isCloseTo(0.0058475, EXACT);
  }

  @Test
  void anthropicInputExcludesCacheReadsAndWrites() throws IOException {
    String file = "anthropic/chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_"
        + "reads_the_prompt_cache.json";
    JsonNode write = Fixtures.responseJson(file, 0);
    JsonNode read = Fixtures.responseJson(file, 1);
    String model = write.path("model").asText();
    assertThat(model).isEqualTo("claude-haiku-4-5-20251001");

    // input_tokens 10, cache_creation 7351 (all 5m), output 4 -- haiku 4.5: input 1.00,
    // 5m write 1.25, 1h write 2.00, read 0.10, output 5.00
    TokenUsage u1 = anthropic(write);
    assertThat(u1.inputTokens()).isEqualTo(7361);
    CallCost c1 = prices.cost("anthropic", model, u1);
    assertThat(c1.inputUsd()).isCloseTo(0.00001, EXACT); // 10 * 1.00e-6
    assertThat(c1.cacheCreationUsd()).isCloseTo(0.00918875, EXACT); // 7351 * 1.25e-6
    assertThat(c1.cacheReadUsd()).isZero();
    assertThat(c1.outputUsd()).isCloseTo(0.00002, EXACT); // 4 * 5.00e-6
    assertThat(c1.totalUsd()).isCloseTo(0.00921875, EXACT);

    // input_tokens 10, cache_read 7351, output 4
    CallCost c2 = prices.cost("anthropic", read.path("model").asText(), anthropic(read));
    assertThat(c2.inputUsd()).isCloseTo(0.00001, EXACT);
    assertThat(c2.cacheReadUsd()).isCloseTo(0.0007351, EXACT); // 7351 * 0.10e-6
    assertThat(c2.cacheCreationUsd()).isZero();
    assertThat(c2.totalUsd()).isCloseTo(0.0007651, EXACT);
  }

  @Test
  void anthropicOneHourCacheWritesCostTheirOwnRate() {
    // 1000 written for 1h, 3000 for 5m, 500 plain input: the 1h part at 2.00, the rest at 1.25
    TokenUsage u = TokenUsage.builder().input(4500).cacheCreation(4000).cacheCreation1h(1000)
        .output(0).build();
    CallCost c = prices.cost("anthropic", "claude-haiku-4-5", u);
    assertThat(c.inputUsd()).isCloseTo(0.0005, EXACT); // 500 * 1.00e-6
    assertThat(c.cacheCreationUsd()).isCloseTo(0.00575, EXACT); // 3000*1.25e-6 + 1000*2.00e-6
  }

  @Test
  void geminiThoughtsAreBilledAsOutputOnce() throws IOException {
    String file = "gemini/chat_basic_chat_functionality_gemini_gemini-2_5-flash_can_have_a_basic_"
        + "conversation.json";
    JsonNode body = Fixtures.responseJson(file, 0);
    JsonNode meta = body.get("usageMetadata");
    assertThat(meta.path("thoughtsTokenCount").asLong()).isEqualTo(23);
    TokenUsage u = TokenUsage.builder()
        .input(meta.path("promptTokenCount").asLong())
        .cacheRead(meta.path("cachedContentTokenCount").asLong())
        .output(meta.path("candidatesTokenCount").asLong()
            + meta.path("thoughtsTokenCount").asLong())
        .reasoning(meta.path("thoughtsTokenCount").asLong())
        .build();
    // prompt 10, candidates 8 + thoughts 23 -- gemini-2.5-flash: input 0.30, output 2.50
    CallCost c = prices.cost("gcp.gemini", body.path("modelVersion").asText(), u);
    assertThat(c.inputUsd()).isCloseTo(0.000003, EXACT); // 10 * 0.30e-6
    assertThat(c.outputUsd()).isCloseTo(0.0000775, EXACT); // (8 + 23) * 2.50e-6, not 54 tokens
    assertThat(c.totalUsd()).isCloseTo(0.0000805, EXACT);
  }

  @Test
  void geminiCachedContentIsPartOfThePrompt() {
    // 10,000 prompt of which 8,000 from cachedContent -- gemini-2.5-flash: cache read 0.03
    TokenUsage u = TokenUsage.builder().input(10_000).cacheRead(8_000).output(100).build();
    CallCost c = prices.cost("gcp.gemini", "gemini-2.5-flash", u);
    assertThat(c.inputUsd()).isCloseTo(0.0006, EXACT); // 2000 * 0.30e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.00024, EXACT); // 8000 * 0.03e-6
    assertThat(c.outputUsd()).isCloseTo(0.00025, EXACT); // 100 * 2.50e-6
  }

  @Test
  void deepSeekReasoningIsPartOfCompletionAndCacheMissIsInput() throws IOException {
    String file = "deepseek/chat_deepseek_thinking_control_returns_reasoning_content_for_effort_"
        + "high.json";
    JsonNode body = Fixtures.responseJson(file, 0);
    JsonNode usage = body.get("usage");
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asLong())
        .isEqualTo(15);
    TokenUsage u = deepSeek(usage);
    assertThat(u.uncachedInputTokens()).isEqualTo(usage.path("prompt_cache_miss_tokens").asLong());
    // prompt 97 (all cache miss), completion 17 incl. 15 reasoning -- deepseek-v4-flash:
    // input 0.14, cache hit 0.0028, output 0.28
    CallCost c = prices.cost("deepseek", body.path("model").asText(), u);
    assertThat(c.inputUsd()).isCloseTo(0.00001358, EXACT); // 97 * 0.14e-6
    assertThat(c.cacheReadUsd()).isZero();
    assertThat(c.outputUsd()).isCloseTo(0.00000476, EXACT); // 17 * 0.28e-6, reasoning not again
  }

  @Test
  void deepSeekCacheHitTokensAreBilledAtTheHitRate() throws IOException {
    JsonNode usage = Fixtures.lastStreamedUsage("deepseek/test_streaming_with_api_usage_capture.json");
    assertThat(usage.path("prompt_cache_miss_tokens").asLong()).isEqualTo(12);
    TokenUsage recorded = deepSeek(usage);
    // prompt 12 (hit 0, miss 12), completion 89 -- deepseek-chat: input 0.28, hit 0.028, out 0.42
    CallCost miss = prices.cost("deepseek", "deepseek-chat", recorded);
    assertThat(miss.inputUsd()).isCloseTo(0.00000336, EXACT); // 12 * 0.28e-6
    assertThat(miss.cacheReadUsd()).isZero();
    assertThat(miss.outputUsd()).isCloseTo(0.00003738, EXACT); // 89 * 0.42e-6

    // The recordings hold no cache hit; the same block with hits (hit + miss = prompt_tokens)
    JsonNode withHits = Fixtures.MAPPER.readTree("{\"prompt_tokens\":10000,"
        + "\"completion_tokens\":10,\"prompt_cache_hit_tokens\":9000,"
        + "\"prompt_cache_miss_tokens\":1000}");
    CallCost c = prices.cost("deepseek", "deepseek-chat", deepSeek(withHits));
    assertThat(c.inputUsd()).isCloseTo(0.00028, EXACT); // 1000 miss * 0.28e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.000252, EXACT); // 9000 hit * 0.028e-6
    assertThat(c.outputUsd()).isCloseTo(0.0000042, EXACT); // 10 * 0.42e-6
  }

  @Test
  void aSeparateReasoningRateBillsReasoningOnceAtThatRate() {
    PriceTable t = PriceTable.builder()
        .price("thinker", ModelPrice.builder().input(1).output(2).reasoning(8).build())
        .build();
    TokenUsage u = TokenUsage.builder().input(0).output(100).reasoning(60).build();
    // 40 visible at 2.00 + 60 reasoning at 8.00; never 100 at 2.00 plus 60 at 8.00
    assertThat(t.cost("x", "thinker", u).outputUsd()).isCloseTo(0.00056, EXACT);
  }

  @Test
  void componentsSumToTheCallCost() {
    TokenUsage u = TokenUsage.builder().input(5000).cacheRead(1000).cacheCreation(2000)
        .cacheCreation1h(500).output(300).reasoning(100).build();
    CallCost c = prices.cost("anthropic", "claude-sonnet-4-5", u);
    // sonnet 4.5: input 3.00, read 0.30, 5m 3.75, 1h 6.00, output 15.00
    assertThat(c.inputUsd()).isCloseTo(0.006, EXACT); // 2000 * 3e-6
    assertThat(c.cacheReadUsd()).isCloseTo(0.0003, EXACT); // 1000 * 0.3e-6
    assertThat(c.cacheCreationUsd()).isCloseTo(0.008625, EXACT); // 1500*3.75e-6 + 500*6e-6
    assertThat(c.outputUsd()).isCloseTo(0.0045, EXACT); // 300 * 15e-6
    assertThat(c.totalUsd()).isCloseTo(0.019425, EXACT);
  }

  private static TokenUsage openAi(JsonNode body) {
    JsonNode u = body.get("usage");
    return TokenUsage.builder()
        .input(u.path("prompt_tokens").asLong())
        .cacheRead(u.path("prompt_tokens_details").path("cached_tokens").asLong())
        .output(u.path("completion_tokens").asLong())
        .reasoning(u.path("completion_tokens_details").path("reasoning_tokens").asLong())
        .build();
  }

  private static TokenUsage anthropic(JsonNode body) {
    JsonNode u = body.get("usage");
    long read = u.path("cache_read_input_tokens").asLong();
    long write = u.path("cache_creation_input_tokens").asLong();
    return TokenUsage.builder()
        .input(u.path("input_tokens").asLong() + read + write)
        .cacheRead(read)
        .cacheCreation(write)
        .cacheCreation1h(u.path("cache_creation").path("ephemeral_1h_input_tokens").asLong())
        .output(u.path("output_tokens").asLong())
        .build();
  }

  private static TokenUsage deepSeek(JsonNode u) {
    return TokenUsage.builder()
        .input(u.path("prompt_tokens").asLong())
        .cacheRead(u.path("prompt_cache_hit_tokens").asLong())
        .output(u.path("completion_tokens").asLong())
        .reasoning(u.path("completion_tokens_details").path("reasoning_tokens").asLong())
        .build();
  }
}
