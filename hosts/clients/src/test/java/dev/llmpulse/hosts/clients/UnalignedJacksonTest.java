package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Run by the unaligned-jackson execution on the classpath Maven resolves for an openai-java user
 * who adds llmpulse-okhttp and nothing else: LLM Pulse's jackson-core (two hops from the app, so
 * it wins) beside the SDK's jackson-databind (four hops). When LLM Pulse declared the OLDEST
 * jackson-core it needs (2.15.0), the SDK failed its first request with NoSuchMethodError inside
 * databind; it declares the newest tested one, which every older databind accepts.
 */
@Tag("unaligned-jackson")
class UnalignedJacksonTest {
  private Upstream upstream;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();

  @BeforeEach
  void start() throws Exception {
    upstream = new Upstream();
    System.setProperty("openai.apiKey", "sk-test");
    System.setProperty("openai.baseUrl", "http://api.openai.com/v1");
  }

  @AfterEach
  void stop() throws Exception {
    System.clearProperty("openai.apiKey");
    System.clearProperty("openai.baseUrl");
    upstream.close();
  }

  @Test
  void classpathIsWhatMavenResolvesWithoutTheJacksonBom() {
    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
        .isEqualTo(System.getProperty("llmpulse.unaligned.jackson-core"));
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
        .isEqualTo(System.getProperty("llmpulse.unaligned.jackson-databind"));
  }

  @Test
  void openAiJavaWorksWithoutAligningJackson() {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));
    OpenAIClient openAi = OpenAIOkHttpClient.builder()
        .fromEnv()
        .addInterceptor(interceptor)
        .build();

    ChatCompletion answer = openAi.chat().completions().create(ChatCompletionCreateParams
        .builder().model("gpt-4o-mini").addUserMessage("Say this is a test").build());

    assertThat(answer.usage()).isPresent();
    assertThat(Scrape.of(registry).value("gen_ai_client_tokens_total", "gen_ai_token_type=\"output\""))
        .isEqualTo(answer.usage().get().completionTokens());
  }
}
