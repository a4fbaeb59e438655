package dev.llmpulse.core.internal;

import dev.llmpulse.core.WireFormat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Pattern;
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

  @Test
  void onlyTheRootObjectsModelAndStreamCount() {
    String body = "{\"tools\":[{\"model\":\"nested\",\"stream\":true}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"x\"}],"
        + "\"model\":\"gpt-4o-mini\"}";
    assertThat(facts("/v1/chat/completions", body).model).isEqualTo("gpt-4o-mini");
    assertThat(facts("/v1/chat/completions", body).stream).isFalse();
    assertThat(facts("/v1/chat/completions", "{\"messages\":[{\"model\":\"x\"}]}").model).isEmpty();
    assertThat(facts("/v1/chat/completions", "{\"model\":\"m\"} trailing, unread").model).isEqualTo("m");
    assertThat(facts("/v1/chat/completions", "{\"model\":\"m\",").model).as("cut off").isEmpty();
    assertThat(facts("/v1/chat/completions", "[{\"model\":\"m\"}]").model).as("not an object").isEmpty();
  }

  /**
   * The request is read, not validated: strings and brackets are followed exactly (a model in a
   * message, a nested object or a string never counts; a cut or unbalanced body gives nothing),
   * the values it does not need are only skipped. A broken prompt is the upstream's to reject; the
   * call keeps its model.
   */
  @Test
  void theRootIsFollowedExactlyAndTheRestOnlySkipped() {
    String path = "/v1/chat/completions";
    assertThat(facts(path, "{\"messages\":[{\"content\":\"\\\"model\\\":\\\"x\\\"\"}],"
        + "\"model\":\"m\"}").model).as("a model inside a string").isEqualTo("m");
    assertThat(facts(path, "{\"messages\":[{\"content\":\"ends in a backslash \\\\\"}],"
        + "\"model\":\"m\"}").model).as("an escaped backslash before a quote").isEqualTo("m");
    assertThat(facts(path, "{\"messages\":[{\"content\":\"{[}]\"}],\"model\":\"m\"}").model)
        .as("brackets inside a string").isEqualTo("m");
    assertThat(facts(path, "{\"mod\\u0065l\":\"m\",\"str\\u0065am\":true}"))
        .as("escaped names").satisfies(f -> {
          assertThat(f.model).isEqualTo("m");
          assertThat(f.stream).isTrue();
        });
    assertThat(facts(path, "{\"model\":\"caf\\u00e9-\u4e2d\"}").model).isEqualTo("caf\u00e9-\u4e2d");
    assertThat(facts(path, "{\"messages\":[{\"content\":\"\u4f60\u597d\uff0c\u6211\u7684\u8ba2\u5355\"}],"
        + "\"model\":\"qwen-max\"}").model).as("a non-ASCII prompt").isEqualTo("qwen-max");
    assertThat(facts(path, "{\"messages\":[{\"content\":tru}],\"model\":\"m\"}").model)
        .as("a broken value below the root: skipped, not judged").isEqualTo("m");
    assertThat(facts(path, "{\"messages\":[{\"content\":\"hi\"]],\"model\":\"m\"}").model)
        .as("a bracket closing another kind").isEmpty();
    assertThat(facts(path, "{\"messages\":[{\"content\":\"hi\"}],\"model\":\"m\"").model)
        .as("the root never closes").isEmpty();
    assertThat(facts(path, "{\"messages\":[\"unclosed],\"model\":\"m\"}").model)
        .as("a string that never closes").isEmpty();
    assertThat(facts(path, "{\"model\":\"bad \u0001 control\"}").model)
        .as("a model that is no valid string").isEmpty();
    assertThat(facts(path, "{\"model\":\"m\" \"stream\":true}").model).as("no comma").isEmpty();
    assertThat(facts(path, "{\"model\":7,\"stream\":\"true\"}")).as("wrong types")
        .satisfies(f -> {
          assertThat(f.model).isEmpty();
          assertThat(f.stream).isFalse();
        });
    String deep = "[".repeat(JsonTokenizer.MAX_DEPTH - 1) + "]".repeat(JsonTokenizer.MAX_DEPTH - 1);
    assertThat(facts(path, "{\"a\":" + deep + ",\"model\":\"m\"}").model)
        .as("as deep as the tokenizer reads").isEqualTo("m");
    String deeper = "[" + deep + "]";
    assertThat(facts(path, "{\"a\":" + deeper + ",\"model\":\"m\"}").model)
        .as("deeper than the tokenizer's limit").isEmpty();
  }

  /**
   * Every recorded request body, cut and mutated, against Jackson's reading of the root (what
   * RequestFacts did first): wherever Jackson reads the body, the same model and stream; a cut
   * body, nothing; a body Jackson rejects, nothing or what its root's own members say, never
   * another string of the body.
   */
  @Test
  void everyRecordedRequestBodyCutAndMutatedGivesWhatJacksonGaveOrTheRootsOwnMembers() {
    Random random = new Random(7);
    int checked = 0;
    int read = 0;
    int keptDespiteABrokenValue = 0;
    for (Recording recording : Recording.all()) {
      if (recording.requestBody == null || recording.requestBody.isEmpty()) continue;
      byte[] body = recording.requestBody.getBytes(StandardCharsets.UTF_8);
      for (int variant = 0; variant < 60; variant++) {
        byte[] input = body.clone();
        if (variant == 1) {
          input = Arrays.copyOf(body, random.nextInt(body.length + 1));
        } else if (variant > 1) {
          for (int flip = 1 + random.nextInt(3); flip > 0 && input.length > 0; flip--) {
            int at = random.nextInt(input.length);
            input[at] = (byte) (input[at] ^ (1 << random.nextInt(8)));
          }
        }
        String[] expected = jackson(input);
        String[] actual = RequestFacts.readModelAndStream(input, input.length);
        String shown = new String(input, StandardCharsets.ISO_8859_1);
        if (expected != null) {
          assertThat(actual).as("<%s>", shown).isNotNull();
          assertThat(label(actual[0])).as("model of <%s>", shown).isEqualTo(label(expected[0]));
          assertThat(actual[1]).as("stream of <%s>", shown).isEqualTo(expected[1]);
          read++;
        } else if (variant == 1) {
          assertThat(actual).as("cut: <%s>", shown).isNull();
        } else if (actual != null) {
          if (!actual[0].isEmpty()) {
            assertThat(shown).as("model %s", actual[0]).containsPattern("\"model\"\\s*:\\s*\""
                + Pattern.quote(new String(actual[0].getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1)) + "\"");
            keptDespiteABrokenValue++;
          }
          if (!actual[1].isEmpty()) {
            assertThat(shown).as("stream %s", actual[1])
                .containsPattern("\"stream\"\\s*:\\s*" + actual[1] + "[\\s,}]");
          }
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(3_000);
    assertThat(read).isGreaterThan(1_000);
    assertThat(keptDespiteABrokenValue).isGreaterThan(100);
  }

  private static String label(String model) {
    return model.length() > FormatReader.MAX_LABEL_CHARS ? LabelCap.OTHER : model;
  }

  /** What RequestFacts did before it had its own tokenizer. */
  private static String[] jackson(byte[] body) {
    String model = "";
    String stream = "";
    try (JsonParser parser = new JsonFactory().createParser(body, 0, body.length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) return null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
          model = parser.getText();
        } else if ("stream".equals(name) && value != null && value.isBoolean()) {
          stream = value == JsonToken.VALUE_TRUE ? "true" : "false";
        } else {
          parser.skipChildren();
        }
      }
      return new String[] {model, stream};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
