#include "mail/smtp.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "mail/mime.h"
#include "smtp_sink.h"

namespace koban::mail {
namespace {

using testing::SinkOptions;
using testing::SmtpSink;

std::string message_for(const std::string& to, const std::string& text = "本文です。\n") {
  Message m;
  m.from = {"岐阜県警察", "noreply@police.example.jp"};
  m.to = {{"", to}};
  m.subject = "テスト";
  m.date = from_unix(1'800'000'000);
  m.message_id = "<t@police.example.jp>";
  m.text = text;
  return *build_message(m);
}

SmtpConfig config_for(const SmtpSink& sink) {
  SmtpConfig c;
  c.host = "127.0.0.1";
  c.port = sink.port();
  c.tls = TlsMode::none;
  c.command_timeout = std::chrono::seconds(10);
  return c;
}

DeliveryPolicy one_session() {
  DeliveryPolicy p;
  p.max_sessions = 1;
  return p;
}

struct Collected {
  std::vector<RecipientOutcome> outcomes;
  OutcomeCallback callback() {
    return [this](const RecipientOutcome& o) { outcomes.push_back(o); };
  }
  const RecipientOutcome* find(const std::string& rcpt) const {
    for (const auto& o : outcomes)
      if (o.recipient == rcpt) return &o;
    return nullptr;
  }
};

TEST(Smtp, DeliversWithPipeliningExactTranscript) {
  SmtpSink sink;
  const std::string raw = message_for("a..b@docomo.ne.jp");
  SmtpDelivery smtp(config_for(sink), {});
  Collected c;
  auto stats = smtp.deliver({{"noreply@police.example.jp", {"a..b@docomo.ne.jp"}, raw}}, c.callback());
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->delivered, 1u);
  ASSERT_EQ(c.outcomes.size(), 1u);
  EXPECT_EQ(c.outcomes[0].status, DeliveryStatus::delivered);
  EXPECT_EQ(c.outcomes[0].code, 250);
  sink.stop();
  auto sessions = sink.sessions();
  ASSERT_EQ(sessions.size(), 1u);
  const auto& s = sessions[0];
  EXPECT_EQ(s.bytes, "EHLO localhost\r\n"
                     "MAIL FROM:<noreply@police.example.jp>\r\n"
                     "RCPT TO:<a..b@docomo.ne.jp>\r\n"
                     "DATA\r\n" +
                         raw + ".\r\nQUIT\r\n");
  EXPECT_GE(s.max_pipelined, 3);  // MAIL, RCPT and DATA arrived together
  ASSERT_EQ(s.transactions.size(), 1u);
  EXPECT_EQ(s.transactions[0].data, raw);
  EXPECT_EQ(s.transactions[0].rcpts, std::vector<std::string>{"a..b@docomo.ne.jp"});
}

TEST(Smtp, WithoutPipeliningWaitsForEachReply) {
  for (bool server_offers : {false, true}) {
    SinkOptions o;
    o.pipelining = server_offers;
    SmtpSink sink(o);
    SmtpConfig cfg = config_for(sink);
    cfg.pipelining = false;
    SmtpDelivery smtp(cfg, one_session());
    Collected c;
    std::vector<Envelope> batch;
    for (int i = 0; i < 3; ++i)
      batch.push_back({"noreply@police.example.jp", {"u" + std::to_string(i) + "@example.jp", "v@example.jp"},
                       message_for("u@example.jp")});
    auto stats = smtp.deliver(batch, c.callback());
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->delivered, 6u);
    sink.stop();
    auto sessions = sink.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].max_pipelined, 1);
    EXPECT_FALSE(sessions[0].sent_before_reply);
    EXPECT_EQ(sessions[0].transactions.size(), 3u);  // several messages in one session
  }
}

