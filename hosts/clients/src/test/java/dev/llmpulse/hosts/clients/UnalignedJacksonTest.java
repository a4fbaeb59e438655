package dev.llmpulse.hosts.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.llmpulse.okhttp.LlmMetricsInterceptor;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Why the README says "One Jackson": run by the unaligned-jackson execution on the classpath
 * Maven resolves for an openai-java user who adds llmpulse-okhttp and nothing else — LLM Pulse's
 * jackson-core (two hops from the app, so it wins) beside the SDK's jackson-databind (four hops).
 * When this stops failing, the README's warning is obsolete.
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
  void openAiJavaFailsOnItsFirstRequestWithoutOneJackson() {
    upstream.enqueue(Recorded.load("openai/test_chat_completion_with_content.json"));
    OpenAIClient openAi = OpenAIOkHttpClient.builder()
        .fromEnv()
        .addInterceptor(interceptor)
        .build();

    assertThatThrownBy(() -> openAi.chat().completions().create(ChatCompletionCreateParams
            .builder().model("gpt-4o-mini").addUserMessage("Say this is a test").build()))
        .isInstanceOf(NoSuchMethodError.class)
        .hasMessageContaining("com.fasterxml.jackson.core");
  }
}
