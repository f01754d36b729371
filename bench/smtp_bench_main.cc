// The koban side of bench/smtp_bench.sh: sends N messages of about SIZE bytes, one recipient
// each, through mail::SmtpDelivery to HOST:PORT with S sessions, and prints
// "koban: N messages in T s, R msg/s" plus the failure counts.
//
//   smtp_bench 127.0.0.1 2525 100000 20 2048
//
// Messages are handed over in batches of 10,000 (the outbox hands over at most a few
// hundred at a time; one batch of 100,000 would only cost memory, not speed).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "mail/mime.h"
#include "mail/smtp.h"

int main(int argc, char** argv) {
  using namespace koban;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s HOST PORT MESSAGES SESSIONS SIZE\n", argv[0]);
    return 2;
  }
  const std::string host = argv[1];
  const int port = std::atoi(argv[2]);
  const long total = std::atol(argv[3]);
  const int sessions = std::atoi(argv[4]);
  const std::size_t size = static_cast<std::size_t>(std::atol(argv[5]));

  mail::Message m;
  m.from = {"岐阜県警察", "noreply@police.example.jp"};
  m.to = {{"", "user@example.jp"}};
  m.subject = "【防犯情報】ベンチマーク";
  m.date = SystemClock().now();
  m.message_id = "<bench@police.example.jp>";
  std::string text;
  auto raw = mail::build_message(m);
  // Pad the ASCII body so that the whole message is SIZE bytes.
  while (raw && raw->size() < size) {
    const std::size_t missing = size - raw->size();
    text += std::string(std::min<std::size_t>(missing > 2 ? missing - 2 : 1, 70), 'x') + "\n";
    m.text = text;
    raw = mail::build_message(m);
  }
  if (!raw) {
    std::fprintf(stderr, "build: %s\n", raw.error().message.c_str());
    return 1;
  }

  mail::SmtpConfig cfg;
  cfg.host = host;
  cfg.port = static_cast<std::uint16_t>(port);
  cfg.tls = mail::TlsMode::none;
  mail::DeliveryPolicy policy;
  policy.max_sessions = sessions;
  policy.defaults.max_connections = sessions;
  policy.defaults.max_recipients_per_session = 10'000;
  mail::SmtpDelivery smtp(cfg, policy);

  constexpr long kBatch = 10'000;
  std::uint64_t delivered = 0, temporary = 0, permanent = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long sent = 0; sent < total; sent += kBatch) {
    std::vector<mail::Envelope> batch;
    const long n = std::min(kBatch, total - sent);
    batch.reserve(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i)
      batch.push_back({"noreply@police.example.jp", {"user" + std::to_string(sent + i) + "@example.jp"}, *raw});
    auto stats = smtp.deliver(batch, nullptr);
    if (!stats) {
      std::fprintf(stderr, "deliver: %s\n", stats.error().message.c_str());
      return 1;
    }
    delivered += stats->delivered;
    temporary += stats->temporary_failures;
    permanent += stats->permanent_failures;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("koban: %ld messages of %zu bytes in %.2f s, %.0f msg/s (delivered %llu, temporary %llu, permanent %llu)\n",
              total, raw->size(), secs, static_cast<double>(delivered) / secs,
              static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(temporary),
              static_cast<unsigned long long>(permanent));
  return delivered == static_cast<std::uint64_t>(total) ? 0 : 1;
}