TEST(Smtp, DotStuffingOnTheWire) {
  SmtpSink sink;
  const std::string raw = message_for("x@example.jp", "first\n.hidden\n..two\n.\nend");
  ASSERT_NE(raw.find("\r\n.hidden\r\n"), std::string::npos);
  SmtpDelivery smtp(config_for(sink), {});
  Collected c;
  ASSERT_TRUE(smtp.deliver({{"noreply@police.example.jp", {"x@example.jp"}, raw}}, c.callback()));
  sink.stop();
  auto t = sink.sessions().at(0).transactions.at(0);
  EXPECT_NE(t.wire.find("\r\n..hidden\r\n...two\r\n..\r\nend\r\n.\r\n"), std::string::npos);
  EXPECT_EQ(t.data, raw);
}

TEST(Smtp, PerRecipientTemporaryAndPermanentFailures) {
  SinkOptions o;
  o.rcpt_replies["busy@example.jp"] = "450 4.2.0 Mailbox busy";
  o.rcpt_replies["nobody@example.jp"] = "550 5.1.1 User unknown";
  SmtpSink sink(o);
  for (bool pipelining : {true, false}) {
    SmtpConfig cfg = config_for(sink);
    cfg.pipelining = pipelining;
    SmtpDelivery smtp(cfg, one_session());
    Collected c;
    std::vector<Envelope> batch = {
        {"noreply@police.example.jp", {"ok@example.jp", "busy@example.jp", "nobody@example.jp"}, message_for("ok@example.jp")},
        {"noreply@police.example.jp", {"busy@example.jp"}, message_for("busy@example.jp")},  // nothing accepted
        {"noreply@police.example.jp", {"ok2@example.jp", "bad address@example.jp"}, message_for("ok2@example.jp")},
    };
    auto stats = smtp.deliver(batch, c.callback());
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->delivered, 2u);
    EXPECT_EQ(stats->temporary_failures, 2u);
    EXPECT_EQ(stats->permanent_failures, 2u);
    ASSERT_EQ(c.outcomes.size(), 6u);
    EXPECT_EQ(c.find("ok@example.jp")->status, DeliveryStatus::delivered);
    EXPECT_EQ(c.find("nobody@example.jp")->status, DeliveryStatus::permanent_failure);
    EXPECT_EQ(c.find("nobody@example.jp")->code, 550);
    EXPECT_NE(c.find("nobody@example.jp")->detail.find("User unknown"), std::string::npos);
    EXPECT_EQ(c.find("busy@example.jp")->status, DeliveryStatus::temporary_failure);
    EXPECT_EQ(c.find("busy@example.jp")->code, 450);
    EXPECT_EQ(c.find("bad address@example.jp")->status, DeliveryStatus::permanent_failure);
    EXPECT_EQ(c.find("ok2@example.jp")->status, DeliveryStatus::delivered);
  }
  sink.stop();
  // After the transaction that accepted nobody, the next one starts with RSET.
  for (const auto& s : sink.sessions()) {
    const std::string& b = s.bytes;
    EXPECT_NE(b.find("RSET\r\nMAIL FROM:"), std::string::npos) << b;
    ASSERT_EQ(s.transactions.size(), 2u);
  }
}

TEST(Smtp, PerDomainRecipientAndConnectionLimits) {
  SmtpSink sink;
  DeliveryPolicy policy;
  policy.max_sessions = 8;
  policy.domains["docomo.ne.jp"] = {.max_connections = 2, .max_recipients_per_session = 100};
  SmtpDelivery smtp(config_for(sink), policy);
  std::vector<Envelope> batch;
  const std::string raw = message_for("x@docomo.ne.jp");
  for (int i = 0; i < 250; ++i)
    batch.push_back({"noreply@police.example.jp", {"d" + std::to_string(i) + "@docomo.ne.jp"}, raw});
  // One message with 150 docomo recipients must be split, too.
  Envelope big{"noreply@police.example.jp", {}, raw};
  for (int i = 0; i < 150; ++i) big.recipients.push_back("m" + std::to_string(i) + "@DoCoMo.ne.jp");
  batch.push_back(big);
  Collected c;
  auto stats = smtp.deliver(batch, c.callback());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->delivered, 400u);
  sink.stop();
  auto sessions = sink.sessions();
  int total = 0;
  for (const auto& s : sessions) {
    EXPECT_LE(s.rcpt_commands, 100);
    total += s.rcpt_commands;
  }
  EXPECT_EQ(total, 400);
  EXPECT_GE(sessions.size(), 4u);
  EXPECT_LE(sink.max_concurrent(), 2);
  std::set<std::string> seen;
  for (const auto& o : c.outcomes) seen.insert(o.recipient);
  EXPECT_EQ(seen.size(), 400u);
  EXPECT_TRUE(seen.count("m0@docomo.ne.jp"));  // domain lower-cased
}

