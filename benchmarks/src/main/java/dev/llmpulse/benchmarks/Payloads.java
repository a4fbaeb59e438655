package dev.llmpulse.benchmarks;

import java.nio.charset.StandardCharsets;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The bodies every benchmark sends and receives: a JSON chat request for gpt-4o-mini, a 2 KB
 * OpenAI chat completion with usage (the recorded fixture {@code
 * fixtures/openai/test_chat_completion_with_content.json}, its answer padded to 2 KB), and an
 * SSE stream of 1,000 content chunks in the shape of {@code
 * test_chat_stream_with_include_usage_option.json}.
 */
final class Payloads {
  static final MediaType JSON = MediaType.get("application/json");
  static final MediaType SSE = MediaType.get("text/event-stream");
  static final String PATH = "/v1/chat/completions";
  static final String IN_PROCESS_URL = "https://api.openai.com" + PATH;
  static final int STREAM_CHUNKS = 1000;

  static final byte[] CHAT_REQUEST = ("{\"messages\":[{\"role\":\"system\",\"content\":\"You are a"
      + " helpful shop assistant.\"},{\"role\":\"user\",\"content\":\"Where is my order 1234?\"}],"
      + "\"model\":\"gpt-4o-mini\",\"stream\":false,\"temperature\":0.2}")
      .getBytes(StandardCharsets.UTF_8);

  static final byte[] STREAM_REQUEST = ("{\"messages\":[{\"role\":\"user\",\"content\":\"Write a"
      + " long story.\"}],\"model\":\"gpt-4o-mini\",\"stream\":true,"
      + "\"stream_options\":{\"include_usage\":true}}")
      .getBytes(StandardCharsets.UTF_8);

  /** Headers an OpenAI answer carries, rate-limit ones included (LLM Pulse parses them). */
  static Headers responseHeaders(MediaType type) {
    return new Headers.Builder()
        .add("Content-Type", type.toString())
        .add("openai-organization", "test_openai_org_id")
        .add("openai-processing-ms", "287")
        .add("openai-version", "2020-10-01")
        .add("x-ratelimit-limit-requests", "10000")
        .add("x-ratelimit-limit-tokens", "200000")
        .add("x-ratelimit-remaining-requests", "9999")
        .add("x-ratelimit-remaining-tokens", "199977")
        .add("x-ratelimit-reset-requests", "8.64s")
        .add("x-ratelimit-reset-tokens", "6ms")
        .add("x-request-id", "req_58cff97afd0e7c0bba910ccf0b044a6f")
        .build();
  }

  static Request chatRequest(String url) {
    return new Request.Builder().url(url)
        .header("Authorization", "Bearer sk-benchmark")
        .post(RequestBody.create(CHAT_REQUEST, JSON))
        .build();
  }

  static Request streamRequest(String url) {
    return new Request.Builder().url(url)
        .header("Authorization", "Bearer sk-benchmark")
        .header("Accept", "text/event-stream")
        .post(RequestBody.create(STREAM_REQUEST, JSON))
        .build();
  }

  private static byte[] chatResponse(int size) {
    String head = "{\n  \"id\": \"chatcmpl-ASYMQRl3A3DXL9FWCK9tnGRcKIO7q\",\n"
        + "  \"object\": \"chat.completion\",\n  \"created\": 1731368630,\n"
        + "  \"model\": \"gpt-4o-mini-2024-07-18\",\n  \"choices\": [\n    {\n"
        + "      \"index\": 0,\n      \"message\": {\n        \"role\": \"assistant\",\n"
        + "        \"content\": \"";
    String tail = "\",\n        \"refusal\": null\n      },\n      \"logprobs\": null,\n"
        + "      \"finish_reason\": \"stop\"\n    }\n  ],\n  \"usage\": {\n"
        + "    \"prompt_tokens\": 312,\n    \"completion_tokens\": 345,\n"
        + "    \"total_tokens\": 657,\n    \"prompt_tokens_details\": {\n"
        + "      \"cached_tokens\": 128,\n      \"audio_tokens\": 0\n    },\n"
        + "    \"completion_tokens_details\": {\n      \"reasoning_tokens\": 0,\n"
        + "      \"audio_tokens\": 0,\n      \"accepted_prediction_tokens\": 0,\n"
        + "      \"rejected_prediction_tokens\": 0\n    }\n  },\n"
        + "  \"system_fingerprint\": \"fp_0ba0d124f1\"\n}\n";
    String sentence = "Your order 1234 left our warehouse on Monday and is with the carrier."
        + " It should reach you within two working days.\\n";
    StringBuilder content = new StringBuilder();
    while (head.length() + content.length() + tail.length() < size) content.append(sentence);
    content.setLength(size - head.length() - tail.length());
    return (head + content + tail).getBytes(StandardCharsets.UTF_8);
  }

  static String streamEvent(String deltaJson, String finishReason) {
    return "data: {\"id\":\"chatcmpl-AfhuMhGf8Genpm2uKosEpBtvtQgco\",\"object\":"
        + "\"chat.completion.chunk\",\"created\":1734503594,\"model\":\"gpt-4o-mini-2024-07-18\","
        + "\"system_fingerprint\":\"fp_39a40c96a0\",\"choices\":[{\"index\":0,\"delta\":"
        + deltaJson + ",\"logprobs\":null,\"finish_reason\":"
        + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}],\"usage\":null}\n\n";
  }

  static final String CONTENT_EVENT = streamEvent("{\"content\":\" Ocean\"}", null);

  static final String STREAM_END = streamEvent("{}", "stop")
      + "data: {\"id\":\"chatcmpl-AfhuMhGf8Genpm2uKosEpBtvtQgco\",\"object\":"
      + "\"chat.completion.chunk\",\"created\":1734503594,\"model\":\"gpt-4o-mini-2024-07-18\","
      + "\"system_fingerprint\":\"fp_39a40c96a0\",\"choices\":[],\"usage\":{\"prompt_tokens\":22,"
      + "\"completion_tokens\":1000,\"total_tokens\":1022,\"prompt_tokens_details\":"
      + "{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":"
      + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
      + "\"rejected_prediction_tokens\":0}}}\n\n"
      + "data: [DONE]\n\n";

  /** The events of a stream, one per element, as a server flushes them. */
  static byte[][] streamEvents(int chunks) {
    byte[][] events = new byte[chunks + 2][];
    events[0] = streamEvent("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null)
        .getBytes(StandardCharsets.UTF_8);
    byte[] content = CONTENT_EVENT.getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i <= chunks; i++) events[i] = content;
    events[chunks + 1] = STREAM_END.getBytes(StandardCharsets.UTF_8);
    return events;
  }

  private static byte[] streamResponse(int chunks) {
    byte[][] events = streamEvents(chunks);
    int size = 0;
    for (byte[] e : events) size += e.length;
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] e : events) {
      System.arraycopy(e, 0, all, at, e.length);
      at += e.length;
    }
    return all;
  }

  // Last: built from the constants above (static initialisation runs in order).
  static final byte[] CHAT_RESPONSE = chatResponse(2048);
  static final byte[] STREAM_RESPONSE = streamResponse(STREAM_CHUNKS);

  private Payloads() {}
}
