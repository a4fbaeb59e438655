package dev.llmpulse.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireFormatTest {
  @Test
  void formatsAreDetectedFromThePathsOfTheRecordedApis() {
    assertThat(WireFormat.detect("/v1/chat/completions")).isEqualTo(WireFormat.OPENAI_CHAT);
    assertThat(WireFormat.detect("/chat/completions")).isEqualTo(WireFormat.OPENAI_CHAT); // DeepSeek
    assertThat(WireFormat.detect("/openai/deployments/openllmetry-testing/chat/completions?api-version=2024-02-01"))
        .isEqualTo(WireFormat.OPENAI_CHAT);
    assertThat(WireFormat.detect("/v1/responses")).isEqualTo(WireFormat.OPENAI_RESPONSES);
    assertThat(WireFormat.detect("/v1/completions")).isEqualTo(WireFormat.OPENAI_COMPLETIONS);
    assertThat(WireFormat.detect("/v1/embeddings")).isEqualTo(WireFormat.OPENAI_EMBEDDINGS);
    assertThat(WireFormat.detect("/v1/messages")).isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
    assertThat(WireFormat.detect("/v1beta/models/gemini-2.5-flash:generateContent")).isEqualTo(WireFormat.GEMINI);
    assertThat(WireFormat.detect("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"))
        .isEqualTo(WireFormat.GEMINI);
    assertThat(WireFormat.detect("/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent"))
        .isEqualTo(WireFormat.GEMINI);
  }

  @Test
  void otherPathsAreUnknownAndNotParsed() {
    assertThat(WireFormat.detect("/v1/models")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/threads/thread_abc/messages")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect(null)).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.UNKNOWN.isParsed()).isFalse();
  }

  @Test
  void modelComesFromGeminiAndAzurePaths() {
    assertThat(WireFormat.modelFromPath("/v1beta/models/gemini-2.5-flash:generateContent")).isEqualTo("gemini-2.5-flash");
    assertThat(WireFormat.modelFromPath("/openai/deployments/my-gpt4o/chat/completions")).isEqualTo("my-gpt4o");
    assertThat(WireFormat.modelFromPath("/v1/chat/completions")).isEmpty();
    assertThat(WireFormat.isStreamingPath("/v1beta/models/gemini-2.5-flash:streamGenerateContent")).isTrue();
    assertThat(WireFormat.isStreamingPath("/v1beta/models/gemini-2.5-flash:generateContent")).isFalse();
  }
}
