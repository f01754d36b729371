#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "http/forms/multipart_parser.h"
#include "http/static_files.h"
#include "test_client.h"

namespace koban::http {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::get_request;

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerConfig config = {}) {
    config.port = 0;
    config.io_threads = 2;
    config.handler_threads = 2;
    router_.get("/hello/:name", [](Request& r) { return Response::text(200, "hello " + std::string(r.param("name"))); });
    router_.post("/echo", [](Request& r) { return Response::text(200, r.body); }, {.max_body = 1000});
    router_.get("/slow", [](Request&) {
      std::this_thread::sleep_for(400ms);
      return Response::text(200, "done");
    });
    router_.get("/throw", [](Request&) -> Response { throw std::runtime_error("boom"); });
    router_.get("/api/missing", [](Request&) { Response r; r.status = 404; return r; });
    router_.get("/fast", [](Request&) { return Response::text(200, "fast"); }, {.blocking = false});
    router_.post("/upload", [](Request& r) {
      if (!r.upload) return Response::text(400, "no upload");
      std::string out = std::string(r.upload->fields.get("title").value_or("")) + "|";
      for (const auto& f : r.upload->files) {
        std::ifstream in(f.temp_path(), std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        out += f.filename + ":" + std::to_string(data.size()) + ":" + data.substr(0, 5);
      }
      return Response::text(200, out);
    }, {.max_body = 200000, .multipart = true});
    server_ = std::make_unique<Server>(config, router_, &metrics_);
    ASSERT_TRUE(server_->start().ok());
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerTest, ServesWithSecurityHeadersAndKeepAlive) {
  start();
  RawClient c(port_);
  ASSERT_TRUE(c.send(get_request("/hello/%E5%AE%89") + get_request("/fast")));  // pipelined
  auto r1 = c.read_response();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "hello 安");
  EXPECT_NE(r1->headers["content-security-policy"].find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r1->headers["content-security-policy"].find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(r1->headers["x-content-type-options"], "nosniff");
  EXPECT_FALSE(r1->headers["referrer-policy"].empty());
  EXPECT_EQ(r1->headers["connection"], "keep-alive");
  auto r2 = c.read_response();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "fast");
  EXPECT_NE(metrics_.render().find("koban_http_requests_total{route=\"/hello/:name\",status=\"200\"} 1"), std::string::npos);
}

TEST_F(ServerTest, NotFoundMethodNotAllowedAndJsonErrors) {
  start();
  RawClient c(port_);
  c.send(get_request("/nothing-here"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("見つかりませんでした"), std::string::npos);
  EXPECT_NE(r->headers["content-type"].find("text/html"), std::string::npos);

  c.send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "POST");

  c.send(get_request("/api/missing"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->headers["content-type"].find("application/json"), std::string::npos);
  EXPECT_NE(r->body.find("\"status\":404"), std::string::npos);
}

TEST_F(ServerTest, LimitsRequestsPerConnection) {
  ServerConfig config;
  config.max_requests_per_connection = 2;
  start(config);
  RawClient c(port_);
  c.send(get_request("/fast"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "keep-alive");
  c.send(get_request("/fast"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(c.closed_within(2000ms));
}

TEST_F(ServerTest, OversizedHeaderGets431) {
  ServerConfig config;
  config.max_header_bytes = 1024;
  start(config);
  RawClient c(port_);
  c.send(get_request("/fast", "X-Big: " + std::string(4000, 'a') + "\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ServerTest, OversizedBodyRefusedBeforeItIsRead) {
  start();
  RawClient c(port_);
  // Only the header is sent: the 413 must come without the server waiting for the body.
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
  auto r = c.read_response(false, 3000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->headers["connection"], "close");

  RawClient chunked(port_);
  std::string req = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  req += "7d0\r\n" + std::string(2000, 'x') + "\r\n0\r\n\r\n";
  chunked.send(req);
  r = chunked.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);

  RawClient small(port_);
  small.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  r = small.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

std::string multipart_request(const std::string& file_content) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n題名\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"../../報告.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n" + file_content + "\r\n--XyZ--\r\n";
  return "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST_F(ServerTest, MultipartUploadStreamsToTempFiles) {
  start();
  RawClient c(port_);
  const std::string content = "hello" + std::string(150000, 'z');  // several read slices
  ASSERT_TRUE(c.send(multipart_request(content)));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "題名|報告.txt:150005:hello");

  RawClient big(port_);
  big.send(multipart_request(std::string(300000, 'a')));
  r = big.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413) << r->body;

  RawClient broken(port_);
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end";
  broken.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  r = broken.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, SlowClientIsDroppedWhileOthersAreServed) {
  ServerConfig config;
  config.request_timeout = 500ms;
  start(config);
  RawClient slow(port_);
  ASSERT_TRUE(slow.send("GET /fast HTTP/1.1\r\n"));  // and never more
  // Meanwhile, others are served at once.
  for (int i = 0; i < 5; ++i) {
    RawClient c(port_);
    c.send(get_request("/fast"));
    auto r = c.read_response(false, 1000ms);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_TRUE(slow.closed_within(3000ms));
}

TEST_F(ServerTest, MalformedRequestGets400AndHandlerExceptionGets500) {
  start();
  RawClient c(port_);
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);

  RawClient c2(port_);
  c2.send(get_request("/throw"));
  r = c2.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  c2.send(get_request("/fast"));  // the server and the connection carry on
  r = c2.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequests) {
  start();
  RawClient busy(port_);
  RawClient idle(port_);
  idle.send(get_request("/fast"));
  ASSERT_TRUE(idle.read_response());
  busy.send(get_request("/slow"));
  std::this_thread::sleep_for(100ms);  // the handler is running now
  std::thread stopper([&] { server_->stop(); });
  auto r = busy.read_response(false, 3000ms);
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->headers["connection"], "close");
  EXPECT_TRUE(idle.closed_within(1000ms));
  RawClient late(port_);
  EXPECT_FALSE(late.connected() && late.send(get_request("/fast")) && late.read_response(false, 500ms));
}

TEST(StaticFiles, EtagGzipAndNotModified) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("koban-static-" + std::to_string(::getpid()));
  fs::create_directories(root / "news");
  std::string page = "<!doctype html><p>" + std::string(2000, 'a') + "</p>";
  std::ofstream(root / "news" / "index.html") << page;
  std::ofstream(root / ".secret") << "no";
  StaticFiles files({.root = root});

  Request req;
  auto r = files.serve(req, "news/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body_view(), page);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  const std::string etag(r.header("etag"));
  EXPECT_FALSE(etag.empty());
  EXPECT_FALSE(r.header("last-modified").empty());

  req.headers = {{"accept-encoding", "gzip, br"}};
  r = files.serve(req, "news/index.html");
  EXPECT_EQ(r.header("content-encoding"), "gzip");
  EXPECT_LT(r.body_view().size(), page.size());

  req.headers = {{"if-none-match", etag}};
  r = files.serve(req, "news/index.html");
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body_view().empty());

  EXPECT_EQ(files.serve(Request{}, "../etc/passwd").status, 404);
  EXPECT_EQ(files.serve(Request{}, ".secret").status, 404);
  EXPECT_EQ(files.serve(Request{}, "missing.html").status, 404);
  fs::remove_all(root);
}

}  // namespace
}  // namespace koban::http
