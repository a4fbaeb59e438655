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
  void theFormatsOfIssue12AreDetectedFromTheirPaths() {
    assertThat(WireFormat.detect("/v1beta/models/gemini-embedding-001:embedContent")).isEqualTo(WireFormat.GEMINI_EMBEDDINGS);
    assertThat(WireFormat.detect("/v1beta/models/gemini-embedding-2:batchEmbedContents")).isEqualTo(WireFormat.GEMINI_EMBEDDINGS);
    assertThat(WireFormat.detect("/v1beta1/projects/p/locations/global/publishers/google/models/gemini-embedding-2:embedContent"))
        .isEqualTo(WireFormat.GEMINI_EMBEDDINGS);
    assertThat(WireFormat.detect("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict"))
        .isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
    assertThat(WireFormat.detect("/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict"))
        .isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
    assertThat(WireFormat.detect("/openai/v1/chat/completions")).isEqualTo(WireFormat.OPENAI_CHAT);
    assertThat(WireFormat.detect("/openai/v1/responses")).isEqualTo(WireFormat.OPENAI_RESPONSES);
    assertThat(WireFormat.detect("/api/chat")).isEqualTo(WireFormat.OLLAMA_CHAT);
    assertThat(WireFormat.detect("/ollama/api/generate")).isEqualTo(WireFormat.OLLAMA_GENERATE);
    assertThat(WireFormat.detect("/api/embed")).isEqualTo(WireFormat.OLLAMA_EMBED);
    assertThat(WireFormat.detect("/api/embeddings")).as("Ollama's legacy embeddings").isEqualTo(WireFormat.OPENAI_EMBEDDINGS);
    assertThat(WireFormat.detect("/v2/chat")).isEqualTo(WireFormat.COHERE_CHAT);
    assertThat(WireFormat.GEMINI_EMBEDDINGS.operationName()).isEqualTo("embeddings");
    assertThat(WireFormat.OLLAMA_GENERATE.operationName()).isEqualTo("text_completion");
    assertThat(WireFormat.COHERE_CHAT.operationName()).isEqualTo("chat");
  }

  @Test
  void neighboursOfTheLlmPathsAreNotLlmCalls() {
    assertThat(WireFormat.detect("/v1beta/models/gemini-2.5-flash:countTokens")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1beta/models/gemini-2.5-flash")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/projects/p/locations/l/publishers/anthropic/models/count-tokens:rawPredict"))
        .isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/projects/p/locations/l/publishers/mistralai/models/mistral-large:rawPredict"))
        .isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/messages/count_tokens")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/messages/batches")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v1/responses/resp_123/cancel")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/api/tags")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/api/show")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/api/chats")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/api/orders")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/v2/rerank")).isEqualTo(WireFormat.UNKNOWN);
    assertThat(WireFormat.detect("/health")).isEqualTo(WireFormat.UNKNOWN);
  }

  @Test
  void streamingAndModelComeFromThePathWhereTheApiPutsThem() {
    String vertexClaude = "/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict";
    assertThat(WireFormat.isStreamingPath(vertexClaude)).isTrue();
    assertThat(WireFormat.isStreamingPath(vertexClaude.replace(":streamRawPredict", ":rawPredict"))).isFalse();
    assertThat(WireFormat.modelFromPath(vertexClaude)).isEqualTo("claude-sonnet-4@20250514");
    assertThat(WireFormat.modelFromPath("/v1beta/models/gemini-embedding-2:batchEmbedContents")).isEqualTo("gemini-embedding-2");
    assertThat(WireFormat.GEMINI_EMBEDDINGS.modelInPath()).isTrue();
    assertThat(WireFormat.OPENAI_CHAT.modelInPath()).isFalse();
    assertThat(WireFormat.OLLAMA_CHAT.streamsByDefault()).isTrue();
    assertThat(WireFormat.OLLAMA_GENERATE.streamsByDefault()).isTrue();
    assertThat(WireFormat.OLLAMA_EMBED.streamsByDefault()).isFalse();
    assertThat(WireFormat.OPENAI_CHAT.streamsByDefault()).isFalse();
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
