package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmpulse.core.internal.RequestFacts;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the recorded requests of the newer formats ask for: stream and model. */
class RequestFactsTest {
  private static RequestFacts facts(String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return RequestFacts.of(WireFormat.detect(path), path, bytes, bytes.length);
  }

  private static RequestFacts facts(Recording recorded, String body) {
    return facts(recorded.path, body);
  }

  /** The body without its top-level {@code "stream"} field. */
  private static String withoutStream(String body) {
    String without = body.replaceFirst("\"stream\": (true|false), ", "");
    assertThat(without).doesNotContain("\"stream\"");
    return without;
  }

  @Test
  void ollamaStreamsUnlessTheRequestSaysStreamFalse() {
    Recording chat = Recording.load("ollama/test_ollama_streaming_chat_legacy.json", 0);
    Recording generate = Recording.load("ollama/test_ollama_generation_legacy.json", 0);

    assertThat(facts(chat, chat.requestBody).stream).as("\"stream\": true").isTrue();
    assertThat(facts(chat, withoutStream(chat.requestBody)).stream).as("no stream field").isTrue();
    assertThat(facts(generate, generate.requestBody).stream).as("\"stream\": false").isFalse();
    assertThat(facts(generate, withoutStream(generate.requestBody)).stream).isTrue();
    assertThat(facts(chat, chat.requestBody).model).isEqualTo("llama3");
    assertThat(facts("/api/embed", "{\"model\":\"all-minilm\",\"input\":\"hi\"}").stream).isFalse();
  }

  @Test
  void geminiEmbeddingsTakeTheModelOfThePath() {
    Recording batch = Recording.load(
        "gemini/embedding_multimodal_embeddings_gemini_gemini-embedding-2_embeds_text_with_custom_dimensions.json", 0);
    assertThat(facts(batch, batch.requestBody).model).isEqualTo("gemini-embedding-2");
    assertThat(facts(batch, batch.requestBody).stream).isFalse();
    // embedContent's body may name the model as a resource name: the path's name is the label.
    assertThat(facts("/v1beta/models/gemini-embedding-001:embedContent",
        "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"hi\"}]}}").model)
        .isEqualTo("gemini-embedding-001");
  }

  @Test
  void claudeOnVertexStreamsByItsPathAndNamesItsModelThere() {
    String path = "/v1/projects/p/locations/global/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict";
    RequestFacts facts = facts(path, "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(facts.format).isEqualTo(WireFormat.ANTHROPIC_MESSAGES);
    assertThat(facts.stream).isTrue();
    assertThat(facts.model).isEqualTo("claude-haiku-4-5@20251001");
  }

  @Test
  void cohereAndGroqTakeTheModelOfTheBody() {
    Recording cohere = Recording.load(
        "cohere/chat_streaming_responses_cohere_command-a-03-2025_supports_streaming_responses.json", 0);
    Recording groq = Recording.load("groq/test_chat_streaming_legacy.json", 0);

    assertThat(facts(cohere, cohere.requestBody).format).isEqualTo(WireFormat.COHERE_CHAT);
    assertThat(facts(cohere, cohere.requestBody).model).isEqualTo("command-a-03-2025");
    assertThat(facts(cohere, cohere.requestBody).stream).isTrue();
    assertThat(facts(groq, groq.requestBody).format).isEqualTo(WireFormat.OPENAI_CHAT);
    assertThat(facts(groq, groq.requestBody).model).isEqualTo("llama3-8b-8192");
  }
}
