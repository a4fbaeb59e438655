package dev.llmpulse.okhttp;

import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * Drives the interceptor without a network: a terminal interceptor answers every call with a
 * canned response, so thousands of calls run in seconds (MockWebServer costs ~40 ms per POST).
 */
final class InProcess {
  private InProcess() {}

  /** A client whose calls pass through {@code interceptor} and get {@code answer}'s response. */
  static OkHttpClient client(Interceptor interceptor, Interceptor answer) {
    return new OkHttpClient.Builder().addInterceptor(interceptor).addInterceptor(answer).build();
  }

  /** A terminal interceptor answering with {@code status}, {@code contentType} and {@code body}. */
  static Interceptor answer(int status, String contentType, byte[] body) {
    return chain -> response(chain.request(), status, contentType, body);
  }

  static Response response(Request request, int status, String contentType, byte[] body) {
    MediaType type = contentType == null ? null : MediaType.parse(contentType);
    Response.Builder builder = new Response.Builder()
        .request(request)
        .protocol(Protocol.HTTP_1_1)
        .code(status)
        .message("canned")
        .body(ResponseBody.create(new Buffer().write(body), type, body.length));
    if (contentType != null) builder.header("Content-Type", contentType);
    return builder.build();
  }

  static Request chat(String url, String model, boolean stream) {
    String json = "{\"model\":\"" + model + "\",\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return new Request.Builder().url(url)
        .post(RequestBody.create(json, MediaType.get("application/json"))).build();
  }
}