TEST(Smtp, ManySessionsInParallelForDefaultDomains) {
  SmtpSink sink;
  DeliveryPolicy policy;
  policy.max_sessions = 4;
  policy.defaults.max_recipients_per_session = 10;
  SmtpDelivery smtp(config_for(sink), policy);
  std::vector<Envelope> batch;
  for (int i = 0; i < 60; ++i)
    batch.push_back({"noreply@police.example.jp", {"u" + std::to_string(i) + "@d" + std::to_string(i % 3) + ".example.jp"},
                     message_for("u@example.jp")});
  Collected c;
  auto stats = smtp.deliver(batch, c.callback());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->delivered, 60u);
  EXPECT_GE(stats->sessions, 6u);
  sink.stop();
  EXPECT_LE(sink.max_concurrent(), 4);
  EXPECT_GE(sink.max_concurrent(), 2);
  int total = 0;
  for (const auto& s : sink.sessions()) {
    EXPECT_LE(s.rcpt_commands, 10);
    total += s.rcpt_commands;
  }
  EXPECT_EQ(total, 60);
}

TEST(Smtp, HeloFallbackWhenEhloIsRefused) {
  SinkOptions o;
  o.refuse_ehlo = true;
  SmtpSink sink(o);
  SmtpDelivery smtp(config_for(sink), {});
  Collected c;
  auto stats = smtp.deliver({{"", {"x@example.jp"}, message_for("x@example.jp")}}, c.callback());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->delivered, 1u);
  sink.stop();
  const auto s = sink.sessions().at(0);
  EXPECT_TRUE(s.bytes.starts_with("EHLO localhost\r\nHELO localhost\r\nMAIL FROM:<>\r\n")) << s.bytes;
}

TEST(Smtp, TimeoutAndRefusedConnectionAreTemporary) {
  SinkOptions o;
  o.silent = true;
  SmtpSink sink(o);
  SmtpConfig cfg = config_for(sink);
  cfg.command_timeout = std::chrono::milliseconds(300);
  SmtpDelivery smtp(cfg, {});
  Collected c;
  std::vector<Envelope> batch = {{"noreply@police.example.jp", {"a@example.jp", "b@example.jp"}, message_for("a@example.jp")},
                                 {"noreply@police.example.jp", {"c@example.jp"}, message_for("c@example.jp")}};
  auto stats = smtp.deliver(batch, c.callback());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->temporary_failures, 3u);
  ASSERT_EQ(c.outcomes.size(), 3u);
  EXPECT_NE(c.outcomes[0].detail.find("timeout"), std::string::npos) << c.outcomes[0].detail;
  sink.stop();

  // Nothing listens on the port any more.
  Collected refused;
  stats = smtp.deliver({{"noreply@police.example.jp", {"a@example.jp"}, message_for("a@example.jp")}}, refused.callback());
  ASSERT_TRUE(stats);
  ASSERT_EQ(refused.outcomes.size(), 1u);
  EXPECT_EQ(refused.outcomes[0].status, DeliveryStatus::temporary_failure);
}

