package dev.llmpulse.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.TokenUsage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class NameMatchingTest {
  private static final TokenUsage USAGE = TokenUsage.builder().input(1000).output(100).build();
  private final PriceTable bundled = PriceTable.bundled();

  private ModelPrice gpt4o() {
    return bundled.entries().get("gpt-4o");
  }

  @Test
  void exactNamesMatchCaseInsensitively() {
    assertThat(bundled.price("openai", "gpt-4o")).isSameAs(gpt4o());
    assertThat(bundled.price("openai", " GPT-4o ")).isSameAs(gpt4o());
  }

  @Test
  void providerAndPathPrefixesAreStripped() {
    assertThat(bundled.price("openrouter", "openai/gpt-4o")).isSameAs(gpt4o());
    assertThat(bundled.price("gcp.gemini", "models/gemini-2.5-flash"))
        .isSameAs(bundled.entries().get("gemini-2.5-flash"));
  }

  @Test
  void dateSuffixesAndVersionTagsAreStripped() {
    assertThat(bundled.price("openai", "gpt-4o-2024-08-06")).isSameAs(gpt4o());
    ModelPrice sonnet = bundled.entries().get("claude-sonnet-4-5");
    assertThat(bundled.price("anthropic", "claude-sonnet-4-5-20250929")).isSameAs(sonnet);
    assertThat(bundled.price("gcp.vertex_ai", "claude-sonnet-4-5@20250929")).isSameAs(sonnet);
    assertThat(bundled.price("aws.bedrock", "anthropic/claude-sonnet-4-5@20250929"))
        .isSameAs(sonnet);
    assertThat(bundled.price("anthropic", "claude-sonnet-4-0"))
        .isSameAs(bundled.entries().get("claude-sonnet-4-20250514"));
  }

  @Test
  void latestSuffixIsStripped() {
    PriceTable t = PriceTable.builder()
        .price("qwen-plus", ModelPrice.builder().input(1).output(2).build()).build();
    assertThat(t.price("dashscope", "qwen-plus-latest")).isNotNull();
    // but a model whose own name ends in -latest keeps its own price
    assertThat(bundled.price("openai", "gpt-5-chat-latest"))
        .isSameAs(bundled.entries().get("gpt-5-chat-latest"));
  }

  @Test
  void onlyRealDatesAreStripped() {
    assertThat(ModelNames.stripVersionSuffix("gpt-4o-2024-08-06")).isEqualTo("gpt-4o");
    assertThat(ModelNames.stripVersionSuffix("claude-opus-4-20250514")).isEqualTo("claude-opus-4");
    assertThat(ModelNames.stripVersionSuffix("model-12345678")).isEqualTo("model-12345678");
    assertThat(ModelNames.stripVersionSuffix("model-2024-13-01")).isEqualTo("model-2024-13-01");
    assertThat(ModelNames.stripVersionSuffix("glm-4-32b-0414-128k")).isEqualTo("glm-4-32b-0414-128k");
  }

  @Test
  void unknownModelsAreUnpricedNeverZero() {
    assertThat(bundled.cost("openai", "gpt-9-ultra", USAGE)).isNull();
    assertThat(bundled.cost("openai", "", USAGE)).isNull();
    assertThat(bundled.cost("openai", null, USAGE)).isNull();
    assertThat(bundled.cost(null, "gpt-4o", USAGE)).isNotNull();
    assertThat(bundled.cost("openai", "gpt-4o", TokenUsage.UNKNOWN)).isNull();
    assertThat(bundled.cost("openai", "gpt-4o", null)).isNull();
  }

  @Test
  void azureDeploymentNamesMapToModels() {
    assertThat(bundled.cost("azure.ai.openai", "prod-chat", USAGE)).isNull();
    PriceTable t = PriceTable.builder().prices(bundled)
        .azureDeployment("prod-chat", "gpt-4o").build();
    assertThat(t.price("azure.ai.openai", "prod-chat")).isSameAs(gpt4o());
    assertThat(t.price("azure.ai.openai", "PROD-CHAT")).isSameAs(gpt4o());
  }

  @Test
  void entriesKeyedByProviderWinForThatProviderOnly() {
    ModelPrice resale = ModelPrice.builder().input(1).output(1).build();
    PriceTable t = PriceTable.builder().prices(bundled).price("holysheep/gpt-4o", resale).build();
    assertThat(t.price("holysheep", "gpt-4o")).isSameAs(resale);
    assertThat(t.price("openai", "gpt-4o")).isSameAs(gpt4o());
  }

  @Test
  void userLayersOverrideBundledEntries() {
    ModelPrice negotiated = ModelPrice.builder().input(2).cacheRead(1).output(8).build();
    PriceTable t = PriceTable.builder().prices(bundled).price("gpt-4o", negotiated).build();
    assertThat(t.price("openai", "gpt-4o-2024-08-06")).isSameAs(negotiated);
    assertThat(t.price("openai", "gpt-4o-mini")).isSameAs(bundled.entries().get("gpt-4o-mini"));
    assertThat(bundled.price("openai", "gpt-4o")).isSameAs(gpt4o()); // bundled untouched
  }

  @Test
  void candidatesGoFromMostToLeastSpecific() {
    assertThat(ModelNames.candidates("openai/gpt-4o-2024-08-06"))
        .containsExactly("openai/gpt-4o-2024-08-06", "openai/gpt-4o", "gpt-4o-2024-08-06",
            "gpt-4o");
  }

  @Test
  void resolutionCacheStaysBoundedUnderManyDistinctNames() {
    PriceTable t = PriceTable.builder().prices(bundled).build();
    IntStream.range(0, 10_000).parallel()
        .forEach(i -> assertThat(t.cost("openai", "unknown-" + i, USAGE)).isNull());
    assertThat(t.resolvedCacheSize()).isLessThanOrEqualTo(4096);
    assertThat(t.cost("openai", "gpt-4o", USAGE)).isNotNull(); // still answers past the bound
  }

  @Test
  void concurrentCallersGetTheSameAnswer() {
    PriceTable t = PriceTable.builder().prices(bundled).build();
    List<String> models = List.of("gpt-4o-2024-08-06", "claude-haiku-4-5-20251001", "o3",
        "gemini-2.5-pro", "nope");
    Set<String> answers = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 20_000).parallel().forEach(i -> {
      String m = models.get(i % models.size());
      answers.add(m + "=" + t.cost("openai", m, USAGE));
    });
    assertThat(answers).hasSize(models.size());
  }
}
