package dev.llmpulse.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A call is recorded once per metric set however many LLM Pulse layers it passes, and only while
 * a layer is passing it down: a retry from above, a failed attempt and another call made inside
 * the chain are each recorded.
 */
class RecordOnceTest {
  private static final Fixture.Interaction ANSWER =
      Fixture.load("openai/test_chat_completion_with_content.json").first();
  private static final String URL = "https://api.openai.com/v1/chat/completions";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final LlmMetricsInterceptor interceptor =
      LlmMetricsInterceptor.builder().registry(registry).build();
  private final Interceptor answer =
      InProcess.answer(200, "application/json", ANSWER.responseBody);

  private double calls() {
    return Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds");
  }

  private static void read(OkHttpClient client, Request request) throws IOException {
    try (Response response = client.newCall(request).execute()) {
      response.body().bytes();
    }
  }

  private static Request chat() {
    return InProcess.chat(URL, "gpt-4o-mini", false);
  }

  @Test
  void aRetryFromAnInterceptorAboveIsRecordedAsASecondCall() throws IOException {
    Interceptor retryOnce = chain -> {
      chain.proceed(chain.request()).close();
      return chain.proceed(chain.request());
    };
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(retryOnce)
        .addInterceptor(interceptor).addInterceptor(interceptor).addInterceptor(answer).build();

    read(client, chat());

    assertThat(calls()).isEqualTo(2);
  }

  @Test
  void anotherCallMadeInsideTheChainIsRecordedToo() throws IOException {
    OkHttpClient other = InProcess.client(interceptor, answer);
    Interceptor asksAnotherModelFirst = chain -> {
      read(other, InProcess.chat(URL, "gpt-4o", false));
      return chain.proceed(chain.request());
    };
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor)
        .addInterceptor(asksAnotherModelFirst).addInterceptor(interceptor)
        .addInterceptor(answer).build();

    read(client, chat());

    assertThat(calls()).isEqualTo(2);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_request_model", "gpt-4o")).isEqualTo(1);
    assertThat(Scrape.of(registry).histogramCount("gen_ai_client_operation_duration_seconds",
        "gen_ai_request_model", "gpt-4o-mini")).isEqualTo(1);
  }

  @Test
  void aFailedCallAndTheCallsAfterItOnTheSameThreadAreEachRecordedOnce() throws IOException {
    IOException refused = new IOException("refused");
    OkHttpClient failing = new OkHttpClient.Builder().addInterceptor(interceptor)
        .addInterceptor(chain -> {
          throw refused;
        }).build();
    assertThatThrownBy(() -> read(failing, chat())).isSameAs(refused);

    OkHttpClient twice = new OkHttpClient.Builder().addInterceptor(interceptor)
        .addInterceptor(interceptor).addInterceptor(answer).build();
    read(twice, chat());
    read(InProcess.client(interceptor, answer), chat());

    assertThat(calls()).isEqualTo(3);
  }

  @Test
  void theThreadKeepsNothingOfLlmPulseOnceACallHasPassedEvenAFailedOne() throws IOException {
    boolean[] seenInside = new boolean[1];
    Interceptor looks = chain -> {
      seenInside[0] = LlmMetricsInterceptor.inChainOnThisThread();
      return chain.proceed(chain.request());
    };
    read(new OkHttpClient.Builder().addInterceptor(interceptor).addInterceptor(looks)
        .addInterceptor(answer).build(), chat());
    assertThat(seenInside[0]).as("marked while the call is below the interceptor").isTrue();
    assertThat(LlmMetricsInterceptor.inChainOnThisThread()).as("after it").isFalse();

    OkHttpClient failing = new OkHttpClient.Builder().addInterceptor(interceptor)
        .addInterceptor(chain -> {
          throw new IOException("refused");
        }).build();
    assertThatThrownBy(() -> read(failing, chat())).isInstanceOf(IOException.class);
    assertThat(LlmMetricsInterceptor.inChainOnThisThread()).as("after a failure").isFalse();
  }
}