TEST(Smtp, SizeLimitIsPermanentWithoutSending) {
  SinkOptions o;
  o.size = 500;
  SmtpSink sink(o);
  SmtpDelivery smtp(config_for(sink), one_session());
  Collected c;
  const std::string small = message_for("a@example.jp");
  ASSERT_LT(small.size(), 500u);
  auto stats = smtp.deliver({{"noreply@police.example.jp", {"a@example.jp"}, small},
                             {"noreply@police.example.jp", {"b@example.jp"}, message_for("b@example.jp", std::string(600, 'x'))}},
                            c.callback());
  ASSERT_TRUE(stats);
  EXPECT_EQ(c.find("a@example.jp")->status, DeliveryStatus::delivered);
  EXPECT_EQ(c.find("b@example.jp")->status, DeliveryStatus::permanent_failure);
  sink.stop();
  const auto s = sink.sessions().at(0);
  EXPECT_NE(s.bytes.find("MAIL FROM:<noreply@police.example.jp> SIZE=" + std::to_string(small.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(s.transactions.size(), 1u);
}

TEST(Smtp, AuthPlainAndLogin) {
  SinkOptions o;
  o.user = "koban";
  o.password = "s3cret";
  SmtpSink sink(o);
  SmtpConfig cfg = config_for(sink);
  cfg.username = "koban";
  cfg.password = "s3cret";
  {
    // Refused over plain text unless allowed.
    SmtpDelivery smtp(cfg, {});
    Collected c;
    ASSERT_TRUE(smtp.deliver({{"", {"a@example.jp"}, message_for("a@example.jp")}}, c.callback()));
    EXPECT_EQ(c.outcomes.at(0).status, DeliveryStatus::temporary_failure);
  }
  cfg.allow_auth_without_tls = true;
  {
    SmtpDelivery smtp(cfg, {});
    Collected c;
    ASSERT_TRUE(smtp.deliver({{"", {"a@example.jp"}, message_for("a@example.jp")}}, c.callback()));
    EXPECT_EQ(c.outcomes.at(0).status, DeliveryStatus::delivered);
  }
  cfg.password = "wrong";
  {
    SmtpDelivery smtp(cfg, {});
    Collected c;
    ASSERT_TRUE(smtp.deliver({{"", {"a@example.jp"}, message_for("a@example.jp")}}, c.callback()));
    EXPECT_EQ(c.outcomes.at(0).status, DeliveryStatus::temporary_failure);
    EXPECT_NE(c.outcomes.at(0).detail.find("535"), std::string::npos);
  }
  sink.stop();
  bool plain_ok = false;
  for (const auto& s : sink.sessions())
    if (s.auth_user == "koban" && s.bytes.find("AUTH PLAIN ") != std::string::npos) plain_ok = true;
  EXPECT_TRUE(plain_ok);
}

// A self-signed certificate for 127.0.0.1, made with the openssl command.
struct TempCert {
  std::filesystem::path dir;
  std::string cert, key;
  bool ok = false;
  TempCert() {
    char tmpl[] = "/tmp/koban-mail-tls-XXXXXX";
    dir = mkdtemp(tmpl);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                            "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                            " >/dev/null 2>&1";
    ok = std::system(cmd.c_str()) == 0;
  }
  ~TempCert() { std::filesystem::remove_all(dir); }
};

TEST(Smtp, StartTlsWithVerifiedSelfSignedCertificate) {
  TempCert tc;
  ASSERT_TRUE(tc.ok) << "openssl failed";
  SinkOptions o;
  o.cert_file = tc.cert;
  o.key_file = tc.key;
  o.user = "koban";
  o.password = "pw";
  SmtpSink sink(o);
  SmtpConfig cfg = config_for(sink);
  cfg.tls = TlsMode::required;
  cfg.verify_peer = true;
  cfg.ca_file = tc.cert;
  cfg.username = "koban";
  cfg.password = "pw";
  {
    SmtpDelivery smtp(cfg, {});
    Collected c;
    auto stats = smtp.deliver({{"noreply@police.example.jp", {"a@example.jp"}, message_for("a@example.jp")}}, c.callback());
    ASSERT_TRUE(stats) << stats.error().message;
    ASSERT_EQ(c.outcomes.size(), 1u);
    EXPECT_EQ(c.outcomes[0].status, DeliveryStatus::delivered) << c.outcomes[0].detail;
  }
  {
    // The system CAs do not know our certificate: verification fails, nothing is sent.
    cfg.ca_file.clear();
    SmtpDelivery smtp(cfg, {});
    Collected c;
    ASSERT_TRUE(smtp.deliver({{"noreply@police.example.jp", {"a@example.jp"}, message_for("a@example.jp")}}, c.callback()));
    EXPECT_EQ(c.outcomes.at(0).status, DeliveryStatus::temporary_failure);
  }
  sink.stop();
  auto sessions = sink.sessions();
  int delivered_over_tls = 0;
  for (const auto& s : sessions)
    if (s.tls && s.transactions.size() == 1 && s.auth_user == "koban") ++delivered_over_tls;
  EXPECT_EQ(delivered_over_tls, 1);
}

// Postfix's smtp-sink, started on a free loopback port.
class PostfixSink {
 public:
  explicit PostfixSink(const std::string& dump_dir) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port_ = a.local_endpoint().port();
    a.close();
    pid_ = fork();
    if (pid_ == 0) {
      const std::string listen = "127.0.0.1:" + std::to_string(port_);
      const std::string dump = dump_dir + "/msg.";
      if (geteuid() == 0)
        execl("/usr/sbin/smtp-sink", "smtp-sink", "-u", "nobody", "-d", dump.c_str(), listen.c_str(), "100", nullptr);
      else
        execl("/usr/sbin/smtp-sink", "smtp-sink", "-d", dump.c_str(), listen.c_str(), "100", nullptr);
      _exit(127);
    }
    // Wait until it accepts connections (at most ~5 s).
    for (int i = 0; i < 100 && !ready_; ++i) {
      boost::asio::ip::tcp::socket s(io);
      boost::system::error_code ec;
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
      if (!ec) ready_ = true;
      else usleep(50'000);
    }
  }
  ~PostfixSink() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }
  std::uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  bool ready_ = false;
};

TEST(Smtp, PostfixSmtpSinkReceivesExactMessages) {
  if (access("/usr/sbin/smtp-sink", X_OK) != 0) GTEST_SKIP() << "postfix smtp-sink not installed";
  char tmpl[] = "/tmp/koban-smtp-sink-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  {
    PostfixSink sink(dir);
    ASSERT_TRUE(sink.ready());
    SmtpConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = sink.port();
    cfg.tls = TlsMode::none;
    DeliveryPolicy policy;
    policy.max_sessions = 3;
    SmtpDelivery smtp(cfg, policy);
    std::vector<Envelope> batch;
    for (int i = 0; i < 30; ++i) {
      const std::string to = "user" + std::to_string(i) + "@example.jp";
      batch.push_back({"noreply@police.example.jp", {to}, message_for(to, "本文 " + std::to_string(i) + "\n.dot line\n")});
    }
    Collected c;
    auto stats = smtp.deliver(batch, c.callback());
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->delivered, 30u);
    // smtp-sink writes each dump when the transaction ends; wait for all 30 (at most ~5 s).
    std::size_t files = 0;
    for (int i = 0; i < 100; ++i) {
      files = 0;
      for (auto& e : std::filesystem::directory_iterator(dir)) files += e.is_regular_file();
      if (files == 30) break;
      usleep(50'000);
    }
    EXPECT_EQ(files, 30u);
    // Each dump: smtp-sink's own headers (ending with its 3-line Received:), then our bytes.
    int matched = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string dump((std::istreambuf_iterator<char>(in)), {});
      auto rcpt = dump.find("X-Rcpt-Args: <");
      ASSERT_NE(rcpt, std::string::npos);
      const std::string to = dump.substr(rcpt + 14, dump.find('>', rcpt) - rcpt - 14);
      const int i = std::stoi(to.substr(4));
      const std::string expected = message_for(to, "本文 " + std::to_string(i) + "\n.dot line\n");
      // smtp-sink stores lines with LF; compare after the same conversion.
      std::string expected_lf = expected;
      std::erase(expected_lf, '\r');
      if (dump.find(expected_lf) != std::string::npos) ++matched;
    }
    EXPECT_EQ(matched, 30);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace koban::mail
