package dev.llmpulse.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What a LangChain4j streaming model hands the application: parts, then the response or an error. */
final class Streamed implements StreamingChatResponseHandler {
  final List<String> parts = new CopyOnWriteArrayList<>();
  final CompletableFuture<ChatResponse> response = new CompletableFuture<>();
  final CompletableFuture<Throwable> error = new CompletableFuture<>();
  private final int cancelAfterParts;

  Streamed() {
    this(-1);
  }

  /** Cancels the stream through LangChain4j's streaming handle after {@code parts} parts. */
  static Streamed cancelingAfter(int parts) {
    return new Streamed(parts);
  }

  private Streamed(int cancelAfterParts) {
    this.cancelAfterParts = cancelAfterParts;
  }

  @Override
  public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
    parts.add(partial.text());
    if (parts.size() == cancelAfterParts) {
      context.streamingHandle().cancel();
      response.complete(null);
    }
  }

  @Override
  public void onCompleteResponse(ChatResponse complete) {
    response.complete(complete);
  }

  @Override
  public void onError(Throwable throwable) {
    error.complete(throwable);
    response.completeExceptionally(throwable);
  }

  /** The response, once the model handed it over. */
  ChatResponse awaitResponse() throws Exception {
    return response.get(10, TimeUnit.SECONDS);
  }

  /** The error, once the model handed it over. */
  Throwable awaitError() throws Exception {
    return error.get(10, TimeUnit.SECONDS);
  }

  String text() {
    return String.join("", parts);
  }
}
