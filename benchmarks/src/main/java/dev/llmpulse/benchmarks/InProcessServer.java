package dev.llmpulse.benchmarks;

import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * The last application interceptor: answers every call with a canned response and no network,
 * after reading the request body as a server would. Each response gets a fresh body.
 */
final class InProcessServer implements Interceptor {
  private final byte[] body;
  private final MediaType type;
  private final Headers headers;

  InProcessServer(byte[] body, MediaType type) {
    this(body, type, Payloads.responseHeaders(type));
  }

  InProcessServer(byte[] body, MediaType type, Headers headers) {
    this.body = body;
    this.type = type;
    this.headers = headers;
  }

  @Override
  public Response intercept(Chain chain) throws java.io.IOException {
    if (chain.request().body() != null) {
      Buffer sink = new Buffer();
      chain.request().body().writeTo(sink);
      sink.clear();
    }
    return new Response.Builder()
        .request(chain.request())
        .protocol(Protocol.HTTP_1_1)
        .code(200)
        .message("OK")
        .headers(headers)
        .body(ResponseBody.create(body, type))
        .sentRequestAtMillis(System.currentTimeMillis())
        .receivedResponseAtMillis(System.currentTimeMillis())
        .build();
  }
}
