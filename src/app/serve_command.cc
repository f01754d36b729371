#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "app/app.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/common_options.h"

namespace koban::app {
namespace {

constexpr const char* kServeHelp =
    "usage: koban serve [--data DIR] [--listen HOST:PORT] [--demo] [--config FILE]\n"
    "\n"
    "Runs the HTTP server (public site, staff UI at /admin, JSON API) and the background\n"
    "workers (jobs, mail delivery, schedules) until SIGTERM or SIGINT; then in-flight requests\n"
    "finish and workers stop at a safe point.\n"
    "\n"
    "  --data DIR          data directory (default ./data, setting data.dir)\n"
    "  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080)\n"
    "  --demo              fill a fictional force (サンプル県警察) into an empty database\n"
    "  --config FILE       configuration file (see `koban config defaults`)\n";

constexpr const char* kWorkerHelp =
    "usage: koban worker [--data DIR] [--config FILE]\n"
    "\n"
    "Runs the background workers only (jobs, mail delivery, schedules): start several on\n"
    "several machines against one PostgreSQL database to scale out.\n";

}  // namespace

int cmd_serve(const std::vector<std::string>& argv, bool worker_only) {
  CommandSpec spec{{"data", "config"}, {}};
  if (!worker_only) {
    spec.value_options.insert("listen");
    spec.flag_options.insert("demo");
  }
  auto args = parse_args(argv, spec);
  const char* help = worker_only ? kWorkerHelp : kServeHelp;
  if (!args) {
    std::fprintf(stderr, "koban: %s\n\n%s", args.error().message.c_str(), help);
    return 2;
  }
  if (args->help) {
    std::fputs(help, stdout);
    return 0;
  }
  if (!args->positional.empty()) {
    std::fprintf(stderr, "koban: unexpected argument '%s'\n\n%s", args->positional[0].c_str(), help);
    return 2;
  }
  auto config = load_config(*args);
  if (!config) {
    std::fprintf(stderr, "koban: %s\n", config.error().message.c_str());
    return 2;
  }
  if (args->options.count("listen")) config->set("server.listen", args->options.at("listen"));

  // Signals go to this thread only (sigwait below); every thread started later inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const auto t0 = std::chrono::steady_clock::now();
  auto app = App::open(std::move(*config), {.http = !worker_only, .workers = true, .demo = args->has("demo")});
  if (!app) {
    std::fprintf(stderr, "koban: %s\n", app.error().message.c_str());
    return 1;
  }
  if (auto r = (*app)->start(); !r) {
    std::fprintf(stderr, "koban: %s\n", r.error().message.c_str());
    return 1;
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!worker_only) {
    std::printf("koban %s ready on http://%s (port %u) in %.0f ms; data: %s\n", KOBAN_VERSION,
                (*app)->config().text("server.listen").c_str(), (*app)->port(), ms,
                (*app)->data_dir().c_str());
  } else {
    std::printf("koban worker ready in %.0f ms; data: %s\n", ms, (*app)->data_dir().c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  std::printf("koban: %s received, stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(stdout);
  (*app)->stop();
  std::printf("koban: stopped\n");
  return 0;
}

}  // namespace koban::app
