// Speed of the streaming listUsers parser alone (no TLS, no HTTP, no network): a synthetic answer
// shaped like the emulator's (every field the vendor sends, two DATABASE and one JWT attribute, a
// role with a scope) is fed in 16 KB chunks, as the transport delivers it. Prints MB/s of CPU,
// the best of several runs, records built and destroyed included (run: embark-bench-parse
// [users] [runs]).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "internal/graphql/list_users_parser.hpp"
#include <sys/resource.h>

namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string answer(int users) {
  std::string out = R"({"data":{"listUsers":[)";
  char user[768];
  for (int i = 0; i < users; ++i) {
    const int n = std::snprintf(
        user, sizeof user,
        R"(%s{"id":"%08x-%04x-4%03x-8%03x-%012x","email":"user%d@tenant%d.example.com",)"
        R"("name":"User %d","profilePicture":"","creationTimestamp":"2026-01-01T00:00:00Z",)"
        R"("lastActiveSessionTimestamp":null,"isScimManaged":false,"status":"ACTIVE",)"
        R"("userAttributes":[{"key":"account_id","value":"acct_%d","source":"DATABASE"},)"
        R"({"key":"region","value":"eu-west","source":"DATABASE"},)"
        R"({"key":"idp","value":"okta","source":"JWT"}],)"
        R"("roleAssignments":[{"roleId":"role-analyst","scopes":["workspace:%d"]}]})",
        i == 0 ? "" : ",", static_cast<unsigned>(i * 2654435761u), i & 0xffff, i & 0xfff,
        (i >> 3) & 0xfff, i, i, i % 97, i, i % 97, i % 97);
    out.append(user, static_cast<std::size_t>(n));
  }
  out += "]}}";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int users = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (users <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: embark-bench-parse [users > 0] [runs > 0]\n");
    return 2;
  }
  const std::string body = answer(users);
  constexpr std::size_t kChunk = 16 * 1024;
  double best = 1e9;
  std::size_t parsed = 0;
  for (int r = 0; r < runs; ++r) {
    const double start = cpu_seconds();
    {
      embark::internal::ListUsersParser parser;
      for (std::size_t at = 0; at < body.size(); at += kChunk) {
        if (!parser.feed(std::string_view(body).substr(at, kChunk))) {
          std::fprintf(stderr, "embark-bench-parse: the synthetic answer did not parse\n");
          return 1;
        }
      }
      auto records = parser.finish("listUsers");
      if (!records) {
        std::fprintf(stderr, "embark-bench-parse: %s\n", records.error().to_string().c_str());
        return 1;
      }
      parsed = records->size();
    }
    best = std::min(best, cpu_seconds() - start);
  }
  // The same answer streamed into a sink, as a directory refresh parses it: no records kept.
  struct CountingSink final : embark::UserSink {
    std::size_t users = 0;
    void restart() override { users = 0; }
    void add(const embark::UserRecord&) override { ++users; }
  };
  double best_streamed = 1e9;
  for (int r = 0; r < runs; ++r) {
    auto sink = std::make_shared<CountingSink>();
    const double start = cpu_seconds();
    {
      embark::internal::ListUsersParser parser(sink);
      for (std::size_t at = 0; at < body.size(); at += kChunk)
        (void)parser.feed(std::string_view(body).substr(at, kChunk));
      if (!parser.finish("listUsers") || sink->users != static_cast<std::size_t>(users)) {
        std::fprintf(stderr, "embark-bench-parse: the streamed parse lost users\n");
        return 1;
      }
    }
    best_streamed = std::min(best_streamed, cpu_seconds() - start);
  }
  if (parsed != static_cast<std::size_t>(users)) {
    std::fprintf(stderr, "embark-bench-parse: parsed %zu of %d users\n", parsed, users);
    return 1;
  }
  const double mb = static_cast<double>(body.size()) / 1e6;
  std::printf("users                 %d\n", users);
  std::printf("answer                %.1f MB (%.0f bytes per user)\n", mb,
              static_cast<double>(body.size()) / users);
  std::printf("parse, best of %d      %.1f ms of CPU\n", runs, best * 1e3);
  std::printf("speed                 %.0f MB/s (records built and destroyed included)\n",
              mb / best);
  std::printf("streamed, best of %d   %.1f ms of CPU, %.0f MB/s (each user handed to a sink)\n",
              runs, best_streamed * 1e3, mb / best_streamed);
  return 0;
}
